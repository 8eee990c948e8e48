"""The runtime: where the reader stands in a story and what comes next.

Pure: no pygame, no files. The story is linear, so a position is a pair
(scene in play order, message in that scene) and everything the player needs
(stepping, the backlog, auto and skip timing, read marks, finding a saved
place again after the script was edited) is computed from the story and a
position. Nothing here grows with how far the reader has read: the backlog
is a range of positions, turned into cursors only for the window on screen.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Protocol

from engine.marks import ReadMarks  # re-exported: the runtime's skip rule uses it
from engine.model import (
    Break,
    Direction,
    Message,
    Ruby,
    SceneConfig,
    SceneRef,
    Story,
    Text,
    record,
    set_field,
)

# Notes `locate` returns; constants so the app can translate them.
NOTE_MOVED = "the script changed; the saved line was found at its new place"
NOTE_NEAREST = "the script changed; resumed at the nearest line"
NOTE_NEW_LINES = "the script changed; showing the lines added above"
NOTE_EDITED = "the script changed; the saved line was edited, resumed on the edited line"
NOTE_ADJUSTED = "the save's place was out of range; resumed at the nearest line"
PLACE_LIMIT = 10**9  # no script holds this many scenes or messages

# Finding an edited line again by its content (`similar_message`): the first
# MATCH_CHARS characters are compared, at most MATCH_WINDOW candidates per
# search (bounded work however big a scene is), and a score of at least
# SIMILAR_ENOUGH counts as "the same line, edited".
MATCH_CHARS = 120
MATCH_WINDOW = 200
SIMILAR_ENOUGH = 0.65
POSITION_TEXT_LIMIT = 1000  # characters of the message a save keeps for matching


class EmptyStoryError(ValueError):
    """The story has no message at all, so there is nowhere to stand."""


@record
class Cursor:
    """A position: scene index in play order, message index within that scene; ordered."""

    scene: int
    message: int

    def __init__(self, scene: int, message: int) -> None:
        set_field(self, "scene", scene)
        set_field(self, "message", message)

    def _key(self, other: object) -> tuple[int, int] | None:
        return (other.scene, other.message) if other.__class__ is Cursor else None  # type: ignore[attr-defined]

    def __lt__(self, other: object) -> bool:
        key = self._key(other)
        return NotImplemented if key is None else (self.scene, self.message) < key

    def __le__(self, other: object) -> bool:
        key = self._key(other)
        return NotImplemented if key is None else (self.scene, self.message) <= key

    def __gt__(self, other: object) -> bool:
        key = self._key(other)
        return NotImplemented if key is None else (self.scene, self.message) > key

    def __ge__(self, other: object) -> bool:
        key = self._key(other)
        return NotImplemented if key is None else (self.scene, self.message) >= key


@record
class SavedPosition:
    """A position as a save records it: by source file, so edits elsewhere don't move it.

    `script_file` is the script's path relative to the story root (POSIX
    slashes), `scene` the block's index within that file, `message` the
    index within the block, `key` the message's content key and `flat` its
    index in play order across the whole story (the last resort). `text`
    and `speaker` (the label, "" for narration) find the line again by
    similarity when it was edited; older saves lack them ("" and None).
    """

    script_file: str
    scene: int
    message: int
    key: str
    flat: int
    text: str = ""
    speaker: str | None = None

    def __init__(
        self,
        script_file: str,
        scene: int,
        message: int,
        key: str,
        flat: int,
        text: str = "",
        speaker: str | None = None,
    ) -> None:
        set_field(self, "script_file", script_file)
        set_field(self, "scene", scene)
        set_field(self, "message", message)
        set_field(self, "key", key)
        set_field(self, "flat", flat)
        set_field(self, "text", text)
        set_field(self, "speaker", speaker)


# --- the index: flat positions over a story ----------------------------------


class StoryIndex:
    """Play-order arithmetic over a story's messages, via prefix sums per scene.

    Every operation is O(1) or O(log scenes); nothing is stored per message.
    """

    def __init__(self, story: Story) -> None:
        self.story = story
        self._starts: list[int] = []  # flat index of each scene's first message
        total = 0
        for ref in story.scenes:
            self._starts.append(total)
            total += len(ref.scene.messages)
        self._total = total
        if total == 0:
            raise EmptyStoryError("the story has no messages")

    @property
    def total(self) -> int:
        """How many messages the story has, across all scenes."""
        return self._total

    @property
    def first(self) -> Cursor:
        return self.cursor_at(0)

    @property
    def last(self) -> Cursor:
        return self.cursor_at(self._total - 1)

    def valid(self, c: Cursor) -> bool:
        """Whether the cursor points at an existing message."""
        if not 0 <= c.scene < len(self.story.scenes):
            return False
        return 0 <= c.message < len(self.story.scenes[c.scene].scene.messages)

    def flat_index(self, c: Cursor) -> int:
        """The cursor's index in play order over the whole story (0-based)."""
        self._check(c)
        return self._starts[c.scene] + c.message

    def cursor_at(self, flat: int) -> Cursor:
        """The cursor of the `flat`-th message in play order."""
        if not 0 <= flat < self._total:
            raise IndexError(f"message {flat} is outside 0..{self._total - 1}")
        # Empty scenes share their start with the next scene; bisect_right picks
        # the last scene starting at or before `flat`, which is never empty.
        scene = bisect_right(self._starts, flat) - 1
        return Cursor(scene, flat - self._starts[scene])

    def next_cursor(self, c: Cursor) -> Cursor | None:
        """The message after `c` in play order, or None at the end."""
        flat = self.flat_index(c) + 1
        return self.cursor_at(flat) if flat < self._total else None

    def prev_cursor(self, c: Cursor) -> Cursor | None:
        """The message before `c` in play order, or None at the start."""
        flat = self.flat_index(c) - 1
        return self.cursor_at(flat) if flat >= 0 else None

    def message_at(self, c: Cursor) -> Message:
        """The message a cursor points at."""
        self._check(c)
        return self.story.scenes[c.scene].scene.messages[c.message]

    def scene_start(self, scene: int) -> Cursor | None:
        """The first message of a scene; for an empty scene the next scene's, else None."""
        if not 0 <= scene < len(self.story.scenes):
            raise IndexError(f"scene {scene} is outside the story")
        flat = self._starts[scene]
        return self.cursor_at(flat) if flat < self._total else None

    def clamp(self, c: Cursor) -> Cursor:
        """The existing message nearest to a possibly stale cursor."""
        scenes = self.story.scenes
        if c.scene >= len(scenes):
            return self.last
        if c.scene < 0:
            return self.first
        count = len(scenes[c.scene].scene.messages)
        if count == 0:
            start = self.scene_start(c.scene)
            return start if start is not None else self.last
        return Cursor(c.scene, min(max(c.message, 0), count - 1))

    def cursors(self, start: int = 0, stop: int | None = None) -> Iterator[Cursor]:
        """Cursors for flat indices start..stop-1, produced lazily in play order."""
        stop = self._total if stop is None else min(stop, self._total)
        if start >= stop:
            return
        c: Cursor | None = self.cursor_at(max(start, 0))
        for _ in range(max(start, 0), stop):
            assert c is not None  # stop <= total guarantees a next message
            yield c
            c = self._step(c)

    def _step(self, c: Cursor) -> Cursor | None:
        # Within a scene this avoids the bisect; across scenes fall back to it.
        if c.message + 1 < len(self.story.scenes[c.scene].scene.messages):
            return Cursor(c.scene, c.message + 1)
        return self.next_cursor(c)

    def _check(self, c: Cursor) -> None:
        if not self.valid(c):
            raise IndexError(f"no message at scene {c.scene}, message {c.message}")


