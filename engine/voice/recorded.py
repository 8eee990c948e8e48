"""Recorded lines that replace the synthetic voice, found by script and line.

story.yaml's `voice.recorded: FOLDER` holds one file per recorded message,
named after the script (its path in the story without the suffix) and the
message's line: `FOLDER/scripts/01-yoru/12.ogg` is line 12 of
scripts/01-yoru.log. `chatlog-vn voice -o FOLDER` writes the same names,
so a synthetic track can be replaced line by line. A file whose real path
leaves the story folder (a symlink out) is never played.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from engine.model import Message, Story

SUFFIXES = (".ogg", ".wav", ".flac", ".mp3")


def line_stem(story: Story, message: Message) -> PurePosixPath | None:
    """`script-path-without-suffix/LINE` for a message of the story, else None."""
    try:
        script = Path(message.pos.file).resolve().relative_to(Path(story.root).resolve())
    except ValueError:
        return None
    return PurePosixPath(script.with_suffix("").as_posix()) / str(message.pos.line)


def recorded_file(story: Story, message: Message) -> Path | None:
    """The recorded file for `message`, if the writer supplied one inside the story."""
    folder = story.voice.recorded
    stem = line_stem(story, message)
    if folder is None or stem is None:
        return None
    root = Path(story.root).resolve()
    for suffix in SUFFIXES:
        candidate = folder.joinpath(*stem.parts).with_suffix(suffix)
        if candidate.is_file():
            real = candidate.resolve()
            if real.is_relative_to(root):
                return real
    return None
