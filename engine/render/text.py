"""Drawing laid-out text: glyph images, ruby, the typewriter, and the caches.

Two caches keep text rendering off the frame budget:

- glyph images per (character, size, colour, shadow, outline), so a message is drawn
  by blitting ready images;
- page surfaces per (the page's lines, settings, width, colours) in a small
  LRU, found by the Line objects' identity (free) or, for equal lines that
  are new objects, by value. A cached page remembers how far it has been
  revealed, so an unchanged frame is one blit and a typewriter frame blits
  only the newly revealed glyphs.

Coordinates: a page surface's top is the top of its first line's ruby band,
its left is the text box's left. Base glyphs of a line share one baseline,
`line.y + ascent(size)`; ruby glyphs share the baseline of the ruby band.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence

import pygame

from engine.layout.boxes import Layout, Line, Settings
from engine.layout.graphemes import split_graphemes
from engine.model import record, set_field
from engine.render.fonts import Color, FontSet, GlyphImage

# One blit: (image, position on the page surface).
_Blit = tuple[pygame.Surface, tuple[int, int]]


@record
class TextColors:
    """Colours of a message: base text, stage directions, ruby, optional shadow and outline.

    A shadow (down-right) or an outline (all round) keeps text readable over
    a busy background; each is baked into the cached glyph images, so it
    costs nothing per frame.
    """

    text: Color = (255, 255, 255)
    direction: Color = (170, 176, 196)
    ruby: Color = (255, 255, 255)
    shadow: Color | None = None
    outline: Color | None = None

    def __init__(
        self,
        text: Color = (255, 255, 255),
        direction: Color = (170, 176, 196),
        ruby: Color = (255, 255, 255),
        shadow: Color | None = None,
        outline: Color | None = None,
    ) -> None:
        set_field(self, "text", text)
        set_field(self, "direction", direction)
        set_field(self, "ruby", ruby)
        set_field(self, "shadow", shadow)
        set_field(self, "outline", outline)


@record(frozen=False)
class RenderStats:
    """Counters a test or a benchmark can read to see the caches work."""

    glyph_renders: int = 0  # glyph images made (glyph cache misses)
    page_builds: int = 0  # page surfaces created (page cache misses)
    page_hits: int = 0  # requests served by a cached page surface
    redraws: int = 0  # cached pages cleared and redrawn (reveal went backwards)

    def __init__(
        self,
        glyph_renders: int = 0,
        page_builds: int = 0,
        page_hits: int = 0,
        redraws: int = 0,
    ) -> None:
        self.glyph_renders = glyph_renders
        self.page_builds = page_builds
        self.page_hits = page_hits
        self.redraws = redraws


@record(frozen=False)
class _Page:
    """A cached page: its surface, its blits in reveal order, and how far it is drawn."""

    lines: tuple[Line, ...]  # what is drawn
    surface: pygame.Surface
    reveal_at: list[int]  # reveal index of each blit, ascending
    blits: list[_Blit]
    drawn: int = 0  # blits[:drawn] are on the surface

    def __init__(
        self,
        lines: tuple[Line, ...],
        surface: pygame.Surface,
        reveal_at: list[int],
        blits: list[_Blit],
        drawn: int = 0,
    ) -> None:
        self.lines = lines
        self.surface = surface
        self.reveal_at = reveal_at
        self.blits = blits
        self.drawn = drawn


class TextRenderer:
    """Draws Layouts and pages of Lines with a FontSet, caching glyphs and pages."""

    def __init__(self, fontset: FontSet, *, glyph_cache: int = 4096, page_cache: int = 32) -> None:
        self.fonts = fontset
        self.stats = RenderStats()
        self._glyphs: OrderedDict[tuple, GlyphImage] = OrderedDict()
        self._pages: OrderedDict[tuple, _Page] = OrderedDict()  # by content
        self._ids: dict[tuple, tuple[tuple[Line, ...], tuple]] = {}  # by identity -> content key
        self._last: tuple | None = None  # the previous request and its page
        self._glyph_limit = glyph_cache
        self._page_limit = page_cache

    # --- public drawing --------------------------------------------------------

    def render_layout(
        self,
        layout: Layout,
        colors: TextColors,
        reveal: int | None = None,
        *,
        lines: Sequence[Line] | None = None,
    ) -> pygame.Surface:
        """A transparent surface with `layout` (or one page of its `lines`) drawn.

        Only glyphs with index < `reveal` are drawn (None: all), and a ruby
        iff its first base glyph is. The surface is layout.width plus one
        character of room for hanging punctuation wide, and the page's lines
        tall. It is cached and updated in place: the same surface comes back
        for the same lines and colours, so blit it before asking for another
        reveal of the same page.
        """
        page_lines = tuple(layout.lines if lines is None else lines)
        width = layout.width + hang_margin(layout.settings)
        return self._page(page_lines, layout.settings, width, colors, reveal).surface

    def draw_page(
        self,
        surface: pygame.Surface,
        lines: Layout | Sequence[Line],
        origin: tuple[float, float],
        colors: TextColors,
        reveal: int | None = None,
        *,
        settings: Settings | None = None,
    ) -> pygame.Rect:
        """Draw a Layout, or a page of Lines (then `settings` is required), at `origin`.

        `origin` is where the text box's top-left goes; the page's first
        line's ruby band starts there. Returns the rectangle drawn.
        """
        if isinstance(lines, Layout):
            page = self._page(
                lines.lines, lines.settings, lines.width + hang_margin(lines.settings),
                colors, reveal,
            )
        else:
            if settings is None:
                raise ValueError("draw_page needs the settings to draw a page of lines")
            page = self._page(tuple(lines), settings, None, colors, reveal)
        return surface.blit(page.surface, (round(origin[0]), round(origin[1])))

    def clear(self) -> None:
        """Forget every cached glyph and page (after a font or display change)."""
        self._glyphs.clear()
        self._pages.clear()
        self._ids.clear()
        self._last = None

    # --- the page cache ------------------------------------------------------------

    def _page(
        self,
        lines: tuple[Line, ...],
        settings: Settings,
        width: float | None,
        colors: TextColors,
        reveal: int | None,
    ) -> _Page:
        """The page for these lines brought to `reveal`; width None: as wide as the lines need."""
        last = self._last
        if (last is not None and last[0] is lines and last[2] == width
                and (last[1] is settings or last[1] == settings)
                and (last[3] is colors or last[3] == colors)):
            page = last[4]  # the same request as the previous frame's: no lookup at all
            self.stats.page_hits += 1
        else:
            page = self._lookup(lines, settings, width, colors)
            self._last = (lines, settings, width, colors, page)
        _reveal(page, reveal, self.stats)
        return page

    def _lookup(
        self, lines: tuple[Line, ...], settings: Settings, width: float | None, colors: TextColors
    ) -> _Page:
        """The cached page for these lines, or a new one."""
        # Identity first: an unchanged frame asks for the very same Line objects,
        # and comparing ids costs nothing. Lines equal in value but new (say, a
        # page cut again by paginate) find the page through its content key.
        id_key = (tuple(map(id, lines)), settings, width, colors)
        known = self._ids.get(id_key)
        if known is not None and all(a is b for a, b in zip(known[0], lines, strict=True)):
            key = known[1]
        else:
            key = (lines, settings, width, colors)
            if len(self._ids) >= 4 * self._page_limit:
                self._ids.clear()
            self._ids[id_key] = (lines, key)
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
            self.stats.page_hits += 1
        else:
            if width is None:
                width = _extent(lines, settings)
            page = self._build(lines, settings, width, colors)
            self._pages[key] = page
            if len(self._pages) > self._page_limit:
                self._pages.popitem(last=False)
        return page

    def _build(
        self, lines: tuple[Line, ...], settings: Settings, width: float, colors: TextColors
    ) -> _Page:
        """A blank page surface and the ordered list of blits that fill it."""
        self.stats.page_builds += 1
        height = (len(lines) * settings.line_pitch + _shadow_offset(settings.size, colors.shadow)
                  + _outline_radius(settings.size, colors.outline))
        surface = pygame.Surface((max(1, int(width + 0.999)), max(1, int(height + 0.999))),
                                 pygame.SRCALPHA)
        top = lines[0].y - settings.ruby_band if lines else 0.0
        ops: list[tuple[int, int, _Blit]] = []
        for line in lines:
            ops.extend(self._line_ops(line, line.y - top, settings, colors, len(ops)))
        ops.sort(key=lambda op: (op[0], op[1]))
        return _Page(lines, surface, [op[0] for op in ops], [op[2] for op in ops])

    def _line_ops(
        self, line: Line, y: float, settings: Settings, colors: TextColors, seq: int
    ) -> list[tuple[int, int, _Blit]]:
        """(reveal index, draw order, blit) for a line's base glyphs and ruby."""
        ops: list[tuple[int, int, _Blit]] = []
        baseline = y + self.fonts.ascent(settings.size)
        for g in line.glyphs:
            color = colors.direction if g.style == "direction" else colors.text
            img = self._glyph(g.ch, settings.size, color, colors)
            if img.surface.get_width():
                ops.append((g.index, seq + len(ops), _place(img, g.x + g.dx, baseline)))
        if settings.show_ruby:
            ruby_baseline = y - settings.ruby_band + self.fonts.ascent(settings.ruby_size)
            for ruby in line.rubies:
                if not 0 <= ruby.base_start < len(line.glyphs):
                    continue
                first = line.glyphs[ruby.base_start].index
                for ch, x in zip(split_graphemes(ruby.text), ruby.glyph_x, strict=False):
                    img = self._glyph(ch, settings.ruby_size, colors.ruby, colors)
                    if img.surface.get_width():
                        ops.append((first, seq + len(ops), _place(img, x, ruby_baseline)))
        return ops

    # --- the glyph cache -------------------------------------------------------------

    def _glyph(self, ch: str, size: float, color: Color, colors: TextColors) -> GlyphImage:
        key = (ch, size, color, colors.shadow, colors.outline)
        img = self._glyphs.get(key)
        if img is not None:
            self._glyphs.move_to_end(key)
            return img
        self.stats.glyph_renders += 1
        img = self.fonts.render_glyph(ch, size, color)
        if img.surface.get_width() and (colors.shadow or colors.outline):
            img = self._decorate(ch, size, img, colors)
        self._glyphs[key] = img
        if len(self._glyphs) > self._glyph_limit:
            self._glyphs.popitem(last=False)
        return img

    def _decorate(self, ch: str, size: float, img: GlyphImage, colors: TextColors) -> GlyphImage:
        """One image holding the glyph over its outline and drop shadow: still one blit."""
        off = _shadow_offset(size, colors.shadow)
        r = _outline_radius(size, colors.outline)
        w, h = img.surface.get_size()
        surface = pygame.Surface((w + 2 * r + off, h + 2 * r + off), pygame.SRCALPHA)
        if colors.shadow is not None:
            shadow = self.fonts.render_glyph(ch, size, colors.shadow).surface
            surface.blit(shadow, (r + off, r + off))
        if colors.outline is not None:
            ring = self.fonts.render_glyph(ch, size, colors.outline).surface
            for dx, dy in _ring(r):
                surface.blit(ring, (r + dx, r + dy))
        surface.blit(img.surface, (r, r))
        return GlyphImage(surface, img.dx - r, img.dy + r)