# --- the runtime: a cursor moving through the story --------------------------


@record
class Anchor:
    """A version of the story and the reader's place in it: what a reload relocates from."""

    story: Story
    cursor: Cursor
    history_start: Cursor

    def __init__(self, story: Story, cursor: Cursor, history_start: Cursor) -> None:
        set_field(self, "story", story)
        set_field(self, "cursor", cursor)
        set_field(self, "history_start", history_start)


class Runtime(StoryIndex):
    """The reader's place in a story, stepping forward, back and jumping.

    After each move `scene_changed` tells whether the scene differs from the
    one before the move, so the app can change music and background and
    autosave. The backlog is the range from `history_start` to the cursor.
    """

    def __init__(self, story: Story, start: Cursor | None = None) -> None:
        super().__init__(story)
        self._cursor = self.first if start is None else self.clamp(start)
        self.history_start = self._cursor
        self.scene_changed = True  # the first scene is "entered" on start

    @property
    def cursor(self) -> Cursor:
        return self._cursor

    @property
    def message(self) -> Message:
        """The message at the cursor."""
        return self.message_at(self._cursor)

    @property
    def scene_ref(self) -> SceneRef:
        """The scene (with its config) the cursor is in."""
        return self.story.scenes[self._cursor.scene]

    @property
    def at_end(self) -> bool:
        """Whether the cursor is on the story's last message."""
        return self.flat_index(self._cursor) == self.total - 1

    @property
    def is_first(self) -> bool:
        """Whether the cursor is on the story's first message."""
        return self.flat_index(self._cursor) == 0

    def advance(self) -> bool:
        """Step to the next message; False (and no move) at the end."""
        nxt = self.next_cursor(self._cursor)
        if nxt is None:
            self.scene_changed = False
            return False
        self._move(nxt)
        return True

    def back(self) -> bool:
        """Step to the previous message; False (and no move) at the start."""
        prev = self.prev_cursor(self._cursor)
        if prev is None:
            self.scene_changed = False
            return False
        self._move(prev)
        self.history_start = min(self.history_start, prev)
        return True

    def jump(self, cursor: Cursor, *, new_history: bool = False) -> None:
        """Go to a message: rollback keeps the history; load or scene select may restart it."""
        self._check(cursor)
        self._move(cursor)
        if new_history or cursor < self.history_start:
            self.history_start = cursor

    def anchor(self) -> Anchor:
        """The current version and place, to relocate from later (`reload(since=...)`)."""
        return Anchor(self.story, self._cursor, self.history_start)

    def reload(self, story: Story, since: Anchor | None = None) -> str | None:
        """Switch to an edited version of the story, keeping the reader's place (`relocate`).

        The place is relocated from `since` when given, else from the current
        version and place: live reload passes where the reader stood before a
        burst of saves, so a version the reader was moved through but never read
        (a file caught half-written) cannot carry them off their message.
        The backlog's start is relocated the same way (never after the
        cursor). `scene_changed` is set so the app re-applies the scene's
        settings. Returns the note to show, None when nothing moved. Raises
        EmptyStoryError (leaving the runtime as it was) if no message is left.
        """
        since = since or self.anchor()
        found, note = relocate(since.story, since.cursor, story)
        begin, _ = relocate(since.story, since.history_start, story)
        StoryIndex.__init__(self, story)
        self._cursor, self.history_start = found, min(begin, found)
        self.scene_changed = True
        return note

    def _move(self, c: Cursor) -> None:
        self.scene_changed = c.scene != self._cursor.scene
        self._cursor = c

    # The backlog: positions are computed from flat indices on demand, so a
    # window costs O(count log scenes) however long the history is.

    def history_len(self, end: Cursor | None = None) -> int:
        """How many messages the backlog holds up to and including `end` (default: cursor)."""
        end = self._cursor if end is None else end
        return max(0, self.flat_index(end) - self.flat_index(self.history_start) + 1)

    def history_window(
        self, end: Cursor | None = None, count: int = 20, skip: int = 0
    ) -> list[Cursor]:
        """Up to `count` backlog entries, oldest first, ending `skip` entries before `end`.

        `end` itself is the newest entry (the message on screen); `skip` is
        the scroll offset from the bottom of the backlog.
        """
        end = self._cursor if end is None else end
        low = self.flat_index(self.history_start)
        stop = self.flat_index(end) + 1 - max(skip, 0)
        start = max(low, stop - max(count, 0))
        return list(self.cursors(start, stop))


