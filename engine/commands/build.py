"""`chatlog-vn build [STORY] -o DIR`: a folder (and a .zip) readers start without Python.

Runs `check` first (its output, as `chatlog-vn check` prints it) and refuses a
story with errors, writing nothing; warnings pass. Then engine.bundle.freeze
builds, for the system it runs on, one folder named after the story's title
holding the player, the story, the fonts, LICENSES/ and a README.txt, and
zips it (`--no-zip` to skip). Needs the `build` extra (PyInstaller).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

HOW_TO_INSTALL = ("chatlog-vn build: PyInstaller is not installed; install the build extra: "
                  "pip install 'chatlog-vn[build]' (in this repository: pip install -e '.[build]')")
NO_VOICE = ("chatlog-vn build: --with-voice: the voice extra is not installed "
            "(pyopenjtalk cannot be imported); install it with pip install 'chatlog-vn[voice]', "
            "or build without --with-voice")


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `build`."""
    p.add_argument("story", nargs="?", help="a story folder, story.yaml or script file "
                                            "(default: the story in the current folder)")
    p.add_argument("-o", "--output", type=Path, default=Path("dist"), metavar="DIR",
                   help="where the app folder and its .zip go (default: dist)")
    p.add_argument("--no-zip", action="store_true", help="build the folder only, no .zip")
    p.add_argument("--with-voice", action="store_true",
                   help="carry the voice extra (pyopenjtalk and its dictionary)")


def run(args: argparse.Namespace) -> int:
    """Check the story, then build the app; returns the exit code."""
    from engine.bundle.freeze import pyinstaller_version, voice_installed

    if pyinstaller_version() is None:
        print(HOW_TO_INSTALL, file=sys.stderr)
        return EXIT_USAGE
    if args.with_voice and not voice_installed():
        print(NO_VOICE, file=sys.stderr)
        return EXIT_USAGE
    from engine.commands.common import load_story_arg, story_target

    target = story_target(args.story)
    if target is None or not target.exists():
        where = "no story in the current folder; give a STORY" if target is None \
            else f"{target}: no such file or folder"
        print(f"chatlog-vn build: {where}", file=sys.stderr)
        return EXIT_USAGE
    code = _check(target)
    if code != EXIT_OK:
        return code
    story = load_story_arg("build", str(target))
    if story is None:
        return EXIT_USAGE
    return _build(story, target, args)


def _check(target: Path) -> int:
    """`chatlog-vn check STORY` itself; a story with errors is not built."""
    from engine.checks import DEFAULT_MAX_PAGES
    from engine.commands import check

    code = check.run(argparse.Namespace(paths=[str(target)], format="text",
                                        max_pages=DEFAULT_MAX_PAGES))
    if code == check.EXIT_ERRORS:
        print("chatlog-vn build: the story has errors (listed above); nothing was built",
              file=sys.stderr)
    return code


def _build(story, target: Path, args: argparse.Namespace) -> int:
    from engine.bundle.freeze import build_app
    from engine.bundle.plan import BuildError

    def say(text: str) -> None:
        print(f"build: {text}", file=sys.stderr)

    try:
        result = build_app(story, target, args.output, make_zip=not args.no_zip,
                           voice=args.with_voice, say=say)
    except (BuildError, OSError) as exc:
        print(f"chatlog-vn build: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    for name in result.licences.missing:
        say(f"warning: no licence text found for {name} (listed in LICENSES/README.txt)")
    print(f"{result.app_dir}  ({_mb(result.size)}, built in {result.seconds:.1f} s)")
    if result.archive is not None and result.archive_size is not None:
        print(f"{result.archive}  ({_mb(result.archive_size)})")
    if result.voice_size is not None:
        print(f"voice: the voice extra (pyopenjtalk-plus, its dictionaries and what they need) "
              f"adds about {_mb(result.voice_size)} of the {_mb(result.size)}")
    print(f"start it: {result.executable}")
    return EXIT_OK


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
