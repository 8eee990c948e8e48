"""The Save and Load screens: numbered slots on pages, plus the quick and auto slots.

Each slot card shows the thumbnail saved with it, the date, the scene and
the line of text. An empty slot says so; a damaged or foreign file shows as
damaged, with the reason in small print, and cannot be loaded (saving over
it is allowed, after a confirmation like any occupied slot). The Load
screen has a tab of its own for the quick save and the autosave.

Slots are read from disk only when a page is shown, never per frame.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pygame

from engine.app import input as inp
from engine.app.app import CANVAS, note_text
from engine.app.gamemenu import ConfirmScreen, backdrop, close_button, draw_button_box, draw_header
from engine.app.i18n import register, tr
from engine.app.screen import Screen
from engine.app.ui import THEME, Button, UiText, draw_panel
from engine.runtime import script_path
from engine.saves import Damaged, SaveData, Slot

register({
    "ja": {
        "slot_no": "No.{n:02d}",
        "slot_quick": "クイック",
        "slot_auto": "オート",
        "slot_empty": "空きスロット",
        "slot_damaged": "破損したデータ",
        "slot_special_tab": "クイック／オート",
        "slot_page": "ページ {n} / {total}",
        "slot_hint": "←→ ページ切り替え　Delete 削除",
        "confirm_overwrite": "No.{n:02d} に上書きしますか？",
        "confirm_delete": "No.{n:02d} のデータを削除しますか？",
        "saved_slot": "No.{n:02d} にセーブしました",
        "save_failed": "セーブできませんでした",
        "cannot_load_damaged": "壊れたデータは読み込めません",
        "save_foreign": "別の作品のセーブデータです",
        "damaged_unreadable": "ファイルの中身を読み取れません",
        "damaged_io": "ファイルを開けません",
        "damaged_not_save": "セーブデータではありません",
        "damaged_newer": "新しい版で作られたセーブです",
        "damaged_incomplete": "セーブの内容が欠けています",
        "damaged_other": "セーブを読み取れません",
    },
    "en": {
        "slot_no": "No.{n:02d}",
        "slot_quick": "Quick",
        "slot_auto": "Auto",
        "slot_empty": "Empty slot",
        "slot_damaged": "Damaged save",
        "slot_special_tab": "Quick / Auto",
        "slot_page": "Page {n} / {total}",
        "slot_hint": "←→ change page   Delete erase",
        "confirm_overwrite": "Overwrite No.{n:02d}?",
        "confirm_delete": "Delete the save in No.{n:02d}?",
        "saved_slot": "Saved to No.{n:02d}",
        "save_failed": "The game could not be saved",
        "cannot_load_damaged": "A damaged save cannot be loaded",
        "save_foreign": "This save belongs to another story",
        "damaged_unreadable": "The file's contents cannot be read",
        "damaged_io": "The file cannot be opened",
        "damaged_not_save": "Not a chatlog-vn save",
        "damaged_newer": "Made by a newer version",
        "damaged_incomplete": "Parts of the save are missing",
        "damaged_other": "The save cannot be read",
    },
})

# engine.saves words a damaged file's reason in English for the log and the
# writer; the player reads it through one of these kinds (the first matching
# fragment decides), with the English kept as small print below.
DAMAGED_KINDS: tuple[tuple[str, str], ...] = (
    ("not valid JSON", "damaged_unreadable"),
    ("not UTF-8", "damaged_unreadable"),
    ("too large", "damaged_unreadable"),
    ("nested too deeply", "damaged_unreadable"),
    ("cannot be read", "damaged_io"),
    ("not a chatlog-vn save", "damaged_not_save"),
    ("no valid format version", "damaged_not_save"),
    ("newer chatlog-vn", "damaged_newer"),
    ("missing field", "damaged_incomplete"),
    ("wrong type", "damaged_incomplete"),
    ("unknown view", "damaged_incomplete"),
    ("must be a number", "damaged_incomplete"),
    ("is not a date", "damaged_incomplete"),
)
PER_PAGE, COLS = 8, 4
CARD = (272, 248)
GRID = pygame.Rect(60, 118, CANVAS[0] - 120, 2 * CARD[1] + 18)
THUMB = (256, 144)
SPECIAL = -1  # the page index of the quick/auto tab
WARN = (236, 128, 128)

Content = SaveData | Damaged | None


def damaged_text(content: Damaged) -> tuple[str, str | None]:
    """Why a slot cannot be used, for the player: (in the interface language, technical detail).

    The detail is engine.saves' own English wording (None when the reason is
    already the player's words, as for another story's save).
    """
    if content.reason == tr("save_foreign"):
        return content.reason, None
    for fragment, key in DAMAGED_KINDS:
        if fragment in content.reason:
            return tr(key), content.reason
    return tr("damaged_other"), content.reason


def card_rect(index: int) -> pygame.Rect:
    """The rectangle of the `index`-th card on a page (four to a row)."""
    gap_x = (GRID.width - COLS * CARD[0]) // (COLS - 1)
    row, col = divmod(index, COLS)
    return pygame.Rect(GRID.x + col * (CARD[0] + gap_x), GRID.y + row * (CARD[1] + 18), *CARD)


class SaveLoadScreen(Screen):
    """Save (`mode="save"`) or Load (`mode="load"`) through the slot pages."""

    on_backdrop = True  # drawn over gamemenu.backdrop()

    def __init__(self, app, mode: str = "save") -> None:
        super().__init__(app)
        self.mode = mode if mode in ("save", "load") else "save"
        self.store = self.session.saves
        self.pages = self.store.pages(PER_PAGE)
        story = self.session.story
        self._scripts = {script_path(story, i) for i in range(len(story.scripts))}
        latest = self.store.latest()
        self.newest: Slot | None = None if latest is None else latest[0]  # gets a NEW badge
        self.page = self._first_page()
        self.slots: list[tuple[Slot, Content]] = []
        self.focus = 0
        self._thumbs: dict[tuple[Path, int], pygame.Surface | None] = {}
        self._backdrop: pygame.Surface | None = None
        self._hint_right = CANVAS[0] // 2 - 140  # where the footer's key hint ends (set by draw)
        self.tabs = self._build_tabs()
        self.close = close_button()
        self.refresh()

    # --- pages ----------------------------------------------------------------------

    def _first_page(self) -> int:
        """Load opens where the newest save is; Save opens on the first page."""
        slot = self.newest
        if self.mode == "save" or slot is None:
            return 0
        return SPECIAL if isinstance(slot, str) else (int(slot) - 1) // PER_PAGE

    def _build_tabs(self) -> list[Button]:
        keys: list[tuple[int, str]] = [(SPECIAL, tr("slot_special_tab"))] if self.mode == "load" else []
        keys += [(p, str(p + 1)) for p in range(self.pages)]
        x = CANVAS[0] - 60
        tabs: list[Button] = []
        for page, label in reversed(keys):
            width = 52 if page != SPECIAL else 180
            x -= width
            tabs.append(Button(str(page), label, pygame.Rect(x, 40, width, 40), size=THEME.small_size + 2))
            x -= 8
        tabs.reverse()
        return tabs

    def refresh(self) -> None:
        """Read the slots of the page shown (after a page change, a save or a delete)."""
        if self.page == SPECIAL:
            slots: list[Slot] = ["quick", "auto"]
            self.slots = [(slot, self._checked(self.store.read(slot))) for slot in slots]
        else:
            self.slots = [(slot, self._checked(data)) for slot, data in self.store.list(self.page, PER_PAGE)]
        self.focus = min(self.focus, max(0, len(self.slots) - 1))

    def _checked(self, data: Content) -> Content:
        """A save of another story (a shared --save-dir) is as unusable as a damaged one.

        A different story id alone is not enough (renaming the story changes
        it): the save must also name a script this story does not have.
        """
        foreign = (isinstance(data, SaveData) and data.story_id != self.session.story_id
                   and data.position.script_file not in self._scripts)
        return Damaged(tr("save_foreign")) if foreign else data

    def show_page(self, page: int) -> None:
        """Switch to a page (SPECIAL for quick/auto) if it exists."""
        lowest = SPECIAL if self.mode == "load" else 0
        if lowest <= page < self.pages and page != self.page:
            self.page = page
            self.refresh()

    def turn(self, step: int) -> None:
        """The next or previous page, wrapping around."""
        order = [SPECIAL] * (self.mode == "load") + list(range(self.pages))
        self.show_page(order[(order.index(self.page) + step) % len(order)])

    # --- lifecycle ------------------------------------------------------------------

    def on_enter(self) -> None:
        self._backdrop = backdrop(self.app, self)

    def on_resume(self) -> None:
        self.tabs = self._build_tabs()
        self.close = close_button()
        self.refresh()

    # --- input ----------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> bool | None:
        if event.type == pygame.MOUSEMOTION:
            hit = self.card_at(event.pos)
            if hit is None or hit == self.focus:
                return False  # nothing to redraw
            self.focus = hit
            return True
        if event.type == pygame.KEYDOWN and event.key in _KEY_PAGES:
            self.turn(_KEY_PAGES[event.key])
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_DELETE:
            self.ask_delete(self.focus)
            return
        action = inp.action_for(event)
        if action == inp.CLICK:
            self._click(event.pos)
        elif action == inp.MENU:
            self.app.pop(self)
        elif action in (inp.WHEEL_UP, inp.HISTORY):
            self.turn(-1)
        elif action in (inp.WHEEL_DOWN, inp.SKIP_TOGGLE):
            self.turn(1)
        elif action == inp.ADVANCE:
            self.choose(self.focus)
        elif action in _MOVES:
            self.move(*_MOVES[action])

    def move(self, dx: int, dy: int) -> None:
        """Arrow keys: move the focus on the grid; past the left or right edge turns the page."""
        if not self.slots:
            return
        row, col = divmod(self.focus, COLS)
        col += dx
        if col < 0 or col >= COLS:
            self.turn(-1 if col < 0 else 1)
            col %= COLS
        row = min(max(row + dy, 0), (len(self.slots) - 1) // COLS)
        self.focus = min(row * COLS + col, len(self.slots) - 1)

    def _click(self, pos: tuple[int, int]) -> None:
        if self.close.rect.collidepoint(pos):
            self.app.pop(self)
            return
        for tab in self.tabs:
            if tab.rect.collidepoint(pos):
                self.show_page(int(tab.key))
                return
        hit = self.card_at(pos)
        if hit is not None:
            self.focus = hit
            self.choose(hit)

    def card_at(self, pos: tuple[int, int]) -> int | None:
        """The card under a point, if any."""
        return next((i for i in range(len(self.slots)) if card_rect(i).collidepoint(pos)), None)

    # --- acting on a slot ----------------------------------------------------------------

    def choose(self, index: int) -> None:
        """Save into or load from the card at `index`."""
        if not 0 <= index < len(self.slots):
            return
        slot, content = self.slots[index]
        if self.mode == "load":
            if isinstance(content, SaveData):
                self.load(content)
            elif isinstance(content, Damaged):
                self.app.toast(tr("cannot_load_damaged"))
        elif self.store.problem is not None:
            self.app.toast(tr("saving_off"))
        elif content is None:
            self.save(slot)
        else:
            question = tr("confirm_overwrite", n=slot)
            self.app.push(ConfirmScreen(self.app, question, lambda: self.save(slot)))

    def save(self, slot: Slot) -> None:
        """Write the current place into a slot and show it on its card."""
        ok = self.app.save_game(slot)
        self.app.toast(tr("saved_slot", n=slot) if ok else tr("save_failed"))
        if ok:
            self.newest = slot
        self.refresh()

    def load(self, data: SaveData) -> None:
        """Resume a save; say so when the script changed and the line was found elsewhere."""
        note = self.session.restore(data)
        self.session.auto = self.session.skip = self.session.skip_held = False
        self.app.start_reading(note=note_text(note))

    def ask_delete(self, index: int) -> None:
        """Delete (after asking) the save on a numbered card."""
        if not 0 <= index < len(self.slots):
            return
        slot, content = self.slots[index]
        if content is None or isinstance(slot, str):
            return
        if self.store.problem is not None:
            self.app.toast(tr("saving_off"))
            return

        def delete() -> None:
            self.store.delete(slot)
            self.refresh()

        self.app.push(ConfirmScreen(self.app, tr("confirm_delete", n=slot), delete))

    # --- drawing ---------------------------------------------------------------------------

    def thumbnail(self, slot: Slot) -> pygame.Surface | None:
        """The slot's thumbnail, loaded once per file version and fitted to the card."""
        path = self.store.thumbnail_path(slot)
        if path is None:
            return None
        try:
            key = (path, path.stat().st_mtime_ns)
        except OSError:
            return None
        if key not in self._thumbs:
            if len(self._thumbs) > 3 * PER_PAGE:
                self._thumbs.clear()
            self._thumbs[key] = _load_thumb(path)
        return self._thumbs[key]

    def draw(self, surface: pygame.Surface) -> None:
        if self._backdrop is None:
            self._backdrop = backdrop(self.app, self)
        surface.blit(self._backdrop, (0, 0))
        text = self.session.ui_text
        draw_header(surface, text, tr(self.mode))
        for tab in self.tabs:
            draw_button_box(surface, text, tab, False, selected=int(tab.key) == self.page)
        for i, (slot, content) in enumerate(self.slots):
            self._draw_card(surface, text, card_rect(i), slot, content, i == self.focus)
        x = 80
        if self.page != SPECIAL:
            info = tr("slot_page", n=self.page + 1, total=self.pages)
            x = text.draw(surface, info, (x, CANVAS[1] - 43), THEME.small_size, THEME.text,
                          "midleft").right + 48
        if self.store.problem is not None:  # say it where the key hint goes, in the accent
            hint = text.draw(surface, tr("saving_off"), (x, CANVAS[1] - 43), THEME.small_size,
                             THEME.accent, "midleft")
        else:
            hint = text.draw(surface, tr("slot_hint"), (x, CANVAS[1] - 43),
                             THEME.small_size - 2, THEME.dim, "midleft")
        self._hint_right = hint.right
        draw_button_box(surface, text, self.close, False)

    def toast_area(self) -> pygame.Rect:
        """Toasts go in the footer, between the key hint and the back button.

        At the top they would cover the page tabs; the footer has room.
        """
        left = self._hint_right + 32
        return pygame.Rect(left, self.close.rect.y, self.close.rect.x - 32 - left, self.close.rect.height)

    def _draw_card(self, surface: pygame.Surface, text: UiText, rect: pygame.Rect, slot: Slot,
                   content: Content, focused: bool) -> None:
        border = THEME.accent if focused else THEME.border
        draw_panel(surface, rect, alpha=235 if focused else 185,
                   color=THEME.hover if focused else THEME.panel, border=border, radius=10)
        if focused:
            pygame.draw.rect(surface, THEME.accent, rect, 2, 10)
        pic = pygame.Rect(rect.x + 8, rect.y + 8, *THUMB)
        x, width = pic.x + 2, THUMB[0] - 4
        title = {"quick": tr("slot_quick"), "auto": tr("slot_auto")}.get(str(slot)) or tr("slot_no", n=slot)
        text.draw(surface, title, (x, pic.bottom + 20), THEME.small_size, THEME.accent, "midleft")
        if isinstance(content, SaveData):
            self._draw_save(surface, text, pic, slot, content, x, width)
        elif isinstance(content, Damaged):
            _draw_damaged(surface, text, pic, content, x, width)
        else:
            _draw_blank(surface, pic)
            text.draw(surface, tr("slot_empty"), pic.center, THEME.small_size, THEME.dim, "center")

    def _draw_save(self, surface: pygame.Surface, text: UiText, pic: pygame.Rect, slot: Slot,
                   data: SaveData, x: int, width: int) -> None:
        image = self.thumbnail(slot)
        if image is None:
            _draw_blank(surface, pic)
        else:
            surface.blit(image, image.get_rect(center=pic.center))
        pygame.draw.rect(surface, THEME.border, pic, 1)
        if slot == self.newest:
            badge = pygame.Rect(pic.x + 6, pic.y + 6, 50, 22)
            pygame.draw.rect(surface, THEME.accent, badge, border_radius=4)
            text.draw(surface, "NEW", badge.center, 14, THEME.panel, "center")
        date = _date_text(data.created)
        text.draw(surface, date, (pic.right - 2, pic.bottom + 20), 16, THEME.dim, "midright")
        text.draw(surface, text.fit(data.scene_title, THEME.small_size, width), (x, pic.bottom + 48),
                  THEME.small_size, THEME.text, "midleft")
        text.draw(surface, text.fit(data.text, 16, width), (x, pic.bottom + 74), 16, THEME.dim,
                  "midleft")


