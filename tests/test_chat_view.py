"""The chat view end to end under the dummy video driver, driven by posted events."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from engine.app.app import App, PlayOptions, Session
from engine.app.chat import (
    PREFETCH_IDLE_TURNS,
    ChatScreen,
    draw_shot,
    render_chat_shot,
    typing_time,
)
from engine.app.chatpaint import JUMP_AFTER, PREFETCH_AHEAD
from engine.app.i18n import language, set_language
from engine.app.reading import ReadingScreen
from engine.app.screen import Screen
from engine.manifest import load_story, story_id
from engine.preferences import Preferences
from engine.render import FontSet, default_font_path
from engine.runtime import Cursor, ReadMarks, Runtime
from engine.saves import SaveData, SaveStore

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scripts"
SPEAKERS = ("SORA", "KAI")
TEXTS = ("ねえ、起きてる？", "起きてるよ。今夜は<ruby>昴<rt>すばる</rt></ruby>がよく見える。",
         "うん。レンズを磨いたら、Vegaまでくっきり……って、それは夏の星か。", "（通信が途切れる）")


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def write_log(folder: Path, count: int, scenes: int = 1) -> Path:
    """A script with `count` messages per scene, alternating speakers, some narration."""
    lines = []
    for s in range(scenes):
        lines.append(f"--- LOG START --- 2025.03.{14 + s} 21:05")
        for i in range(count):
            text = TEXTS[i % len(TEXTS)]
            lines.append(text if i % 11 == 10 else f"{SPEAKERS[i % 2]}: {i}番 {text}")
        lines.append("--- LOG END ---")
    path = folder / "chat.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_app(story_path: Path, save_dir: Path, prefs: Preferences | None = None,
             start: int = 0, marks: ReadMarks | None = None, **options) -> App:
    """A player reading `story_path` in the chat view from flat message `start`."""
    story = load_story(story_path)
    runtime = Runtime(story)
    runtime.jump(runtime.cursor_at(start), new_history=True)
    session = Session(
        story=story, runtime=runtime, marks=marks or ReadMarks(),
        prefs=prefs or Preferences(text_speed=0), prefs_dir=save_dir,
        saves=SaveStore(save_dir), story_id=story_id(story),
        options=PlayOptions(**{"view": "chat", **options}),
    )
    set_language("en")
    pygame.display.init()
    app = App(session, clock=FakeClock())
    app.open_window()
    app.running = True
    pygame.event.clear()
    app.start_reading()
    app.step(max_wait=0)
    return app


@pytest.fixture(autouse=True)
def _quit_pygame():
    before = language()
    yield
    pygame.display.quit()
    set_language(before)  # shots pick the story's language; leave other tests theirs


def key(app: App, k: int, up: bool = False) -> None:
    kind = pygame.KEYUP if up else pygame.KEYDOWN
    pygame.event.post(pygame.event.Event(kind, key=k, mod=0, unicode="", scancode=0))
    app.step(max_wait=0)


def click(app: App, pos: tuple[int, int]) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    app.step(max_wait=0)


def wheel(app: App, y: int) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=y, flipped=False))
    app.step(max_wait=0)


def tick(app: App, seconds: float, steps: int = 1) -> None:
    """Let `seconds` pass on the app's clock, in `steps` loop turns."""
    for _ in range(steps):
        app.clock.now += seconds / steps  # type: ignore[attr-defined]
        app.step(max_wait=0)


def flat(app: App) -> int:
    rt = app.session.runtime
    return rt.flat_index(rt.cursor)


def chat(app: App) -> ChatScreen:
    screen = app.reading_screen()
    assert isinstance(screen, ChatScreen)
    return screen


# --- drawing and reading -------------------------------------------------------------


def test_chat_view_draws_the_conversation(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, start=12)
    screen = chat(app)
    assert app.frames_drawn >= 1
    assert screen.last_info is not None and screen.last_info.blocks >= 3
    assert screen.count == 13  # the column ends with the cursor's message
    assert app.first_message_frame_at is not None


def test_typing_indicator_then_the_message_and_click_shows_it_at_once(tmp_path: Path) -> None:
    app = make_app(write_log(tmp_path, 40), tmp_path / "s")
    screen = chat(app)
    key(app, pygame.K_SPACE)
    assert flat(app) == 1 and screen.typing is not None and screen.count == 1
    wait = typing_time(screen.typing)
    tick(app, wait / 2)
    assert screen.typing is not None
    tick(app, wait)  # the typist finished: the bubble slides in
    assert screen.typing is None and screen.count == 2 and screen.slide is not None
    tick(app, 1.0)
    assert screen.slide is None
    key(app, pygame.K_SPACE)
    assert screen.typing is not None
    click(app, (640, 360))  # a click shows it at once
    assert screen.typing is None and screen.count == 3
    assert app.session.marks.is_read(app.session.runtime.message)


