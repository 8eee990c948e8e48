"""The window, the main loop, the screen stack, and the Session shared by all screens.

See the package docstring (`engine/app/__init__.py`) for how the pieces fit.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import io
import sys
import time
from collections.abc import Callable
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pygame

from engine.app import input as inp
from engine.app.assets import Assets
from engine.app.audio import Audio
from engine.app.i18n import pick_language, set_language, tr
from engine.app.screen import Screen
from engine.diskio import plain_error
from engine.model import Story, record
from engine.preferences import Preferences, save_prefs
from engine.runtime import (
    NOTE_ADJUSTED,
    NOTE_EDITED,
    NOTE_MOVED,
    NOTE_NEAREST,
    NOTE_NEW_LINES,
    Anchor,
    Cursor,
    ReadMarks,
    Runtime,
    locate,
    save_position,
)
from engine.saves import Damaged, SaveData, SaveStore, SavingOff, Slot

if TYPE_CHECKING:
    from engine.app.frame import Frame
    from engine.app.ui import UiText

CANVAS = (1280, 720)
FPS = 60  # cap while something animates; idle frames are not drawn at all
TOAST_SECONDS = 2.5
MARKS_EVERY = 30.0  # seconds between periodic read-mark saves while reading
SWITCH_INTERVAL = 0.001  # seconds a worker thread may hold the interpreter while the loop waits

# name -> (module, class, keyword arguments): screens opened with App.open(name).
# A module that does not exist yet shows a one-line "not available" toast.
SCREENS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "title": ("engine.app.title", "TitleScreen", {}),
    "scenes": ("engine.app.title", "SceneSelectScreen", {}),
    "backlog": ("engine.app.backlog", "BacklogScreen", {}),
    "save": ("engine.app.saveload", "SaveLoadScreen", {"mode": "save"}),
    "load": ("engine.app.saveload", "SaveLoadScreen", {"mode": "load"}),
    "settings": ("engine.app.settings_screen", "SettingsScreen", {}),
    "menu": ("engine.app.gamemenu", "GameMenuScreen", {}),
}
# view name -> (module, class): the screens that show the story while reading.
VIEWS: dict[str, tuple[str, str]] = {
    "adv": ("engine.app.reading", "ReadingScreen"),
    "chat": ("engine.app.chat", "ChatScreen"),
}


# engine.runtime's notes (where a save or a reload put the reader) -> interface keys.
NOTE_KEYS = {NOTE_MOVED: "note_moved", NOTE_NEAREST: "note_nearest",
             NOTE_NEW_LINES: "note_new_lines", NOTE_EDITED: "note_edited",
             NOTE_ADJUSTED: "note_adjusted"}


def note_text(note: str | None) -> str | None:
    """A runtime note (`engine.runtime.NOTE_*`) in the interface language (None stays None)."""
    if note is None:
        return None
    key = NOTE_KEYS.get(note)
    return tr(key) if key else note


@record(frozen=False)
class PlayOptions:
    """What the command line asked for."""

    view: str | None = None  # forces the view; None: settings, scene, story
    autoplay: bool = False  # start reading at once in auto mode
    quit_at_end: bool = False  # leave when the last message has been read
    fast: bool = False  # no waits: typewriter, auto delay and frame cap all off
    benchmark: bool = False  # print frame statistics at exit
    first_frame_exit: bool = False  # leave right after the first message's frame
    start: Cursor | None = None  # start reading here (skips the title)
    window_size: tuple[int, int] | None = None

    def __init__(
        self,
        view: str | None = None,
        autoplay: bool = False,
        quit_at_end: bool = False,
        fast: bool = False,
        benchmark: bool = False,
        first_frame_exit: bool = False,
        start: Cursor | None = None,
        window_size: tuple[int, int] | None = None,
    ) -> None:
        self.view = view
        self.autoplay = autoplay
        self.quit_at_end = quit_at_end
        self.fast = fast
        self.benchmark = benchmark
        self.first_frame_exit = first_frame_exit
        self.start = start
        self.window_size = window_size


@record(frozen=False, slots=False)
class Session:
    """Everything the screens share: the story, the reader's place and the player's choices.

    Screens read and change these; none of them owns them. Heavy pieces
    (fonts, text renderer) are created on first use so start-up stays quick.
    """

    story: Story
    runtime: Runtime
    marks: ReadMarks
    prefs: Preferences
    prefs_dir: Path
    saves: SaveStore
    story_id: str
    options: PlayOptions = field(default_factory=PlayOptions)
    assets: Assets = field(default_factory=Assets)
    audio: Audio | None = None
    auto: bool = False  # auto mode on (shared by the adv and chat views)
    skip: bool = False  # skip toggled on with S / the quick menu
    skip_held: bool = False  # Ctrl held down
    _fonts: Any = None
    _renderer: Any = None
    _ui_text: Any = None
    _frame: Any = None
    _marks_saved_at: float = 0.0
    _marks_writer: Any = None
    _prefs_warned: bool = False
    _voice: Any = None
    _learner: Any = None

    def __init__(
        self,
        story: Story,
        runtime: Runtime,
        marks: ReadMarks,
        prefs: Preferences,
        prefs_dir: Path,
        saves: SaveStore,
        story_id: str,
        options: PlayOptions | None = None,
        assets: Assets | None = None,
        audio: Audio | None = None,
        auto: bool = False,
        skip: bool = False,
        skip_held: bool = False,
    ) -> None:
        self.story = story
        self.runtime = runtime
        self.marks = marks
        self.prefs = prefs
        self.prefs_dir = prefs_dir
        self.saves = saves
        self.story_id = story_id
        self.options = PlayOptions() if options is None else options
        self.assets = Assets() if assets is None else assets
        self.audio = audio
        self.auto = auto
        self.skip = skip
        self.skip_held = skip_held
        self._fonts = None
        self._renderer = None
        self._ui_text = None
        self._frame = None
        self._marks_saved_at = 0.0
        self._marks_writer = None
        self._voice = None
        self._learner = None
        self.__post_init__()

    def __post_init__(self) -> None:
        if self.audio is None:
            self.audio = Audio(self.assets, self.prefs.music_volume, self.prefs.sound_volume)

    # --- text -------------------------------------------------------------

    @property
    def font_path(self) -> Path:
        from engine.render import default_font_path

        return Path(self.story.font) if self.story.font else Path(default_font_path())

    @property
    def fonts(self) -> Any:
        """The story's FontSet (engine.render), loaded on first use."""
        if self._fonts is None:
            from engine.render import FontSet

            self._fonts = FontSet(self.font_path, tuple(self.story.fallback_fonts))
        return self._fonts

    @property
    def renderer(self) -> Any:
        """The shared TextRenderer, so every screen reuses one glyph and layout cache."""
        if self._renderer is None:
            from engine.render import TextRenderer

            # A few pages are enough: the box shows one, the backlog a screenful.
            self._renderer = TextRenderer(self.fonts, page_cache=12)
        return self._renderer

    @property
    def frame(self) -> Frame:
        """The shared reading-frame drawer (layout and box caches), for views and thumbnails."""
        if self._frame is None:
            from engine.app.frame import Frame

            self._frame = Frame(self.story, self.assets, self.renderer, self.ui_text, self.prefs)
        self._frame.prefs = self.prefs
        return self._frame

    @property
    def ui_text(self) -> UiText:
        """Interface labels in the story's font."""
        if self._ui_text is None:
            from engine.app.ui import UiText

            self._ui_text = UiText(self.fonts.primary)
        return self._ui_text

    # --- reading state ----------------------------------------------------

    @property
    def skipping(self) -> bool:
        return self.skip or self.skip_held

    def view_for(self, scene: int | None = None) -> str:
        """The view to read in: the player's choice, else the scene's (see the package docstring).

        This session's choice (``options.view``: --view, Tab, or a loaded
        save's view) first, then the Settings view, then story.yaml.
        """
        return self.options.view or self.default_view(scene)

    def default_view(self, scene: int | None = None) -> str:
        """The view without this session's choice: the Settings view, else story.yaml's."""
        if self.prefs.view:
            return self.prefs.view
        ref = self.story.scenes[self.runtime.cursor.scene if scene is None else scene]
        return ref.config.view or self.story.view

    @property
    def view_chosen(self) -> bool:
        """Whether the player picked a view (Tab, Settings, --view, a loaded save's choice)."""
        return bool(self.options.view or self.prefs.view)

    def mark_read(self, now: float) -> None:
        """Mark the message on screen read; persist every MARKS_EVERY seconds."""
        self.marks.mark(self.runtime.message)
        if self.marks.dirty and now - self._marks_saved_at >= MARKS_EVERY:
            self.save_marks(now)

    @property
    def marks_writer(self) -> Any:
        """The MarksWriter (engine.marksfile) that saves marks off the main loop."""
        if self._marks_writer is None:
            from engine.marksfile import MarksWriter

            self._marks_writer = MarksWriter(self.saves.marks_file, self.marks)
        return self._marks_writer

    def save_marks(self, now: float | None = None, final: bool = False) -> None:
        """Save the marks made since the last save: on the writer's thread, or now if `final`.

        The main loop only hands them over (a save never holds a frame);
        `final` (quitting) waits for the thread and writes what is left, once.
        A disk that refuses is said once, as a warning.
        """
        writer = self.marks_writer
        if final:
            writer.close()
        elif self.marks.dirty:
            writer.request()
        news = writer.news()
        if news is not None:
            self.assets.warn(news)
        self._marks_saved_at = time.monotonic() if now is None else now

    # --- saves ------------------------------------------------------------

    def save_data(self, view: str = "adv") -> SaveData:
        """A save of the current position."""
        rt = self.runtime
        return SaveData.new(
            story_id=self.story_id,
            story_title=self.story.title,
            position=save_position(self.story, rt.cursor, rt),
            scene_title=rt.scene_ref.scene.title,
            text=rt.message.text.replace("\n", " "),
            view=view if view in ("adv", "chat") else "adv",
            read_count=len(self.marks),
        )

    def write_save(self, slot: Slot, view: str = "adv", thumbnail_png: bytes | None = None) -> bool:
        """Save the current position into a slot; False (with a warning) if the disk refuses."""
        try:
            self.saves.write(slot, self.save_data(view), thumbnail_png)
            return True
        except SavingOff:  # said once at start; the save and load screens say it too
            return False
        except OSError as exc:
            self.assets.warn(f"cannot save to slot {slot}: {plain_error(exc)} ({exc.filename})"
                             if exc.filename else f"cannot save to slot {slot}: {plain_error(exc)}")
            return False

    def restore(self, data: SaveData) -> str | None:
        """Move the reader to a save's place (found again after edits); a note if it moved."""
        cursor, note = locate(self.story, data.position)
        self.runtime.jump(cursor, new_history=True)
        # The save's view comes back. It is held as the player's choice only
        # where it differs from what Settings/story.yaml pick there: a save
        # records the view, not whether it was chosen, and a view the story
        # picks anyway must keep following story.yaml at later scene changes.
        self.options.view = None if data.view == self.default_view() else data.view
        return note

    def latest_save(self) -> SaveData | None:
        """The newest usable save for Continue; damaged files are passed over."""
        found = self.saves.latest()
        return None if found is None or isinstance(found[1], Damaged) else found[1]

    # --- live reload ----------------------------------------------------------

    def replace_story(self, story: Story, since: Anchor | None = None) -> str | None:
        """Swap in an edited version of the story (live reload), keeping the reader's place.

        The runtime is relocated in place (`Runtime.reload`: the same message,
        the first line inserted above it in its scene, the edited line found
        by content, or the nearest one); the
        frame and its layout caches are dropped, and the fonts are loaded
        again if story.yaml changed them. Returns the relocation's note
        (engine.runtime NOTE_*; None when the place did not move). Raises
        EmptyStoryError, changing nothing, if `story` has no message. Then
        call `App.story_replaced` to show it. `since`: relocate from that
        version and place instead of the current ones (`Runtime.reload`).
        """
        old = self.story
        note = self.runtime.reload(story, since)
        self.story = story
        if (story.font, tuple(story.fallback_fonts)) != (old.font, tuple(old.fallback_fonts)):
            self._fonts = self._renderer = self._ui_text = None
        self._frame = None
        if self._voice is not None:
            self._voice.set_story(story)  # new voices, readings and recorded lines
        if self._learner is not None:
            self._learner.set_story(story)  # new readings: furigana made again
        if story.ui_language != old.ui_language and self.prefs.language is None:
            from engine.preferences import system_language

            set_language(pick_language(None, story.ui_language, system_language()))
        return note

    # --- settings -----------------------------------------------------------

    @property
    def voice(self) -> Any:
        """The self-voicing player (engine.app.voice) while the setting is on, else None."""
        if self._voice is None and self.prefs.self_voicing:
            from engine.app.voice import VoicePlayer, speech_options

            assert self.audio is not None
            self._voice = VoicePlayer(self.audio, self.story, self.prefs.voice_volume,
                                      speech_options(self.prefs))
        return self._voice if self.prefs.self_voicing else None

    @property
    def learning(self) -> bool:
        """Whether learner mode is in use (its modules are imported only then)."""
        prefs = self.prefs
        return self._learner is not None or prefs.furigana != "off" or prefs.dictionary != "off"

    @property
    def learner(self) -> Any:
        """Learner mode (engine.app.learn_mode.Learner): furigana, the popup dictionary."""
        if self._learner is None:
            from engine.app.learn_mode import Learner

            self._learner = Learner(self.story, lambda: self.prefs)
        return self._learner

    def update_prefs(self, **changes: Any) -> None:
        """Change settings, apply what applies at once, and persist them."""
        self.prefs = dataclasses.replace(self.prefs, **changes)
        assert self.audio is not None
        self.audio.set_volumes(self.prefs.music_volume, self.prefs.sound_volume)
        if self._voice is not None:
            from engine.app.voice import speech_options

            self._voice.set_volume(self.prefs.voice_volume)
            self._voice.set_options(speech_options(self.prefs))
            if not self.prefs.self_voicing:
                self._voice.stop()
        if "language" in changes:
            from engine.preferences import system_language

            set_language(pick_language(self.prefs.language, self.story.ui_language,
                                       system_language()))
        if self.saves.problem is not None and Path(self.prefs_dir) == self.saves.folder:
            return  # saving is off (said at start): the settings hold for this session
        try:
            save_prefs(self.prefs_dir, self.prefs)
        except OSError as exc:
            if not self._prefs_warned:  # once: every later change would fail the same way
                self._prefs_warned = True
                self.assets.warn(f"cannot save settings: {plain_error(exc)}")


