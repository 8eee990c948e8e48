"""The speech engine: an utterance in, a clip out (needs the `voice` extra).

OpenJTalk (pyopenjtalk-plus) turns Japanese text into full-context labels
and its HTS engine turns those into 48 kHz samples; speed and pitch are
the HTS engine's own, volume is a gain applied here. A character's
`speaker` names another HTS voice file; each one is loaded once.
Sentences are synthesized one at a time and joined with the utterance's
pauses, which keeps each call short and the prosody per sentence.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.model import Voice
from engine.voice.clip import Clip
from engine.voice.extra import require
from engine.voice.text import Utterance

ENGINE_ID = "openjtalk-hts-1"  # part of the cache key: a new engine, new clips


class Synth:
    """Synthesizes utterances; import and dictionary load happen on first use."""

    def __init__(self) -> None:
        require("speech synthesis")
        self._lock = threading.Lock()  # one synthesis at a time (the engine is stateful)
        self._jtalk: Any = None
        self._np: Any = None
        self._voices: dict[Path, Any] = {}
        self.rate = 48000

    def _load(self) -> Any:
        if self._jtalk is None:
            # pyopenjtalk prints notices of its own on import (on stdout): keep
            # them out of `chatlog-vn voice` output and the player's console.
            with contextlib.redirect_stdout(io.StringIO()):
                import numpy
                import pyopenjtalk
            self._np = numpy
            self._jtalk = pyopenjtalk
        return self._jtalk

    def warm(self) -> None:
        """Load the engine and its dictionary now (the worker does this at start)."""
        with self._lock:
            self._load().g2p("あ")

    def render(self, utterance: Utterance, stop: Callable[[], bool] | None = None
               ) -> Clip | None:
        """The whole utterance as one clip, the pauses as silence.

        `stop` is asked between sentences: when it says so (the player has
        moved on) the rest is not synthesized and None is returned.
        """
        return self.render_chunks(utterance.chunks(), utterance.voice, stop)

    def render_chunks(self, chunks: Sequence[tuple[str, float]], voice: Voice,
                      stop: Callable[[], bool] | None = None) -> Clip | None:
        """Some of an utterance's (sentence, pause after) chunks as one clip.

        The clips of consecutive parts joined are the clip of the whole,
        sample for sample (the worker plays the first sentence while the
        rest is synthesized, and caches the joined clip).
        """
        with self._lock:
            jtalk = self._load()
            np = self._np
            parts: list[Any] = []
            for text, pause in chunks:
                if stop is not None and stop():
                    return None
                parts.append(self._sentence(jtalk, text, voice))
                if pause > 0:
                    parts.append(np.zeros(int(self.rate * pause)))
            samples = np.concatenate(parts) if parts else np.zeros(0)
            return Clip(_pcm16(np, samples * voice.volume), self.rate)

    def _sentence(self, jtalk: Any, text: str, voice: Voice) -> Any:
        if voice.speaker is None:
            samples, rate = jtalk.tts(text, speed=voice.speed, half_tone=voice.pitch)
        else:
            engine = self._engine(voice.speaker)
            labels = jtalk.extract_fullcontext(text)
            engine.set_speed(voice.speed)
            engine.add_half_tone(voice.pitch)
            samples, rate = engine.synthesize(labels), engine.get_sampling_frequency()
        if rate != self.rate:
            samples = resample(self._np, samples, rate, self.rate)
        return samples

    def _engine(self, path: Path) -> Any:
        engine = self._voices.get(path)
        if engine is None:
            from pyopenjtalk.htsengine import HTSEngine

            try:
                engine = HTSEngine(str(path).encode())
            except RuntimeError as exc:
                raise SpeakerError(f"cannot load the HTS voice {path}: {exc}") from exc
            self._voices[path] = engine
        return engine


class SpeakerError(RuntimeError):
    """A story's .htsvoice file could not be loaded."""


def _pcm16(np: Any, samples: Any) -> bytes:
    """Float samples on the int16 scale (OpenJTalk's) to clipped int16 bytes."""
    return np.clip(samples, -32768, 32767).astype("<i2").tobytes()


def resample(np: Any, samples: Any, rate: int, to_rate: int) -> Any:
    """Linear resampling: speech has little energy where its error lies (near Nyquist)."""
    if rate == to_rate or len(samples) == 0:
        return samples
    count = max(1, round(len(samples) * to_rate / rate))
    where = np.arange(count) * (rate / to_rate)
    return np.interp(where, np.arange(len(samples)), samples)


def to_mixer(clip: Clip, rate: int, size: int, channels: int) -> bytes:
    """`clip` as raw samples in the mixer's format (`pygame.mixer.get_init()`'s triple).

    Signed 16-bit and 32-bit float mixers are converted here, at any rate
    and channel count; the worker does this so the frame only copies bytes.
    """
    import numpy as np

    samples = np.frombuffer(clip.pcm, dtype="<i2").astype(np.float64)
    samples = resample(np, samples, clip.rate, rate)
    if size == -16:
        data = np.clip(samples, -32768, 32767).astype("<i2")
    elif size == 32:
        data = (samples / 32768.0).astype("<f4")
    else:
        raise ValueError(f"mixer sample format {size} is not supported")
    return np.repeat(data, channels).tobytes() if channels > 1 else data.tobytes()
