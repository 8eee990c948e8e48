"""Drawing a chat frame from a `ChatView` state.

Shared by the chat screen (engine.app.chat.ChatScreen), `chatlog-vn shot
--view chat` (engine.app.chat.draw_shot) and the settings preview.

`ChatPainter` draws one chat frame (background, header, the column of
bubbles, the typing indicator, the quick-menu bar, the jump-to-latest button)
from plain state (`ChatView`). It keeps the caches: the column's layout
(engine.chatlayout: lazy, so only blocks on screen are laid out), one surface
per bubble, avatars, date pills. A frame blits the cached background, the
bubbles in the window and the bars; nothing else.

Coordinates are the canvas's; the scroll offset is measured up from the
latest message, so measuring blocks above never moves what is on screen.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pygame

from engine.app.i18n import register, tr
from engine.app.ui import THEME, UiText, readable_color
from engine.chatlayout import (
    BubbleLayout,
    ChatBlock,
    ChatColumn,
    ChatGeometry,
    Placed,
    Steps,
    date_label,
    finish,
    step_size,
)
from engine.layout.boxes import Layout, Line, Settings
from engine.layout.graphemes import split_graphemes
from engine.model import Character, Message, SceneRef, Story, record, set_field
from engine.preferences import Preferences

if TYPE_CHECKING:
    from engine.render import TextColors
    from engine.render.fonts import GlyphImage

Color = tuple[int, int, int]
# A surface a block draws: at (round(x0 + fx) + ix, round(y0 + fy) + iy) for the block at (x0, y0).
_Part = tuple[pygame.Surface, float, float, int, int]

REFERENCE_HEIGHT = 720
QUICK_KEYS = ("back", "history", "auto", "skip", "save", "load", "settings")
PREFETCH_AHEAD = 8  # blocks beyond the window made ready while the column moves...
PREFETCH_FAR = 48  # ...and long ones (`LONG_BLOCK` characters and more) this far ahead
LONG_BLOCK = 300
PREFETCH_SLICE = 0.00015  # seconds of that work per frame (at least one step)...
PREFETCH_URGENT = 0.003  # ...more, up to this, when a block would show before it is ready
WORK_PER_CHAR = 4e-5  # seconds a block's first preparing takes per character, roughly
PREFETCH_CATCH_UP = 0.003  # at most this much of it in a frame that laid out a window (a jump)
FRAME_BUDGET = 0.004  # seconds a jump's frame may spend, draw and catch-up together
PARTS_CACHE = 256  # blocks whose blits are kept ready
GLYPH_CACHE = 4096  # glyph images kept for drawing bubbles
STEP_SECONDS = 4e-6  # what a unit of a step's size (`Steps`) takes, roughly
RENDER_BASE = 8  # a bubble's shape, in those units
RENDER_LINES = 1  # a long bubble's text is rendered this many lines a step
JUMP_AFTER = 48  # px scrolled away before the jump-to-latest button shows

register({
    "ja": {"typing": "{name}が入力中…", "new_messages": "新着 {n}"},
    "en": {"typing": "{name} is typing…", "new_messages": "{n} new"},
})


def _mix(a: Color, b: Color, t: float) -> Color:
    """`a` moved a share `t` of the way to `b`."""
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))


# --- geometry -----------------------------------------------------------------------


@record
class ChatFrameGeometry:
    """Where the parts of a chat frame go on a surface of `size`; `k` scales 720p figures."""

    size: tuple[int, int]
    k: float
    header: pygame.Rect
    view: pygame.Rect  # the column's window between the header and the bar
    bar: pygame.Rect  # the quick-menu bar at the bottom
    jump: pygame.Rect  # the jump-to-latest button (shown only when scrolled away)
    settings: Settings  # text settings of the bubbles
    label_size: int  # interface labels (header, bar)

    def __init__(
        self,
        size: tuple[int, int],
        k: float,
        header: pygame.Rect,
        view: pygame.Rect,
        bar: pygame.Rect,
        jump: pygame.Rect,
        settings: Settings,
        label_size: int,
    ) -> None:
        set_field(self, "size", size)
        set_field(self, "k", k)
        set_field(self, "header", header)
        set_field(self, "view", view)
        set_field(self, "bar", bar)
        set_field(self, "jump", jump)
        set_field(self, "settings", settings)
        set_field(self, "label_size", label_size)


def chat_geometry(size: tuple[int, int], prefs: Preferences, story: Story) -> ChatFrameGeometry:
    """The chat frame's layout for a surface size and the player's text settings."""
    w, h = size
    k = h / REFERENCE_HEIGHT
    settings = Settings(
        size=float(max(10, round(prefs.text_size * 0.8 * k))),
        line_gap={"normal": 0.35, "wide": 0.7, "wider": 1.05}[prefs.line_spacing],
        strictness=prefs.strictness,
        hanging_punctuation=False,
        phrase_wrapping=story.layout.phrase_wrapping,
        show_ruby=prefs.show_ruby,
        latin_spacing=(story.layout.latin_spacing if prefs.latin_spacing is None
                       else prefs.latin_spacing),
    )  # bubbles shrink to their text: never justified
    col_w = min(w - round(80 * k), round(880 * k))
    header = pygame.Rect(0, 0, w, round(54 * k))
    bar = pygame.Rect(0, h - round(48 * k), w, round(48 * k))
    view = pygame.Rect((w - col_w) // 2, header.bottom, col_w, bar.y - header.bottom)
    d = round(46 * k)
    # The jump-to-latest button has a place of its own in the gutter right of
    # the column (past the scroll bar), so it never covers a bubble; only a
    # window too narrow for that puts it inside the column's corner.
    gutter = pygame.Rect(view.right + round(12 * k), view.y, w - view.right - round(12 * k), view.height)
    jump = pygame.Rect(0, 0, d, d)
    if gutter.width >= d + round(16 * k):
        jump.bottomleft = (gutter.x + round(8 * k), view.bottom - round(14 * k))
    else:
        jump.bottomright = (view.right - round(14 * k), view.bottom - round(14 * k))
    return ChatFrameGeometry(size, k, header, view, bar, jump, settings, round(THEME.small_size * k))


# --- what a frame shows -------------------------------------------------------------


@record(frozen=False)
class ChatView:
    """The state a chat frame is drawn from (the screen's, or a shot's)."""

    count: int  # messages in the column, from the story's first
    scroll: float = 0.0  # px the window's bottom sits above the latest message
    gap: float = 0.0  # px shown below the latest message: the typing row, or < 0 while sliding
    typing: Message | None = None  # who is typing the next message
    typing_frame: int = 0  # which of the three dots is lit
    newest_alpha: int = 255  # fade of the bubble that just arrived
    show_ui: bool = True
    active: frozenset[str] = frozenset()  # quick-menu modes that are on (auto, skip)
    focus: str | None = None  # the quick-menu button under the mouse
    unseen: int = 0  # messages that arrived while scrolled away

    def __init__(
        self,
        count: int,
        scroll: float = 0.0,
        gap: float = 0.0,
        typing: Message | None = None,
        typing_frame: int = 0,
        newest_alpha: int = 255,
        show_ui: bool = True,
        active: frozenset[str] = frozenset(),
        focus: str | None = None,
        unseen: int = 0,
    ) -> None:
        self.count = count
        self.scroll = scroll
        self.gap = gap
        self.typing = typing
        self.typing_frame = typing_frame
        self.newest_alpha = newest_alpha
        self.show_ui = show_ui
        self.active = active
        self.focus = focus
        self.unseen = unseen


@record(frozen=False)
class FrameInfo:
    """What the painter found while drawing: for scroll limits and tests."""

    top: float  # the column y at the window's top
    height: float  # the column's height (estimates included)
    max_scroll: float
    blocks: int  # blocks drawn

    def __init__(self, top: float, height: float, max_scroll: float, blocks: int) -> None:
        self.top = top
        self.height = height
        self.max_scroll = max_scroll
        self.blocks = blocks


@record(frozen=False)
class ChatStats:
    """Counters for tests and the benchmark: the caches at work."""

    bubble_builds: int = 0  # bubble surfaces made (cache misses)
    bubble_blits: int = 0  # bubbles drawn
    frames: int = 0

    def __init__(self, bubble_builds: int = 0, bubble_blits: int = 0, frames: int = 0) -> None:
        self.bubble_builds = bubble_builds
        self.bubble_blits = bubble_blits
        self.frames = frames


@record
class _Palette:
    """The colours of one speaker's bubbles."""

    fill: Color
    text: Color
    direction: Color
    ruby: Color
    name: Color

    def __init__(
        self,
        fill: Color,
        text: Color,
        direction: Color,
        ruby: Color,
        name: Color,
    ) -> None:
        set_field(self, "fill", fill)
        set_field(self, "text", text)
        set_field(self, "direction", direction)
        set_field(self, "ruby", ruby)
        set_field(self, "name", name)


