"""The chat view's geometry: bubbles sized to their text, and a lazy column of them.

Pure: no pygame. Text is laid out by the same JLREQ core as the text box
(`engine.layout.layout_message`), so ruby, kinsoku and forced breaks behave
the same inside a bubble. This module adds two things on top:

- `BubbleLayout.bubble`: a message laid out at most ~60% of the column wide,
  then shrink-wrapped: the narrowest width that keeps the same number of
  lines, so lines come out balanced (no lone last character) and the bubble
  is as wide as its longest line plus padding. The balanced lines break
  after punctuation or between BudouX phrases; a break inside a phrase, or
  worse inside a katakana or Latin word (シャッ／ター), is taken only when no
  layout up to the cap avoids it (and a word is kept whole by one more line
  when the cap alone cannot). A message that fits on one line stays on one.
- `ChatColumn`: the whole conversation as a column of blocks, one per
  message (a block holds an optional date separator, an optional name label,
  and the bubble or the centred system line). Block heights start as one
  estimate and are replaced by the real height the first time a block is
  laid out; the differences live in a Fenwick tree, so y offsets are prefix
  sums in O(log n) and `visible(top, bottom)` finds its first block by
  descending that tree. A 10,000-message column therefore costs only the
  blocks on screen, wherever the reader has scrolled.

Coordinates are pixels from the column's top-left; a block's parts are
relative to the block's top. Scroll offsets and animation are the app's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Generator
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from operator import sub
from typing import Literal, TypeVar

from engine.layout import classes
from engine.layout.boxes import Layout, Line, Measure, Settings
from engine.layout.breaking import token_interiors
from engine.layout.paging import Pager
from engine.model import (
    BREAK,
    Break,
    Message,
    Ruby,
    Run,
    Scene,
    Side,
    Story,
    Text,
    record,
    set_field,
)

# layout_message(runs, width, measure, settings) -> Layout; the layout core's signature.
LayoutFn = Callable[[tuple[Run, ...], float, Measure, Settings], Layout]

# (x, y, w, h) in pixels.
Box = tuple[float, float, float, float]

BlockKind = Literal["bubble", "system"]

# A bubble shows at most this many characters of a message, then "…": a bubble
# is laid out and drawn whole, so a message of a million characters (the text
# box pages through it) would take minutes and gigabytes (issue 17).
CHAT_MAX_CHARS = 1_000

_JA_WEEKDAYS = "月火水木金土日"
_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def default_layout() -> LayoutFn:
    """The project's layout core (imported late so tests can pass their own)."""
    from engine.layout import layout_message

    return layout_message


# --- dates -------------------------------------------------------------------


def format_timestamp(ts: datetime, lang: str, with_time: bool = True) -> str:
    """A scene's date as a messenger shows it: `2025年3月14日(金) 21:05` / `Fri, 14 Mar 2025 21:05`."""
    clock = f" {ts.hour:02d}:{ts.minute:02d}" if with_time else ""
    if lang == "ja":
        return f"{ts.year}年{ts.month}月{ts.day}日({_JA_WEEKDAYS[ts.weekday()]}){clock}"
    day = _EN_WEEKDAYS[ts.weekday()]
    return f"{day}, {ts.day} {_EN_MONTHS[ts.month - 1]} {ts.year}{clock}"


def date_label(scene: Scene, lang: str) -> str:
    """The date separator's text for a scene: its LOG timestamp, else its title."""
    if scene.timestamp is None:
        return scene.title.strip()
    ts = scene.timestamp
    # A START line with a date only parses as midnight; its title then has no clock.
    has_clock = ts.hour or ts.minute or ":" in scene.title
    return format_timestamp(ts, lang, with_time=bool(has_clock))


# --- bubbles -------------------------------------------------------------------


@record
class ChatGeometry:
    """The chat view's spacing, in pixels; `for_size` derives it from the text size."""

    max_fraction: float = 0.6  # widest bubble as a share of the column
    system_fraction: float = 0.8  # widest system line as a share of the column
    system_scale: float = 0.8  # system lines' text size relative to bubbles'
    margin: float = 16.0  # column edge to avatar
    avatar: float = 48.0  # avatar diameter
    avatar_gap: float = 10.0  # avatar to bubble
    pad_x: float = 16.0  # bubble's inner padding, left and right
    pad_y: float = 10.0  # bubble's inner padding, top and bottom
    gap: float = 6.0  # between bubbles of one run
    run_gap: float = 18.0  # before the first bubble of a run, a system line or a date
    name_size: float = 18.0  # name label text size
    name_height: float = 26.0  # name label row, above the first bubble of a run
    date_size: float = 18.0  # date separator text size
    date_height: float = 58.0  # date separator row (the pill is centred in it)

    def __init__(
        self,
        max_fraction: float = 0.6,
        system_fraction: float = 0.8,
        system_scale: float = 0.8,
        margin: float = 16.0,
        avatar: float = 48.0,
        avatar_gap: float = 10.0,
        pad_x: float = 16.0,
        pad_y: float = 10.0,
        gap: float = 6.0,
        run_gap: float = 18.0,
        name_size: float = 18.0,
        name_height: float = 26.0,
        date_size: float = 18.0,
        date_height: float = 58.0,
    ) -> None:
        set_field(self, "max_fraction", max_fraction)
        set_field(self, "system_fraction", system_fraction)
        set_field(self, "system_scale", system_scale)
        set_field(self, "margin", margin)
        set_field(self, "avatar", avatar)
        set_field(self, "avatar_gap", avatar_gap)
        set_field(self, "pad_x", pad_x)
        set_field(self, "pad_y", pad_y)
        set_field(self, "gap", gap)
        set_field(self, "run_gap", run_gap)
        set_field(self, "name_size", name_size)
        set_field(self, "name_height", name_height)
        set_field(self, "date_size", date_size)
        set_field(self, "date_height", date_height)

    @classmethod
    def for_size(cls, size: float) -> ChatGeometry:
        """Spacing proportional to a base text size (the defaults are for 30 px)."""
        k = size / 30.0
        base = cls()
        scaled = {
            name: getattr(base, name) * k
            for name in ("margin", "avatar", "avatar_gap", "pad_x", "pad_y", "gap", "run_gap",
                         "name_size", "name_height", "date_size", "date_height")
        }
        return replace(base, **scaled)


