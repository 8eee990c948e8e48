"""Where a ruby unit's base and reading characters go (JLREQ, Simple Ruby).

Everything here is relative to the unit's start (the pen position where the
base begins) and works on widths only, so it is pure arithmetic a test can
check against the worked numbers in JAPANESE-LAYOUT.md.

- Reading no wider than its base: a one-character or Latin base (or a Latin
  reading) gets the reading centred and set solid; a longer base gets it
  spread 1:2:1 (end gaps D/2n, inner gaps D/n, D = base - reading).
- Reading wider than its base: the reading is set solid and centred over the
  base. It may overhang each neighbour by the allowance the caller gives
  (kana, the blank half of punctuation, at most one ruby character; zero at a
  line edge, next to a kanji, Latin or another ruby). What cannot overhang
  becomes space: around a one-character or Latin base, or spread 1:2:1
  between the characters of a longer base.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.model import record, set_field


@record
class Placement:
    """A placed ruby unit: its advance and each character's left edge."""

    advance: float  # how far the unit moves the pen
    base_x: tuple[float, ...]
    ruby_x: tuple[float, ...]

    def __init__(
        self,
        advance: float,
        base_x: tuple[float, ...],
        ruby_x: tuple[float, ...],
    ) -> None:
        set_field(self, "advance", advance)
        set_field(self, "base_x", base_x)
        set_field(self, "ruby_x", ruby_x)


def solid(widths: Sequence[float], start: float) -> tuple[float, ...]:
    """Left edges of characters set one after another from `start`."""
    out = []
    x = start
    for w in widths:
        out.append(x)
        x += w
    return tuple(out)


def spread(widths: Sequence[float], extra: float) -> tuple[float, ...]:
    """Left edges with `extra` space shared 1:2:1 (ends get half an inner gap)."""
    n = len(widths)
    gap = extra / n
    out = []
    x = gap / 2
    for w in widths:
        out.append(x)
        x += w + gap
    return tuple(out)


def place(
    base_w: Sequence[float],
    ruby_w: Sequence[float],
    allow_left: float,
    allow_right: float,
    may_spread: bool,
) -> Placement:
    """Place one ruby unit.

    `may_spread` is False for a Latin base or reading (never letter-spaced)
    and for a one-character base; `allow_left`/`allow_right` are how far the
    reading may overhang the neighbour on that side.
    """
    b = sum(base_w)
    r = sum(ruby_w)
    if r <= b:
        if may_spread and len(ruby_w) > 0:
            return Placement(b, solid(base_w, 0.0), spread(ruby_w, b - r))
        return Placement(b, solid(base_w, 0.0), solid(ruby_w, (b - r) / 2))
    excess = r - b
    if may_spread:
        # The base is spread 1:2:1 over whatever the reading cannot overhang;
        # overhang stays symmetric so the reading is centred on the spread base.
        over = min(allow_left, allow_right, excess / 2)
        extra = excess - 2 * over
        return Placement(b + extra, spread(base_w, extra), solid(ruby_w, -over))
    pad_left = max(0.0, excess / 2 - allow_left)
    pad_right = max(0.0, excess / 2 - allow_right)
    start = pad_left + b / 2 - r / 2
    return Placement(b + pad_left + pad_right, solid(base_w, pad_left), solid(ruby_w, start))
