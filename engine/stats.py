"""Story statistics: messages, characters and reading time; the ruby glossary.

Pure: a `Story` in, plain data out. `chatlog-vn stats` prints it as a table
or as JSON.

What counts as a character: every character the reader sees in a message
(stage directions and ruby bases included), without the readings, without
white space (full-width spaces and forced breaks are layout, not reading).
The reading time is characters / characters-per-minute; 500/min is a
common estimate for reading Japanese prose silently.

Reading progress (`stats --save-dir`) counts the messages a reader's read
marks cover, by the content keys skip uses.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engine.layout.graphemes import split_graphemes
from engine.model import Message, Pos, Ruby, Story

DEFAULT_CHARS_PER_MINUTE = 500
NARRATION = "(narration)"


@dataclass(frozen=True, slots=True)
class Count:
    """Messages and characters of some part of a story, with its reading time."""

    messages: int
    chars: int
    seconds: float


@dataclass(frozen=True, slots=True)
class SceneStats:
    """One scene in play order."""

    index: int  # play order, 0-based
    title: str
    pos: Pos  # the LOG START line
    count: Count


@dataclass(frozen=True, slots=True)
class SpeakerStats:
    """One speaker label (None: narration), with the name the story shows for it."""

    label: str | None
    name: str
    count: Count


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a ruby base: how often and where first."""

    reading: str
    count: int
    first: Pos


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """A ruby base with every reading it is given (most used first)."""

    base: str
    readings: tuple[Reading, ...]

    @property
    def count(self) -> int:
        return sum(r.count for r in self.readings)


@dataclass(frozen=True, slots=True)
class StoryStats:
    """Everything `chatlog-vn stats` reports."""

    title: str
    chars_per_minute: int
    scenes: tuple[SceneStats, ...]
    speakers: tuple[SpeakerStats, ...]
    total: Count
    glossary: tuple[GlossaryEntry, ...]


def message_chars(message: Message) -> int:
    """Characters the reader reads in a message: no readings, no white space."""
    return sum(1 for ch in message.text if not ch.isspace())


def count_messages(messages: Iterable[Message], chars_per_minute: int) -> Count:
    """Messages, characters and reading time in seconds of some messages."""
    n = chars = 0
    for m in messages:
        n += 1
        chars += message_chars(m)
    return Count(n, chars, chars * 60.0 / chars_per_minute)


def compute_stats(story: Story, chars_per_minute: int = DEFAULT_CHARS_PER_MINUTE) -> StoryStats:
    """All statistics of a story, in play order."""
    if chars_per_minute <= 0:
        raise ValueError("characters per minute must be positive")
    scenes = tuple(
        SceneStats(ref.index, ref.scene.title, _story_pos(story, ref.scene.pos),
                   count_messages(ref.scene.messages, chars_per_minute))
        for ref in story.scenes
    )
    messages = [m for ref in story.scenes for m in ref.scene.messages]
    return StoryStats(
        title=story.title,
        chars_per_minute=chars_per_minute,
        scenes=scenes,
        speakers=speaker_stats(story, messages, chars_per_minute),
        total=count_messages(messages, chars_per_minute),
        glossary=ruby_glossary(messages, story),
    )


def _story_pos(story: Story, pos: Pos) -> Pos:
    """The position with its file relative to the story root (stable output)."""
    try:
        return Pos(Path(pos.file).relative_to(story.root).as_posix(), pos.line, pos.col)
    except ValueError:
        return pos


def speaker_stats(
    story: Story, messages: list[Message], chars_per_minute: int
) -> tuple[SpeakerStats, ...]:
    """Per speaker label, in order of first appearance; narration last."""
    by_label: dict[str | None, list[Message]] = defaultdict(list)
    for m in messages:
        by_label[m.speaker].append(m)
    labels = [lab for lab in by_label if lab is not None]
    if None in by_label:
        labels.append(None)
    out = []
    for label in labels:
        char = story.character(label)
        name = NARRATION if label is None else (char.name if char else label)
        out.append(SpeakerStats(label, name, count_messages(by_label[label], chars_per_minute)))
    return tuple(out)


