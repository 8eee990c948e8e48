"""`chatlog-vn check [PATH ...]`: report every problem in scripts and story.yaml.

Three sources: the parser's per-line diagnostics (LOG codes), the manifest's
(YML codes: story.yaml, speakers it does not list, missing assets) and the
story-wide checks of `engine.checks` (CHK codes: typos across files, ruby read
two ways, characters no font can draw, over-long messages). Output is gcc-style (`FILE:LINE:COL: severity: message [CODE]`) so editors'
problem matchers pick it up, or a JSON list with `--format json`. Exit 0 when
there are no errors (warnings allowed), 1 with errors, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from engine.checks import DEFAULT_MAX_PAGES, FontLike, deep_checks
from engine.manifest import StoryError, find_story, load_story
from engine.model import Diagnostic, Story

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A PATH that is not there or holds nothing to check."""


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `chatlog-vn check`."""
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="script files, story.yaml files or story folders "
                        "(default: the story in the current folder)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="gcc-style lines (default) or a JSON list")
    p.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES, metavar="N",
                   help="warn about messages needing more than N pages of the text box "
                        f"(default {DEFAULT_MAX_PAGES})")


def run(args: argparse.Namespace) -> int:
    """Check the given paths; print the diagnostics and a summary line."""
    try:
        targets = _targets(args.paths)
        with _few_collections():
            diagnostics, files = collect(targets, max(1, args.max_pages))
    except UsageError as exc:
        print(f"chatlog-vn check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    shown = sort_diagnostics(relative(d) for d in diagnostics)
    if args.format == "json":
        print(json.dumps([as_json(d) for d in shown], ensure_ascii=False, indent=2))
    else:
        for line in text_lines(shown):
            print(line)
    print(summary(shown, files), file=sys.stderr)
    return EXIT_ERRORS if any(d.severity == "error" for d in shown) else EXIT_OK


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """Let the cycle collector run rarely while every message is built and checked.

    Check makes millions of objects that form no cycles (messages, runs,
    diagnostics) and keeps them to the end; at the default thresholds the
    collector walks them again and again (15% of check's time at 1,000,000
    messages). The thresholds come back when it is done.
    """
    import gc

    old = gc.get_threshold()
    gc.set_threshold(50_000, 20, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _targets(paths: Sequence[str]) -> list[Path]:
    if not paths:
        found = find_story(Path.cwd())
        if found is None:
            raise UsageError("no story in the current folder (no story.yaml or .log files); "
                             "give a PATH")
        return [found]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or folder")
    return [Path(p) for p in paths]


def collect(targets: Iterable[Path], max_pages: int = DEFAULT_MAX_PAGES
            ) -> tuple[list[Diagnostic], int]:
    """All diagnostics of the stories at `targets` (deduplicated) and how many files were read."""
    seen: dict[Diagnostic, None] = {}
    files: set[str] = set()
    for target in targets:
        try:
            story = load_story(target, check_assets=True)
        except StoryError as exc:
            raise UsageError(str(exc)) from exc
        files.update(s.file for s in story.scripts)
        if story.manifest is not None:
            files.add(str(story.manifest))
        for d in story.all_diagnostics() + deep_checks(story, _fonts(story), max_pages=max_pages):
            seen.setdefault(d, None)
    return list(seen), len(files)


def _fonts(story: Story) -> FontLike | None:
    """The story's fonts, to find characters they cannot draw; None where pygame is missing."""
    try:
        from engine.render import FontSet  # pygame: imported only when checking
    except ImportError:
        return None
    # story.yaml's fonts were judged when it was read (YML021): a file FreeType
    # refuses anyway is logged by the render layer as one plain line.
    return FontSet(story.font, story.fallback_fonts)


def relative(d: Diagnostic) -> Diagnostic:
    """The diagnostic with its file shown relative to the current folder when inside it."""
    rel = _relative_file(d.pos.file, os.getcwd())
    return d if rel is None else replace(d, pos=replace(d.pos, file=rel))


@functools.lru_cache(maxsize=256)
def _relative_file(file: str, cwd: str) -> str | None:
    """`file` relative to `cwd` when inside it, else None (asked once per file, not per
    diagnostic: a hostile line can carry a hundred thousand)."""
    try:
        rel = os.path.relpath(file, cwd)
    except ValueError:  # another drive on Windows
        return None
    return None if rel.startswith(os.pardir) or os.path.isabs(rel) else rel


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """By file, line, column; errors before warnings at the same place."""
    return sorted(diagnostics, key=lambda d: (d.pos.file, d.pos.line, d.pos.col,
                                              d.severity != "error", d.code, d.message))


SAME_PER_LINE = 3  # diagnostics of one code on one line printed before the rest are counted


def text_lines(diagnostics: Sequence[Diagnostic]) -> Iterator[str]:
    """The gcc-style lines, sorted; past `SAME_PER_LINE` of one code on one line, a count.

    A line of 5,000 stray tags is one problem written 5,000 times: the first
    few say what and where, a `note:` line how many more (every one is still
    counted in the summary and listed by `--format json`).
    """
    groups: dict[tuple[str, int, str], int] = {}
    for d in diagnostics:
        groups[(d.pos.file, d.pos.line, d.code)] = groups.get((d.pos.file, d.pos.line, d.code), 0) + 1
    printed: dict[tuple[str, int, str], int] = {}
    for d in diagnostics:
        key = (d.pos.file, d.pos.line, d.code)
        n = printed[key] = printed.get(key, 0) + 1
        if n <= SAME_PER_LINE:
            yield d.format()
        elif n == SAME_PER_LINE + 1:  # the first one not shown: where the rest begin
            more = groups[key] - SAME_PER_LINE
            yield (f"{d.pos}: note: {more:,} more like this on this line from here, "
                   f"not shown [{d.code}]")


def as_json(d: Diagnostic) -> dict[str, object]:
    """One diagnostic as the `--format json` object."""
    return {"file": d.pos.file, "line": d.pos.line, "col": d.pos.col,
            "severity": d.severity, "code": d.code, "message": d.message}


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """The closing line: counts of errors and warnings."""
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    checked = f"{files} file" + ("" if files == 1 else "s")
    if not diagnostics:
        return f"check: no problems in {checked}"
    return (f"check: {errors} error" + ("" if errors == 1 else "s")
            + f", {warnings} warning" + ("" if warnings == 1 else "s") + f" in {checked}")