class Overlay(Protocol):
    """Something drawn over every screen (App.set_overlay)."""

    def draw(self, surface: pygame.Surface) -> object:
        """Paint over the finished frame; may return the pygame.Rect it covers (toasts avoid it)."""


@record(frozen=False)
class Toast:
    text: str
    until: float

    def __init__(self, text: str, until: float) -> None:
        self.text = text
        self.until = until


class App:
    """The window and the loop over a stack of screens.

    The loop draws only when a screen says something changed, and otherwise
    blocks in pygame.event.wait — with a timeout only when a screen, a toast
    or the music has a timer pending.
    """

    def __init__(self, session: Session, clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.clock = clock
        self.screens: list[Screen] = []
        self.frames_drawn = 0
        self.frame_times: list[float] = []
        self.first_message_frame_at: float | None = None  # perf_counter when it was presented
        self._first_message_drawn = False  # a view drew it on the canvas being drawn
        self.running = False
        self.exit_code = 0
        self.dirty = True
        self.partial_ok = False  # during draw: only screen timers asked for this frame
        self.fullscreen = False
        self.minimized = False  # a minimized window: screen timers do not wake the loop
        self.toasts: list[Toast] = []
        self.canvas: pygame.Surface | None = None
        self._window: pygame.Surface | None = None
        self._letterbox = pygame.Rect(0, 0, *CANVAS)
        self._last_update = clock()
        self._last_draw = 0.0
        self._timers: list[list[Any]] = []  # [due, period, callback]
        self.overlay: Overlay | None = None  # drawn over every screen (set_overlay)
        self._overlay_rect: pygame.Rect | None = None  # what the overlay covered when last drawn

    # --- the window -----------------------------------------------------------

    def open_window(self, size: tuple[int, int] | None = None, fullscreen: bool = False) -> None:
        """Open (or reopen) the window; the canvas stays 1280×720 and is letterboxed."""
        if not pygame.display.get_init():
            pygame.display.init()
        pygame.display.set_caption(self.session.story.title)
        if self._window is None:  # some systems take an icon only before the first window
            self._set_icon()
        self.fullscreen = fullscreen
        if fullscreen:
            self._window = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            self._window = pygame.display.set_mode(size or CANVAS, pygame.RESIZABLE)
        self._fit_canvas()

    def _set_icon(self) -> None:
        """The window icon story.yaml names; an unreadable file keeps pygame's own
        (`check` reports a missing one)."""
        icon = self.session.story.icon
        if icon is None or not icon.is_file():
            return
        try:
            pygame.display.set_icon(pygame.image.load(str(icon)))
        except (pygame.error, OSError) as exc:
            print(f"chatlog-vn: icon {icon.name}: {exc}; the default icon is used", file=sys.stderr)

    def _fit_canvas(self) -> None:
        window = pygame.display.get_surface()
        self._window = window
        ww, wh = window.get_size()
        if (ww, wh) == CANVAS:
            self.canvas = window  # draw straight into the window: no scaling cost
            self._letterbox = pygame.Rect(0, 0, *CANVAS)
        else:
            if self.canvas is None or self.canvas is window or self.canvas.get_size() != CANVAS:
                self.canvas = pygame.Surface(CANVAS).convert()
            k = min(ww / CANVAS[0], wh / CANVAS[1])
            w, h = max(1, round(CANVAS[0] * k)), max(1, round(CANVAS[1] * k))
            self._letterbox = pygame.Rect((ww - w) // 2, (wh - h) // 2, w, h)
        self.dirty = True

    def toggle_fullscreen(self) -> None:
        """F11 / Alt+Enter: switch between a window and the full screen."""
        self.open_window(self.session.options.window_size, not self.fullscreen)
        if self.session.prefs.fullscreen != self.fullscreen:
            self.session.update_prefs(fullscreen=self.fullscreen)

    def to_canvas(self, pos: tuple[int, int]) -> tuple[int, int]:
        """A window position in canvas coordinates (through the letterbox)."""
        box = self._letterbox
        x = (pos[0] - box.x) * CANVAS[0] / max(1, box.width)
        y = (pos[1] - box.y) * CANVAS[1] / max(1, box.height)
        return int(x), int(y)

    # --- the stack ------------------------------------------------------------

    @property
    def top(self) -> Screen | None:
        return self.screens[-1] if self.screens else None

    def push(self, screen: Screen) -> Screen:
        """Put a screen on top; it receives input from now on."""
        self.screens.append(screen)
        screen.on_enter()
        self.dirty = True
        return screen

    def pop(self, screen: Screen | None = None) -> None:
        """Remove the top screen (or `screen`, wherever it is) and resume the one below."""
        target = screen if screen is not None else self.top
        if target is None or target not in self.screens:
            return
        was_top = target is self.top
        self.screens.remove(target)
        target.on_exit()
        if was_top and self.top is not None:
            self.top.on_resume()
        self.dirty = True

    def replace(self, screen: Screen) -> Screen:
        """Swap the top screen for another."""
        if self.screens:
            self.screens.pop().on_exit()
        return self.push(screen)

    def reset(self, screen: Screen) -> Screen:
        """Clear the whole stack and show one screen (title, or reading after a load)."""
        while self.screens:
            self.screens.pop().on_exit()
        return self.push(screen)

    def make(self, name: str, **kwargs: Any) -> Screen | None:
        """Build a registered screen; None (and a toast) if its module is not there."""
        module_name, class_name, defaults = SCREENS[name]
        cls = self._import(module_name, class_name, name)
        return None if cls is None else cls(self, **{**defaults, **kwargs})

    def open(self, name: str, **kwargs: Any) -> Screen | None:
        """Push a registered screen by name ("backlog", "save", "load", "settings", "menu")."""
        screen = self.make(name, **kwargs)
        return None if screen is None else self.push(screen)

    def _import(self, module_name: str, class_name: str, label: str) -> type[Screen] | None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            self.toast(tr("not_available", name=label))
            return None
        return getattr(module, class_name)

    # --- reading ------------------------------------------------------------

    def view_screen(self, name: str) -> Screen | None:
        """A new reading screen for a view ("adv" or "chat"); None if that view is missing."""
        module_name, class_name = VIEWS.get(name, VIEWS["adv"])
        cls = self._import(module_name, class_name, tr("view_" + name) if name in VIEWS else name)
        return None if cls is None else cls(self)

    def start_reading(self, cursor: Cursor | None = None, note: str | None = None) -> None:
        """Show the story from `cursor` (default: where the runtime stands) in its view."""
        if cursor is not None:
            self.session.runtime.jump(cursor, new_history=True)
        screen = self.view_screen(self.session.view_for())
        if screen is None:
            screen = self.view_screen("adv")
        assert screen is not None
        self.reset(screen)
        if note:
            self.toast(note)

    def load_game(self, data: SaveData) -> None:
        """Resume a save: find its message again (after edits) and say so if it moved."""
        note = self.session.restore(data)
        self.start_reading(note=note_text(note))

    def switch_view(self, name: str | None = None) -> None:
        """Tab: show the same place in the other view (adv <-> chat)."""
        current = getattr(self.reading_screen(), "view_name", "adv")
        target = name or ("chat" if current == "adv" else "adv")
        screen = self.view_screen(target)
        if screen is None:
            return
        self.session.options.view = target
        self.reset(screen)
        self.toast(tr("view_switched", view=tr("view_" + target)))

    def reading_screen(self) -> Screen | None:
        """The view screen in the stack (under any menus), if reading."""
        for screen in reversed(self.screens):
            if getattr(screen, "view_name", None):
                return screen
        return None

    def go_title(self) -> None:
        """Back to the title screen (autosaving the place first)."""
        reading = self.reading_screen()
        if reading is not None:
            reading.on_quit()
        self.session.audio.stop_music()
        if self.session.voice is not None:
            self.session.voice.stop()
        title = self.make("title")
        if title is not None:
            self.reset(title)

    def save_game(self, slot: Slot) -> bool:
        """Save into a slot with a thumbnail of the reading frame."""
        reading = self.reading_screen()
        view = getattr(reading, "view_name", "adv")
        return self.session.write_save(slot, view, self.thumbnail_png())

    def thumbnail_png(self, size: tuple[int, int] = (256, 144)) -> bytes | None:
        """The reading frame (without menus on top) as PNG bytes, for a save slot."""
        reading = self.reading_screen()
        if reading is None:
            return None
        frame = pygame.Surface(CANVAS)
        # The page complete (not the typewriter's progress): what the save resumes at.
        still = getattr(reading, "draw_still", None)
        (still or reading.draw)(frame)
        small = pygame.transform.smoothscale(frame, size)
        out = io.BytesIO()
        pygame.image.save(small, out, "thumb.png")
        return out.getvalue()

    def screenshot(self) -> Path | None:
        """F12: save the canvas as a PNG in the save folder's screenshots/."""
        if self.canvas is None:
            return None
        folder = self.session.saves.folder / "screenshots"
        path = folder / datetime.now().strftime("shot-%Y%m%d-%H%M%S-%f.png")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.canvas, str(path))
        except (OSError, pygame.error) as exc:
            self.session.assets.warn(f"cannot save screenshot: {exc}")
            return None
        self.toast(tr("saved_screenshot", path=path.name))
        return path

    def toast(self, text: str, seconds: float = TOAST_SECONDS) -> None:
        """A short message over the screen, in the top screen's `toast_area`."""
        self.toasts = [t for t in self.toasts if t.text != text]
        self.toasts.append(Toast(text, self.clock() + seconds))
        self.dirty = True
        if self.session.voice is not None:
            self.session.voice.notify(text)  # self-voicing says it too

    def note_first_message_frame(self) -> None:
        """Called by a view after it drew a message on the canvas.

        The first time, the frame's time is taken once it is presented (on
        screen, as `--benchmark` reports it), and `--first-frame-exit` quits then.
        """
        if self.first_message_frame_at is None:
            self._first_message_drawn = True

    def _first_message_presented(self) -> None:
        self._first_message_drawn = False
        if self.first_message_frame_at is None:
            self.first_message_frame_at = time.perf_counter()
            if self.session.options.first_frame_exit:
                self.quit(0)

    def every(self, seconds: float, callback: Callable[[], object]) -> None:
        """Call `callback` about every `seconds` (e.g. a file watcher's tick); the loop wakes for it."""
        self._timers.append([self.clock() + seconds, seconds, callback])

    def _run_timers(self, now: float) -> None:
        for timer in self._timers:
            if timer[0] <= now:
                timer[0] = now + timer[1]
                timer[2]()

    def story_replaced(self, note: str | None = None) -> None:
        """The session's story was swapped (`Session.replace_story`): show the new place.

        While reading, the view is built again at the runtime's cursor in the
        same view; menus open over it are closed, since they show the old
        version. Other screens (the title) are redrawn. `note` is toasted.
        """
        reading = self.reading_screen()
        if reading is not None:
            screen = self.view_screen(getattr(reading, "view_name", "adv"))
            if screen is not None:
                self.reset(screen)
        if note:
            self.toast(note)
        self.dirty = True

    def set_overlay(self, overlay: Overlay | None) -> None:
        """Draw `overlay` over every screen from now on (None: no overlay).

        An overlay takes no input and has no clocks: the screens under it go
        on as before (live reload's diagnostics panel over a story that keeps
        playing). It is drawn after the screens on every frame.
        """
        self.overlay = overlay
        self.dirty = True

    # --- the loop -------------------------------------------------------------

    def quit(self, code: int = 0) -> None:
        """Close after this loop turn, letting every screen persist what it must."""
        for screen in reversed(self.screens):
            screen.on_quit()
        self.session.save_marks(final=True)
        if self.session.voice is not None:
            self.session.voice.close()
        if self.session._learner is not None:
            self.session._learner.close()
        self.exit_code = code
        self.running = False

    def run(self) -> int:
        """Loop until quit; returns the exit code."""
        self.running = True
        self._last_update = self.clock()
        # Worker threads (read marks, the learner's and the voice's preparers)
        # hand the interpreter back to this loop within 1 ms instead of 5.
        default = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            while self.running:
                self.step()
        finally:
            sys.setswitchinterval(default)
        return self.exit_code

    def step(self, max_wait: float | None = None) -> None:
        """One turn: wait for input or a timer, handle events, update, draw if needed."""
        for event in self._events(self._timeout(max_wait)):
            self.dispatch(event)
            if not self.running:
                return
        now = self.clock()
        dt, self._last_update = now - self._last_update, now
        self._run_timers(now)
        if self.toasts and min(t.until for t in self.toasts) <= now:
            self.toasts = [t for t in self.toasts if t.until > now]
            self.dirty = True
        full = self.dirty
        # Only the top screen runs its clocks: a menu over the story pauses it,
        # and so does a minimized window.
        if self.top is not None and not self.minimized and self.top.update(dt):
            self.dirty = True
        if self.dirty and self._window is not None:
            # Partial frames leave the rest of the canvas as it was, overlay included;
            # an overlay is translucent, so it is drawn over a whole frame each time.
            self.partial_ok = not full and self.overlay is None
            self.draw()
            # Pads are looked for after the first frame: start-up stays quick.
            inp.Gamepads.start()
            if not gc.isenabled() and self.frames_drawn == 1:
                # `chatlog-vn play` pauses the cyclic collector for start-up (engine.cli):
                # what start-up built lives all game long, so it is frozen (never walked
                # again) and collection resumes from here.
                gc.freeze()
                gc.enable()
        # Music and sounds start after the frame they go with is on screen.
        self.session.audio.update()
        if self.session.voice is not None:
            self.session.voice.follow(self.top)  # menus and buttons are read on focus
            self.session.voice.update()

    def _timeout(self, max_wait: float | None) -> float | None:
        """Seconds to wait for input: None blocks until an event, 0 polls."""
        if self.dirty:
            return 0.0
        shown = self.top is not None and not self.minimized
        waits = [self.top.wake_in()] if shown else []
        waits.append(self.session.audio.wake_in())
        if self.session.voice is not None:
            waits.append(self.session.voice.wake_in())
        if self.toasts:
            waits.append(max(0.0, min(t.until for t in self.toasts) - self.clock()))
        if self._timers:
            waits.append(max(0.0, min(t[0] for t in self._timers) - self.clock()))
        pending = [w for w in waits if w is not None]
        timeout = min(pending) if pending else None
        if timeout == 0.0 and not self.session.options.fast:
            # Animating: hold to the frame cap, but keep listening meanwhile.
            timeout = max(0.0, self._last_draw + 1.0 / FPS - time.perf_counter())
        if max_wait is not None:
            timeout = max_wait if timeout is None else min(timeout, max_wait)
        return timeout

    def _events(self, timeout: float | None) -> list[pygame.event.Event]:
        if timeout is None:
            events = [pygame.event.wait()]
        elif timeout > 0.001:
            events = [pygame.event.wait(max(1, int(timeout * 1000)))]
        else:
            events = []
        events.extend(pygame.event.get())
        return [e for e in events if e.type != pygame.NOEVENT]

    def dispatch(self, event: pygame.event.Event) -> None:
        """Handle window events here; give input to the top screen in canvas coordinates."""
        if event.type == pygame.QUIT:
            self.quit(0)
            return
        if event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            self._fit_canvas()
            return
        if event.type in (pygame.WINDOWEXPOSED, pygame.WINDOWRESTORED, pygame.WINDOWSHOWN):
            self.minimized = False
            self.dirty = True
            return
        if event.type in (pygame.WINDOWMINIMIZED, pygame.WINDOWHIDDEN):
            self.minimized = True  # nothing is seen: the story waits until it is back
            return
        if inp.Gamepads.handle_device(event):
            return
        action = inp.action_for(event)
        if action == inp.FULLSCREEN:
            self.toggle_fullscreen()
            return
        if action == inp.SCREENSHOT:
            self.screenshot()
            return
        if hasattr(event, "pos") and event.type in (
            pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION
        ):
            event = pygame.event.Event(event.type, {**event.dict, "pos": self.to_canvas(event.pos)})
        if event.type == pygame.MOUSEWHEEL:
            pos = self.to_canvas(pygame.mouse.get_pos())
            event = pygame.event.Event(event.type, {**event.dict, "pos": pos})
        # Input redraws unless the screen says explicitly that nothing changed.
        if self.top is not None and self._is_input(event) and self.top.handle(event) is not False:
            self.dirty = True

    @staticmethod
    def _is_input(event: pygame.event.Event) -> bool:
        return event.type in _INPUT_EVENTS

    def draw(self) -> None:
        """Draw the visible screens (from the topmost opaque one up) and present them."""
        assert self.canvas is not None
        start = time.perf_counter()
        first = 0
        for i in range(len(self.screens) - 1, -1, -1):
            if self.screens[i].opaque:
                first = i
                break
        if not self.screens:
            self.canvas.fill((0, 0, 0))
        rects: list[pygame.Rect] | None = None
        for i, screen in enumerate(self.screens[first:]):
            changed = screen.draw(self.canvas)
            # Only a lone opaque screen may present a part of the frame.
            rects = changed if i == 0 and len(self.screens) - first == 1 else None
        self._overlay_rect = None
        if self.overlay is not None:
            covered = self.overlay.draw(self.canvas)
            self._overlay_rect = covered if isinstance(covered, pygame.Rect) else None
            rects = None
        if self.toasts:
            self._draw_toasts()
            rects = None
        self._present(rects)
        if self._first_message_drawn:
            self._first_message_presented()
        self.dirty = False
        self.frames_drawn += 1
        self._last_draw = time.perf_counter()
        self.frame_times.append(self._last_draw - start)

    def toast_rects(self) -> list[tuple[pygame.Surface, pygame.Rect]]:
        """The toasts shown now (the last three, oldest first) as (label, panel rect).

        They go in the top screen's `toast_area`, so a screen keeps them off
        its own header and tabs (the chat view's title, the save screen's
        page tabs).
        """
        from engine.app.ui import THEME

        area = self.top.toast_area() if self.top is not None else pygame.Rect(0, 16, CANVAS[0], 160)
        upward = area.centery > CANVAS[1] // 2
        panel = self._overlay_rect
        if panel is not None and not upward and area.colliderect(panel):
            area.top = panel.bottom + 8  # below live reload's diagnostics, not over them
        text = self.session.ui_text
        out = []
        y = area.bottom if upward else area.top
        shown = self.toasts[-3:]
        for toast in reversed(shown) if upward else shown:
            label = text.render(text.fit(toast.text, THEME.small_size, area.width - 32), THEME.small_size)
            rect = pygame.Rect(0, 0, label.get_width() + 32, label.get_height() + 16)
            rect.centerx = area.centerx
            if upward:
                rect.bottom, y = y, y - rect.height - 8
            else:
                rect.top, y = y, y + rect.height + 8
            out.append((label, rect))
        return out[::-1] if upward else out  # oldest first either way

    def _draw_toasts(self) -> None:
        from engine.app.ui import draw_panel

        assert self.canvas is not None
        for label, rect in self.toast_rects():
            draw_panel(self.canvas, rect, alpha=245)  # text under it must not read through
            self.canvas.blit(label, label.get_rect(center=rect.center))

    def _present(self, rects: list[pygame.Rect] | None) -> None:
        assert self.canvas is not None and self._window is not None
        if self.canvas is self._window:
            if rects is None:
                pygame.display.flip()
            else:
                pygame.display.update(rects)
            return
        if rects is not None:
            pygame.display.update([self._present_scaled(r) for r in rects])
            return
        self._window.fill((0, 0, 0))
        box = self._letterbox
        pygame.transform.smoothscale(self.canvas, box.size, self._window.subsurface(box))
        pygame.display.flip()

    def _present_scaled(self, rect: pygame.Rect) -> pygame.Rect:
        """Scale one changed canvas rect into the letterbox; the window rect it covers."""
        assert self.canvas is not None and self._window is not None
        box = self._letterbox
        kx, ky = box.width / CANVAS[0], box.height / CANVAS[1]
        # A margin so the smoothing at the edges matches the whole-frame scale.
        src = rect.inflate(4, 4).clip(self.canvas.get_rect())
        x0, y0 = box.x + int(src.x * kx), box.y + int(src.y * ky)
        x1, y1 = box.x + int(src.right * kx + 0.999), box.y + int(src.bottom * ky + 0.999)
        dst = pygame.Rect(x0, y0, max(1, x1 - x0), max(1, y1 - y0)).clip(box)
        scaled = pygame.transform.smoothscale(self.canvas.subsurface(src), dst.size)
        self._window.blit(scaled, dst)
        return dst


_INPUT_EVENTS = frozenset(
    {
        pygame.KEYDOWN,
        pygame.KEYUP,
        pygame.MOUSEBUTTONDOWN,
        pygame.MOUSEBUTTONUP,
        pygame.MOUSEMOTION,
        pygame.MOUSEWHEEL,
        pygame.CONTROLLERBUTTONDOWN,
        pygame.JOYBUTTONDOWN,
        pygame.JOYHATMOTION,
        pygame.TEXTINPUT,
    }
)
