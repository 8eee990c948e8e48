"""Without the learn extra (its imports made to fail): the game plays with the learner
settings on as without them, and the settings and the D key say how to install it."""

from __future__ import annotations

import sys
from pathlib import Path

import pygame
import pytest
from test_app_flow import DEMO, flat, key, make_app

from engine.app.i18n import tr
from engine.app.learn_popup import DictionaryPopup
from engine.learn import INSTALL
from engine.preferences import Preferences
from engine.runtime import Cursor

EXTRA = ("fugashi", "unidic_lite", "jamdict", "jamdict_data", "genanki")


@pytest.fixture(autouse=True)
def no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in EXTRA:
        monkeypatch.setitem(sys.modules, name, None)  # `import name` now raises ImportError


def test_the_game_plays_and_the_settings_say_how_to_install(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, Preferences(text_speed=0, furigana="all", dictionary="click"))
    app.start_reading(Cursor(0, 18))
    app.step(max_wait=0)
    screen = app.reading_screen()
    rubies = [r.text for line in screen.page for r in line.rubies]
    assert rubies == ["ディーディーレスキュー"]  # the writer's ruby only
    assert not screen._furigana_wait  # nothing to wait for: no polling
    learner = app.session.learner
    assert learner.missing == ("fugashi", "unidic-lite", "jamdict", "jamdict-data")
    assert INSTALL in learner.unavailable
    before = flat(app)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(300, 510), button=1))
    app.step(max_wait=0)
    assert flat(app) == before + 1  # a click on a word advances, as without the setting
    key(app, pygame.K_d)
    assert not isinstance(app.top, DictionaryPopup)
    assert any(t.text == tr("dict_missing") for t in app.toasts)
    settings = app.open("settings")
    assert settings is not None
    for row in ("furigana", "dictionary"):
        help_text = settings._help(row)
        assert 'pip install -e ".[learn]"' in help_text and "fugashi" in help_text
    app.draw()  # the settings screen draws its learner rows
    app.quit(0)


@pytest.mark.parametrize("value", ["off", "names", "all", "grade:0", "grade:10", "jlpt:1", "jlpt:5"])
def test_the_furigana_setting_takes_the_layout_commands_modes(value: str) -> None:
    from engine.learn.furigana import parse_mode

    assert Preferences(furigana=value).furigana == value
    assert str(parse_mode(value)) == value


@pytest.mark.parametrize("value", ["jlpt:0", "jlpt:6", "grade:11", "grade:", "kanji", 3, None])
def test_a_furigana_value_out_of_range_is_refused_and_ignored_on_load(value: object) -> None:
    from engine.preferences import PREFS_FORMAT, prefs_from_json

    with pytest.raises(ValueError):
        Preferences(furigana=value)  # type: ignore[arg-type]
    loaded = prefs_from_json({"format": PREFS_FORMAT, "values": {"furigana": value,
                                                                 "dictionary": "hover"}})
    assert loaded.furigana == "off" and loaded.dictionary == "hover"


def test_the_menus_deck_export_says_how_to_install(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.app.gamemenu import GameMenuScreen
    from engine.learn.cards import CardStore, new_card
    from engine.manifest import story_id

    monkeypatch.setenv("CHATLOG_CARDS", str(tmp_path / "cards.jsonl"))
    app = make_app(DEMO, tmp_path / "save")
    story = app.session.story
    CardStore(tmp_path / "cards.jsonl").add(new_card(
        word="灯台", base="灯台", reading="とうだい", meaning="lighthouse", sentence="灯台守",
        word_start=0, word_end=2, story=story.title, story_id=story_id(story),
        source="scripts/01-yoru.log:6"))
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_ESCAPE)
    assert isinstance(app.top, GameMenuScreen)
    app.top.choose("anki")
    assert any("genanki" in t.text and INSTALL in t.text for t in app.toasts)
    assert not app.session.learner.deck_path().exists()
    app.quit(0)
