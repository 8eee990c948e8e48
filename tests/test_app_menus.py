"""The game menu, the Save and Load screens and Settings, driven through the app's dispatcher."""

from __future__ import annotations

import dataclasses
import json

import pygame
import pytest

from engine.app.app import CANVAS
from engine.app.gamemenu import ConfirmScreen, GameMenuScreen
from engine.app.i18n import tr
from engine.app.reading import ReadingScreen
from engine.app.saveload import SPECIAL, SaveLoadScreen, card_rect
from engine.app.settings_screen import SETTINGS, SettingsScreen, segment_rects, track_rect
from engine.app.title import TitleScreen
from engine.app.ui import THEME
from engine.preferences import load_prefs
from engine.runtime import Cursor, save_position
from engine.saves import Damaged, SaveData
from tests.menus_support import (
    at,
    click,
    key,
    make_session,
    move,
    read_to,
    reading_app,
)


@pytest.fixture(autouse=True)
def _display():
    yield
    pygame.display.quit()


@pytest.fixture
def app(tmp_path):
    return reading_app(tmp_path, 7)


def choose_in_menu(app, item: str) -> None:
    """Esc, then the game menu's item by clicking it."""
    if not isinstance(app.top, GameMenuScreen):
        key(app, pygame.K_ESCAPE)
    menu = app.top
    assert isinstance(menu, GameMenuScreen)
    app.draw()
    button = next(b for b in menu.menu.buttons if b.key == item)
    click(app, button.rect.center)


def setting_row(name: str) -> int:
    return next(i for i, s in enumerate(SETTINGS) if s.key == name)


# --- the game menu ------------------------------------------------------------------


def test_esc_opens_the_menu_and_esc_closes_it(app):
    key(app, pygame.K_ESCAPE)
    assert isinstance(app.top, GameMenuScreen)
    app.draw()
    key(app, pygame.K_ESCAPE)
    assert isinstance(app.top, ReadingScreen)


def test_menu_title_asks_then_returns_to_the_title_screen(app):
    choose_in_menu(app, "title")
    dialog = app.top
    assert isinstance(dialog, ConfirmScreen)
    app.draw()
    key(app, pygame.K_ESCAPE)  # Esc means no
    assert isinstance(app.top, GameMenuScreen)
    choose_in_menu(app, "title")
    click(app, app.top.menu.buttons[0].rect.center)  # yes
    assert isinstance(app.top, TitleScreen)
    assert len(app.screens) == 1
    assert isinstance(app.session.saves.read("auto"), SaveData)  # the place was kept


def test_menu_quit_asks_first(app):
    choose_in_menu(app, "quit")
    key(app, pygame.K_RETURN)  # the focus starts on "no"
    assert app.running and isinstance(app.top, GameMenuScreen)
    choose_in_menu(app, "quit")
    key(app, pygame.K_LEFT)
    key(app, pygame.K_RETURN)
    assert not app.running and app.exit_code == 0


# --- save and load ---------------------------------------------------------------------


def test_save_to_slot_3_then_load_slot_3_lands_on_the_same_message(app):
    saved_at = at(app)
    choose_in_menu(app, "save")
    screen = app.top
    assert isinstance(screen, SaveLoadScreen) and screen.mode == "save"
    app.draw()
    click(app, card_rect(2).center)
    data = app.session.saves.read(3)
    assert isinstance(data, SaveData) and data.position.flat == 7
    assert app.session.saves.thumbnail_path(3) is not None
    assert isinstance(screen.slots[2][1], SaveData)
    app.draw()
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_ESCAPE)
    read_to(app, 20)
    assert at(app) != saved_at
    choose_in_menu(app, "load")
    loader = app.top
    assert isinstance(loader, SaveLoadScreen) and loader.mode == "load"
    assert loader.page == SPECIAL  # the scene change since then autosaved: the newest save
    app.draw()
    click(app, next(t for t in loader.tabs if t.key == "0").rect.center)
    click(app, card_rect(2).center)
    assert at(app) == saved_at
    assert isinstance(app.top, ReadingScreen) and len(app.screens) == 1