@record
class Bubble:
    """A message's text laid out for a bubble, and the bubble's outer size."""

    layout: Layout
    width: float  # outer width: longest line plus padding
    height: float  # outer height: the lines plus padding
    text_x: float  # where the layout's page surface goes inside the bubble
    text_y: float

    def __init__(
        self,
        layout: Layout,
        width: float,
        height: float,
        text_x: float,
        text_y: float,
    ) -> None:
        set_field(self, "layout", layout)
        set_field(self, "width", width)
        set_field(self, "height", height)
        set_field(self, "text_x", text_x)
        set_field(self, "text_y", text_y)


def text_height(layout: Layout) -> float:
    """The ink height of a layout: its lines without the leading after the last one."""
    s = layout.settings
    if not layout.lines:
        return s.size
    return len(layout.lines) * s.line_pitch - s.size * s.line_gap


def content_width(layout: Layout) -> float:
    """The width the lines actually use: furthest glyph or ruby."""
    right = max((line.right for line in layout.lines), default=0.0)
    ruby = max((r.x + r.w for line in layout.lines for r in line.rubies), default=0.0)
    return max(right, ruby)


def message_settings(runs: tuple[Run, ...], settings: Settings) -> Settings:
    """Settings for one bubble: no ruby band reserved when the message has no ruby.

    Each bubble is its own box, so a line of plain text needs no empty band
    above it; bubbles with ruby keep the band and the even line pitch.
    Hanging punctuation is off: the bubble's edge is the box's edge and a
    hanging `。` would poke out of the shape.
    """
    has_ruby = settings.show_ruby and any(isinstance(r, Ruby) for r in runs)
    return replace(settings, show_ruby=has_ruby, hanging_punctuation=False)


class BubbleLayout:
    """Lays out and shrink-wraps message text, caching results.

    The cache is keyed by (runs, width, settings): a message's identity for
    layout is what it says, so two identical lines share one layout.
    """

    def __init__(self, measure: Measure, layout_fn: LayoutFn | None = None,
                 capacity: int = 1024) -> None:
        self.measure = measure
        self._layout_fn = layout_fn or default_layout()
        self._cache: OrderedDict[tuple, Bubble] = OrderedDict()
        self._capacity = capacity
        self.layout_calls = 0  # how many times the layout core ran (tests count these)

    def layout(self, runs: tuple[Run, ...], width: float, settings: Settings) -> Layout:
        """One call into the layout core, counted."""
        self.layout_calls += 1
        return self._layout_fn(runs, width, self.measure, settings)

    def layout_steps(self, runs: tuple[Run, ...], width: float,
                     settings: Settings) -> Steps[Layout]:
        """`layout` as steps: a long text is laid out a window of it at a time.

        One call into the layout core costs in proportion to the text (a
        600-character monologue ~5 ms), more than a frame's slice of
        preparing ahead may take. A text over `LONG_TEXT` characters is laid
        out by the layout core's windowed pager (engine.layout.paging, whose
        lines equal the whole layout's) a line at a time, so no piece is more
        than about `LAYOUT_WINDOW` characters of work. Counted as one call.
        """
        if self._layout_fn is not _core_layout() or _text_length(runs) <= LONG_TEXT:
            return self.layout(runs, width, settings)
        self.layout_calls += 1
        return (yield from windowed_layout_steps(runs, width, self.measure, settings))

    def bubble(self, runs: tuple[Run, ...], max_text: float, settings: Settings,
               pad_x: float, pad_y: float) -> Bubble:
        """The shrink-wrapped bubble for `runs`, text at most `max_text` wide."""
        return finish(self.bubble_steps(runs, max_text, settings, pad_x, pad_y))

    def cached(self, runs: tuple[Run, ...], max_text: float, settings: Settings,
               pad_x: float, pad_y: float) -> bool:
        """Whether `bubble` with these arguments is a cache hit (costs nothing)."""
        return (runs, round(max_text, 2), settings, pad_x, pad_y) in self._cache

    def bubble_steps(self, runs: tuple[Run, ...], max_text: float, settings: Settings,
                     pad_x: float, pad_y: float) -> Steps[Bubble]:
        """`bubble` as steps: a generator that yields after each call into the layout
        core (and the balancing) and returns the bubble, cached.

        Prefetching runs these a slice of time at a time, so a long message's
        first layout is spread over frames instead of landing on one.
        """
        key = (runs, round(max_text, 2), settings, pad_x, pad_y)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        layout = yield from self.shrink_wrap_steps(runs, max_text, message_settings(runs, settings))
        w = content_width(layout)
        bubble = Bubble(layout, w + 2 * pad_x, text_height(layout) + 2 * pad_y, pad_x, pad_y)
        self._cache[key] = bubble
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return bubble

    def shrink_wrap(self, runs: tuple[Run, ...], max_text: float, settings: Settings) -> Layout:
        """The bubble's text: as few lines as at `max_text`, narrowed, then balanced."""
        return finish(self.shrink_wrap_steps(runs, max_text, settings))

    def shrink_wrap_steps(self, runs: tuple[Run, ...], max_text: float,
                          settings: Settings) -> Steps[Layout]:
        """`shrink_wrap` as steps (see `bubble_steps`).

        Usually two calls into the layout core: the layout at the cap, and the
        balanced lines. Balancing's choice of breaks does not depend on how
        wide the layout it starts from is (its lines' count and the glyphs'
        advances are the same at the cap as at the narrowest width, and with
        the text's total fixed the most even split is the same), so the
        narrowest width need not be searched for first. Only when the
        balanced lines are not confirmed does it narrow by binary search and
        balance that, as the slower, surer way.
        """
        full = yield from self.layout_steps(runs, max_text, settings)
        if len(full.lines) <= 1 or _forced(full):
            return full
        yield full.chars // 4
        cuts = yield from balanced_breaks_steps(full, settings.strictness,
                                                max(max_text, content_width(full)))
        if cuts is None:
            return full  # the greedy lines are already the most even split
        limit = max(max_text, content_width(full))
        yield step_size(full.chars)
        trial = yield from self._confirmed_steps(runs, full, settings, limit, cuts)
        if trial is not None:
            return trial
        yield step_size(full.chars)
        best = yield from self.narrowest_steps(runs, max_text, settings, full)
        yield full.chars // 4
        return (yield from self.balance_steps(runs, best, settings, max_text))

    def narrowest(self, runs: tuple[Run, ...], max_text: float, settings: Settings) -> Layout:
        """The narrowest layout of `runs` with as many lines as at `max_text`.

        Binary search over the width: the line count only grows as the box
        narrows, so the narrowest width keeping the count spreads the text
        evenly over the lines and the last line is not left nearly empty.
        """
        return finish(self.narrowest_steps(runs, max_text, settings))

    def narrowest_steps(self, runs: tuple[Run, ...], max_text: float, settings: Settings,
                        full: Layout | None = None) -> Steps[Layout]:
        """`narrowest` as steps; `full` is the layout at `max_text` when already made."""
        if full is None:
            full = yield from self.layout_steps(runs, max_text, settings)
        target = len(full.lines)
        # A cut by force (a word or ruby wider than the cap) lands wherever the box
        # ends; a narrower box would move it, say into a ruby's base, so keep the cap.
        if target <= 1 or _forced(full):
            return full
        # Every line of a `target`-line layout is at most its box wide, so no box
        # narrower than an even split of the text can hold it (less a margin for
        # the small differences between break points).
        total = sum(line.right for line in full.lines)
        lo = total / target - settings.size / 2
        hi, best = max_text, full
        # A quarter character is precision enough: balancing re-breaks the lines anyway.
        step = max(settings.size / 4.0, 0.5)
        while hi - lo > step:
            yield step_size(full.chars)
            mid = (lo + hi) / 2
            trial = yield from self.layout_steps(runs, mid, settings)
            # A narrower box that forces a cut kinsoku forbids is not a valid fit.
            if len(trial.lines) <= target and not _forced(trial):
                hi, best = mid, trial
            else:
                lo = mid
        return best

    def balance(self, runs: tuple[Run, ...], layout: Layout, settings: Settings,
                max_text: float | None = None) -> Layout:
        """Even out the lines of a greedy layout, breaking where a reader pauses.

        Greedy filling at the narrowest width can leave a short last line
        (21 characters at 5 a line: 5+5+5+5+1), and it breaks wherever the
        width runs out, mid-word (シャッ／ター). The lines are re-broken at
        legal points by `balanced_breaks`: first as few bad breaks as
        possible (inside a katakana or Latin word, then inside a phrase),
        then lines as even as possible with breaks after punctuation
        preferred to phrase boundaries. Lines may grow up to `max_text` (the
        bubble's cap) when that is what avoiding a bad break takes, so a
        narrow balanced width never forces one; when even the cap cannot keep
        a katakana or Latin word whole, the bubble takes one more line. The
        breaks are written into the runs as forced breaks and the result is
        kept only if the layout core confirms it: the lines the breaks make,
        none cut by force, none wider than allowed.
        """
        return finish(self.balance_steps(runs, layout, settings, max_text))

    def balance_steps(self, runs: tuple[Run, ...], layout: Layout, settings: Settings,
                      max_text: float | None = None) -> Steps[Layout]:
        """`balance` as steps (see `bubble_steps`)."""
        ideal = content_width(layout)
        limit = ideal + BALANCE_SLACK_EM * settings.size if max_text is None else max_text
        limit = max(limit, ideal)
        cuts = yield from balanced_breaks_steps(layout, settings.strictness, limit)
        if cuts is None:
            return layout
        yield step_size(layout.chars)
        trial = yield from self._confirmed_steps(runs, layout, settings, limit, cuts)
        return layout if trial is None else trial

    def _confirmed_steps(self, runs: tuple[Run, ...], layout: Layout, settings: Settings,
                         limit: float, cuts: list[int]) -> Steps[Layout | None]:
        """`runs` laid out with forced breaks at `cuts`, if the layout core agrees:
        the lines the breaks make, none cut by force, none wider than `limit`."""
        split = insert_breaks(runs, cuts)
        if split is None:
            return None
        trial = yield from self.layout_steps(split, max(layout.width, limit), settings)
        # Each paragraph takes one line more than it has breaks (a word kept whole may
        # have added a break); anything else means the layout core broke differently.
        expected = len(cuts) + len(_paragraphs(layout))
        if len(trial.lines) != expected or _forced(trial) > _forced(layout):
            return None
        if content_width(trial) > limit + 0.5:
            return None
        return trial