BUBBLE_BASE: Color = (42, 44, 66)
TEXT: Color = (248, 246, 252)
SYSTEM_TEXT: Color = (196, 194, 214)
NARRATOR: Color = (160, 156, 178)


def palette(character: Character | None, side: str | None) -> _Palette:
    """Bubble colours: the base tinted by the speaker's colour, more on the right (the reader)."""
    return _palette(character.color if character is not None else NARRATOR, side)


@lru_cache(maxsize=256)
def _palette(color: Color, side: str | None) -> _Palette:
    fill = _mix(BUBBLE_BASE, color, 0.42 if side == "right" else 0.2)
    # Stage directions are the same text, dimmer: part way toward the bubble's fill.
    return _Palette(fill, TEXT, _mix(TEXT, fill, 0.42), _mix(TEXT, fill, 0.15),
                    readable_color(color))


class _SurfaceCache:
    """A small least-recently-used map of surfaces, so memory stays flat however long
    the story (one date pill per scene, one avatar per speaker and expression)."""

    def __init__(self, limit: int) -> None:
        self._items: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._limit = limit

    def get(self, key: tuple) -> pygame.Surface | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple, surface: pygame.Surface) -> None:
        self._items[key] = surface
        if len(self._items) > self._limit:
            self._items.popitem(last=False)


# --- the painter ------------------------------------------------------------------------


