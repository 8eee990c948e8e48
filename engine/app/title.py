"""The title screen and the scene list it opens.

Title: the story's title over its first background, and Start, Continue (the
newest usable save; damaged files are passed over), Load, Scenes, Settings,
Quit. Scenes: one entry per LOG block, titled by its date/time and first
line, that starts reading there.
"""

from __future__ import annotations

import pygame

from engine.app import input as inp
from engine.app.app import CANVAS
from engine.app.i18n import tr
from engine.app.screen import Screen
from engine.app.ui import THEME, Button, Menu, column_menu, draw_panel
from engine.model import SceneRef

TITLE_ITEMS = ("start", "continue", "load", "scenes", "settings", "quit")
# The title block and the menu panel share the height with even margins
# above the title and below the panel (the panel used to end 16 px from the edge).
TITLE_Y, RULE_Y, MENU_TOP, ITEM_HEIGHT = 150, 206, 262, 50
PANEL_PAD = (48, 40)


class TitleScreen(Screen):
    """The first screen: the story's name and where to begin."""

    def __init__(self, app) -> None:
        super().__init__(app)
        self._backdrop: pygame.Surface | None = None
        self.menu = self._build_menu()

    def _build_menu(self) -> Menu:
        can_continue = self.session.latest_save() is not None
        items = [(key, tr(key), key != "continue" or can_continue) for key in TITLE_ITEMS]
        return column_menu(items, CANVAS[0] // 2, MENU_TOP, width=340, height=ITEM_HEIGHT)

    def panel_rect(self) -> pygame.Rect:
        """The quiet panel behind the menu."""
        rects = [b.rect for b in self.menu.buttons]
        return rects[0].unionall(rects[1:]).inflate(*PANEL_PAD)

    def on_resume(self) -> None:
        # A save may have been made or deleted, or the language changed.
        focus = self.menu.focus
        self.menu = self._build_menu()
        self.menu.focus = focus if self.menu.buttons[focus].enabled else self.menu.focus
        self._backdrop = None

    def handle(self, event: pygame.event.Event) -> bool | None:
        before = self.menu.focus
        chosen = self.menu.handle(event)
        if chosen is not None:
            self.choose(chosen)
        elif event.type == pygame.MOUSEMOTION:
            return self.menu.focus != before
        return None

    def choose(self, key: str) -> None:
        """Act on a title menu item."""
        app, s = self.app, self.session
        if key == "start":
            s.auto = s.skip = False
            app.start_reading(s.runtime.first)
        elif key == "continue":
            data = s.latest_save()
            if data is not None:
                app.load_game(data)
        elif key == "quit":
            app.quit(0)
        else:
            app.open(key)

    def _draw_backdrop(self) -> pygame.Surface:
        story = self.session.story
        first = story.scenes[0].config.background if story.scenes else None
        surface = self.session.assets.background(first, CANVAS).copy()
        veil = pygame.Surface(CANVAS, pygame.SRCALPHA)
        veil.fill((8, 8, 20, 110))
        surface.blit(veil, (0, 0))
        text = self.session.ui_text
        title = text.fit(story.title, THEME.title_size, CANVAS[0] - 160)
        text.draw(surface, title, (CANVAS[0] // 2, TITLE_Y), THEME.title_size, THEME.text, "center",
                  shadow=True)
        line = pygame.Rect(0, 0, 220, 2)
        line.center = (CANVAS[0] // 2, RULE_Y)
        pygame.draw.rect(surface, THEME.accent, line)
        # A quiet panel behind the menu keeps it legible over a busy background.
        draw_panel(surface, self.panel_rect(), alpha=150)
        return surface

    def draw(self, surface: pygame.Surface) -> None:
        if self._backdrop is None:
            self._backdrop = self._draw_backdrop()
        surface.blit(self._backdrop, (0, 0))
        self.menu.draw(surface, self.session.ui_text)


def scene_label(ref: SceneRef, story) -> tuple[str, str]:
    """A scene's list entry: its date/time title and its first line."""
    messages = ref.scene.messages
    if not messages:
        return ref.scene.title, ""
    first = messages[0]
    who = story.character(first.speaker)
    name = who.name if who is not None else (first.speaker or "")
    line = first.text.replace("\n", " ")
    return ref.scene.title, f"{name}「{line}」" if name else line


class _SceneRows:
    """The scene list's rows (scene index, title, first line), each made when first
    shown: a row's first line needs its scene's messages, which the parser builds
    only on first use, so a list of thousands of scenes costs what one page shows."""

    def __init__(self, story) -> None:
        self.story = story
        self.refs = [ref for ref in story.scenes if ref.scene.messages]  # len() builds nothing
        self.rows: dict[int, tuple[int, str, str]] = {}

    def __len__(self) -> int:
        return len(self.refs)

    def __getitem__(self, at):  # an index or a slice, as on a list
        if isinstance(at, slice):
            return [self.row(i) for i in range(*at.indices(len(self.refs)))]
        return self.row(range(len(self.refs))[at])

    def row(self, i: int) -> tuple[int, str, str]:
        found = self.rows.get(i)
        if found is None:
            ref = self.refs[i]
            found = self.rows[i] = (ref.index, *scene_label(ref, self.story))
        return found


class SceneSelectScreen(Screen):
    """Every scene in play order; choosing one starts reading at its first message."""

    PER_PAGE = 8
    ROW_H = 60

    def __init__(self, app) -> None:
        super().__init__(app)
        story = self.session.story
        self.entries = _SceneRows(story)
        self.first = 0
        self.menu = self._build_menu(0)

    def _build_menu(self, focus: int) -> Menu:
        rows = self.entries[self.first:self.first + self.PER_PAGE]
        buttons = [
            Button(str(index), "", pygame.Rect(140, 150 + i * self.ROW_H, CANVAS[0] - 280, self.ROW_H - 6))
            for i, (index, _, _) in enumerate(rows)
        ]
        buttons.append(Button("close", tr("close"), pygame.Rect(CANVAS[0] // 2 - 120, 650, 240, 48)))
        menu = Menu(buttons)
        menu.focus = min(focus, len(buttons) - 1)
        return menu

    def scroll(self, rows: int) -> None:
        """Move the list by `rows` entries (wheel, Page keys)."""
        last = max(0, len(self.entries) - self.PER_PAGE)
        first = min(max(0, self.first + rows), last)
        if first != self.first:
            self.first = first
            self.menu = self._build_menu(self.menu.focus)

    def handle(self, event: pygame.event.Event) -> None:
        action = inp.action_for(event)
        if action == inp.MENU:
            self.app.pop(self)
            return
        if action in (inp.WHEEL_UP, inp.WHEEL_DOWN):
            self.scroll(-1 if action == inp.WHEEL_UP else 1)
            return
        at_edge = self.menu.focus in (0, len(self.menu.buttons) - 2)
        if action in (inp.UP, inp.DOWN) and at_edge:
            before = self.first
            self.scroll(-1 if action == inp.UP else 1)
            if self.first != before:
                return
        chosen = self.menu.handle(event)
        if chosen == "close":
            self.app.pop(self)
        elif chosen is not None:
            start = self.session.runtime.scene_start(int(chosen))
            self.session.auto = self.session.skip = False
            self.app.start_reading(start)

    def draw(self, surface: pygame.Surface) -> None:
        s = self.session
        surface.blit(s.assets.background(None, CANVAS), (0, 0))
        text = s.ui_text
        text.draw(surface, tr("scene_list"), (CANVAS[0] // 2, 80), 40, THEME.text, "center", True)
        rows = self.entries[self.first:self.first + self.PER_PAGE]
        for i, (button, (_, title, line)) in enumerate(zip(self.menu.buttons, rows, strict=False)):
            focused = i == self.menu.focus
            draw_panel(surface, button.rect, alpha=230 if focused else 150,
                       color=THEME.hover if focused else THEME.panel,
                       border=THEME.accent if focused else THEME.border)
            text.draw(surface, title, (button.rect.x + 20, button.rect.centery), 22, THEME.accent,
                      "midleft")
            room = button.rect.width - 300
            text.draw(surface, text.fit(line, 22, room), (button.rect.x + 270, button.rect.centery),
                      22, THEME.text, "midleft")
        self.menu.buttons[-1].draw(surface, text, self.menu.focus == len(self.menu.buttons) - 1)
        if len(self.entries) > self.PER_PAGE:
            info = f"{self.first + 1}–{self.first + len(rows)} / {len(self.entries)}"
            text.draw(surface, info, (CANVAS[0] - 140, 120), THEME.small_size, THEME.dim, "midright")