def _draw_blank(surface: pygame.Surface, pic: pygame.Rect) -> None:
    """The thumbnail area of a slot without a picture."""
    blank = pygame.Surface(pic.size, pygame.SRCALPHA)
    blank.fill((8, 8, 18, 170))
    surface.blit(blank, pic)
    pygame.draw.rect(surface, THEME.border, pic, 1)


def _draw_damaged(surface: pygame.Surface, text: UiText, pic: pygame.Rect, content: Damaged,
                  x: int, width: int) -> None:
    blank = pygame.Surface(pic.size, pygame.SRCALPHA)
    blank.fill((60, 16, 24, 190))
    surface.blit(blank, pic)
    pygame.draw.rect(surface, WARN, pic, 1)
    text.draw(surface, "⚠ " + tr("slot_damaged"), pic.center, THEME.small_size, WARN, "center")
    why, detail = damaged_text(content)
    text.draw(surface, text.fit(why, 15, width), (x, pic.bottom + 46), 15, THEME.dim, "midleft")
    if detail:  # the technical wording, for whoever looks into the file
        text.draw(surface, _wrap(text, detail, 13, width)[0], (x, pic.bottom + 68), 13,
                  THEME.disabled, "midleft")


def _wrap(text: UiText, words: str, size: int, width: int) -> list[str]:
    """Small print broken into lines that fit `width` (at spaces, else anywhere)."""
    lines: list[str] = []
    line = ""
    for word in words.split(" "):
        candidate = f"{line} {word}" if line else word
        if text.width(candidate, size) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return [text.fit(each, size, width) for each in lines]


def _date_text(created: str) -> str:
    """A save's time as the player reads it (its own local time, minutes)."""
    try:
        return datetime.fromisoformat(created).strftime("%Y/%m/%d %H:%M")
    except ValueError:
        return created


def _load_thumb(path: Path) -> pygame.Surface | None:
    """A thumbnail PNG scaled to the card's picture; None when it cannot be read."""
    try:
        image = pygame.image.load(str(path))
    except (pygame.error, OSError, ValueError):
        return None
    if image.get_size() == THUMB:
        return image
    try:
        return pygame.transform.smoothscale(image, THUMB)
    except ValueError:  # smoothscale wants 24 or 32 bits; a paletted PNG gets the plain scaler
        return pygame.transform.scale(image, THUMB)


_KEY_PAGES = {pygame.K_PAGEUP: -1, pygame.K_PAGEDOWN: 1}
_MOVES = {inp.LEFT: (-1, 0), inp.RIGHT: (1, 0), inp.UP: (0, -1), inp.DOWN: (0, 1)}