class ChatPainter:
    """Draws chat frames for a story; holds the column and the surface caches."""

    def __init__(self, story: Story, assets: Any, renderer: Any, ui_text: UiText,
                 prefs: Preferences, lang: str = "ja",
                 bubble_pixels: int = 6_000_000) -> None:
        self.story = story
        self.assets = assets
        self.renderer = renderer
        self.ui_text = ui_text
        self.prefs = prefs
        self.lang = lang
        self.stats = ChatStats()
        self._bubbles = BubbleLayout(renderer.fonts.measure)
        self._column: ChatColumn | None = None
        self._column_key: tuple | None = None
        # Bubble surfaces, bounded by their total area (about six screens' worth, ~24 MB),
        # so memory stays flat however far back the reader scrolls.
        self._surfaces: OrderedDict[tuple, tuple[Any, pygame.Surface]] = OrderedDict()
        self._surface_pixels = 0
        self._pixel_limit = bubble_pixels
        # Full-canvas backdrops are big: keep the current scene's and a neighbour's only.
        self._backdrops: _SurfaceCache = _SurfaceCache(2)
        self._misc: _SurfaceCache = _SurfaceCache(256)  # avatars and date pills
        self._labels: dict[tuple, pygame.Surface] = {}
        self._glyphs: dict[tuple, GlyphImage] = {}
        # The last frame base: (backdrop, bar words, the two as one surface).
        self._base: tuple[pygame.Surface, pygame.Surface, pygame.Surface] | None = None
        # What each block on screen draws, so a frame is one batch of blits.
        self._block_parts: OrderedDict[int, tuple[ChatBlock, list[_Part]]] = OrderedDict()
        self._geometry: dict[tuple, ChatFrameGeometry] = {}
        # Prefetching: the block being prepared (with its column), and which way to look.
        self._job: tuple[ChatColumn, int, Iterator[int]] | None = None  # (column, block, steps)
        self._job_next = 0  # the size of the job's next piece (`Steps`)
        self._job_left = 0.0  # seconds of the job's work still to do, roughly
        self._job_spent = 0.0  # seconds spent on the job so far
        self._prefetch_up = True
        self._prefetch_scroll = 0.0
        self.jumped = False  # the last frame laid out more than a block (see `draw`)
        self.runs_for: Any = None  # the bubbles' runs (learner mode's furigana): ChatColumn
        self.draw_seconds = 0.0  # how long the last `draw` took

    # --- layout --------------------------------------------------------------

    def geometry(self, size: tuple[int, int]) -> ChatFrameGeometry:
        """The (cached) frame geometry for a size under the current settings."""
        p = self.prefs
        key = (size, p.text_size, p.strictness, p.show_ruby, p.line_spacing, p.latin_spacing,
               p.justify)
        geo = self._geometry.get(key)
        if geo is None:
            geo = self._geometry[key] = chat_geometry(size, p, self.story)
        return geo

    def column(self, geo: ChatFrameGeometry) -> ChatColumn:
        """The conversation's column for this geometry (rebuilt when width or text change)."""
        key = (geo.view.width, geo.settings, self.lang)
        if self._column is None or self._column_key != key:
            self._column = ChatColumn(
                self.story, geo.view.width, self.renderer.fonts.measure, geo.settings,
                lang=self.lang, geometry=ChatGeometry.for_size(geo.settings.size),
                bubbles=self._bubbles, count=0,
            )
            self._column_key = key
        self._column.runs_for = self.runs_for
        return self._column

    def typing_height(self, geo: ChatFrameGeometry) -> float:
        """The row the typing indicator takes below the latest message."""
        g = self.column(geo).geo
        return g.run_gap + geo.settings.size + 2 * g.pad_y

    # --- a frame ---------------------------------------------------------------

    def draw(self, surface: pygame.Surface, scene: SceneRef, view: ChatView) -> FrameInfo:
        """Draw the whole chat frame for `view` over `scene`'s background."""
        start = time.perf_counter()
        geo = self.geometry(surface.get_size())
        col = self.column(geo)
        col.count = view.count
        surface.blit(self._frame_base(scene, geo, view), (0, 0))
        edge = col.geo.run_gap  # breathing room above the first and below the latest message
        self._finish_shown_job(col, view.scroll - view.gap - edge, geo.view.height)
        calls = col.bubbles.layout_calls
        top, placed = col.visible_from_bottom(view.scroll - view.gap - edge, geo.view.height)
        # More than a block laid out here: a jump (Home, a load) made this frame slow already.
        self.jumped = col.bubbles.layout_calls - calls > 2
        clip = surface.get_clip()
        surface.set_clip(geo.view)
        self._draw_blocks(surface, geo, placed, top, view)
        if view.typing is not None:
            self._draw_typing(surface, geo, col.height() - top, view)
        surface.set_clip(clip)
        height = col.height()
        self._draw_scrollbar(surface, geo, top + edge, height + max(view.gap, 0.0) + 2 * edge)
        if view.show_ui and view.scroll > JUMP_AFTER:
            self._draw_jump(surface, geo, view.unseen)
        self.stats.frames += 1
        self.draw_seconds = time.perf_counter() - start
        return FrameInfo(top, height, self.max_scroll(geo, view.count, view.gap), len(placed))

    def prefetch(self, size: tuple[int, int], view: ChatView,
                 seconds: float = PREFETCH_SLICE) -> int:
        """Prepare the blocks just beyond the window for about `seconds`; the steps run.

        Called while the column scrolls, so a block's first-time cost (layout
        and bubble surface) is paid before it comes into view, a step at a
        time across frames: a long message's layout never lands on one frame.
        It looks `PREFETCH_AHEAD` blocks ahead in the direction the window
        last moved (back in time at first). At least one step runs when there
        is work; 0 means every block ahead is ready, -1 that none could run now
        (a jump's frame used its whole budget: the next turns go on).

        The slice grows (up to `PREFETCH_URGENT`) when the block being
        prepared would come into view, at the speed the column moves, before
        its work is done at the small slice: a long monologue's work is then
        spread over the frames it has left instead of landing on the one
        that shows it.
        """
        geo = self.geometry(size)
        col = self.column(geo)
        col.count = view.count
        moved = abs(view.scroll - self._prefetch_scroll)
        if view.scroll > self._prefetch_scroll + 0.5:
            self._prefetch_up = True
        elif view.scroll < self._prefetch_scroll - 0.5:
            self._prefetch_up = False
        self._prefetch_scroll = view.scroll
        top = col.height() - (view.scroll - view.gap - col.geo.run_gap) - geo.view.height
        strict = False
        if self.jumped:
            # The frame laid out a whole window: what is left of its budget goes to the
            # blocks around the new place (the loop's idle turns do the rest), and no
            # step may overrun it.
            self.jumped, strict = False, True
            seconds = min(PREFETCH_CATCH_UP, FRAME_BUDGET - self.draw_seconds)
            if seconds <= 0:
                return -1
        start = time.perf_counter()
        deadline = start + seconds
        steps = 0
        while True:
            if self._job is None or self._job[0] is not col:
                job = self._next_job(col, top, top + geo.view.height)
                if job is None:
                    return steps
                self._job = job
            # Scrolling (not a jump: that moves more than a window) may need more.
            if not steps and not strict and seconds > 0 and 0.5 < moved < geo.view.height:
                deadline = start + max(seconds, self._urgent_slice(col, top, geo, moved))
            # After the first step, stop before a piece that would overrun the slice.
            if (steps or strict) and time.perf_counter() + self._job_next * STEP_SECONDS > deadline:
                break
            steps += 1
            try:
                self._job_next = next(self._job[2])
            except StopIteration:
                self._job = None
        self._job_left -= time.perf_counter() - start
        if self._job is not None and self._job_left <= 0:
            # Longer than guessed (a first layout of new characters, a bubble balanced
            # the slow way): assume as much again as it has taken so far is left.
            self._job_left = self._job_spent = self._job_spent + time.perf_counter() - start
        elif self._job is not None:
            self._job_spent += time.perf_counter() - start
        return steps

    def _urgent_slice(self, col: ChatColumn, top: float, geo: ChatFrameGeometry,
                      moved: float) -> float:
        """The share of the job's remaining work each frame must do for it to be ready
        when it comes into view (the column moving `moved` px a frame), capped."""
        assert self._job is not None
        flat = self._job[1]
        if self._prefetch_up:
            distance = top - col.top_of(flat + 1)  # its bottom edge to the window's top
        else:
            distance = col.top_of(flat) - (top + geo.view.height)
        frames = max(1.0, distance / moved)
        return min(PREFETCH_URGENT, max(0.0, self._job_left) / frames)

    def _finish_shown_job(self, col: ChatColumn, offset: float, view: float) -> None:
        """Finish preparing the block the prefetch is on if the window shows it now,
        going on from where it is (its work so far is not done again)."""
        job = self._job
        if job is None or job[0] is not col:
            return
        flat = job[1]
        below = col.height() - col.top_of(flat + 1)  # its lower edge, from the column's end
        if below < offset + view and below + col.top_of(flat + 1) - col.top_of(flat) > offset:
            self._job = None
            finish(job[2])

    def _next_job(self, col: ChatColumn, top: float,
                  bottom: float) -> tuple[ChatColumn, int, Iterator[int]] | None:
        """The steps preparing the nearest block ahead that is not ready, if any.

        A long message (`LONG_BLOCK` characters or more) up to `PREFETCH_FAR`
        blocks ahead goes first: its work takes many frames' slices, so it
        starts early (its text's length is known before any layout).
        """
        for i in col.ahead(top, bottom, self._prefetch_up, PREFETCH_FAR):
            if len(col.message(i).text) >= LONG_BLOCK and col.cached_block(i) is None:
                self._job_next = step_size(len(col.message(i).text))
                self._job_left = len(col.message(i).text) * WORK_PER_CHAR
                self._job_spent = 0.0
                return col, i, self._prepare(col, i)
        for i in col.ahead(top, bottom, self._prefetch_up, PREFETCH_AHEAD):
            blk = col.cached_block(i)
            if blk is None:
                chars = len(col.message(i).text)
                self._job_next = step_size(chars)  # its first layout
                self._job_left, self._job_spent = chars * WORK_PER_CHAR, 0.0
                return col, i, self._prepare(col, i)
            if not self._has_surface(blk):
                self._job_next = RENDER_BASE
                self._job_left, self._job_spent = len(blk.message.text) * WORK_PER_CHAR / 4, 0.0
                return col, i, self._prepare(col, i)
        return None

    def _prepare(self, col: ChatColumn, flat: int) -> Iterator[int]:
        """Lay out block `flat` a step at a time, then render its bubble surface."""
        blk = yield from col.block_steps(flat)
        if not self._has_surface(blk):
            lines = blk.bubble.layout.lines
            yield RENDER_BASE + (len(lines[0].glyphs) // 2 if lines else 0)
            yield from self._bubble_steps(blk, self.story.character(blk.speaker))

    def max_scroll(self, geo: ChatFrameGeometry, count: int, gap: float = 0.0) -> float:
        """How far back a column of `count` messages scrolls (estimates included)."""
        col = self.column(geo)
        col.count = count
        edge = col.geo.run_gap
        return max(0.0, col.height() + max(gap, 0.0) + 2 * edge - geo.view.height)

    def _frame_base(self, scene: SceneRef, geo: ChatFrameGeometry, view: ChatView) -> pygame.Surface:
        """The backdrop with the bar's words on it: what a frame starts from, one blit.

        The words sit in the bar, which the column's bubbles never reach, so
        they may go under everything else. Kept for the last backdrop and
        words (a new composite when the hover, the typist or the modes change).
        """
        backdrop = self._backdrop(scene, geo, view.show_ui)
        if not view.show_ui:
            return backdrop
        labels = self._bar_labels(geo, view)
        base = self._base
        if base is None or base[0] is not backdrop or base[1] is not labels:
            composite = backdrop.copy()
            composite.blit(labels, geo.bar)
            base = self._base = (backdrop, labels, composite)
        return base[2]

    def _backdrop(self, scene: SceneRef, geo: ChatFrameGeometry, show_ui: bool) -> pygame.Surface:
        """Everything that stays put for a scene, as one cached surface: the background,
        darkened, the column's band and (with the interface shown) the header and bar."""
        key = ("backdrop", scene.config.background, geo.size, geo.view.x, geo.view.width,
               show_ui and (self.story.title, date_label(scene.scene, self.lang)))
        found = self._backdrops.get(key)
        if found is None:
            found = self.assets.background(scene.config.background, geo.size).copy()
            shade = pygame.Surface(geo.size, pygame.SRCALPHA)
            shade.fill((10, 10, 22, 170))
            band = geo.view.inflate(round(24 * geo.k), 0)
            band.y, band.height = 0, geo.size[1]
            pygame.draw.rect(shade, (12, 12, 26, 110), band)
            found.blit(shade, (0, 0))
            if show_ui:
                self._draw_header(found, geo, scene)
                found.blit(self._panel(geo.bar.size, top_line=True), geo.bar)
            self._backdrops.put(key, found)
        return found

    # --- blocks ------------------------------------------------------------------

    def _draw_blocks(self, surface: pygame.Surface, geo: ChatFrameGeometry,
                     placed: list[Placed], top: float, view: ChatView) -> None:
        """The blocks in the window, in one batch of blits."""
        x0 = geo.view.x
        blits: list[tuple[pygame.Surface, tuple[int, int]]] = []
        fading: pygame.Surface | None = None
        for p in placed:
            y0 = geo.view.y + (p.y - top)
            parts = self._parts(p.block, geo)
            for image, fx, fy, ix, iy in parts:
                blits.append((image, (round(x0 + fx) + ix, round(y0 + fy) + iy)))
            if p.block.flat == view.count - 1 and view.newest_alpha < 255:
                fading = parts[-1][0]  # the bubble, the last part
        self.stats.bubble_blits += len(placed)
        if fading is not None:
            fading.set_alpha(view.newest_alpha)
        surface.blits(blits, doreturn=False)
        if fading is not None:
            fading.set_alpha(255)  # not None: that would drop the per-pixel alpha blending

    def _parts(self, blk: ChatBlock, geo: ChatFrameGeometry) -> list[_Part]:
        """What a block draws (date pill, name, avatar, bubble last), cached per block."""
        hit = self._block_parts.get(id(blk))
        if hit is not None and hit[0] is blk:
            self._block_parts.move_to_end(id(blk))
            return hit[1]
        parts: list[_Part] = []
        if blk.date is not None and blk.date_box is not None:
            pill = self._date_pill(blk.date, geo)
            bx, by, bw, bh = blk.date_box
            w, h = pill.get_size()
            parts.append((pill, bx + bw / 2, by + bh / 2, -(w // 2), -(h // 2)))
        character = self.story.character(blk.speaker)
        if blk.name is not None and blk.name_box is not None:
            parts.append(self._name_part(blk, character))
        if blk.avatar is not None:
            ax, ay, ad, _ = blk.avatar
            parts.append((self._avatar(blk, character, round(ad)), ax, ay, 0, 0))
        bx, by, _, _ = blk.body
        parts.append((self._bubble_surface(blk, character), bx, by, 0, 0))
        self._block_parts[id(blk)] = (blk, parts)  # the block is held so its id stays unique
        if len(self._block_parts) > PARTS_CACHE:
            self._block_parts.popitem(last=False)
        return parts

    def _name_part(self, blk: ChatBlock, character: Character | None) -> _Part:
        """The name label over the run's first bubble: its outer edge lined up with the bubble's."""
        assert blk.name is not None and blk.name_box is not None
        g = self._column.geo if self._column is not None else ChatGeometry()
        label = self.ui_text.render(blk.name, max(8, round(g.name_size)),
                                    palette(character, blk.side).name)
        nx, ny, _, nh = blk.name_box
        body_x, _, body_w, _ = blk.body
        w, h = label.get_size()
        if blk.side == "right":
            return (label, body_x + body_w, ny + nh - 3, -w, -h)
        return (label, nx, ny + nh - 3, 0, -h)

    def bubble_image(self, blk: ChatBlock) -> pygame.Surface:
        """The cached surface of a block's bubble (shape and text), as a frame blits it."""
        return self._bubble_surface(blk, self.story.character(blk.speaker))

    @staticmethod
    def _surface_key(blk: ChatBlock) -> tuple:
        return (id(blk.bubble), blk.kind, blk.side, blk.speaker, blk.name is not None)

    def _has_surface(self, blk: ChatBlock) -> bool:
        """Whether the block's bubble surface is cached (without touching the LRU order)."""
        hit = self._surfaces.get(self._surface_key(blk))
        return hit is not None and hit[0] is blk.bubble

    def _bubble_surface(self, blk: ChatBlock, character: Character | None) -> pygame.Surface:
        """The bubble (shape and text) as one cached surface: one blit per frame."""
        key = self._surface_key(blk)
        hit = self._surfaces.pop(key, None)
        if hit is not None:
            if hit[0] is blk.bubble:
                self._surfaces[key] = hit  # back in, now the most recently used
                return hit[1]
            self._surface_pixels -= hit[1].get_width() * hit[1].get_height()  # a stale id
        return finish(self._bubble_steps(blk, character))

    def _bubble_steps(self, blk: ChatBlock, character: Character | None) -> Steps[pygame.Surface]:
        """Build a block's bubble surface a few lines of text a step, and cache it."""
        image = yield from self._build_steps(blk, character, blk.name is not None)
        key = self._surface_key(blk)
        old = self._surfaces.pop(key, None)
        if old is not None:
            self._surface_pixels -= old[1].get_width() * old[1].get_height()
        self._surfaces[key] = (blk.bubble, image)  # the bubble is held so its id stays unique
        self._surface_pixels += image.get_width() * image.get_height()
        while self._surface_pixels > self._pixel_limit and len(self._surfaces) > 1:
            _, (_, evicted) = self._surfaces.popitem(last=False)
            self._surface_pixels -= evicted.get_width() * evicted.get_height()
        self.stats.bubble_builds += 1
        return image

    def _build_steps(self, blk: ChatBlock, character: Character | None,
                     first: bool) -> Steps[pygame.Surface]:
        """The bubble's shape, then its text `RENDER_LINES` lines a step."""
        from engine.render import TextColors

        bubble = blk.bubble
        w, h = max(1, math.ceil(bubble.width)), max(1, math.ceil(bubble.height))
        image = pygame.Surface((w, h), pygame.SRCALPHA)
        size = bubble.layout.settings.size
        if blk.kind == "system":
            radius = h // 2
            pygame.draw.rect(image, (0, 0, 0, 96), image.get_rect(), border_radius=radius)
            colors = TextColors(text=SYSTEM_TEXT, direction=SYSTEM_TEXT, ruby=SYSTEM_TEXT)
        else:
            pal = palette(character, blk.side)
            radius = min(h // 2, round(size * 0.8))
            # The first bubble of a run points at its speaker: a sharp top corner on that side.
            sharp = max(2, radius // 5) if first else radius
            pygame.draw.rect(
                image, pal.fill, image.get_rect(), border_radius=radius,
                border_top_left_radius=sharp if blk.side == "left" else radius,
                border_top_right_radius=sharp if blk.side == "right" else radius,
            )
            colors = TextColors(text=pal.text, direction=pal.direction, ruby=pal.ruby)
        lines = bubble.layout.lines
        origin = (round(bubble.text_x), round(bubble.text_y))
        for at in range(0, len(lines), RENDER_LINES):
            if at:
                yield len(lines[at].glyphs) // 2
            self._draw_lines(image, bubble.layout, lines[at:at + RENDER_LINES], origin, colors)
        # In the display's pixel format the per-frame blit takes the fast path.
        return image.convert_alpha() if pygame.display.get_surface() is not None else image

    def _draw_lines(self, image: pygame.Surface, layout: Layout, lines: tuple[Line, ...],
                    origin: tuple[int, int], colors: TextColors) -> None:
        """Draw `lines` of a bubble's layout onto `image`, glyph by glyph.

        Where the renderer's page for the layout would put them, with the page
        at `origin`; but straight onto the bubble, since the bubble surface is
        the cache: no page surface to build, key and blit in between.
        """
        s = layout.settings
        ascent = self.renderer.fonts.ascent
        top = layout.lines[0].y - s.ruby_band  # the page's top edge
        ox, oy = origin
        blits: list[tuple[pygame.Surface, tuple[int, int]]] = []
        for line in lines:
            baseline = round(line.y - top + ascent(s.size)) + oy
            for g in line.glyphs:
                img = self._glyph(g.ch, s.size, colors.direction if g.style == "direction"
                                  else colors.text)
                blits.append((img.surface, (ox + round(g.x + g.dx) + img.dx, baseline - img.dy)))
            if not s.show_ruby:
                continue
            ruby_baseline = round(line.y - top - s.ruby_band + ascent(s.ruby_size)) + oy
            for ruby in line.rubies:
                if not 0 <= ruby.base_start < len(line.glyphs):
                    continue
                for ch, x in zip(split_graphemes(ruby.text), ruby.glyph_x, strict=False):
                    img = self._glyph(ch, s.ruby_size, colors.ruby)
                    blits.append((img.surface, (ox + round(x) + img.dx, ruby_baseline - img.dy)))
        image.blits(blits, doreturn=False)

    def _glyph(self, ch: str, size: float, color: Color) -> GlyphImage:
        """A glyph image from the font set, cached (bubbles have no shadow or outline)."""
        key = (ch, size, color)
        img = self._glyphs.get(key)
        if img is None:
            if len(self._glyphs) >= GLYPH_CACHE:
                self._glyphs.clear()  # glyphs are quick to redo; keep memory flat
            img = self._glyphs[key] = self.renderer.fonts.render_glyph(ch, size, color)
        return img

    def _avatar(self, blk: ChatBlock, character: Character | None, d: int) -> pygame.Surface:
        """The speaker's portrait in a circle, else a disc with the name's initial."""
        path = _portrait(character, blk.message)
        key = ("avatar", path, blk.speaker, d)
        found = self._misc.get(key)
        if found is None:
            image = self.assets.image(path) if path is not None else None
            if image is not None:
                color = character.color if character is not None else NARRATOR
                found = _circle_image(image, d, _mix(BUBBLE_BASE, color, 0.5))
            else:
                found = self._initial_disc(blk, character, d)
            self._misc.put(key, found)
        return found

    def _initial_disc(self, blk: ChatBlock, character: Character | None, d: int) -> pygame.Surface:
        color = character.color if character is not None else NARRATOR
        disc = pygame.Surface((d, d), pygame.SRCALPHA)
        pygame.draw.circle(disc, color, (d / 2, d / 2), d / 2)
        initial = (blk.name or blk.speaker or "?")[:1]
        ink = (24, 22, 34) if sum(color) > 360 else (248, 246, 252)
        label = self.ui_text.render(initial, max(8, round(d * 0.5)), ink)
        disc.blit(label, label.get_rect(center=(d // 2, d // 2)))
        return disc

    def _date_pill(self, text: str, geo: ChatFrameGeometry) -> pygame.Surface:
        key = ("date", text, geo.label_size)
        found = self._misc.get(key)
        if found is None:
            label = self.ui_text.render(text, geo.label_size, SYSTEM_TEXT)
            pad = round(14 * geo.k)
            found = pygame.Surface((label.get_width() + 2 * pad, label.get_height() + pad),
                                   pygame.SRCALPHA)
            pygame.draw.rect(found, (0, 0, 0, 110), found.get_rect(),
                             border_radius=found.get_height() // 2)
            found.blit(label, label.get_rect(center=found.get_rect().center))
            self._misc.put(key, found)
        return found

    # --- the typing row, bars and buttons -------------------------------------------------

    def _draw_typing(self, surface: pygame.Surface, geo: ChatFrameGeometry, y: float,
                     view: ChatView) -> None:
        """Three dots in a small bubble on the typist's side, one of them lit."""
        assert view.typing is not None and self._column is not None
        col = self._column
        g = col.geo
        character = self.story.character(view.typing.speaker)
        side = col.side_of(view.typing.speaker)
        size = geo.settings.size
        w, h = round(size * 2.8 + g.pad_x), round(size + 2 * g.pad_y)
        inner = g.margin + g.avatar + g.avatar_gap
        x = inner if side == "left" else col.width - inner - w
        rect = pygame.Rect(round(geo.view.x + x), round(geo.view.y + y + g.run_gap), w, h)
        pygame.draw.rect(surface, palette(character, side).fill, rect, border_radius=h // 2)
        for i in range(3):
            lit = i == view.typing_frame % 3
            color = TEXT if lit else _mix(TEXT, palette(character, side).fill, 0.55)
            cx = rect.centerx + (i - 1) * size * 0.7
            pygame.draw.circle(surface, color, (cx, rect.centery - (size * 0.12 if lit else 0)),
                               size * 0.2)

    def _draw_header(self, surface: pygame.Surface, geo: ChatFrameGeometry,
                     scene: SceneRef) -> None:
        """The story's title, and the scene's date under it."""
        surface.blit(self._panel(geo.header.size, top_line=False), geo.header)
        title = self.ui_text.render(self.story.title, round(geo.label_size * 1.15), THEME.text)
        sub = date_label(scene.scene, self.lang)
        cx, cy = geo.header.centerx, geo.header.centery + round(4 * geo.k)
        if sub:
            sub_label = self.ui_text.render(sub, round(geo.label_size * 0.8), THEME.dim)
            surface.blit(title, title.get_rect(midbottom=(cx, cy)))
            surface.blit(sub_label, sub_label.get_rect(midtop=(cx, cy)))
        else:
            surface.blit(title, title.get_rect(center=geo.header.center))

    @staticmethod
    def _panel(size: tuple[int, int], top_line: bool) -> pygame.Surface:
        """A translucent bar with a thin rule on its inner edge."""
        panel = pygame.Surface(size, pygame.SRCALPHA)
        panel.fill((*THEME.panel, 225))
        y = 0 if top_line else size[1] - 1
        pygame.draw.line(panel, (*THEME.border, 160), (0, y), (size[0], y))
        return panel

    def quick_buttons(self, geo: ChatFrameGeometry) -> list[tuple[str, pygame.Rect]]:
        """The quick menu's buttons, right-aligned in the bottom bar."""
        gap = round(24 * geo.k)
        x = geo.bar.right - round(28 * geo.k)
        out: list[tuple[str, pygame.Rect]] = []
        for key in reversed(QUICK_KEYS):
            w = self.ui_text.width(tr(key), geo.label_size)
            x -= w
            out.append((key, pygame.Rect(x, geo.bar.y, w, geo.bar.height)))
            x -= gap
        out.reverse()
        return out

    def _bar_labels(self, geo: ChatFrameGeometry, view: ChatView) -> pygame.Surface:
        """The bar's words (who is typing, the quick menu) as one cached transparent strip."""
        typist = ""
        if view.typing is not None and view.typing.speaker is not None and self._column:
            typist = self._column.display_name(view.typing.speaker)
        key = ("labels", geo.bar.size, view.active, view.focus, typist, _lang())
        found = self._labels.get(key)
        if found is not None:
            return found
        if len(self._labels) > 32:
            self._labels.clear()  # a handful of states in practice; keep memory flat
        found = pygame.Surface(geo.bar.size, pygame.SRCALPHA)
        if typist:
            self.ui_text.draw(found, tr("typing", name=typist),
                              (round(28 * geo.k), geo.bar.height // 2), geo.label_size,
                              THEME.dim, "midleft")
        for name, rect in self.quick_buttons(geo):
            color = THEME.accent if name in view.active else (
                THEME.text if name == view.focus else THEME.dim)
            self.ui_text.draw(found, tr(name), (rect.centerx - geo.bar.x, geo.bar.height // 2),
                              geo.label_size, color, "center")
        self._labels[key] = found
        return found

    def _draw_jump(self, surface: pygame.Surface, geo: ChatFrameGeometry, unseen: int) -> None:
        r = geo.jump
        pygame.draw.circle(surface, THEME.panel, r.center, r.width / 2)
        pygame.draw.circle(surface, THEME.accent, r.center, r.width / 2, max(1, round(2 * geo.k)))
        s = r.width * 0.22
        cx, cy = r.centerx, r.centery + s * 0.35
        pygame.draw.polygon(surface, THEME.accent,
                            [(cx - s, cy - s), (cx + s, cy - s), (cx, cy + s * 0.4)])
        if not unseen:
            return
        # Messages came while the reader looked back: say how many, on a pill.
        label = self.ui_text.render(tr("new_messages", n=unseen), geo.label_size, TEXT)
        if r.x > geo.view.right:  # in the gutter: the pill above the button, off the bubbles
            pill = label.get_rect(midbottom=(r.centerx, r.y - round(10 * geo.k)))
            pill = pill.inflate(round(20 * geo.k), round(8 * geo.k))
            pill.left = max(pill.left, geo.view.right + round(12 * geo.k))  # clear of the scroll bar
            pill.right = min(pill.right, geo.size[0] - round(8 * geo.k))
        else:
            pill = label.get_rect(midright=(r.x - round(10 * geo.k), r.centery))
            pill = pill.inflate(round(20 * geo.k), round(8 * geo.k))
        pygame.draw.rect(surface, THEME.panel, pill, border_radius=pill.height // 2)
        pygame.draw.rect(surface, THEME.accent, pill, max(1, round(geo.k)), pill.height // 2)
        surface.blit(label, label.get_rect(center=pill.center))

    def _draw_scrollbar(self, surface: pygame.Surface, geo: ChatFrameGeometry, top: float,
                        height: float) -> None:
        """A thin scroll thumb at the column's right edge, when the column overflows."""
        view = geo.view
        if height <= view.height:
            return
        thumb = max(round(24 * geo.k), round(view.height * view.height / height))
        share = min(max(top / max(1.0, height - view.height), 0.0), 1.0)
        y = view.y + round((view.height - thumb) * share)
        w = max(2, round(4 * geo.k))
        pygame.draw.rect(surface, (200, 196, 220), (view.right + round(4 * geo.k), y, w, thumb),
                         border_radius=w // 2)


def _portrait(character: Character | None, message: Message) -> Path | None:
    """The portrait for a bubble's avatar: its expression's image, else the default one."""
    if character is None or not character.portraits:
        return None
    expression = character.expression_for(message)
    return character.portraits.get(expression) or character.portraits.get("default")


def _circle_image(image: pygame.Surface, d: int, backing: Color) -> pygame.Surface:
    """A portrait's head in a circle: the square at the top of its visible figure.

    Portraits are busts on transparent ground, so the head is the top of the
    image's opaque bounding box; the square there is scaled into a disc
    filled with `backing` (shows through the portrait's transparent parts).
    """
    bound = image.get_bounding_rect()
    if bound.width == 0 or bound.height == 0:
        bound = image.get_rect()
    side = max(1, min(round(bound.width * 0.8), bound.height))
    crop = pygame.Rect(0, 0, side, side)
    crop.midtop = (bound.centerx, bound.y)
    crop = crop.clamp(image.get_rect())
    head = pygame.transform.smoothscale(image.subsurface(crop.clip(image.get_rect())), (d, d))
    out = pygame.Surface((d, d), pygame.SRCALPHA)
    pygame.draw.circle(out, (*backing, 255), (d / 2, d / 2), d / 2)
    out.blit(head, (0, 0))
    mask = pygame.Surface((d, d), pygame.SRCALPHA)
    pygame.draw.circle(mask, (255, 255, 255, 255), (d / 2, d / 2), d / 2)
    out.blit(mask, (0, 0), special_flags=pygame.BLEND_RGBA_MIN)
    return out


def _lang() -> str:
    from engine.app.i18n import language

    return language()


__all__ = [
    "ChatFrameGeometry", "ChatPainter", "ChatStats", "ChatView", "FrameInfo", "chat_geometry",
    "palette",
]
