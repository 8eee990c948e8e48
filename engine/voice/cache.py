"""Synthesized clips on disk, by text and voice, in the user's cache folder.

A clip is a WAV file named by a hash of everything that shapes it (the
engine, the text with its pauses, speed, pitch, volume and the speaker
file's identity), so an edited line or a changed voice simply misses.
Writes are atomic; a damaged or unreadable file is a miss, never an error.
The folder is kept under a size limit by dropping the least recently used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from engine.voice.clip import Clip, read_wav, write_wav
from engine.voice.text import Utterance

APP_NAME = "chatlog-vn"
DEFAULT_LIMIT = 256 * 1024 * 1024  # bytes; about 45 minutes of speech at 48 kHz


def default_cache_dir() -> Path:
    """The voice cache folder in the user's cache directory (CHATLOG_VOICE_CACHE overrides)."""
    given = os.environ.get("CHATLOG_VOICE_CACHE")
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "voice"


def clip_key(utterance: Utterance, engine: str) -> str:
    """The cache key of an utterance: a hash of its text, pauses and voice."""
    voice = utterance.voice
    speaker = None
    if voice.speaker is not None:
        try:
            stat = voice.speaker.stat()
            speaker = [str(voice.speaker), stat.st_size, stat.st_mtime_ns]
        except OSError:
            speaker = [str(voice.speaker)]
    data = json.dumps([engine, utterance.chunks(), voice.speed, voice.pitch, voice.volume,
                       speaker], ensure_ascii=False)
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


class ClipCache:
    """WAV files under `folder`, two hex digits of fan-out, at most `limit` bytes in all."""

    def __init__(self, folder: Path, limit: int = DEFAULT_LIMIT) -> None:
        self.folder = folder
        self.limit = limit

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.wav"

    def get(self, key: str) -> Clip | None:
        """The cached clip, or None (missing or damaged)."""
        path = self.path(key)
        clip = read_wav(path)
        if clip is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: kept longest by `prune`
        return clip

    def put(self, key: str, clip: Clip) -> None:
        """Keep `clip`; a full disk or a read-only folder only means no caching."""
        with contextlib.suppress(OSError):
            write_wav(self.path(key), clip)

    def prune(self) -> int:
        """Drop the least recently used files until the folder is under the limit; files removed."""
        try:
            entries = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.glob("*/*.wav")]
        except OSError:
            return 0
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= self.limit:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            removed += 1
        return removed