def test_typing_indicator_setting_off_and_narration_never_types(tmp_path: Path) -> None:
    app = make_app(write_log(tmp_path, 40), tmp_path / "s",
                   prefs=Preferences(text_speed=0, typing_indicator=False))
    screen = chat(app)
    key(app, pygame.K_SPACE)
    assert screen.typing is None and screen.count == 2
    app2 = make_app(write_log(tmp_path, 40), tmp_path / "s2", start=9)
    key(app2, pygame.K_SPACE)  # message 10 is narration: no one types it
    assert app2.session.runtime.message.speaker is None
    assert chat(app2).typing is None


def test_auto_mode_advances_after_typing_and_the_delay(tmp_path: Path) -> None:
    app = make_app(write_log(tmp_path, 40), tmp_path / "s")
    key(app, pygame.K_a)
    assert app.session.auto
    tick(app, 30.0, steps=60)
    assert flat(app) >= 3


def test_skip_stops_at_the_first_unread_message(tmp_path: Path) -> None:
    story = load_story(write_log(tmp_path, 40))
    marks = ReadMarks()
    for m in story.scenes[0].scene.messages[:6]:
        marks.mark(m)
    app = make_app(tmp_path / "chat.log", tmp_path / "s", marks=marks)
    key(app, pygame.K_s)
    tick(app, 2.0, steps=40)
    assert flat(app) == 6 and not app.session.skipping


# --- views and saves -------------------------------------------------------------------


def test_switch_views_mid_scene_and_back_keeps_the_message(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=0, typing_indicator=False))
    for _ in range(5):
        key(app, pygame.K_SPACE)
    assert flat(app) == 5
    key(app, pygame.K_TAB)
    assert isinstance(app.reading_screen(), ReadingScreen) and flat(app) == 5
    key(app, pygame.K_TAB)
    assert isinstance(app.reading_screen(), ChatScreen) and flat(app) == 5
    assert chat(app).count == 6


def test_a_save_made_in_chat_view_loads_back_in_chat_view(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, start=7)
    key(app, pygame.K_F5)
    quick = app.session.saves.read("quick")
    assert isinstance(quick, SaveData) and quick.position.flat == 7 and quick.view == "chat"
    app.session.runtime.jump(Cursor(0, 0))
    key(app, pygame.K_TAB)  # read on in the text box...
    assert isinstance(app.reading_screen(), ReadingScreen)
    key(app, pygame.K_F9)  # ...and the quick save brings back its place and its view
    assert isinstance(app.reading_screen(), ChatScreen) and flat(app) == 7


def test_toasts_in_the_chat_view_stay_clear_of_the_header(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, start=5)
    key(app, pygame.K_TAB)
    key(app, pygame.K_TAB)  # two toasts: "text box", then "chat"
    app.toast("再読み込みしました：01-yoru.log")
    header = chat(app).geo.header
    rects = [rect for _, rect in app.toast_rects()]
    assert len(rects) == 3
    assert all(rect.top > header.bottom for rect in rects)
    assert all(a.bottom <= b.top for a, b in zip(rects, rects[1:], strict=False))  # stacked


def test_the_settings_preview_shows_the_view_being_read(tmp_path: Path, monkeypatch) -> None:
    from engine.app import chatpaint as chat_module

    drawn: list[int] = []
    real = chat_module.ChatPainter.draw

    def spy(self, surface, scene, view):
        drawn.append(view.count)
        return real(self, surface, scene, view)

    app = make_app(DEMO, tmp_path, start=5)
    app.open("settings")
    monkeypatch.setattr(chat_module.ChatPainter, "draw", spy)
    settings = app.top
    chat_preview = settings.preview().copy()
    assert drawn == [6]  # the chat column up to the current message
    app.session.options.view = "adv"  # as after Tab: the text-box frame instead
    adv_preview = settings.preview()
    assert drawn == [6]
    assert pygame.image.tobytes(adv_preview, "RGB") != pygame.image.tobytes(chat_preview, "RGB")


# --- scrolling -----------------------------------------------------------------------------


