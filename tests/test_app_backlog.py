"""The backlog: opening, scrolling, rollback, drawing as in the box, and flat cost with a long history."""

from __future__ import annotations

import pygame
import pytest

from engine.app import backlog as backlog_module
from engine.app.app import CANVAS
from engine.app.backlog import CACHE_LIMIT, BacklogScreen
from engine.app.reading import ReadingScreen
from engine.runtime import Cursor
from tests.menus_support import (
    at,
    click,
    key,
    make_app,
    make_session,
    make_story,
    move,
    reading_app,
    wheel,
)


@pytest.fixture(autouse=True)
def _display():
    yield
    pygame.display.quit()


@pytest.fixture
def app(tmp_path):
    return reading_app(tmp_path, 30)


def open_backlog(app) -> BacklogScreen:
    key(app, pygame.K_l)
    assert isinstance(app.top, BacklogScreen)
    app.draw()
    return app.top


def test_l_opens_the_backlog_newest_at_the_bottom_and_esc_closes(app):
    backlog = open_backlog(app)
    assert backlog.count == 31  # messages 0..30, the one on screen included
    newest, rect = backlog.visible()[0]
    assert newest == 0 and backlog.entry(0).cursor == at(app)
    assert rect.bottom == backlog.view.bottom
    key(app, pygame.K_ESCAPE)
    assert isinstance(app.top, ReadingScreen)


def test_wheel_up_outside_the_box_opens_it_and_wheel_down_at_the_end_closes(app):
    app.top.handle(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=1, pos=(640, 100), flipped=False))
    assert isinstance(app.top, BacklogScreen)
    wheel(app, 2)
    assert not app.top.at_end
    for _ in range(10):
        wheel(app, -1)
        if not isinstance(app.top, BacklogScreen):
            break
    assert isinstance(app.top, ReadingScreen)


def test_scrolling_with_keys_reaches_both_ends(app):
    backlog = open_backlog(app)
    key(app, pygame.K_PAGEUP)
    assert backlog.skip > 0
    key(app, pygame.K_HOME)
    top = backlog.visible()[-1]
    assert top[0] == backlog.count - 1 and top[1].top == backlog.view.top
    key(app, pygame.K_PAGEDOWN)
    assert backlog.visible()[-1][0] < backlog.count - 1
    key(app, pygame.K_END)
    assert backlog.at_end
    key(app, pygame.K_UP)
    key(app, pygame.K_UP)
    assert backlog.focus == 1
    app.draw()


def test_clicking_an_entry_rolls_back_to_that_message(app):
    backlog = open_backlog(app)
    wheel(app, 3)
    app.draw()
    index, rect = backlog.visible()[2]
    target = backlog.entry(index).cursor
    assert target < at(app)
    move(app, rect.center)
    assert backlog.focus == index
    click(app, rect.center)
    assert at(app) == target
    reading = app.top
    assert isinstance(reading, ReadingScreen)
    assert reading.page_index == 0
    app.draw()
    # The history still reaches back to the start after a rollback.
    assert app.session.runtime.history_len() == app.session.runtime.flat_index(target) + 1


def test_enter_on_the_focused_entry_rolls_back(app):
    open_backlog(app)
    key(app, pygame.K_UP)
    key(app, pygame.K_UP)
    key(app, pygame.K_RETURN)
    assert app.session.runtime.flat_index(at(app)) == 29
    assert isinstance(app.top, ReadingScreen)


def test_dragging_the_scroll_bar_moves_through_the_history(app):
    backlog = open_backlog(app)
    thumb = backlog.thumb()
    assert thumb is not None and thumb.bottom == backlog.track.bottom
    app.dispatch(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=thumb.center, button=1))
    move(app, (thumb.centerx, backlog.track.top - 50))
    app.dispatch(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=thumb.center, button=1))
    assert backlog.visible()[-1][0] == backlog.count - 1  # the oldest entry is on screen
    assert backlog.thumb().top == backlog.track.top
    assert at(app) == Cursor(2, 6)  # dragging never rolls back


def test_entries_are_laid_out_exactly_as_in_the_text_box(app):
    backlog = open_backlog(app)
    s = app.session
    geo = s.frame.geometry(CANVAS)
    for i in range(5):
        entry = backlog.entry(i)
        assert entry.layout.lines == s.frame.layout(entry.message, geo).lines
        assert entry.layout.settings == geo.settings
    with_ruby = next(backlog.entry(i) for i in range(10) if backlog.entry(i).layout.lines[0].rubies)
    assert with_ruby.layout.lines[0].rubies[0].text == "ともしび"


def test_a_new_text_size_lays_the_entries_out_again(app):
    backlog = open_backlog(app)
    before = backlog.entry(0).layout
    app.session.update_prefs(text_size=40, show_ruby=False)
    backlog.on_resume()
    after = backlog.entry(0).layout
    assert after.settings.size == 40 and not after.settings.show_ruby
    assert before.settings.size == 30
    app.draw()


