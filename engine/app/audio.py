"""Music per scene with fades, a sound per message, volumes applied at once.

The mixer is opened only when something is first played, and then from the
loop after the frame is on screen, so a story with no audio never pays for
it and one with audio shows its first frame without waiting for the device.
If no audio device can be opened the game goes on silently after exactly
one warning.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pygame

from engine.app.assets import Assets

FADE_OUT = 0.6  # seconds for the old scene's music to fade before the next starts
FADE_IN = 1.0


class Audio:
    """The one place that talks to pygame.mixer."""

    def __init__(
        self,
        assets: Assets,
        music_volume: float = 0.8,
        sound_volume: float = 0.8,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.assets = assets
        self.music_volume = music_volume
        self.sound_volume = sound_volume
        self.available: bool | None = None  # None: not tried yet
        self.warning: str | None = None
        self.current_music: Path | None = None
        self._pending: Path | None = None
        self._pending_at = 0.0
        self._clock = clock
        self._channel: object | None = None
        self._pending_sound: Path | None = None

    def _ready(self) -> bool:
        """Open the mixer on first use; remember (and warn once) if it cannot be opened."""
        if self.available is None:
            try:
                if os.environ.get("CHATLOG_NO_AUDIO"):
                    raise pygame.error("audio disabled by CHATLOG_NO_AUDIO")
                if not pygame.mixer.get_init():
                    quietly(pygame.mixer.init)
                pygame.mixer.music.set_volume(self.music_volume)
                self.available = True
            except (pygame.error, OSError) as exc:
                self.available = False
                self.warning = f"no audio device ({exc}); playing without sound"
                print(f"chatlog-vn: warning: {self.warning}", file=sys.stderr)
        return self.available

    def open(self) -> bool:
        """Open the mixer now if it is not open (self-voicing needs it); False: no device."""
        return self._ready()

    def play_music(self, path: Path | None) -> None:
        """Change to a scene's music: fade the old one out, then fade the new one in.

        Nothing is opened here: the loop's next `update` (after the frame is
        shown) opens the mixer if needed and starts the music.
        """
        if path == self.current_music and self._pending is None:
            return
        if path is None and self.current_music is None:
            self._pending = None
            return
        playing = self.available and self.current_music is not None
        if playing and pygame.mixer.music.get_busy():
            pygame.mixer.music.fadeout(int(FADE_OUT * 1000))
            self._pending_at = self._clock() + FADE_OUT
        else:
            self._pending_at = self._clock()
        self.current_music = path
        self._pending = path if self.available is not False else None

    def update(self) -> None:
        """Open the mixer on first need, play a waiting sound, start music once the old faded."""
        music_due = self._pending is not None and self._clock() >= self._pending_at
        if not music_due and self._pending_sound is None:
            return
        if not self._ready():
            self._pending = self._pending_sound = None
            return
        if self._pending_sound is not None:
            sound, self._pending_sound = self._pending_sound, None
            self.play_sound(sound)
        if music_due:
            self._start_music()

    def _start_music(self) -> None:
        path, self._pending = self._pending, None
        try:
            pygame.mixer.music.load(str(path))
            pygame.mixer.music.set_volume(self.music_volume)
            pygame.mixer.music.play(loops=-1, fade_ms=int(FADE_IN * 1000))
        except (pygame.error, OSError) as exc:
            self.assets.warn(f"cannot play music {path}: {exc}")

    def wake_in(self) -> float | None:
        """Seconds until `update` has something to start (the loop wakes for it), else None."""
        if self._pending_sound is not None:
            return 0.0
        if self._pending is None:
            return None
        return max(0.0, self._pending_at - self._clock())

    def stop_music(self) -> None:
        """Fade out whatever plays (going back to the title)."""
        self.play_music(None)
        if self.available:
            pygame.mixer.music.fadeout(int(FADE_OUT * 1000))

    def play_sound(self, path: Path | None) -> None:
        """Play a short sound (a message's voice or blip) at the sound volume."""
        if path is None or self.available is False:
            return
        if self.available is None:
            self._pending_sound = path  # the mixer opens after this frame is shown
            return
        sound = self.assets.sound(path)
        if sound is not None:
            sound.set_volume(self.sound_volume)
            self._channel = sound.play()

    def set_volumes(self, music: float, sound: float) -> None:
        """Apply new volumes immediately, to what is playing now as well."""
        self.music_volume, self.sound_volume = music, sound
        if self.available:
            pygame.mixer.music.set_volume(music)
            if self._channel is not None:
                self._channel.set_volume(sound)


def quietly(opener: Callable[[], None]) -> None:
    """Run `opener` with the C-level stderr muted.

    Audio libraries (ALSA above all) print several lines of their own when no
    device exists; the player reports that once, in its own words.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        opener()
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            opener()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
