"""The ADV reading screen: the story in a text box over the scene's background.

State kept here (never in the layout or the model): the page of the current
message, how far the typewriter has revealed it, and the timers of auto,
skip and the blinking wait mark. A message is paged by a `Pager`: a short
one is laid out whole when it arrives, a long one only as far as the page
shown and the next, so a message of a million characters shows its first
page as fast as any other. While waiting for the reader, the only
thing that moves is the mark, and only its small rectangle is redrawn, twice
a second; the loop sleeps in between.
"""

from __future__ import annotations

from collections.abc import Callable

import pygame

from engine.app import input as inp
from engine.app.app import CANVAS
from engine.app.frame import Geometry
from engine.app.view import ViewScreen
from engine.layout.boxes import Line
from engine.layout.paging import WINDOW, Pager
from engine.runtime import Cursor, auto_delay

BLINK = 0.5  # seconds the wait mark stays on, then off
POLL = 0.03  # seconds between looks for furigana still being made (engine.app.learn_mode.POLL)


class ReadingScreen(ViewScreen):
    """Reads the story message by message in the text-box ("adv") view."""

    view_name = "adv"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.pager: Pager | None = None
        self.page_index = 0
        self.page_start = 0  # first glyph index on the page
        self.page_end = 0  # one past the last glyph index on the page
        self.elapsed = 0.0  # typewriter time on this page
        self.complete = False
        self.blink = 0.0
        self._partial_mark = False
        self._partial_text = False
        self._under_mark: pygame.Surface | None = None
        self._base: pygame.Surface | None = None  # the text area of the last frame, without text
        self._base_key: tuple | None = None  # what the base shows (message, page)
        self._shown_cursor: Cursor | None = None  # the message the pages belong to
        self._furigana_wait = False  # the pages are without the furigana still being made
        self._paged = None  # the message the pager lays out (with its furigana, when made)

    # --- lifecycle -----------------------------------------------------------

    def show_first(self) -> None:
        self.show_message(instant=False)

    def on_resume(self) -> None:
        # A menu may have changed the text size, the ruby setting or the place. The
        # page is kept only for the same message: a rollback or a load starts at page 1.
        same = self.session.runtime.cursor == self._shown_cursor
        self.show_message(instant=True, keep_page=same, fresh=False)

    # --- moving through the story --------------------------------------------

    @property
    def geo(self) -> Geometry:
        return self.session.frame.geometry(CANVAS)

    def show_message(self, instant: bool, keep_page: bool = False, fresh: bool = True) -> None:
        """Start showing the message at the runtime's cursor (`fresh`: newly arrived at)."""
        s = self.session
        rt = s.runtime
        message = rt.message
        s.frame.prefs = s.prefs
        if fresh:
            self._stop_skip_at_unread()
        s.mark_read(self.app.clock())
        geo = self.geo
        self.prepare_learner()
        self._furigana_wait = self.furigana_waiting(message)
        self._paged = self.shown_message(message)
        self.pager = pager = s.frame.pager(self._paged, geo)
        if len(message.text) <= WINDOW:
            pager.all_pages()  # short: laid out whole at once, as cheap as one window
        self._shown_cursor = rt.cursor
        page = self.page_index if keep_page else 0
        while page > 0 and not pager.has_page(page):
            page -= 1  # a bigger text size may leave fewer pages
        self.start_page(page, instant or self._instant())
        if rt.cursor.scene != self._shown_scene and self._enter_scene():
            return  # after the page is set: the autosave's thumbnail shows it
        character = s.story.character(message.speaker)
        if fresh and character is not None and character.sound is not None and not s.skipping:
            s.audio.play_sound(character.sound)
        if fresh:
            self.speak_current()

    def _instant(self) -> bool:
        s = self.session
        return s.options.fast or s.prefs.text_speed <= 0 or s.skipping

    @property
    def pages(self) -> list[tuple[Line, ...]]:
        """The current message's pages laid out so far (all of them for a short message)."""
        if self.pager is None:
            return [()]
        return self.pager.known_pages() or [()]

    @property
    def page(self) -> tuple[Line, ...]:
        """The lines of the page shown."""
        page = self.pager.page(self.page_index) if self.pager is not None else None
        return page or ()

    def _has_page(self, index: int) -> bool:
        return index >= 0 and self.pager is not None and self.pager.has_page(index)

    def start_page(self, index: int, instant: bool) -> None:
        """Show page `index`: typed out, or at once."""
        self.page_index = index
        self._page_bounds()
        self.elapsed = 0.0
        self.drawn_message = False  # auto and skip move on only after it was seen
        self.complete = instant or self.page_end <= self.page_start
        self.waited = 0.0
        self.blink = 0.0

    def _page_bounds(self) -> None:
        if self.pager is not None:
            self.pager.page(self.page_index + 1)  # the next page ready before the reader asks
        indexes = [g.index for line in self.page for g in line.glyphs]
        self.page_start = min(indexes, default=0)
        self.page_end = max(indexes, default=-1) + 1

    def _furigana_arrived(self) -> bool:
        """The worker made the message's furigana: lay it out again, on the same page, the
        typewriter where it was. True if the page changed."""
        if not self._furigana_wait or self.furigana_waiting(self.session.runtime.message):
            return False
        self._furigana_wait = False
        s = self.session
        shown = self.shown_message(s.runtime.message)
        if shown is self._paged:
            return False
        self._paged = shown
        self.pager = s.frame.pager(shown, self.geo)
        if len(shown.text) <= WINDOW:
            self.pager.all_pages()
        while self.page_index > 0 and not self.pager.has_page(self.page_index):
            self.page_index -= 1
        self._page_bounds()
        return True

    def word_spots(self) -> list:
        """The page on screen, once typed out, for the popup dictionary."""
        if not self.complete or not self.show_ui or not self.page:
            return []
        from engine.learn.hits import TextSpot

        geo = self.geo
        return [TextSpot(self.session.runtime.message, self.page, geo.settings, geo.text.topleft)]

    @property
    def reveal(self) -> int | None:
        """Glyphs with an index below this are visible; None when the page is complete."""
        if self.complete:
            return None
        return self.page_start + int(self.elapsed * self.session.prefs.text_speed)

    def forward(self) -> None:
        """The next page, or the next message, or the end of the story."""
        if self._has_page(self.page_index + 1):
            self.start_page(self.page_index + 1, self._instant())
            return
        rt = self.session.runtime
        if rt.at_end:
            self.end_of_story()
            return
        rt.advance()
        self.show_message(instant=False)

    def back(self) -> None:
        """One page back, or the previous message shown complete."""
        if self.page_index > 0:
            self.start_page(self.page_index - 1, True)
        elif self.session.runtime.back():
            self.show_message(instant=True)

    def click_advance(self) -> None:
        """A click: finish the typing, else go on; a click also stops skipping."""
        s = self.session
        s.skip = False
        if not self.show_ui:
            self.show_ui = True
        elif not self.complete:
            self.complete = True
            self.waited = 0.0
        else:
            self.forward()

    # --- input ----------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> bool | None:
        if event.type == pygame.MOUSEMOTION:
            focus = self._quick_at(event.pos) if self.show_ui else None
            changed, self.focus = focus != self.focus, focus
            self.dictionary_hover(event.pos)
            return changed
        action = inp.action_for(event)
        if action is None:
            return False  # a key or button that means nothing here changes nothing
        if action == inp.CLICK:
            key = self._quick_at(event.pos) if self.show_ui else None
            if key is not None:
                self.quick(key)
            elif not (self.complete and self.dictionary_click(event.pos)):
                self.click_advance()
        elif action == inp.WHEEL_UP:
            if self.geo.box.collidepoint(getattr(event, "pos", (0, 0))):
                self.back()
            else:
                self.app.open("backlog")
        elif action in (inp.ADVANCE, inp.WHEEL_DOWN):
            self.click_advance()
        else:
            self._key_action(action)
        return None

    def extra_keys(self) -> dict[str, Callable[[], object]]:
        return {inp.BACK: self.back}

    def quick_buttons(self) -> list[tuple[str, pygame.Rect]]:
        return self.session.frame.quick_buttons(self.geo)

    # --- time -------------------------------------------------------------------

    def _auto_wait(self) -> float:
        """Auto waits on each page a share of the message's time, at least 0.6 s."""
        s = self.session
        if s.options.fast:
            return 0.0
        pager = self.pager
        if pager is None or pager.done:
            share = 1.0 / max(1, len(self.pages))
        else:  # pages not all known: the page's share of the message's characters
            share = (self.page_end - self.page_start) / max(1, len(s.runtime.message.text))
        return max(0.6, auto_delay(s.runtime.message, s.prefs) * share)

    def update(self, dt: float) -> bool:
        if self._furigana_arrived() | self.dictionary_update(dt):
            return True
        if not self.complete:
            before = self.reveal
            self.elapsed += dt
            if self.page_start + int(self.elapsed * self.session.prefs.text_speed) >= self.page_end:
                self.complete = True  # a whole frame: the wait mark appears with it
                return True
            # Typing: only the text area changes, and only when a glyph appeared.
            self._partial_text = self.reveal != before or self._partial_text
            return self.reveal != before
        self.waited += dt
        move = self._next_move()
        if move is not None and self.waited >= move and self.drawn_message:
            self.forward()
            return True
        if self.session.prefs.reduce_motion:
            return False  # the wait mark stays lit instead of blinking
        before = int(self.blink / BLINK)
        self.blink += dt
        if int(self.blink / BLINK) != before and self.show_ui:
            self._partial_mark = True
            return True
        return False

    def wake_in(self) -> float | None:
        if not self.complete:
            return 0.0
        move = self._next_move()
        steady = self.session.prefs.reduce_motion
        blink = BLINK - (self.blink % BLINK) if self.show_ui and not steady else None
        waits = [blink, self.dictionary_wake(), POLL if self._furigana_wait else None]
        if move is not None:
            waits.append(max(0.0, move - self.waited))
        pending = [w for w in waits if w is not None]
        return min(pending) if pending else None

    # --- drawing ------------------------------------------------------------------

    @property
    def mark_visible(self) -> bool:
        steady = self.session.prefs.reduce_motion
        return self.complete and (steady or int(self.blink / BLINK) % 2 == 0)

    def draw(self, surface: pygame.Surface) -> list[pygame.Rect] | None:
        geo = self.geo
        partial = surface is self.app.canvas and self.app.partial_ok
        if partial and self._partial_text and self._base_key == self._key() and not self.complete:
            return [self._draw_typing(surface, geo)]
        if partial and self._partial_mark and self._under_mark is not None:
            self._partial_mark = False
            surface.blit(self._under_mark, geo.mark)
            if self.mark_visible:
                self.session.frame.draw_mark(surface, geo)
            return [geo.mark.copy()]
        self._draw_full(surface, geo)
        return None

    def draw_still(self, surface: pygame.Surface) -> None:
        """The current page complete, whatever the typewriter has shown (a save's thumbnail)."""
        s = self.session
        rt = s.runtime
        s.frame.draw(surface, rt.scene_ref, rt.message, self.page, None, show_ui=self.show_ui,
                     active=self._active(), focus=self.focus)

    def _key(self) -> tuple:
        return (self.session.runtime.cursor, self.page_index, self.session.frame.geometry(CANVAS))

    def _draw_typing(self, surface: pygame.Surface, geo: Geometry) -> pygame.Rect:
        """A typewriter frame: the text area restored from the base, then the text over it."""
        self._partial_text = False
        area = self.session.frame.text_area(geo).clip(surface.get_rect())
        surface.blit(self._base, area)
        clip = surface.get_clip()
        surface.set_clip(area)
        self.session.frame.draw_text(surface, geo, self.page, self.reveal)
        surface.set_clip(clip)
        return area

    def _draw_full(self, surface: pygame.Surface, geo: Geometry) -> None:
        s = self.session
        rt = s.runtime
        active = self._active()
        page = self.page
        typing = not self.complete and self.show_ui
        if typing and surface is self.app.canvas:
            # Keep the text area as it is without its text, so typewriter frames redraw
            # only the text over it (a copy of that area, not of the whole frame).
            s.frame.draw(surface, rt.scene_ref, rt.message, page, self.reveal,
                         show_ui=True, active=active, focus=self.focus, with_text=False)
            area = s.frame.text_area(geo).clip(surface.get_rect())
            if self._base is None or self._base.get_size() != area.size:
                self._base = pygame.Surface(area.size).convert()
            self._base.blit(surface, (0, 0), area)
            s.frame.draw_text(surface, geo, page, self.reveal)
            self._base_key = self._key()
        else:
            s.frame.draw(
                surface, rt.scene_ref, rt.message, page, self.reveal,
                show_ui=self.show_ui, active=active, focus=self.focus,
            )
        self._partial_mark = self._partial_text = False
        if self.show_ui and self.complete:
            self._under_mark = surface.subsurface(geo.mark).copy()
            if self.mark_visible:
                s.frame.draw_mark(surface, geo)
        if surface is self.app.canvas:
            self.drawn_message = True
            self.app.note_first_message_frame()
