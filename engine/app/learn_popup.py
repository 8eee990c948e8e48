"""The popup dictionary: a word of the text box, a chat bubble or the history, looked up.

`DictionaryPopup` is a screen pushed over the view (not opaque): while it
is open it takes the input, so nothing advances the story and auto and
skip wait (only the top screen runs its clocks). It shows the word as
written with its reading, its dictionary form when the word is inflected
(食べなかった → 食べる), and the JMdict senses of the entries found
through the lemma, on a panel placed above the word or, where there is no
room, below it: never over it. The word's glyphs (the layout's boxes, see
engine.learn.hits) are underlined.

The lookup comes from the learn service's worker (prepared ahead with the
dictionary setting on); one not ready yet is asked for first and the
panel shows the word with "…" until it is, polling. So the popup appears
in the frame after the click whatever the worker is doing.

Keys: ←/→ the previous or next word (on to the next message on screen), C (pad X) add a card, Y (pad Y) copy the sentence,
Esc, D or a click elsewhere close; Space, Enter and the wheel close it too
(without advancing). In the hover mode moving the pointer onto another word
switches to it and moving it off the words and the panel closes the popup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from engine.app import input as inp
from engine.app.i18n import register, tr
from engine.app.learn_mode import POLL
from engine.app.screen import Screen
from engine.app.ui import THEME, UiText, draw_panel
from engine.learn.hits import TextSpot, glyph_at, glyph_boxes, union, word_boxes, words_on_page
from engine.learn.kana import has_kanji

if TYPE_CHECKING:
    from engine.learn.dictionary import Lookup
    from engine.learn.words import MessageWords

register({
    "ja": {"dict_base": "辞書形", "dict_none": "辞書に見つかりません", "dict_wait": "…",
           "dict_add": "カードに追加 [C]", "dict_copy": "文をコピー [Y]",
           "dict_keys": "←→ 前後の単語　Esc 閉じる",
           "dict_added": "カードに追加しました：{word}（{n} 枚）",
           "dict_already": "このカードはもうあります：{word}",
           "dict_copied": "文をクリップボードにコピーしました",
           "dict_no_clipboard": "クリップボードが使えません：{why}",
           "dict_card_failed": "カードを保存できません：{why}",
           "dict_missing": "辞書には学習用の追加機能が必要です（pip install -e \".[learn]\"）",
           "dict_no_word": "ここには調べられる単語がありません",
           "dict_failed": "辞書を使えません：{why}"},
    "en": {"dict_base": "Dictionary form", "dict_none": "Not in the dictionary", "dict_wait": "…",
           "dict_add": "Add card [C]", "dict_copy": "Copy sentence [Y]",
           "dict_keys": "←→ previous/next word   Esc close",
           "dict_added": "Card added: {word} ({n} cards)",
           "dict_already": "This card is already there: {word}",
           "dict_copied": "Sentence copied to the clipboard",
           "dict_no_clipboard": "The clipboard is not available: {why}",
           "dict_card_failed": "Cannot save the card: {why}",
           "dict_missing": "The dictionary needs the learner extra (pip install -e \".[learn]\")",
           "dict_no_word": "No word to look up here",
           "dict_failed": "The dictionary cannot be used: {why}"},
})

WIDTH = 520  # the panel's width (narrower on a narrow word near an edge: never)
PAD = 18
GAP = 10  # between the word (with its ruby band) and the panel
HEAD = 30  # the word's size
READING = 20
BODY = 18
SMALL = 15
MAX_SENSES = 5
MAX_ENTRIES = 3


def clipboard_put(text: str) -> str | None:
    """Put `text` on the system clipboard; None when done, else why not."""
    try:
        import pygame.scrap as scrap

        put = getattr(scrap, "put_text", None)
        if put is None:  # pygame without the text API: the old typed scrap
            if not scrap.get_init():
                scrap.init()
            scrap.put(pygame.SCRAP_TEXT, text.encode("utf-8"))
        else:
            put(text)
        return None
    except (pygame.error, ImportError, NotImplementedError, AttributeError) as exc:
        return str(exc) or type(exc).__name__


class DictionaryPopup(Screen):
    """The popup over a view: one word of one on-screen message (see the module docstring)."""

    opaque = False

    def __init__(self, app: Any, spots: Callable[[], list[TextSpot]], spot: TextSpot,
                 glyph: int | None = None, word: int | None = None, hover: bool = False) -> None:
        super().__init__(app)
        self._spots = spots  # the view's messages on screen now (for clicks on other words)
        self.spot = spot
        self.glyph = glyph  # the glyph clicked, until the words are known
        self.word = word
        self.hover = hover
        self.lookup: Lookup | None = None
        self.panel = pygame.Rect(0, 0, 0, 0)
        self.buttons: dict[str, pygame.Rect] = {}
        self.focus: str | None = None
        self._rows_key: tuple | None = None  # what the panel's lines were made for
        self._rows_cache: list[tuple[str, int, int, int, Any]] = []
        self._resolve()

    # --- the word ---------------------------------------------------------------------

    @property
    def learner(self) -> Any:
        return self.session.learner

    @property
    def words(self) -> MessageWords | None:
        return self.learner.words(self.spot.message)

    def _resolve(self) -> bool:
        """Pick the word (once the words are ready) and its lookup; True if either arrived."""
        changed = False
        words = self.words
        if words is None:
            why = self._broken()
            if why is not None:  # the words will never come: say why instead of waiting
                self.app.pop(self)
                self.app.toast(tr("dict_failed", why=why), seconds=6.0)
                return True
            return False
        if self.word is None:
            on_page = words_on_page(self.spot, words)
            index = words.index_at_glyph(self.glyph) if self.glyph is not None else None
            if index is None and self.glyph is None and on_page:
                index = on_page[0]
            if index is None:
                self.app.pop(self)  # the click was on punctuation, not a word
                return True
            self.word, changed = index, True
        if self.lookup is None:
            service = self.learner.service
            found = service.ready_lookup(self.spot.message, self.word) if service else None
            if found is not None:
                self.lookup, changed = found, True
        return changed

    def _broken(self) -> str | None:
        """Why this message's words cannot be made (the worker's error), or None."""
        service = self.learner.service
        if service is None:
            return self.learner.unavailable
        if service.error is not None:
            return str(service.error)
        return service.failed.get(self.spot.message)

    def select(self, spot: TextSpot, word: int) -> None:
        """Show another word (of this message or another on screen)."""
        if spot == self.spot and word == self.word:
            return
        self.spot, self.word, self.glyph, self.lookup = spot, word, None, None
        self._resolve()

    def step(self, delta: int) -> None:
        """The previous or next word on the page (←/→)."""
        words = self.words
        if words is None or self.word is None:
            return
        on_page = words_on_page(self.spot, words)
        if self.word not in on_page:
            return
        at = on_page.index(self.word) + delta
        if 0 <= at < len(on_page):
            self.select(self.spot, on_page[at])
        else:
            self._step_message(delta)

    def _step_message(self, delta: int) -> None:
        """Past the message's first or last word: the next or previous message on screen
        (a chat's bubbles, the history's entries), at its first or last word."""
        spots = self._spots()
        at = next((i for i, s in enumerate(spots) if s.message == self.spot.message), None)
        if at is None:
            return
        for spot in spots[at + delta::delta] if at + delta >= 0 else []:
            words = self.learner.words(spot.message)
            shown = words_on_page(spot, words) if words is not None else []
            if shown:
                self.select(spot, shown[0] if delta > 0 else shown[-1])
                return

    def word_under(self, pos: tuple[int, int]) -> tuple[TextSpot, int | None] | None:
        """The on-screen message and word (None: not known yet) under `pos`, if any."""
        for spot in self._spots():
            glyph = glyph_at(spot, pos)
            if glyph is None:
                continue
            words = self.learner.words(spot.message)
            return spot, None if words is None else words.index_at_glyph(glyph)
        return None

    # --- input ----------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> bool | None:
        if event.type == pygame.MOUSEMOTION:
            return self._motion(event.pos)
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_c, pygame.K_y):
            self.add_card() if event.key == pygame.K_c else self.copy_sentence()
            return None
        action = inp.action_for(event)
        if event.type in (pygame.CONTROLLERBUTTONDOWN, pygame.JOYBUTTONDOWN) and action in (
                inp.AUTO, inp.HIDE):  # pad X adds the card, pad Y copies the sentence
            self.add_card() if action == inp.AUTO else self.copy_sentence()
            return None
        if action in (inp.MENU, inp.ADVANCE, inp.WHEEL_DOWN, inp.DICTIONARY):
            self.close()
        elif action == inp.CLICK:
            self._click(event.pos)
        elif action in (inp.LEFT, inp.RIGHT):
            self.step(1 if action == inp.RIGHT else -1)
        elif action is None:
            return False
        return None

    def _motion(self, pos: tuple[int, int]) -> bool:
        focus = next((k for k, r in self.buttons.items() if r.collidepoint(pos)), None)
        changed, self.focus = focus != self.focus, focus
        if not self.hover or self.panel.collidepoint(pos):
            return changed
        under = self.word_under(pos)
        if under is None or under[1] is None:
            if not self._near_word(pos):
                self.close()
                return True
            return changed
        before = (self.spot, self.word)
        self.select(*under)  # type: ignore[arg-type]
        return changed or (self.spot, self.word) != before

    def _near_word(self, pos: tuple[int, int]) -> bool:
        """Whether `pos` is over the word shown (or between it and the panel)."""
        box = self.word_rect()
        if box is None:
            return False
        return box.union(self.panel).collidepoint(pos) if self.panel.width else box.collidepoint(pos)

    def _click(self, pos: tuple[int, int]) -> None:
        for key, rect in self.buttons.items():
            if rect.collidepoint(pos):
                self.add_card() if key == "add" else self.copy_sentence()
                return
        if self.panel.collidepoint(pos):
            return
        under = self.word_under(pos)
        if under is not None and under[1] is not None:
            self.select(under[0], under[1])
        else:
            self.close()

    def close(self) -> None:
        self.app.pop(self)

    # --- mining ------------------------------------------------------------------------------

    def add_card(self) -> None:
        """Add the word, in its sentence, to the card store (a toast says how it went)."""
        service = self.learner.service
        if service is None or self.word is None or self.lookup is None:
            return
        try:
            card, added = service.add_card(self.spot.message, self.word, self._audio())
        except OSError as exc:
            self.app.toast(tr("dict_card_failed", why=exc.strerror or exc))
            return
        if added:
            count = len(service.cards.cards(card.story_id))
            self.app.toast(tr("dict_added", word=card.word, n=count))
        else:
            self.app.toast(tr("dict_already", word=card.word))

    def _audio(self) -> str | None:
        """The sentence's sound: a recorded line, or the clip self-voicing made of it."""
        voice = self.session.voice
        return self.learner.sentence_audio(self.spot.message, getattr(voice, "options", None))

    def copy_sentence(self) -> None:
        """The message's text on the clipboard (a toast says so, or why not)."""
        why = clipboard_put(self.spot.message.text)
        self.app.toast(tr("dict_copied") if why is None else tr("dict_no_clipboard", why=why))

    # --- time ------------------------------------------------------------------------------

    def update(self, dt: float) -> bool:
        if self.word is None or self.lookup is None:
            return self._resolve()
        return False

    def wake_in(self) -> float | None:
        return POLL if self.word is None or self.lookup is None else None

    # --- drawing ----------------------------------------------------------------------------

    def word_rect(self) -> pygame.Rect | None:
        """The word's glyphs with their ruby band, on screen (None before the word is known)."""
        words = self.words
        if words is None or self.word is None:
            return None
        box = union(word_boxes(self.spot, words, self.word), above=self.spot.settings.ruby_band)
        if box is None:
            return None
        x, y, w, h = box
        return pygame.Rect(int(x), int(y), int(x + w + 0.999) - int(x), int(y + h + 0.999) - int(y))

    def text_rect(self) -> pygame.Rect | None:
        """The whole message on screen (the panel keeps off it where there is room)."""
        boxes = list(glyph_boxes(self.spot).values())
        box = union(boxes, above=self.spot.settings.ruby_band)
        if box is None:
            return None
        return pygame.Rect(int(box[0]), int(box[1]), int(box[2] + 1), int(box[3] + 1))

    def draw(self, surface: pygame.Surface) -> None:
        words = self.words
        if words is None or self.word is None:
            return
        text = self.session.ui_text
        self._underline(surface, words)
        key = (self.spot.message, self.word, self.lookup is not None)
        if self._rows_key != key:
            self._rows_key, self._rows_cache = key, self._rows(text, words)
        rows = self._rows_cache
        height = sum(r[2] + r[3] for r in rows) + 2 * PAD + 40
        word = self.word_rect()
        assert word is not None
        self.panel = place_panel(word, (WIDTH, height), surface.get_rect(), self.text_rect())
        draw_panel(surface, self.panel, alpha=245)
        y = self.panel.y + PAD
        for line, size, h, gap, color in ((r[0], r[1], r[2], r[3], r[4]) for r in rows):
            if y + h > self.panel.bottom - 40:
                break
            text.draw(surface, line, (self.panel.x + PAD, y), size, color)
            y += h + gap
        self._draw_buttons(surface, text)

    def _underline(self, surface: pygame.Surface, words: MessageWords) -> None:
        """A line under the word's glyphs, each as wide as the glyph itself: space the
        layout added after a glyph (between scripts, say) is not part of the word."""
        assert self.word is not None
        w = words.words[self.word]
        glyphs = {g.index: g for line in self.spot.lines for g in line.glyphs}
        measure = self.session.renderer.fonts.measure
        size = self.spot.settings.size
        boxes = glyph_boxes(self.spot)
        for index in range(w.glyph_start, w.glyph_end):
            if index not in boxes:
                continue  # on another page, or scrolled out of view
            x, y, adv, h = boxes[index]
            g = glyphs.get(index)
            ink = min(adv, measure(g.ch, size)) if g is not None else adv
            pygame.draw.rect(surface, THEME.accent,
                             pygame.Rect(round(x), round(y + h + 2), max(1, round(ink)), 3))

    def _draw_buttons(self, surface: pygame.Surface, text: UiText) -> None:
        x = self.panel.x + PAD
        y = self.panel.bottom - PAD - 22
        self.buttons = {}
        ready = self.lookup is not None
        for key, label in (("add", tr("dict_add")), ("copy", tr("dict_copy"))):
            w = text.width(label, SMALL) + 20
            rect = pygame.Rect(x, y - 4, w, 28)
            lit = key == self.focus
            pygame.draw.rect(surface, THEME.hover if lit else THEME.panel, rect, border_radius=6)
            pygame.draw.rect(surface, THEME.accent if ready or key == "copy" else THEME.border,
                             rect, 1, 6)
            text.draw(surface, label, rect.center, SMALL, THEME.text, "center")
            self.buttons[key] = rect
            x = rect.right + 10
        text.draw(surface, tr("dict_keys"), (self.panel.right - PAD, y + 10), SMALL - 2, THEME.dim,
                  "midright")

    def _rows(self, text: UiText, words: MessageWords) -> list[tuple[str, int, int, int, Any]]:
        """The panel's lines: (text, size, height, gap after, colour)."""
        assert self.word is not None
        w = words.words[self.word]
        found = self.lookup
        written = found.written if found is not None else w.surface
        reading = (found.reading if found is not None else w.reading) or ""
        head = written if not reading or reading == written else f"{written}【{reading}】"
        rows: list[tuple[str, int, int, int, Any]] = [(head, HEAD, HEAD + 6, 6, THEME.text)]
        base = found.base if found is not None else w.base
        base_reading = (found.base_reading if found is not None else w.base_reading) or ""
        if base_reading and not has_kanji(written) and _usually_kana(found):
            base = base_reading  # した → する, not the headword's rare spelling 為る
        if base and base != written:
            shown = base if not base_reading or base_reading == base else f"{base}【{base_reading}】"
            rows.append((f"{tr('dict_base')}: {shown}", READING, READING + 4, 8, THEME.accent))
        if found is None:
            rows.append((tr("dict_wait"), BODY, BODY + 4, 4, THEME.dim))
            return rows
        if not found.entries:
            rows.append((tr("dict_none"), BODY, BODY + 4, 4, THEME.dim))
            return rows
        width = WIDTH - 2 * PAD
        for n, entry in enumerate(found.entries[:MAX_ENTRIES]):
            if n:
                other = "・".join(entry.written[:2] or entry.readings[:1])
                reads = "、".join(entry.readings[:2])
                rows.append((f"{other}【{reads}】" if entry.written else other, BODY, BODY + 4,
                             2, THEME.accent))
            last_pos: tuple[str, ...] = ()
            for i, sense in enumerate(entry.senses[:MAX_SENSES if n == 0 else 2], start=1):
                if sense.pos and sense.pos != last_pos:
                    last_pos = sense.pos
                    rows.append((text.fit(", ".join(sense.pos), SMALL - 1, width), SMALL - 1,
                                 SMALL + 2, 0, THEME.dim))
                for k, line in enumerate(wrap(text, f"{i}. " + "; ".join(sense.glosses), BODY,
                                              width)):
                    rows.append(("   " + line if k else line, BODY, BODY + 4, 2, THEME.text))
        return rows


