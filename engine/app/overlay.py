"""Live reload in the player: the diagnostics overlay and the watching loop.

`draw_diagnostics` paints a save's errors over the frame: for each one
`file:line:col: message [CODE]`, the source line, and a caret under the
column, with the story's own fonts (engine.render.FontSet), so Japanese
source lines show as they are.

`DiagnosticsOverlay` is that drawing as a see-through screen kept on top of
the stack while the last save is broken. It passes every input event and
timer to the screen below it, so the reader keeps playing the last good
version underneath.

`LiveReload(app, source).run()` replaces `app.run()` for `play --watch`: the
same loop, waking at least every poll interval to tick an
`engine.reload.WatchController`, then showing the new version at the
relocated message (or the overlay, or clearing it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pygame

from engine.app.i18n import register, tr
from engine.app.screen import Screen
from engine.model import Diagnostic
from engine.reload import DEFAULT_INTERVAL, ReloadEvent, WatchController

register({
    "en": {
        "reload_failed": "The last save has {count} error(s); still playing the version before it",
        "reload_more": "… and {count} more (run chatlog-vn check)",
        "reloaded": "Reloaded: {files}",
    },
    "ja": {
        "reload_failed": "保存した台本にエラーが {count} 件あります（ひとつ前の版で再生中）",
        "reload_more": "…ほか {count} 件（chatlog-vn check で確認）",
        "reloaded": "再読み込みしました：{files}",
    },
})

PANEL = (24, 12, 16, 232)
BORDER = (220, 90, 100)
TITLE = (255, 214, 214)
MESSAGE = (255, 160, 160)
SOURCE = (236, 234, 240)
CARET = (255, 110, 110)
MAX_SHOWN = 4
_NEWLINES = re.compile(r"\r\n|\r|\n")


def source_line(file: str, line: int) -> str | None:
    """Line `line` (1-based) of a file as the parser numbered it, or None if unreadable."""
    try:
        data = Path(file).read_bytes()
    except OSError:
        return None
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("utf-8", errors="replace")
    lines = _NEWLINES.split(text)
    return lines[line - 1] if 0 < line <= len(lines) else None


def draw_text(surface: pygame.Surface, fonts: Any, text: str, pos: tuple[float, float],
              size: float, color: tuple[int, int, int], max_width: float | None = None) -> float:
    """Draw one line of text with a FontSet at `pos` (top left); returns its width.

    Characters no font has show as boxes, as in the text box. Text past
    `max_width` is cut with an ellipsis.
    """
    x0, top = pos
    baseline = top + fonts.ascent(size)
    pen = 0.0
    ellipsis = fonts.measure("…", size)
    for i, ch in enumerate(text):
        advance = fonts.measure(ch, size)
        if max_width is not None and pen + advance > max_width - (ellipsis if i < len(text) - 1 else 0):
            ch, advance = "…", ellipsis
        img = fonts.render_glyph(ch, size, color)
        surface.blit(img.surface, (round(x0 + pen + img.dx), round(baseline - img.dy)))
        pen += advance
        if ch == "…" and max_width is not None and pen >= max_width - ellipsis:
            break
    return pen


def visible_source(fonts: Any, line: str, col: int, size: float, width: float) -> tuple[str, int]:
    """The part of a long source line to show so that column `col` is on screen.

    Returns the text and the caret's 1-based column within it; cut text
    at the start is marked with an ellipsis.
    """
    line = line.replace("\t", "    ")[:2000]
    col = max(1, min(col, len(line) + 1))
    start = 0
    while start < col - 1 and fonts.measure(line[start:col - 1], size) > width * 0.6:
        start += max(1, (col - 1 - start) // 4)
    if start == 0:
        return line, col
    return "…" + line[start:], col - start + 1


def _diagnostic_block(surface: pygame.Surface, fonts: Any, d: Diagnostic, x: float, y: float,
                      width: float, size: float, source: Callable[[str, int], str | None]) -> float:
    """One diagnostic: the gcc-style line, the source line and a caret; returns the new y."""
    pitch = round(size * 1.45)
    head = f"{Path(d.pos.file).name}:{d.pos.line}:{d.pos.col}: {d.message} [{d.code}]"
    draw_text(surface, fonts, head, (x, y), size, MESSAGE, width)
    y += pitch
    text = source(d.pos.file, d.pos.line)
    if text is None:
        return y + pitch // 3
    shown, col = visible_source(fonts, text, d.pos.col, size, width - 24)
    draw_text(surface, fonts, shown, (x + 24, y), size, SOURCE, width - 24)
    caret_x = x + 24 + fonts.measure(shown[: col - 1], size)
    under = fonts.measure(shown[col - 1: col] or " ", size)
    y += pitch
    tip = (caret_x + under / 2, y - round(size * 0.2))
    pygame.draw.polygon(surface, CARET, [tip, (tip[0] - size * 0.3, y + size * 0.3),
                                         (tip[0] + size * 0.3, y + size * 0.3)])
    pygame.draw.line(surface, CARET, (caret_x, y - round(size * 0.25)),
                     (caret_x + under, y - round(size * 0.25)), 2)
    return y + round(size * 0.6)


def draw_diagnostics(surface: pygame.Surface, diagnostics: Sequence[Diagnostic], fonts: Any, *,
                     size: float = 20, margin: int = 32,
                     source: Callable[[str, int], str | None] = source_line) -> pygame.Rect:
    """Draw the overlay panel at the top of `surface`; returns the rectangle it covers."""
    width = surface.get_width() - 2 * margin
    pad = round(size * 0.9)
    shown = list(diagnostics[:MAX_SHOWN])
    pitch = round(size * 1.45)
    height = pad * 2 + pitch + len(shown) * (2 * pitch + round(size * 0.9))
    if len(diagnostics) > MAX_SHOWN:
        height += pitch
    rect = pygame.Rect(margin, margin, width, min(height, surface.get_height() - 2 * margin))
    panel = pygame.Surface(rect.size, pygame.SRCALPHA)
    panel.fill(PANEL)
    pygame.draw.rect(panel, BORDER, panel.get_rect(), width=2)
    surface.blit(panel, rect)
    x, y = rect.x + pad, rect.y + pad
    inner = rect.width - 2 * pad
    draw_text(surface, fonts, tr("reload_failed", count=len(diagnostics)), (x, y), size, TITLE, inner)
    y += pitch + round(size * 0.4)
    for d in shown:
        y = _diagnostic_block(surface, fonts, d, x, y, inner, size, source)
    if len(diagnostics) > MAX_SHOWN:
        draw_text(surface, fonts, tr("reload_more", count=len(diagnostics) - MAX_SHOWN),
                  (x, y), size, MESSAGE, inner)
    return rect


class DiagnosticsOverlay(Screen):
    """The errors of a broken save, drawn over the frame; input goes to the screen below."""

    opaque = False

    def __init__(self, app: Any, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(app)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)

    def below(self) -> Screen | None:
        """The screen under this one (the one that plays on)."""
        screens = self.app.screens
        i = screens.index(self) if self in screens else len(screens)
        return screens[i - 1] if i > 0 else None

    def handle(self, event: pygame.event.Event) -> None:
        under = self.below()
        if under is not None:
            under.handle(event)

    def wake_in(self) -> float | None:
        under = self.below()
        return None if under is None else under.wake_in()

    def draw(self, surface: pygame.Surface) -> list[pygame.Rect] | None:
        draw_diagnostics(surface, self.diagnostics, self.session.fonts)
        return None


class LiveReload:
    """`play --watch`: the app's loop plus a WatchController tick every `interval` seconds."""

    def __init__(self, app: Any, source: Path | str, interval: float = DEFAULT_INTERVAL) -> None:
        self.app = app
        self.controller = WatchController(app.session, source, interval=interval, clock=app.clock)
        self.interval = interval
        self.overlay: DiagnosticsOverlay | None = None
        self.events: list[ReloadEvent] = []  # what happened, for tests and --benchmark
        story = app.session.story
        self._fonts = (story.font, tuple(story.fallback_fonts))

    def run(self) -> int:
        """Loop until the app quits; returns its exit code."""
        app = self.app
        app.running = True
        app._last_update = app.clock()  # as App.run does, so the first frame's dt is small
        while app.running:
            self.step()
        return app.exit_code

    def step(self) -> ReloadEvent | None:
        """One loop turn of the app (waiting at most one interval), then one watch tick."""
        self.app.step(max_wait=self.interval)
        event = self.controller.tick()
        if event is not None:
            self.apply(event)
        self._keep_overlay_on_top()
        return event

    def apply(self, event: ReloadEvent) -> None:
        """Show a reload's outcome: the overlay for a broken save, else the new version."""
        self.events.append(event)
        app = self.app
        if event.kind == "failed":
            if self.overlay is None or self.overlay not in app.screens:
                self.overlay = DiagnosticsOverlay(app, event.diagnostics)
                app.push(self.overlay)
            else:
                self.overlay.diagnostics = event.diagnostics
            app.dirty = True
            return
        if self.overlay is not None:
            app.pop(self.overlay)
            self.overlay = None
        self._forget_story_caches()
        if app.reading_screen() is not None:
            app.start_reading()  # the view again, at the runtime's (relocated) cursor
        names = ", ".join(Path(f).name for f in event.changed_files) or "—"
        app.toast(tr("reloaded", files=names))

    def _forget_story_caches(self) -> None:
        """Drop what the session built from the old story (the frame; fonts if they changed)."""
        session = self.app.session
        fonts = (session.story.font, tuple(session.story.fallback_fonts))
        if fonts != self._fonts:
            session._fonts = session._renderer = session._ui_text = None
            self._fonts = fonts
        session._frame = None

    def _keep_overlay_on_top(self) -> None:
        # A menu opened while the overlay shows goes above it; lift the overlay back
        # over it so the errors stay visible (it forwards input to that menu).
        screens = self.app.screens
        if self.overlay is not None and self.overlay in screens and screens[-1] is not self.overlay:
            screens.remove(self.overlay)
            screens.append(self.overlay)
            self.app.dirty = True
