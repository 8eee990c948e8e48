"""Line breaking: where a paragraph may break, and a greedy fill with kinsoku.

Break opportunities are decided between atoms (see atoms.py): never before a
line-start-prohibited character (by strictness), after an opening bracket,
between two cl-08 characters (……, ――), inside a Latin/number token (regex
below) except after a hyphen between two letters (Large-|scale; never
before a digit: RTX-3080), before an ASCII space or U+3000 (spaces end
lines, never start them), beside a no-break space, or between the glued
pieces of a ruby unit cut at the edge.

The fill is greedy: take atoms while they fit; at the first one that does
not, hang it if it is 。、., (and breaking after it is legal), else go back to
the nearest legal opportunity (a phrase boundary first when phrase wrapping
is on), else cut at the box edge (a token wider than the line). Each atom is
looked at a small constant number of times, so the fill is linear.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from engine.layout import classes
from engine.layout.atoms import Atom, Paragraph
from engine.layout.classes import Strictness
from engine.model import record, set_field

EPSILON = 1e-6

_WORD = "0-9A-Za-z\u00c0-\u024f\u0300-\u036f０-９Ａ-Ｚａ-ｚ"
_JOIN = ".,\\-/:'’&_+@．，：／－"
_PREFIX = "¥$€£￥＄＃#№"
_SUFFIX = "%％‰°℃℉′″"
# A Latin word or number with inner separators, and a currency or sign stuck
# to its front or a unit sign to its back: RTX-3080, f/11.4, 1,000, 95.8GB,
# ¥100, 50%, 80mm (letters after digits are part of the token).
TOKEN = re.compile(f"[{_PREFIX}]*[{_WORD}]+(?:[{_JOIN}]+[{_WORD}]+)*[{_SUFFIX}]*")


@record
class Span:
    """One line's atoms: start..end-1 of the paragraph."""

    start: int
    end: int
    hanging: bool = False  # the last atom hangs past the box edge
    forced: bool = False  # no legal break existed; cut at the box edge

    def __init__(self, start: int, end: int, hanging: bool = False, forced: bool = False) -> None:
        set_field(self, "start", start)
        set_field(self, "end", end)
        set_field(self, "hanging", hanging)
        set_field(self, "forced", forced)


def token_interiors(text: str) -> bytearray:
    """For each offset of `text` (and its end), 1 if it lies strictly inside a token."""
    inside = bytearray(len(text) + 1)
    for m in TOKEN.finditer(text):
        a, b = m.start() + 1, m.end()
        if b > a:
            inside[a:b] = b"\x01" * (b - a)
    return inside


def break_opportunities(para: Paragraph, strictness: Strictness) -> list[bool]:
    """ok[i] is True when a line may break before atom i (ok[0] is always False)."""
    atoms = para.atoms
    inside = token_interiors(para.text)
    start_prohibited = classes.LINE_START_PROHIBITED[strictness]
    opening, insep, nbsp = classes.OPENING_BRACKETS, classes.INSEPARABLE, classes.NO_BREAK_SPACES
    text = para.text
    ok = [False] * len(atoms)
    for i in range(1, len(atoms)):
        a, b = atoms[i - 1], atoms[i]
        ok[i] = not (
            b.space
            or b.glue
            or b.first in start_prohibited
            or a.last in opening
            or (a.last in insep and b.first in insep)
            or a.last in nbsp
            or b.first in nbsp
            or (inside[b.offset] and not _hyphen_break(text, a, b))
        )
    return ok


def _hyphen_break(text: str, a: Atom, b: Atom) -> bool:
    """A break after a hyphen between two letters inside a token (Large-|scale)."""
    return (a.last in classes.BREAKABLE_HYPHENS and a.offset > 0
            and text[a.offset - 1].isalpha() and b.first.isalpha())


@lru_cache(maxsize=1)
def _budoux_parser() -> Any:
    import budoux  # imported on first use: only projects with phrase wrapping pay for it

    return budoux.load_default_japanese_parser()


@lru_cache(maxsize=2048)
def phrase_starts(text: str) -> frozenset[int]:
    """Offsets in `text` where a BudouX phrase begins (0 excluded)."""
    starts = set()
    pos = 0
    for phrase in _budoux_parser().parse(text)[:-1]:
        pos += len(phrase)
        starts.add(pos)
    return frozenset(starts)


