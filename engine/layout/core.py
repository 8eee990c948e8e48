"""layout_message and paginate: runs in, positioned lines out.

Pipeline: runs -> paragraphs of atoms (atoms.py) -> line spans by greedy
fill with kinsoku (breaking.py) -> glyph and ruby positions (here). Lines
are evenly pitched: the ruby band is reserved above every line.

Spaces: an ASCII space is kept as a glyph (so the lines' text joined is the
message's text) but a line never starts with one; spaces at the end of a
line are collapsed to zero width at the pen position, so they are not drawn
and never push past the edge.
"""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter

from engine.layout import justify
from engine.layout.atoms import Atom, Paragraph, build_paragraphs, placement
from engine.layout.boxes import Glyph, Layout, Line, Measure, RubyBox, Settings
from engine.layout.breaking import Span, fill_lines
from engine.model import Run

DEFAULT_SETTINGS = Settings()
_ADV = attrgetter("adv")


def layout_message(
    runs: tuple[Run, ...], width: float, measure: Measure, settings: Settings = DEFAULT_SETTINGS
) -> Layout:
    """Lay out one message's runs in a box `width` px wide.

    `measure(text, size)` gives advances; it is memoised per (grapheme, size).
    Lines' text joined, with "\\n" after each `hard_break` line, is the
    message's text without readings (`engine.model.runs_text`).
    """
    paragraphs = build_paragraphs(runs, width, measure, settings)
    lines: list[Line] = []
    if len(paragraphs) == 1 and not paragraphs[0].atoms:
        return Layout(settings, width, (), 0)
    for p_index, para in enumerate(paragraphs):
        last_para = p_index == len(paragraphs) - 1
        spans = fill_lines(para, width, settings.strictness, settings.hanging_punctuation,
                           settings.phrase_wrapping, settings.justify)
        if not spans:
            lines.append(Line(_line_y(settings, len(lines)), (), (), hard_break=not last_para))
        for s_index, span in enumerate(spans):
            last_line = s_index == len(spans) - 1
            lines.append(_place_line(para, span, _line_y(settings, len(lines)),
                                     not last_para and last_line,
                                     line_fit(para, width, settings, last_line)))
    chars = sum(len(a.chars) for p in paragraphs for a in p.atoms)
    return Layout(settings, width, tuple(lines), chars)


class Fit:
    """What a line's placement needs to justify it: the box, and whether to fill it."""

    __slots__ = ("width", "justify", "size", "inside")

    def __init__(self, width: float, justify: bool, size: float, inside: bytearray) -> None:
        self.width, self.justify, self.size, self.inside = width, justify, size, inside


def line_fit(para: Paragraph, width: float, settings: Settings, last_line: bool
             ) -> Fit | None:
    """The Fit for a line of `para` (None when justification is off).

    The last line of a paragraph (the message's end, or a forced break) is
    not spread: only shrunk if the fill took a character in.
    """
    if not settings.justify:
        return None
    return Fit(width, not last_line, settings.size, para.interiors())


def _line_y(settings: Settings, i: int) -> float:
    return settings.ruby_band + i * settings.line_pitch


def _place_line(para: Paragraph, span: Span, y: float, hard_break: bool,
                fit: Fit | None = None) -> Line:
    """Position the atoms of one line from x = 0.

    `fit` (box width, justify this line) is given when justification is on:
    the line is then shrunk if the fill made it too long, and grown to the
    box width if it is to be justified (justify.py).
    """
    atoms = para.atoms
    trail = span.end
    while trail > span.start and atoms[trail - 1].space:
        trail -= 1
    lead_off, trail_off, gaps = _adjustments(para, span, trail - 1, fit)
    glyphs: list[Glyph] = []
    rubies: list[RubyBox] = []
    x = 0.0
    first, last = span.start, trail - 1
    for i in range(first, span.end):
        a = atoms[i]
        if i > last:
            glyphs.extend(_glyphs(a, x, (0.0,) * len(a.chars), zero=True))
            continue
        if a.reading:
            x = _place_ruby(a, x, i == first, i == last, glyphs, rubies)
            if trail_off is not None:
                x -= trail_off[i - first]
        elif len(a.chars) == 1:
            if first < i < last:
                adv, lead = a.adv, a.lead
            elif i == first:
                adv, lead = (a.adv_start if i != last else a.adv_both), 0.0
            else:
                adv, lead = a.adv_end, a.lead
            if lead_off is not None and trail_off is not None:  # a line pushed in: shrink
                j = i - first
                adv -= lead_off[j] + trail_off[j]
                if i != first:
                    lead += lead_off[j]
            glyphs.append(Glyph(a.chars[0], x, adv, a.first_index, a.style,
                                -lead if lead else 0.0))
            x += adv
        else:
            glyphs.extend(_glyphs(a, x, _offsets(a.widths)))
            x += a.adv
        if gaps is not None:
            x += gaps[i - first]
    return Line(y, tuple(glyphs), tuple(rubies), hard_break=hard_break, forced=span.forced)