T = TypeVar("T")

# Texts longer than this (code points) are laid out a window at a time when prepared
# in steps, windows of about this many code points (see `BubbleLayout.layout_steps`).
LONG_TEXT = 120
LAYOUT_WINDOW = 128

# Work done a piece at a time: a generator that yields between the costly pieces
# and returns its result (`yield from` passes the result on). Each yield gives the
# size of the piece that comes next, in characters laid out: a layout-core call on
# n characters is n; lighter pieces count a share of their characters. A caller
# with a time budget uses it to stop before a piece that would overrun it.
Steps = Generator[int, None, T]


def finish(steps: Steps[T]) -> T:
    """Run `steps` to the end at once; its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def step_size(chars: int) -> int:
    """The size (`Steps`) of the largest piece of laying out a text of `chars`."""
    return chars if chars <= LONG_TEXT else LAYOUT_WINDOW


def windowed_layout_steps(runs: tuple[Run, ...], width: float, measure: Measure,
                          settings: Settings) -> Steps[Layout]:
    """`layout_message(runs, width, measure, settings)`, a line at a time (equal to it).

    The pager (engine.layout.paging) lays the text out a window at a time
    and gives the same lines; a page of one line at a time is re-based here
    to its place in the whole layout. Yields between lines.
    """
    pager = Pager(runs, width, measure, settings, 1, window=LAYOUT_WINDOW)
    lines: list[Line] = []
    while True:
        page = pager.page(len(lines))
        if page is None:
            break
        y = settings.ruby_band + len(lines) * settings.line_pitch
        lines.append(replace(page[0], y=y))
        yield LAYOUT_WINDOW
    return Layout(settings, width, tuple(lines), sum(len(line.glyphs) for line in lines))


def _text_length(runs: tuple[Run, ...]) -> int:
    return sum(len(r.base) if isinstance(r, Ruby) else len(getattr(r, "text", "")) for r in runs)


def _core_layout() -> LayoutFn:
    from engine.layout import layout_message

    return layout_message


def _forced(layout: Layout) -> int:
    """How many lines the layout core had to cut where no legal break existed."""
    return sum(1 for line in layout.lines if line.forced)


# --- balancing -------------------------------------------------------------------

# Balancing without a cap: how much wider than the narrowest fit a bubble may grow.
BALANCE_SLACK_EM = 3.0
# What a break at a phrase boundary costs next to one after punctuation, in em²
# (the units of the squared deviation from even lines).
PHRASE_PENALTY = 1.0

# Break qualities, best first. PAUSE and PHRASE are good breaks; MID_PHRASE and
# IN_WORD are bad ones, taken only when no layout within the cap avoids them.
PAUSE, PHRASE, MID_PHRASE, IN_WORD = 0, 1, 2, 3

_TOKEN_PUNCT = frozenset("%％$＄¥￥#＃&＆@＠/-_.,:'+")


@lru_cache(maxsize=8192)
def can_break_between(a: str, b: str, strictness: str) -> bool:
    """Whether a line may end after `a` and the next start with `b` (JLREQ, conservatively).

    Kinsoku from engine.layout.classes; no break inside a run of Latin
    letters, digits and the signs that bind to them (RTX-3080, f/11.4, 50%).
    """
    if classes.is_line_start_prohibited(b, strictness):  # type: ignore[arg-type]
        return False
    if classes.is_line_end_prohibited(a) or classes.is_space(b):
        return False
    if classes.is_inseparable(a) and classes.is_inseparable(b):
        return False
    if a[:1] in classes.NO_BREAK_SPACES or b[:1] in classes.NO_BREAK_SPACES:
        return False

    def token(ch: str) -> bool:
        return classes.is_latin(ch) or ch[:1] in _TOKEN_PUNCT

    return not (token(a) and token(b))


def _paragraphs(layout: Layout) -> list[list[Line]]:
    """The layout's lines grouped by forced breaks."""
    groups: list[list[Line]] = [[]]
    for line in layout.lines:
        groups[-1].append(line)
        if line.hard_break:
            groups.append([])
    return [g for g in groups if g]


