"""The backlog (history): past messages, drawn exactly as in the text box, and rollback.

Entries are the runtime's backlog, from its start to the message on screen
when the backlog opened, newest at the bottom. Each message is laid out by
the same layout core, settings and box width as the text box and drawn by
the shared TextRenderer, whole (not paged), under its speaker's name in the
character's colour. Clicking an entry (or Enter on the focused one) rolls
back there.

Nothing here grows with the length of the history: the scroll position is
an entry (counted from the newest) plus a pixel offset, entries are fetched
one window at a time from `Runtime.history_window`, and only entries that
are drawn or scrolled past get laid out, into a small LRU. The scroll bar
is proportional to entry counts, which need no layout at all.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import pygame

from engine.app import input as inp
from engine.app.app import CANVAS
from engine.app.gamemenu import backdrop, close_button, draw_button_box, draw_header
from engine.app.i18n import register, tr
from engine.app.learn_hooks import WordLookup
from engine.app.screen import Screen
from engine.app.ui import THEME, draw_panel, readable_color
from engine.chatlayout import CHAT_MAX_CHARS, clip_runs
from engine.layout import layout_message
from engine.layout.boxes import Layout
from engine.model import Message
from engine.runtime import Cursor

register({
    "ja": {"backlog_title": "履歴", "backlog_hint": "クリックでその場面に戻ります",
           "backlog_empty": "まだ履歴がありません"},
    "en": {"backlog_title": "History", "backlog_hint": "Click a line to return to it",
           "backlog_empty": "Nothing read yet"},
})

CACHE_LIMIT = 96  # laid-out entries kept; a screenful is about ten
NAME_SIZE = 22
NAME_H = 42  # room above the text for the name
SCENE_H = 44  # room above a scene's first message for its date/title
PAD = 18  # above and below each entry
STEP = 72  # pixels per Up/Down
BAR_MIN = 36  # shortest scroll-bar thumb
FADE = 16  # entries fade out over this many pixels at the view's top and bottom edges


@dataclass(frozen=True, slots=True)
class Entry:
    """One laid-out backlog entry: its message, layout and full height in pixels."""

    cursor: Cursor
    message: Message
    layout: Layout
    height: int
    scene_title: str | None  # set on a scene's first message: a divider is drawn above it
    furigana_wait: bool = False  # laid out without the furigana still being made


class BacklogScreen(WordLookup, Screen):
    """The history of the reading session; wheel down past the end or Esc closes it."""

    on_backdrop = True  # drawn over gamemenu.backdrop()

    def __init__(self, app) -> None:
        super().__init__(app)
        rt = self.session.runtime
        self.end = rt.cursor  # the history is frozen at the message on screen
        self.count = rt.history_len(self.end)
        self.skip = 0  # entry at the bottom of the view, counted from the newest
        self.offset = 0  # how far that entry's bottom hangs below the view's bottom
        self.focus: int | None = None  # entry under the pointer or chosen by keys
        self.dragging: int | None = None  # pointer's offset inside the thumb while dragging
        self._cache: OrderedDict[tuple, Entry] = OrderedDict()
        self._backdrop: pygame.Surface | None = None
        self._fades: list[tuple[pygame.Surface, tuple[int, int]]] = []
        self.view = pygame.Rect(60, 112, CANVAS[0] - 120, CANVAS[1] - 112 - 84)
        self.track = pygame.Rect(self.view.right + 12, self.view.y + 8, 8, self.view.height - 16)
        self.close = close_button(tr("close"))

    def on_enter(self) -> None:
        self._backdrop = self._base()

    def on_resume(self) -> None:
        self.close = close_button(tr("close"))
        self._backdrop = self._base()
        self._clamp()  # settings may have changed the text size

    # --- entries -----------------------------------------------------------------

    @property
    def geo(self):
        """The reading frame's geometry: the text box's width and text settings."""
        return self.session.frame.geometry(CANVAS)

    def entry(self, i: int) -> Entry:
        """Entry `i` counted from the newest (0), laid out on first use and kept in the LRU."""
        geo = self.geo
        key = (i, geo.settings, geo.text.width)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        rt = self.session.runtime
        cursor = rt.history_window(self.end, count=1, skip=i)[0]
        message = rt.message_at(cursor)
        s = self.session
        shown = s.learner.shown(message) if s.learning else message  # with added furigana
        # Drawn whole, as a chat bubble is: a very long message is shown up to
        # CHAT_MAX_CHARS (its page surface would not fit in memory), then "…".
        runs = clip_runs(shown.runs, CHAT_MAX_CHARS) or shown.runs
        layout = layout_message(runs, geo.text.width, self.session.renderer.fonts.measure,
                                geo.settings)
        title = rt.story.scenes[cursor.scene].scene.title if cursor.message == 0 else None
        height = round(layout.height) + 2 * PAD + (NAME_H if message.speaker is not None else 0)
        height += SCENE_H if title is not None else 0
        found = Entry(cursor, message, layout, height, title,
                      s.learning and s.learner.waiting(message))
        self._cache[key] = found
        if len(self._cache) > CACHE_LIMIT:
            self._cache.popitem(last=False)
        return found

    def text_origin(self, entry: Entry, rect: pygame.Rect) -> tuple[int, int]:
        """Where an entry's text is drawn (under its scene divider and name)."""
        y = rect.y + PAD + (SCENE_H if entry.scene_title is not None else 0)
        y += NAME_H if entry.message.speaker is not None else 0
        return (self.geo.text.x, y)

    def word_spots(self) -> list:
        """The entries on screen for the popup dictionary, the newest last."""
        from engine.learn.hits import TextSpot

        clip = (self.view.x, self.view.y, self.view.width, self.view.height)
        out = []
        for i, rect in reversed(self.visible()):
            entry = self.entry(i)
            out.append(TextSpot(entry.message, entry.layout.lines, entry.layout.settings,
                                self.text_origin(entry, rect), clip))
        return out

    def update(self, dt: float) -> bool:
        """Entries laid out before their furigana was made are laid out again once it is."""
        learner = self.session._learner
        stale = [k for k, e in self._cache.items()
                 if e.furigana_wait and learner is not None and not learner.waiting(e.message)]
        for k in stale:
            del self._cache[k]
        return bool(stale) | self.dictionary_update(dt)

    def wake_in(self) -> float | None:
        waiting = any(e.furigana_wait for e in self._cache.values())
        hover = self.dictionary_wake()
        return min(0.03, hover) if waiting and hover is not None else 0.03 if waiting else hover

    def visible(self) -> list[tuple[int, pygame.Rect]]:
        """The entries on screen, newest first, with their rectangles in the canvas."""
        out: list[tuple[int, pygame.Rect]] = []
        bottom = self.view.bottom + self.offset
        i = self.skip
        while i < self.count and bottom > self.view.top:
            height = self.entry(i).height
            out.append((i, pygame.Rect(self.view.x, bottom - height, self.view.width, height)))
            bottom -= height
            i += 1
        return out

    # --- scrolling -----------------------------------------------------------------

    def scroll(self, dy: int) -> None:
        """Move the content down by `dy` pixels (towards older entries); negative goes back."""
        self.offset += dy
        while self.skip + 1 < self.count and self.offset >= self.entry(self.skip).height:
            self.offset -= self.entry(self.skip).height
            self.skip += 1
        while self.offset < 0 and self.skip > 0:
            self.skip -= 1
            self.offset += self.entry(self.skip).height
        if self.offset < 0 or self.count == 0:
            self.offset = 0
        self._clamp()

    def _clamp(self) -> None:
        """Keep the oldest entry's top from coming below the view's top."""
        if self.count == 0:
            return
        self.skip = min(self.skip, self.count - 1)
        self.offset = min(self.offset, self.entry(self.skip).height - 1)
        top = self.view.bottom + self.offset
        for i in range(self.skip, self.count):
            top -= self.entry(i).height
            if top <= self.view.top:
                return
        if not self.at_end:
            # scroll() stops at the newest entry, so a short history rests at the bottom.
            self.scroll(-(top - self.view.top))

    @property
    def at_end(self) -> bool:
        """Whether the newest entry sits at the bottom of the view."""
        return self.skip == 0 and self.offset == 0

    def to_top(self) -> None:
        """Home: the oldest entry at the top of the view."""
        total = 0
        for i in range(self.count - 1, -1, -1):
            total += self.entry(i).height
            if total >= self.view.height:
                self.skip, self.offset = i, total - self.view.height
                return
        self.to_bottom()

    def to_bottom(self) -> None:
        """End: the newest entry at the bottom."""
        self.skip, self.offset = 0, 0

    def jump_to_fraction(self, fraction: float) -> None:
        """Put the entry at `fraction` of the history (0 oldest, 1 newest) at the view's bottom."""
        if self.count == 0:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        self.skip = round((1.0 - fraction) * (self.count - 1))
        self.offset = 0
        self._clamp()

    def show(self, i: int) -> None:
        """Scroll just enough that entry `i` is wholly in view."""
        if i < self.skip or (i == self.skip and self.offset > 0):
            self.skip, self.offset = i, 0
            self._clamp()
            return
        bottom = self.view.bottom + self.offset
        for j in range(self.skip, i):
            bottom -= self.entry(j).height
        top = bottom - self.entry(i).height
        if top < self.view.top:
            self.scroll(self.view.top - top)

    # --- the scroll bar ------------------------------------------------------------

    def thumb(self) -> pygame.Rect | None:
        """The scroll bar's thumb, sized and placed by entry counts; None if all fits.

        Its place is the share of entries below the view among those out of
        view, so it touches the track's ends exactly at the history's ends.
        """
        shown = self.visible()
        if self.count <= 1 or (len(shown) >= self.count and self.skip == 0 and self._fits()):
            return None
        length = max(BAR_MIN, round(self.track.height * min(1.0, len(shown) / self.count)))
        below, above = self.skip, self.count - 1 - shown[-1][0]
        from_bottom = below / max(1, below + above)
        y = self.track.y + round((self.track.height - length) * (1.0 - from_bottom))
        return pygame.Rect(self.track.x - 2, y, self.track.width + 4, length)

    def _fits(self) -> bool:
        top = self.view.bottom
        for i in range(self.count):
            top -= self.entry(i).height
            if top < self.view.top:
                return False
        return True

    def _drag_to(self, y: int) -> None:
        thumb = self.thumb()
        if thumb is None or self.dragging is None:
            return
        room = max(1, self.track.height - thumb.height)
        self.jump_to_fraction((y - self.dragging - self.track.y) / room)

    # --- input ----------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> bool | None:
        if event.type == pygame.MOUSEMOTION:
            return self._motion(event)  # False: nothing to redraw
        if event.type == pygame.MOUSEBUTTONUP:
            self.dragging = None
            return
        if event.type == pygame.KEYDOWN and event.key in _PAGE_KEYS:
            self.scroll(_PAGE_KEYS[event.key] * (self.view.height - STEP))
            return
        action = inp.action_for(event)
        if action == inp.CLICK:
            self._click(event.pos)
        elif action == inp.WHEEL_UP:
            self.scroll(STEP * max(1, event.y))
        elif action == inp.WHEEL_DOWN:
            self.close_backlog() if self.at_end else self.scroll(-STEP * max(1, -event.y))
        else:
            self._key(action)

    def _key(self, action: str | None) -> None:
        if action in (inp.MENU, inp.HISTORY):
            self.close_backlog()
        elif action in (inp.UP, inp.DOWN) and self.count:
            step = 1 if action == inp.UP else -1
            # From the focused entry if it is on screen, else from the bottom one, so
            # the walk in show() never crosses more than a screenful.
            shown = [i for i, _ in self.visible()]
            start = self.focus if self.focus in shown else self.skip - step
            self.focus = min(max(start + step, 0), self.count - 1)
            self.show(self.focus)
        elif action == inp.HOME:
            self.to_top()
        elif action == inp.END:
            self.to_bottom()
        elif action == inp.ADVANCE and self.focus is not None:
            self.rollback(self.focus)
        elif action == inp.DICTIONARY:
            self.dictionary_key()

    def _motion(self, event: pygame.event.Event) -> bool:
        """Drag the thumb or move the highlight; whether anything visible changed."""
        if self.dragging is not None:
            self._drag_to(event.pos[1])
            return True
        self.dictionary_hover(event.pos)
        before, self.focus = self.focus, self.hit(event.pos)
        return self.focus != before

    def _click(self, pos: tuple[int, int]) -> None:
        if self.close.rect.collidepoint(pos):
            self.close_backlog()
            return
        thumb = self.thumb()
        if thumb is not None and thumb.inflate(12, 0).collidepoint(pos):
            self.dragging = pos[1] - thumb.y
            return
        if thumb is not None and self.track.inflate(16, 0).collidepoint(pos):
            self.dragging = thumb.height // 2
            self._drag_to(pos[1])
            return
        i = self.hit(pos)
        if i is not None and not self.dictionary_click(pos):
            self.rollback(i)

    def hit(self, pos: tuple[int, int]) -> int | None:
        """The entry under a point, if any."""
        if not self.view.collidepoint(pos):
            return None
        return next((i for i, rect in self.visible() if rect.collidepoint(pos)), None)

    # --- leaving ----------------------------------------------------------------------

    def rollback(self, i: int) -> None:
        """Return to entry `i`: the reader continues from that message."""
        s = self.session
        s.auto = s.skip = s.skip_held = False
        cursor = self.entry(i).cursor
        if cursor != s.runtime.cursor:
            s.runtime.jump(cursor)  # the view shows it from its first page on resume
        self.close_backlog()

    def close_backlog(self) -> None:
        """Back to reading."""
        self.app.pop(self)

    # --- drawing ------------------------------------------------------------------------

    def _base(self) -> pygame.Surface:
        """Everything that does not scroll, drawn once: backdrop, title, panel, Close."""
        base = backdrop(self.app, self)
        text = self.session.ui_text
        draw_header(base, text, tr("backlog_title"))
        text.draw(base, tr("backlog_hint"), (CANVAS[0] - 80, 62), THEME.small_size, THEME.dim,
                  "midright")
        panel = self.view.inflate(0, 16)
        draw_panel(base, panel, alpha=round(150 + 80 * self.session.prefs.box_opacity))
        if self.count == 0:
            text.draw(base, tr("backlog_empty"), panel.center, THEME.label_size, THEME.dim, "center")
        draw_button_box(base, text, self.close, False)
        self._fades = [_fade(base, pygame.Rect(self.view.x, y, self.view.width, FADE), top)
                       for y, top in ((self.view.y, True), (self.view.bottom - FADE, False))]
        return base

    def draw(self, surface: pygame.Surface) -> None:
        if self._backdrop is None:
            self._backdrop = self._base()
        surface.blit(self._backdrop, (0, 0))
        if self.count == 0:
            return
        clip = surface.get_clip()
        surface.set_clip(self.view)
        for i, rect in self.visible():
            self._draw_entry(surface, self.entry(i), rect, i == self.focus)
        surface.blits(self._fades, doreturn=False)
        surface.set_clip(clip)
        self._draw_bar(surface)

    def _draw_entry(self, surface: pygame.Surface, entry: Entry, rect: pygame.Rect, focused: bool) -> None:
        s = self.session
        geo = self.geo
        text = s.ui_text
        y = rect.y + PAD
        if entry.scene_title is not None:
            self._draw_scene_rule(surface, entry.scene_title, rect.y + SCENE_H // 2 + 4)
            y += SCENE_H
        if focused:
            body = pygame.Rect(rect.x + 8, y - PAD // 2, rect.width - 16, rect.bottom - y + PAD // 2 - 4)
            draw_panel(surface, body, alpha=120, color=THEME.hover, border=None, radius=8)
            pygame.draw.rect(surface, THEME.accent, pygame.Rect(body.x, body.y + 8, 4, body.height - 16))
        if entry.message.speaker is not None:
            character = s.story.character(entry.message.speaker)
            name = character.name if character is not None else entry.message.speaker
            color = readable_color(character.color) if character is not None else THEME.text
            pygame.draw.rect(surface, color, pygame.Rect(geo.text.x, y + 4, 4, 22))
            text.draw(surface, name, (geo.text.x + 14, y + 15), NAME_SIZE, color, "midleft", shadow=True)
            y += NAME_H
        s.renderer.draw_page(surface, entry.layout, self.text_origin(entry, rect), s.frame.colors)
        if not focused:
            _hairline(surface, rect.x + 40, rect.right - 40, rect.bottom - 1)

    def _draw_scene_rule(self, surface: pygame.Surface, title: str, y: int) -> None:
        text = self.session.ui_text
        label = text.render(title, THEME.small_size, THEME.accent)
        box = label.get_rect(center=(self.view.centerx, y))
        surface.blit(label, box)
        for x0, x1 in ((self.view.x + 60, box.x - 20), (box.right + 20, self.view.right - 60)):
            if x1 > x0:
                pygame.draw.line(surface, THEME.border, (x0, y), (x1, y))

    def _draw_bar(self, surface: pygame.Surface) -> None:
        thumb = self.thumb()
        if thumb is None:
            return
        pygame.draw.rect(surface, (*THEME.panel,), self.track, border_radius=4)
        pygame.draw.rect(surface, THEME.border, self.track, 1, 4)
        color = THEME.accent if self.dragging is not None else THEME.dim
        pygame.draw.rect(surface, color, thumb, border_radius=6)


def _fade(base: pygame.Surface, strip: pygame.Rect, top: bool) -> tuple[pygame.Surface, tuple[int, int]]:
    """A strip of the still background, opaque at the view's edge and clear inward.

    Blitted over the entries it lets them fade out at the edges instead of
    being cut by a hard line.
    """
    image = pygame.Surface(strip.size, pygame.SRCALPHA)
    image.blit(base, (0, 0), strip)
    mask = pygame.Surface(strip.size, pygame.SRCALPHA)
    for y in range(strip.height):
        edge = strip.height - 1 - y if top else y  # distance from the inner side
        mask.fill((255, 255, 255, round(255 * edge / max(1, strip.height - 1))),
                  pygame.Rect(0, y, strip.width, 1))
    image.blit(mask, (0, 0), special_flags=pygame.BLEND_RGBA_MULT)
    return image, strip.topleft


def _hairline(surface: pygame.Surface, x0: int, x1: int, y: int) -> None:
    """A faint divider between entries."""
    line = pygame.Surface((max(1, x1 - x0), 1), pygame.SRCALPHA)
    line.fill((*THEME.border, 70))
    surface.blit(line, (x0, y))


_PAGE_KEYS = {pygame.K_PAGEUP: 1, pygame.K_PAGEDOWN: -1}
