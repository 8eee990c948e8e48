"""One reading frame: background, portrait, text box, name plate, text with ruby.

Shared by the reading screen and `chatlog-vn shot`, so a shot is exactly
what the player shows. Geometry scales with the target surface's height
(720 px is the reference), so a shot at any size is drawn sharp rather than
scaled. Layouts are cached per message and box, so an unchanged frame costs
only blits; the typewriter's progress and the page are the caller's state.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import pygame

from engine.app.i18n import tr
from engine.app.ui import THEME, UiText, readable_color
from engine.layout.boxes import Layout, Line, Settings
from engine.layout.paging import Pager
from engine.model import Character, Message, SceneRef, Story, record, set_field
from engine.preferences import Preferences

REFERENCE_HEIGHT = 720
QUICK_KEYS = ("back", "history", "auto", "skip", "save", "load", "settings")
NAME_SHADOW = (10, 10, 18)


@record
class Geometry:
    """Where everything goes on a surface of `size`; `k` scales 720p figures."""

    size: tuple[int, int]
    k: float
    box: pygame.Rect
    text: pygame.Rect  # the page's origin is text.topleft
    name: pygame.Rect  # left/top/height of the name plate (width follows the name)
    quick: pygame.Rect  # the strip of quick-menu buttons inside the box
    mark: pygame.Rect  # the blinking "click to go on" mark
    settings: Settings
    max_lines: int

    def __init__(
        self,
        size: tuple[int, int],
        k: float,
        box: pygame.Rect,
        text: pygame.Rect,
        name: pygame.Rect,
        quick: pygame.Rect,
        mark: pygame.Rect,
        settings: Settings,
        max_lines: int,
    ) -> None:
        set_field(self, "size", size)
        set_field(self, "k", k)
        set_field(self, "box", box)
        set_field(self, "text", text)
        set_field(self, "name", name)
        set_field(self, "quick", quick)
        set_field(self, "mark", mark)
        set_field(self, "settings", settings)
        set_field(self, "max_lines", max_lines)


# The leading between lines of the box, in units of the text size, per line_spacing setting.
LINE_GAPS = {"normal": 0.5, "wide": 0.9, "wider": 1.3}


def geometry(size: tuple[int, int], prefs: Preferences, story: Story) -> Geometry:
    """Lay out the frame for a surface size and the player's text settings."""
    w, h = size
    k = h / REFERENCE_HEIGHT
    opts = story.layout
    settings = Settings(
        size=float(round(prefs.text_size * k)),
        strictness=prefs.strictness,
        hanging_punctuation=opts.hanging_punctuation,
        phrase_wrapping=opts.phrase_wrapping,
        show_ruby=prefs.show_ruby,
        line_gap=LINE_GAPS[prefs.line_spacing],
        latin_spacing=opts.latin_spacing if prefs.latin_spacing is None else prefs.latin_spacing,
        justify=opts.justify if prefs.justify is None else prefs.justify,
    )
    pitch = settings.line_pitch
    # Three lines when they fit in a sensible box; big text gets fewer lines, never none;
    # so does wider line spacing, rather than a box that covers the picture.
    usual = settings.ruby_band + settings.size * (1 + LINE_GAPS["normal"])
    max_lines = max(1, min(3, int(300 * k // pitch), int(3.75 * usual // pitch)))
    text_h = round(max_lines * pitch)
    side, pad_x, pad_top = round(60 * k), round(44 * k), round(28 * k)
    quick_h = round(30 * k)
    box_h = pad_top + text_h + quick_h + round(14 * k)
    box = pygame.Rect(side, h - round(16 * k) - box_h, w - 2 * side, box_h)
    text = pygame.Rect(box.x + pad_x, box.y + pad_top, box.width - 2 * pad_x, text_h)
    quick = pygame.Rect(box.x + pad_x, box.bottom - quick_h - round(8 * k), text.width, quick_h)
    name = pygame.Rect(box.x + round(28 * k), box.y - round(26 * k), 0, round(46 * k))
    m = round(18 * k)
    # In the box's right padding, level with the quick menu: never over the text.
    mark = pygame.Rect(box.right - pad_x // 2 - m // 2, quick.centery - m // 2, m, m)
    return Geometry(size, k, box, text, name, quick, mark, settings, max_lines)


def portrait_path(character: Character | None, message: Message) -> Path | None:
    """The portrait a message shows: its expression's image, else the default one."""
    if character is None or not character.portraits:
        return None
    expression = character.expression_for(message)
    return character.portraits.get(expression) or character.portraits.get("default")


class Frame:
    """Draws reading frames for a story; holds the layout and box caches."""

    def __init__(
        self, story: Story, assets, renderer, ui_text: UiText, prefs: Preferences
    ) -> None:
        from engine.render import TextColors

        self.story = story
        self.assets = assets
        self.renderer = renderer
        self.ui_text = ui_text
        self.prefs = prefs
        self.colors = TextColors(
            text=(246, 244, 250), direction=(168, 172, 196), ruby=(236, 232, 246),
            shadow=(8, 8, 16),
        )
        self._layouts: OrderedDict[tuple, tuple[Message, Layout]] = OrderedDict()
        self._pages: dict[int, list[tuple[Line, ...]]] = {}
        self._pagers: OrderedDict[tuple, tuple[Message, Pager]] = OrderedDict()
        self._boxes: dict[tuple, pygame.Surface] = {}
        self._geometry: dict[tuple, Geometry] = {}

    # --- layout ------------------------------------------------------------

    def geometry(self, size: tuple[int, int]) -> Geometry:
        """The (cached) geometry for a surface size under the current settings."""
        p = self.prefs
        key = (size, p.text_size, p.strictness, p.show_ruby, self.story.layout, p.line_spacing,
               p.latin_spacing, p.justify)
        geo = self._geometry.get(key)
        if geo is None:
            geo = self._geometry[key] = geometry(size, p, self.story)
        return geo

    def layout(self, message: Message, geo: Geometry) -> Layout:
        """The message laid out for the box (cached: the renderer's page cache keys on it)."""
        from engine.layout import layout_message

        # Keyed by identity (cheap), with the message kept in the entry so its
        # id cannot be reused by another message while the entry lives.
        key = (id(message), geo.text.width, geo.settings)
        found = self._layouts.get(key)
        if found is not None and found[0] is message:
            self._layouts.move_to_end(key)
            return found[1]
        result = layout_message(message.runs, geo.text.width, self.renderer.fonts.measure, geo.settings)
        self._layouts[key] = (message, result)
        if len(self._layouts) > 64:
            _, (_, old) = self._layouts.popitem(last=False)
            self._pages.pop(id(old), None)
        return result

    def pager(self, message: Message, geo: Geometry) -> Pager:
        """The message's pages for the box, each laid out when first asked for (cached).

        The same pages as `pages(layout(...))`, but a message of a million
        characters costs only the pages shown (engine.layout.paging).
        """
        key = (id(message), geo.text.width, geo.settings, geo.max_lines)
        found = self._pagers.get(key)
        if found is not None and found[0] is message:
            self._pagers.move_to_end(key)
            return found[1]
        pager = Pager(message.runs, geo.text.width, self.renderer.fonts.measure, geo.settings,
                      geo.max_lines)
        self._pagers[key] = (message, pager)
        if len(self._pagers) > 64:
            self._pagers.popitem(last=False)
        return pager

    def pages(self, layout: Layout, geo: Geometry) -> list[tuple[Line, ...]]:
        """The layout cut into pages of the box's line count (cached per layout)."""
        from engine.layout import paginate

        found = self._pages.get(id(layout))
        if found is None:
            found = [tuple(page) for page in paginate(layout, geo.max_lines)] or [()]
            self._pages[id(layout)] = found
        return found

    # --- drawing ------------------------------------------------------------

    def draw(
        self,
        surface: pygame.Surface,
        scene: SceneRef,
        message: Message | None,
        page: Sequence[Line] | None,
        reveal: int | None = None,
        *,
        show_ui: bool = True,
        active: frozenset[str] = frozenset(),
        focus: str | None = None,
        with_text: bool = True,
    ) -> Geometry:
        """Draw a whole frame; `page` None means the message's first page, complete.

        `with_text=False` draws everything but the message's text: the base a
        typewriter redraws its text over (see `draw_text`).
        """
        geo = self.geometry(surface.get_size())
        surface.blit(self.assets.background(scene.config.background, geo.size), (0, 0))
        if message is None:
            return geo
        character = self.story.character(message.speaker)
        self._draw_portrait(surface, geo, character, message)
        if not show_ui:
            return geo
        if page is None:
            page = self.pager(message, geo).page(0) or ()
        surface.blit(self._box(geo), geo.box)
        if message.speaker is not None:
            self._draw_name(surface, geo, character, message.speaker)
        if with_text:
            self.draw_text(surface, geo, page, reveal)
        self._draw_quick(surface, geo, active, focus)
        return geo

    def text_area(self, geo: Geometry) -> pygame.Rect:
        """Where a page's text (with its ruby, a hanging 。 and the shadow) can be drawn."""
        slack = round(geo.settings.size) + 4
        return pygame.Rect(geo.text.x, geo.text.y, geo.text.width + slack, geo.text.height + 4)

    def draw_text(
        self, surface: pygame.Surface, geo: Geometry, page: Sequence[Line], reveal: int | None
    ) -> None:
        """Draw one page of text (revealed up to `reveal`) at the box's text origin."""
        if page:
            self.renderer.draw_page(
                surface, page, geo.text.topleft, self.colors, reveal, settings=geo.settings
            )

    def _draw_portrait(
        self, surface: pygame.Surface, geo: Geometry, character: Character | None, message: Message
    ) -> None:
        image = self.assets.scaled_to_height(portrait_path(character, message), geo.size[1])
        if image is None:
            return
        side = character.side if character is not None else "left"
        centre = geo.size[0] * (0.28 if side == "left" else 0.72)
        # Cut off at the box's bottom edge: the body runs on under the translucent
        # box and ends where the box ends, so no edge shows through it.
        rect = image.get_rect(midbottom=(round(centre), geo.box.bottom))
        surface.blit(image, rect)

    def _box(self, geo: Geometry) -> pygame.Surface:
        """The translucent text box, drawn once per size and opacity."""
        contrast = self.prefs.high_contrast
        alpha = 255 if contrast else round(255 * self.prefs.box_opacity)
        key = (geo.box.size, alpha, geo.k, contrast)
        box = self._boxes.get(key)
        if box is None and contrast:  # opaque black, a white edge: the text stands out most
            box = pygame.Surface(geo.box.size, pygame.SRCALPHA)
            radius = round(14 * geo.k)
            pygame.draw.rect(box, (0, 0, 0, 255), box.get_rect(), border_radius=radius)
            pygame.draw.rect(box, (255, 255, 255, 255), box.get_rect(), max(2, round(2 * geo.k)),
                             radius)
            self._boxes[key] = box
        if box is None:
            box = pygame.Surface(geo.box.size, pygame.SRCALPHA)
            radius = round(14 * geo.k)
            pygame.draw.rect(box, (*THEME.panel, alpha), box.get_rect(), border_radius=radius)
            edge = (*THEME.border, min(255, alpha // 2 + 40))
            pygame.draw.rect(box, edge, box.get_rect(), max(1, round(geo.k)), radius)
            self._boxes[key] = box
        return box

    def _draw_name(
        self, surface: pygame.Surface, geo: Geometry, character: Character | None, label: str
    ) -> None:
        name = character.name if character is not None else label
        color = readable_color(character.color) if character is not None else THEME.text
        size = round(24 * geo.k)
        text = self.ui_text.render(name, size, color)
        plate = pygame.Rect(geo.name.x, geo.name.y, text.get_width() + round(44 * geo.k), geo.name.height)
        radius = round(10 * geo.k)
        pygame.draw.rect(surface, THEME.panel, plate, border_radius=radius)
        pygame.draw.rect(surface, color, plate, max(1, round(2 * geo.k)), radius)
        bar = pygame.Rect(plate.x + round(12 * geo.k), plate.y + round(12 * geo.k), round(4 * geo.k),
                          plate.height - round(24 * geo.k))
        pygame.draw.rect(surface, color, bar)
        surface.blit(self.ui_text.render(name, size, NAME_SHADOW),
                     text.get_rect(midleft=(bar.right + round(10 * geo.k) + 1, plate.centery + 1)))
        surface.blit(text, text.get_rect(midleft=(bar.right + round(10 * geo.k), plate.centery)))

    def quick_buttons(self, geo: Geometry) -> list[tuple[str, pygame.Rect]]:
        """The quick menu's buttons, right-aligned in the box's bottom strip."""
        size = round(THEME.small_size * geo.k)
        gap = round(22 * geo.k)
        x = geo.quick.right
        out: list[tuple[str, pygame.Rect]] = []
        for key in reversed(QUICK_KEYS):
            w = self.ui_text.width(tr(key), size)
            x -= w
            out.append((key, pygame.Rect(x, geo.quick.y, w, geo.quick.height)))
            x -= gap
        out.reverse()
        return out

    def _draw_quick(
        self, surface: pygame.Surface, geo: Geometry, active: frozenset[str], focus: str | None
    ) -> None:
        size = round(THEME.small_size * geo.k)
        for key, rect in self.quick_buttons(geo):
            color = THEME.accent if key in active else THEME.text if key == focus else THEME.dim
            self.ui_text.draw(surface, tr(key), rect.center, size, color, "center")

    def draw_mark(self, surface: pygame.Surface, geo: Geometry) -> None:
        """The wait mark: a small downward triangle at the box's lower right."""
        r = geo.mark
        # Vertices stay inside the rect: only the rect is restored when the mark blinks off.
        right = r.right - 1
        points = [(r.x, r.y + r.height * 0.2), (right, r.y + r.height * 0.2),
                  ((r.x + right) / 2, r.y + r.height * 0.9)]
        pygame.draw.polygon(surface, THEME.accent, points)
