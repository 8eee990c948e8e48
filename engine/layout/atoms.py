"""From runs to atoms: the pieces a line break may not enter.

An atom is one grapheme of plain text, or one ruby part (a base with its
reading: all of a mono/group ruby, or one pair of a jukugo ruby). Forced
breaks (Break runs) cut the message into paragraphs, each laid out alone.
A ruby part wider than the whole line is cut into per-character pieces,
glued together, so it can only be split at the box edge like a long word.
"""

from __future__ import annotations

import re
from dataclasses import field

from engine.layout import classes, ruby
from engine.layout.boxes import Measure, Settings, Style
from engine.layout.graphemes import split_graphemes
from engine.layout.metrics import width_of, widths_for
from engine.layout.spacing import apply_spacing
from engine.model import Break, Direction, Ruby, Run, Text, record

SPACE_RUN_MIN = 64  # spaces in a row from which the run is built as one atom
_SPACE_RUN = re.compile(f"( {{{SPACE_RUN_MIN},}})")
_LONG_SPACES = " " * SPACE_RUN_MIN


class Atom:
    """One unbreakable piece of a paragraph (internal, built and then read)."""

    __slots__ = (
        "chars", "widths", "first_index", "style", "offset", "first", "last", "space",
        "reading", "ruby_widths", "may_spread", "glue", "adv", "adv_start", "adv_end",
        "adv_both", "allow_left", "allow_right", "lead",
        "shrink_lead", "shrink_trail", "latin_gap",
    )

    def __init__(self, chars: tuple[str, ...], widths: tuple[float, ...], first_index: int,
                 style: Style, offset: int) -> None:
        self.chars = chars
        self.widths = widths
        self.first_index = first_index
        self.style = style
        self.offset = offset  # code-point offset of the atom in the paragraph's text
        self.first = chars[0][:1]
        self.last = chars[-1][:1]
        # A space (or U+3000): no break before it, collapsed at a line's end.
        self.space = self.first in classes.SPACES or self.first == classes.IDEOGRAPHIC_SPACE
        self.reading: tuple[str, ...] = ()
        self.ruby_widths: tuple[float, ...] = ()
        self.may_spread = False
        self.glue = False  # True: no break before this atom (pieces of a cut ruby part)
        # Advance mid-line, and as the first, last or only atom of a line: a
        # long reading may not overhang past a line edge, so a ruby atom can be
        # wider there. Plain atoms have one advance.
        self.adv = self.adv_start = self.adv_end = self.adv_both = sum(widths)
        # How far the reading may overhang the neighbouring atoms (mid-line);
        # the blank taken off the left of a compressed opening bracket (its
        # glyph is drawn that far left of its pen position); how much blank a
        # justified line may take away left and right of the ink mid-line; the
        # 和欧間 the atom carries on its right (spacing.py, justify.py).
        self.allow_left = self.allow_right = self.lead = self.shrink_lead = \
            self.shrink_trail = self.latin_gap = 0.0

    @property
    def is_ruby(self) -> bool:
        return bool(self.reading)


@record(frozen=False)
class Paragraph:
    """The atoms between two forced breaks, and their text without readings."""

    atoms: list[Atom] = field(default_factory=list)
    text: str = ""  # set once the paragraph is complete
    length: int = 0  # code points so far, while it is being built
    parts: list[str] = field(default_factory=list)

    inside: bytearray | None = None  # token_interiors(text), once asked for

    def __init__(
        self,
        atoms: list[Atom] | None = None,
        text: str = "",
        length: int = 0,
        parts: list[str] | None = None,
    ) -> None:
        self.atoms = [] if atoms is None else atoms
        self.text = text
        self.length = length
        self.parts = [] if parts is None else parts
        self.inside = None

    def interiors(self) -> bytearray:
        """For each code-point offset, 1 inside a Latin/number token (breaking.TOKEN)."""
        if self.inside is None:
            from engine.layout.breaking import token_interiors  # breaking imports this module

            self.inside = token_interiors(self.text)
        return self.inside


