"""`chatlog-vn shot FILE|STORY --message N -o OUT.png`: one player frame as a PNG.

Renders, headless, exactly the frame the player shows with message N (0-based
across the story's play order) complete: background, portrait, text box,
name plate, text with ruby, quick menu and wait mark — or, for a scene the
story shows as a chat (or with `--view chat`), the chat view's frame. A
message longer than the box shows its first page (`--page P` picks another).
Default settings
are used, not the player's saved ones, so shots are reproducible.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# pygame prints a banner on import; stdout carries our figures and JSON.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from engine.commands.play import _size

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `shot`."""
    p.add_argument("story", metavar="FILE|STORY", help="a script file or story folder")
    p.add_argument("--message", "-m", type=int, required=True, help="message index (0-based)")
    p.add_argument("-o", "--output", type=Path, required=True, help="PNG file to write")
    p.add_argument("--size", type=_size, default=(1280, 720), metavar="WxH",
                   help="image size (default 1280x720)")
    p.add_argument("--view", choices=("adv", "chat"),
                   help="which view to draw (default: the view the story gives that scene)")
    p.add_argument("--page", type=int, default=0, help="page of a long message (0-based)")
    p.add_argument("--lang", choices=("ja", "en"), help="language of the interface labels")


def run(args: argparse.Namespace) -> int:
    """Render the frame and write the PNG; returns the exit code."""
    from engine.manifest import StoryError, load_story
    from engine.runtime import EmptyStoryError, StoryIndex

    try:
        story = load_story(args.story)
        index = StoryIndex(story)
    except (StoryError, EmptyStoryError, OSError) as exc:
        print(f"chatlog-vn shot: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    if not 0 <= args.message < index.total:
        print(f"chatlog-vn shot: --message {args.message} is outside 0..{index.total - 1}",
              file=sys.stderr)
        return EXIT_USAGE
    from engine.app.shot import render_shot, save_png

    view = args.view or _scene_view(story, index, args.message)
    surface = render_shot(story, args.message, args.size, view, args.page, args.lang)
    if surface is None and args.view is None:
        surface = render_shot(story, args.message, args.size, "adv", args.page, args.lang)
    if surface is None:
        print("chatlog-vn shot: chat view not available", file=sys.stderr)
        return EXIT_ERRORS
    save_png(surface, args.output)
    return EXIT_OK


def _scene_view(story, index, message: int) -> str:
    """The view the player opens for the scene holding `message` (scene, else story)."""
    ref = story.scenes[index.cursor_at(message).scene]
    return ref.config.view or story.view
