"""Self-voicing as the player uses it: say this message, prepare the next ones.

`VoiceService` maps messages to jobs (a recorded file where the writer
supplied one, else the spoken text in the speaker's voice), hands them to
the worker and answers, without waiting, whether the current line's sound
is ready. Everything here is cheap enough for the main loop: the text is
built once per message and held, and synthesis, decoding and the disk
cache are the worker's. Without the `voice` extra, `unavailable()` says
why and the player stays silent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from engine.model import Message, Story
from engine.voice.cache import ClipCache, default_cache_dir
from engine.voice.clip import Clip
from engine.voice.extra import VoiceUnavailable, missing
from engine.voice.recorded import recorded_file
from engine.voice.text import DEFAULT_OPTIONS, SpeechOptions, spoken, spoken_plain
from engine.voice.worker import FAILED, Job, Worker, head_key, rest_key

PREPARE_AHEAD = 2  # lines after the current one synthesized in advance


def unavailable() -> str | None:
    """Why self-voicing cannot run here (the extra's install command in it), or None."""
    gone = missing()
    return None if not gone else str(VoiceUnavailable(gone, "self-voicing"))


class VoiceService:
    """The current line and the few ahead, made playable off the main loop."""

    def __init__(self, story: Story, from_clip: Callable[[Clip], object],
                 from_file: Callable[[Path], object | None],
                 options: SpeechOptions = DEFAULT_OPTIONS,
                 cache: ClipCache | None = None, synth: Any = None) -> None:
        self.story = story
        self.options = options
        self._from_clip = from_clip
        self._from_file = from_file
        self._cache = cache
        self._synth = synth
        self._worker: Worker | None = None
        self._jobs: dict[Message, Job | None] = {}  # by value: a reloaded story's lines match

    def set_options(self, options: SpeechOptions) -> None:
        """New reading choices (names, directions): the texts are built again."""
        if options != self.options:
            self.options = options
            self._jobs.clear()

    def set_story(self, story: Story) -> None:
        """An edited story: the texts, voices and recorded files are looked up again."""
        self.story = story
        self._jobs.clear()

    def job(self, message: Message) -> Job | None:
        """What `message` plays: its recorded file, else its spoken text; None if silent."""
        key = message
        if key not in self._jobs:
            recorded = recorded_file(self.story, message)
            if recorded is not None:
                self._jobs[key] = Job(recorded=recorded)
            else:
                said = spoken(message, self.story, self.options)
                self._jobs[key] = Job(utterance=said) if said else None
        return self._jobs[key]

    def say(self, message: Message, ahead: Iterable[Message] = ()) -> str | None:
        """Start making `message` playable, then up to PREPARE_AHEAD of `ahead`.

        Returns the key to ask `ready` with (None: the message is silent).
        Work queued for lines not among these is dropped.
        """
        worker = self._ensure_worker()
        current = self.job(message)
        keyed = [(worker.key(current), current)] if current is not None else []
        for later in ahead:
            if len(keyed) >= PREPARE_AHEAD + (current is not None):
                break
            job = self.job(later)
            if job is not None:
                keyed.append((worker.key(job), job))
        worker.keep_only(k for k, _ in keyed)
        for index, (key, job) in enumerate(keyed):
            worker.want(key, job, urgent=index == 0 and current is not None)
        return keyed[0][0] if current is not None else None

    def say_text(self, text: str) -> str | None:
        """Start making a piece of interface text playable (a menu item on focus), at once.

        It is read in the narrator's voice and replaces everything wanted
        before (a menu over the story: the line and those ahead are let go).
        Returns the key to ask `ready` with; None if nothing in it is sayable.
        """
        said = spoken_plain(text, self.story.voice.narrator)
        worker = self._ensure_worker()
        if not said:
            worker.keep_only(())
            return None
        job = Job(utterance=said)
        key = worker.key(job)
        worker.keep_only((key,))
        worker.want(key, job, urgent=True)
        return key

    def prepare(self, messages: Iterable[Message]) -> None:
        """Make `messages` playable ahead of time without changing what is current."""
        worker = self._ensure_worker()
        for message in messages:
            job = self.job(message)
            if job is not None:
                worker.want(worker.key(job), job)

    def ready(self, key: str) -> object | None:
        """The sound for `key` if it is ready; None while it is being made or if it failed."""
        if self._worker is None:
            return None
        found = self._worker.take(key)
        return None if found is FAILED else found

    def ready_part(self, key: str, first: bool) -> object | None:
        """For a line made in two parts: its first sentence (`first`) or the rest, if ready."""
        if self._worker is None:
            return None
        found = self._worker.take(head_key(key) if first else rest_key(key))
        return None if found is FAILED else found

    def failed(self, key: str) -> bool:
        """True if the line for `key` could not be made (the worker said why once)."""
        return self._worker is not None and self._worker.take(key) is FAILED

    def stop(self) -> None:
        """Nothing is wanted any more (skip mode, the title): queued work is dropped."""
        if self._worker is not None:
            self._worker.keep_only(())

    @property
    def worker(self) -> Worker | None:
        return self._worker

    def _ensure_worker(self) -> Worker:
        if self._worker is None:
            synth = self._synth
            if synth is None:
                from engine.voice.backend import Synth  # needs the extra; raises if missing

                synth = Synth()
            cache = self._cache if self._cache is not None else ClipCache(default_cache_dir())
            self._worker = Worker(synth, cache, self._from_clip, self._from_file)
        return self._worker

    def close(self) -> None:
        """Stop the worker (the player is quitting)."""
        if self._worker is not None:
            self._worker.close()
