"""Furigana on demand: a message's runs with ruby added over the kanji words it lacks.

Pure: runs + the message's words (`engine.learn.analysis.analyse`) + a mode
+ the kanji level table in, runs out. The added readings are ordinary
`Ruby` runs, so the JLREQ ruby layout places them like the writer's own,
with every rule of JAPANESE-LAYOUT.md. What the transform never does:

- touch the writer's ruby, or a word partly under it;
- cover okurigana: 食べる gets ruby on 食 only, 取り扱い on 取 and 扱;
- add ruby inside a stage direction （…） (a `Direction` run holds no ruby),
  over a word that is not kanji and kana only (３人, ＲＴＸ用), or over a
  word it cannot read.

Modes: `off`; `names` (proper nouns and story.yaml character names);
`all`; `grade:N` (words holding a kanji not taught by school grade N,
KANJIDIC2 grades, 1-6 elementary, 8 the rest of the jōyō kanji, 9-10
jinmeiyō); `jlpt:N` (words holding a kanji harder than JLPT N`N`; see
`engine.learn.levels` for how the old four levels are mapped).
"""

from __future__ import annotations

from typing import Literal

from engine.learn.kana import align, is_kana, is_kanji_like, to_hiragana
from engine.learn.levels import LevelTable, above_grade, above_jlpt
from engine.learn.words import MessageWords, Word
from engine.model import Ruby, Run, Text, record, run_text, set_field

Kind = Literal["off", "names", "all", "grade", "jlpt"]
MODES_HELP = "off, names, all, grade:N (N 0-10, KANJIDIC2 school grade) or jlpt:N (N 1-5)"
_LIMITS = {"grade": (0, 10), "jlpt": (1, 5)}


@record
class FuriganaMode:
    """Which words get furigana: a kind and, for grade and jlpt, its level."""

    kind: Kind = "off"
    level: int = 0

    def __init__(self, kind: Kind = "off", level: int = 0) -> None:
        set_field(self, "kind", kind)
        set_field(self, "level", level)

    def __str__(self) -> str:
        return f"{self.kind}:{self.level}" if self.kind in _LIMITS else self.kind


OFF = FuriganaMode()


def parse_mode(text: str) -> FuriganaMode:
    """`off`, `names`, `all`, `grade:N` or `jlpt:N` as a mode; ValueError saying what is wrong."""
    value = text.strip().lower()
    if value in ("off", "names", "all"):
        return FuriganaMode(value)  # type: ignore[arg-type]
    kind, sep, level = value.partition(":")
    if not sep or kind not in _LIMITS:
        raise ValueError(f"unknown furigana mode {text!r}: expected {MODES_HELP}")
    lo, hi = _LIMITS[kind]
    if not level.strip().isdigit() or not lo <= int(level) <= hi:
        raise ValueError(f"furigana mode {text!r}: {kind} takes a number from {lo} to {hi}")
    return FuriganaMode(kind, int(level))  # type: ignore[arg-type]


def wants(word: Word, mode: FuriganaMode, levels: LevelTable) -> bool:
    """Whether `mode` asks for furigana over `word` (a kanji word; the level table decides
    grade and jlpt)."""
    if mode.kind == "all":
        return True
    if mode.kind == "names":
        return word.is_name
    if mode.kind == "grade":
        return above_grade(levels, word.surface, mode.level)
    if mode.kind == "jlpt":
        return above_jlpt(levels, word.surface, mode.level)
    return False


def add_furigana(runs: tuple[Run, ...], words: MessageWords, mode: FuriganaMode,
                 levels: LevelTable) -> tuple[Run, ...]:
    """`runs` with Ruby added over the words `mode` asks for (see the module docstring)."""
    if mode.kind == "off" or not words.words:
        return runs
    chosen = [w for w in words.words if _readable(w) and wants(w, mode, levels)]
    if not chosen:
        return runs
    out: list[Run] = []
    at = 0
    for run in runs:
        length = len(run_text(run))
        inside = [w for w in chosen if w.start >= at and w.end <= at + length]
        if isinstance(run, Text) and inside:
            out.extend(_annotated(run.text, at, inside))
        else:
            out.append(run)
        at += length
    return _joined(out)


def _readable(w: Word) -> bool:
    """A kanji-and-kana word with a reading that the writer did not annotate here."""
    return (w.source != "ruby" and bool(w.reading) and w.has_kanji
            and all(is_kanji_like(c) or is_kana(c) for c in w.surface))


def _annotated(text: str, offset: int, words: list[Word]) -> list[Run]:
    """A Text run's text as Text and Ruby runs, with ruby over `words` (inside it)."""
    out: list[Run] = []
    at = 0
    for w in sorted(words, key=lambda w: w.start):
        start = w.start - offset
        if start < at:
            continue  # overlapping words cannot happen; keep the first if they ever do
        if start > at:
            out.append(Text(text[at:start]))
        out.extend(word_runs(w.surface, w.reading or ""))
        at = w.end - offset
    if at < len(text):
        out.append(Text(text[at:]))
    return out


def word_runs(surface: str, reading: str) -> list[Run]:
    """`surface` as runs with `reading` over its kanji stretches only."""
    pieces = align(surface, reading)
    if pieces is None:
        pieces = _outer_kana_kept(surface, reading)
    out: list[Run] = []
    for piece, ruby in pieces:
        out.append(Ruby(((piece, ruby),)) if ruby else Text(piece))
    return out


def _outer_kana_kept(surface: str, reading: str) -> tuple[tuple[str, str | None], ...]:
    """For a reading that does not fit the word's kana: one ruby between the kana it starts
    and ends with, when they match the reading's, else over the whole word."""
    s, r = surface, reading
    head = 0
    while (head < len(s) - 1 and head < len(r) - 1 and is_kana(s[head])
           and to_hiragana(s[head]) == to_hiragana(r[head])):
        head += 1
    tail = 0
    while (tail < len(s) - head - 1 and tail < len(r) - head - 1 and is_kana(s[-1 - tail])
           and to_hiragana(s[-1 - tail]) == to_hiragana(r[-1 - tail])):
        tail += 1
    pieces: list[tuple[str, str | None]] = []
    if head:
        pieces.append((s[:head], None))
    pieces.append((s[head:len(s) - tail], r[head:len(r) - tail]))
    if tail:
        pieces.append((s[len(s) - tail:], None))
    return tuple(pieces)


def _joined(runs: list[Run]) -> tuple[Run, ...]:
    """Neighbouring Text runs joined (the layout sees the same text either way)."""
    out: list[Run] = []
    for run in runs:
        if isinstance(run, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + run.text)
        elif not (isinstance(run, Text) and not run.text):
            out.append(run)
    return tuple(out)
