"""The player's settings: a frozen dataclass, loaded leniently, saved atomically.

No pygame. Loading never fails: an unknown key or a value of the wrong
type or out of range is ignored (that setting keeps its default), and a
damaged file gives the defaults with a warning.
"""

from __future__ import annotations

import dataclasses
import locale
import math
import os
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from engine.diskio import keep_aside, plain_error
from engine.model import record, set_field
from engine.saves import APP_NAME, read_json, write_json

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """The logger, importing `logging` only when there is something to say (start-up)."""
    import logging

    return logging.getLogger("chatlog-vn")


PREFS_FILE = "preferences.json"
PREFS_FORMAT = "chatlog-vn-preferences"
PREFS_VERSION = 1


def _number(low: float, high: float) -> Callable[[Any], bool]:
    def ok(v: Any) -> bool:
        is_num = isinstance(v, (int, float)) and not isinstance(v, bool)
        return is_num and math.isfinite(v) and low <= v <= high

    return ok


def _one_of(*choices: Any) -> Callable[[Any], bool]:
    return lambda v: any(v is c or (type(v) is type(c) and v == c) for c in choices)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _furigana_mode(v: Any) -> bool:
    """off, names, all, grade:N (0-10) or jlpt:N (1-5): engine.learn.furigana.parse_mode's
    modes, checked here without importing the learner (start-up stays quick)."""
    if not isinstance(v, str):
        return False
    kind, sep, level = v.partition(":")
    if not sep:
        return v in ("off", "names", "all")
    limits = {"grade": (0, 10), "jlpt": (1, 5)}.get(kind)
    return limits is not None and level.isdigit() and limits[0] <= int(level) <= limits[1]


# What each setting accepts; anything else is refused by the constructor
# and ignored by `load_prefs`.
RULES: dict[str, Callable[[Any], bool]] = {
    "text_speed": _number(0, 1000),  # characters per second; 0 shows the message at once
    "auto_delay": _number(0.1, 10),  # scale on the auto wait; 1 = default pace
    "skip_unread": _is_bool,
    "music_volume": _number(0, 1),
    "sound_volume": _number(0, 1),
    "voice_volume": _number(0, 1),  # self-voicing's own volume (menus and messages read aloud)
    "voice_names": _is_bool,  # self-voicing says the speaker's name first
    "voice_directions": _is_bool,  # self-voicing reads stage directions too
    "high_contrast": _is_bool,  # an opaque black text box with a bright edge
    "line_spacing": _one_of("normal", "wide", "wider"),  # more room between lines (dyslexia)
    "reduce_motion": _is_bool,  # no slides, eased scrolls or blinking
    "fullscreen": _is_bool,
    "text_size": _number(12, 96),  # pixels at 720p, scaled with the window
    "box_opacity": _number(0, 1),
    "show_ruby": _is_bool,
    "strictness": _one_of("strict", "normal", "loose"),
    "view": _one_of("adv", "chat", None),  # None: what the story says
    "typing_indicator": _is_bool,  # chat view: "…is typing" before a message
    "language": _one_of("ja", "en", None),  # None: story.yaml, else the system locale
    "self_voicing": _is_bool,  # read each message aloud (needs the voice extra)
    "furigana": _furigana_mode,  # readings added where the writer gave none (learn extra)
    "dictionary": _one_of("off", "click", "hover"),  # the popup dictionary (learn extra)
    "latin_spacing": _one_of(None, True, False),  # 和欧間; None: story.yaml's layout (on)
    "justify": _one_of(None, True, False),  # text box lines justified; None: story.yaml's (on)
}
_FLOATS = ("text_speed", "auto_delay", "music_volume", "sound_volume", "box_opacity",
           "voice_volume")


