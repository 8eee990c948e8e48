"""The look of the interface and the few widgets every screen uses.

- `THEME`: colours and sizes in one place.
- `UiText`: draws interface labels with the story's font (cached surfaces,
  so an unchanged menu costs no text rendering).
- `Button` and `Menu`: mouse, keyboard and gamepad navigation of a list of
  choices; a `Menu` returns the key of the chosen item from `handle`.
- `draw_panel`: a translucent rounded panel.

All coordinates are in the 1280×720 canvas.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pygame

from engine.app import input as inp
from engine.model import record, set_field

Color = tuple[int, int, int]


@record
class Theme:
    """Colours and sizes of the interface."""

    text: Color = (240, 238, 246)
    dim: Color = (160, 156, 178)
    disabled: Color = (105, 102, 120)
    accent: Color = (236, 180, 200)
    panel: Color = (16, 16, 30)
    panel_alpha: int = 210
    border: Color = (120, 110, 150)
    hover: Color = (60, 54, 92)
    shadow: Color = (0, 0, 0)
    label_size: int = 26
    small_size: int = 18
    title_size: int = 64
    radius: int = 12

    def __init__(
        self,
        text: Color = (240, 238, 246),
        dim: Color = (160, 156, 178),
        disabled: Color = (105, 102, 120),
        accent: Color = (236, 180, 200),
        panel: Color = (16, 16, 30),
        panel_alpha: int = 210,
        border: Color = (120, 110, 150),
        hover: Color = (60, 54, 92),
        shadow: Color = (0, 0, 0),
        label_size: int = 26,
        small_size: int = 18,
        title_size: int = 64,
        radius: int = 12,
    ) -> None:
        set_field(self, "text", text)
        set_field(self, "dim", dim)
        set_field(self, "disabled", disabled)
        set_field(self, "accent", accent)
        set_field(self, "panel", panel)
        set_field(self, "panel_alpha", panel_alpha)
        set_field(self, "border", border)
        set_field(self, "hover", hover)
        set_field(self, "shadow", shadow)
        set_field(self, "label_size", label_size)
        set_field(self, "small_size", small_size)
        set_field(self, "title_size", title_size)
        set_field(self, "radius", radius)


THEME = Theme()


class UiText:
    """Interface labels drawn with one font file at any size, cached by (text, size, colour)."""

    def __init__(self, font: Path | str | Any | None, cache_limit: int = 512) -> None:
        """`font`: a font file, or an open pygame.freetype.Font to share (FontSet.primary)."""
        import pygame.freetype

        if not pygame.freetype.get_init():
            pygame.freetype.init()
        if font is None or isinstance(font, (str, Path)):
            font = pygame.freetype.Font(str(font) if font else None)
        self._font = font
        self._cache: dict[tuple[str, int, Color], pygame.Surface] = {}
        self._limit = cache_limit

    def render(self, text: str, size: int, color: Color = THEME.text) -> pygame.Surface:
        """The label as an alpha surface (cached)."""
        key = (text, size, color)
        surface = self._cache.get(key)
        if surface is None:
            if len(self._cache) >= self._limit:
                self._cache.clear()  # labels are cheap to redo; keep memory flat
            surface = self._line(text or " ", size, color)
            self._cache[key] = surface
        return surface

    def _line(self, text: str, size: int, color: Color) -> pygame.Surface:
        # Every label of a size gets the same height and baseline, so rows of
        # labels line up whatever characters they hold (the font is shared
        # with the text renderer, so its own padding setting is left alone).
        ink, rect = self._font.render(text, color, size=size)
        ascent = int(self._font.get_sized_ascender(size))
        height = ascent - int(self._font.get_sized_descender(size))
        width = max(1, rect.x + rect.width, int(self._font.get_rect(text, size=size).width))
        surface = pygame.Surface((width, max(1, height)), pygame.SRCALPHA)
        surface.blit(ink, (max(0, rect.x), ascent - rect.y))
        return surface

    def width(self, text: str, size: int) -> int:
        """The advance width of a label in pixels."""
        return self.render(text, size).get_width()

    def advance(self, text: str, size: int) -> float:
        """The sum of the glyph advances of `text`: about its label's width, found without
        rendering it (for wrapping long text)."""
        metrics = self._font.get_metrics(text, size=size)
        return float(sum(m[4] for m in metrics if m))

    def draw(
        self,
        surface: pygame.Surface,
        text: str,
        pos: tuple[int, int],
        size: int = THEME.label_size,
        color: Color = THEME.text,
        anchor: str = "topleft",
        shadow: bool = False,
    ) -> pygame.Rect:
        """Draw a label with one of its rect's corners or centres at `pos`; returns its rect."""
        label = self.render(text, size, color)
        rect = label.get_rect(**{anchor: pos})
        if shadow:
            surface.blit(self.render(text, size, THEME.shadow), rect.move(2, 2))
        surface.blit(label, rect)
        return rect

    def fit(self, text: str, size: int, width: int) -> str:
        """`text` shortened with an ellipsis so it fits `width` pixels."""
        if self.width(text, size) <= width:
            return text
        while text and self.width(text + "…", size) > width:
            text = text[:-1]
        return text + "…"