def test_scroll_back_and_return(tmp_path: Path) -> None:
    app = make_app(write_log(tmp_path, 300), tmp_path / "s", start=200)
    screen = chat(app)
    for _ in range(5):
        wheel(app, 1)
    assert screen.scroll > JUMP_AFTER
    assert flat(app) == 200  # scrolling never moves the place
    geo = screen.geo
    # The button sits in its own gutter, right of the column and its scroll bar:
    # it covers no bubble (QA saw it over the right-hand bubbles' text).
    assert geo.jump.left > geo.view.right + 8 and app.canvas.get_rect().contains(geo.jump)
    click(app, geo.jump.center)  # the jump-to-latest button
    tick(app, 1.0, steps=10)
    assert screen.scroll == 0.0
    key(app, pygame.K_PAGEUP)
    tick(app, 1.0, steps=10)
    assert screen.scroll > geo.view.height / 2
    key(app, pygame.K_END)
    tick(app, 1.0, steps=10)
    assert screen.scroll == 0.0


def test_home_reaches_the_first_message_and_keys_scroll(tmp_path: Path) -> None:
    app = make_app(write_log(tmp_path, 300), tmp_path / "s", start=250)
    screen = chat(app)
    key(app, pygame.K_HOME)
    tick(app, 1.0, steps=10)
    tick(app, 0.1)  # one more frame: heights measured at the top settle the limit
    assert screen.last_info is not None and screen.last_info.top <= 1.0
    before = screen.scroll
    key(app, pygame.K_DOWN)
    assert screen.scroll < before
    key(app, pygame.K_UP)
    assert screen.scroll == pytest.approx(before, abs=1.0)


def test_drag_scrolls_and_a_still_press_advances(tmp_path: Path) -> None:
    app = make_app(write_log(tmp_path, 100), tmp_path / "s", start=80,
                   prefs=Preferences(text_speed=0, typing_indicator=False))
    screen = chat(app)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(640, 300), button=1))
    for y in range(310, 500, 20):
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(640, y), rel=(0, 20),
                                             buttons=(1, 0, 0)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(640, 490), button=1))
    app.step(max_wait=0)
    assert screen.scroll > 100 and flat(app) == 80  # a drag is not a click
    click(app, (640, 300))
    assert flat(app) == 81
    tick(app, 1.0, steps=10)  # going on brings the reader back to the latest
    assert screen.scroll == 0.0


def test_message_arriving_while_scrolled_back_keeps_the_view(tmp_path: Path) -> None:
    app = make_app(write_log(tmp_path, 100), tmp_path / "s", start=60,
                   prefs=Preferences(text_speed=0, typing_indicator=False))
    screen = chat(app)
    wheel(app, 2)
    tick(app, 0.05)
    app.dirty = True  # idle turns may have prepared blocks above since the last frame
    app.step(max_wait=0)
    col = screen.painter.column(screen.geo)
    assert screen.last_info is not None
    middle = col.index_at(screen.last_info.top + screen.geo.view.height / 2)
    on_screen = col.top_of(middle) - screen.last_info.top  # where that bubble is drawn
    key(app, pygame.K_a)  # auto brings the next message while the reader looks back
    tick(app, 20.0, steps=10)
    app.dirty = True  # the same after the new message: compare frames drawn from now
    app.step(max_wait=0)
    assert flat(app) > 60 and screen.unseen >= 1
    assert col.top_of(middle) - screen.last_info.top == pytest.approx(on_screen, abs=1.0)


# --- cost stays flat --------------------------------------------------------------------


def test_ten_thousand_messages_draw_cost_is_independent_of_history(tmp_path: Path) -> None:
    path = write_log(tmp_path, 10_000)
    costs = {}
    for start in (30, 9_990):
        app = make_app(path, tmp_path / f"s{start}", start=start)
        screen = chat(app)
        painter = screen.painter
        col = painter.column(screen.geo)
        layouts0, blits0 = col.bubbles.layout_calls, painter.stats.bubble_blits
        for _ in range(12):
            wheel(app, 1)
        tick(app, 0.05)
        costs[start] = (col.bubbles.layout_calls - layouts0, painter.stats.bubble_blits - blits0)
        assert sum(col.measured(i) for i in range(col.total)) < 150  # only what was on screen
        pygame.display.quit()
    (lay_a, blit_a), (lay_b, blit_b) = costs[30], costs[9_990]
    assert blit_a > 0 and lay_a > 0
    assert blit_b <= 2 * blit_a + 20 and blit_a <= 2 * blit_b + 20
    assert lay_b <= 2 * lay_a + 40 and lay_a <= 2 * lay_b + 40