def phrase_opportunities(para: Paragraph) -> list[bool]:
    """pref[i] is True when atom i starts a phrase: the preferred places to break."""
    starts = phrase_starts(para.text) if para.text else frozenset()
    return [a.offset in starts for a in para.atoms]


class _Filler:
    """Greedy line fill over one paragraph's atoms (see the module docstring)."""

    def __init__(self, atoms: list[Atom], ok: list[bool], preferred: list[bool] | None,
                 width: float, hanging: bool, justify: bool = False) -> None:
        self.atoms, self.ok, self.preferred = atoms, ok, preferred
        self.width, self.hanging = width, hanging
        prefix = [0.0]
        for a in atoms:
            prefix.append(prefix[-1] + a.adv)
        self.prefix = prefix
        # Justified lines may take in one more character by shrinking the
        # blanks spacing.py marks as shrinkable (追い込み): their prefix sums.
        self.shrink: list[float] | None = None
        if justify:
            shrink = [0.0]
            for a in atoms:
                shrink.append(shrink[-1] + a.shrink_lead + a.shrink_trail)
            self.shrink = shrink

    def line_shrink(self, s: int, k: int) -> float:
        """How much atoms s..k on one line may shrink (nothing at its two edges)."""
        if self.shrink is None:
            return 0.0
        a = self.atoms
        return self.shrink[k + 1] - self.shrink[s] - a[s].shrink_lead - a[k].shrink_trail

    def line_width(self, s: int, k: int) -> float:
        """Width of atoms s..k on one line (a ruby at either end is edge-aligned)."""
        a = self.atoms
        if s == k:
            return a[s].adv_both
        return (self.prefix[k + 1] - self.prefix[s]
                + a[s].adv_start - a[s].adv + a[k].adv_end - a[k].adv)

    def first_overflow(self, s: int) -> int:
        """The first non-space atom from s that does not fit (trailing spaces are free)."""
        limit = self.width + EPSILON
        atoms, line_width = self.atoms, self.line_width
        if self.shrink is None:
            for k in range(s, len(atoms)):
                if not atoms[k].space and line_width(s, k) > limit:
                    return k
            return len(atoms)
        for k in range(s, len(atoms)):
            if not atoms[k].space and line_width(s, k) - self.line_shrink(s, k) > limit:
                return k
        return len(self.atoms)

    def may_hang(self, s: int, k: int) -> bool:
        """True if atom k (which does not fit) may hang past the edge instead of wrapping."""
        a = self.atoms[k]
        if not (self.hanging and len(a.chars) == 1 and classes.can_hang(a.first)):
            return False
        if self.ok[k] or not (k + 1 == len(self.atoms) or self.ok[k + 1]):
            return False
        pen = self.line_width(s, k) - a.adv_end  # where the hanging mark would start
        if self.shrink is not None:
            pen -= self.shrink[k] - self.shrink[s] - self.atoms[s].shrink_lead
        return pen <= self.width + EPSILON

    def break_before(self, s: int, k: int) -> Span:
        """The line that starts at s when atom k is the first that does not fit."""
        if k == s:
            # One atom wider than the whole line: alone on its line, and the
            # break after it is forced unless it happens to be legal anyway.
            return Span(s, s + 1, forced=s + 1 < len(self.atoms) and not self.ok[s + 1])
        if self.may_hang(s, k):
            return Span(s, k + 1, hanging=True)
        if self.preferred is not None:
            for j in range(k, s, -1):
                if self.ok[j] and self.preferred[j]:
                    return Span(s, j)
        for j in range(k, s, -1):
            if self.ok[j]:
                return Span(s, j)
        return Span(s, k, forced=True)

    def spans(self) -> list[Span]:
        out = []
        s, n = 0, len(self.atoms)
        while s < n:
            k = self.first_overflow(s)
            span = Span(s, n) if k == n else self.break_before(s, k)
            out.append(span)
            s = span.end
        return out


def fill_lines(para: Paragraph, width: float, strictness: Strictness, hanging: bool,
               phrases: bool, justify: bool = False) -> list[Span]:
    """Break one paragraph into lines no wider than `width` (but a hanging mark).

    With `justify`, a line may hold what fits once its shrinkable blanks are
    taken away (the placement then shrinks them: justify.py).
    """
    ok = break_opportunities(para, strictness)
    preferred = phrase_opportunities(para) if phrases else None
    return _Filler(para.atoms, ok, preferred, width, hanging, justify).spans()
