"""End-to-end tests of the player driven by posted events under the dummy video driver."""

from __future__ import annotations

import shutil
from pathlib import Path

import pygame
import pytest

from engine.app import app as app_module
from engine.app.app import App, PlayOptions, Session
from engine.app.i18n import set_language, tr
from engine.manifest import load_story, story_id
from engine.preferences import Preferences
from engine.runtime import NOTE_NEW_LINES, ReadMarks, Runtime
from engine.saves import SaveData, SaveStore, load_marks

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scripts"
SAMPLE = ROOT / "tests" / "fixtures" / "app" / "sample.log"


class FakeClock:
    """A clock the test moves by hand, so timers fire exactly when asked."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_app(
    story_path: Path,
    save_dir: Path,
    prefs: Preferences | None = None,
    marks: ReadMarks | None = None,
    **options,
) -> App:
    """A player on a story with its saves in `save_dir`, window open, nothing shown yet."""
    story = load_story(story_path)
    session = Session(
        story=story,
        runtime=Runtime(story),
        marks=marks if marks is not None else load_marks(save_dir),
        prefs=prefs or Preferences(text_speed=0),
        prefs_dir=save_dir,
        saves=SaveStore(save_dir),
        story_id=story_id(story),
        options=PlayOptions(**{"view": "adv", **options}),
    )
    set_language("en")
    pygame.display.init()
    app = App(session, clock=FakeClock())
    app.open_window()
    app.running = True
    pygame.event.clear()
    return app


def key(app: App, k: int, mod: int = 0, up: bool = False) -> None:
    """Press (or release) a key and let the app handle it."""
    kind = pygame.KEYUP if up else pygame.KEYDOWN
    pygame.event.post(pygame.event.Event(kind, key=k, mod=mod, unicode="", scancode=0))
    app.step(max_wait=0)


def click(app: App, pos: tuple[int, int], button: int = 1) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
    app.step(max_wait=0)


def flat(app: App) -> int:
    rt = app.session.runtime
    return rt.flat_index(rt.cursor)


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.display.quit()


def start_from_title(app: App) -> None:
    app.open("title")
    app.step(max_wait=0)
    key(app, pygame.K_RETURN)  # "Start" has the focus


def test_start_advance_quicksave_quit_continue(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    start_from_title(app)
    assert app.reading_screen() is not None and flat(app) == 0
    for _ in range(10):
        key(app, pygame.K_SPACE)
    assert flat(app) == 10
    key(app, pygame.K_F5)
    quick = app.session.saves.read("quick")
    assert isinstance(quick, SaveData) and quick.position.flat == 10
    assert app.session.saves.thumbnail_path("quick") is not None
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step(max_wait=0)
    assert not app.running and app.exit_code == 0
    pygame.display.quit()

    again = make_app(DEMO, tmp_path)
    again.open("title")
    again.step(max_wait=0)
    key(again, pygame.K_DOWN)  # focus "Continue"
    key(again, pygame.K_RETURN)
    assert again.reading_screen() is not None
    assert flat(again) == 10
    assert len(again.session.marks) >= 11  # read marks came back from disk


def test_back_steps_and_wheel_in_box(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    start_from_title(app)
    for _ in range(6):
        key(app, pygame.K_SPACE)
    key(app, pygame.K_PAGEUP)
    key(app, pygame.K_PAGEUP)
    assert flat(app) == 4
    box = app.session.frame.geometry(app_module.CANVAS).box
    pygame.mouse.set_pos(box.center)
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=1, flipped=False))
    app.step(max_wait=0)
    assert flat(app) == 3
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False))
    app.step(max_wait=0)
    assert flat(app) == 4


def test_skip_stops_at_first_unread(tmp_path: Path) -> None:
    story = load_story(DEMO)
    rt = Runtime(story)
    read = ReadMarks(rt.message_at(c).content_key() for c in rt.cursors(0, 7))
    app = make_app(DEMO, tmp_path, marks=read)
    start_from_title(app)
    key(app, pygame.K_s)
    assert app.session.skip
    for _ in range(40):
        app.clock.now += 0.1
        app.step(max_wait=0)
        if not app.session.skip:
            break
    assert flat(app) == 7
    assert not app.session.skip
    for _ in range(5):  # it stays there
        app.clock.now += 0.1
        app.step(max_wait=0)
    assert flat(app) == 7
    assert "Skip stopped at an unread message" in [t.text for t in app.toasts]


def test_ctrl_held_skips_only_while_held(tmp_path: Path) -> None:
    story = load_story(DEMO)
    rt = Runtime(story)
    read = ReadMarks(rt.message_at(c).content_key() for c in rt.cursors(0, 30))
    app = make_app(DEMO, tmp_path, marks=read)
    start_from_title(app)
    key(app, pygame.K_LCTRL)
    for _ in range(5):
        app.clock.now += 0.1
        app.step(max_wait=0)
    key(app, pygame.K_LCTRL, up=True)
    reached = flat(app)
    assert 3 <= reached < 30
    for _ in range(5):
        app.clock.now += 0.1
        app.step(max_wait=0)
    assert flat(app) == reached


def test_damaged_save_is_passed_over_by_continue(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    start_from_title(app)
    for _ in range(3):
        key(app, pygame.K_SPACE)
    assert app.save_game(1)
    store = app.session.saves
    # A newer file that is not a save at all, and a truncated one.
    store.slot_path(2).write_text("{not json", encoding="utf-8")
    store.slot_path("quick").write_bytes(b"\x00\xff garbage")
    assert app.session.latest_save().position.flat == 3
    pygame.display.quit()

    again = make_app(DEMO, tmp_path)
    again.open("title")
    again.step(max_wait=0)
    key(again, pygame.K_DOWN)
    key(again, pygame.K_RETURN)
    assert flat(again) == 3


def test_continue_disabled_when_only_damaged_saves(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.folder.mkdir(parents=True, exist_ok=True)
    store.slot_path(1).write_text('{"format": "something-else"}', encoding="utf-8")
    app = make_app(DEMO, tmp_path)
    title = app.open("title")
    app.step(max_wait=0)
    buttons = {b.key: b.enabled for b in title.menu.buttons}
    assert buttons["continue"] is False and buttons["start"] is True


def _insert_lines(script: Path) -> None:
    """Edit a script: two new messages at the top of its first block."""
    lines = script.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "LOG START" in line)
    lines[start + 1:start + 1] = ["MIO: 追加した一行目。<br>\n", "TAKU: 追加した二行目。<br>\n"]
    script.write_text("".join(lines), encoding="utf-8")


def test_save_made_before_an_edit_loads_at_the_same_message(tmp_path: Path) -> None:
    story_dir = tmp_path / "story"
    shutil.copytree(DEMO, story_dir)
    saves = tmp_path / "saves"
    app = make_app(story_dir, saves)
    start_from_title(app)
    for _ in range(12):
        key(app, pygame.K_SPACE)
    wanted = app.session.runtime.message.content_key()
    key(app, pygame.K_F5)
    pygame.display.quit()

    _insert_lines(sorted(story_dir.glob("*.log"))[0])
    again = make_app(story_dir, saves)
    again.start_reading()
    key(again, pygame.K_F9)
    assert again.session.runtime.message.content_key() == wanted
    assert flat(again) == 14
    texts = [t.text for t in again.toasts]
    assert tr("note_moved") in texts


def test_typewriter_click_completes_then_advances(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=20))
    app.start_reading()
    reading = app.reading_screen()
    app.clock.now += 0.1
    app.step(max_wait=0)
    assert not reading.complete and reading.reveal is not None
    assert reading.wake_in() == 0.0  # animating
    key(app, pygame.K_SPACE)
    assert reading.complete and flat(app) == 0
    key(app, pygame.K_SPACE)
    assert flat(app) == 1


def test_auto_mode_advances_after_the_delay(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_a)
    assert app.session.auto
    wait = app.reading_screen().wake_in()
    assert wait is not None and 0 < wait <= 0.5  # the blink comes first
    for _ in range(100):
        app.clock.now += 0.25
        app.step(max_wait=0)
        if flat(app) == 1:
            break
    assert flat(app) == 1


def test_long_message_is_paged(tmp_path: Path) -> None:
    app = make_app(SAMPLE, tmp_path)
    app.start_reading(app.session.runtime.cursor_at(10))
    reading = app.reading_screen()
    assert len(reading.pages) >= 2
    key(app, pygame.K_SPACE)
    assert flat(app) == 10 and reading.page_index == 1
    key(app, pygame.K_PAGEUP)
    assert reading.page_index == 0


def test_hide_interface_and_quick_menu_click(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_h)
    assert not app.reading_screen().show_ui
    key(app, pygame.K_SPACE)  # the first press brings the interface back
    assert app.reading_screen().show_ui and flat(app) == 0
    frame = app.session.frame
    buttons = dict(frame.quick_buttons(frame.geometry(app_module.CANVAS)))
    click(app, buttons["auto"].center)
    assert app.session.auto and flat(app) == 0


def test_missing_screen_module_gives_a_toast(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(app_module.SCREENS, "nowhere", ("engine.app.no_such_screen", "X", {}))
    app = make_app(DEMO, tmp_path)
    app.start_reading()
    assert app.open("nowhere") is None
    assert any("not available" in t.text for t in app.toasts)
    assert app.reading_screen() is app.top


def test_scene_select_starts_at_a_scene(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.open("title")
    app.open("scenes")
    app.step(max_wait=0)
    key(app, pygame.K_DOWN)
    key(app, pygame.K_RETURN)
    rt = app.session.runtime
    assert rt.cursor == rt.scene_start(1)


def test_end_of_story_quits_when_asked(tmp_path: Path) -> None:
    app = make_app(SAMPLE, tmp_path, quit_at_end=True)
    rt = app.session.runtime
    app.start_reading(rt.last)
    app.step(max_wait=0)
    key(app, pygame.K_SPACE)
    assert not app.running and app.exit_code == 0
    assert isinstance(app.session.saves.read("auto"), SaveData)


def test_letterbox_maps_window_to_canvas(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.open_window((640, 480))
    # 640x480 holds a 640x360 picture with 60 px bars above and below.
    assert app.to_canvas((320, 240)) == (640, 360)
    assert app.to_canvas((0, 60)) == (0, 0)
    app.start_reading()
    app.step(max_wait=0)
    assert app.frames_drawn >= 1


def test_timers_and_story_replacement(tmp_path: Path) -> None:
    story_dir = tmp_path / "story"
    shutil.copytree(DEMO, story_dir)
    app = make_app(story_dir, tmp_path / "saves")
    app.start_reading(app.session.runtime.cursor_at(4))
    calls: list[float] = []
    app.every(0.5, lambda: calls.append(app.clock.now))
    app.step(max_wait=0)
    assert calls == [] and 0 < app._timeout(None) <= 0.5
    app.clock.now += 0.6
    app.step(max_wait=0)
    assert len(calls) == 1

    _insert_lines(sorted(story_dir.glob("*.log"))[0])
    wanted = app.session.runtime.message.content_key()
    fonts, frame = app.session.fonts, app.session.frame
    new_story = load_story(story_dir)
    # Two lines added above the reader, in its scene: it moves to the first new one.
    assert app.session.replace_story(new_story) == NOTE_NEW_LINES
    app.story_replaced("reloaded")
    app.step(max_wait=0)
    reading = app.reading_screen()
    rt = app.session.runtime
    assert reading is app.top and rt.message.text.startswith("追加した一行目")
    assert rt.cursor == rt.cursor_at(0) and rt.message_at(rt.cursor_at(6)).content_key() == wanted
    assert app.session.frame.story is new_story and app.session.frame is not frame
    assert app.session.fonts is fonts  # the same font files: kept
    assert "reloaded" in [t.text for t in app.toasts]


def test_replace_story_loads_the_fonts_again_when_story_yaml_changes_them(
    tmp_path: Path,
) -> None:
    import dataclasses

    from engine.render import default_font_path

    app = make_app(DEMO, tmp_path / "saves")
    app.start_reading(app.session.runtime.cursor_at(4))
    fonts, ui_text = app.session.fonts, app.session.ui_text
    story = app.session.story
    other = dataclasses.replace(story, font=default_font_path(),
                                fallback_fonts=(Path(pygame.__file__).with_name("freesansbold.ttf"),))
    assert app.session.replace_story(other) is None  # the same messages: nobody moved
    assert app.session.fonts is not fonts and app.session.ui_text is not ui_text
    assert len(app.session.fonts.fallbacks) == 1
    app.story_replaced()
    app.step(max_wait=0)
    assert app.session.runtime.cursor == app.session.runtime.cursor_at(4)


def test_language_auto_follows_the_system_when_the_story_names_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.app.i18n import language

    app = make_app(SAMPLE, tmp_path / "saves")
    assert app.session.story.ui_language is None
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    app.session.update_prefs(language="en")
    assert language() == "en"
    app.session.update_prefs(language=None)  # Auto: a Japanese system gets Japanese
    assert language() == "ja"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    app.session.update_prefs(language=None)
    assert language() == "en"


@pytest.mark.parametrize("view", ["adv", "chat"])
def test_a_save_thumbnail_shows_the_message_complete_mid_animation(
    tmp_path: Path, view: str
) -> None:
    app = make_app(DEMO, tmp_path / "saves", prefs=Preferences(text_speed=4), view=view)
    app.start_reading(app.session.runtime.cursor_at(3))
    app.step(max_wait=0)
    if view == "chat":  # the first message shows at once; the next one is typed
        key(app, pygame.K_SPACE)
    at = app.session.runtime.cursor
    app.clock.now += 0.3
    app.step(max_wait=0)
    reading = app.reading_screen()
    if view == "adv":
        assert reading.reveal is not None  # the typewriter is part way
    else:
        assert reading.typing is not None or reading.slide is not None
    during = app.thumbnail_png()
    for _ in range(200):  # let every animation finish
        app.clock.now += 0.25
        app.step(max_wait=0)
    assert app.session.runtime.cursor == at
    assert during == app.thumbnail_png()


def test_story_yaml_views_per_scene_hand_over_both_ways(tmp_path: Path) -> None:
    from engine.app.chat import ChatScreen
    from engine.app.reading import ReadingScreen
    from engine.runtime import Cursor

    app = make_app(DEMO, tmp_path / "saves", view=None)  # no --view, no setting: story.yaml
    rt = app.session.runtime
    assert [ref.config.view for ref in app.session.story.scenes] == ["chat", "adv", "chat", "adv", "adv"]
    last_of = {n: Cursor(n, len(ref.scene.messages) - 1)
               for n, ref in enumerate(app.session.story.scenes)}
    app.start_reading(last_of[0])
    assert isinstance(app.top, ChatScreen)
    key(app, pygame.K_SPACE)  # into scene 1 (adv in story.yaml)
    assert isinstance(app.top, ReadingScreen) and rt.cursor == Cursor(1, 0)
    rt.jump(last_of[1])
    app.start_reading()
    assert isinstance(app.top, ReadingScreen)
    key(app, pygame.K_SPACE)  # into scene 2 (chat): the text box hands over
    assert isinstance(app.top, ChatScreen) and rt.cursor == Cursor(2, 0)
    assert app.reading_screen() is app.top and len(app.screens) == 1
    rt.jump(last_of[2])
    app.start_reading()
    key(app, pygame.K_SPACE)  # and back to the text box for scene 3
    assert isinstance(app.top, ReadingScreen) and rt.cursor == Cursor(3, 0)


def test_a_chosen_view_is_kept_across_scenes(tmp_path: Path) -> None:
    from engine.app.reading import ReadingScreen
    from engine.runtime import Cursor

    app = make_app(DEMO, tmp_path / "saves")  # --view adv
    app.start_reading(Cursor(1, len(app.session.story.scenes[1].scene.messages) - 1))
    key(app, pygame.K_SPACE)
    assert isinstance(app.top, ReadingScreen) and app.session.runtime.cursor == Cursor(2, 0)


def test_an_overlay_is_drawn_over_whole_frames_and_takes_no_input(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path / "saves", prefs=Preferences(text_speed=8))
    app.start_reading(app.session.runtime.cursor_at(4))
    app.step(max_wait=0)
    app.clock.now += 0.2
    app.step(max_wait=0)
    assert app.partial_ok  # typewriter frames redraw only the text
    drawn: list[bool] = []

    class Painter:
        def draw(self, surface: pygame.Surface) -> None:
            drawn.append(app.partial_ok)
            surface.fill((200, 0, 0), pygame.Rect(0, 0, 10, 10))

    app.set_overlay(Painter())
    app.step(max_wait=0)
    app.clock.now += 0.2
    app.step(max_wait=0)
    assert drawn == [False, False] and app.canvas.get_at((5, 5))[:3] == (200, 0, 0)
    key(app, pygame.K_SPACE)  # input still reaches the story under the overlay
    assert app.reading_screen().complete and app.top is app.reading_screen()
    app.set_overlay(None)
    app.step(max_wait=0)
    assert len(drawn) == 3 and app.canvas.get_at((5, 5))[:3] != (200, 0, 0)


def _last_of(app: App, scene: int):
    from engine.runtime import Cursor

    return Cursor(scene, len(app.session.story.scenes[scene].scene.messages) - 1)


def test_a_tab_choice_holds_across_scenes_and_comes_back_on_continue(tmp_path: Path) -> None:
    from engine.app.chat import ChatScreen
    from engine.runtime import Cursor

    app = make_app(DEMO, tmp_path, view=None)  # no --view, no setting
    app.start_reading(_last_of(app, 0))
    assert isinstance(app.top, ChatScreen)
    key(app, pygame.K_TAB)
    key(app, pygame.K_TAB)  # back to chat: chosen now, not the story's pick
    key(app, pygame.K_SPACE)  # into scene 1, which story.yaml sets to adv
    assert isinstance(app.top, ChatScreen) and app.session.runtime.cursor == Cursor(1, 0)
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step(max_wait=0)
    auto = app.session.saves.read("auto")
    assert isinstance(auto, SaveData) and auto.view == "chat"
    pygame.display.quit()

    again = make_app(DEMO, tmp_path, view=None)
    again.open("title")
    again.step(max_wait=0)
    key(again, pygame.K_DOWN)
    key(again, pygame.K_RETURN)
    assert isinstance(again.top, ChatScreen) and again.session.runtime.cursor == Cursor(1, 0)
    again.session.runtime.jump(_last_of(again, 2))
    again.start_reading()
    key(again, pygame.K_SPACE)  # into scene 3 (adv in story.yaml): the choice still holds
    assert isinstance(again.top, ChatScreen) and again.session.runtime.cursor == Cursor(3, 0)


def test_a_loaded_save_shows_its_view_and_story_views_apply_without_a_choice(
    tmp_path: Path,
) -> None:
    from engine.app.chat import ChatScreen
    from engine.app.reading import ReadingScreen
    from engine.runtime import Cursor

    app = make_app(DEMO, tmp_path, view=None)
    app.start_reading(Cursor(0, 3))
    key(app, pygame.K_TAB)  # adv in a chat scene
    key(app, pygame.K_F5)
    app.go_title()
    app.session.options.view = None  # as a fresh session would be
    app.load_game(app.session.saves.read("quick"))
    assert isinstance(app.top, ReadingScreen) and app.session.options.view == "adv"

    app.start_reading(_last_of(app, 1))
    assert isinstance(app.top, ReadingScreen)
    key(app, pygame.K_F5)  # adv where story.yaml says adv: no choice recorded as such
    app.session.options.view = "chat"  # a later Tab in this session...
    app.load_game(app.session.saves.read("quick"))  # ...is replaced by the save's view
    assert isinstance(app.top, ReadingScreen) and not app.session.view_chosen
    key(app, pygame.K_SPACE)  # into scene 2: story.yaml's chat applies again
    assert isinstance(app.top, ChatScreen) and app.session.runtime.cursor == Cursor(2, 0)


def test_toasts_go_below_an_overlay_that_says_what_it_covers(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path / "saves")
    app.start_reading(app.session.runtime.cursor_at(2))

    class Panel:
        def draw(self, surface: pygame.Surface) -> pygame.Rect:
            rect = pygame.Rect(32, 32, 1216, 140)
            surface.fill((40, 0, 0), rect)
            return rect

    app.set_overlay(Panel())
    app.toast("F5")
    app.step(max_wait=0)
    (_, rect), = app.toast_rects()
    assert rect.top >= 172 + 8
    app.set_overlay(None)
    app.step(max_wait=0)
    assert app.toast_rects()[0][1].top < 32  # back at the top once it is gone
