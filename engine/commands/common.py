"""What several commands share: finding and loading the story they were given, and
writing UTF-8 to the console.

The manifest is imported inside the functions, as in the commands themselves,
so that importing a command module stays cheap.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from engine.model import Story


def story_target(story: str | None) -> Path | None:
    """The STORY argument as a path, or the story in the current folder (None: none there)."""
    from engine.manifest import find_story

    return Path(story) if story else find_story(Path.cwd())


def load_story_arg(command: str, story: str | None) -> Story | None:
    """The story a command was given (or the one in this folder), loaded.

    None after saying why on standard error (no story here, or one that
    cannot be loaded); the command then exits with the usage code, 2.
    """
    from engine.manifest import StoryError, load_story

    target = story_target(story)
    if target is None:
        print(f"chatlog-vn {command}: no story in the current folder; give a STORY", file=sys.stderr)
        return None
    try:
        return load_story(target)
    except StoryError as exc:
        print(f"chatlog-vn {command}: {exc}", file=sys.stderr)
        return None


def write_utf8(stream: TextIO, text: str) -> None:
    """UTF-8 whatever the console's code page: Japanese must come out as it is."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        return
    stream.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()
