"""Splitting text into graphemes: what the reader sees as one character.

A base character keeps the marks that follow it (combining marks, the
dakuten marks U+3099/309A and their half-width forms, variation selectors, emoji skin tones, keycaps,
tag characters), a zero-width joiner pulls the next character in (emoji ZWJ
sequences), and two regional indicators make one flag. This covers the text
a chat log holds without the full UAX #29 tables, and it is one regex pass.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u302a-\u302f\u3099\u309a"
    "\u200c\ufe00-\ufe0f\ufe20-\ufe2f\uff9e\uff9f"
    "\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\U000e0100-\U000e01ef"
)
_GRAPHEME = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"  # a flag: a pair of regional indicators
    f"|(?:\r\n|.)(?:[{_MARKS}]|\u200d.)*",
    re.DOTALL,
)


@lru_cache(maxsize=4096)
def split_graphemes(text: str) -> tuple[str, ...]:
    """The graphemes of `text`, in order; joined, they give `text` back."""
    return tuple(_GRAPHEME.findall(text))
