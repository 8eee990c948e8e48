"""Pages laid out only as far as they are needed, and a cheap bound on lines.

`layout_message` lays a whole message out; a message of a million characters
costs seconds and a gigabyte before its first page. This module gives the
same pages (equal, line for line, to `paginate(layout_message(...))`) while
laying out only a window of the text at a time:

- `Pager`: the pages of one message, laid out when first asked for (the text
  box asks for the page it shows and the next).
- `count_lines`: how many lines a message takes, counting no further than
  asked (`check` needs to know only whether it is more than a limit).
- `lines_upper_bound`: a bound on the lines, from the text's widths alone,
  with no layout; `check` lays out only the messages it cannot clear.

Why a window gives the full layout's lines. Paragraphs (between forced
breaks) are laid out independently, so only a long paragraph is cut. A
window starts where a line of the full layout starts (at a legal break, or
at a cut at the box edge that follows no Latin/number token character or
falls between two letters of one), and ends just after a character that is
no part of a token and is followed by no combining mark, or between two
letters; ruby units are never cut. Then every atom of the window has the
advances, glue and break opportunities it has in the whole paragraph:
atoms look only at their direct neighbours, a token never spans the cut,
and BudouX (phrase wrapping) scores each position from the three characters
either side, which the window is given. The greedy fill of a line reads
atoms from its start up to its first overflow and one past it, so each line
whose first overflow lies before the window's last atom is exactly the full
layout's line; the window's remaining lines are left for the next window.
The property tests in tests/test_paging.py hold this equality on random
messages cut into windows as small as one character.

Pure: no pygame. It reads the layout core's building blocks (atoms, the line
filler, line placement) and changes none of them.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

from engine.layout import classes
from engine.layout.atoms import Atom, Paragraph, build_paragraphs
from engine.layout.boxes import Line, Measure, Settings
from engine.layout.breaking import (
    _JOIN,
    _PREFIX,
    _SUFFIX,
    _WORD,
    Span,
    _Filler,
    break_opportunities,
    phrase_starts,
)
from engine.layout.core import _line_y, _place_line, line_fit
from engine.layout.graphemes import _MARKS, split_graphemes
from engine.layout.metrics import width_of, widths_for
from engine.layout.spacing import LATIN_SPACE
from engine.model import Break, Direction, Ruby, Run, Text

WINDOW = 1024  # code points a window starts with; it doubles while a line does not fit in it
_CONTEXT = 3  # characters BudouX looks at on either side of a position

_TOKEN_CHARS = _PREFIX + _WORD + _JOIN + _SUFFIX  # every character a TOKEN match can hold
_RI = "\U0001f1e6-\U0001f1ff"  # regional indicators (flags are pairs of them)
# A character after which a window may end: no token character (a token could
# run on past the cut), no joiner, flag half or CR (the next grapheme would be
# glued to it), and not followed by a mark or a joiner (it would be cut off).
# Or between two letters or digits of one word (no mark on either): the token
# holding them is the same up to the cut whatever follows.
_LETTER = f"(?![{_MARKS}])[{_WORD}]"
_SAFE_END = re.compile(
    f"[^{_TOKEN_CHARS}{_MARKS}\u200d{_RI}\r](?![{_MARKS}\u200d])|{_LETTER}(?={_LETTER})",
    re.DOTALL,
)
_LETTER_PAIR = re.compile(f"{_LETTER}{_LETTER}")
# Where 和欧間 may go (spacing.py): Japanese beside a Latin letter or digit. The
# classes are wider than spacing's (any mark counts as Latin), and it is counted
# over the bases' text, which the atoms' neighbours are: the count can only be
# too high, so a bound stays a bound.
_JA = ("\u3005\u3007\u303b\u3041-\u309f\u30a1-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
       "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d\U00020000-\U0003ffff")
_LA = f"0-9A-Za-z\u00c0-\u024f{_MARKS}"
_LATIN_GAP = re.compile(f"[{_JA}](?=[{_LA}])|[{_LA}](?=[{_JA}])")
_TOKEN_CHAR = re.compile(f"[{_TOKEN_CHARS}]")
# Text whose code points are not each one grapheme (the bound then splits graphemes).
_COMPLEX = re.compile(f"[{_MARKS}\u200d{_RI}\r]")

# --- one paragraph as pieces -------------------------------------------------------------

# A piece: ("t", text, style) for Text and Direction runs, ("r", base, reading)
# for one part of a ruby. Windows cut text pieces and keep ruby pieces whole.
_Piece = tuple[str, str, str]


def _paragraphs(runs: Sequence[Run]) -> list[list[_Piece]]:
    """The message's runs cut at forced breaks into paragraphs of pieces."""
    paragraphs: list[list[_Piece]] = [[]]
    for run in runs:
        if isinstance(run, Text):
            paragraphs[-1].append(("t", run.text, "text"))
        elif isinstance(run, Direction):
            paragraphs[-1].append(("t", run.text, "direction"))
        elif isinstance(run, Ruby):
            paragraphs[-1].extend(("r", base, reading) for base, reading in run.parts)
        elif isinstance(run, Break):
            paragraphs.append([])
    return paragraphs


