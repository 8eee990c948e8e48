"""`chatlog-vn play [STORY]`: play a story in a window.

STORY is a script file, a story folder, or nothing (the story in the current
folder). Headless runs: `--autoplay --quit-at-end [--fast] [--benchmark]`.
Writers: `--watch` reloads the story on every save and keeps the place
(engine.app.overlay.LiveReload); `--at FILE:LINE` starts at a script's line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# pygame prints a banner on import; stdout carries our figures and JSON.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

_IMPORTED_AT = time.perf_counter()

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

HOW_TO_NAME = (
    "chatlog-vn play: no story here. Name one: `chatlog-vn play STORY_FOLDER` or "
    "`chatlog-vn play FILE.log` (a story folder holds .log files, optionally a story.yaml)."
)


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `play`."""
    p.add_argument("story", nargs="?", help="a script file or story folder (default: this folder)")
    add_player_options(p)
    p.add_argument("--at", metavar="FILE:LINE", help="start reading at a script's line")
    p.add_argument("--watch", action="store_true",
                   help="reload the story when a script or story.yaml is saved, keeping the place")


def add_player_options(p: argparse.ArgumentParser) -> None:
    """The options a reader has: `play`'s, and a built app's (engine.bundle.launch)."""
    p.add_argument("--save-dir", type=Path, help="keep saves, read marks and settings here")
    p.add_argument("--view", choices=("adv", "chat"), help="text box (adv) or messenger (chat)")
    p.add_argument("--autoplay", action="store_true", help="start reading at once in auto mode")
    p.add_argument("--quit-at-end", action="store_true", help="exit after the last message")
    p.add_argument("--fast", action="store_true", help="no waits: as fast as frames can be drawn")
    p.add_argument("--benchmark", action="store_true", help="print frame and memory figures")
    p.add_argument("--first-frame-exit", action="store_true",
                   help="exit right after the first message is drawn (start-up benchmark); "
                        "without --save-dir nothing is read from or written to the save folder")
    p.add_argument("--title-frame-exit", action="store_true",
                   help="exit right after the title screen is drawn (start-up benchmark)")
    p.add_argument("--size", type=_size, metavar="WxH", help="window size (default 1280x720)")
    p.add_argument("--lang", choices=("ja", "en"), help="interface language")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WxH, e.g. 1280x720, not {text!r}") from None
    if not (160 <= w <= 8192 and 90 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size {text} is out of range")
    return w, h


def run(args: argparse.Namespace) -> int:
    """Load the story, open the window and play; returns the exit code."""
    from engine.commands.common import story_target
    from engine.manifest import StoryError, load_story

    target = story_target(args.story)
    if target is None:
        print(HOW_TO_NAME, file=sys.stderr)
        return EXIT_USAGE
    if not target.exists():
        print(f"chatlog-vn play: {target}: no such file or folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        story = load_story(target)
    except StoryError:
        return _nothing_to_play(target)
    if not any(ref.scene.messages for ref in story.scenes):
        return _nothing_to_play(target)
    _report_errors(story)
    if args.first_frame_exit and args.save_dir is None:
        return _throwaway_saves(story, args, target)
    session = _session(story, args)
    if session is None:
        return EXIT_ERRORS
    return _play(session, args, target)


def _throwaway_saves(story, args: argparse.Namespace, target: Path) -> int:
    """`--first-frame-exit` without `--save-dir`: a start-up measurement, not a reading.

    The autosave, read marks and settings it would write go to a folder of
    its own that is removed afterwards, so the reader's saves are neither
    read nor touched.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="chatlog-vn-first-frame-") as folder:
        args.save_dir = Path(folder)
        session = _session(story, args)
        return EXIT_ERRORS if session is None else _play(session, args, target)


def _nothing_to_play(target: Path) -> int:
    """Say why `target` has nothing to play, file by file; the usage exit code, as for no story."""
    print(f"chatlog-vn play: {target}: nothing to play", file=sys.stderr)
    for line in _why_not_playable(target):
        print(f"  {line}", file=sys.stderr)
    print("  (a script holds LOG blocks: `--- LOG START --- DATE` … `--- LOG END ---`; "
          "`chatlog-vn new FOLDER` makes a story to start from)", file=sys.stderr)
    return EXIT_USAGE


def _why_not_playable(target: Path) -> list[str]:
    """One line per candidate script: no LOG block, no messages, or skipped by its name."""
    from engine import logformat
    from engine.manifest import SCRIPT_SUFFIXES, outside_links, unplayable_reason

    if target.is_file():
        files = [target]
    else:
        files = sorted(p for folder in (target, target / "scripts") if folder.is_dir()
                       for p in folder.iterdir()
                       if p.is_file() and p.suffix.lower() in SCRIPT_SUFFIXES)
    if not files:
        return [f"no script files ({', '.join(SCRIPT_SUFFIXES)}) in {target}"]
    lines = []
    refused = set() if target.is_file() else {
        p for folder in (target, target / "scripts") for p in outside_links(folder, target)}
    for path in files[:20]:
        shown = path.name if path.parent in (target, target / "scripts") else str(path)
        if path in refused:  # never opened, as the folder scan does not open it
            lines.append(f"{shown} is a link to a file outside the story folder; it is not read")
            continue
        try:
            script = logformat.load(path)
        except (OSError, ValueError) as exc:
            lines.append(f"{shown}: cannot be read ({exc})")
            continue
        if not any(scene.messages for scene in script.scenes):
            lines.append(f"{shown} {unplayable_reason(script)}")
        else:  # readable, but the story leaves it out (story.yaml's list, or a skipped name)
            lines.append(f"{shown} has messages but is not one of the story's scripts "
                         "(story.yaml `scripts:` does not list it, or a README/NOTES-like "
                         "name is skipped)")
    if len(files) > 20:
        lines.append(f"… and {len(files) - 20} more files")
    return lines


def _report_errors(story) -> None:
    errors = [d for d in story.all_diagnostics() if d.severity == "error"]
    for d in errors[:5]:
        print(d.format(), file=sys.stderr)
    if len(errors) > 5:
        print(f"chatlog-vn play: … and {len(errors) - 5} more errors (see `chatlog-vn check`)",
              file=sys.stderr)


def _session(story, args: argparse.Namespace):
    """Everything the screens share; None (after a message) if the story cannot be played."""
    from engine.app.app import PlayOptions, Session
    from engine.manifest import story_id
    from engine.preferences import default_prefs_dir, load_prefs
    from engine.runtime import EmptyStoryError, Runtime
    from engine.saves import SaveStore, save_dir

    try:
        runtime = Runtime(story)
    except EmptyStoryError:
        print("chatlog-vn play: the story has no messages to show", file=sys.stderr)
        return None
    sid = story_id(story)
    folder = save_dir(sid, args.save_dir)
    prefs_dir = args.save_dir if args.save_dir is not None else default_prefs_dir()
    options = PlayOptions(
        view=args.view, autoplay=args.autoplay, quit_at_end=args.quit_at_end, fast=args.fast,
        benchmark=args.benchmark, first_frame_exit=args.first_frame_exit,
        window_size=args.size,
    )
    if args.at:
        options.start = _start_at(story, args.at)
        if options.start is None:
            return None
    saves = SaveStore.open(folder)
    if saves.problem is not None:
        print(f"chatlog-vn play: saving is off: {saves.problem}", file=sys.stderr)
    same_folder = Path(prefs_dir) == Path(folder)
    prefs = load_prefs(prefs_dir, folder_problem_known=same_folder and saves.problem is not None)
    return Session(
        story=story, runtime=runtime, marks=saves.marks_file.load(), prefs=prefs,
        prefs_dir=Path(prefs_dir), saves=saves, story_id=sid, options=options,
    )


def _start_at(story, spec: str):
    """The cursor for `--at FILE:LINE` (FILE relative to here or the story, or absolute)."""
    from engine.reload import cursor_at_line, parse_at

    try:
        file, line = parse_at(spec)
    except ValueError as exc:
        print(f"chatlog-vn play: {exc}", file=sys.stderr)
        return None
    found = cursor_at_line(story, file, line)
    if found is None:
        print(f"chatlog-vn play: --at {spec}: no script of the story is {file}", file=sys.stderr)
        return None
    message = story.scenes[found.scene].scene.messages[found.message]
    if message.pos.line < line:  # nothing on or after that line: the file's last message
        print(f"chatlog-vn play: --at {spec}: {_past_last(message.pos.file, line)}; "
              f"starting at its last message (line {message.pos.line})", file=sys.stderr)
    return found


def _past_last(file: str, line: int) -> str:
    """Why `line` has no message at or after it: past the end of the file, or past its last."""
    try:
        with open(file, "rb") as f:
            count = sum(1 for _ in f)
    except OSError:
        count = None
    name = Path(file).name
    if count is not None and line > count:
        return f"{name} has {count} line" + ("" if count == 1 else "s")
    return f"{name} has no message on or after line {line}"


def _play(session, args: argparse.Namespace, target: Path) -> int:
    """Open the window and run the player (engine.app.launch, where pygame lives)."""
    from engine.app.launch import play_session

    return play_session(
        session, lang=args.lang, size=args.size, watch=target if args.watch else None,
        title_frame_exit=getattr(args, "title_frame_exit", False),
        since_start=_since_process_start,
    )


def _since_process_start() -> float:
    """Seconds since this process started (Linux /proc), else since this module loaded."""
    try:
        # Bytes: the command name in it is the executable's (a built app's may be Japanese).
        with open("/proc/self/stat", "rb") as f:
            start_ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED_AT
