"""The learner service the app drives: words, furigana, lookups and cards for a story.

One `LearnService` per loaded story. Everything it computes is cached per
message (a `Message` is an immutable, hashable record), and a worker thread
computes ahead of the reader: the app calls `prepare` with the message on
screen and the next ones whenever the reader moves, and then asks with the
non-blocking `ready_*` methods, which answer from the cache or return None
(and queue the message first). The blocking methods (`words`, `furigana`,
`lookup`) compute on the calling thread when the worker has not got there
yet; the command-line tools use only those.

The tokenizer and the dictionary open on first use (in the worker when it
runs). Without the `learn` extra, constructing the service works but
every method that needs the extra raises `LearnUnavailable` (the worker
records it in `error` instead), whose message says how to install it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from engine.learn.analysis import NO_READINGS, Readings, analyse, story_readings
from engine.learn.cards import Card, CardStore, new_card
from engine.learn.dictionary import Dictionary, Lookup
from engine.learn.extra import LearnUnavailable
from engine.learn.furigana import OFF, FuriganaMode, add_furigana
from engine.learn.kana import has_kanji
from engine.learn.levels import LevelTable
from engine.learn.tokenizer import Tokenizer
from engine.learn.words import MessageWords, Word
from engine.model import Message, Pos, Ruby, Run, Story

LOOKAHEAD = 8  # how many messages the app should pass to `prepare`: the current and 7 next
KEEP_MESSAGES = 4096  # messages whose words and furigana stay cached (the oldest go first)
KEEP_LOOKUPS = 16384

# A worker job: the message, the furigana mode, whether to look up every word, and one
# word to look up first (an urgent popup), or None.
_Job = tuple[Message, FuriganaMode, bool, int | None]
_K = TypeVar("_K")
_V = TypeVar("_V")


class _Bounded(OrderedDict[_K, _V]):
    """A dict keeping its newest `size` entries (the caller holds the service's lock)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def keep(self, key: _K, value: _V) -> _V:
        """Store `value` unless `key` is there already; the value stored."""
        if key in self:
            return self[key]
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class LearnService:
    """Words, furigana, lookups and cards for one story (see the module docstring)."""

    def __init__(self, story: Story, tokenizer: Tokenizer | None = None,
                 dictionary: Dictionary | None = None, cards: CardStore | None = None) -> None:
        self.story = story
        self.tokenizer = tokenizer or Tokenizer()
        self.dictionary = dictionary or Dictionary()
        self.cards = cards or CardStore()
        self._readings: Readings | None = None
        self._readings_lock = threading.Lock()  # held while building: never by ready_*
        self._lock = threading.RLock()  # the caches only: held for microseconds
        self._words: _Bounded[Message, MessageWords] = _Bounded(KEEP_MESSAGES)
        self._furigana: _Bounded[tuple[Message, FuriganaMode], tuple[Run, ...]] = _Bounded(
            KEEP_MESSAGES)
        self._lookups: _Bounded[tuple[Message, int], Lookup] = _Bounded(KEEP_LOOKUPS)
        self._worker: _Worker | None = None
        self.error: LearnUnavailable | None = None  # what stopped the worker, if anything
        self.failed: dict[Message, str] = {}  # messages the worker could not analyse, and why

    # -- the story's readings

    @property
    def readings(self) -> Readings:
        """The writer's readings across the story and story.yaml's name readings (built once)."""
        with self._readings_lock:
            if self._readings is None:
                self._readings = build_readings(self.story, self.tokenizer)
            return self._readings

    # -- words

    def words(self, message: Message) -> MessageWords:
        """The words of `message` (computed now if not prepared): tokenized, read with the
        story's readings, compounds the tokenizer cut joined again by the dictionary."""
        with self._lock:
            hit = self._words.get(message)
        if hit is not None:
            return hit
        found = self.dictionary.compounds(self.tokenized(message))
        with self._lock:
            return self._words.keep(message, found)

    def tokenized(self, message: Message) -> MessageWords:
        """The words of `message` from the tokenizer and the story's readings alone (no
        dictionary; not cached): the first step of `words`."""
        return analyse(message.runs, self.tokenizer.tokens(message.text), self.readings)

    def word_at(self, message: Message, char_index: int) -> Word | None:
        """The word holding code point `char_index` of `message.text`, or None."""
        return self.words(message).word_at(char_index)

    def word_at_glyph(self, message: Message, glyph_index: int) -> Word | None:
        """The word drawn by the layout's glyph `glyph_index` (`Glyph.index`), or None."""
        return self.words(message).word_at_glyph(glyph_index)

    # -- furigana

    def levels(self, mode: FuriganaMode) -> LevelTable:
        """The kanji level table when `mode` needs one (grade, jlpt), else an empty one."""
        return self.dictionary.kanji_levels() if mode.kind in ("grade", "jlpt") else {}

    def furigana(self, message: Message, mode: FuriganaMode) -> tuple[Run, ...]:
        """`message.runs` with furigana added as `mode` asks (the runs as they are for off)."""
        if mode == OFF:
            return message.runs
        key = (message, mode)
        with self._lock:
            hit = self._furigana.get(key)
        if hit is not None:
            return hit
        runs = add_furigana(message.runs, self.words(message), mode, self.levels(mode))
        with self._lock:
            return self._furigana.keep(key, runs)

    # -- lookups

    def lookup(self, message: Message, index: int) -> Lookup:
        """What word `index` of `message`'s words means (a compound may span more words)."""
        key = (message, index)
        with self._lock:
            hit = self._lookups.get(key)
        if hit is not None:
            return hit
        words = self.words(message)
        if not 0 <= index < len(words.words):
            raise IndexError(f"message has {len(words.words)} words, no word {index}")
        found = self.dictionary.lookup(words, index)
        with self._lock:
            return self._lookups.keep(key, found)

    # -- non-blocking, for the app's frame loop

    def ready_words(self, message: Message) -> MessageWords | None:
        """The words if already computed, else None (and `message` is queued first)."""
        with self._lock:
            hit = self._words.get(message)
        if hit is None:
            self._urgent(message)
        return hit

    def ready_furigana(self, message: Message, mode: FuriganaMode) -> tuple[Run, ...] | None:
        """The furigana runs if already computed, else None (and they are queued first)."""
        if mode == OFF:
            return message.runs
        with self._lock:
            hit = self._furigana.get((message, mode))
        if hit is None:
            self._urgent(message, mode)
        return hit

    def ready_lookup(self, message: Message, index: int) -> Lookup | None:
        """The lookup of word `index` if already made, else None (and it is queued first)."""
        with self._lock:
            hit = self._lookups.get((message, index))
        if hit is None:
            self._urgent(message, OFF, index)
        return hit

    def prepare(self, messages: Iterable[Message], mode: FuriganaMode = OFF,
                lookups: bool = True) -> None:
        """Compute ahead, in the worker, for `messages` (most urgent first): words, furigana
        in `mode` and, with `lookups`, every word's dictionary lookup. Replaces what was
        still pending (the reader has moved on). Starts the worker if needed."""
        self._ensure_worker().replace([(m, mode, lookups, None) for m in messages])

    def _urgent(self, message: Message, mode: FuriganaMode = OFF,
                index: int | None = None) -> None:
        if self.error is None and message not in self.failed:
            self._ensure_worker().push_front((message, mode, False, index))

    def _ensure_worker(self) -> _Worker:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = _Worker(self)
                self._worker.start()
            return self._worker

    def idle(self) -> bool:
        """True when the worker has nothing pending (for tests and benchmarks)."""
        worker = self._worker
        return worker is None or worker.idle()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until the worker has nothing pending, or `timeout` s; True if it got there."""
        end = time.monotonic() + timeout
        while not self.idle():
            if time.monotonic() > end:
                return False
            time.sleep(0.002)
        return True

    def close(self) -> None:
        """Stop the worker (pending work is dropped); the caches stay usable."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()
            worker.join(0.5)  # it ends after the step in hand (a lookup: milliseconds)

    # -- cards

    def card(self, message: Message, index: int, audio: Path | str | None = None) -> Card:
        """A card for word `index` of `message` (the looked-up span, marked in the sentence)."""
        from engine.manifest import story_id

        found = self.lookup(message, index)
        speaker = self.story.character(message.speaker)
        reading = (found.base_reading or found.reading or "") if has_kanji(found.base) else ""
        return new_card(
            word=found.written, base=found.base, reading=reading or found.base,
            meaning=found.meaning(),
            sentence=message.text, word_start=found.start, word_end=found.end,
            story=self.story.title, story_id=story_id(self.story),
            source=self.source(message),
            speaker=speaker.name if speaker else message.speaker,
            audio=None if audio is None else str(audio),
        )

    def add_card(self, message: Message, index: int,
                 audio: Path | str | None = None) -> tuple[Card, bool]:
        """Make the card for word `index` and append it to the card store; (card, added)."""
        return self.cards.add(self.card(message, index, audio))

    def source(self, message: Message) -> str:
        """`FILE:LINE` of `message`, FILE relative to the story folder when inside it."""
        return self.place(message.pos)

    def place(self, pos: Pos) -> str:
        """`FILE:LINE` of `pos`, FILE relative to the story folder when inside it."""
        path = Path(pos.file)
        try:
            shown = path.resolve().relative_to(self.story.root.resolve()).as_posix()
        except (ValueError, OSError):
            shown = pos.file
        return f"{shown}:{pos.line}"


def story_of_script(path: Path) -> Story:
    """The story a script file belongs to (for the whole story's readings and the cast):
    the story of its folder when that story plays this file, else the file alone."""
    from engine.manifest import StoryError, find_story, load_story

    path = Path(path).resolve()
    for folder in (path.parent, path.parent.parent):
        if find_story(folder) is None:
            continue
        try:
            story = load_story(folder)
        except StoryError:
            continue
        if any(Path(s.file).resolve() == path for s in story.scripts):
            return story
    return load_story(path)


def furigana_in_script(path: Path, message: Message, mode: FuriganaMode) -> tuple[Run, ...]:
    """`message` (of the script at `path`) with furigana as `mode` asks, read with the
    readings of the story the script belongs to."""
    if mode == OFF:
        return message.runs
    service = LearnService(story_of_script(path))
    return service.furigana(message, mode)


def build_readings(story: Story, tokenizer: Tokenizer) -> Readings:
    """The story's readings: each base the writer annotated (as the words it covers), and
    story.yaml's name readings. Only messages holding ruby are tokenized."""
    annotated = (m for script in story.scripts for m in script.messages
                 if any(isinstance(r, Ruby) for r in m.runs))
    words = (w for m in annotated
             for w in analyse(m.runs, tokenizer.tokens(m.text), NO_READINGS).words)
    names = {c.name: c.reading for c in story.characters.values() if c.reading}
    name_set = frozenset(c.name for c in story.characters.values()) | frozenset(
        label for label in story.characters if not label.isascii())
    return story_readings(words, names, name_set)


class _Worker(threading.Thread):
    """Prepares messages ahead of the reader, one small step at a time.

    A job is (message, furigana mode, with lookups). Urgent jobs (the app
    asked for something not ready) go first and carry no lookups; a
    `replace` (the reader moved) drops what was pending and stops the job
    in hand at its next step. A message whose analysis fails is not tried
    again; the failure is kept in the service's `failed`.
    """

    def __init__(self, service: LearnService) -> None:
        super().__init__(name="chatlog-vn-learn", daemon=True)
        self.service = service
        self._jobs: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._stopped = False
        self._generation = 0

    def replace(self, jobs: list[_Job]) -> None:
        with self._cond:
            self._jobs = deque(jobs)
            self._generation += 1
            self._cond.notify()

    def push_front(self, job: _Job) -> None:
        with self._cond:
            if job not in self._jobs:
                self._jobs.appendleft(job)
            self._cond.notify()

    def idle(self) -> bool:
        with self._cond:
            return not self._jobs and not self._busy

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._jobs.clear()
            self._cond.notify()

    def run(self) -> None:
        try:
            self._loop()
        finally:
            self.service.dictionary.release()  # its connection is this thread's

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._busy = False
                while not self._jobs and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                job = self._jobs.popleft()
                generation = self._generation
                self._busy = True
            self._do(job, generation)

    def _do(self, job: _Job, generation: int) -> None:
        message, mode, lookups, index = job
        s = self.service
        try:
            words = s.words(message)
            s.furigana(message, mode)
            if index is not None and 0 <= index < len(words.words):
                s.lookup(message, index)
            if not lookups:
                return
            for i in range(len(words.words)):
                if self._moved(generation):
                    return
                if self._urgent_waiting():
                    self._requeue(job)  # after the urgent ones; what is done stays cached
                    return
                s.lookup(message, i)
                time.sleep(0)  # let the frame loop have the interpreter between lookups
            s.dictionary.kanji_levels()  # read once: the popup shows each word's level
        except LearnUnavailable as exc:
            s.error = exc
            with self._cond:
                self._jobs.clear()
        except Exception as exc:  # a bug on one message must not stop the reading
            with s._lock:
                s.failed[message] = f"{type(exc).__name__}: {exc}"

    def _moved(self, generation: int) -> bool:
        with self._cond:
            return self._stopped or self._generation != generation

    def _urgent_waiting(self) -> bool:
        with self._cond:
            return bool(self._jobs) and not self._jobs[0][2]

    def _requeue(self, job: _Job) -> None:
        with self._cond:
            at = next((i for i, j in enumerate(self._jobs) if j[2]), len(self._jobs))
            self._jobs.insert(at, job)
