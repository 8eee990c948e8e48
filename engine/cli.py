"""The `chatlog-vn` command line: a thin dispatcher over `engine.commands`."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence

from engine import __version__

# command name -> module in engine.commands; each is imported only when used.
COMMANDS: dict[str, tuple[str, str]] = {
    "play": ("play", "play a story in a window"),
    "check": ("check", "check scripts and story.yaml for problems"),
    "dump": ("dump", "print a script's parsed model as JSON"),
    "layout": ("layout_cmd", "print how a message is laid out"),
    "shot": ("shot", "render the frame showing a message to a PNG"),
    "stats": ("stats", "messages, characters and reading time per scene and speaker"),
    "new": ("new", "create a new story folder"),
    "export": ("export", "export a story (html) for proofreading"),
    "vocab": ("vocab", "a story's words, readings, meanings and levels; Anki decks"),
    "build": ("build", "build a folder and .zip that readers start without Python"),
    "voice": ("voice", "what self-voicing says (--dry-run), or all of it as WAV files (-o)"),
}

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# Shown under every command's --help; docs/WRITER-TOOLS.md "Exit status" says the same.
EXIT_STATUS = """exit status:
  0    done (check: no errors; warnings alone still exit 0)
  1    the story or the work failed: check or dump found an error, play
       has no message to show or --at names no script, shot or build
       failed, voice could not render some lines, vocab had no cards
  2    usage: bad arguments, no story or file at PATH, nothing to play,
       no display to open a window in, an output that cannot be written,
       an optional extra (learn, voice) not installed
  3    internal error: a bug in chatlog-vn; please report it with the
       command and the file
  130  interrupted (Ctrl+C)"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors; keep that
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _load(name: str):
    module, _ = COMMANDS[name]
    return importlib.import_module(f"engine.commands.{module}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with `only`, just that command's module is imported."""
    parser = _Parser(prog="chatlog-vn", description="Visual novels from chat logs.",
                     epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"chatlog-vn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text, add_help=False)
            continue
        try:
            module = _load(name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("engine.commands"):
                continue  # a command not built yet is simply not offered
            raise
        cmd = sub.add_parser(name, help=help_text, description=help_text, epilog=EXIT_STATUS,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_parser(cmd)
        cmd.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    only = first if first in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    module = getattr(args, "_module", None)
    if module is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    # The player's start-up (imports, the parsed story, fonts) builds objects that live
    # for the whole game: the cyclic collector would walk them again and again for
    # nothing (~6 ms before the first frame). engine.app.App freezes them and turns
    # collection back on once its first frame is drawn.
    paused = args.command == "play" and gc.isenabled()
    if paused:
        gc.disable()
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # no traceback reaches the user
        where = _subject(args)
        print(f"chatlog-vn: internal error{where}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if paused:
            gc.enable()


def _subject(args: argparse.Namespace) -> str:
    for key in ("file", "path", "story", "paths"):
        value = getattr(args, key, None)
        if isinstance(value, list):
            value = " ".join(map(str, value))
        if value:
            return f" while handling {value}"
    return ""