def test_prefetch_prepares_blocks_ahead_a_step_at_a_time(tmp_path: Path) -> None:
    app = make_app(write_log(tmp_path, 300), tmp_path / "s", start=299)
    screen = chat(app)
    painter, geo = screen.painter, screen.geo
    col = painter.column(geo)
    view = screen.view_state()
    view.scroll = 400.0  # scrolled back: look above the window
    layouts, runs = col.bubbles.layout_calls, 0
    while painter.prefetch(geo.size, view, seconds=0.0):  # one piece per call
        runs += 1
        assert col.bubbles.layout_calls - layouts <= runs  # never more than one layout a piece
    top = col.height() - (view.scroll - col.geo.run_gap) - geo.view.height
    ahead = list(col.ahead(top, top + geo.view.height, True, PREFETCH_AHEAD))
    assert len(ahead) == PREFETCH_AHEAD and runs >= PREFETCH_AHEAD
    for i in ahead:  # laid out and rendered: showing them costs a blit
        blk = col.cached_block(i)
        assert blk is not None and painter._has_surface(blk)
    # Scrolling the other way (toward the latest) looks below the window instead.
    view.scroll = 200.0
    painter.prefetch(geo.size, view, seconds=0.0)
    assert painter._prefetch_up is False


def test_prefetch_after_a_scroll_runs_in_idle_turns_then_stops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Idle turns get a slice no loaded machine can overrun, so what is tested is
    # the bounded turns and the blocks made ready, not this machine's speed.
    monkeypatch.setattr("engine.app.chat.PREFETCH_IDLE_SLICE", 1.0)
    app = make_app(write_log(tmp_path, 300), tmp_path / "s", start=299)
    screen = chat(app)
    tick(app, 1.0, steps=5)
    assert screen.wake_in() is None
    wheel(app, 3)  # one frame for the scroll, then idle turns prepare the blocks above
    drawn = app.frames_drawn
    col = screen.painter.column(screen.geo)
    assert screen.wake_in() is not None
    turns = 0
    while screen.wake_in() is not None:
        app.step(max_wait=0)
        turns += 1
        assert turns <= PREFETCH_IDLE_TURNS
    assert app.frames_drawn == drawn  # nothing visible changed: no frame drawn
    # The scroll's frame and the idle turns after it got the blocks above ready. (The
    # window is anchored at the latest message: measuring blocks above it moved its
    # top in column coordinates, so it is found again, as the painter finds it.)
    view = screen.view_state()
    top = col.height() - (view.scroll - view.gap - col.geo.run_gap) - screen.geo.view.height
    for i in col.ahead(top, top + screen.geo.view.height, True, PREFETCH_AHEAD):
        blk = col.cached_block(i)
        assert blk is not None and screen.painter._has_surface(blk)
    for _ in range(3):
        app.step(max_wait=0)
    assert app.frames_drawn == drawn and screen.wake_in() is None


def test_an_unchanged_frame_builds_no_bubble(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, start=12)
    screen = chat(app)
    builds = screen.painter.stats.bubble_builds
    app.dirty = True
    app.step(max_wait=0)
    assert screen.painter.stats.bubble_builds == builds


# --- headless shots ------------------------------------------------------------------------


def test_render_chat_shot_draws_message_n_latest() -> None:
    story = load_story(DEMO)
    image = render_chat_shot(story, 12, (640, 360))
    assert image.get_size() == (640, 360)
    # Something besides the backdrop: bubble fills differ from the darkened background.
    colors = {image.get_at((x, y))[:3] for x in range(0, 640, 16) for y in range(40, 320, 16)}
    assert len(colors) > 20


def test_draw_shot_on_a_surface_with_given_fonts() -> None:
    pygame.init()
    story = load_story(DEMO)
    surface = pygame.Surface((1280, 720))
    info = draw_shot(story, 3, surface, Preferences(), FontSet(default_font_path()))
    assert info.blocks >= 3


def test_idle_chat_draws_nothing(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, start=12)
    tick(app, 1.0, steps=5)  # let anything pending settle
    drawn = app.frames_drawn
    assert chat(app).wake_in() is None
    for _ in range(5):
        app.step(max_wait=0)
    assert app.frames_drawn == drawn