def test_saving_over_a_slot_asks_first(app):
    app.save_game(3)
    before = app.session.saves.read(3)
    read_to(app, 9)
    app.open("save")
    app.draw()
    click(app, card_rect(2).center)
    assert isinstance(app.top, ConfirmScreen)
    app.draw()
    key(app, pygame.K_RETURN)  # "no" has the focus
    assert app.session.saves.read(3) == before
    click(app, card_rect(2).center)
    click(app, app.top.menu.buttons[0].rect.center)
    assert app.session.saves.read(3).position.flat == 9


def test_a_corrupt_save_shows_as_damaged_and_the_game_goes_on(app):
    folder = app.session.saves.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "slot-002.json").write_bytes(b'{"format": "chatlog-vn-save", "vers')
    app.open("load")
    screen = app.top
    app.draw()
    slot, content = screen.slots[1]
    assert slot == 2 and isinstance(content, Damaged) and "JSON" in content.reason
    before = at(app)
    click(app, card_rect(1).center)
    assert at(app) == before and app.top is screen
    assert any(t.text == tr("cannot_load_damaged") for t in app.toasts)
    key(app, pygame.K_ESCAPE)
    reading = app.top
    assert isinstance(reading, ReadingScreen)
    reading.complete = True
    reading.forward()
    assert app.session.runtime.flat_index(at(app)) == 8
    # Saving over the damaged slot is allowed (after the usual question).
    app.open("save")
    click(app, card_rect(1).center)
    click(app, app.top.menu.buttons[0].rect.center)
    assert isinstance(app.session.saves.read(2), SaveData)


def test_a_save_of_another_story_is_shown_as_damaged(app):
    app.save_game(1)
    data = app.session.saves.read(1)
    renamed = dataclasses.replace(data, story_id="renamed-story")
    app.session.saves.write(1, renamed)
    other = dataclasses.replace(renamed, position=dataclasses.replace(data.position,
                                                                      script_file="other.log"))
    app.session.saves.write(2, other)
    app.open("load")
    assert isinstance(app.top.slots[0][1], SaveData)  # same scripts: still this story's
    assert isinstance(app.top.slots[1][1], Damaged)
    app.draw()


def test_loading_a_moved_line_says_so_in_the_interface_language(app):
    s = app.session
    position = save_position(s.story, Cursor(1, 4))
    moved = dataclasses.replace(position, message=7)  # as if lines were inserted above it
    data = dataclasses.replace(s.save_data(), position=moved)
    s.saves.write(5, data)
    app.open("load")
    click(app, card_rect(4).center)
    assert at(app) == Cursor(1, 4)
    assert [t.text for t in app.toasts] == [tr("note_moved")]


def test_load_has_a_quick_and_auto_tab_and_pages(app):
    app.save_game("quick")
    app.open("load")
    screen = app.top
    assert screen.page == SPECIAL  # the newest save is the quick one
    assert [slot for slot, _ in screen.slots] == ["quick", "auto"]
    assert isinstance(screen.slots[0][1], SaveData) and screen.slots[1][1] is None
    app.draw()
    key(app, pygame.K_PAGEDOWN)
    assert screen.page == 0 and [slot for slot, _ in screen.slots] == list(range(1, 9))
    tab = next(t for t in screen.tabs if t.key == "2")
    click(app, tab.rect.center)
    assert screen.page == 2 and screen.slots[0][0] == 17
    assert screen.pages * 8 >= 24
    key(app, pygame.K_RETURN)  # an empty slot: nothing happens
    assert app.top is screen


def test_keyboard_moves_over_the_grid_and_turns_pages(app):
    app.open("save")
    screen = app.top
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_DOWN)
    assert screen.focus == 5
    for _ in range(3):
        key(app, pygame.K_RIGHT)
    assert screen.page == 1 and screen.focus == 4
    key(app, pygame.K_RETURN)
    assert isinstance(app.session.saves.read(13), SaveData)


# --- settings ---------------------------------------------------------------------------