def _usually_kana(found: Lookup | None) -> bool:
    """Whether JMdict says the word found is usually written in kana alone."""
    if found is None or not found.entries or not found.entries[0].senses:
        return False
    return any("kana alone" in note for note in found.entries[0].senses[0].notes)


def place_panel(word: pygame.Rect, size: tuple[int, int], screen: pygame.Rect,
                text: pygame.Rect | None = None) -> pygame.Rect:
    """Where the panel goes: above the word if it fits there, else below, else on the side
    with more room, shortened to fit; centred on the word and kept on screen. It never
    overlaps `word`. With `text` (the whole message), above or below all of it when the
    panel fits there, so the rest of the sentence stays readable too."""
    if text is not None:
        for side in ("above", "below"):
            room = (text.top - screen.top if side == "above" else screen.bottom - text.bottom)
            if size[1] + GAP + 8 <= room:
                panel = pygame.Rect(0, 0, min(size[0], screen.width - 16), size[1])
                panel.centerx = word.centerx
                panel.clamp_ip(screen.inflate(-16, 0))
                if side == "above":
                    panel.bottom = text.top - GAP
                else:
                    panel.top = text.bottom + GAP
                return panel
    w, h = size
    w = min(w, screen.width - 16)
    above = word.top - GAP - screen.top - 8
    below = screen.bottom - 8 - word.bottom - GAP
    panel = pygame.Rect(0, 0, w, h)
    panel.centerx = word.centerx
    panel.clamp_ip(screen.inflate(-16, 0))
    if h <= above:
        panel.bottom = word.top - GAP
    elif h <= below:
        panel.top = word.bottom + GAP
    elif above >= below:
        panel.height = max(1, above)
        panel.bottom = word.top - GAP
    else:
        panel.height = max(1, below)
        panel.top = word.bottom + GAP
    return panel