class _Source:
    """One paragraph's pieces, its whole text, and where each piece starts in it."""

    def __init__(self, pieces: list[_Piece]) -> None:
        self.pieces = pieces
        self.starts: list[int] = []
        at = 0
        for piece in pieces:
            self.starts.append(at)
            at += len(piece[1])
        self.text = "".join(p[1] for p in pieces)

    def piece_at(self, offset: int) -> int:
        """The index of the piece holding the code point at `offset`."""
        return bisect_right(self.starts, offset) - 1

    def runs(self, start: int, end: int) -> tuple[Run, ...]:
        """The runs of text offsets start..end (both at piece or grapheme boundaries)."""
        out: list[Run] = []
        for i in range(max(0, self.piece_at(start)), len(self.pieces)):
            kind, text, extra = self.pieces[i]
            a = self.starts[i]
            if a >= end:
                break
            if kind == "r":
                out.append(Ruby(((text, extra),)))
                continue
            piece = text[max(0, start - a):end - a]
            if piece:
                out.append(Direction(piece) if extra == "direction" else Text(piece))
        return tuple(out)

    def safe_end(self, target: int) -> int:
        """The first offset at or after `target` where a window may end (the end if none)."""
        n = len(self.text)
        pos = max(0, target - 1)
        while pos < n:
            m = _SAFE_END.search(self.text, pos)
            if m is None:
                return n
            q = m.start()
            if self.pieces[self.piece_at(q)][0] == "t":
                return q + 1
            pos = q + 1
        return n


# --- the windowed fill ---------------------------------------------------------------------


class _Window:
    """A laid-out stretch of a paragraph: its atoms, and the filler over them."""

    def __init__(self, source: _Source, start: int, end: int, base_index: int, width: float,
                 measure: Measure, settings: Settings) -> None:
        self.start, self.end = start, end
        self.last = end >= len(source.text)
        paras = build_paragraphs(source.runs(start, end), width, measure, settings)
        self.para: Paragraph = paras[0]
        for atom in self.para.atoms:
            atom.first_index += base_index
        ok = break_opportunities(self.para, settings.strictness)
        preferred = _preferred(source, self.para.atoms, start, end) if settings.phrase_wrapping \
            else None
        self.filler = _Filler(self.para.atoms, ok, preferred, width,
                              settings.hanging_punctuation, settings.justify)

    @property
    def atoms(self) -> list[Atom]:
        return self.para.atoms

    def spans(self) -> Iterator[Span]:
        """The window's lines that are the whole paragraph's lines, in order."""
        f, n = self.filler, len(self.atoms)
        s = 0
        while s < n:
            k = f.first_overflow(s)
            if k == n:
                if not self.last:
                    return  # the line may go on past the window
                span = Span(s, n)
            elif not self.last and k >= n - 1:
                return  # its fill would look one atom past the window
            else:
                span = f.break_before(s, k)
            yield span
            s = span.end


