"""`chatlog-vn export html STORY -o OUT.html`: the story as one page for proofreading.

STORY is a story folder or a single script (default: the story in the
current folder). Without `-o` the page goes to standard output. Exit 0, or
2 when there is no story at STORY or OUT cannot be written.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
from pathlib import Path

from engine.commands.common import load_story_arg, write_utf8

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("html",)


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `chatlog-vn export`."""
    p.add_argument("format", choices=FORMATS, help="what to export to (html)")
    p.add_argument("story", nargs="?", help="a story folder or a script file (default: this folder)")
    p.add_argument("-o", "--output", type=Path, metavar="OUT",
                   help="the file to write (default: standard output)")


def run(args: argparse.Namespace) -> int:
    """Export the story; the page is written whole or not at all."""
    from engine.export_html import counted, render_html

    story = load_story_arg("export", args.story)
    if story is None:
        return EXIT_USAGE
    page = render_html(story)
    if args.output is None:
        write_utf8(sys.stdout, page)
        return EXIT_OK
    try:
        write_atomic(args.output, page)
    except OSError as exc:
        print(f"chatlog-vn export: cannot write {args.output}: {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_USAGE
    count = sum(len(ref.scene.messages) for ref in story.scenes)
    print(f"wrote {args.output} ({counted(len(story.scenes), 'scene')}, "
          f"{counted(count, 'message')})", file=sys.stderr)
    return EXIT_OK


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a browser never sees half a page.

    The page gets the permissions any new file would (0666 less the umask),
    or keeps those of the file it replaces: mkstemp's own 0600 would hide it
    from whoever the writer shares the folder with.
    """
    path = Path(path)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permission bits for the page: those of the file there now, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        pass
    mask = os.umask(0)  # the only portable way to read it: set and restore at once
    os.umask(mask)
    return 0o666 & ~mask
