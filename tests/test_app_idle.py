"""Idle is idle: with nothing moving, the loop draws no frame; the wait mark redraws only itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pygame
import pytest
from test_app_flow import DEMO, ROOT, key, make_app


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.display.quit()


def test_title_idle_draws_nothing(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.open("title")
    app.step(max_wait=0)
    drawn = app.frames_drawn
    assert app.top.wake_in() is None  # nothing pending: the loop may block forever
    for _ in range(5):
        app.step(max_wait=0.01)  # a real (short) wait with no events
    assert app.frames_drawn == drawn


def test_reading_idle_draws_nothing_between_blinks(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    drawn = app.frames_drawn
    for _ in range(5):
        app.clock.now += 0.05
        app.step(max_wait=0.01)
    assert app.frames_drawn == drawn
    wait = app.top.wake_in()
    assert wait is not None and 0 < wait <= 0.5


def test_blink_redraws_only_the_mark(tmp_path: Path, monkeypatch) -> None:
    app = make_app(DEMO, tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    presented: list[object] = []
    monkeypatch.setattr(pygame.display, "update", lambda rects=None: presented.append(rects))
    monkeypatch.setattr(pygame.display, "flip", lambda: presented.append("all"))
    drawn = app.frames_drawn
    app.clock.now += 0.5
    app.step(max_wait=0)
    assert app.frames_drawn == drawn + 1
    mark = app.session.frame.geometry((1280, 720)).mark
    assert presented == [[mark]]
    # Input forces a whole frame again.
    key(app, pygame.K_h)
    assert presented[-1] == "all"


def test_auto_mode_sleeps_until_its_timer(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_a)
    app.clock.now += 0.3
    app.step(max_wait=0)
    wait = app.top.wake_in()
    assert wait is not None and 0 < wait < 0.5


def test_autoplay_fast_quit_at_end_exits_zero(tmp_path: Path) -> None:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    result = subprocess.run(
        [sys.executable, "-m", "engine", "play", str(DEMO), "--autoplay", "--quit-at-end",
         "--fast", "--benchmark", "--save-dir", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "frames drawn:" in result.stdout and "p99" in result.stdout
    assert "idle:" in result.stdout and "peak memory:" in result.stdout
    assert (tmp_path / "auto.json").is_file()
    assert (tmp_path / "read-marks.bin").is_file()


def test_play_without_a_story_says_how_to_name_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "engine", "play"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, env={**os.environ, "SDL_VIDEODRIVER": "dummy"},
    )
    assert result.returncode == 2
    assert "chatlog-vn play STORY_FOLDER" in result.stderr


def test_mouse_moves_redraw_only_when_a_highlight_changes(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    drawn = app.frames_drawn
    for x in range(100, 300, 20):  # over the background: nothing changes
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(x, 100), rel=(20, 0),
                                             buttons=(0, 0, 0)))
        app.step(max_wait=0)
    assert app.frames_drawn == drawn
    frame = app.session.frame
    auto = dict(frame.quick_buttons(frame.geometry((1280, 720))))["auto"]
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=auto.center, rel=(0, 0),
                                         buttons=(0, 0, 0)))
    app.step(max_wait=0)
    assert app.frames_drawn == drawn + 1 and app.top.focus == "auto"


def test_typewriter_frames_redraw_only_the_text(tmp_path: Path, monkeypatch) -> None:
    from engine.preferences import Preferences

    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=10))
    app.start_reading(app.session.runtime.cursor_at(3))
    app.step(max_wait=0)  # the whole first frame
    presented: list[object] = []
    monkeypatch.setattr(pygame.display, "update", lambda rects=None: presented.append(rects))
    monkeypatch.setattr(pygame.display, "flip", lambda: presented.append("all"))
    reading = app.top
    shown = []
    for _ in range(4):
        app.clock.now += 0.15  # 1.5 characters: a new glyph each turn
        app.step(max_wait=0)
        shown.append(reading.reveal)
    area = app.session.frame.text_area(app.session.frame.geometry((1280, 720)))
    assert presented and all(p == [area] for p in presented)
    assert shown == sorted(shown) and shown[0] < shown[-1]
    # The partial frames add up to the same picture as a whole frame.
    partial = app.canvas.copy()
    app.dirty = True
    app.step(max_wait=0)
    assert presented[-1] == "all"
    assert pygame.image.tobytes(partial, "RGB") == pygame.image.tobytes(app.canvas, "RGB")


def test_partial_frames_in_a_scaled_window_update_only_their_part(tmp_path: Path,
                                                                  monkeypatch) -> None:
    app = make_app(DEMO, tmp_path)
    app.open_window((1920, 1080))
    app.start_reading()
    app.step(max_wait=0)
    presented: list[object] = []
    monkeypatch.setattr(pygame.display, "update", lambda rects=None: presented.append(rects))
    monkeypatch.setattr(pygame.display, "flip", lambda: presented.append("all"))
    whole = pygame.transform.smoothscale(app.canvas, (1920, 1080))
    app.clock.now += 0.5  # the mark blinks off
    app.step(max_wait=0)
    assert len(presented) == 1 and presented[0] != "all"
    (rect,) = presented[0]
    mark = app.session.frame.geometry((1280, 720)).mark
    assert rect.contains(pygame.Rect(mark.x * 1.5, mark.y * 1.5, mark.w * 1.5, mark.h * 1.5))
    assert rect.width < 60 and rect.height < 60
    window = pygame.display.get_surface()
    # Outside the updated rect the window still holds the whole-frame picture.
    assert window.get_at((100, 100)) == whole.get_at((100, 100))


def test_a_minimized_window_pauses_the_story(tmp_path: Path) -> None:
    from engine.preferences import Preferences

    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=10))
    app.start_reading()
    app.step(max_wait=0)
    pygame.event.post(pygame.event.Event(pygame.WINDOWMINIMIZED, window=None))
    app.step(max_wait=0)
    drawn, reveal = app.frames_drawn, app.top.reveal
    assert app._timeout(None) is None  # typing, yet the loop may sleep
    for _ in range(3):
        app.clock.now += 0.5
        app.step(max_wait=0.01)
    assert app.frames_drawn == drawn and app.top.reveal == reveal
    pygame.event.post(pygame.event.Event(pygame.WINDOWRESTORED, window=None))
    app.step(max_wait=0)
    assert app.frames_drawn == drawn + 1