def _may_start(source: _Source, offset: int, forced: bool) -> bool:
    """Whether a window may start at a line start (`forced`: a cut at the box edge).

    Never inside a ruby unit (a window takes ruby units whole; without ruby
    shown, a line may start inside one). A line after a legal break may start
    a window; after a cut, the window's tokens must be the paragraph's: the
    cut must follow no token character, or fall between two letters of a word.
    """
    piece = source.piece_at(offset)
    if source.pieces[piece][0] != "t" and source.starts[piece] != offset:
        return False
    if not forced:
        return True
    text = source.text
    return (_TOKEN_CHAR.match(text, offset - 1) is None
            or _LETTER_PAIR.match(text, offset - 1) is not None)


def _preferred(source: _Source, atoms: list[Atom], start: int, end: int) -> list[bool]:
    """Phrase starts of the window's atoms, scored with the text around the window."""
    lo = max(0, start - _CONTEXT)
    starts = phrase_starts(source.text[lo:end + _CONTEXT])
    shift = start - lo
    return [a.offset + shift in starts for a in atoms]


def _paragraph_spans(source: _Source, base_index: int, width: float, measure: Measure,
                     settings: Settings, window: int
                     ) -> Iterator[tuple[Paragraph, Span]]:
    """Every line of one paragraph as (the window's paragraph, its span), window by window."""
    start, size = 0, max(1, window)
    emitted = 0  # lines from `start` on already given
    while True:
        end = source.safe_end(start + size)
        win = _Window(source, start, end, base_index, width, measure, settings)
        restart = None  # (atom, lines before it) of the window's last clean line start
        count = 0
        for span in win.spans():
            if count >= emitted:
                yield win.para, span
            count += 1
            if span.end < len(win.atoms) and _may_start(
                    source, start + win.atoms[span.end].offset, span.forced):
                restart = (span.end, count)
        if win.last:
            return
        emitted = max(emitted, count)
        if restart is None:
            size *= 2  # no clean line start in the window: take more text
            continue
        atom = win.atoms[restart[0]]
        start += atom.offset
        base_index = atom.first_index
        emitted -= restart[1]
        size = max(1, window)


def _all_spans(runs: Sequence[Run], width: float, measure: Measure, settings: Settings,
               window: int) -> Iterator[tuple[Paragraph | None, Span | None, bool, bool]]:
    """Every line of a message: (paragraph, span, hard break after it, paragraph's last).

    An empty paragraph gives (None, None, hard): an empty line, as in
    `layout_message`, which gives no line at all for a message of one empty
    paragraph.
    """
    paragraphs = _paragraphs(runs)
    index = 0
    for p_index, pieces in enumerate(paragraphs):
        last_para = p_index == len(paragraphs) - 1
        held: tuple[Paragraph, Span] | None = None  # the line before: is it the paragraph's last?
        for para, span in _paragraph_spans(_Source(pieces), index, width, measure, settings,
                                           window):
            if held is not None:
                yield held[0], held[1], False, False
            held = (para, span)
        if held is None:
            if len(paragraphs) > 1:
                yield None, None, not last_para, True
            continue
        yield held[0], held[1], not last_para, True
        last_atom = held[0].atoms[held[1].end - 1]
        index = last_atom.first_index + len(last_atom.chars)


def _line(para: Paragraph | None, span: Span | None, y: float, hard: bool, last: bool,
          width: float, settings: Settings) -> Line:
    if para is None or span is None:
        return Line(y, (), (), hard_break=hard)
    return _place_line(para, span, y, hard, line_fit(para, width, settings, last))


# --- the public entry points ---------------------------------------------------------------