def test_a_scene_change_is_marked_in_the_history(app):
    backlog = open_backlog(app)
    titles = [backlog.entry(i).scene_title for i in range(backlog.count)]
    assert titles.count(None) == backlog.count - 3
    assert backlog.entry(backlog.count - 1).scene_title == "2024.11.01 21:00"


def test_100000_messages_behind_cost_only_what_is_seen(tmp_path, monkeypatch):
    story = make_story(tmp_path, per_scene=(25_000,) * 4)
    app = make_app(make_session(story, tmp_path))
    rt = app.session.runtime
    rt.jump(rt.last)  # the whole story is the history
    app.start_reading()
    calls = []
    real = backlog_module.layout_message
    monkeypatch.setattr(backlog_module, "layout_message",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    backlog = open_backlog(app)
    assert backlog.count == 100_000
    first = len(calls)
    assert first <= 20
    for _ in range(40):
        wheel(app, 3)
    key(app, pygame.K_PAGEUP)
    key(app, pygame.K_HOME)
    app.draw()
    key(app, pygame.K_END)
    backlog.jump_to_fraction(0.5)
    app.draw()
    assert backlog.visible()[0][0] == 50_000
    # Each move lays out at most the screenful it shows (plus the walk to it).
    assert len(calls) <= 120  # 87 when written: about the entries scrolled past
    assert len(backlog._cache) <= CACHE_LIMIT
    backlog.rollback(backlog.visible()[0][0])
    assert rt.flat_index(at(app)) == 49_999


def test_keys_after_a_long_jump_start_from_what_is_on_screen(tmp_path, monkeypatch):
    story = make_story(tmp_path, per_scene=(5_000,) * 4)
    app = make_app(make_session(story, tmp_path))
    rt = app.session.runtime
    rt.jump(rt.last)
    app.start_reading()
    backlog = open_backlog(app)
    key(app, pygame.K_HOME)
    key(app, pygame.K_DOWN)
    assert backlog.focus is not None and backlog.focus > 19_000
    key(app, pygame.K_END)
    calls = []
    real = backlog_module.layout_message
    monkeypatch.setattr(backlog_module, "layout_message",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    key(app, pygame.K_DOWN)
    assert backlog.focus == 0 and len(calls) <= 20


def test_posted_events_through_the_real_loop(app):
    def post(kind, **values):
        pygame.event.post(pygame.event.Event(kind, **values))
        app.step(max_wait=0)

    post(pygame.KEYDOWN, key=pygame.K_l, mod=0, unicode="l", scancode=0)
    backlog = app.top
    assert isinstance(backlog, BacklogScreen)
    post(pygame.MOUSEWHEEL, x=0, y=1, flipped=False, precise_x=0.0, precise_y=1.0)
    assert not backlog.at_end
    post(pygame.CONTROLLERBUTTONDOWN, button=pygame.CONTROLLER_BUTTON_DPAD_UP, instance_id=0)
    assert backlog.focus is not None
    post(pygame.CONTROLLERBUTTONDOWN, button=pygame.CONTROLLER_BUTTON_B, instance_id=0)
    assert isinstance(app.top, ReadingScreen)
    assert app.frames_drawn > 0


def test_name_colours_are_lifted_only_when_too_dark_to_read() -> None:
    from engine.app.frame import readable_color

    assert readable_color((240, 200, 80)) == (240, 200, 80)  # bright: kept as written
    dark = readable_color((20, 20, 90))
    luma = 0.299 * dark[0] + 0.587 * dark[1] + 0.114 * dark[2]
    assert luma > 60 and dark[2] > dark[0]  # lighter, still the same hue


def test_rollback_starts_the_message_at_its_first_page_but_a_menu_keeps_the_page(tmp_path):
    from dataclasses import replace

    from engine.model import Text

    story = make_story(tmp_path, per_scene=(6,))
    long = tuple(replace(m, runs=(Text("長い長い文が続いていく。" * 30),))
                 for m in story.scenes[0].scene.messages)
    scene = replace(story.scenes[0].scene, messages=long)
    story = replace(story, scripts=(replace(story.scripts[0], scenes=(scene,)),),
                    scenes=(replace(story.scenes[0], scene=scene),))
    app = make_app(make_session(story, tmp_path))
    app.start_reading(Cursor(0, 3))
    reading = app.top
    assert isinstance(reading, ReadingScreen) and len(reading.pages) >= 2
    reading.start_page(1, instant=True)
    key(app, pygame.K_ESCAPE)  # a menu over the same message: the page stays
    key(app, pygame.K_ESCAPE)
    assert app.top is reading and reading.page_index == 1
    reading.session.runtime.history_start = Cursor(0, 0)
    backlog = open_backlog(app)
    total = app.session.runtime.history_len()
    target = next(i for i in range(total) if backlog.entry(i).cursor == Cursor(0, 1))
    backlog.rollback(target)
    assert app.top is reading and at(app) == Cursor(0, 1)
    assert reading.page_index == 0 and reading.page_start == 0
