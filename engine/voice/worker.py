"""The synthesis worker: a thread that turns wanted lines into playable sounds.

The main loop only ever calls non-blocking methods: `want` queues a job
(the urgent one first, then the lines prepared ahead), `take` returns a
finished result or None, `keep_only` drops queued work for lines the
player has moved past (and stops a synthesis in progress between two
sentences). Synthetic clips come from the on-disk cache when they can,
and go into it when they are new. A new line of several sentences is
made in two parts, its first sentence (`head_key`) then the rest
(`rest_key`), so playback can start after one sentence's synthesis; the
two joined go into the cache under the line's own key. What a result is (a pygame Sound, say)
is decided by the two functions given, called on this thread so that
decoding and format conversion never cost the frame.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from engine.model import record, set_field
from engine.voice.cache import ClipCache, clip_key
from engine.voice.clip import Clip
from engine.voice.text import Utterance

KEEP_RESULTS = 24  # finished sounds held in memory (the current line and those ahead)
HEAD, REST = "#head", "#rest"  # suffixes of a line's first sentence and the rest of it


def head_key(key: str) -> str:
    """Where the first sentence of a line synthesized in two parts is kept."""
    return key + HEAD


def rest_key(key: str) -> str:
    """Where the rest of a line synthesized in two parts is kept."""
    return key + REST


@record
class Job:
    """One line to make playable: a recorded file, or an utterance to synthesize."""

    utterance: Utterance | None = None
    recorded: Path | None = None

    def __init__(self, utterance: Utterance | None = None, recorded: Path | None = None) -> None:
        set_field(self, "utterance", utterance)
        set_field(self, "recorded", recorded)


FAILED = object()  # `take`'s result for a job that could not be done (said once on stderr)


class Worker:
    """One daemon thread working through the wanted jobs, most urgent first."""

    def __init__(self, synth: Any, cache: ClipCache | None,
                 from_clip: Callable[[Clip], object],
                 from_file: Callable[[Path], object | None],
                 engine_id: str = "openjtalk-hts-1") -> None:
        self._synth = synth
        self._cache = cache
        self._from_clip = from_clip
        self._from_file = from_file
        self._engine_id = engine_id
        self._cv = threading.Condition()
        self._queue: OrderedDict[str, Job] = OrderedDict()
        self._results: OrderedDict[str, object] = OrderedDict()
        self._busy: str | None = "(start)"  # the key being worked on; first, the start-up
        self._wanted: set[str] | None = None  # None: everything queued is wanted
        self._closed = False
        self._warned = False
        self.hits = self.misses = 0  # cache statistics (tests, the bench)
        self._thread = threading.Thread(target=self._run, name="chatlog-voice", daemon=True)
        self._thread.start()

    def key(self, job: Job) -> str:
        """The key results are kept under: the recorded file, or the clip's cache key."""
        if job.recorded is not None:
            return f"file:{job.recorded}"
        assert job.utterance is not None
        return clip_key(job.utterance, self._engine_id)

    def want(self, key: str, job: Job, urgent: bool = False) -> None:
        """Queue `job` under `key` unless it is done or queued; `urgent` puts it first."""
        with self._cv:
            if self._closed or key == self._busy or self._done(key):
                return
            self._queue[key] = job
            if urgent:
                self._queue.move_to_end(key, last=False)
            if self._wanted is not None:
                self._wanted.add(key)
            self._cv.notify()

    def _done(self, key: str) -> bool:
        """Made already: whole, or in two parts (the lock is held)."""
        results = self._results
        return key in results or (head_key(key) in results and rest_key(key) in results)

    def keep_only(self, keys: Iterable[str]) -> None:
        """Forget queued jobs not in `keys`; a synthesis of another line stops early."""
        keep = set(keys)
        with self._cv:
            for key in [k for k in self._queue if k not in keep]:
                del self._queue[key]
            self._wanted = keep

    def take(self, key: str) -> object | None:
        """The finished result for `key` (it stays held), `FAILED`, or None if not ready."""
        with self._cv:
            return self._results.get(key)

    def idle(self) -> bool:
        """True when nothing is queued or in progress."""
        with self._cv:
            return not self._queue and self._busy is None

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until idle (tests, the bench, the command line); False on timeout."""
        with self._cv:
            return self._cv.wait_for(lambda: not self._queue and self._busy is None, timeout)

    def close(self) -> None:
        """Stop after the job in progress; the thread is a daemon, so exit never waits."""
        with self._cv:
            self._closed = True
            self._queue.clear()
            self._cv.notify_all()

    # -- the thread

    def _run(self) -> None:
        warm = getattr(self._synth, "warm", None)
        if warm is not None:
            self._guard(warm)
        if self._cache is not None:
            self._guard(self._cache.prune)  # once a run, here: the frame never waits on it
        with self._cv:
            self._busy = None
            self._cv.notify_all()
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._closed or bool(self._queue))
                if self._closed:
                    return
                key, job = self._queue.popitem(last=False)
                self._busy = key
            result = self._guard(lambda job=job, key=key: self._make(key, job))
            with self._cv:
                self._busy = None
                if result is not None:
                    self._keep(key, result)
                self._cv.notify_all()

    def _keep(self, key: str, result: object) -> None:
        """Hold a finished result (the lock is held); the oldest go past KEEP_RESULTS."""
        self._results[key] = result
        self._results.move_to_end(key)
        while len(self._results) > KEEP_RESULTS:
            self._results.popitem(last=False)

    def _publish(self, key: str, result: object) -> None:
        with self._cv:
            self._keep(key, result)
            self._cv.notify_all()

    def _make(self, key: str, job: Job) -> object | None:
        if job.recorded is not None:
            sound = self._from_file(job.recorded)
            return FAILED if sound is None else sound
        assert job.utterance is not None
        clip = self._cache.get(key) if self._cache is not None else None
        if clip is not None:
            self.hits += 1
        else:
            self.misses += 1
            chunks = job.utterance.chunks()
            if len(chunks) > 1:
                return self._in_two_parts(key, job.utterance.voice, chunks)
            clip = self._synth.render(job.utterance, stop=lambda: self._unwanted(key))
            if clip is None:
                return None  # moved past: nothing kept, wanted again later if need be
            if self._cache is not None:
                self._cache.put(key, clip)
        return self._from_clip(clip)

    def _in_two_parts(self, key: str, voice: Any, chunks: tuple[tuple[str, float], ...]
                      ) -> object | None:
        """First sentence published at once, then the rest; the whole cached.

        Returns None: the line's own key gets no result this run (the
        player plays the two parts; a later request reads the cache).
        """
        stop = lambda: self._unwanted(key)  # noqa: E731 - asked between sentences
        head = self._synth.render_chunks(chunks[:1], voice, stop)
        if head is None:
            return None
        self._publish(head_key(key), self._from_clip(head))
        rest = self._synth.render_chunks(chunks[1:], voice, stop)
        if rest is None:
            return None
        self._publish(rest_key(key), self._from_clip(rest))
        if self._cache is not None:
            self._cache.put(key, Clip(head.pcm + rest.pcm, head.rate))
        return None

    def _unwanted(self, key: str) -> bool:
        with self._cv:
            return self._closed or (self._wanted is not None and key not in self._wanted)

    def _guard(self, work: Callable[[], object]) -> object | None:
        """Run `work`; an error is said once and the job marked failed, the thread lives on."""
        try:
            return work()
        except Exception as exc:  # the engine's errors must not end self-voicing
            if not self._warned:
                self._warned = True
                print(f"chatlog-vn: warning: voice: {type(exc).__name__}: {exc}", file=sys.stderr)
            return FAILED