# --- auto and skip ---------------------------------------------------------------

AUTO_BASE_SECONDS = 1.0  # the pause even a one-character line gets
AUTO_PER_CHAR_SECONDS = 0.08  # roughly a slow reading pace for Japanese


class AutoSettings(Protocol):
    """What auto timing needs from the preferences (kept structural: no import upward)."""

    @property
    def auto_delay(self) -> float: ...


def auto_delay(message: Message, prefs: AutoSettings) -> float:
    """Seconds auto mode waits after a message is fully shown.

    Proportional to the visible length (white space not counted), scaled by
    the auto-delay setting (1.0 = default pace, 2.0 = twice as long).
    """
    length = sum(1 for ch in message.text if not ch.isspace())
    scale = max(float(prefs.auto_delay), 0.0)
    return (AUTO_BASE_SECONDS + AUTO_PER_CHAR_SECONDS * length) * scale


def can_skip(message: Message, marks: ReadMarks, skip_unread: bool) -> bool:
    """Whether skip mode may pass this message without stopping."""
    return skip_unread or marks.is_read(message)


# --- saved positions -----------------------------------------------------------


def script_path(story: Story, script: int) -> str:
    """A script's file relative to the story root, with POSIX slashes."""
    path = Path(story.scripts[script].file)
    if path.is_absolute():
        try:
            path = path.relative_to(story.root)
        except ValueError:
            return path.as_posix()
    return PurePosixPath(*path.parts).as_posix()