def _adjustments(para: Paragraph, span: Span, last: int, fit: Fit | None
                 ) -> tuple[list[float] | None, list[float] | None, list[float] | None]:
    """Per atom of the span: blank off its left, off its right, space after it.

    Each is None when there is none (the usual case: no justifying).
    """
    none = (None, None, None)
    if fit is None or last < span.start:
        return none
    n = span.end - span.start
    atoms = para.atoms
    hanging = span.hanging and last == span.end - 1
    upto = last - 1 if hanging else last  # a hanging mark is not part of the measure
    if upto < span.start:
        return none
    s0 = atoms[span.start]
    natural = sum(map(_ADV, atoms[span.start:upto + 1])) + s0.adv_start - s0.adv
    if upto == last:
        e = atoms[last]
        natural += (e.adv_both - e.adv_start) if last == span.start else (e.adv_end - e.adv)
    if natural > fit.width + 1e-9:
        lead, trail = justify.shrinkage(atoms, span.start, upto, natural - fit.width,
                                        edge=not hanging)
        return lead + [0.0] * (n - len(lead)), trail + [0.0] * (n - len(trail)), None
    if not fit.justify or span.forced:
        return none
    gaps = justify.expansion(atoms, span.start, last, fit.width - natural, fit.size,
                             fit.inside, hanging)
    return None, None, gaps + [0.0] * (n - len(gaps))


def _advance(a: Atom, at_start: bool, at_end: bool) -> float:
    """The atom's advance where it stands on its line (spacing differs at the edges)."""
    if at_start:
        return a.adv_both if at_end else a.adv_start
    return a.adv_end if at_end else a.adv


def _offsets(widths: tuple[float, ...]) -> tuple[float, ...]:
    out = []
    x = 0.0
    for w in widths:
        out.append(x)
        x += w
    return tuple(out)


def _glyphs(a: Atom, x: float, offsets: tuple[float, ...], zero: bool = False) -> list[Glyph]:
    return [
        Glyph(ch, x + off, 0.0 if zero else w, a.first_index + j, a.style)
        for j, (ch, w, off) in enumerate(zip(a.chars, a.widths, offsets, strict=True))
    ]


def _place_ruby(a: Atom, x: float, at_start: bool, at_end: bool,
                glyphs: list[Glyph], rubies: list[RubyBox]) -> float:
    """Append a ruby atom's base glyphs and its RubyBox; return the new pen x."""
    p = placement(a, 0.0 if at_start else a.allow_left, 0.0 if at_end else a.allow_right)
    base_start = len(glyphs)
    glyphs.extend(_glyphs(a, x, p.base_x))
    left = x + p.ruby_x[0]
    right = x + p.ruby_x[-1] + a.ruby_widths[-1]
    rubies.append(RubyBox("".join(a.reading), base_start, len(glyphs), left, right - left,
                          tuple(x + rx for rx in p.ruby_x)))
    # The 和欧間 after the unit, if any, is what its advance mid-line has over the placement.
    extra = 0.0 if at_end else (a.adv_start if at_start else a.adv) - p.advance
    return x + p.advance + max(0.0, extra)


def paginate(layout: Layout, max_lines: int) -> tuple[tuple[Line, ...], ...]:
    """Cut a layout into pages of at most `max_lines` lines, each drawable as is.

    Every page's lines are re-based so its first line's y is the ruby band,
    exactly where the first line of a fresh layout sits.
    """
    if max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, not {max_lines}")
    s = layout.settings
    lines = layout.lines
    return tuple(
        tuple(replace(line, y=_line_y(s, i)) for i, line in enumerate(lines[p:p + max_lines]))
        for p in range(0, len(lines), max_lines)
    )