def ruby_glossary(messages: Iterable[Message], story: Story | None = None
                  ) -> tuple[GlossaryEntry, ...]:
    """Every ruby base with its readings, sorted by (main) reading in kana order.

    A unit of jukugo ruby counts as one base (`明日` read あ+した), since
    the same characters may be read differently in another compound. With
    `story`, the first places are given relative to its root.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[tuple[str, str], Pos] = {}
    for m in messages:
        for run in m.runs:
            if isinstance(run, Ruby):
                counts[run.base][run.ruby] += 1
                pos = m.pos if story is None else _story_pos(story, m.pos)
                first.setdefault((run.base, run.ruby), pos)
    entries = []
    for base, readings in counts.items():
        ordered = sorted(readings.items(), key=lambda kv: (-kv[1], kana_key(kv[0])))
        entries.append(GlossaryEntry(
            base, tuple(Reading(r, c, first[(base, r)]) for r, c in ordered)))
    entries.sort(key=lambda e: (kana_key(e.readings[0].reading), e.base))
    return tuple(entries)


def kana_key(text: str) -> str:
    """A sort key that files katakana with hiragana (ア with あ), as a glossary does."""
    return "".join(
        chr(ord(ch) - 0x60) if "\u30a1" <= ch <= "\u30f6" else ch
        for ch in unicodedata.normalize("NFKC", text)
    )


# --- output ------------------------------------------------------------------


class MarkSet(Protocol):
    """What reading progress needs of the read marks (engine.marks.ReadMarks)."""

    def is_read(self, message: Message) -> bool: ...


@dataclass(frozen=True, slots=True)
class Progress:
    """How much of the story one reader has read: messages read of all, per scene."""

    read: int
    total: int
    scenes: tuple[tuple[int, int], ...]  # (read, total) per scene, in play order

    @property
    def percent(self) -> float:
        return 100.0 * self.read / self.total if self.total else 0.0


def reading_progress(story: Story, marks: MarkSet) -> Progress:
    """Messages the reader has read, by the same content keys skip uses."""
    per_scene = []
    for ref in story.scenes:
        messages = ref.scene.messages
        per_scene.append((sum(1 for m in messages if marks.is_read(m)), len(messages)))
    return Progress(sum(r for r, _ in per_scene), sum(t for _, t in per_scene), tuple(per_scene))


def progress_to_dict(progress: Progress) -> dict[str, Any]:
    """The JSON form of reading progress (`stats --save-dir … --format json`)."""
    return {
        "read": progress.read, "messages": progress.total,
        "percent": round(progress.percent, 1),
        "scenes": [{"index": i, "read": r, "messages": t}
                   for i, (r, t) in enumerate(progress.scenes)],
    }


def format_progress(stats: StoryStats, progress: Progress, where: str) -> str:
    """The reading-progress part of the text report: a line, then a row per scene."""
    lines = ["", f"Read (marks in {where}): {progress.read} of {progress.total} messages "
                 f"({progress.percent:.1f}%)"]
    rows = [[str(s.index + 1), s.title, str(r), str(t), f"{100.0 * r / t if t else 0:.0f}%"]
            for s, (r, t) in zip(stats.scenes, progress.scenes, strict=True)]
    lines += _table(["#", "scene", "read", "messages", "share"], rows, {0, 2, 3, 4})
    return "\n".join(lines) + "\n"


def _count_dict(c: Count) -> dict[str, Any]:
    return {"messages": c.messages, "chars": c.chars, "seconds": round(c.seconds, 1)}


def stats_to_dict(stats: StoryStats) -> dict[str, Any]:
    """The JSON form `stats --format json` prints."""
    return {
        "title": stats.title,
        "chars_per_minute": stats.chars_per_minute,
        "scenes": [
            {"index": s.index, "title": s.title, "file": s.pos.file, "line": s.pos.line,
             **_count_dict(s.count)}
            for s in stats.scenes
        ],
        "speakers": [
            {"label": s.label, "name": s.name, **_count_dict(s.count)} for s in stats.speakers
        ],
        "total": _count_dict(stats.total),
        "glossary": [
            {"base": e.base, "count": e.count,
             "readings": [{"reading": r.reading, "count": r.count,
                           "first": str(r.first)} for r in e.readings]}
            for e in stats.glossary
        ],
    }


def format_duration(seconds: float) -> str:
    """`m:ss`, or `h:mm:ss` from an hour up (rounded to the second)."""
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def display_width(text: str) -> int:
    """Terminal columns a string takes, counted per grapheme (what the reader sees
    as one character): two for a wide or full-width one (East Asian width W/F) or
    an emoji-presentation symbol (U+FE0F), one for the rest. Combining marks,
    variation selectors and joined emoji add nothing to the character they belong to.
    """
    return sum(_grapheme_width(g) for g in split_graphemes(text))


def _grapheme_width(g: str) -> int:
    if unicodedata.east_asian_width(g[0]) in "WF" or "\ufe0f" in g:
        base = 2
    else:
        base = 0 if unicodedata.category(g[0]) in ("Mn", "Me", "Cf") else 1
    # Half-width (semi-)voiced sound marks join their kana but take a column of their own.
    return base + sum(ch in "\uff9e\uff9f" for ch in g[1:])


def _row(cells: list[str], widths: list[int], right: set[int]) -> str:
    out = []
    for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
        pad = " " * (w - display_width(cell))
        out.append(pad + cell if i in right else cell + pad)
    return "  ".join(out).rstrip()


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  " + _row(r, widths, right) for r in [header, *rows]]


def _count_cells(c: Count) -> list[str]:
    return [str(c.messages), str(c.chars), format_duration(c.seconds)]


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def format_stats(stats: StoryStats) -> str:
    """The human-readable report: scenes, speakers, totals and the ruby glossary."""
    t = stats.total
    lines = [
        f"{stats.title}: {_counted(len(stats.scenes), 'scene')}, {_counted(t.messages, 'message')}, "
        f"{_counted(t.chars, 'character')}, about {format_duration(t.seconds)} to read "
        f"at {stats.chars_per_minute} characters/min",
        "",
        "Scenes",
    ]
    scene_rows = [[str(s.index + 1), s.title, f"{s.pos.file}:{s.pos.line}", *_count_cells(s.count)]
                  for s in stats.scenes]
    scene_rows.append(["", "total", "", *_count_cells(t)])
    lines += _table(["#", "scene", "where", "messages", "chars", "time"], scene_rows, {0, 3, 4, 5})
    lines += ["", "Speakers"]
    speaker_rows = [[_speaker_label(s), *_count_cells(s.count)] for s in stats.speakers]
    lines += _table(["speaker", "messages", "chars", "time"], speaker_rows, {1, 2, 3})
    lines += ["", "Ruby glossary"]
    if not stats.glossary:
        lines.append("  (no ruby)")
    else:
        rows = [[e.base, ", ".join(f"{r.reading} ×{r.count}" for r in e.readings)]
                for e in stats.glossary]
        lines += _table(["base", "readings"], rows, set())
    return "\n".join(lines) + "\n"


def _speaker_label(s: SpeakerStats) -> str:
    if s.label is None or s.name == s.label:
        return s.name
    return f"{s.label} ({s.name})"