def scene_in_script(story: Story, ref: SceneRef) -> int:
    """The index of a play-order scene within its own script file."""
    scenes = story.scripts[ref.script].scenes
    for i, scene in enumerate(scenes):
        if scene is ref.scene:
            return i
    for i, scene in enumerate(scenes):
        if scene == ref.scene:
            return i
    raise ValueError(f"scene {ref.index} is not in script {ref.script}")


def scene_locations(story: Story) -> list[tuple[str, int]]:
    """For each scene in play order: (script file, index of the scene in that file)."""
    paths = [script_path(story, i) for i in range(len(story.scripts))]
    numbers = [{id(sc): i for i, sc in enumerate(s.scenes)} for s in story.scripts]
    out: list[tuple[str, int]] = []
    for ref in story.scenes:
        number = numbers[ref.script].get(id(ref.scene))
        if number is None:  # a SceneRef holding an equal copy rather than the same object
            number = scene_in_script(story, ref)
        out.append((paths[ref.script], number))
    return out


def save_position(story: Story, cursor: Cursor, index: StoryIndex | None = None) -> SavedPosition:
    """What a save records for a cursor."""
    index = StoryIndex(story) if index is None else index
    ref = story.scenes[cursor.scene]
    message = index.message_at(cursor)
    return SavedPosition(
        script_file=script_path(story, ref.script),
        scene=scene_in_script(story, ref),
        message=cursor.message,
        key=message.content_key(),
        flat=index.flat_index(cursor),
        text=message.text[:POSITION_TEXT_LIMIT],
        speaker=message.speaker or "",
    )


def locate(story: Story, saved: SavedPosition) -> tuple[Cursor, str | None]:
    """Find a saved place again after the script may have been edited.

    Same file, scene and index with the same content: exact (note None).
    Else the message with the same content nearest the saved place in the
    same scene (lines inserted above), else in the same file (a scene added
    before): NOTE_MOVED. Else, the saved line was edited: the message most
    like it by speaker and text (`similar_message`) in the same scene:
    NOTE_EDITED. Else the same content anywhere (a file renamed):
    NOTE_MOVED; else the most similar line near the saved place in play
    order: NOTE_EDITED.
    Else the nearest existing position to where the message stood:
    NOTE_NEAREST. A place with a negative number in it that is not found
    exactly (or one past PLACE_LIMIT) gives NOTE_ADJUSTED. Raises EmptyStoryError when the story has
    no message left.
    """
    cursor, note = _locate(story, saved)
    sane = all(0 <= v < PLACE_LIMIT for v in (saved.scene, saved.message, saved.flat))
    if not sane and note is not None:
        note = NOTE_ADJUSTED  # a place no player writes: edited by hand, or damaged
    return cursor, note


def _locate(story: Story, saved: SavedPosition) -> tuple[Cursor, str | None]:
    index = StoryIndex(story)
    places = scene_locations(story)
    wanted = (PurePosixPath(saved.script_file).as_posix(), saved.scene)
    scene = next((i for i, place in enumerate(places) if place == wanted), None)
    if scene is not None:
        here = Cursor(scene, saved.message)
        if index.valid(here) and index.message_at(here).content_key() == saved.key:
            return here, None
        anchor = index.flat_index(index.clamp(here))
        found = _nearest_in_scene(index, saved.key, scene, anchor)
        if found is None:
            found = _nearest_with_key(index, places, saved.key, (wanted[0], scene), anchor,
                                      same_file=True)
        if found is not None:
            return found, NOTE_MOVED
        found = similar_message(saved.text, saved.speaker, _scene_around(index, scene, saved.message))
        if found is not None:
            return found, NOTE_EDITED
    else:
        anchor = min(max(saved.flat, 0), index.total - 1)
    found = _nearest_with_key(index, places, saved.key, (wanted[0], scene), anchor)
    if found is not None:
        return found, NOTE_MOVED
    found = similar_message(saved.text, saved.speaker, _flat_around(index, anchor))
    if found is not None:
        return found, NOTE_EDITED
    return index.cursor_at(anchor), NOTE_NEAREST