@record
class Preferences:
    """Every setting the player offers, with its default. Update with `dataclasses.replace`."""

    text_speed: float = 40.0
    auto_delay: float = 1.0
    skip_unread: bool = False
    music_volume: float = 0.7
    sound_volume: float = 0.8
    voice_volume: float = 1.0
    voice_names: bool = False
    voice_directions: bool = False
    high_contrast: bool = False
    line_spacing: Literal["normal", "wide", "wider"] = "normal"
    reduce_motion: bool = False
    fullscreen: bool = False
    text_size: int = 30
    box_opacity: float = 0.8
    show_ruby: bool = True
    strictness: Literal["strict", "normal", "loose"] = "strict"
    view: Literal["adv", "chat"] | None = None
    typing_indicator: bool = True
    language: Literal["ja", "en"] | None = None
    self_voicing: bool = False
    furigana: str = "off"
    dictionary: Literal["off", "click", "hover"] = "off"
    latin_spacing: bool | None = None
    justify: bool | None = None

    def __init__(
        self,
        text_speed: float = 40.0,
        auto_delay: float = 1.0,
        skip_unread: bool = False,
        music_volume: float = 0.7,
        sound_volume: float = 0.8,
        voice_volume: float = 1.0,
        voice_names: bool = False,
        voice_directions: bool = False,
        high_contrast: bool = False,
        line_spacing: Literal["normal", "wide", "wider"] = "normal",
        reduce_motion: bool = False,
        fullscreen: bool = False,
        text_size: int = 30,
        box_opacity: float = 0.8,
        show_ruby: bool = True,
        strictness: Literal["strict", "normal", "loose"] = "strict",
        view: Literal["adv", "chat"] | None = None,
        typing_indicator: bool = True,
        language: Literal["ja", "en"] | None = None,
        self_voicing: bool = False,
        furigana: str = "off",
        dictionary: Literal["off", "click", "hover"] = "off",
        latin_spacing: bool | None = None,
        justify: bool | None = None,
    ) -> None:
        set_field(self, "text_speed", text_speed)
        set_field(self, "auto_delay", auto_delay)
        set_field(self, "skip_unread", skip_unread)
        set_field(self, "music_volume", music_volume)
        set_field(self, "sound_volume", sound_volume)
        set_field(self, "voice_volume", voice_volume)
        set_field(self, "voice_names", voice_names)
        set_field(self, "voice_directions", voice_directions)
        set_field(self, "high_contrast", high_contrast)
        set_field(self, "line_spacing", line_spacing)
        set_field(self, "reduce_motion", reduce_motion)
        set_field(self, "fullscreen", fullscreen)
        set_field(self, "text_size", text_size)
        set_field(self, "box_opacity", box_opacity)
        set_field(self, "show_ruby", show_ruby)
        set_field(self, "strictness", strictness)
        set_field(self, "view", view)
        set_field(self, "typing_indicator", typing_indicator)
        set_field(self, "language", language)
        set_field(self, "self_voicing", self_voicing)
        set_field(self, "furigana", furigana)
        set_field(self, "dictionary", dictionary)
        set_field(self, "latin_spacing", latin_spacing)
        set_field(self, "justify", justify)
        self.__post_init__()

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not RULES[f.name](value):
                raise ValueError(f"invalid value for {f.name}: {value!r}")
        # Normalise numbers so a file written later has one stable shape.
        for name in _FLOATS:
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "text_size", int(round(self.text_size)))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PREFS_FORMAT,
            "version": PREFS_VERSION,
            "values": dataclasses.asdict(self),
        }


def default_prefs_dir() -> Path:
    """The user's configuration folder for chatlog-vn (shared by all stories)."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def prefs_from_json(obj: object) -> Preferences:
    """Preferences from a decoded file: valid known values kept, the rest default."""
    if not isinstance(obj, dict) or obj.get("format") != PREFS_FORMAT:
        raise ValueError("not a chatlog-vn preferences file")
    values = obj.get("values")
    if not isinstance(values, dict):
        raise ValueError("preferences file has no 'values' object")
    kept: dict[str, Any] = {}
    for name, value in values.items():
        rule = RULES.get(name)
        if rule is None:
            _log().info("preferences: unknown setting %r ignored", name)
        elif rule(value):
            kept[name] = value
        else:
            _log().warning("preferences: invalid %s=%r ignored; using the default", name, value)
    return Preferences(**kept)


def load_prefs(folder: Path, folder_problem_known: bool = False) -> Preferences:
    """The saved preferences; missing → defaults; damaged → defaults, kept aside, a warning.

    `folder_problem_known`: the player has already said the folder cannot be
    used, so a read that fails for that reason is not said again.
    """
    path = Path(folder) / PREFS_FILE
    try:
        return prefs_from_json(read_json(path))
    except FileNotFoundError:
        return Preferences()
    except OSError as exc:  # not damaged: unreadable here (permissions, a file for a folder)
        if not folder_problem_known:
            _log().warning("%s: preferences cannot be read (%s); using the defaults",
                           path, plain_error(exc))
        return Preferences()
    except ValueError as exc:
        kept = keep_aside(path)
        _log().warning("%s: preferences are damaged (%s); %s; using the defaults", path, exc,
                       f"kept as {kept.name}" if kept else "left as they are")
        return Preferences()


def save_prefs(folder: Path, prefs: Preferences) -> None:
    """Write the preferences atomically."""
    write_json(Path(folder) / PREFS_FILE, prefs.to_json())


def system_language() -> Literal["ja", "en"]:
    """The UI language the system locale asks for: "ja" if Japanese, else "en".

    The POSIX variables first (LC_ALL, LC_MESSAGES, LANG; LANGUAGE's first
    entry before them, as gettext does), then what `locale` reports.
    """
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").split(":")[0].strip()
        if value and value not in ("C", "POSIX"):
            return _lang_of(value)
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    return _lang_of(name)


def _lang_of(name: str) -> Literal["ja", "en"]:
    # "ja_JP.UTF-8" on POSIX, "Japanese_Japan" on Windows.
    return "ja" if name.lower().startswith("ja") else "en"
