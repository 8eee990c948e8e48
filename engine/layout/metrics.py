"""A memo in front of the caller's measure function.

The real font's measure may be slow (it asks FreeType), so each distinct
(grapheme, size) is measured once per measure function and remembered. The
memo is keyed by the measure object itself: a bound method compares equal to
another bound method of the same object, so `font.measure` hits the same memo
however often it is looked up. An unhashable callable is keyed by identity
(the memo holds it, so the identity cannot be reused while the entry lives).
Only a few measures are kept, least recently used first out, so a test that
makes a new fake each time does not leak. A measure must not change its
answers: a new font means a new measure.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from engine.layout.boxes import Measure

_MAX_MEASURES = 8
_memos: OrderedDict[Hashable, tuple[Measure, dict[float, dict[str, float]]]] = OrderedDict()


def _key(measure: Measure) -> Hashable:
    try:
        hash(measure)
    except TypeError:
        return ("id", id(measure))
    return measure


def widths_for(measure: Measure, size: float) -> dict[str, float]:
    """The memo of widths at `size` for `measure` (fill it through `width_of`)."""
    key = _key(measure)
    entry = _memos.get(key)
    if entry is None:
        entry = _memos[key] = (measure, {})
        if len(_memos) > _MAX_MEASURES:
            _memos.popitem(last=False)
    else:
        _memos.move_to_end(key)
    by_size = entry[1].get(size)
    if by_size is None:
        by_size = entry[1][size] = {}
    return by_size


def width_of(memo: dict[str, float], measure: Measure, grapheme: str, size: float) -> float:
    """The advance of one grapheme at `size`, measured at most once."""
    w = memo.get(grapheme)
    if w is None:
        w = memo[grapheme] = float(measure(grapheme, size))
    return w
