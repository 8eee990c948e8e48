"""Preferences: defaults, lenient loading, atomic saving, the system language."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest

from engine import preferences
from engine.preferences import (
    PREFS_FILE,
    Preferences,
    default_prefs_dir,
    load_prefs,
    save_prefs,
    system_language,
)


def write_values(folder: Path, values: object, fmt: str = "chatlog-vn-preferences") -> None:
    body = {"format": fmt, "version": 1, "values": values}
    (folder / PREFS_FILE).write_text(json.dumps(body), encoding="utf-8")


def test_defaults() -> None:
    p = Preferences()
    assert p.text_speed > 0 and p.auto_delay == 1.0
    assert p.skip_unread is False and p.fullscreen is False
    assert 30 <= p.text_size <= 32
    assert 0 <= p.box_opacity <= 1 and 0 <= p.music_volume <= 1 and 0 <= p.sound_volume <= 1
    assert p.show_ruby is True and p.typing_indicator is True
    assert p.strictness == "strict" and p.view is None and p.language is None


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_prefs(tmp_path / "nowhere") == Preferences()


def test_round_trip(tmp_path: Path) -> None:
    changed = dataclasses.replace(
        Preferences(),
        text_speed=0,
        auto_delay=2.5,
        skip_unread=True,
        music_volume=0.25,
        sound_volume=0.0,
        fullscreen=True,
        text_size=40,
        box_opacity=0.5,
        show_ruby=False,
        strictness="loose",
        view="chat",
        typing_indicator=False,
        language="en",
    )
    save_prefs(tmp_path / "cfg", changed)
    back = load_prefs(tmp_path / "cfg")
    assert back == changed
    assert isinstance(back.text_speed, float) and back.text_speed == 0.0
    assert [p.name for p in (tmp_path / "cfg").iterdir()] == [PREFS_FILE]


@pytest.mark.parametrize(
    "name, value",
    [
        ("text_speed", -1),
        ("text_speed", "fast"),
        ("text_speed", float("nan")),
        ("text_speed", True),
        ("auto_delay", 0),
        ("music_volume", 1.5),
        ("sound_volume", None),
        ("fullscreen", 1),
        ("fullscreen", "yes"),
        ("text_size", 5),
        ("box_opacity", -0.1),
        ("show_ruby", "true"),
        ("strictness", "lenient"),
        ("view", "novel"),
        ("view", 0),
        ("language", "fr"),
        ("typing_indicator", None),
    ],
)
def test_invalid_values_fall_back_one_by_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, value: object
) -> None:
    other = "music_volume" if name != "music_volume" else "sound_volume"
    write_values(tmp_path, {name: value, other: 0.1})
    with caplog.at_level(logging.WARNING, logger="chatlog-vn"):
        p = load_prefs(tmp_path)
    assert getattr(p, name) == getattr(Preferences(), name)
    assert getattr(p, other) == 0.1  # the valid neighbour is kept
    assert name in caplog.text
    with pytest.raises(ValueError):
        Preferences(**{name: value})


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    write_values(tmp_path, {"volume_of_the_moon": 11, "text_size": 36})
    assert load_prefs(tmp_path) == dataclasses.replace(Preferences(), text_size=36)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b"",
        b"[]",
        b'{"format": "chatlog-vn-preferences", "version": 1, "values": [1]}',
        b'{"format": "someone-else", "values": {}}',
        b'{"format": "chatlog-vn-prefer',
    ],
)
def test_damaged_file_gives_defaults_and_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    (tmp_path / PREFS_FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="chatlog-vn"):
        assert load_prefs(tmp_path) == Preferences()
    assert "preferences are damaged" in caplog.text
    save_prefs(tmp_path, Preferences(text_size=40))
    assert load_prefs(tmp_path).text_size == 40


def test_replace_validates() -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(Preferences(), box_opacity=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Preferences().text_size = 40  # type: ignore[misc]


def test_default_prefs_dir_is_the_user_config_folder() -> None:
    import platformdirs

    assert default_prefs_dir() == Path(platformdirs.user_config_dir("chatlog-vn", appauthor=False))


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "ja_JP.eucJP", "LANG": "en_GB.UTF-8"}, "ja"),
        ({"LC_ALL": "de_DE.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"LANGUAGE": "ja:en", "LANG": "en_US.UTF-8"}, "ja"),
        ({"LANG": "C"}, "locale"),
        ({}, "locale"),
    ],
)
def test_system_language_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(preferences.locale, "getlocale", lambda: ("Japanese_Japan", "932"))
    assert system_language() == ("ja" if expected == "locale" else expected)
    monkeypatch.setattr(preferences.locale, "getlocale", lambda: (None, None))
    assert system_language() == ("en" if expected == "locale" else expected)