def _glyph_run(lines: list[Line]) -> tuple[list[str], list[float], list[bool]]:
    """A paragraph's glyphs, their advances, and whether each one is inside a ruby's base
    (after its first glyph: no break may precede it)."""
    chars: list[str] = []
    advances: list[float] = []
    inside_ruby: list[bool] = []
    for line in lines:
        glyphs = line.glyphs
        if not glyphs:
            continue
        xs = [g.x for g in glyphs]
        last = glyphs[-1]
        ends = xs[1:]
        ends.append(last.x + last.w)
        chars.extend([g.ch for g in glyphs])
        advances.extend([d if d > 0.0 else 0.0 for d in map(sub, ends, xs)])
        inner = [False] * len(glyphs)
        for r in line.rubies:
            lo, hi = max(r.base_start + 1, 0), min(r.base_end, len(glyphs))
            if hi > lo:
                inner[lo:hi] = [True] * (hi - lo)
        inside_ruby.extend(inner)
    return chars, advances, inside_ruby


def is_katakana(ch: str) -> bool:
    """Katakana (with ー and small forms, half-width too); not the word divider ・."""
    c = ord(ch[0]) if ch else 0
    return (0x30A1 <= c <= 0x30FF and c != 0x30FB) or 0x31F0 <= c <= 0x31FF or 0xFF66 <= c <= 0xFF9F


_PAUSE_AFTER = (classes.CLOSING_BRACKETS | classes.DIVIDING | classes.FULL_STOPS | classes.COMMAS
                | classes.INSEPARABLE | {"\u3000"})


def break_qualities(chars: list[str]) -> list[int]:
    """How good a break before each glyph is (index 0 has no break and reads PAUSE).

    IN_WORD inside a katakana run (シャッ／ター) or a Latin/number token
    (RTX-3080, the layout core's token rule); PAUSE after punctuation, an
    ellipsis or dash, a space, or before an opening bracket, where a reader
    pauses anyway; PHRASE between BudouX phrases (the phrases the layout
    core's phrase wrapping uses); MID_PHRASE anywhere else (忘れ／かけてた).
    """
    quality = _Qualities(chars)
    return [quality.at(i) for i in range(len(chars))]


class _Qualities:
    """`break_qualities` one index at a time, worked out only where asked.

    Balancing reads the quality of the breaks its lines can reach, a band
    around each even split: for most bubbles a small share of the text. The
    phrase boundaries are scored the way BudouX scores them (each position
    from the three characters either side, `_PhraseScore`), so no other
    position's score is computed.
    """

    def __init__(self, chars: list[str]) -> None:
        self.chars = chars
        self.text = "".join(chars)
        offsets = [0]
        for ch in chars:
            offsets.append(offsets[-1] + len(ch))
        self.offsets = offsets
        self.inside_token = token_interiors(self.text)
        self._phrase: _PhraseScore | None = None

    def at(self, i: int) -> int:
        if i == 0:
            return PAUSE
        a, b = self.chars[i - 1], self.chars[i]
        if (is_katakana(a) and is_katakana(b)) or self.inside_token[self.offsets[i]]:
            return IN_WORD
        if a[:1] in _PAUSE_AFTER or classes.is_space(a) or b[:1] in classes.OPENING_BRACKETS:
            return PAUSE
        if self._phrase is None:
            self._phrase = _PhraseScore(self.text)
        return PHRASE if self._phrase.starts_at(self.offsets[i]) else MID_PHRASE


class _PhraseScore:
    """Whether a BudouX phrase starts at an offset of a text, scored at that offset only.

    Equal to `offset in engine.layout.breaking.phrase_starts(text)` (a test
    holds them equal): BudouX's model gives a position a score from the
    characters, pairs and triples of characters within three of it, and a
    phrase starts where the score is above zero.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.model, self.base = _budoux_model()

    def starts_at(self, i: int) -> bool:
        t, n, m = self.text, len(self.text), self.model
        if not 0 < i < n:
            return False
        score = self.base + m["UW3"].get(t[i - 1], 0) + m["UW4"].get(t[i], 0) \
            + m["BW2"].get(t[i - 1:i + 1], 0)
        if i > 1:
            score += m["UW2"].get(t[i - 2], 0) + m["BW1"].get(t[i - 2:i], 0) \
                + m["TW2"].get(t[i - 2:i + 1], 0)
        if i > 2:
            score += m["UW1"].get(t[i - 3], 0) + m["TW1"].get(t[i - 3:i], 0)
        if i + 1 < n:
            score += m["UW5"].get(t[i + 1], 0) + m["BW3"].get(t[i:i + 2], 0) \
                + m["TW3"].get(t[i - 1:i + 2], 0)
        if i + 2 < n:
            score += m["UW6"].get(t[i + 2], 0) + m["TW4"].get(t[i:i + 3], 0)
        return score > 0


_FEATURES = ("UW1", "UW2", "UW3", "UW4", "UW5", "UW6", "BW1", "BW2", "BW3",
             "TW1", "TW2", "TW3", "TW4")


@lru_cache(maxsize=1)
def _budoux_model() -> tuple[dict[str, dict[str, int]], float]:
    """The layout core's BudouX model (its features, each possibly empty) and base score."""
    from engine.layout.breaking import _budoux_parser

    model = _budoux_parser().model
    features = {name: model.get(name, {}) for name in _FEATURES}
    return features, -sum(sum(group.values()) for group in model.values()) * 0.5


