"""A piece of speech as samples, and WAV files of it; the standard library only.

A `Clip` is mono 16-bit PCM at the engine's rate. It is what the cache
keeps, what `chatlog-vn voice -o` writes and what the worker hands to the
player (converted there to the mixer's format).
"""

from __future__ import annotations

import io
import os
import tempfile
import wave
from pathlib import Path

from engine.model import record, set_field


@record
class Clip:
    """Mono signed 16-bit little-endian samples at `rate` Hz."""

    pcm: bytes
    rate: int

    def __init__(self, pcm: bytes, rate: int) -> None:
        set_field(self, "pcm", pcm)
        set_field(self, "rate", rate)

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    @property
    def seconds(self) -> float:
        """How long the clip plays."""
        return self.frames / self.rate if self.rate else 0.0

    def wav_bytes(self) -> bytes:
        """The clip as a WAV file's bytes."""
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(self.pcm)
        return out.getvalue()


def write_wav(path: Path, clip: Clip) -> None:
    """Write `clip` to `path` atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".voice-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(clip.wav_bytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_wav(path: Path) -> Clip | None:
    """A mono 16-bit WAV file as a clip; None if it is missing, damaged or another format."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                return None
            rate, count = w.getframerate(), w.getnframes()
            pcm = w.readframes(count)
    except (OSError, EOFError, wave.Error):
        return None
    if len(pcm) != count * 2 or rate <= 0:
        return None  # cut short: a damaged cache entry is synthesized again
    return Clip(pcm, rate)
