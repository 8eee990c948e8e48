"""Spacing between characters: punctuation compression and the space before Latin.

Runs once per paragraph, after the atoms are built and before line breaking,
so the breaks see the real widths. Each atom's advances (mid-line, at a
line's start, end, and alone) are adjusted in place; `lead` records how much
of a compressed opening bracket's blank left half was taken away, which the
glyph is drawn shifted left by (mid-line only).

Punctuation compression (JLREQ 3.1.4-3.1.6, 約物の詰め). A full-width
opening bracket (cl-01) has its ink on the right half and a blank left half;
a closing bracket (cl-02), comma (cl-07) or full stop (cl-06) has its ink on
the left and a blank right half; a middle dot or colon (cl-05) has a quarter
em of blank on each side. Where two of them meet, the blank between their
inks is cut to what JLREQ sets:

- a closing mark before any of them loses its blank right half, so
  `」、` `）。` `」』` have no blank between them, `」「` `、「` `。（` have
  half an em (the opening bracket's), and `」・` a quarter (the dot's);
- an opening bracket after an opening bracket or a middle dot loses its blank
  left half: `（「` has no blank, `・「` a quarter.

At a line's start an opening bracket is set full width (its blank half
kept), whatever precedes it on the line before: JLREQ 3.1.5 allows half or
full there, and full is what browsers do (CSS `text-spacing-trim: normal`).
At a line's end a closing mark, comma or full stop ends at its ink: its
blank right half is dropped (JLREQ table 4, the line-end column), so it
never pushes a line over the box, and a hanging 。、 hangs by its ink.
Only marks the font sets a full em wide are compressed (a proportional
fallback glyph has no blank half to take away).

Space between Japanese and Latin (JLREQ 3.2.x, 和欧間). A quarter em goes
between a kana or kanji and a Latin letter or digit that touch (no space
stands between them), on the side of whichever comes first. Never inside a
Latin token (`RTX 3080` and `95.8GB` have no Japanese inside), never at a
line's start (the space belongs to the character before the break) nor at
its end (dropped with the line-end advance). Full-width letters and digits
are Japanese characters and get none.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from engine.layout import classes

if TYPE_CHECKING:
    from engine.layout.atoms import Atom

OPENING = classes.BLANK_LEFT_HALF
CLOSING = classes.BLANK_RIGHT_HALF
DOTS = frozenset("・：；")
FULL_WIDTH = 0.95  # an advance at least this many ems counts as a full-width glyph
LATIN_SPACE = 0.25  # 和欧間, in ems


def punctuation_kind(atom: Atom, size: float) -> str:
    """ "open", "close", "dot" for full-width compressible punctuation, else ""."""
    if atom.is_ruby or len(atom.chars) != 1 or atom.widths[0] < FULL_WIDTH * size:
        return ""
    ch = atom.chars[0]
    if ch in OPENING:
        return "open"
    if ch in CLOSING:
        return "close"
    if ch in DOTS:
        return "dot"
    return ""


def is_japanese(ch: str) -> bool:
    """Kana or kanji: the characters 和欧間 separates from Latin."""
    return classes.is_kana(ch) or classes.is_ideograph(ch)


def is_western(ch: str) -> bool:
    """A proportional Latin letter or digit (not a full-width form)."""
    c = ord(ch[0]) if ch else 0
    return classes.is_latin(ch) and c < 0xFF00


def latin_boundary(left: Atom, right: Atom) -> bool:
    """True if Japanese meets a Latin letter or digit between these two atoms."""
    a, b = left.last, right.first
    return (is_japanese(a) and is_western(b)) or (is_western(a) and is_japanese(b))


_KINDS = {**{c: "open" for c in OPENING}, **{c: "close" for c in CLOSING},
          **{c: "dot" for c in DOTS}}
_SCRIPTS: dict[str, int] = {}  # first code point -> 1 Japanese, 2 Latin, 0 other (memo)


def _script(ch: str) -> int:
    v = _SCRIPTS.get(ch)
    if v is None:
        v = _SCRIPTS[ch] = 1 if is_japanese(ch) else 2 if is_western(ch) else 0
    return v


_HAS_LATIN = re.compile("[0-9A-Za-z\u00c0-\u024f]")


def apply_spacing(atoms: list[Atom], size: float, latin_spacing: bool, text: str = "") -> None:
    """Compress punctuation and add 和欧間 in one paragraph's atoms (in place).

    Also records what a justified line may still take away (JLREQ 3.8, 追い込み):
    a quarter of the half-em blank after a closing bracket or comma and
    before an opening bracket, and half of a 和欧間 (down to an eighth em).
    Not a full stop's blank, nor a middle dot's, and not beside a ruby unit,
    whose reading may overhang that blank.
    """
    n = len(atoms)
    # `text`, the paragraph's text, lets a paragraph with no Latin skip the pass.
    if latin_spacing and n > 1 and (not text or _HAS_LATIN.search(text)):
        quarter = LATIN_SPACE * size
        memo = _SCRIPTS
        lasts = [memo[a.last] if a.last in memo else _script(a.last) for a in atoms]
        firsts = [memo[a.first] if a.first in memo else _script(a.first) for a in atoms]
        for i in range(n - 1):
            if lasts[i] * firsts[i + 1] == 2:  # one Japanese (1), one Latin (2)
                atom = atoms[i]
                atom.adv += quarter
                atom.adv_start += quarter
                atom.latin_gap = quarter
                atom.shrink_trail = quarter / 2
    kinds = _KINDS
    marks = [i for i, a in enumerate(atoms) if a.first in kinds]
    if not marks:
        return
    kind_of = {i: punctuation_kind(atoms[i], size) for i in marks}
    for i in marks:
        kind = kind_of[i]
        if kind:
            _compress(atoms, i, kind, kind_of.get(i - 1, ""), kind_of.get(i + 1, ""))


def _compress(atoms: list[Atom], i: int, kind: str, prev: str, nxt: str) -> None:
    atom = atoms[i]
    w = atom.widths[0]
    half = w / 2
    lead = half if kind == "open" and prev in ("open", "dot") else 0.0
    trail = half if kind == "close" and nxt else 0.0
    end_trail = half if kind == "close" else 0.0
    atom.lead = lead
    atom.adv = w - lead - trail
    atom.adv_start = w - trail
    atom.adv_end = w - lead - end_trail
    atom.adv_both = w - end_trail
    _set_shrink(atom, kind, i > 0 and not atoms[i - 1].is_ruby,
                i + 1 < len(atoms) and not atoms[i + 1].is_ruby, lead, trail)


def _set_shrink(atom: Atom, kind: str, free_left: bool, free_right: bool,
                lead: float, trail: float) -> None:
    # JLREQ's table of reductions as books set them (table 5): the half-em
    # blank of a bracket or comma down to a quarter, a middle dot's quarters
    # and a full stop's half kept. (JIS X 4051 lets them go to nothing; a
    # line squeezed that far reads as cramped.)
    w = atom.widths[0]
    if kind == "open" and free_left and not lead:
        atom.shrink_lead = w / 4
    elif kind == "close" and free_right and not trail and atom.first not in classes.FULL_STOPS:
        atom.shrink_trail = w / 4