# A split's cost, compared in order: breaks inside words, breaks inside phrases,
# then unevenness (squared deviation from the ideal width, px²) plus phrase penalties.
Cost = tuple[int, int, float]


def _cost(q: int, phrase: float) -> Cost:
    """A break's share of a split's cost, from its quality (`phrase`: a PHRASE break's)."""
    return (int(q == IN_WORD), int(q == MID_PHRASE), phrase if q == PHRASE else 0.0)


class _LazyCosts:
    """Each break's share of a split's cost (`_cost` of its quality), worked out on use."""

    def __init__(self, chars: list[str], em: float) -> None:
        self._quality = _Qualities(chars)
        self._phrase = PHRASE_PENALTY * em * em
        self._memo: dict[int, Cost] = {}

    def __getitem__(self, i: int) -> Cost:
        found = self._memo.get(i)
        if found is None:
            found = self._memo[i] = _cost(self._quality.at(i), self._phrase)
        return found


def _best_split(advances: list[float], legal: list[bool], lines: int, limit: float,
                ideal: float, breaks: _LazyCosts) -> Steps[tuple[list[int], Cost] | None]:
    """Break points (glyph indices) splitting into `lines` lines no wider than `limit`,
    and the split's cost; None when no split fits. As steps: one per line of the split.

    Minimises the split's `Cost`: first the bad breaks, so a wider layout
    (up to `limit`) wins over a break inside a word; then the sum of each
    line's squared difference from `ideal` plus the phrase penalties. With
    the text's total fixed that sum is least when the lines are equally
    long, so lines come out even and breaks fall after punctuation where
    that costs little evenness.
    """
    n = len(advances)
    prefix = [0.0]
    for a in advances:
        prefix.append(prefix[-1] + a)
    cost: list[list[Cost | None]] = [[None] * (n + 1) for _ in range(lines + 1)]
    back = [[-1] * (n + 1) for _ in range(lines + 1)]
    cost[0][0] = (0, 0, 0.0)
    room = limit + 0.5
    reach = (0, 0)  # the range of glyph indices the previous row reached
    for k in range(1, lines + 1):
        if k > 1:
            yield n // 8
        prev, row, back_row = cost[k - 1], cost[k], back[k]
        # The line's possible starts: reached by k-1 lines, at a legal break, in order,
        # each with the cost so far plus its break's share.
        starts: list[int] = []
        acc: list[Cost] = []
        for i in range(reach[0], min(reach[1], n - 1) + 1):
            before = prev[i]
            if before is not None and (i == 0 or legal[i]):
                w, m, e = breaks[i] if i > 0 else (0, 0, 0.0)
                starts.append(i)
                acc.append((before[0] + w, before[1] + m, before[2] + e))
        # Line k can end at j only if k lines hold what comes before and the remaining
        # lines what comes after: a tight layout leaves few such j (the bisects find a
        # range a little wider than they allow; the tests below are the exact ones).
        lo = max(1, bisect_left(prefix, prefix[n] - (lines - k) * room - 1.0))
        hi = min(n, bisect_right(prefix, k * room + 1.0))
        found = (n + 1, -1)
        nearest = -1  # starts[nearest] is the last start before j
        for j in range(lo, hi + 1):
            while nearest + 1 < len(starts) and starts[nearest + 1] <= j - 1:
                nearest += 1
            if (j < n and not legal[j]) or prefix[j] > k * room:
                continue
            if prefix[n] - prefix[j] > (lines - k) * room:
                continue
            # The cheapest start for a line ending at j, nearest first; the first
            # one too far back ends the search.
            end = prefix[j]
            best: Cost | None = None
            at = -1
            for s in range(nearest, -1, -1):
                i = starts[s]
                width = end - prefix[i]
                if width > room:
                    break
                a = acc[s]
                dev = ideal - width
                c = (a[0], a[1], a[2] + dev * dev)
                if best is None or c < best:
                    best, at = c, i
            row[j], back_row[j] = best, at
            if best is not None:
                found = (min(found[0], j), max(found[1], j))
        reach = found
    total = cost[lines][n]
    if total is None:
        return None
    cuts, j = [], n
    for k in range(lines, 0, -1):
        j = back[k][j]
        cuts.append(j)
    return sorted(c for c in cuts if c > 0), total


def _paragraph_cuts(advances: list[float], legal: list[bool], lines: int, limit: float,
                    ideal: float, breaks: _LazyCosts) -> Steps[list[int] | None]:
    """The best split of one paragraph into `lines` lines, or one more line when only
    that keeps a katakana or Latin word whole (ハンカチ in a bubble two lines exactly full)."""
    best = yield from _best_split(advances, legal, lines, limit, ideal, breaks)
    if best is not None and best[1][0] > 0:
        yield len(advances) // 8
        taller = yield from _best_split(advances, legal, lines + 1, limit, ideal, breaks)
        if taller is not None and taller[1][0] < best[1][0]:
            best = taller
    return None if best is None else best[0]


def balanced_breaks(layout: Layout, strictness: str, limit: float | None = None) -> list[int] | None:
    """Code-point offsets (into the message text without readings or breaks) at which
    to break for even lines no wider than `limit` (default: as wide as the layout's);
    None when the layout's own lines are already the best. A paragraph keeps its
    number of lines unless one more line is what keeps a word whole."""
    return finish(balanced_breaks_steps(layout, strictness, limit))