def test_settings_persist_across_a_new_session_and_volume_applies_at_once(app, tmp_path):
    app.open("settings")
    screen = app.top
    assert isinstance(screen, SettingsScreen)
    app.draw()
    speed = setting_row("text_speed")
    for _ in range(speed):
        key(app, pygame.K_DOWN)
    key(app, pygame.K_RIGHT)
    assert app.session.prefs.text_speed == 50
    music = setting_row("music_volume")
    track = track_rect(music)
    click(app, (track.x + track.width // 4, track.centery))
    assert app.session.prefs.music_volume == 0.25
    assert app.session.audio.music_volume == 0.25  # applied at once
    ruby = setting_row("show_ruby")
    click(app, segment_rects(ruby, 2)[1].center)
    assert app.session.prefs.show_ruby is False
    stored = load_prefs(tmp_path)
    assert (stored.text_speed, stored.music_volume, stored.show_ruby) == (50, 0.25, False)
    again = make_session(app.session.story, tmp_path)
    assert again.prefs == app.session.prefs
    assert again.audio.music_volume == 0.25


def test_dragging_a_slider_and_the_sound_volume(app):
    app.open("settings")
    row = setting_row("sound_volume")
    track = track_rect(row)
    app.dispatch(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=track.midleft, button=1))
    move(app, (track.right + 40, track.centery))
    app.dispatch(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=track.midright, button=1))
    assert app.session.prefs.sound_volume == 1.0 and app.session.audio.sound_volume == 1.0
    move(app, track.midleft)  # released: moving no longer drags
    assert app.session.prefs.sound_volume == 1.0


def test_text_settings_relayout_the_reading_screen_on_return(app):
    app.open("settings")
    screen = app.top
    size = setting_row("text_size")
    screen.focus = size
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RIGHT)
    assert app.session.prefs.text_size == 36
    app.draw()
    assert screen._preview_key[0].text_size == 36
    key(app, pygame.K_ESCAPE)
    reading = app.top
    assert isinstance(reading, ReadingScreen)
    first = reading.pages[0][0]
    assert first.glyphs[1].x - first.glyphs[0].x == pytest.approx(36, abs=1)
    app.draw()


def test_language_switches_the_interface_at_once(app):
    app.open("settings")
    row = setting_row("language")
    click(app, segment_rects(row, 3)[1].center)
    assert app.session.prefs.language == "ja"
    assert tr("settings") == "設定"
    app.draw()
    click(app, segment_rects(row, 3)[2].center)
    assert tr("settings") == "Settings"


def test_choosing_a_view_switches_the_reading_screen_on_close(app):
    app.open("settings")
    row = setting_row("view")
    click(app, segment_rects(row, 3)[2].center)
    assert app.session.prefs.view == "chat" and app.session.options.view is None
    key(app, pygame.K_ESCAPE)
    assert getattr(app.reading_screen(), "view_name", None) == "chat"


def test_reset_asks_and_restores_the_defaults(app):
    app.session.update_prefs(text_size=44, box_opacity=0.3)
    app.open("settings")
    app.draw()
    reset = app.top.buttons[0]
    click(app, reset.rect.center)
    click(app, app.top.menu.buttons[0].rect.center)
    assert app.session.prefs.text_size == 30 and app.session.prefs.box_opacity == 0.8


def test_every_menu_screen_draws_in_both_languages(app, tmp_path):
    app.save_game(1)
    for lang in ("ja", "en"):
        app.session.update_prefs(language=lang)
        for name in ("menu", "save", "load", "settings", "backlog"):
            app.open(name)
            app.draw()
            assert app.canvas.get_size() == CANVAS
            app.pop()


def test_fullscreen_setting_switches_the_window(app):
    app.open("settings")
    row = setting_row("fullscreen")
    click(app, segment_rects(row, 2)[1].center)
    assert app.fullscreen and app.session.prefs.fullscreen
    app.draw()
    # The window is letterboxed now: hand the screen a canvas position directly.
    pos = segment_rects(row, 2)[0].center
    app.top.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    assert not app.fullscreen and not app.session.prefs.fullscreen
    assert load_prefs(app.session.prefs_dir).fullscreen is False


def test_the_newest_save_is_marked(app):
    app.save_game(2)
    app.open("save")
    screen = app.top
    assert screen.newest == 2
    click(app, card_rect(5).center)
    assert screen.newest == 6
    app.draw()


