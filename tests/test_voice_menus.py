"""Self-voicing beyond the story's lines: menus and buttons read on focus, the voice's own
volume, and the voice settings (names, directions) in the Settings screen."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from test_app_flow import DEMO, flat, key, make_app
from test_voice_app import FakeService

from engine.app.app import CANVAS
from engine.app.settings_screen import PAGE_ROWS, ROW_H, ROWS, SETTINGS, page_of, row_rect
from engine.app.voice import VoicePlayer, focus_text
from engine.preferences import Preferences, load_prefs
from engine.voice.text import SpeechOptions


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.mixer.quit()
    pygame.display.quit()


class MenuService(FakeService):
    """The stand-in service, also recording interface text and the reading options."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.options: list[SpeechOptions] = []

    def say_text(self, text):  # noqa: ANN001, ANN201
        self.texts.append(text)
        return "ui:" + text

    def set_options(self, options) -> None:  # noqa: ANN001
        self.options.append(options)


def voiced(tmp_path: Path, **prefs):  # noqa: ANN201
    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=0, self_voicing=True, **prefs))
    service = MenuService()
    s = app.session
    s._voice = VoicePlayer(s.audio, s.story, s.prefs.voice_volume, service=service)
    return app, service


def test_the_title_menu_is_read_as_the_focus_moves(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.open("title")
    app.step(max_wait=0)
    assert service.texts == ["Start"]  # the focused item, as soon as the screen is up
    key(app, pygame.K_DOWN)  # Continue is disabled (no save): the focus goes past it
    assert service.texts == ["Start", "Load"]
    app.step(max_wait=0)
    assert service.texts == ["Start", "Load"]  # said once, not every turn
    key(app, pygame.K_UP)
    assert service.texts[-1] == "Start"


def test_a_menu_over_the_story_cuts_the_line_and_the_line_comes_back(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    first = app.session.runtime.message.text
    assert [t for t, _ in service.said] == [first]
    assert app.session.voice.speaking()
    key(app, pygame.K_ESCAPE)  # the game menu
    assert service.texts == ["Menu\nSave"]
    key(app, pygame.K_DOWN)
    assert len(service.texts) == 2
    key(app, pygame.K_ESCAPE)  # back to the story: its line is read again
    assert [t for t, _ in service.said] == [first, first]
    assert flat(app) == 0


def test_a_line_already_read_is_not_read_again_after_a_menu(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    app.session.voice._channel.stop()  # the line has been read to its end
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_ESCAPE)
    assert len(service.said) == 1


def test_a_confirmation_says_its_question_first(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_ESCAPE)
    menu = app.top
    menu.choose("quit")
    app.step(max_wait=0)
    question = app.top.question
    assert service.texts[-1].startswith(question + "\n") and service.texts[-1].endswith("\nNo")
    key(app, pygame.K_LEFT)
    assert service.texts[-1] == "Yes"


def test_settings_rows_say_their_name_and_value_and_a_change_is_said(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.open("settings")
    app.step(max_wait=0)
    first = SETTINGS[0]
    assert service.texts[-1] == f"Settings\nGeneral\n{first.label}\n{first.show(0.0)}"
    key(app, pygame.K_LEFT)  # from Instant to 150 characters a second
    assert app.session.prefs.text_speed == 150
    assert service.texts[-1] == f"General\n{first.label}\n{first.show(150.0)}"
    key(app, pygame.K_DOWN)
    second = SETTINGS[1]
    assert service.texts[-1] == f"{second.label}\n{second.show(app.session.prefs.auto_delay)}"
    key(app, pygame.K_TAB)  # the next page: its name, then its first row
    assert service.texts[-1].startswith("Typesetting & study\n")
    key(app, pygame.K_TAB)
    assert service.texts[-1] == "Voice & aids\nSelf-voicing\nOn"


def test_the_voice_settings_are_rows_of_the_settings_screen(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    keys = [s.key for s in SETTINGS]
    assert {"self_voicing", "voice_volume", "voice_names", "voice_directions"} <= set(keys)
    assert ROWS.bottom <= CANVAS[1] - 20  # every row on the canvas
    assert ROW_H >= 36  # and legible: the rows are split over two pages
    assert sorted(i for rows in PAGE_ROWS for i in rows) == list(range(len(SETTINGS)))
    screen = app.open("settings")
    screen.focus = keys.index("voice_names")
    key(app, pygame.K_RETURN)
    screen.focus = keys.index("voice_directions")
    key(app, pygame.K_RETURN)
    screen.focus = keys.index("voice_volume")
    key(app, pygame.K_LEFT)
    prefs = app.session.prefs
    assert prefs.voice_names and prefs.voice_directions and prefs.voice_volume == 0.95
    assert service.options[-1] == SpeechOptions(directions=True, names=True)
    assert load_prefs(tmp_path) == prefs  # persisted at once
    for name in ("voice_volume", "voice_names", "voice_directions"):
        assert screen._help(name) and not screen._help(name).startswith("help_")


def test_the_voice_has_its_own_volume(tmp_path: Path) -> None:
    app, _service = voiced(tmp_path, voice_volume=0.4, sound_volume=0.9)
    app.start_reading()
    app.step(max_wait=0)
    channel = app.session.voice._channel
    assert channel.get_volume() == pytest.approx(0.4, abs=0.01)
    app.session.update_prefs(sound_volume=0.2)
    assert channel.get_volume() == pytest.approx(0.4, abs=0.01)
    app.session.update_prefs(voice_volume=0.7)
    assert channel.get_volume() == pytest.approx(0.7, abs=0.01)


def test_the_session_s_voice_starts_with_the_player_s_settings(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, prefs=Preferences(self_voicing=True, voice_volume=0.3,
                                                    voice_names=True))
    voice = app.session.voice
    assert voice.volume == 0.3 and voice.options == SpeechOptions(names=True)


def test_save_slots_scenes_and_history_entries_say_what_they_show(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_SPACE)
    key(app, pygame.K_F5)  # a quick save
    saves = app.open("load")
    app.step(max_wait=0)
    said = focus_text(saves)
    assert isinstance(said, str) and said.splitlines()[0] in ("Quick", "Slot 1", "Auto")
    assert service.texts[-1] == "Load\n" + said
    app.pop(saves)
    app.step(max_wait=0)
    history = app.open("backlog")
    history.focus = 0
    app.step(max_wait=0)
    assert service.said[-1][0] == app.session.runtime.message.text  # in its speaker's voice
    app.pop(history)
    scenes = app.make("scenes")
    title, line = scenes.entries[0][1:]
    assert focus_text(scenes) == f"{title}\n{line}"


def test_the_story_s_own_screens_say_only_the_quick_menu_button_under_the_pointer(
        tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    assert focus_text(app.top) is None
    line = app.session.runtime.message.text
    buttons = dict(app.top.quick_buttons())
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=buttons["auto"].center,
                                         rel=(0, 0), buttons=(0, 0, 0)))
    app.step(max_wait=0)
    assert service.texts == ["Auto"]
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(640, 200), rel=(0, 0),
                                         buttons=(0, 0, 0)))
    app.step(max_wait=0)
    assert [t for t, _ in service.said] == [line, line]  # the line it cut off, again
    app.switch_view("chat")
    app.step(max_wait=0)
    assert focus_text(app.top) is None


def test_without_self_voicing_nothing_is_said_on_focus(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=0, self_voicing=False))
    service = MenuService()
    app.session._voice = VoicePlayer(app.session.audio, app.session.story, service=service)
    app.open("title")
    app.step(max_wait=0)
    key(app, pygame.K_DOWN)
    assert service.texts == []


