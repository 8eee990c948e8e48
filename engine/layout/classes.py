"""JLREQ character classes (appendix A) and the predicates line breaking uses.

Only the classes the layout rules need are listed: cl-01 to cl-11, each with
the full-width (and half-width katakana) forms of its ASCII members. Every
predicate takes one character; for a grapheme (an emoji with its selector, a
letter with its combining mark) pass its first code point.

Other modules (the chat bubble layout, `check`) reuse these, so they are
plain data plus small functions with no layout state.
"""

from __future__ import annotations

from typing import Literal

Strictness = Literal["strict", "normal", "loose"]

OPENING_BRACKETS = frozenset("‘“(〔[{〈《「『【⦅〘〖«〝（［｛｟｢")  # cl-01
CLOSING_BRACKETS = frozenset("’”)〕]}〉》」』】⦆〙〗»〟）］｝｠｣")  # cl-02
HYPHENS = frozenset("‐〜゠–～")  # cl-03
DIVIDING = frozenset("!?‼⁇⁈⁉！？")  # cl-04
MIDDLE_DOTS = frozenset("・:;：；･")  # cl-05
FULL_STOPS = frozenset("。.．｡")  # cl-06
COMMAS = frozenset("、,，､")  # cl-07
INSEPARABLE = frozenset("—…‥〳〴〵―")  # cl-08 (with U+2015, used as a dash)
ITERATION_MARKS = frozenset("ヽヾゝゞ々〻")  # cl-09
PROLONGED_SOUND = frozenset("ーｰ")  # cl-10
SMALL_KANA = frozenset(
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    + "".join(chr(c) for c in range(0x31F0, 0x3200))  # ㇰ–ㇿ
    + "ｧｨｩｪｫｬｭｮｯ"
)  # cl-11

CLASSES: dict[str, frozenset[str]] = {
    "cl-01": OPENING_BRACKETS,
    "cl-02": CLOSING_BRACKETS,
    "cl-03": HYPHENS,
    "cl-04": DIVIDING,
    "cl-05": MIDDLE_DOTS,
    "cl-06": FULL_STOPS,
    "cl-07": COMMAS,
    "cl-08": INSEPARABLE,
    "cl-09": ITERATION_MARKS,
    "cl-10": PROLONGED_SOUND,
    "cl-11": SMALL_KANA,
}

_CLASS_OF: dict[str, str] = {ch: name for name, chars in CLASSES.items() for ch in chars}

# Classes that may not start a line, by strictness. "normal" lets small kana
# and ー start a line; "loose" also lets hyphens and iteration marks start one
# (CSS Text's line-break: loose, which follows JLREQ's relaxed setting).
_BASE_START = CLOSING_BRACKETS | DIVIDING | MIDDLE_DOTS | FULL_STOPS | COMMAS
LINE_START_PROHIBITED: dict[str, frozenset[str]] = {
    "loose": frozenset(_BASE_START),
    "normal": frozenset(_BASE_START | HYPHENS | ITERATION_MARKS),
    "strict": frozenset(
        _BASE_START | HYPHENS | ITERATION_MARKS | PROLONGED_SOUND | SMALL_KANA
    ),
}

HANGABLE = FULL_STOPS | COMMAS  # burasage: only cl-06 and cl-07 may hang

# Full-width punctuation whose advance box is half blank: ruby may overhang
# that half. Closing brackets, stops and commas have ink on the left (blank
# right half); opening brackets have ink on the right (blank left half).
# Curly quotes and guillemets are left out: fonts often set them proportional.
BLANK_RIGHT_HALF = frozenset("、。，．」』）］｝〕〉》】〙〗〟｠")
BLANK_LEFT_HALF = frozenset("「『（［｛〔〈《【〘〖〝｟")

# ASCII spaces: a break opportunity after them, collapsed at a line's end.
SPACES = frozenset(" \t")

# U+3000: a full-width character mid-line, but like a space at a break: it
# stays at the end of the line (collapsed there), never opening the next one.
IDEOGRAPHIC_SPACE = "\u3000"

# A hyphen between two letters may be broken after (Large-|scale, UAX #14);
# never before a digit (RTX-3080 stays whole).
BREAKABLE_HYPHENS = frozenset("-\u2010")

# Characters that glue their neighbours together (no break on either side).
NO_BREAK_SPACES = frozenset("\u00a0\u202f\u2060\ufeff")


def char_class(ch: str) -> str | None:
    """The JLREQ class name ("cl-01".."cl-11") of a character, or None if unlisted."""
    return _CLASS_OF.get(ch[:1])


def is_line_start_prohibited(ch: str, strictness: Strictness = "strict") -> bool:
    """True if a line may not start with `ch` at this strictness level."""
    return ch[:1] in LINE_START_PROHIBITED[strictness]


def is_line_end_prohibited(ch: str) -> bool:
    """True if a line may not end with `ch` (cl-01, opening brackets)."""
    return ch[:1] in OPENING_BRACKETS


def is_inseparable(ch: str) -> bool:
    """True for cl-08 (…, ‥, —, ―): no break between two of them."""
    return ch[:1] in INSEPARABLE


def can_hang(ch: str) -> bool:
    """True for the punctuation that may hang past the line end (cl-06, cl-07)."""
    return ch[:1] in HANGABLE


def is_kana(ch: str) -> bool:
    """Hiragana, katakana (with ー and small kana), and half-width katakana."""
    c = ord(ch[0]) if ch else 0
    return (
        (0x3041 <= c <= 0x309F and c not in (0x309B, 0x309C))
        or (0x30A1 <= c <= 0x30FF and c != 0x30FB)
        or 0x31F0 <= c <= 0x31FF
        or 0xFF66 <= c <= 0xFF9D
    )


def is_ideograph(ch: str) -> bool:
    """CJK unified ideographs (kanji) and the ideographic iteration mark 々."""
    c = ord(ch[0]) if ch else 0
    return (
        0x4E00 <= c <= 0x9FFF
        or 0x3400 <= c <= 0x4DBF
        or 0xF900 <= c <= 0xFAFF
        or 0x20000 <= c <= 0x3FFFF
        or c in (0x3005, 0x3007, 0x303B)
    )


def is_latin(ch: str) -> bool:
    """Letters and digits of Latin script (ASCII, Latin-1/Extended, full-width forms)."""
    c = ord(ch[0]) if ch else 0
    return (
        (c < 0x80 and ch[0].isalnum())
        or (0xC0 <= c <= 0x24F and c not in (0xD7, 0xF7))
        or 0xFF10 <= c <= 0xFF19
        or 0xFF21 <= c <= 0xFF3A
        or 0xFF41 <= c <= 0xFF5A
    )


def is_space(ch: str) -> bool:
    """An ASCII space or tab: a break opportunity after it, collapsed at a line's end.

    U+3000 (ideographic space) is not a space here; it is a full-width character.
    """
    return ch[:1] in SPACES