def wrap(text: UiText, words: str, size: int, width: int) -> list[str]:
    """English glosses in lines that fit `width` (at spaces; a long word is cut).

    Words are measured by their glyph advances, and a line's width is the sum
    of its words and spaces: no label is rendered for a line only being tried."""
    space = text.advance(" ", size)
    lines: list[str] = []
    line, used = "", 0.0
    for word in words.split(" "):
        w = text.advance(word, size)
        if line and used + space + w <= width:
            line, used = f"{line} {word}", used + space + w
            continue
        if line:
            lines.append(line)
        line, used = (word, w) if w <= width else (text.fit(word, size, width), float(width))
    if line:
        lines.append(line)
    return lines


def open_popup(app: Any, spots: Callable[[], list[TextSpot]], pos: tuple[int, int] | None,
               hover: bool = False) -> DictionaryPopup | None:
    """Open the popup on the word under `pos` (or, with no `pos`, the first word of the first
    message on screen); None when there is no word there. Says why when the learner extra
    is missing."""
    learner = app.session.learner
    if learner.unavailable is not None and learner.missing:
        app.toast(tr("dict_missing"))
        return None
    shown = spots()
    if pos is None:
        if not shown:
            app.toast(tr("dict_no_word"))
            return None
        return _push(app, DictionaryPopup(app, spots, shown[-1], hover=hover))
    for spot in shown:
        glyph = glyph_at(spot, pos)
        if glyph is None:
            continue
        words = learner.words(spot.message)
        if words is not None and words.index_at_glyph(glyph) is None:
            return None  # punctuation or a space: not a word
        word = None if words is None else words.index_at_glyph(glyph)
        return _push(app, DictionaryPopup(app, spots, spot, glyph, word, hover))
    return None


def _push(app: Any, popup: DictionaryPopup) -> DictionaryPopup | None:
    if popup.words is not None and popup.word is None:
        return None  # no word on the page (its words are all punctuation)
    app.push(popup)
    return popup


__all__ = ["DictionaryPopup", "clipboard_put", "open_popup", "place_panel", "wrap"]