def hang_margin(settings: Settings) -> float:
    """Room right of the box for a hanging 。 or 、 (one character)."""
    return settings.size


def _extent(lines: tuple[Line, ...], settings: Settings) -> float:
    """The width a page of lines needs: its furthest glyph or ruby, plus a character."""
    right = max((line.right for line in lines), default=0.0)
    ruby_right = max((r.x + r.w for line in lines for r in line.rubies), default=0.0)
    return max(right, ruby_right) + settings.size


def _place(img: GlyphImage, x: float, baseline: float) -> _Blit:
    return img.surface, (round(x) + img.dx, round(baseline) - img.dy)


def _shadow_offset(size: float, shadow: Color | None) -> int:
    """How far a drop shadow sits down-right of its glyph: about 1/16 em, at least 1 px."""
    return 0 if shadow is None else max(1, round(size / 16))


def _outline_radius(size: float, outline: Color | None) -> int:
    """How thick an outline is: about 1/24 em, at least 1 px."""
    return 0 if outline is None else max(1, round(size / 24))


def _ring(r: int) -> list[tuple[int, int]]:
    """Offsets that smear a glyph into a roughly round outline of radius r."""
    return [(dx, dy) for dx in range(-r, r + 1) for dy in range(-r, r + 1)
            if (dx or dy) and dx * dx + dy * dy <= r * r + r]


def _reveal(page: _Page, reveal: int | None, stats: RenderStats) -> None:
    """Bring the page's surface to show exactly the glyphs with index < reveal (None: all)."""
    upto = len(page.blits) if reveal is None else bisect_left(page.reveal_at, reveal)
    if upto < page.drawn:
        stats.redraws += 1
        page.surface.fill((0, 0, 0, 0))
        page.drawn = 0
    if upto > page.drawn:
        page.surface.blits(page.blits[page.drawn:upto], doreturn=False)
        page.drawn = upto
