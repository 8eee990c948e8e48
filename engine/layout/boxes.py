"""What layout produces: positioned glyphs and ruby boxes, as plain data.

All positions are pixels from the text box's top-left corner. A test can
assert on these; the renderer only draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Style = Literal["text", "direction"]

# measure(text, size_px) -> advance width in px. Tests pass a fixed-width fake;
# the app passes the real font's metrics (engine.render.FontSet.measure).
Measure = Callable[[str, float], float]


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character (a grapheme: an emoji with its selector stays one) placed on a line."""

    ch: str
    x: float  # left edge of the advance box
    w: float  # advance width
    index: int  # order of appearance in the message (typewriter reveal), 0-based
    style: Style = "text"


@dataclass(frozen=True, slots=True)
class RubyBox:
    """A reading set over glyphs base_start..base_end-1 of its line."""

    text: str
    base_start: int
    base_end: int  # exclusive
    x: float  # left of the ruby's extent
    w: float  # width of the ruby's extent
    glyph_x: tuple[float, ...]  # left edge of each ruby character


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a message. `y` is the top of the base text; ruby sits above it."""

    y: float
    glyphs: tuple[Glyph, ...]
    rubies: tuple[RubyBox, ...] = ()
    hard_break: bool = False  # the line ends at a Break run (joined text gets a "\n")
    forced: bool = False  # no legal break existed: cut at the box edge (a too-long token)

    @property
    def text(self) -> str:
        return "".join(g.ch for g in self.glyphs)

    @property
    def right(self) -> float:
        """The right edge of the ink advance (hanging punctuation may pass the box)."""
        return max((g.x + g.w for g in self.glyphs), default=0.0)


@dataclass(frozen=True, slots=True)
class Layout:
    """A whole message laid out for one box width and settings."""

    settings: Settings
    width: float
    lines: tuple[Line, ...]
    chars: int  # glyphs in reveal order; the typewriter counts up to this

    @property
    def height(self) -> float:
        return len(self.lines) * self.settings.line_pitch
