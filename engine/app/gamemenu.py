"""The Esc game menu, and the chrome the menu screens share.

The game menu (Save, Load, Settings, Title, Quit, and Return) opens over the
reading screen; Title and Quit ask first. The shared pieces used by the
backlog, save/load and settings screens live here too, so every menu screen
has the same look:

- `backdrop(app, screen)`: the screen underneath, softly blurred and darkened,
  drawn once when a menu opens;
- `draw_header(surface, text, title)`: the page title with its accent rule;
- `ConfirmScreen`: a small Yes/No dialog pushed over any screen.
"""

from __future__ import annotations

from collections.abc import Callable

import pygame

from engine.app import input as inp
from engine.app.app import CANVAS
from engine.app.i18n import register, tr
from engine.app.screen import Screen
from engine.app.ui import THEME, Button, Menu, UiText, column_menu, draw_panel

register({
    "ja": {
        "menu_title": "メニュー",
        "menu_return": "ゲームに戻る",
        "confirm_title": "タイトル画面に戻りますか？",
        "confirm_quit": "ゲームを終了しますか？",
        "confirm_note": "現在の位置はオートセーブされます",
        "yes": "はい",
        "no": "いいえ",
        "anki": "Anki に書き出す",
        "anki_written": "{n} 枚のカードを書き出しました：{path}",
        "anki_none": "この作品のカードはまだありません（単語をクリックして C で追加）",
        "anki_failed": "書き出せませんでした：{why}",
    },
    "en": {
        "menu_title": "Menu",
        "menu_return": "Return",
        "confirm_title": "Return to the title screen?",
        "confirm_quit": "Quit the game?",
        "confirm_note": "Your place is saved automatically",
        "yes": "Yes",
        "no": "No",
        "anki": "Export to Anki",
        "anki_written": "{n} cards written to {path}",
        "anki_none": "No cards from this story yet (click a word, then C to add one)",
        "anki_failed": "Cannot write the deck: {why}",
    },
})

BLUR_SCALE = 8  # the backdrop is shrunk by this much and stretched back: a cheap soft blur
VEIL = (10, 10, 22, 150)
HEADER_SIZE = 40
MENU_ITEMS = ("save", "load", "settings", "anki", "title", "quit", "menu_return")


# --- shared chrome ---------------------------------------------------------------