def draw_panel(
    surface: pygame.Surface,
    rect: pygame.Rect,
    alpha: int = THEME.panel_alpha,
    color: Color = THEME.panel,
    border: Color | None = THEME.border,
    radius: int = THEME.radius,
) -> None:
    """A translucent rounded panel with a thin border."""
    panel = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(panel, (*color, alpha), panel.get_rect(), border_radius=radius)
    if border is not None:
        pygame.draw.rect(panel, (*border, min(255, alpha + 30)), panel.get_rect(), 1, radius)
    surface.blit(panel, rect)


@record(frozen=False)
class Button:
    """A clickable label. `key` is what a Menu reports when it is chosen."""

    key: str
    label: str
    rect: pygame.Rect
    enabled: bool = True
    size: int = THEME.label_size

    def __init__(
        self,
        key: str,
        label: str,
        rect: pygame.Rect,
        enabled: bool = True,
        size: int = THEME.label_size,
    ) -> None:
        self.key = key
        self.label = label
        self.rect = rect
        self.enabled = enabled
        self.size = size

    def draw(self, surface: pygame.Surface, text: UiText, focused: bool) -> None:
        """Draw the button; the focused one gets a highlight bar."""
        if focused and self.enabled:
            pygame.draw.rect(surface, THEME.hover, self.rect, border_radius=THEME.radius // 2)
            bar = pygame.Rect(self.rect.x, self.rect.y + 6, 4, self.rect.height - 12)
            pygame.draw.rect(surface, THEME.accent, bar)
        color = THEME.text if self.enabled else THEME.disabled
        text.draw(surface, self.label, self.rect.center, self.size, color, "center", shadow=True)


@record(frozen=False)
class Menu:
    """A list of buttons navigable with the mouse, arrow keys, Enter and a pad."""

    buttons: list[Button]
    focus: int = 0
    horizontal: bool = False

    def __init__(self, buttons: list[Button], focus: int = 0, horizontal: bool = False) -> None:
        self.buttons = buttons
        self.focus = focus
        self.horizontal = horizontal
        self.__post_init__()

    def __post_init__(self) -> None:
        self.focus = self._nearest_enabled(self.focus, 1)

    def _nearest_enabled(self, start: int, step: int) -> int:
        n = len(self.buttons)
        for i in range(n):
            j = (start + i * step) % n
            if self.buttons[j].enabled:
                return j
        return start

    def move(self, step: int) -> None:
        """Move the focus to the next enabled button (wrapping)."""
        if self.buttons:
            self.focus = self._nearest_enabled((self.focus + step) % len(self.buttons), step)

    def hit(self, pos: tuple[int, int]) -> int | None:
        """The index of the enabled button under `pos`, if any."""
        for i, button in enumerate(self.buttons):
            if button.enabled and button.rect.collidepoint(pos):
                return i
        return None

    def handle(self, event: pygame.event.Event) -> str | None:
        """Update focus from an event; the chosen button's key when one is activated."""
        action = inp.action_for(event)
        back, fwd = (inp.LEFT, inp.RIGHT) if self.horizontal else (inp.UP, inp.DOWN)
        if event.type == pygame.MOUSEMOTION:
            i = self.hit(event.pos)
            if i is not None and i != self.focus:
                self.focus = i
        elif action == back:
            self.move(-1)
        elif action == fwd:
            self.move(1)
        elif action == inp.ADVANCE and self.buttons and self.buttons[self.focus].enabled:
            return self.buttons[self.focus].key
        elif action == inp.CLICK:
            i = self.hit(event.pos)
            if i is not None:
                self.focus = i
                return self.buttons[i].key
        return None

    def draw(self, surface: pygame.Surface, text: UiText) -> None:
        """Draw every button, the focused one highlighted."""
        for i, button in enumerate(self.buttons):
            button.draw(surface, text, i == self.focus)


def column_menu(
    items: Sequence[tuple[str, str, bool]],
    center_x: int,
    top: int,
    width: int = 320,
    height: int = 52,
    gap: int = 6,
) -> Menu:
    """A vertical menu from (key, label, enabled) items, centred on `center_x`."""
    buttons = [
        Button(key, label, pygame.Rect(center_x - width // 2, top + i * (height + gap), width, height), enabled)
        for i, (key, label, enabled) in enumerate(items)
    ]
    return Menu(buttons)


def readable_color(color: tuple[int, int, int]) -> tuple[int, int, int]:
    """The character's colour, lifted if it is too dark to read on the dark plate."""
    luma = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]
    if luma >= 110:
        return color
    lift = (110 - luma) / 255
    return tuple(min(255, round(c + (255 - c) * lift * 1.6)) for c in color)  # type: ignore[return-value]
