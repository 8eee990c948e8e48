"""Justified lines (JLREQ 3.8, 両端揃え): how much each atom of a line moves.

A line set at its natural advances ends at `natural`; a justified line must
end exactly at the box width (a hanging 。、 hangs past it, the rest ends at
it). Two cases:

- Too long (the fill took one more character in by shrinking, 追い込み): the
  shrinkable blanks spacing.py marks (after a closing bracket or comma and
  before an opening bracket, down to a quarter em; each 和欧間 down to an
  eighth) are all shrunk by the same fraction of what each may give. Never
  below those minimums (JLREQ table 5), so ink never meets ink.
  This applies to any line the fill made too long, justified or not (a
  message's last line too), or it would pass the box.
- Too short (追い出し): first each word space grows, then each 和欧間, up
  to half an em; what is left is spread evenly over the places between characters where space may
  go: not inside a Latin word or number, not between the two halves of
  `……` or `――`, not beside a no-break space, not inside a ruby unit (which
  moves whole, so its reading stays over its bases), not before a hanging
  mark. A line with no such place stays as it is.

The result is per atom of the span: how much blank goes off its left and
right (shrinking) and how much space follows it (growing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.layout import classes

if TYPE_CHECKING:
    from engine.layout.atoms import Atom

MAX_LATIN_GAP = 0.5  # ems a 和欧間 may grow to before the rest is spread


def shrinkage(atoms: Sequence[Atom], start: int, last: int, excess: float, edge: bool = True
              ) -> tuple[list[float], list[float]]:
    """(off the left, off the right) of atoms start..last to take `excess` px away.

    `edge`: atom `last` ends the line (its right side cannot shrink); False
    when a hanging mark follows it.
    """
    n = last - start + 1
    lead = [0.0 if i == start else atoms[i].shrink_lead for i in range(start, last + 1)]
    trail = [0.0 if i == last and edge else atoms[i].shrink_trail
             for i in range(start, last + 1)]
    capacity = sum(lead) + sum(trail)
    if capacity <= 0 or excess <= 0:
        return [0.0] * n, [0.0] * n
    ratio = min(1.0, excess / capacity)
    return [v * ratio for v in lead], [v * ratio for v in trail]


def expansion(atoms: Sequence[Atom], start: int, last: int, slack: float, size: float,
              inside: bytearray, hanging: bool) -> list[float]:
    """Space to add after each of atoms start..last so the line grows by `slack` px."""
    n = last - start + 1
    gaps = [0.0] * n
    if slack <= 0:
        return gaps
    end = last - 1 if hanging else last  # no space before a hanging mark
    # Word spaces first, then 和欧間, each up to half an em (JLREQ 3.8.3).
    span = atoms[start:end]
    words = [start + k for k, a in enumerate(span) if a.space]
    latin = [start + k for k, a in enumerate(span) if a.latin_gap]
    for group, room in ((words, [MAX_LATIN_GAP * size - atoms[j].adv for j in words]),
                        (latin, [MAX_LATIN_GAP * size - atoms[j].latin_gap for j in latin])):
        slack = _grow(gaps, start, group, room, slack)
    # A word space is one place, however it is counted: not its two sides.
    points = [j for j in range(start, end)
              if atoms[j].space or (not atoms[j + 1].space
                                    and _may_space(atoms[j], atoms[j + 1], inside))]
    if points and slack > 1e-9:
        each = slack / len(points)
        for j in points:
            gaps[j - start] += each
    return gaps


def _grow(gaps: list[float], start: int, group: list[int], room: list[float],
          slack: float) -> float:
    """Share `slack` evenly over the spaces after `group`, none past its room; the rest."""
    if not group or slack <= 0:
        return slack
    each = min(slack / len(group), max(0.0, min(room)))
    for j in group:
        gaps[j - start] += each
    return slack - each * len(group)


def _may_space(a: Atom, b: Atom, inside: bytearray) -> bool:
    """Whether justification may put space between atoms a and b."""
    return not (
        b.glue
        or inside[b.offset]
        or (a.last in classes.INSEPARABLE and b.first in classes.INSEPARABLE)
        or a.last in classes.NO_BREAK_SPACES
        or b.first in classes.NO_BREAK_SPACES
    )