class Pager:
    """The pages of one message, each laid out when first asked for.

    `page(i)` equals `paginate(layout_message(runs, width, measure, settings),
    max_lines)[i]` (and None past the last page). Pages asked for are kept,
    so going back costs nothing; nothing past the furthest page asked for
    (and its window) is laid out.
    """

    def __init__(self, runs: tuple[Run, ...], width: float, measure: Measure,
                 settings: Settings, max_lines: int, *, window: int = WINDOW) -> None:
        if max_lines < 1:
            raise ValueError(f"max_lines must be at least 1, not {max_lines}")
        self.settings = settings
        self.width = width
        self.max_lines = max_lines
        self._lines = _all_spans(runs, width, measure, settings, window)
        self._pages: list[tuple[Line, ...]] = []
        self._open: list[Line] = []
        self.done = False  # every page is known

    @property
    def known(self) -> int:
        """How many pages are laid out so far."""
        return len(self._pages)

    def page(self, index: int) -> tuple[Line, ...] | None:
        """Page `index` (0-based), or None when the message has fewer pages."""
        while index >= len(self._pages) and not self.done:
            self._grow()
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def known_pages(self) -> list[tuple[Line, ...]]:
        """The pages laid out so far."""
        return list(self._pages)

    def has_page(self, index: int) -> bool:
        """Whether page `index` exists (laying out up to it)."""
        return self.page(index) is not None

    def all_pages(self) -> list[tuple[Line, ...]]:
        """Every page (the whole message laid out)."""
        while not self.done:
            self._grow()
        return list(self._pages)

    def _grow(self) -> None:
        """Lay out lines until one more page is complete (or the message ends)."""
        for para, span, hard, last in self._lines:
            self._open.append(_line(para, span, _line_y(self.settings, len(self._open)), hard,
                                    last, self.width, self.settings))
            if len(self._open) == self.max_lines:
                self._pages.append(tuple(self._open))
                self._open = []
                return
        if self._open:
            self._pages.append(tuple(self._open))
            self._open = []
        self.done = True


def count_lines(runs: tuple[Run, ...], width: float, measure: Measure, settings: Settings,
                limit: int, *, window: int | None = None) -> int:
    """The number of lines `layout_message` gives, or `limit + 1` if it is more than `limit`.

    Lays out no further than the line after `limit` (glyphs are never placed).
    """
    if window is None:
        window = max(64, 48 * (limit + 2))  # about a line's worth of text per line wanted
    lines = 0
    for _ in _all_spans(runs, width, measure, settings, window):
        lines += 1
        if lines > limit:
            break
    return lines


# --- a bound with no layout ----------------------------------------------------------------

BOUND_CHARS = 4096  # a paragraph longer than this gets no bound (count its lines instead)
_EDGE = 1e-3
_UNIT = "\ufffc"  # stands for a ruby unit in the text the bound scans  # px of slack against rounding between the bound's sums and the filler's


def _char_class(chars: frozenset[str] | set[str] | str) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


class _Rules:
    """Which neighbours may be broken between for sure, at one strictness."""

    def __init__(self, strictness: str) -> None:
        self.no_start = (classes.SPACES | classes.LINE_START_PROHIBITED[strictness]
                         | classes.NO_BREAK_SPACES | {classes.IDEOGRAPHIC_SPACE})
        self.no_end = classes.OPENING_BRACKETS | classes.NO_BREAK_SPACES
        self.insep = classes.INSEPARABLE
        self.token = re.compile(f"[{_TOKEN_CHARS}]")
        # Runs of two or more characters with no sure break inside (each
        # character glued to the one before it): the widest stretch the fill may
        # push to the next line is within one of them.
        # A ruby unit stands in the text as _UNIT, glued to both neighbours.
        self.glued = re.compile(
            f"(?s).(?:[{_char_class(self.no_start | {_UNIT})}]|"
            f"(?<=[{_char_class(self.no_end | {_UNIT})}]).|"
            f"(?<=[{_char_class(self.insep)}])[{_char_class(self.insep)}]|"
            f"(?<=[{_TOKEN_CHARS}])[{_TOKEN_CHARS}])+"
        )

    def sure(self, a_first: str, a_last: str, b_first: str) -> bool:
        """A break between graphemes a and b is legal whatever else holds."""
        return not (b_first in self.no_start or a_first in self.no_end
                    or (a_first in self.insep and b_first in self.insep)
                    or (self.token.match(a_last) is not None
                        and self.token.match(b_first) is not None))


_RULES: dict[str, _Rules] = {}


