"""The built app's command line: play the story the app carries.

`chatlog-vn build` freezes a generated two-line script that calls `main()`.
Started with no argument (a double click) it plays the story recorded in
chatlog-vn-bundle.json, with that story's title, icon and save folder; the
player's options (`--view`, `--lang`, `--size`, `--save-dir`, `--autoplay
--quit-at-end --fast`, `--benchmark`, `--first-frame-exit`) work as in
`chatlog-vn play`. The story inside the app is only read: saves, read marks,
settings and screenshots go to the user's folders (or `--save-dir`).

This is the app's top layer, as engine.cli is the package's: it imports the
`play` command directly, so PyInstaller sees the player (engine.cli finds its
commands at run time, which a frozen app would lose).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from engine.bundle.plan import BUNDLE_FILE, BUNDLE_FORMAT

EXIT_USAGE, EXIT_INTERNAL = 2, 3


def data_dir() -> Path:
    """Where the frozen app's files are (PyInstaller's `sys._MEIPASS`)."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) if base else Path(sys.executable).resolve().parent


def read_bundle(base: Path) -> dict[str, str]:
    """The app's record of its story; ValueError if it is missing or not one."""
    try:
        info = json.loads((base / BUNDLE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{BUNDLE_FILE} cannot be read ({exc})") from None
    if not isinstance(info, dict) or info.get("format") != BUNDLE_FORMAT:
        raise ValueError(f"{BUNDLE_FILE} is not a chatlog-vn bundle of format {BUNDLE_FORMAT}")
    story = info.get("story")
    if not isinstance(story, str) or Path(story).is_absolute() or ".." in Path(story).parts:
        raise ValueError(f"{BUNDLE_FILE} names no story inside the app")
    return {k: v for k, v in info.items() if isinstance(v, str)}


def build_parser(prog: str, title: str) -> argparse.ArgumentParser:
    """The reader's options: `play`'s, without the story (it is the one inside)."""
    from engine.commands.play import add_player_options

    parser = argparse.ArgumentParser(prog=prog, description=f"Play {title}.")
    add_player_options(parser)
    return parser


def main(argv: Sequence[str] | None = None, base: Path | None = None) -> int:
    """Play the carried story; returns the process exit code."""
    _ensure_streams()
    base = data_dir() if base is None else base
    prog = Path(sys.argv[0]).name or "story"
    try:
        info = read_bundle(base)
    except ValueError as exc:
        print(f"{prog}: this app is damaged: {exc}; download it again", file=sys.stderr)
        return EXIT_USAGE
    # macOS's launcher may add a process serial number argument to a double-clicked app.
    argv = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-psn_")]
    reader_texts()
    args = build_parser(prog, info.get("title", prog)).parse_args(argv)
    args.story, args.at, args.watch = str(base / info["story"]), None, False
    return _run_player(args, prog)


# A reader cannot `pip install` into a built app: where an extra was left out, the player's
# texts say so instead. Registered before the screens register their own (the first
# registration of a key is kept), and cheap: engine.app.i18n is one table.
READER_TEXTS = {
    "ja": {
        "voice_missing": "このアプリには読み上げの音声エンジンが入っていません",
        "help_self_voicing_missing": "このアプリには音声エンジンが入っていないため、"
                                     "読み上げは使えません。",
        "help_learn_missing": "このアプリには学習用の追加機能が入っていないため使えません。",
    },
    "en": {
        "voice_missing": "This app was built without the voice engine",
        "help_self_voicing_missing": "This app was built without the voice engine, so nothing "
                                     "can be read aloud.",
        "help_learn_missing": "This app was built without the learner extra, so this is not "
                              "available.",
    },
}


def reader_texts() -> None:
    """Put the reader's wording of 'not installed' in place (see READER_TEXTS)."""
    from engine.app.i18n import register

    register(READER_TEXTS)


def _run_player(args: argparse.Namespace, prog: str) -> int:
    from engine.commands import play

    # As engine.cli does for `play`: no cyclic collection until the first frame
    # (engine.app.App turns it back on once that frame is drawn).
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return int(play.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a reader gets one line, never a traceback
        print(f"{prog}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if paused:
            gc.enable()


def _ensure_streams() -> None:
    """A windowed app (Windows, macOS) has no console: messages go nowhere, not to a crash."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
