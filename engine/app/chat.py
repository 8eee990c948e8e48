"""The chat view: the story played as the messenger conversation it was.

`ChatScreen` is the reading screen in that view: it owns the state (how many
messages are in the column, the scroll offset, the slide-in and typing
timers, auto and skip) and turns input into it. The place in the story is
the Session's runtime, so Tab to the text-box view and back keeps it, and
saves, read marks, auto and skip are shared with that view.

The frame itself is drawn by engine.app.chatpaint.ChatPainter from a
`ChatView`; `render_chat_shot` and `draw_shot` use it headless for
`chatlog-vn shot`.

Coordinates are the canvas's; the scroll offset is measured up from the
latest message, so measuring blocks above never moves what is on screen.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from engine.app import input as inp
from engine.app.chatpaint import (
    JUMP_AFTER,
    PREFETCH_SLICE,
    ChatFrameGeometry,
    ChatPainter,
    ChatView,
    FrameInfo,
    _lang,
)
from engine.app.ui import UiText
from engine.app.view import ViewScreen
from engine.model import Message, Story, record
from engine.preferences import Preferences
from engine.runtime import Cursor

if TYPE_CHECKING:
    from engine.app.app import App

SLIDE_SECONDS = 0.22  # a new bubble slides in from the bottom this long
SCROLL_SECONDS = 0.18  # keyed scrolls (Page Up, End, the jump button) ease over this
TYPING_BASE = 0.45  # the typing indicator shows at least this long...
TYPING_PER_CHAR = 0.045  # ...plus this per visible character...
TYPING_MAX = 2.4  # ...but never longer than this
DOT_STEP = 0.3  # the typing dots move on this often
PREFETCH_IDLE_TURNS = 60  # loop turns the prefetch may go on for once the column stops...
PREFETCH_IDLE_SLICE = 0.002  # ...with this many seconds of work each
PREFETCH_WAKE = 0.004  # seconds between those turns (input is heard meanwhile)
DRAG_THRESHOLD = 6  # px a press must move before it scrolls instead of clicking


def settle() -> None:
    """The column stopped and its blocks are ready: freeze what preparing them built.

    The bubbles' layouts and blocks are kept in caches, tens of thousands of
    small objects in a long story; the cyclic collector's full pass would walk
    them all (~20 ms, a dropped frame, each time they grow by a quarter).
    Frozen (as the app freezes what start-up built), they are never walked;
    they are freed as usual when a cache lets them go (none of them is in a
    cycle). Called in an idle turn, where it costs nothing visible.
    """
    gc.freeze()


def typing_time(message: Message) -> float:
    """How long the typing indicator shows before `message`: longer for longer lines."""
    length = sum(1 for ch in message.text if not ch.isspace())
    return min(TYPING_BASE + TYPING_PER_CHAR * length, TYPING_MAX)


def _ease_out(t: float) -> float:
    t = min(max(t, 0.0), 1.0)
    return 1.0 - (1.0 - t) ** 3


# --- the screen -------------------------------------------------------------------------


@record(frozen=False)
class _Motion:
    """An eased change of a value over time (the slide-in, keyed scrolls)."""

    start: float
    end: float
    seconds: float
    t: float = 0.0

    def __init__(self, start: float, end: float, seconds: float, t: float = 0.0) -> None:
        self.start = start
        self.end = end
        self.seconds = seconds
        self.t = t

    @property
    def done(self) -> bool:
        return self.t >= self.seconds

    def value(self) -> float:
        return self.start + (self.end - self.start) * _ease_out(self.t / max(self.seconds, 1e-6))


@record(frozen=False)
class _Press:
    """A left-button press that becomes a click on release, or a drag if it moves."""

    pos: tuple[int, int]
    last_y: int
    dragging: bool = False

    def __init__(self, pos: tuple[int, int], last_y: int, dragging: bool = False) -> None:
        self.pos = pos
        self.last_y = last_y
        self.dragging = dragging


class ChatScreen(ViewScreen):
    """Reads the story as a chat: bubbles in a column, newest at the bottom."""

    view_name = "chat"
    quick_pad = (12, 0)

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.scroll = 0.0
        self.typing: Message | None = None
        self.typing_left = 0.0
        self.dots = 0.0
        self.slide: _Motion | None = None
        self.scroll_motion: _Motion | None = None
        self.pin_top = False  # Home: stay at the first message while heights get measured
        self.unseen = 0
        self.press: _Press | None = None
        self.last_info: FrameInfo | None = None
        self._prefetched_at = 0.0
        self._prefetch_turns = 0  # loop turns left for preparing blocks after a scroll
        self._cursor_seen: Cursor | None = None  # where the reader was when last shown
        self._painter: ChatPainter | None = None
        self._furigana_wait: set[int] = set()  # bubbles laid out before their furigana came

    # --- shared pieces ---------------------------------------------------------

    @property
    def painter(self) -> ChatPainter:
        """The session's chat painter (kept on the screen; cheap to rebuild per view)."""
        s = self.session
        if self._painter is None:
            self._painter = ChatPainter(s.story, s.assets, s.renderer, s.ui_text, s.prefs,
                                        _lang())
        self._painter.prefs = s.prefs
        self._painter.lang = _lang()
        self._painter.runs_for = self._bubble_runs if s.learning else None
        return self._painter

    # --- learner mode -------------------------------------------------------------

    def _bubble_runs(self, flat: int, message: Message) -> tuple:
        """A bubble's runs: with furigana once made (until then it is laid out again later)."""
        shown = self.shown_message(message)
        if shown is message and self.furigana_waiting(message):
            self._furigana_wait.add(flat)
        return shown.runs

    def _furigana_arrived(self) -> bool:
        """Bubbles whose furigana is now made are laid out again; True if any was."""
        if not self._furigana_wait:
            return False
        col = self.painter.column(self.geo)
        done = [f for f in self._furigana_wait if not self.furigana_waiting(col.message(f))]
        for f in done:
            self._furigana_wait.discard(f)
            col.forget(f)
        return bool(done)

    def word_spots(self) -> list:
        """The bubbles on screen for the popup dictionary, the newest last."""
        from engine.learn.hits import TextSpot

        geo, view = self.geo, self.view_state()
        col = self.painter.column(geo)
        col.count = view.count
        top, placed = col.visible_from_bottom(view.scroll - view.gap - col.geo.run_gap,
                                              geo.view.height)
        clip = (geo.view.x, geo.view.y, geo.view.width, geo.view.height)
        out = []
        for p in placed:
            blk, bubble = p.block, p.block.bubble
            x = round(geo.view.x + blk.body[0]) + round(bubble.text_x)
            y = round(geo.view.y + (p.y - top) + blk.body[1]) + round(bubble.text_y)
            out.append(TextSpot(blk.message, bubble.layout.lines, bubble.layout.settings,
                                (x, y), clip))
        return out

    @property
    def geo(self) -> ChatFrameGeometry:
        canvas = self.app.canvas
        size = canvas.get_size() if canvas is not None else (1280, 720)
        return self.painter.geometry(size)

    def toast_area(self) -> pygame.Rect:
        """Toasts go just under the header (the scene's title and date stay readable)."""
        geo = self.geo
        gap = round(10 * geo.k)
        return pygame.Rect(geo.view.x, geo.header.bottom + gap, geo.view.width, geo.view.height // 3)

    @property
    def flat(self) -> int:
        rt = self.session.runtime
        return rt.flat_index(rt.cursor)

    @property
    def count(self) -> int:
        """Messages in the column: up to the cursor's, less it while its typist types."""
        return self.flat + (0 if self.typing is not None else 1)

    # --- lifecycle ------------------------------------------------------------------

    def show_first(self) -> None:
        self.arrive(fresh=True, instant=True)

    def on_resume(self) -> None:
        # A menu may have changed the settings, or the backlog (rollback) or a load the place.
        moved = self.session.runtime.cursor != self._cursor_seen
        self.typing = None
        self.slide = None
        self.scroll_motion = None
        self.scroll = 0.0
        self.unseen = 0
        if moved:
            self.arrive(fresh=False, instant=True)

    # --- moving through the story ------------------------------------------------------

    def _instant(self) -> bool:
        s = self.session
        return s.options.fast or s.skipping

    def arrive(self, fresh: bool, instant: bool) -> None:
        """The cursor moved to a new message: type it out first, or show it at once."""
        s = self.session
        message = s.runtime.message
        self._cursor_seen = s.runtime.cursor
        self.prepare_learner()
        if fresh and self._stop_skip_at_unread():
            instant = False
        if s.runtime.cursor.scene != self._shown_scene and self._enter_scene():
            return
        self.waited = 0.0
        self.drawn_message = False
        typing = s.prefs.typing_indicator and message.speaker is not None
        if instant or not typing or self._instant():
            self.typing = None
            self.reveal(animate=not instant and not self._instant(), fresh=fresh)
        else:
            self.typing = message
            self.typing_left = typing_time(message)
            self.dots = 0.0

    def reveal(self, animate: bool, fresh: bool = True) -> None:
        """The message at the cursor appears in the column (sliding in when `animate`)."""
        s = self.session
        was_typing = self.typing is not None
        self.typing = None
        s.mark_read(self.app.clock())
        if fresh:
            self.speak_current()
        self.waited = 0.0
        self.drawn_message = False
        if not animate:
            self.slide = None
            return
        geo = self.geo
        col = self.painter.column(geo)
        col.count = self.count
        height = col.block(self.flat).height
        if self.scroll > 0:
            # Scrolled back: keep what is on screen where it is; count the newcomer.
            self.scroll += height
            self.unseen += 1
        else:
            start = (self.painter.typing_height(geo) if was_typing else 0.0) - height
            # Reduced motion: the new bubble is simply there.
            self.slide = None if s.prefs.reduce_motion else _Motion(start, 0.0, SLIDE_SECONDS)
        character = s.story.character(s.runtime.message.speaker)
        if fresh and character is not None and character.sound is not None and not s.skipping:
            s.audio.play_sound(character.sound)

    def forward(self) -> None:
        """The next message (its typing first), or the end of the story."""
        rt = self.session.runtime
        if rt.at_end:
            self.end_of_story()
            return
        rt.advance()
        self.arrive(fresh=True, instant=False)

    def back(self) -> None:
        """Step back one message: the column ends at the previous one."""
        if self.session.runtime.back():
            self.typing = None
            self.slide = None
            self.scroll = 0.0
            self.unseen = 0
            self.arrive(fresh=False, instant=True)

    def click_advance(self) -> None:
        """Click, Space, Enter: show a message being typed at once, else go on (and follow)."""
        s = self.session
        s.skip = False
        if not self.show_ui:
            self.show_ui = True
        elif self.typing is not None:
            self.reveal(animate=True)
        else:
            # A quick reader need not wait for the slide: it snaps into place and we go on.
            self.slide = None
            if self.scroll > 0:
                self.scroll_to(0.0)
            self.forward()

    # --- scrolling ------------------------------------------------------------------

    def max_scroll(self) -> float:
        """How far back the column goes (its height less the window, estimates included)."""
        geo = self.geo
        extra = self.painter.typing_height(geo) if self.typing is not None else 0.0
        return self.painter.max_scroll(geo, self.count, extra)

    def scroll_by(self, dy: float) -> None:
        """Scroll at once by `dy` px (positive: back in time)."""
        self.scroll_motion = None
        self.pin_top = False
        self._set_scroll(self.scroll + dy)

    def scroll_to(self, target: float) -> None:
        """Ease to a scroll offset (Page keys, End, the jump button)."""
        target = min(max(target, 0.0), self.max_scroll())
        self.pin_top = False
        if self.session.prefs.reduce_motion:  # a jump, not an eased scroll
            self.scroll_motion = None
            self._set_scroll(target)
            return
        self.scroll_motion = _Motion(self.scroll, target, SCROLL_SECONDS)

    def scroll_to_top(self) -> None:
        """Home: ease to the first message. Its height is known only once it is laid
        out, so the target follows the column's measured height until it settles."""
        self.scroll_to(self.max_scroll())
        self.pin_top = True

    def _follow_top(self) -> bool:
        """Keep a Home scroll on the first message as blocks get measured; True if moved."""
        if not self.pin_top:
            return False
        limit = self.max_scroll()
        if self.scroll_motion is not None:
            self.scroll_motion.end = limit
            return False
        if abs(self.scroll - limit) < 0.5:
            return False
        self.scroll = limit
        return True

    def _set_scroll(self, value: float) -> None:
        self.scroll = min(max(value, 0.0), self.max_scroll())
        if self.scroll <= 0.0:
            self.unseen = 0

    # --- input ------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.MOUSEMOTION:
            self._motion(event)
            return
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            press, self.press = self.press, None
            if press is not None and not press.dragging and not self.dictionary_click(press.pos):
                self.click_advance()
            return
        if event.type == pygame.KEYDOWN and self._scroll_key(event.key):
            return
        action = inp.action_for(event)
        if action == inp.CLICK:
            self._click(event.pos)
        elif action == inp.WHEEL_UP:
            self.scroll_by(self._line() * 3 * max(1, abs(event.y)))
        elif action == inp.WHEEL_DOWN:
            if self.scroll > 0:
                self.scroll_by(-self._line() * 3 * max(1, abs(event.y)))
            else:
                self.click_advance()
        elif action == inp.ADVANCE:
            self.click_advance()
        else:
            self._key_action(action)

    def _line(self) -> float:
        return self.geo.settings.size * 2.0

    def _scroll_key(self, key: int) -> bool:
        """Up/Down/Page Up/Page Down/Home/End scroll; Page Down at the bottom advances."""
        page = self.geo.view.height * 0.85
        if key == pygame.K_PAGEDOWN and self.scroll <= 0 and self.scroll_motion is None:
            return False  # the ordinary advance, as in the text-box view
        moves = {
            pygame.K_UP: lambda: self.scroll_by(self._line()),
            pygame.K_DOWN: lambda: self.scroll_by(-self._line()),
            pygame.K_PAGEUP: lambda: self.scroll_to(self._target() + page),
            pygame.K_PAGEDOWN: lambda: self.scroll_to(self._target() - page),
            pygame.K_HOME: self.scroll_to_top,
            pygame.K_END: lambda: self.scroll_to(0.0),
        }
        move = moves.get(key)
        if move is None:
            return False
        move()
        return True

    def _target(self) -> float:
        return self.scroll_motion.end if self.scroll_motion is not None else self.scroll

    def _motion(self, event: pygame.event.Event) -> None:
        self.focus = self._quick_at(event.pos) if self.show_ui else None
        if self.press is None:
            self.dictionary_hover(event.pos)
        press = self.press
        if press is None or not event.buttons[0]:
            return
        if not press.dragging and abs(event.pos[1] - press.pos[1]) >= DRAG_THRESHOLD:
            press.dragging = True
        if press.dragging:
            self.scroll_by(event.pos[1] - press.last_y)
            press.last_y = event.pos[1]

    def _click(self, pos: tuple[int, int]) -> None:
        """A press: a bar button or the jump button at once; else a click or drag on release."""
        if self.show_ui:
            key = self._quick_at(pos)
            if key is not None:
                self.quick(key)
                return
            if self.scroll > JUMP_AFTER and self.geo.jump.inflate(8, 8).collidepoint(pos):
                self.scroll_to(0.0)
                return
        self.press = _Press(pos, pos[1])

    def extra_keys(self) -> dict[str, Callable[[], object]]:
        return {
            inp.UP: lambda: self.scroll_by(self._line()),
            inp.DOWN: lambda: self.scroll_by(-self._line()),
            inp.HOME: self.scroll_to_top,
            inp.END: lambda: self.scroll_to(0.0),
        }

    def quick_buttons(self) -> list[tuple[str, pygame.Rect]]:
        return self.painter.quick_buttons(self.geo)

    # --- time --------------------------------------------------------------------------

    def update(self, dt: float) -> bool:
        if self.dictionary_update(dt):
            return True
        changed = self._animate(dt) | self._follow_top() | self._furigana_arrived()
        self._prefetch()
        if self.typing is not None:
            self.typing_left -= dt
            before = int(self.dots / DOT_STEP)
            self.dots += dt
            if self.typing_left <= 0:
                self.reveal(animate=True)
                return True
            return changed or int(self.dots / DOT_STEP) != before
        if self.slide is not None:
            return changed
        self.waited += dt
        move = self._next_move()
        if move is not None and self.waited >= move and self.drawn_message:
            self.forward()
            return True
        return changed

    def _prefetch(self) -> None:
        """Get the blocks beyond the window ready before they show: a slice of work in
        each frame the column moves, then bigger slices for a bounded number of loop
        turns after it stops (no frame is drawn for them), until the blocks ahead are
        ready. A column that has not moved costs nothing: the loop stays idle."""
        seconds = PREFETCH_SLICE
        if self.scroll != self._prefetched_at:
            self._prefetched_at = self.scroll
            self._prefetch_turns = PREFETCH_IDLE_TURNS
        elif self._prefetch_turns > 0:
            self._prefetch_turns -= 1
            seconds = PREFETCH_IDLE_SLICE
        else:
            return
        if not self.painter.prefetch(self.geo.size, self.view_state(), seconds):
            self._prefetch_turns = 0  # everything ahead is ready
            if seconds == PREFETCH_IDLE_SLICE:
                settle()

    def _animate(self, dt: float) -> bool:
        changed = False
        for name in ("slide", "scroll_motion"):
            motion: _Motion | None = getattr(self, name)
            if motion is None:
                continue
            motion.t += dt
            if name == "scroll_motion":
                self._set_scroll(motion.value())
            if motion.done:
                setattr(self, name, None)
            changed = True
        return changed

    def wake_in(self) -> float | None:
        story = self._story_wake_in()
        for extra in (self.dictionary_wake(), 0.03 if self._furigana_wait else None):
            if extra is not None:
                story = extra if story is None else min(story, extra)
        if self._prefetch_turns <= 0:
            return story
        return PREFETCH_WAKE if story is None else min(story, PREFETCH_WAKE)

    def _story_wake_in(self) -> float | None:
        """When the animations, the typing dots or auto and skip next need a turn."""
        if self.slide is not None or self.scroll_motion is not None:
            return 0.0
        if self.pin_top and abs(self.scroll - self.max_scroll()) >= 0.5:
            return 0.0
        if self.typing is not None:
            to_dot = DOT_STEP - (self.dots % DOT_STEP)
            return max(0.0, min(self.typing_left, to_dot))
        move = self._next_move()
        if move is None:
            return None
        return max(0.0, move - self.waited) if self.drawn_message else 0.0

    # --- drawing ------------------------------------------------------------------------

    def view_state(self) -> ChatView:
        """What the next frame shows."""
        geo = self.geo
        gap = self.painter.typing_height(geo) if self.typing is not None else 0.0
        alpha = 255
        if self.slide is not None:
            gap = self.slide.value()
            alpha = round(255 * _ease_out(self.slide.t / SLIDE_SECONDS))
        active = self._active()
        return ChatView(
            count=self.count, scroll=self.scroll, gap=gap, typing=self.typing,
            typing_frame=int(self.dots / DOT_STEP), newest_alpha=max(40, alpha),
            show_ui=self.show_ui, active=active, focus=self.focus, unseen=self.unseen,
        )

    def draw_still(self, surface: pygame.Surface) -> None:
        """The column with the current message arrived and still (a save's thumbnail).

        No typing dots and no slide: the thumbnail shows the message the save
        resumes at, whatever the animation was doing when it was taken.
        """
        view = self.view_state()
        view.count, view.gap, view.typing, view.newest_alpha = self.flat + 1, 0.0, None, 255
        self.painter.draw(surface, self.session.runtime.scene_ref, view)

    def draw(self, surface: pygame.Surface) -> list[pygame.Rect] | None:
        rt = self.session.runtime
        view = self.view_state()
        self.last_info = self.painter.draw(surface, rt.scene_ref, view)
        if self.painter.jumped:
            self.painter.prefetch(self.geo.size, view)  # in this slow frame (see `prefetch`)
        if surface is self.app.canvas:
            if self.typing is None:
                self.drawn_message = True
                self.app.note_first_message_frame()
            if self.scroll > self.last_info.max_scroll:
                self.scroll = self.last_info.max_scroll  # measured heights shrank the column
        return None


# --- headless frames ------------------------------------------------------------------------


def draw_shot(story: Story, message: int, surface: pygame.Surface, prefs: Preferences | None,
              fonts: Any) -> FrameInfo:
    """Draw the chat view on `surface` with message `message` (0-based, play order) the latest."""
    from engine.app.assets import Assets
    from engine.render import TextRenderer
    from engine.runtime import StoryIndex

    prefs = prefs or Preferences()
    index = StoryIndex(story)
    cursor = index.cursor_at(min(max(message, 0), index.total - 1))
    painter = ChatPainter(story, Assets(), TextRenderer(fonts), UiText(fonts.primary), prefs,
                          _lang())
    view = ChatView(count=index.flat_index(cursor) + 1)
    return painter.draw(surface, story.scenes[cursor.scene], view)


def render_chat_shot(story: Story, flat_index: int, size: tuple[int, int],
                     prefs: Preferences | None = None) -> pygame.Surface:
    """The chat view with message `flat_index` the latest, as the player shows it, headless."""
    import engine.app  # noqa: F401  (quiets pygame's banner)
    from engine.app.i18n import pick_language, set_language
    from engine.preferences import system_language
    from engine.render import FontSet, default_font_path

    prefs = prefs or Preferences()
    set_language(pick_language(prefs.language, story.ui_language, system_language()))
    fonts = FontSet(story.font or default_font_path(), tuple(story.fallback_fonts))
    surface = pygame.Surface(size)
    draw_shot(story, flat_index, surface, prefs, fonts)
    return surface


__all__ = ["ChatScreen", "draw_shot", "render_chat_shot", "typing_time"]