def _rules(strictness: str) -> _Rules:
    rules = _RULES.get(strictness)
    if rules is None:
        rules = _RULES[strictness] = _Rules(strictness)
    return rules


def lines_upper_bound(runs: tuple[Run, ...], width: float, measure: Measure,
                      settings: Settings) -> int | None:
    """A number of lines `layout_message` never exceeds for these runs, or None.

    From widths alone. Each paragraph's widths are summed with every atom at
    its widest (a ruby unit as wide as the larger of base and reading). A
    paragraph that fits on one line is one line. Otherwise every line but the
    last holds more than `width - M - X` of the paragraph, where M bounds the
    widest unbreakable stretch (found from the breaks that are legal whatever
    the rest of the line, so true stretches only fall inside these) and X the
    extra width a ruby may take at the two ends of a line. With phrase
    wrapping a line may break much earlier, so only the one-line case is used.
    None: no useful bound (lay the message out).
    """
    memo = _memo(measure, settings.size)
    if len(runs) == 1 and type(runs[0]) in (Text, Direction):
        text = runs[0].text  # the usual message: one run of text
        if not _COMPLEX.search(text):
            return _plain_bound(text, width, measure, memo, settings) if text else 1
    total = 0
    for pieces in _paragraphs(runs):
        lines = _paragraph_bound(pieces, width, measure, memo, settings)
        if lines is None:
            return None
        total += lines
    return total


_last_memo: list = [None, None, None]  # measure, size, memo: check asks thousands of times in a row


def _memo(measure: Measure, size: float) -> dict[str, float]:
    """The layout's width memo for `measure` at `size` (the last one looked up kept at hand)."""
    last = _last_memo
    if last[0] is measure and last[1] == size:
        return last[2]
    memo = widths_for(measure, size)
    last[:] = [measure, size, memo]
    return memo


def _paragraph_bound(pieces: list[_Piece], width: float, measure: Measure,
                     memo: dict[str, float], settings: Settings) -> int | None:
    if not pieces:
        return 1
    if sum(len(p[1]) + len(p[2]) * (p[0] == "r") for p in pieces) > BOUND_CHARS:
        return None  # long: counting its lines (and stopping early) costs less than bounding
    if all(p[0] == "t" for p in pieces):
        # Text and directions only: when every code point is a grapheme, the
        # pieces can be joined (graphemes are split per run, and none spans two).
        text = "".join(p[1] for p in pieces)
        if not _COMPLEX.search(text):
            return _plain_bound(text, width, measure, memo, settings) if text else 1
    return _ruby_bound(pieces, width, measure, memo, settings)


def _ruby_bound(pieces: list[_Piece], width: float, measure: Measure,
                memo: dict[str, float], settings: Settings) -> int | None:
    """The bound for text with ruby: each unit one glued character as wide as it can be."""
    parts: list[str] = []
    units: list[float] = []
    extra = 0.0
    ruby_memo = _memo2(measure, settings.ruby_size)
    for kind, text, reading in pieces:
        if kind == "t" or not reading or not settings.show_ruby:
            parts.append(text)
            continue
        if _COMPLEX.search(text) or _COMPLEX.search(reading):
            return _units_bound(pieces, width, measure, memo, settings)
        if not text:
            continue
        base = math.fsum(width_of(memo, measure, c, settings.size) for c in text)
        rub = math.fsum(width_of(ruby_memo, measure, c, settings.ruby_size) for c in reading)
        cut = len(text) > 1 and base > width
        widest = base + rub if cut else max(base, rub)
        extra = max(extra, rub if cut else widest - base)
        units.append(widest)
        parts.append(_UNIT)
    joined = "".join(parts)
    plain = joined.replace(_UNIT, "")
    if len(plain) + len(units) != len(joined) or _COMPLEX.search(plain):
        return _units_bound(pieces, width, measure, memo, settings)  # U+FFFC in the text
    total = math.fsum(width_of(memo, measure, c, settings.size) for c in plain) + math.fsum(units)
    gaps = _latin_gaps("".join(p[1] for p in pieces), settings)
    total += gaps
    if total <= width:
        return 1
    if settings.phrase_wrapping:
        return None
    widest = max([memo[c] for c in set(plain)] + units)
    glued = _rules(settings.strictness).glued.findall(joined)
    stretch = max(widest, max(map(len, glued), default=0) * widest)
    if stretch >= width / 2:
        return _units_bound(pieces, width, measure, memo, settings)  # too coarse: add it up
    return _from_widths(total, width, stretch + gaps, 2 * extra)