@pytest.mark.parametrize("name", ["menu", "save", "settings", "backlog"])
def test_a_mouse_move_that_changes_nothing_draws_nothing(app, name):
    app.open(name)
    app.draw()
    move(app, (5, 5))  # over no item
    app.draw()
    app.dirty = False
    move(app, (6, 6))
    assert not app.dirty


def test_a_confirmation_dialog_is_opaque_over_the_menu(app):
    choose_in_menu(app, "title")
    dialog = app.top
    assert isinstance(dialog, ConfirmScreen)
    app.canvas.fill((255, 255, 255))  # whatever is behind it...
    dialog.draw(app.canvas)
    panel = dialog.panel
    buttons = dialog.menu.buttons
    # ...does not show inside the panel: between the question and the buttons,
    # at the sides, the panel colour is exact; outside it, the backdrop is dimmed.
    for x in (panel.x + 12, panel.centerx, panel.right - 12):
        assert app.canvas.get_at((x, buttons[0].rect.top - 8))[:3] == THEME.panel
    assert max(app.canvas.get_at((20, 20))[:3]) < 110


@pytest.mark.parametrize("mode", ["save", "load"])
def test_toasts_on_the_save_screens_keep_off_the_tabs_and_slots(app, mode):
    app.open(mode)
    screen = app.top
    app.draw()
    app.toast(tr("cannot_load_damaged"))
    app.toast(tr("saved_slot", n=3))
    app.draw()
    widgets = [tab.rect for tab in screen.tabs] + [screen.close.rect]
    widgets += [card_rect(i) for i in range(len(screen.slots))]
    for _, rect in app.toast_rects()[-1:]:  # the newest sits in the footer
        assert rect.collidelist(widgets) == -1 and rect.bottom <= CANVAS[1]
    assert all(rect.collidelist([tab.rect for tab in screen.tabs]) == -1
               for _, rect in app.toast_rects())


def test_damaged_save_reasons_are_told_in_the_interface_language(app, tmp_path):
    from engine.app.i18n import set_language
    from engine.app.saveload import damaged_text

    folder = app.session.saves.folder
    folder.mkdir(parents=True, exist_ok=True)
    good = app.session.save_data().to_json()
    files = {
        1: b'{"format": "chatlog-vn-save", "vers',  # cut short
        2: b'{"a": 1}',  # some other program's JSON
        3: b"\xff\xfe not text",
        4: json.dumps({**good, "version": 99}).encode(),
        5: json.dumps({k: v for k, v in good.items() if k != "text"}).encode(),
    }
    for slot, raw in files.items():
        (folder / f"slot-{slot:03d}.json").write_bytes(raw)
    set_language("ja")
    app.open("load")
    screen = app.top
    screen.show_page(0)
    app.draw()  # the cards draw the reasons
    told = [damaged_text(content) for _, content in screen.slots[:5]]
    for why, detail in told:
        assert why != tr("damaged_other") and not any("a" <= ch.lower() <= "z" for ch in why)
        assert detail  # the English wording stays as small print
    assert told[1][0] == tr("damaged_not_save") and told[3][0] == tr("damaged_newer")
    assert damaged_text(Damaged(tr("save_foreign"))) == (tr("save_foreign"), None)


def test_every_runtime_note_has_words_in_both_languages(app):
    from engine import runtime
    from engine.app.app import note_text
    from engine.app.i18n import set_language

    notes = [getattr(runtime, name) for name in dir(runtime) if name.startswith("NOTE_")]
    assert len(notes) >= 4
    for lang in ("ja", "en"):
        set_language(lang)
        told = {note_text(note) for note in notes}
        assert len(told) == len(notes) and not told & set(notes)
    assert note_text(None) is None


def test_the_title_menu_panel_has_room_below_it(app):
    app.go_title()
    title = app.top
    assert isinstance(title, TitleScreen)
    panel = title.panel_rect()
    assert CANVAS[1] - panel.bottom >= 80  # QA: it ended 16-22 px above the edge
    assert all(panel.contains(b.rect) for b in title.menu.buttons)
    app.draw()
