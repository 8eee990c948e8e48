"""story.yaml's voice keys, read and checked, and the default voices.

`characters.LABEL.voice` (speaker, speed, pitch, volume) and the top-level
`voice` (narrator, recorded) are read here from the manifest's composed
YAML nodes, with the same positioned diagnostics as every other key
(docs/STORY-YAML.md; codes VOC001-VOC003 are this module's own; paths
share the manifest's YML007 and YML008). The name as spoken is
`characters.LABEL.reading`, which the manifest reads. A character without a voice
of its own gets one from a palette by its place in the cast, so speakers
sound different out of the box; the narration keeps the engine's voice.

Pure and cheap to import (the manifest imports it on every start).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from engine.model import StoryVoice, Voice

VOICE_KEYS = ("speaker", "speed", "pitch", "volume")
STORY_VOICE_KEYS = ("narrator", "recorded")
SPEAKER_SUFFIX = ".htsvoice"
# What the HTS engine accepts and still sounds like speech.
RANGES: dict[str, tuple[float, float]] = {
    "speed": (0.5, 2.0),
    "pitch": (-12.0, 12.0),
    "volume": (0.0, 2.0),
}

# (pitch in half tones, speed) for the first characters of a cast: neighbours
# differ in pitch by at least two half tones and alternate high and low, and
# none is the narration's (0, 1.0).
VOICE_PALETTE: tuple[tuple[float, float], ...] = (
    (2.0, 1.00), (-4.0, 0.96), (4.5, 1.05), (-2.0, 1.03),
    (1.0, 0.92), (-6.0, 1.00), (6.0, 0.97), (-1.0, 1.08),
)


class NodeReader(Protocol):
    """What of the manifest's node reader these functions use."""

    def items(self, node: Any, key: str, allowed: Any) -> list[tuple[str, Any, Any]]: ...
    def report(self, node: Any, severity: Any, code: str, message: str) -> None: ...
    def construct(self, node: Any, key: str) -> object: ...
    def text(self, node: Any, key: str) -> str | None: ...
    def wrong_type(self, node: Any, key: str, expected: str) -> None: ...


def default_voice(label: str, index: int) -> Voice:
    """The voice of the `index`-th character of a cast that story.yaml gives none.

    The palette first (so the first eight always differ); past it the
    label's hash picks a pitch at least one half tone from the narration's
    and a speed within 8 %, so a large cast stays varied and stable.
    """
    if 0 <= index < len(VOICE_PALETTE):
        pitch, speed = VOICE_PALETTE[index]
        return Voice(speed=speed, pitch=pitch)
    digest = hashlib.blake2b(label.encode("utf-8"), digest_size=4).digest()
    step = digest[0] % 22  # 22 pitches: -6.0 ... -1.0 and 1.0 ... 6.0 by halves
    pitch = -6.0 + step * 0.5 if step < 11 else 1.0 + (step - 11) * 0.5
    speed = 0.92 + (digest[1] % 17) * 0.01
    return Voice(speed=round(speed, 2), pitch=pitch)


def character_voice(given: Mapping[str, object], label: str, index: int) -> Voice:
    """A character's voice: what story.yaml gives, the default voice for the rest."""
    return replace(default_voice(label, index), **given)


def read_character_voice(reader: NodeReader, node: Any, key: str,
                         resolve: Callable[[str], Path]) -> dict[str, object]:
    """`characters.LABEL.voice`: the valid values given (the rest stay default)."""
    return _read_voice(reader, node, key, resolve)


def read_story_voice(reader: NodeReader, node: Any, resolve: Callable[[str], Path]
                     ) -> StoryVoice:
    """The top-level `voice`: the narrator's voice and the recorded lines' folder.

    `resolve` turns a written path into one inside the story (ValueError if
    it would leave it), as for every other path in story.yaml.
    """
    out = StoryVoice()
    for name, _k, value in reader.items(node, "voice", STORY_VOICE_KEYS):
        key = f"voice.{name}"
        if name == "narrator":
            out = replace(out, narrator=Voice(**_read_voice(reader, value, key, resolve)))
        else:
            out = replace(out, recorded=_read_folder(reader, value, key, resolve))
    return out


def _read_voice(reader: NodeReader, node: Any, key: str, resolve: Callable[[str], Path]
                ) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, _k, value in reader.items(node, key, VOICE_KEYS):
        sub = f"{key}.{name}"
        found = (_speaker(reader, value, sub, resolve) if name == "speaker"
                 else _number(reader, value, sub, name))
        if found is not None:
            out[name] = found
    return out


def _number(reader: NodeReader, node: Any, key: str, name: str) -> float | None:
    value = reader.construct(node, key)
    if value is None:
        if getattr(node, "tag", "").endswith(":null"):
            reader.wrong_type(node, key, "a number")
        return None  # a refused tag is reported by construct itself
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        reader.wrong_type(node, key, "a number")
        return None
    low, high = RANGES[name]
    if not (math.isfinite(value) and low <= value <= high):
        reader.report(node, "error", "VOC001",
                      f"{key}: {value} is outside {_plain(low)} to {_plain(high)}; "
                      "the default is used")
        return None
    return float(value)


def _speaker(reader: NodeReader, node: Any, key: str, resolve: Callable[[str], Path]
             ) -> Path | None:
    """An HTS voice file inside the story; anything else keeps the bundled voice."""
    value = reader.text(node, key)
    if value is None:
        return None
    try:
        found = resolve(value)
    except ValueError as exc:
        reader.report(node, "error", "YML007", f"{key}: {exc}; ignored")
        return None
    if found.suffix.lower() != SPEAKER_SUFFIX:
        reader.report(node, "error", "VOC003",
                      f"{key}: '{value}' is not an HTS voice ({SPEAKER_SUFFIX} file); "
                      "the bundled voice is used")
        return None
    if not found.is_file():
        reader.report(node, "warning", "YML008",
                      f"{key}: voice file '{value}' not found (the bundled voice is used)")
        return None
    return found


def _read_folder(reader: NodeReader, node: Any, key: str, resolve: Callable[[str], Path]
                 ) -> Path | None:
    """A folder inside the story; a missing one is kept (recordings may come later)."""
    value = reader.text(node, key)
    if value is None:
        return None
    try:
        found = resolve(value)
    except ValueError as exc:
        reader.report(node, "error", "YML007", f"{key}: {exc}; ignored")
        return None
    if found.is_file():
        reader.report(node, "error", "VOC002",
                      f"{key}: '{value}' is a file, not the folder of recorded lines; ignored")
        return None
    if not found.is_dir():
        reader.report(node, "warning", "YML008",
                      f"{key}: folder '{value}' not found (every line is synthesized)")
    return found


def _plain(number: float) -> str:
    return f"{number:g}"