@record(frozen=False)
class _Builder:
    settings: Settings
    width: float
    base_memo: dict[str, float]
    ruby_memo: dict[str, float]
    measure: Measure
    index: int = 0
    paragraphs: list[Paragraph] = field(default_factory=lambda: [Paragraph()])

    def __init__(
        self,
        settings: Settings,
        width: float,
        base_memo: dict[str, float],
        ruby_memo: dict[str, float],
        measure: Measure,
        index: int = 0,
        paragraphs: list[Paragraph] | None = None,
    ) -> None:
        self.settings = settings
        self.width = width
        self.base_memo = base_memo
        self.ruby_memo = ruby_memo
        self.measure = measure
        self.index = index
        self.paragraphs = [Paragraph()] if paragraphs is None else paragraphs

    def base_widths(self, chars: tuple[str, ...]) -> tuple[float, ...]:
        memo, m, size = self.base_memo, self.measure, self.settings.size
        return tuple(width_of(memo, m, c, size) for c in chars)

    def add(self, chars: tuple[str, ...], style: Style) -> Atom:
        para = self.paragraphs[-1]
        atom = Atom(chars, self.base_widths(chars), self.index, style, para.length)
        self.index += len(chars)
        para.atoms.append(atom)
        text = "".join(chars)
        para.parts.append(text)
        para.length += len(text)
        return atom

    def add_text(self, text: str, style: Style) -> None:
        if _LONG_SPACES in text:
            # No break falls before a space, so a run of spaces is one unit for
            # the breaker anyway: a long run (hostile input: a million spaces)
            # becomes one atom instead of one per space.
            for piece in _SPACE_RUN.split(text):
                if piece.startswith(" ") and len(piece) >= SPACE_RUN_MIN:
                    chars = (" ",) * len(piece)
                    self.add(chars, style)
                elif piece:
                    self._add_plain(piece, style)
            return
        self._add_plain(text, style)

    def _add_plain(self, text: str, style: Style) -> None:
        # The hot path (most of a message is plain text): one atom per grapheme.
        para = self.paragraphs[-1]
        memo, measure, size = self.base_memo, self.measure, self.settings.size
        atoms, index, offset = para.atoms, self.index, para.length
        for g in split_graphemes(text):
            w = memo.get(g)
            if w is None:
                w = width_of(memo, measure, g, size)
            atoms.append(Atom((g,), (w,), index, style, offset))
            index += 1
            offset += len(g)
        self.index, para.length = index, offset
        para.parts.append(text)

    def add_ruby_part(self, base: str, reading: str) -> None:
        chars = split_graphemes(base)
        if not chars:
            return
        if not reading or not self.settings.show_ruby:
            for g in chars:
                self.add((g,), "text")
            return
        rchars = split_graphemes(reading)
        if len(chars) > 1 and sum(self.base_widths(chars)) > self.width:
            self._add_cut_ruby(chars, rchars)
            return
        self._set_reading(self.add(chars, "text"), rchars)

    def _add_cut_ruby(self, chars: tuple[str, ...], rchars: tuple[str, ...]) -> None:
        n, m = len(chars), len(rchars)
        for i, g in enumerate(chars):
            atom = self.add((g,), "text")
            atom.glue = i > 0
            piece = rchars[round(m * i / n): round(m * (i + 1) / n)]
            if piece:
                self._set_reading(atom, piece)

    def _set_reading(self, atom: Atom, rchars: tuple[str, ...]) -> None:
        size = self.settings.ruby_size
        widths = tuple(width_of(self.ruby_memo, self.measure, c, size) for c in rchars)
        total = sum(widths)
        if total > self.width > 0:
            # A reading wider than the whole box is squeezed to fit it: the
            # only way to keep it inside the box.
            widths = tuple(w * self.width / total for w in widths)
        latin = any(classes.is_latin(c) for c in atom.chars + rchars)
        atom.reading = rchars
        atom.ruby_widths = widths
        atom.may_spread = len(atom.chars) > 1 and not latin


def build_paragraphs(
    runs: tuple[Run, ...], width: float, measure: Measure, settings: Settings
) -> list[Paragraph]:
    """Cut the runs into paragraphs of atoms, with ruby units placed and spacing set."""
    b = _Builder(settings, width, widths_for(measure, settings.size),
                 widths_for(measure, settings.ruby_size), measure)
    for run in runs:
        if isinstance(run, Text):
            b.add_text(run.text, "text")
        elif isinstance(run, Direction):
            b.add_text(run.text, "direction")
        elif isinstance(run, Ruby):
            for base, reading in run.parts:
                b.add_ruby_part(base, reading)
        elif isinstance(run, Break):
            b.paragraphs.append(Paragraph())
    for para in b.paragraphs:
        para.text = "".join(para.parts)
        _fit_rubies(para.atoms, settings.ruby_size)
        apply_spacing(para.atoms, settings.size, settings.latin_spacing, para.text)
    return b.paragraphs


def overhang_allowance(neighbour: Atom, side: str, ruby_size: float) -> float:
    """How far a reading may overhang `neighbour`, on the `side` of the base it sits.

    Kana may be overhung, and so may the blank half of full-width punctuation
    that faces the base; never a kanji, Latin or another ruby. At most one
    ruby character, and at most half the neighbour, so two readings
    overhanging one kana from both sides cannot meet.
    """
    if neighbour.is_ruby or len(neighbour.chars) != 1:
        return 0.0
    ch = neighbour.first
    blank = classes.BLANK_RIGHT_HALF if side == "left" else classes.BLANK_LEFT_HALF
    if classes.is_kana(ch) or ch in blank:
        return min(ruby_size, neighbour.widths[0] / 2)
    return 0.0


def _fit_rubies(atoms: list[Atom], ruby_size: float) -> None:
    """Give each ruby atom its advance mid-line, at a line start, end, and alone."""
    for i, atom in enumerate(atoms):
        if not atom.is_ruby:
            continue
        left = overhang_allowance(atoms[i - 1], "left", ruby_size) if i > 0 else 0.0
        right = (overhang_allowance(atoms[i + 1], "right", ruby_size)
                 if i + 1 < len(atoms) else 0.0)
        atom.allow_left, atom.allow_right = left, right
        atom.adv = placement(atom, left, right).advance
        atom.adv_start = placement(atom, 0.0, right).advance
        atom.adv_end = placement(atom, left, 0.0).advance
        atom.adv_both = placement(atom, 0.0, 0.0).advance


def placement(atom: Atom, allow_left: float, allow_right: float) -> ruby.Placement:
    """The ruby placement of a ruby atom with the given overhang allowances."""
    return ruby.place(atom.widths, atom.ruby_widths, allow_left, allow_right, atom.may_spread)
