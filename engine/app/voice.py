"""Self-voicing in the player: the pygame side of engine.voice.

`VoicePlayer` speaks the message on screen on a mixer channel of its own
(so message blips and music never cut it off), stops it when the player
advances, and tells auto mode whether a line is still being spoken. The
sound is made by `engine.voice`'s worker thread: synthesized samples are
converted to the mixer's format, recorded files are decoded, both there;
the frame only starts a ready sound. Without the `voice` extra, or
without an audio device, it is silent and `unavailable` says why once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pygame

from engine.app.audio import Audio
from engine.model import Message, Story
from engine.voice.clip import Clip
from engine.voice.text import DEFAULT_OPTIONS, SpeechOptions


class VoicePlayer:
    """The current line's voice: asked for on show, started when ready, stopped on advance."""

    def __init__(self, audio: Audio, story: Story, volume: float = 1.0,
                 options: SpeechOptions = DEFAULT_OPTIONS, service: Any = None) -> None:
        self.audio = audio
        self.story = story
        self.volume = volume
        self.options = options
        self.unavailable: str | None = None  # why the player is silent, once known
        self._service = service
        self._channel: Any = None
        self._pending: str | None = None  # the key of the line waiting for its sound
        self._rest: str | None = None  # a line playing its first sentence, the rest to come
        self._wanted: tuple[Message, tuple[Message, ...]] | None = None
        self._started = False  # a sound was started for the current line

    # -- what the reading screens call

    def show(self, message: Message, ahead: Iterable[Message] = ()) -> None:
        """`message` is now on screen: stop the old line; its own voice starts when ready."""
        self.stop()
        self._wanted = (message, tuple(ahead))

    def stop(self) -> None:
        """Silence (advance, skip, leaving the story); nothing queued goes on being made."""
        self._wanted = None
        self._pending = self._rest = None
        self._started = False
        if self._channel is not None:
            self._channel.stop()
        if self._service is not None:
            self._service.stop()

    def speaking(self) -> bool:
        """True while the current line is being prepared or played (auto mode waits)."""
        if self._wanted is not None or self._pending is not None or self._rest is not None:
            return self.unavailable is None
        return self._channel is not None and bool(self._channel.get_busy())

    def set_volume(self, volume: float) -> None:
        """A new voice volume, applied to the line playing now as well."""
        self.volume = volume
        if self._channel is not None:
            self._channel.set_volume(volume)

    def set_story(self, story: Story) -> None:
        """An edited story (live reload): its lines are read with its voices from now on."""
        self.story = story
        if self._service is not None:
            self._service.set_story(story)

    def set_options(self, options: SpeechOptions) -> None:
        self.options = options
        if self._service is not None:
            self._service.set_options(options)

    def wake_in(self) -> float | None:
        """The loop polls while a line is waiting for its sound (the worker has no event)."""
        waiting = self._wanted or self._pending or self._rest
        return 0.02 if waiting and self.unavailable is None else None

    def update(self) -> None:
        """After the frame: ask for the shown line, start its sound once the worker has it.

        A line the worker makes in two parts starts with its first sentence;
        the rest is queued on the channel to follow it without a gap.
        """
        if self._wanted is not None:
            message, ahead = self._wanted
            self._wanted = None
            if self._ensure_ready():
                self._pending = self._service.say(message, ahead)
        if self._service is None:
            return
        if self._pending is not None:
            self._start(self._pending)
        if self._rest is not None:
            rest = self._service.ready_part(self._rest, first=False)
            if rest is not None:
                self._channel.queue(rest)  # after the first sentence, or now if it ended
                self._rest = None
            elif self._service.failed(self._rest):
                self._rest = None

    def _start(self, key: str) -> None:
        sound = self._service.ready(key)
        if sound is None:
            sound = self._service.ready_part(key, first=True)
            if sound is None:
                if self._service.failed(key):
                    self._pending = None
                return
            self._rest = key
        self._pending = None
        self._started = True
        self._channel.set_volume(self.volume)
        self._channel.play(sound)

    def close(self) -> None:
        """Stop speaking and the worker (quitting)."""
        self.stop()
        if self._service is not None:
            self._service.close()

    # -- setting up, once

    def _ensure_ready(self) -> bool:
        if self.unavailable is not None:
            return False
        if self._channel is not None:
            return True
        from engine.voice.service import VoiceService, unavailable

        reason = unavailable() if self._service is None else None
        if reason is None and not self.audio.open():
            reason = self.audio.warning or "no audio device"
        if reason is not None:
            self._silence(reason)
            return False
        if self._service is None:
            self._service = VoiceService(self.story, from_clip=clip_sound, from_file=file_sound,
                                         options=self.options)
        pygame.mixer.set_reserved(1)  # channel 0 is the voice's: blips never take it
        self._channel = pygame.mixer.Channel(0)
        return True

    def _silence(self, reason: str) -> None:
        self.unavailable = reason
        print(f"chatlog-vn: warning: self-voicing is off: {reason}", file=sys.stderr)


def clip_sound(clip: Clip) -> object:
    """A synthesized clip as a pygame Sound in the mixer's format (on the worker thread)."""
    from engine.voice.backend import to_mixer

    rate, size, channels = pygame.mixer.get_init()
    try:
        return pygame.mixer.Sound(buffer=to_mixer(clip, rate, size, channels))
    except ValueError:  # a mixer format to_mixer does not write: SDL converts a WAV
        import io

        return pygame.mixer.Sound(file=io.BytesIO(clip.wav_bytes()))


def file_sound(path: Path) -> object | None:
    """A recorded line as a pygame Sound; None (the line stays silent) if it cannot be read."""
    try:
        return pygame.mixer.Sound(str(path))
    except (pygame.error, OSError) as exc:
        print(f"chatlog-vn: warning: cannot play the recorded line {path}: {exc}", file=sys.stderr)
        return None
