"""`chatlog-vn stats [STORY]`: messages, characters and reading time; the ruby glossary.

A table by default, JSON with `--format json`. Exit 0, or 2 when there is no
story at STORY.
"""

from __future__ import annotations

import argparse
import json
import sys

from engine.commands.common import load_story_arg, write_utf8
from engine.stats import DEFAULT_CHARS_PER_MINUTE, compute_stats, format_stats, stats_to_dict

EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `chatlog-vn stats`."""
    p.add_argument("story", nargs="?", help="a story folder or a script file (default: this folder)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="a table (default) or JSON")
    p.add_argument("--cpm", type=_positive, default=DEFAULT_CHARS_PER_MINUTE, metavar="N",
                   help=f"reading speed in characters per minute (default {DEFAULT_CHARS_PER_MINUTE})")


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
    if args.format == "json":
        text = json.dumps(stats_to_dict(stats), ensure_ascii=False, indent=2) + "\n"
    else:
        text = format_stats(stats)
    write_utf8(sys.stdout, text)
    return EXIT_OK

