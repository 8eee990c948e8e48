"""`chatlog-vn stats [STORY]`: messages, characters and reading time; the ruby glossary.

A table by default, JSON with `--format json`. With `--save-dir DIR` (or
`--my-saves`, the folder `chatlog-vn play` uses) also how much of the story
that reader has read, per scene; the save folder is only read, never changed.
Exit 0, or 2 when there is no story at STORY or no save folder at DIR.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.commands.common import load_story_arg, write_utf8
from engine.stats import (
    DEFAULT_CHARS_PER_MINUTE,
    compute_stats,
    format_progress,
    format_stats,
    progress_to_dict,
    reading_progress,
    stats_to_dict,
)

EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `chatlog-vn stats`."""
    p.add_argument("story", nargs="?", help="a story folder or a script file (default: this folder)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="a table (default) or JSON")
    p.add_argument("--cpm", type=_positive, default=DEFAULT_CHARS_PER_MINUTE, metavar="N",
                   help=f"reading speed in characters per minute (default {DEFAULT_CHARS_PER_MINUTE})")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--save-dir", type=Path, metavar="DIR",
                       help="also report how much the reader whose saves are in DIR has read")
    where.add_argument("--my-saves", action="store_true",
                       help="the same, for the save folder `chatlog-vn play` uses for this story")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    """Print the statistics of the story at args.story."""
    story = load_story_arg("stats", args.story)
    if story is None:
        return EXIT_USAGE
    stats = compute_stats(story, args.cpm)
    folder = _save_folder(story, args)
    if folder is False:
        return EXIT_USAGE
    progress = None
    if folder is not None:
        from engine.marksfile import MarksFile

        progress = reading_progress(story, MarksFile(folder, read_only=True).load())
    if args.format == "json":
        data = stats_to_dict(stats)
        if progress is not None:
            data["progress"] = {"save_dir": str(folder), **progress_to_dict(progress)}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = format_stats(stats)
        if progress is not None:
            text += format_progress(stats, progress, str(folder))
    write_utf8(sys.stdout, text)
    return EXIT_OK


def _save_folder(story, args: argparse.Namespace) -> Path | None | bool:  # type: ignore[no-untyped-def]
    """The save folder asked for; None if none; False (after a message) if it is not there."""
    if args.my_saves:
        from engine.manifest import story_id
        from engine.saves import save_dir

        return save_dir(story_id(story))
    if args.save_dir is None:
        return None
    if not args.save_dir.is_dir():
        print(f"chatlog-vn stats: no save folder at {args.save_dir}", file=sys.stderr)
        return False
    return args.save_dir

