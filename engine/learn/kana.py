"""Kana and kanji: character classes, katakana to hiragana, and okurigana alignment.

Pure: no dictionary, no tokenizer. `align` splits a word into the parts a
reading sits over (its kanji stretches) and the kana the word already shows
(okurigana and kana between kanji), so furigana covers 食 in 食べる and
never the べる.
"""

from __future__ import annotations

import re
from functools import lru_cache

_KATA_TO_HIRA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ
_KATA_TO_HIRA.update({0x30FD: 0x309D, 0x30FE: 0x309E})  # ヽヾ -> ゝゞ

# Marks that stand for a kanji (repeat, shime) or are read as part of one (ヶ in 一ヶ月).
KANJI_MARKS = frozenset("々〆ヶヵ〇")


def to_hiragana(text: str) -> str:
    """`text` with katakana turned into hiragana (ー and everything else kept)."""
    return text.translate(_KATA_TO_HIRA)


def is_kanji(ch: str) -> bool:
    """A CJK ideograph (the unified blocks, extensions and compatibility forms)."""
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x3FFFF)


def is_kanji_like(ch: str) -> bool:
    """A kanji, or a mark read like one (々, ヶ): what furigana goes over."""
    return is_kanji(ch) or ch in KANJI_MARKS


def is_kana(ch: str) -> bool:
    """Hiragana or katakana (with ー and the iteration marks), not ヶ/ヵ."""
    return ("\u3041" <= ch <= "\u309f" or "\u30a0" <= ch <= "\u30ff"
            or "\uff66" <= ch <= "\uff9f") and ch not in KANJI_MARKS


def has_kanji(text: str) -> bool:
    """True if `text` holds at least one kanji (marks like 々 alone do not count)."""
    return any(is_kanji(c) for c in text)


def kanji_of(text: str) -> tuple[str, ...]:
    """The distinct kanji of `text` in order (marks like 々 left out)."""
    return tuple(dict.fromkeys(c for c in text if is_kanji(c)))


def _segments(surface: str) -> list[tuple[bool, str]]:
    """`surface` cut into (is_kanji_stretch, text) pieces; other characters join the kanji."""
    out: list[tuple[bool, str]] = []
    for ch in surface:
        kanji = not is_kana(ch)
        if out and out[-1][0] == kanji:
            out[-1] = (kanji, out[-1][1] + ch)
        else:
            out.append((kanji, ch))
    return out


@lru_cache(maxsize=8192)
def align(surface: str, reading: str) -> tuple[tuple[str, str | None], ...] | None:
    """`surface` as (text, reading or None) pieces: readings over kanji stretches only.

    The kana of the surface must appear in the reading at their places
    (compared as hiragana), e.g. 取り扱い/とりあつかい -> (取, と), (り, None),
    (扱, あつか), (い, None). The readings are cut from `reading` as given,
    so a katakana reading stays katakana. None when the reading does not fit
    the kana at all (an irregular word): then the caller sets one reading
    over the whole word.
    """
    if not surface or not reading:
        return None
    segs = _segments(surface)
    if not any(k for k, _ in segs):
        return tuple((text, None) for _, text in segs)
    pattern = "".join("(.+?)" if k else f"({re.escape(to_hiragana(t))})" for k, t in segs)
    m = re.fullmatch(pattern, to_hiragana(reading), re.DOTALL)
    if m is None:
        return None
    out = []
    for i, (k, text) in enumerate(segs):
        start, end = m.span(i + 1)
        out.append((text, reading[start:end] if k else None))
    return tuple(out)
