"""`chatlog-vn build`: a story and the player frozen into one folder readers start.

Layout of a built app (Linux and Windows; on macOS the same inside `NAME.app`)::

    NAME/                       NAME is the story's title as a safe file name
      NAME (NAME.exe)           PyInstaller's launcher: starts engine.bundle.launch
      README.txt                for readers: how to start, where saves go, the keys
      LICENSES/                 the licence of every bundled component
      _internal/                Python, pygame-ce and SDL, PyYAML, platformdirs, BudouX, the font
        chatlog-vn-bundle.json  which story the app plays (engine.bundle.launch reads it)
        story/ROOT/...          the story's scripts, story.yaml and the assets it uses,
                                at the same paths as in the writer's folder (ROOT is the
                                story root's own name, so the title and save folder match)

The pieces: `plan` (what the story uses and how it is copied), `freeze`
(PyInstaller, run in a child process), `licenses`, `readme`, `archive` (the
zip, keeping run bits and symlinks) and `launch` (the frozen app's command
line). Nothing here imports pygame; `launch` runs the player.
"""