def backdrop(app, screen: Screen, veil: tuple[int, int, int, int] = VEIL) -> pygame.Surface:
    """What lies under `screen` (from the topmost opaque screen below it), blurred and veiled.

    Menus drawn on such a backdrop themselves (`on_backdrop`, as the game
    menu is under Save, Load and Settings) are passed over: the backdrop is
    the reading frame or the title, never a ghost of another menu.
    Drawn once when a menu opens, so the menu itself costs one blit per frame.
    """
    surface = pygame.Surface(CANVAS)
    below = [s for s in app.screens if s is not screen]
    base = next((s for s in reversed(below)
                 if s.opaque and not getattr(s, "on_backdrop", False)), None)
    if base is None:
        surface.blit(app.session.assets.background(None, CANVAS), (0, 0))
    else:
        base.draw(surface)
    small = pygame.transform.smoothscale(surface, (CANVAS[0] // BLUR_SCALE, CANVAS[1] // BLUR_SCALE))
    surface = pygame.transform.smoothscale(small, CANVAS)
    shade = pygame.Surface(CANVAS, pygame.SRCALPHA)
    shade.fill(veil)
    surface.blit(shade, (0, 0))
    return surface


def draw_header(surface: pygame.Surface, text: UiText, title: str, x: int = 80, y: int = 58) -> pygame.Rect:
    """The page title at the top left, underlined with a short accent rule."""
    rect = text.draw(surface, title, (x, y), HEADER_SIZE, THEME.text, "midleft", shadow=True)
    pygame.draw.rect(surface, THEME.accent, pygame.Rect(x, rect.bottom + 4, 56, 3))
    pygame.draw.rect(surface, THEME.border, pygame.Rect(x + 64, rect.bottom + 5, 200, 1))
    return rect


def close_button(label: str | None = None) -> Button:
    """The "back" button every menu screen has at its lower right."""
    return Button("close", label or tr("back"), pygame.Rect(CANVAS[0] - 240, CANVAS[1] - 66, 180, 46),
                  size=THEME.small_size + 4)


def draw_button_box(surface: pygame.Surface, text: UiText, button: Button, focused: bool,
                    selected: bool = False) -> None:
    """A framed button (tabs, segments, back): accent frame when selected, hover when focused."""
    fill = THEME.hover if focused and button.enabled else THEME.panel
    alpha = 235 if focused or selected else 170
    border = THEME.accent if selected else THEME.border
    draw_panel(surface, button.rect, alpha=alpha, color=fill, border=border, radius=THEME.radius // 2)
    if selected:
        pygame.draw.rect(surface, THEME.accent, button.rect, 2, THEME.radius // 2)
    color = THEME.accent if selected else THEME.text if button.enabled else THEME.disabled
    text.draw(surface, button.label, button.rect.center, button.size, color, "center")


# --- the confirmation dialog ---------------------------------------------------------


VEIL_ALPHA = 170  # how dark the screen behind a confirmation dialog gets


class ConfirmScreen(Screen):
    """A Yes/No question over the screen below; `on_yes` runs after the dialog closes."""

    opaque = False
    WIDTH, HEIGHT = 600, 250

    def __init__(self, app, question: str, on_yes: Callable[[], None], note: str = "") -> None:
        super().__init__(app)
        self.question = question
        self.note = note
        self.on_yes = on_yes
        self.panel = pygame.Rect(0, 0, self.WIDTH, self.HEIGHT)
        self.panel.center = (CANVAS[0] // 2, CANVAS[1] // 2)
        y = self.panel.bottom - 76
        cx = self.panel.centerx
        self.menu = Menu([
            Button("yes", tr("yes"), pygame.Rect(cx - 190, y, 170, 50)),
            Button("no", tr("no"), pygame.Rect(cx + 20, y, 170, 50)),
        ], focus=1, horizontal=True)
        # The screen below (often the game menu, whose items sit right behind
        # the dialog) is dimmed well down, and the dialog itself is opaque:
        # nothing behind it may read through between its question and buttons.
        self._veil = pygame.Surface(CANVAS, pygame.SRCALPHA)
        self._veil.fill((0, 0, 0, VEIL_ALPHA))

    def handle(self, event: pygame.event.Event) -> bool | None:
        if inp.action_for(event) == inp.MENU:
            self.app.pop(self)
            return None
        focus = self.menu.focus
        chosen = self.menu.handle(event)
        if event.type == pygame.MOUSEMOTION:
            return self.menu.focus != focus  # redraw only when the highlight moved
        if chosen == "no":
            self.app.pop(self)
        elif chosen == "yes":
            self.app.pop(self)
            self.on_yes()
        return None

    def draw(self, surface: pygame.Surface) -> None:
        text = self.session.ui_text
        surface.blit(self._veil, (0, 0))
        draw_panel(surface, self.panel, alpha=255, border=THEME.accent)
        top = self.panel.y + (58 if self.note else 70)
        text.draw(surface, text.fit(self.question, THEME.label_size, self.WIDTH - 60),
                  (self.panel.centerx, top), THEME.label_size, THEME.text, "center")
        if self.note:
            text.draw(surface, text.fit(self.note, THEME.small_size, self.WIDTH - 60),
                      (self.panel.centerx, top + 42), THEME.small_size, THEME.dim, "center")
        for i, button in enumerate(self.menu.buttons):
            draw_button_box(surface, text, button, i == self.menu.focus)


# --- the game menu -----------------------------------------------------------------------


def export_deck(app) -> None:
    """The menu's "Export cards": this story's mined cards as an Anki deck (a toast says
    where, or why not)."""
    from engine.learn.extra import LearnUnavailable

    try:
        path, count = app.session.learner.write_deck()
    except LearnUnavailable as exc:
        app.toast(tr("anki_failed", why=exc), seconds=6.0)
        return
    except OSError as exc:
        app.toast(tr("anki_failed", why=exc.strerror or exc), seconds=6.0)
        return
    app.toast(tr("anki_written", n=count, path=path) if count else tr("anki_none"), seconds=6.0)


class GameMenuScreen(Screen):
    """Esc while reading: Save, Load, Settings, Title, Quit; Esc or Return goes back."""

    on_backdrop = True  # drawn over backdrop(): menus opened from it look past it

    def __init__(self, app) -> None:
        super().__init__(app)
        self._backdrop: pygame.Surface | None = None
        self.menu = self._build_menu()

    def _build_menu(self, focus: int = 0) -> Menu:
        reading = self.app.reading_screen() is not None
        items = [(key, tr(key), key != "save" or reading) for key in MENU_ITEMS]
        menu = column_menu(items, CANVAS[0] // 2, 214, width=340, height=52, gap=8)
        menu.focus = focus if menu.buttons[focus].enabled else menu.focus
        return menu

    def on_enter(self) -> None:
        self._backdrop = backdrop(self.app, self)

    def on_resume(self) -> None:
        # Settings may have switched the language; the labels follow.
        self.menu = self._build_menu(self.menu.focus)
        self._backdrop = backdrop(self.app, self)

    def handle(self, event: pygame.event.Event) -> bool | None:
        if inp.action_for(event) == inp.MENU:
            self.app.pop(self)
            return None
        focus = self.menu.focus
        chosen = self.menu.handle(event)
        if chosen is not None:
            self.choose(chosen)
        if event.type == pygame.MOUSEMOTION:
            return self.menu.focus != focus  # redraw only when the highlight moved
        return None

    def choose(self, key: str) -> None:
        """Act on a menu item; Title and Quit ask before they act."""
        app = self.app
        if key == "menu_return":
            app.pop(self)
        elif key == "title":
            app.push(ConfirmScreen(app, tr("confirm_title"), app.go_title, tr("confirm_note")))
        elif key == "anki":
            export_deck(app)
        elif key == "quit":
            app.push(ConfirmScreen(app, tr("confirm_quit"), lambda: app.quit(0), tr("confirm_note")))
        else:
            app.open(key)

    def draw(self, surface: pygame.Surface) -> None:
        if self._backdrop is None:
            self._backdrop = backdrop(self.app, self)
        surface.blit(self._backdrop, (0, 0))
        text = self.session.ui_text
        first, last = self.menu.buttons[0].rect, self.menu.buttons[-1].rect
        panel = pygame.Rect(0, 0, 440, last.bottom - first.top + 168)
        panel.midtop = (CANVAS[0] // 2, first.top - 110)
        draw_panel(surface, panel, alpha=200)
        text.draw(surface, tr("menu_title"), (panel.centerx, panel.y + 50), 34, THEME.text,
                  "center", shadow=True)
        rule = pygame.Rect(0, 0, 56, 3)
        rule.center = (panel.centerx, panel.y + 80)
        pygame.draw.rect(surface, THEME.accent, rule)
        self.menu.draw(surface, text)
        story = self.session.story.title
        text.draw(surface, text.fit(story, THEME.small_size, 400), (panel.centerx, panel.bottom - 28),
                  THEME.small_size, THEME.dim, "center")