# --- finding an edited line by its content ------------------------------------------


def text_similarity(a: str, b: str) -> float:
    """How alike two message texts are, 0..1, on their first MATCH_CHARS characters.

    difflib's ratio, raised to 0.7 when one text begins or ends the other
    (a line that was only extended or shortened is the same line, even when
    the added part is longer than what was there).
    """
    import difflib  # only edits need it: not paid for at start-up

    a, b = a[:MATCH_CHARS], b[:MATCH_CHARS]
    if not a or not b:
        return 0.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    floor = 0.7 if len(short) >= 2 and (long.startswith(short) or long.endswith(short)) else 0.0
    return max(floor, difflib.SequenceMatcher(None, a, b, autojunk=False).ratio())


def similarity(text: str, speaker: str | None, message: Message) -> float:
    """Text similarity, +0.1 for the same speaker, -0.2 for another; `speaker` None: unknown."""
    score = text_similarity(text, message.text)
    if speaker is None:
        return score
    return score + (0.1 if speaker == (message.speaker or "") else -0.2)


def similar_message(
    text: str, speaker: str | None, candidates: Iterable[tuple[Cursor, Message]]
) -> Cursor | None:
    """The candidate most like (`text`, `speaker`) scoring at least SIMILAR_ENOUGH, or None.

    Candidates come nearest first and a tie keeps the nearer one; at most
    MATCH_WINDOW of them are scored, so the work is bounded.
    """
    if not text:
        return None
    best, best_score = None, SIMILAR_ENOUGH - 1e-9
    for n, (cursor, message) in enumerate(candidates):
        if n >= MATCH_WINDOW:
            break
        score = similarity(text, speaker, message)
        if score > best_score:
            best, best_score = cursor, score
    return best


def _scene_around(index: StoryIndex, scene: int, at: int) -> Iterator[tuple[Cursor, Message]]:
    """A scene's messages, nearest to message `at` first."""
    messages = index.story.scenes[scene].scene.messages
    return ((Cursor(scene, i), messages[i]) for i in _around(0, len(messages), at))


def _around(lo: int, hi: int, at: int) -> Iterator[int]:
    """The integers in lo..hi-1 nearest to `at` first (the lower on a tie), without sorting."""
    at = min(max(at, lo), hi - 1)
    for step in range(hi - lo):
        if at - step < lo and at + step >= hi:
            return
        if step == 0:
            yield at
            continue
        if at - step >= lo:
            yield at - step
        if at + step < hi:
            yield at + step


def _flat_around(index: StoryIndex, flat: int) -> Iterator[tuple[Cursor, Message]]:
    """Messages in play order nearest to flat index `flat` first (either side, alternating)."""
    for step in range(MATCH_WINDOW):
        for f in ((flat,) if step == 0 else (flat - step, flat + step)):
            if 0 <= f < index.total:
                c = index.cursor_at(f)
                yield c, index.message_at(c)


def _nearest_in_scene(index: StoryIndex, key: str, scene: int, anchor: int) -> Cursor | None:
    """The message with `key` in one scene nearest to `anchor`: the cheap common case."""
    start = index.scene_start(scene)
    if start is None or start.scene != scene:
        return None
    base = index.flat_index(start)
    hits = [
        i for i, m in enumerate(index.story.scenes[scene].scene.messages) if m.content_key() == key
    ]
    if not hits:
        return None
    return Cursor(scene, min(hits, key=lambda i: abs(base + i - anchor)))


def _nearest_with_key(
    index: StoryIndex,
    places: list[tuple[str, int]],
    key: str,
    near: tuple[str, int | None],
    anchor: int,
    *,
    same_file: bool = False,
) -> Cursor | None:
    """The message with `key` ranked: same scene, then same file, then closest to `anchor`.

    With `same_file`, only the file `near` names is searched.
    """
    best: tuple[bool, bool, int] | None = None
    best_cursor: Cursor | None = None
    for ref in index.story.scenes:
        in_file = places[ref.index][0] == near[0]
        if same_file and not in_file:
            continue
        same_scene = ref.index == near[1]
        for i, msg in enumerate(ref.scene.messages):
            if msg.content_key() != key:
                continue
            c = Cursor(ref.index, i)
            rank = (not same_scene, not in_file, abs(index.flat_index(c) - anchor))
            if best is None or rank < best:
                best, best_cursor = rank, c
    return best_cursor