def test_settings_pages_switch_by_tab_pad_shoulder_and_click(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    screen = app.open("settings")
    app.step(max_wait=0)
    assert screen.page == 0 and screen.focus == 0
    key(app, pygame.K_TAB)
    key(app, pygame.K_TAB)
    assert screen.page == 2 and SETTINGS[screen.focus].key == "self_voicing"
    for _ in range(len(PAGE_ROWS[2])):  # up and down stay on the page, wrapping
        key(app, pygame.K_DOWN)
        assert page_of(screen.focus) == 2
    pygame.event.post(pygame.event.Event(pygame.CONTROLLERBUTTONDOWN, button=pygame.CONTROLLER_BUTTON_LEFTSHOULDER, instance_id=0))
    app.step(max_wait=0)
    assert screen.page == 1
    tab = next(b for b in screen.buttons if b.key == "page:2")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=tab.rect.center, button=1))
    app.step(max_wait=0)
    assert screen.page == 2
    names = SETTINGS.index(next(s for s in SETTINGS if s.key == "voice_names"))
    assert row_rect(names).top < row_rect(PAGE_ROWS[0][-1]).top  # the page's own places
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN,
                                         pos=(row_rect(names).x + 30, row_rect(names).centery),
                                         button=1))
    app.step(max_wait=0)
    assert screen.focus == names


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_setting_s_help_fits_the_help_box(tmp_path: Path, lang: str) -> None:
    from engine.app.i18n import set_language, tr
    from engine.app.settings_screen import PREVIEW, _wrap_chars

    app = make_app(DEMO, tmp_path)
    set_language(lang)
    text = app.session.ui_text
    for setting in SETTINGS:
        lines = _wrap_chars(text, tr("help_" + setting.key), 17, PREVIEW.width - 40)
        assert len(lines) <= 3, (setting.key, lines)  # the box shows three
    for name in ("help_self_voicing", "help_voice_volume", "help_voice_names",
                 "help_voice_directions", "help_self_voicing_missing"):
        assert len(_wrap_chars(text, tr(name), 17, PREVIEW.width - 40)) <= 2, name


def test_a_notice_is_said_and_the_line_it_cut_off_follows(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    line = app.session.runtime.message.text
    key(app, pygame.K_F5)  # quick save: its toast is said, cutting the line off
    assert service.texts == ["Quick saved"]
    assert [t for t, _ in service.said] == [line]
    app.session.voice._channel.stop()  # the notice has been said
    app.step(max_wait=0)
    assert [t for t, _ in service.said] == [line, line]
    app.session.voice._channel.stop()
    app.step(max_wait=0)
    assert len(service.said) == 2  # once


def test_a_notice_after_the_line_ended_does_not_bring_it_back(tmp_path: Path) -> None:
    app, service = voiced(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    app.session.voice._channel.stop()  # the line was read to its end
    key(app, pygame.K_F5)
    assert service.texts == ["Quick saved"]
    app.session.voice._channel.stop()
    app.step(max_wait=0)
    assert len(service.said) == 1
