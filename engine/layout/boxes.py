"""What layout produces: positioned glyphs and ruby boxes, as plain data.

All positions are pixels from the text box's top-left corner. A test can
assert on these; the renderer only draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from engine.model import record, set_field

Style = Literal["text", "direction"]

# measure(text, size_px) -> advance width in px. Tests pass a fixed-width fake;
# the app passes the real font's metrics (engine.render.FontSet.measure).
Measure = Callable[[str, float], float]


@record
class Settings:
    """The choices layout depends on; a change of any of them is a new layout."""

    size: float = 32.0  # base text size, px
    ruby_scale: float = 0.5  # ruby size = size * ruby_scale
    ruby_gap: float = 0.0  # space between ruby and base
    line_gap: float = 0.5  # extra leading between lines, in units of size
    strictness: Literal["strict", "normal", "loose"] = "strict"
    hanging_punctuation: bool = True
    phrase_wrapping: bool = False
    show_ruby: bool = True
    # A quarter em between Japanese and Latin letters or digits (JLREQ 3.2, 和欧間).
    latin_spacing: bool = True
    # Every line but a paragraph's last ends exactly at the box width (JLREQ 3.8).
    justify: bool = False

    def __init__(
        self,
        size: float = 32.0,
        ruby_scale: float = 0.5,
        ruby_gap: float = 0.0,
        line_gap: float = 0.5,
        strictness: Literal["strict", "normal", "loose"] = "strict",
        hanging_punctuation: bool = True,
        phrase_wrapping: bool = False,
        show_ruby: bool = True,
        latin_spacing: bool = True,
        justify: bool = False,
    ) -> None:
        set_field(self, "size", size)
        set_field(self, "ruby_scale", ruby_scale)
        set_field(self, "ruby_gap", ruby_gap)
        set_field(self, "line_gap", line_gap)
        set_field(self, "strictness", strictness)
        set_field(self, "hanging_punctuation", hanging_punctuation)
        set_field(self, "phrase_wrapping", phrase_wrapping)
        set_field(self, "show_ruby", show_ruby)
        set_field(self, "latin_spacing", latin_spacing)
        set_field(self, "justify", justify)

    @property
    def ruby_size(self) -> float:
        return self.size * self.ruby_scale

    @property
    def ruby_band(self) -> float:
        """Height reserved above every line for ruby, whether the line has ruby or not."""
        return self.ruby_size + self.ruby_gap if self.show_ruby else 0.0

    @property
    def line_pitch(self) -> float:
        """Distance from one line's base-text top to the next one's: the same for every line."""
        return self.ruby_band + self.size * (1.0 + self.line_gap)


@record
class Glyph:
    """One character (a grapheme: an emoji with its selector stays one) placed on a line."""

    ch: str
    x: float  # left edge of the advance box (the space the glyph takes on the line)
    w: float  # advance width as set (a compressed bracket takes half an em)
    index: int  # order of appearance in the message (typewriter reveal), 0-based
    style: Style = "text"
    # Where the font's own glyph box starts, relative to x: an opening bracket
    # whose blank left half is compressed away is drawn half an em left of x,
    # so its ink lands at x. Draw the font's glyph at x + dx.
    dx: float = 0.0

    def __init__(self, ch: str, x: float, w: float, index: int, style: Style = "text",
                 dx: float = 0.0) -> None:
        set_field(self, "ch", ch)
        set_field(self, "x", x)
        set_field(self, "w", w)
        set_field(self, "index", index)
        set_field(self, "style", style)
        set_field(self, "dx", dx)


@record
class RubyBox:
    """A reading set over glyphs base_start..base_end-1 of its line."""

    text: str
    base_start: int
    base_end: int  # exclusive
    x: float  # left of the ruby's extent
    w: float  # width of the ruby's extent
    glyph_x: tuple[float, ...]  # left edge of each ruby character

    def __init__(
        self,
        text: str,
        base_start: int,
        base_end: int,
        x: float,
        w: float,
        glyph_x: tuple[float, ...],
    ) -> None:
        set_field(self, "text", text)
        set_field(self, "base_start", base_start)
        set_field(self, "base_end", base_end)
        set_field(self, "x", x)
        set_field(self, "w", w)
        set_field(self, "glyph_x", glyph_x)


@record
class Line:
    """One line of a message. `y` is the top of the base text; ruby sits above it."""

    y: float
    glyphs: tuple[Glyph, ...]
    rubies: tuple[RubyBox, ...] = ()
    hard_break: bool = False  # the line ends at a Break run (joined text gets a "\n")
    forced: bool = False  # no legal break existed: cut at the box edge (a too-long token)

    def __init__(
        self,
        y: float,
        glyphs: tuple[Glyph, ...],
        rubies: tuple[RubyBox, ...] = (),
        hard_break: bool = False,
        forced: bool = False,
    ) -> None:
        set_field(self, "y", y)
        set_field(self, "glyphs", glyphs)
        set_field(self, "rubies", rubies)
        set_field(self, "hard_break", hard_break)
        set_field(self, "forced", forced)

    @property
    def text(self) -> str:
        return "".join(g.ch for g in self.glyphs)

    @property
    def right(self) -> float:
        """The right edge of the ink advance (hanging punctuation may pass the box)."""
        return max((g.x + g.w for g in self.glyphs), default=0.0)


@record
class Layout:
    """A whole message laid out for one box width and settings."""

    settings: Settings
    width: float
    lines: tuple[Line, ...]
    chars: int  # glyphs in reveal order; the typewriter counts up to this

    def __init__(
        self,
        settings: Settings,
        width: float,
        lines: tuple[Line, ...],
        chars: int,
    ) -> None:
        set_field(self, "settings", settings)
        set_field(self, "width", width)
        set_field(self, "lines", lines)
        set_field(self, "chars", chars)

    @property
    def height(self) -> float:
        return len(self.lines) * self.settings.line_pitch