def relocate(old: Story, cursor: Cursor, new: Story) -> tuple[Cursor, str | None]:
    """Where a reader at `cursor` in `old` stands after a live reload to `new`.

    The messages of the reader's script file are aligned old-to-new by
    content key (difflib), so a line keeps its place whatever moved around
    it, even among repeated lines:

    - unchanged and at the same place: the same message (note None);
    - unchanged but moved (lines removed above, or added in an earlier
      scene): it (NOTE_MOVED);
    - lines inserted anywhere above it in its own scene: the first of them,
      so a writer sees what they just wrote, unread (NOTE_NEW_LINES);
    - edited in place: the edited message, found among the replacing lines
      by speaker and text (`similar_message`, NOTE_EDITED), else by position
      (NOTE_NEAREST); deleted: the line after it, else the file's last
      (NOTE_NEAREST);
    - its file gone or renamed: the same content nearest its place in play
      order (NOTE_MOVED), else that place (NOTE_NEAREST).

    Raises EmptyStoryError when `new` has no message.
    """
    new_index = StoryIndex(new)
    old_index = StoryIndex(old)
    cursor = old_index.clamp(cursor)
    file = script_path(old, old.scenes[cursor.scene].script)
    new_entries = _file_entries(new, file)
    if not new_entries:
        places = scene_locations(new)
        flat = old_index.flat_index(cursor)
        key = old_index.message_at(cursor).content_key()
        found = _nearest_with_key(new_index, places, key, (file, None), flat)
        if found is not None:
            return found, NOTE_MOVED
        return new_index.cursor_at(min(flat, new_index.total - 1)), NOTE_NEAREST
    old_entries = _file_entries(old, file)
    at = next(i for i, (c, _) in enumerate(old_entries) if c == cursor)
    j, note = _map_index(old_entries, new_entries, at)
    if j >= len(new_entries):  # past the file's end: its last lines were deleted
        after = new_index.next_cursor(new_entries[-1][0])
        return (after if after is not None else new_entries[-1][0]), NOTE_NEAREST
    found = new_entries[j][0]
    if note is None and (j != at or found.message != cursor.message):
        note = NOTE_MOVED
    return found, note


def _file_entries(story: Story, file: str) -> list[tuple[Cursor, Message]]:
    """One script's messages in file order (its scenes are in play order), with cursors."""
    out: list[tuple[Cursor, Message]] = []
    for ref in story.scenes:
        if script_path(story, ref.script) == file:
            out.extend((Cursor(ref.index, i), m) for i, m in enumerate(ref.scene.messages))
    return out


def _map_index(
    old: list[tuple[Cursor, Message]], new: list[tuple[Cursor, Message]], at: int
) -> tuple[int, str | None]:
    """The index in `new` for message `at` of `old` (aligned by content), and its note."""
    import difflib  # only live reload needs it: not paid for at start-up

    a = [m.content_key() for _, m in old]
    b = [m.content_key() for _, m in new]
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "insert" or not i1 <= at < i2:
            continue
        if tag == "delete":
            return j1, NOTE_NEAREST  # deleted: the line after the deleted ones
        added: list[tuple[str, int, int, int, int]] = []
        if tag == "equal":
            j, note = j1 + (at - i1), None
        else:  # replaced: the edited line itself, found by content
            place = j1 + min(at - i1, j2 - j1 - 1)
            j, note = _edited_line(old[at][1], new, j1, j2, place)
            # More new lines before it in the block than old lines before the
            # reader: the extra ones were inserted above it.
            if j > j1 + (at - i1):
                added.append(("insert", at, at, j1 + (at - i1), j))
        inserted = _inserted_above([*ops[:k], *added], new, new[j][0].scene)
        return (j, note) if inserted is None else (inserted, NOTE_NEW_LINES)
    return len(new), NOTE_NEAREST


