"""`chatlog-vn voice [STORY] --dry-run | -o DIR`: what self-voicing says, or all of it as audio.

`--dry-run` prints each message that says something, one a line, as
`FILE:LINE<TAB>text` (pauses shown as ` / `, recorded lines marked with
the file that replaces them); it needs no speech engine. `-o DIR` renders
every message to `DIR/SCRIPT/LINE.wav` (the names `voice.recorded`
looks for, so the folder can be shipped as the story's voice track or
replaced line by line by recordings); files already in DIR are kept
unless `--force`. Exit 0; 1 if some lines could not be rendered; 2 for
usage errors, no story, or (for `-o`) no voice extra, with the install
command.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from engine.commands.common import load_story_arg, write_utf8

if TYPE_CHECKING:
    from engine.model import Message, Story
    from engine.voice.text import SpeechOptions

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `chatlog-vn voice`."""
    p.add_argument("story", nargs="?", help="a story folder or a script file (default: this folder)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--dry-run", action="store_true",
                      help="print what would be spoken, FILE:LINE<TAB>text per message")
    what.add_argument("-o", "--output", metavar="DIR", type=Path,
                      help="write every message as DIR/SCRIPT/LINE.wav")
    p.add_argument("--names", action="store_true", help="say the speaker's name first")
    p.add_argument("--directions", action="store_true", help="speak stage directions too")
    p.add_argument("--force", action="store_true", help="with -o: replace files already in DIR")


def run(args: argparse.Namespace) -> int:
    """Print or render what the story at args.story says aloud."""
    from engine.voice.text import SpeechOptions

    story = load_story_arg("voice", args.story)
    if story is None:
        return EXIT_USAGE
    options = SpeechOptions(directions=args.directions, names=args.names)
    if args.dry_run:
        write_utf8(sys.stdout, dry_run(story, options))
        return EXIT_OK
    return render_all(story, options, args.output, args.force)


def messages(story: Story) -> list[Message]:
    """Every message of the story in reading order."""
    return [m for script in story.scripts for m in script.messages]


def shown(file: str) -> str:
    """A path relative to the current folder when inside it (as `check` shows them)."""
    try:
        rel = os.path.relpath(file)
    except ValueError:
        return file
    return file if rel.startswith(os.pardir) or os.path.isabs(rel) else rel


def dry_run(story: Story, options: SpeechOptions) -> str:
    """The dry run's text: one line per message that says something."""
    from engine.voice.recorded import recorded_file
    from engine.voice.text import spoken

    out: list[str] = []
    for message in messages(story):
        recorded = recorded_file(story, message)
        place = f"{shown(message.pos.file)}:{message.pos.line}"
        if recorded is not None:
            out.append(f"{place}\t[recorded {shown(str(recorded))}]")
            continue
        said = spoken(message, story, options)
        if said:
            out.append(f"{place}\t{said.text}")
    return "".join(line.replace("\n", " ") + "\n" for line in out)


def render_all(story: Story, options: SpeechOptions, folder: Path, force: bool) -> int:
    """Write each message that says something to `folder`; a summary on stdout."""
    from engine.voice.extra import VoiceUnavailable

    try:
        from engine.voice.backend import Synth

        synth = Synth()
    except VoiceUnavailable as exc:
        print(f"chatlog-vn voice: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if folder.exists() and not folder.is_dir():
        print(f"chatlog-vn voice: {folder} is a file, not a folder", file=sys.stderr)
        return EXIT_USAGE
    written, kept, failed, seconds = _render(story, options, folder, force, synth)
    note = f"; {kept} already there kept (--force replaces them)" if kept else ""
    write_utf8(sys.stdout, f"wrote {written} files ({seconds:.1f} s of speech) to {folder}{note}\n")
    return EXIT_FAILED if failed else EXIT_OK


def _render(story: Story, options: SpeechOptions, folder: Path, force: bool, synth: object
            ) -> tuple[int, int, int, float]:
    from engine.voice.backend import ENGINE_ID
    from engine.voice.cache import ClipCache, clip_key, default_cache_dir
    from engine.voice.clip import write_wav
    from engine.voice.recorded import line_stem
    from engine.voice.text import spoken

    cache = ClipCache(default_cache_dir())
    written = kept = failed = 0
    seconds = 0.0
    for message in messages(story):
        said = spoken(message, story, options)
        stem = line_stem(story, message)
        if not said or stem is None:
            continue
        target = folder.joinpath(*stem.parts).with_suffix(".wav")
        if target.exists() and not force:
            kept += 1
            continue
        key = clip_key(said, ENGINE_ID)
        try:
            clip = cache.get(key) or synth.render(said)  # type: ignore[attr-defined]
            cache.put(key, clip)
            write_wav(target, clip)
        except (OSError, RuntimeError) as exc:
            failed += 1
            print(f"chatlog-vn voice: {shown(message.pos.file)}:{message.pos.line}: {exc}",
                  file=sys.stderr)
            continue
        written += 1
        seconds += clip.seconds
    return written, kept, failed, seconds
