"""Fake metrics for layout tests: every width is known exactly.

Full-width characters advance `size`, ASCII and half-width forms advance
`size / 2`; a grapheme (emoji with selector, letter with mark) is measured by
its first code point. Ruby is measured at ruby size by the same rule, so a
kana reading advances ruby_size per character.
"""

from __future__ import annotations

import unicodedata

from engine.layout import Settings
from engine.layout.graphemes import split_graphemes
from engine.model import BREAK, Break, Direction, Ruby, Run, Text


def fake_width(ch: str, size: float) -> float:
    """The advance of one grapheme: half for ASCII and half-width forms."""
    c = ch[0]
    half = ord(c) < 0x80 or unicodedata.east_asian_width(c) == "H"
    return size / 2 if half else size


def fake_measure(text: str, size: float) -> float:
    """A Measure: the sum of `fake_width` over the graphemes of `text`."""
    return sum(fake_width(g, size) for g in split_graphemes(text))


SIZE = 32.0
RUBY = SIZE / 2
DEFAULT = Settings(size=SIZE)


def runs(*pieces: str | tuple[str, str] | tuple[tuple[str, str], ...]) -> tuple[Run, ...]:
    """Build runs from a compact spec.

    A str is Text, except "\\n" (a Break) and strings starting with "（" and
    ending with "）" (a Direction); a (base, reading) pair is mono/group ruby;
    a tuple of pairs is jukugo ruby.
    """
    out: list[Run] = []
    for p in pieces:
        if isinstance(p, str):
            if p == "\n":
                out.append(BREAK)
            elif p.startswith("（") and p.endswith("）"):
                out.append(Direction(p))
            else:
                out.append(Text(p))
        elif isinstance(p[0], str):
            out.append(Ruby((p,)))  # type: ignore[arg-type]
        else:
            out.append(Ruby(tuple(p)))  # type: ignore[arg-type]
    return tuple(out)


def joined_text(lines) -> str:  # type: ignore[no-untyped-def]
    """The lines' text joined: "\\n" after each hard_break line."""
    return "".join(line.text + ("\n" if line.hard_break else "") for line in lines)


__all__ = ["BREAK", "Break", "DEFAULT", "RUBY", "SIZE", "fake_measure", "fake_width",
           "joined_text", "runs"]