def _edited_line(
    message: Message, new: list[tuple[Cursor, Message]], j1: int, j2: int, fallback: int
) -> tuple[int, str]:
    """Among the lines new[j1:j2] that replaced `message`, the one most like it.

    NOTE_EDITED when one is similar enough, else `fallback` (its place) and
    NOTE_NEAREST. Candidates are tried nearest to `fallback` first.
    """
    # The cursor only carries the index into `new` here.
    candidates = ((Cursor(0, j), new[j][1]) for j in _around(j1, j2, fallback))
    found = similar_message(message.text, message.speaker or "", candidates)
    return (fallback, NOTE_NEAREST) if found is None else (found.message, NOTE_EDITED)


def _inserted_above(
    ops: list[tuple[str, int, int, int, int]], new: list[tuple[Cursor, Message]], scene: int
) -> int | None:
    """The first line inserted above the reader (`ops` are those before it) in its scene.

    Any insertion in the reader's scene above them counts, however far up:
    a writer adding lines before the one they are reading wants to read
    them, and they are unread. Lines added to an earlier scene are no
    reason to move the reader back a scene.
    """
    for tag, _, _, j1, j2 in ops:
        if tag != "insert":
            continue
        first = next((j for j in range(j1, j2) if new[j][0].scene == scene), None)
        if first is not None:
            return first
    return None


def find_source_line(story: Story, file: str, line: int) -> Cursor | None:
    """The message on a script's source line, for `play --at FILE:LINE`.

    A line that holds no message (a marker, a blank) gives the next message
    in that file, or its last one when none follows; None when no script
    matches `file` (relative to the story root, absolute, or ending in it).
    """
    wanted = Path(file).as_posix()
    after: tuple[int, Cursor] | None = None
    before: tuple[int, Cursor] | None = None
    for ref in story.scenes:
        rel = script_path(story, ref.script)
        if wanted not in (rel, (story.root / rel).as_posix()) and not wanted.endswith("/" + rel):
            continue
        for i, msg in enumerate(ref.scene.messages):
            here = (msg.pos.line, Cursor(ref.index, i))
            if msg.pos.line >= line and (after is None or here < after):
                after = here
            if msg.pos.line < line and (before is None or here > before):
                before = here
    chosen = after or before
    return None if chosen is None else chosen[1]


# --- transcripts -----------------------------------------------------------------


def runs_markup(message: Message) -> str:
    """A message's text with readings shown as ｜base《reading》 and breaks as ⏎."""
    out: list[str] = []
    for run in message.runs:
        if isinstance(run, Ruby):
            out.extend(f"｜{base}《{reading}》" for base, reading in run.parts)
        elif isinstance(run, Break):
            out.append("⏎")
        elif isinstance(run, (Text, Direction)):
            out.append(run.text)
    return "".join(out)


def config_changes(
    before: SceneConfig | None, after: SceneConfig
) -> list[tuple[str, Path | str | None]]:
    """What a move between scenes changes: (background|music|view, new value) pairs.

    Only what differs is listed, so music that two scenes share keeps
    playing; `before` None means nothing was set up yet. A None value means
    back to none (default background, silence, the story's view).
    """
    old = before or SceneConfig()
    names = ("background", "music", "view")
    return [(n, getattr(after, n)) for n in names if getattr(after, n) != getattr(old, n)]


def _story_relative(story: Story, path: Path) -> str:
    try:
        return path.relative_to(story.root).as_posix() if path.is_absolute() else path.as_posix()
    except ValueError:
        return path.as_posix()


def _scene_events(story: Story, ref: SceneRef, before: SceneConfig | None) -> list[str]:
    events = [f"scene {ref.index} {ref.scene.title}".rstrip()]
    for name, value in config_changes(before, ref.config):
        shown = _story_relative(story, value) if isinstance(value, Path) else value
        events.append(f"{name} {shown or 'none'}")
    return events


def transcript(story: Story) -> list[str]:
    """The events a runtime walking the whole story emits, one line each.

    `scene N TITLE` on entering a scene, then `background`/`music`/`view`
    for what changes there; `say LABEL text` or `narrate text` per message
    (readings as ｜base《reading》); `end` after the last message.
    """
    try:
        rt = Runtime(story)
    except EmptyStoryError:
        return ["end"]
    events: list[str] = []
    config: SceneConfig | None = None
    while True:
        if rt.scene_changed:
            events.extend(_scene_events(story, rt.scene_ref, config))
            config = rt.scene_ref.config
        msg = rt.message
        text = runs_markup(msg)
        events.append(f"say {msg.speaker} {text}" if msg.speaker is not None else f"narrate {text}")
        if not rt.advance():
            break
    events.append("end")
    return events
