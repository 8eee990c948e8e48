"""Live reload in the player: the diagnostics overlay and the watching loop.

`draw_diagnostics` paints a save's errors over the frame: for each one
`file:line:col: message [CODE]`, the source line, and a caret under the
column, with the story's own fonts (engine.render.FontSet), so Japanese
source lines show as they are.

`DiagnosticsOverlay` is that drawing as the app's overlay (`App.set_overlay`)
while the last save is broken: drawn over every screen, taking no input, so
the reader keeps playing the last good version underneath.

`LiveReload(app, source).start()` sets up `play --watch` with the app's own
hooks: `app.every` ticks an `engine.reload.WatchController`, a good save is
shown with `app.story_replaced` at the relocated message, a broken one with
the overlay (cleared by the next good save). A save that looks half-written
(a block left open, a cut last line, new errors) is held by the controller
until the files stay unchanged for `engine.reload.GRACE` seconds, so the
overlay never flashes up for the first half of a two-step write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pygame

from engine.app.i18n import register, tr
from engine.model import Diagnostic
from engine.reload import DEFAULT_INTERVAL, ReloadEvent, WatchController, read_script_text
from engine.runtime import NOTE_NEW_LINES

# The diagnostics themselves stay in English (they are `chatlog-vn check`'s
# words, for the writer); the heading says so in the interface language.
register({
    "en": {
        "reload_failed": "Script errors: {count} in the last save; still playing the version before it",
        "reload_more": "… and {count} more (run chatlog-vn check)",
        "reloaded": "Reloaded: {files}",
        "reloaded_plain": "Reloaded",
        "reload_fixed": "Errors fixed: {files}",
        "reload_fixed_plain": "Errors fixed",
        "reload_new_lines": " (showing the lines added)",
    },
    "ja": {
        "reload_failed": "スクリプトのエラー (Script errors)：{count} 件。ひとつ前の版で再生中です（内容は英語で表示）",
        "reload_more": "…ほか {count} 件（chatlog-vn check で確認）",
        "reloaded": "再読み込みしました：{files}",
        "reloaded_plain": "再読み込みしました",
        "reload_fixed": "エラーが解消されました：{files}",
        "reload_fixed_plain": "エラーが解消されました",
        "reload_new_lines": "（追加した行から表示）",
    },
})

PANEL = (24, 12, 16, 232)
BORDER = (220, 90, 100)
TITLE = (255, 214, 214)
MESSAGE = (255, 160, 160)
SOURCE = (236, 234, 240)
CARET = (255, 110, 110)
MAX_SHOWN = 4


def source_line(file: str, line: int) -> str | None:
    """Line `line` (1-based) of a file as the parser numbered it, or None if unreadable."""
    try:
        text = read_script_text(file)
    except OSError:
        return None
    lines = text.split("\n") if text is not None else []
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


class DiagnosticsOverlay:
    """The errors of a broken save, drawn over every screen (App.set_overlay).

    It takes no input: the reader keeps playing the last good version
    under it. The panel is drawn once and then blitted, so a typewriter or
    an animation under it costs one blit per frame.
    """

    def __init__(self, fonts: Any, diagnostics: Sequence[Diagnostic] = ()) -> None:
        self.fonts = fonts
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        self._panel: tuple[tuple[int, int], pygame.Surface, pygame.Rect] | None = None

    def draw(self, surface: pygame.Surface) -> pygame.Rect:
        """Paint the panel over `surface`; returns the rectangle it covers."""
        size = surface.get_size()
        if self._panel is None or self._panel[0] != size:
            layer = pygame.Surface(size, pygame.SRCALPHA)
            rect = draw_diagnostics(layer, self.diagnostics, self.fonts)
            self._panel = (size, layer.subsurface(rect).copy(), rect)
        _, panel, rect = self._panel
        surface.blit(panel, rect)
        return rect


class LiveReload:
    """`play --watch`: reload the story on saves, through the app's own hooks.

    `start()` registers a WatchController tick with `app.every`; a good save
    is swapped in by `session.replace_story` (in the controller) and shown
    with `app.story_replaced`, a broken one as a DiagnosticsOverlay
    (`app.set_overlay`) until a save fixes it.
    """

    def __init__(self, app: Any, source: Path | str, interval: float = DEFAULT_INTERVAL) -> None:
        self.app = app
        self.controller = WatchController(app.session, source, interval=interval, clock=app.clock)
        self.interval = interval
        self.overlay: DiagnosticsOverlay | None = None
        self.broken: tuple[str, ...] = ()  # the files the overlay's errors are in
        self.events: list[ReloadEvent] = []  # what happened, for tests and --benchmark

    def start(self) -> LiveReload:
        """Poll the story's files from the app's loop from now on."""
        self.app.every(self.interval, self.tick)
        return self

    def tick(self) -> ReloadEvent | None:
        """One poll: on a settled save, reload and show the outcome."""
        event = self.controller.tick()
        if event is not None:
            self.apply(event)
        return event

    def apply(self, event: ReloadEvent) -> None:
        """Show a reload's outcome: the overlay for a broken save, else the new version."""
        self.events.append(event)
        app = self.app
        if event.kind == "failed":
            self.overlay = DiagnosticsOverlay(app.session.fonts, event.diagnostics)
            self.broken = tuple(dict.fromkeys(Path(d.pos.file).name for d in event.diagnostics))
            app.set_overlay(self.overlay)
            return
        fixed = self.overlay is not None
        if fixed:
            app.set_overlay(None)
            self.overlay = None
        app.story_replaced(self.reload_text(event, fixed))

    def reload_text(self, event: ReloadEvent, fixed: bool) -> str:
        """The toast after a good save: the files it changed, or that the errors are gone.

        A save that only undoes a broken one changes nothing against the last
        good version, so the files come from the errors it fixed.
        """
        files = [Path(f).name for f in event.changed_files] or (list(self.broken) if fixed else [])
        names = ", ".join(files)
        if fixed:
            text = tr("reload_fixed", files=names) if names else tr("reload_fixed_plain")
        else:
            text = tr("reloaded", files=names) if names else tr("reloaded_plain")
        if event.note == NOTE_NEW_LINES:
            text += tr("reload_new_lines")
        return text
