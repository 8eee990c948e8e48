"""The reading aids of issue 13 beside self-voicing: a high-contrast text box, wider line
spacing, reduced motion; on the Settings page Voice & aids, applied at once."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from test_app_flow import DEMO, key, make_app

from engine.app.app import CANVAS
from engine.app.settings_screen import PAGE_ROWS, SETTINGS
from engine.preferences import Preferences, load_prefs


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.display.quit()


def reading(tmp_path: Path, **prefs):  # noqa: ANN201
    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=0, **prefs))
    app.start_reading()
    app.step(max_wait=0)
    return app


def box_pixel(app) -> tuple[int, int, int]:  # noqa: ANN001
    app.draw()
    box = app.session.frame.geometry(CANVAS).box
    return tuple(app.canvas.get_at((box.right - 12, box.centery)))[:3]


def test_high_contrast_makes_the_box_opaque_black_with_a_white_edge(tmp_path: Path) -> None:
    app = reading(tmp_path, box_opacity=0.5)
    normal = box_pixel(app)
    app.session.update_prefs(high_contrast=True)
    assert box_pixel(app) == (0, 0, 0) != normal  # the background no longer shows through
    box = app.session.frame.geometry(CANVAS).box
    edge = tuple(app.canvas.get_at((box.centerx, box.y)))[:3]
    assert min(edge) >= 250


def test_wider_line_spacing_spreads_the_box_s_lines_and_the_chat_s(tmp_path: Path) -> None:
    app = reading(tmp_path)
    normal = app.session.frame.geometry(CANVAS).settings.line_pitch
    app.session.update_prefs(line_spacing="wider")
    wider = app.session.frame.geometry(CANVAS).settings.line_pitch
    assert wider > normal * 1.3  # applied at once: the geometry is keyed on the setting
    key(app, pygame.K_TAB)  # the chat view
    app.step(max_wait=0)
    chat = app.top.geo.settings
    app.session.update_prefs(line_spacing="normal")
    assert app.top.painter.geometry(CANVAS).settings.line_pitch < chat.line_pitch


def test_the_latin_spacing_setting_reaches_a_geometry_already_made(tmp_path: Path) -> None:
    app = reading(tmp_path)
    before = app.session.frame.geometry(CANVAS).settings.latin_spacing
    app.session.update_prefs(latin_spacing=not before)
    assert app.session.frame.geometry(CANVAS).settings.latin_spacing is (not before)


def test_reduced_motion_keeps_the_wait_mark_lit_and_the_loop_asleep(tmp_path: Path) -> None:
    app = reading(tmp_path, reduce_motion=True)
    screen = app.top
    for _ in range(6):
        app.clock.now += 0.3
        assert not screen.update(0.3)  # nothing to redraw
        assert screen.mark_visible
    assert screen.wake_in() is None  # no blink timer: the player sleeps until input
    app.session.update_prefs(reduce_motion=False)
    assert screen.wake_in() is not None


def _chat_after_a_message(tmp_path: Path, reduce: bool):  # noqa: ANN202
    app = make_app(DEMO, tmp_path, view="chat", prefs=Preferences(
        text_speed=0, typing_indicator=False, reduce_motion=reduce))
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_SPACE)
    return app, app.top


@pytest.mark.parametrize("reduce", [False, True])
def test_reduced_motion_in_the_chat_view_shows_bubbles_and_scrolls_at_once(
        tmp_path: Path, reduce: bool) -> None:
    app, chat = _chat_after_a_message(tmp_path, reduce)
    assert (chat.slide is None) is reduce  # the default: a new bubble slides in
    for _ in range(30):
        key(app, pygame.K_SPACE)
    chat.scroll_to(chat.max_scroll())
    assert (chat.scroll_motion is None) is reduce
    if reduce:
        assert chat.scroll == chat.max_scroll() > 0


def test_the_aids_are_on_the_voice_and_aids_page_and_persist(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    keys = [SETTINGS[i].key for i in PAGE_ROWS[2]]
    assert {"high_contrast", "line_spacing", "reduce_motion"} <= set(keys)
    screen = app.open("settings")
    for name in ("high_contrast", "line_spacing", "reduce_motion"):
        screen.focus = next(i for i, s in enumerate(SETTINGS) if s.key == name)
        key(app, pygame.K_RETURN)
    prefs = app.session.prefs
    assert (prefs.high_contrast, prefs.line_spacing, prefs.reduce_motion) == (True, "wide", True)
    assert load_prefs(tmp_path) == prefs


def test_wider_lines_make_fewer_lines_per_page_not_a_box_over_the_picture(tmp_path: Path) -> None:
    app = reading(tmp_path)
    normal = app.session.frame.geometry(CANVAS)
    app.session.update_prefs(line_spacing="wider")
    wider = app.session.frame.geometry(CANVAS)
    assert normal.max_lines == 3 and wider.max_lines == 2
    assert wider.box.height < normal.box.height * 1.25
