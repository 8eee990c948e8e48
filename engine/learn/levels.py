"""Kanji levels: KANJIDIC2's school grade and JLPT level, and what a word's level is.

Pure: the table itself (kanji -> KanjiLevel) comes from the dictionary
(`engine.learn.dictionary.Dictionary.kanji_levels`); tests pass their own.

School grades are KANJIDIC2's: 1-6 the kyōiku kanji of each elementary-school
year, 8 the rest of the jōyō kanji (taught in secondary school), 9 and 10
the jinmeiyō kanji (names). A kanji without a grade is outside both lists.

JLPT: KANJIDIC2 carries the levels of the test before 2010, 4 (easiest) to
1. Today's test has five, N5 to N1, and publishes no official kanji lists.
The old levels map onto the new ones as the Japan Foundation described the
change: old 4 is N5, old 3 is N4, old 1 is N1, and old 2 was split between
the new N3 and N2 with no list saying which kanji went where. So an old
level-2 kanji counts as N2 here: `jlpt:3` (furigana above N3) covers every
old level-2 kanji, which gives a reader at N3 furigana on some kanji they
may know, never none on one they may not. A kanji on no list is "beyond
N1", level 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from engine.learn.kana import kanji_of
from engine.model import record, set_field

# KANJIDIC2 (pre-2010) JLPT level -> today's N level (N1 = 1 ... N5 = 5).
OLD_TO_N = {4: 5, 3: 4, 2: 2, 1: 1}
BEYOND = 0  # the N level of a kanji on no JLPT list
N_LEVELS = (5, 4, 3, 2, 1)


@record
class KanjiLevel:
    """What KANJIDIC2 says of one kanji: school grade and old JLPT level (None: not listed)."""

    grade: int | None
    jlpt_old: int | None

    def __init__(self, grade: int | None, jlpt_old: int | None) -> None:
        set_field(self, "grade", grade)
        set_field(self, "jlpt_old", jlpt_old)

    @property
    def jlpt(self) -> int:
        """Today's N level (5 easiest ... 1), 0 for a kanji beyond N1."""
        return OLD_TO_N.get(self.jlpt_old or 0, BEYOND)


UNLISTED = KanjiLevel(None, None)
LevelTable = Mapping[str, KanjiLevel]


def kanji_level(table: LevelTable, kanji: str) -> KanjiLevel:
    """The level of one kanji; a kanji KANJIDIC2 does not know is on no list."""
    return table.get(kanji, UNLISTED)


def word_jlpt(table: LevelTable, text: str) -> int | None:
    """The N level of the hardest kanji in `text` (0: beyond N1); None without kanji."""
    levels = [kanji_level(table, k).jlpt for k in kanji_of(text)]
    return min(levels) if levels else None


def word_grade(table: LevelTable, text: str) -> int | None:
    """The highest school grade among the kanji of `text`; 99 if one has no grade; None
    without kanji."""
    grades = [kanji_level(table, k).grade or 99 for k in kanji_of(text)]
    return max(grades) if grades else None


def above_grade(table: LevelTable, text: str, grade: int) -> bool:
    """True if `text` holds a kanji taught after school grade `grade` (or never)."""
    return any((kanji_level(table, k).grade or 99) > grade for k in kanji_of(text))


def above_jlpt(table: LevelTable, text: str, level: int) -> bool:
    """True if `text` holds a kanji harder than JLPT N`level` (N5 easiest)."""
    return any(kanji_level(table, k).jlpt < level for k in kanji_of(text))


def jlpt_label(level: int | None) -> str:
    """`N3`, `beyond N1` (0), or `-` for a word without kanji (None)."""
    if level is None:
        return "-"
    return "beyond N1" if level == BEYOND else f"N{level}"


def shares_above(levels: Iterable[int | None]) -> dict[int, float]:
    """For each N level, the share of the words harder than it (words without kanji count
    as easy). Empty input gives zeros."""
    values = list(levels)
    total = len(values)
    return {n: (sum(1 for v in values if v is not None and v < n) / total if total else 0.0)
            for n in N_LEVELS}