def _memo2(measure: Measure, size: float) -> dict[str, float]:
    """The width memo at the ruby size (kept at hand beside the base size's)."""
    last = _last_ruby_memo
    if last[0] is measure and last[1] == size:
        return last[2]
    memo = widths_for(measure, size)
    last[:] = [measure, size, memo]
    return memo


_last_ruby_memo: list = [None, None, None]


def _plain_bound(text: str, width: float, measure: Measure, memo: dict[str, float],
                 settings: Settings) -> int | None:
    """The bound for plain text whose every code point is one grapheme (the common case)."""
    if len(text) > BOUND_CHARS:
        return None
    get = memo.__getitem__
    try:
        total = sum(map(get, text))
    except KeyError:
        total = math.fsum(width_of(memo, measure, c, settings.size) for c in text)
    gaps = _latin_gaps(text, settings)
    total += gaps
    if total <= width:
        return 1
    if settings.phrase_wrapping:
        return None
    widest = max(map(get, text))
    glued = _rules(settings.strictness).glued.findall(text)
    stretch = max(widest, max(map(len, glued), default=0) * widest)
    if stretch >= width / 2:  # the quick estimate is too coarse: add the stretches up
        stretch = max([widest] + [math.fsum(map(memo.__getitem__, g)) for g in glued])
    return _from_widths(total, width, stretch + gaps, 0.0)


def _latin_gaps(text: str, settings: Settings) -> float:
    """At most how much 和欧間 the text can get (all of it, as if in one stretch)."""
    if not settings.latin_spacing:
        return 0.0
    return len(_LATIN_GAP.findall(text)) * settings.size * LATIN_SPACE


def _from_widths(total: float, width: float, stretch: float, extra: float) -> int | None:
    room = width - stretch - extra - _EDGE
    if room <= 0:
        return None
    return math.floor(total * (1 + 1e-12) / room) + 1


def _units_bound(pieces: list[_Piece], width: float, measure: Measure,
                 memo: dict[str, float], settings: Settings) -> int | None:
    """The bound for any paragraph, one grapheme or ruby unit at a time."""
    rules = _rules(settings.strictness)
    ruby_memo = widths_for(measure, settings.ruby_size)
    total = stretch = run = extra = 0.0
    prev: tuple[str, str] | None = None  # (first, last code point) of the unit before; None: glued
    for kind, text, reading in pieces:
        if kind == "r" and reading and settings.show_ruby:
            chars = split_graphemes(text)
            if not chars:
                continue
            base = math.fsum(width_of(memo, measure, g, settings.size) for g in chars)
            rub = math.fsum(width_of(ruby_memo, measure, g, settings.ruby_size)
                            for g in split_graphemes(reading))
            cut = len(chars) > 1 and base > width
            widest = base + rub if cut else max(base, rub)
            extra = max(extra, rub if cut else widest - base)
            total += widest
            run += widest  # glued to both neighbours: the bound does not look inside ruby
            stretch = max(stretch, run)
            prev = None
            continue
        for g in split_graphemes(text):
            w = width_of(memo, measure, g, settings.size)
            total += w
            first = g[0]
            if prev is not None and rules.sure(prev[0], prev[1], first):
                run = 0.0
            run += w
            stretch = max(stretch, run)
            prev = (first, g[-1])
    gaps = _latin_gaps("".join(p[1] for p in pieces), settings)
    total += gaps
    stretch += gaps
    if total <= width:
        return 1
    if settings.phrase_wrapping:
        return None
    return _from_widths(total, width, stretch, 2 * extra)