def test_rollback_from_the_backlog_shows_the_earlier_place(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, start=12)
    screen = chat(app)
    app.push(Screen(app))  # any screen on top, like the backlog
    app.session.runtime.jump(app.session.runtime.cursor_at(5))
    app.pop()
    app.step(max_wait=0)
    assert screen.count == 6 and screen.scroll == 0.0


def test_story_yaml_scene_views_take_over_at_a_scene_change(tmp_path: Path) -> None:
    # The demo's scene 0 is a chat, scene 1 a text-box scene (story.yaml `view:`).
    app = make_app(DEMO, tmp_path, start=26, view=None,
                   prefs=Preferences(text_speed=0, typing_indicator=False))
    assert isinstance(app.reading_screen(), ChatScreen)
    key(app, pygame.K_SPACE)
    assert flat(app) == 27 and isinstance(app.reading_screen(), ReadingScreen)


def test_a_chosen_view_is_kept_across_scenes(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, start=26, prefs=Preferences(text_speed=0, typing_indicator=False))
    key(app, pygame.K_SPACE)
    assert flat(app) == 27 and isinstance(app.reading_screen(), ChatScreen)


def test_text_size_setting_relays_out_the_bubbles(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path, start=12)
    screen = chat(app)
    before = screen.painter.column(screen.geo).block(12).bubble.layout.settings.size
    app.session.update_prefs(text_size=40)
    screen.on_resume()  # what happens when the settings screen closes
    app.dirty = True
    app.step(max_wait=0)
    after = screen.painter.column(screen.geo).block(12).bubble.layout.settings.size
    assert after > before and screen.last_info is not None and screen.last_info.blocks > 0


def _with_monologue(folder: Path, count: int, at: int, chars: int = 600) -> Path:
    """write_log's script with message `at` replaced by a long monologue."""
    path = write_log(folder, count)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1 + at] = "SORA: " + "".join(TEXTS[i % len(TEXTS)] for i in range(60))[:chars]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_long_message_far_ahead_is_prepared_before_the_near_ones(tmp_path: Path) -> None:
    from engine.app.chatpaint import LONG_BLOCK, PREFETCH_AHEAD, PREFETCH_FAR

    app = make_app(_with_monologue(tmp_path, 300, at=260), tmp_path / "s", start=299)
    screen = chat(app)
    painter, geo = screen.painter, screen.geo
    col = painter.column(geo)
    assert len(col.message(260).text) >= LONG_BLOCK
    view = screen.view_state()
    view.scroll = 40.0  # scrolled back a little: the monologue is far above the window
    top = col.height() - (view.scroll - view.gap - col.geo.run_gap) - geo.view.height
    ahead = list(col.ahead(top, top + geo.view.height, True, PREFETCH_FAR))
    assert 260 in ahead and 260 not in ahead[:PREFETCH_AHEAD]
    assert any(col.cached_block(i) is None for i in ahead[:PREFETCH_AHEAD])  # near work waits
    painter.prefetch(geo.size, view, seconds=0.0)
    assert painter._job is not None and painter._job[1] == 260


def test_a_block_shown_while_being_prepared_is_finished_not_laid_out_again(
        tmp_path: Path) -> None:
    from engine.chatlayout import BubbleLayout

    app = make_app(_with_monologue(tmp_path, 300, at=290), tmp_path / "s", start=299)
    screen = chat(app)
    painter, geo = screen.painter, screen.geo
    col = painter.column(geo)
    col.count = 300
    monologue = col.message(290).runs
    long_calls = []  # the layout core's calls on the monologue's text (split or not)
    real = col.bubbles.layout_steps

    def counted(runs, width, settings):  # type: ignore[no-untyped-def]
        if sum(len(getattr(r, "text", "")) for r in runs) > 500:
            long_calls.append(width)
        return (yield from real(runs, width, settings))

    col.bubbles.layout_steps = counted  # type: ignore[method-assign]
    view = screen.view_state()
    view.scroll = 10.0
    painter.prefetch(geo.size, view, seconds=0.0)  # one piece of the monologue's work
    assert painter._job is not None and painter._job[1] == 290 and col.cached_block(290) is None
    view.scroll = col.height() - col.top_of(291)  # the window's bottom at the monologue's foot
    painter.draw(app.canvas, app.session.runtime.scene_ref, view)
    assert col.cached_block(290) is not None and painter._job is None
    # Its layout went on from where the prefetch left it: as many calls as laying it
    # out once, from scratch, takes.
    once = BubbleLayout(col.bubbles.measure)
    once.bubble(*col._request(col.message(290), 290))
    assert monologue and len(long_calls) == once.layout_calls