def balanced_breaks_steps(layout: Layout, strictness: str,
                          limit: float | None = None) -> Steps[list[int] | None]:
    """`balanced_breaks` as steps: one per line of each paragraph's split."""
    ideal = content_width(layout)
    limit = ideal if limit is None else limit
    offsets: list[int] = []
    changed = False
    base = 0
    for lines in _paragraphs(layout):
        chars, advances, inside = _glyph_run(lines)
        starts, at = set(), 0
        for line in lines[:-1]:
            at += len(line.glyphs)
            starts.add(at)
        legal = [i in starts or (i > 0 and not inside[i]
                 and can_break_between(chars[i - 1], chars[i], strictness))
                 for i in range(len(chars))]
        cuts: list[int] | None = []
        if len(lines) > 1:
            yield len(chars) // 8
            em = sorted(advances)[len(advances) // 2] if advances else 0.0
            costs = _LazyCosts(chars, em)
            yield len(chars) // 8
            cuts = yield from _paragraph_cuts(advances, legal, len(lines), limit, ideal, costs)
        if cuts is None:
            cuts = sorted(starts)
        changed |= set(cuts) != starts
        cp = [0]
        for ch in chars:
            cp.append(cp[-1] + len(ch))
        offsets.extend(base + cp[c] for c in cuts)
        base += cp[-1]
    return offsets if changed else None


def insert_breaks(runs: tuple[Run, ...], offsets: list[int]) -> tuple[Run, ...] | None:
    """`runs` with a forced break at each code-point offset of the text (readings excluded).

    Text and directions are split; a ruby only between its pairs. None if an
    offset falls inside a ruby pair's base.
    """
    wanted = sorted(set(offsets))
    out: list[Run] = []
    pos = 0
    for run in runs:
        if isinstance(run, Break):
            out.append(run)
            continue
        length = len(run.base) if isinstance(run, Ruby) else len(run.text)
        inner = [o - pos for o in wanted if pos < o < pos + length]
        if pos in wanted and pos > 0 and out and not isinstance(out[-1], Break):
            out.append(BREAK)
        pieces = _split_run(run, inner)
        if pieces is None:
            return None
        out.extend(pieces)
        pos += length
    return tuple(out)


def _split_run(run: Run, cuts: list[int]) -> list[Run] | None:
    if not cuts:
        return [run]
    if isinstance(run, Ruby):
        groups: list[list[tuple[str, str]]] = [[]]
        at = 0
        for base, reading in run.parts:
            if at in cuts:
                groups.append([])
            groups[-1].append((base, reading))
            at += len(base)
        if sum(len(g) for g in groups) != len(run.parts) or len(groups) != len(cuts) + 1:
            return None
        pieces: list[Run] = []
        for g in groups:
            pieces.extend((Ruby(tuple(g)), BREAK))
        return pieces[:-1]
    text = run.text  # type: ignore[union-attr]
    bounds = [0, *cuts, len(text)]
    out: list[Run] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        out.extend((type(run)(text[a:b]), BREAK))  # type: ignore[call-arg]
    return out[:-1]


# --- the column ------------------------------------------------------------------


@record
class ChatBlock:
    """One message's block in the column; every box is relative to the block's top."""

    flat: int  # the message's index in play order
    scene: int  # the scene's index in play order
    message: Message
    kind: BlockKind
    side: Side | None  # None for a system line
    height: float
    body: Box  # the bubble, or the system line's text box
    bubble: Bubble  # the laid-out text (for a system line too; drawn without a shape)
    date: str | None = None  # the separator's text when the block starts a scene
    date_box: Box | None = None
    name: str | None = None  # the name label when the block starts a run
    name_box: Box | None = None
    avatar: Box | None = None  # the avatar's square, on the first bubble of a run

    def __init__(
        self,
        flat: int,
        scene: int,
        message: Message,
        kind: BlockKind,
        side: Side | None,
        height: float,
        body: Box,
        bubble: Bubble,
        date: str | None = None,
        date_box: Box | None = None,
        name: str | None = None,
        name_box: Box | None = None,
        avatar: Box | None = None,
    ) -> None:
        set_field(self, "flat", flat)
        set_field(self, "scene", scene)
        set_field(self, "message", message)
        set_field(self, "kind", kind)
        set_field(self, "side", side)
        set_field(self, "height", height)
        set_field(self, "body", body)
        set_field(self, "bubble", bubble)
        set_field(self, "date", date)
        set_field(self, "date_box", date_box)
        set_field(self, "name", name)
        set_field(self, "name_box", name_box)
        set_field(self, "avatar", avatar)

    @property
    def speaker(self) -> str | None:
        return self.message.speaker


@record
class Placed:
    """A block and the y of its top in the column."""

    y: float
    block: ChatBlock

    def __init__(self, y: float, block: ChatBlock) -> None:
        set_field(self, "y", y)
        set_field(self, "block", block)


class ChatColumn:
    """The story's messages, play order, as a column of chat blocks.

    `count` is how many messages (from the story's first) are in the column;
    the chat screen raises it as messages appear and lowers it on rollback.
    Heights are measured lazily; unmeasured blocks count as `estimate`.
    """

    def __init__(
        self,
        story: Story,
        width: float,
        measure: Measure,
        settings: Settings,
        *,
        lang: str = "ja",
        geometry: ChatGeometry | None = None,
        bubbles: BubbleLayout | None = None,
        count: int | None = None,
        block_cache: int = 512,
    ) -> None:
        self.story = story
        self.width = float(width)
        self.settings = settings
        self.lang = lang
        self.geo = geometry or ChatGeometry.for_size(settings.size)
        self.bubbles = bubbles or BubbleLayout(measure)
        self._starts: list[int] = []
        total = 0
        for ref in story.scenes:
            self._starts.append(total)
            total += len(ref.scene.messages)
        self.total = total
        self._count = total if count is None else max(0, min(count, total))
        self.estimate = self._estimate()
        # Fenwick tree (1-based) of (real height - estimate) per block; unmeasured = 0.
        self._tree = [0.0] * (total + 1)
        self._measured = bytearray(total)
        self._blocks: OrderedDict[int, ChatBlock] = OrderedDict()
        self._block_cache = block_cache
        self._fallback_sides: dict[str, Side] | None = None
        # The runs a message's bubble shows (learner mode adds furigana); None: its own.
        self.runs_for: Callable[[int, Message], tuple[Run, ...]] | None = None

    # --- size and position ---------------------------------------------------

    @property
    def count(self) -> int:
        return self._count

    @count.setter
    def count(self, value: int) -> None:
        self._count = max(0, min(int(value), self.total))

    def max_bubble_width(self) -> float:
        """The widest a bubble may be: ~60% of the column, less if avatars need the room."""
        g = self.geo
        room = self.width - 2 * g.margin - g.avatar - g.avatar_gap
        return max(min(self.width * g.max_fraction, room), 4 * g.pad_x)

    def top_of(self, flat: int) -> float:
        """The y of block `flat`'s top (the sum of the heights before it)."""
        return flat * self.estimate + self._delta_prefix(flat)

    def height(self) -> float:
        """The column's height: the blocks of the `count` messages in it."""
        return self.top_of(self._count)

    def measured(self, flat: int) -> bool:
        """Whether block `flat`'s real height is known (it has been laid out once)."""
        return bool(self._measured[flat])

    def index_at(self, y: float) -> int:
        """The block whose span holds `y`, clamped to the column's blocks."""
        if self._count == 0:
            return 0
        pos, rest, step = 0, float(y), 1 << self._count.bit_length()
        # Descend the Fenwick tree: each node covers `step` blocks of estimate + delta.
        while step:
            nxt = pos + step
            if nxt <= self._count:
                span = step * self.estimate + self._tree[nxt]
                if span <= rest:
                    pos, rest = nxt, rest - span
            step >>= 1
        return min(pos, self._count - 1)

    # --- queries -------------------------------------------------------------

    def visible(self, top: float, bottom: float) -> list[Placed]:
        """The blocks overlapping [top, bottom), laid out, with their y.

        Laying a block out may change its height from the estimate, which
        moves the blocks after it; the loop repeats until a pass measures
        nothing new, and every block it returns is measured.
        """
        while True:
            placed, changed = self._pass(top, bottom)
            if not changed:
                return placed

    def visible_from_bottom(self, offset: float, view: float) -> tuple[float, list[Placed]]:
        """The blocks in a `view`-high window whose bottom is `offset` above the column's end.

        A chat window is anchored at the latest message, so the window is
        given from the bottom; measuring blocks above never moves it.
        Returns the window's top y and the blocks.

        The blocks are laid out from the window's bottom up: a block's
        distance from the column's end depends only on the blocks after it,
        so each one is placed for good once those below it are measured, and
        no block above the window is laid out (walking down from an estimated
        top would lay out blocks that taller real heights then push out).
        """
        if self._count == 0:
            return self.height() - offset - view, []
        i = self.index_at(self.height() - offset)
        shown: list[int] = []
        while i >= 0:
            # Block i's lower edge, from the column's end: the blocks below it only.
            below = self.height() - self.top_of(i + 1)
            if below >= offset + view:
                break  # this block and all before it are above the window: not laid out
            blk = self.block(i)  # measured now: the distances of the blocks below stay put
            if below + blk.height > offset:
                shown.append(i)
            i -= 1
        top = self.height() - offset - view
        return top, [Placed(self.top_of(j), self.block(j)) for j in reversed(shown)]

    def _pass(self, top: float, bottom: float) -> tuple[list[Placed], bool]:
        placed: list[Placed] = []
        changed = False
        if self._count == 0:
            return placed, changed
        i = self.index_at(max(top, 0.0))
        y = self.top_of(i)
        while i < self._count and y < bottom:
            changed |= not self._measured[i]
            blk = self.block(i)
            if y + blk.height > top:
                placed.append(Placed(y, blk))
            y += blk.height
            i += 1
        return placed, changed

    def prefetch(self, top: float, bottom: float, budget: int = 1) -> list[ChatBlock]:
        """Lay out up to `budget` unmeasured blocks next to the window [top, bottom).

        Scrolling calls this each frame so the blocks about to come into view
        are ready before they do: the work of a new block is spread over the
        frames before it shows instead of landing on one. Blocks above the
        window first (scrolling back is the common way), then below.
        """
        if self._count == 0 or budget <= 0:
            return []
        first = self.index_at(max(top, 0.0))
        last = self.index_at(bottom)
        done: list[ChatBlock] = []
        for order in (range(first - 1, max(first - 1 - 4 * budget, -1), -1),
                      range(last + 1, min(last + 1 + 4 * budget, self._count))):
            for i in order:
                if len(done) >= budget:
                    return done
                if not self._measured[i]:
                    done.append(self.block(i))
        return done

    # --- blocks ----------------------------------------------------------------

    def block(self, flat: int) -> ChatBlock:
        """Block `flat` laid out (cached); records its real height the first time."""
        blk = self._blocks.get(flat)
        if blk is not None:
            self._blocks.move_to_end(flat)
            return blk
        blk = self._build(flat)
        self._blocks[flat] = blk
        if len(self._blocks) > self._block_cache:
            self._blocks.popitem(last=False)
        if not self._measured[flat]:
            self._measured[flat] = 1
            self._add(flat, blk.height - self.estimate)
        return blk

    def cached_block(self, flat: int) -> ChatBlock | None:
        """Block `flat` if it is in the block cache (no layout, no LRU change), else None."""
        return self._blocks.get(flat)

    def block_steps(self, flat: int) -> Steps[ChatBlock]:
        """`block` as steps: its bubble's layout a piece at a time (`BubbleLayout.bubble_steps`)."""
        if flat not in self._blocks:
            yield from self.bubbles.bubble_steps(*self._request(self.message(flat), flat))
        return self.block(flat)

    def _request(self, msg: Message, flat: int
                 ) -> tuple[tuple[Run, ...], float, Settings, float, float]:
        """The arguments of `BubbleLayout.bubble` for a message's bubble or system line."""
        g = self.geo
        runs = msg.runs if self.runs_for is None else self.runs_for(flat, msg)
        runs = clip_runs(runs, CHAT_MAX_CHARS) or runs
        if msg.speaker is None:
            settings = replace(self.settings, size=self.settings.size * g.system_scale)
            return runs, self.width * g.system_fraction, settings, g.pad_x / 2, g.pad_y / 2
        return runs, self.max_bubble_width() - 2 * g.pad_x, self.settings, g.pad_x, g.pad_y

    def forget(self, flat: int) -> None:
        """Lay block `flat` out again when next asked for (what it shows changed: the
        learner's furigana arrived); its height counts as the estimate until then."""
        self._blocks.pop(flat, None)
        if self._measured[flat]:
            self._measured[flat] = 0
            self._add(flat, -(self._delta_prefix(flat + 1) - self._delta_prefix(flat)))

    def ahead(self, top: float, bottom: float, up: bool, count: int) -> range:
        """The indices of the `count` blocks beyond the window [top, bottom): above it
        (nearest first) when `up`, else below it."""
        if self._count == 0 or count <= 0:
            return range(0)
        if up:
            first = self.index_at(max(top, 0.0))
            return range(first - 1, max(first - 1 - count, -1), -1)
        last = self.index_at(bottom)
        return range(last + 1, min(last + 1 + count, self._count))

    def scene_of(self, flat: int) -> int:
        """The scene (play order) holding message `flat`."""
        return bisect_right(self._starts, flat) - 1

    def message(self, flat: int) -> Message:
        scene = self.scene_of(flat)
        return self.story.scenes[scene].scene.messages[flat - self._starts[scene]]

    def _build(self, flat: int) -> ChatBlock:
        scene = self.scene_of(flat)
        msg = self.message(flat)
        starts_scene = flat == self._starts[scene]
        prev = None if starts_scene else self.message(flat - 1)
        date = date_label(self.story.scenes[scene].scene, self.lang) if starts_scene else ""
        g = self.geo
        y = 0.0 if flat == 0 else g.gap
        date_box = None
        if date:
            date_box = (0.0, y if flat == 0 else g.run_gap, self.width, g.date_height)
            y = date_box[1] + g.date_height
        if msg.speaker is None:
            return self._system(flat, scene, msg, y, flat > 0 and not date, date or None, date_box)
        starts_run = prev is None or prev.speaker != msg.speaker
        if starts_run and not date and flat > 0:
            y += g.run_gap - g.gap
        return self._speech(flat, scene, msg, y, starts_run, date or None, date_box)

    def _system(self, flat: int, scene: int, msg: Message, y: float, spaced: bool,
                date: str | None, date_box: Box | None) -> ChatBlock:
        g = self.geo
        if spaced:
            y += g.run_gap - g.gap
        bubble = self.bubbles.bubble(*self._request(msg, flat))
        body = ((self.width - bubble.width) / 2, y, bubble.width, bubble.height)
        return ChatBlock(flat, scene, msg, "system", None, y + bubble.height, body, bubble,
                         date=date, date_box=date_box)

    def _speech(self, flat: int, scene: int, msg: Message, y: float, starts_run: bool,
                date: str | None, date_box: Box | None) -> ChatBlock:
        g = self.geo
        side = self.side_of(msg.speaker)
        bubble = self.bubbles.bubble(*self._request(msg, flat))
        inner = g.margin + g.avatar + g.avatar_gap  # bubbles start beside the avatar column
        x = inner if side == "left" else self.width - inner - bubble.width
        avatar = name_box = None
        name = None
        top = y
        if starts_run:
            ax = g.margin if side == "left" else self.width - g.margin - g.avatar
            avatar = (ax, top, g.avatar, g.avatar)
            name = self.display_name(msg.speaker)
            name_w = self.width - 2 * inner
            name_box = (inner, top, name_w, g.name_height)
            y += g.name_height
        body = (x, y, bubble.width, bubble.height)
        bottom = y + bubble.height
        if avatar is not None:
            bottom = max(bottom, avatar[1] + avatar[3])
        return ChatBlock(flat, scene, msg, "bubble", side, bottom, body, bubble,
                         date=date, date_box=date_box, name=name, name_box=name_box,
                         avatar=avatar)

    # --- characters --------------------------------------------------------------

    def display_name(self, label: str | None) -> str:
        """The name shown above a run: the character's display name, else the label."""
        ch = self.story.character(label)
        return ch.name if ch is not None else (label or "")

    def side_of(self, label: str | None) -> Side:
        """The speaker's side: story.yaml's (or the manifest's default), else by first appearance."""
        ch = self.story.character(label)
        if ch is not None:
            return ch.side
        if self._fallback_sides is None:
            self._fallback_sides = _sides_by_appearance(self.story)
        return self._fallback_sides.get(label or "", "left")

    # --- estimate and the Fenwick tree --------------------------------------------

    def _estimate(self) -> float:
        """A typical block: one line of text in a bubble plus the gap before it."""
        g = self.geo
        return g.gap + self.settings.size * 1.0 + 2 * g.pad_y

    def _add(self, flat: int, delta: float) -> None:
        i = flat + 1
        n = len(self._tree)
        while i < n:
            self._tree[i] += delta
            i += i & -i

    def _delta_prefix(self, flat: int) -> float:
        """Sum of (real - estimate) over blocks 0..flat-1."""
        i, s = min(flat, self.total), 0.0
        while i > 0:
            s += self._tree[i]
            i -= i & -i
        return s


def _sides_by_appearance(story: Story) -> dict[str, Side]:
    """Sides for speakers the story does not know: alternate by first appearance."""
    sides: dict[str, Side] = {}
    for ref in story.scenes:
        for msg in ref.scene.messages:
            if msg.speaker is not None and msg.speaker not in sides:
                sides[msg.speaker] = "left" if len(sides) % 2 == 0 else "right"
    return sides


def clip_runs(runs: tuple[Run, ...], limit: int) -> tuple[Run, ...] | None:
    """`runs` cut after `limit` characters (readings not counted) and ended with "…";
    None when they are not longer than that. A ruby unit is kept whole or cut between
    its jukugo pairs; a stage direction that does not fit is left out."""
    total = 0
    for i, run in enumerate(runs):
        size = _run_chars(run)
        if total + size <= limit:
            total += size
            continue
        room = limit - total
        head: list[Run] = list(runs[:i])
        if isinstance(run, Text) and room > 0:
            head.append(Text(run.text[:room]))
        elif isinstance(run, Ruby):
            parts, used = [], 0
            for base, reading in run.parts:
                if used + len(base) > room:
                    break
                parts.append((base, reading))
                used += len(base)
            if parts:
                head.append(Ruby(tuple(parts)))
        head.append(Text("…"))
        return tuple(head)
    return None


def _run_chars(run: Run) -> int:
    if isinstance(run, Ruby):
        return len(run.base)
    return 1 if isinstance(run, Break) else len(getattr(run, "text", ""))
