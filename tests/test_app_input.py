"""Input mapping (keys, wheel, gamepad), fullscreen, view switching, settings taking effect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pygame
import pytest
from test_app_flow import DEMO, ROOT, SAMPLE, flat, key, make_app

from engine.app import input as inp


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.display.quit()


@pytest.mark.parametrize(
    ("event", "action"),
    [
        (pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE, mod=0), inp.ADVANCE),
        (pygame.event.Event(pygame.KEYDOWN, key=pygame.K_PAGEUP, mod=0), inp.BACK),
        (pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=pygame.KMOD_LALT),
         inp.FULLSCREEN),
        (pygame.event.Event(pygame.KEYUP, key=pygame.K_RCTRL, mod=0), inp.SKIP_RELEASE),
        (pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-2), inp.WHEEL_DOWN),
        (pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(1, 1), button=3), inp.MENU),
        (pygame.event.Event(pygame.CONTROLLERBUTTONDOWN, button=pygame.CONTROLLER_BUTTON_A,
                            instance_id=0), inp.ADVANCE),
        (pygame.event.Event(pygame.CONTROLLERBUTTONDOWN, button=pygame.CONTROLLER_BUTTON_B,
                            instance_id=0), inp.MENU),
        (pygame.event.Event(pygame.CONTROLLERBUTTONDOWN,
                            button=pygame.CONTROLLER_BUTTON_LEFTSHOULDER, instance_id=0),
         inp.HISTORY),
        (pygame.event.Event(pygame.JOYBUTTONDOWN, button=5, instance_id=77), inp.SKIP_TOGGLE),
        (pygame.event.Event(pygame.KEYDOWN, key=pygame.K_z, mod=0), None),
    ],
)
def test_action_for(event: pygame.event.Event, action: str | None) -> None:
    assert inp.action_for(event) == action


def test_gamepad_a_advances_and_right_shoulder_skips(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    pygame.event.post(pygame.event.Event(
        pygame.CONTROLLERBUTTONDOWN, button=pygame.CONTROLLER_BUTTON_A, instance_id=0))
    app.step(max_wait=0)
    assert flat(app) == 1
    pygame.event.post(pygame.event.Event(
        pygame.CONTROLLERBUTTONDOWN, button=pygame.CONTROLLER_BUTTON_RIGHTSHOULDER, instance_id=0))
    app.step(max_wait=0)
    assert app.session.skip


def test_f11_toggles_fullscreen_and_remembers_it(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.open("title")
    app.step(max_wait=0)
    key(app, pygame.K_F11)
    assert app.fullscreen and app.session.prefs.fullscreen
    key(app, pygame.K_RETURN, mod=pygame.KMOD_LALT)
    assert not app.fullscreen and not app.session.prefs.fullscreen
    assert app.canvas.get_size() == (1280, 720)


def test_tab_switches_view_and_keeps_the_place(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.start_reading(app.session.runtime.cursor_at(5))
    app.step(max_wait=0)
    key(app, pygame.K_TAB)
    reading = app.reading_screen()
    if getattr(reading, "view_name", None) != "chat":
        pytest.skip("the chat view is not available")
    assert flat(app) == 5
    key(app, pygame.K_TAB)
    assert app.reading_screen().view_name == "adv" and flat(app) == 5


def test_text_size_setting_relays_out_the_message(tmp_path: Path) -> None:
    app = make_app(SAMPLE, tmp_path)
    app.start_reading(app.session.runtime.cursor_at(10))
    reading = app.reading_screen()
    assert reading.pages[0][0].glyphs[0].w == 30
    app.session.update_prefs(text_size=48)
    reading.on_resume()  # what happens when the settings screen closes
    assert reading.pages[0][0].glyphs[0].w == 48
    assert sum(len(page) for page in reading.pages) == 6
    assert (tmp_path / "preferences.json").is_file()


def test_play_a_single_log_file_headless(tmp_path: Path) -> None:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    result = subprocess.run(
        [sys.executable, "-m", "engine", "play", str(SAMPLE), "--autoplay", "--quit-at-end",
         "--fast", "--view", "adv", "--save-dir", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # no banner, nothing but what was asked for
