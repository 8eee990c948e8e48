"""What the two view screens (text box "adv" and "chat") share.

Both read the story at the runtime's cursor and answer the same controls: the
quick menu (back, auto, skip, and the screens it opens), quick save and load,
hiding the interface, holding Ctrl to skip, Tab to switch views. How a view
lays out its buttons, shows a message and times auto stays in its own module.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import pygame

from engine.app import input as inp
from engine.app.i18n import register, tr
from engine.app.learn_hooks import WordLookup
from engine.app.screen import Screen
from engine.runtime import auto_delay, can_skip
from engine.saves import SaveData

SKIP_INTERVAL = 0.06  # seconds per message while skipping (fast mode: none)
VOICE_AHEAD = 3  # messages after the current one handed to self-voicing to prepare
LEARN_AHEAD = 8  # messages (the current one first) learner mode prepares: engine.learn LOOKAHEAD

register({
    "ja": {"voice_on": "読み上げ：オン", "voice_off": "読み上げ：オフ",
           "voice_missing": "読み上げには音声エンジンが必要です（pip install -e \".[voice]\"）"},
    "en": {"voice_on": "Self-voicing on", "voice_off": "Self-voicing off",
           "voice_missing": "Self-voicing needs the voice engine (pip install -e \".[voice]\")"},
})


class ViewScreen(WordLookup, Screen, ABC):
    """A screen that reads the story; subclasses say how it is shown.

    A subclass sets ``view_name`` and ``quick_pad`` (how far around a quick
    button a click still hits it) and defines ``show_first()``, ``back()``,
    ``quick_buttons()`` and, for view-only keys, ``extra_keys()``.
    """

    view_name = ""
    quick_pad: tuple[int, int] = (12, 8)

    def __init__(self, app) -> None:
        super().__init__(app)
        self.show_ui = True
        self.focus: str | None = None
        self.waited = 0.0  # time since the message settled (auto, skip)
        self.drawn_message = False
        self._shown_scene: int | None = None

    # --- lifecycle -----------------------------------------------------------

    def on_enter(self) -> None:
        if self.session.options.autoplay:
            self.session.auto = True
        self.show_first()

    @abstractmethod
    def show_first(self) -> None:
        """Show the message at the runtime's cursor on entering the view."""

    def on_quit(self) -> None:
        """Autosave the place and keep the read marks."""
        self.app.save_game("auto")
        self.session.save_marks()

    @abstractmethod
    def back(self) -> None:
        """Step back one message."""

    # --- moving through the story --------------------------------------------

    def end_of_story(self) -> None:
        """Past the last message: quit if asked to, else back to the title."""
        s = self.session
        if s.options.quit_at_end:
            self.app.quit(0)
            return
        s.auto = s.skip = s.skip_held = False
        self.app.go_title()
        self.app.toast(tr("end_of_story"))

    def _stop_skip_at_unread(self) -> bool:
        """Skipping stops at a message it may not pass (unread); True if it stopped."""
        s = self.session
        if not s.skipping or can_skip(s.runtime.message, s.marks, s.prefs.skip_unread):
            return False
        s.skip = s.skip_held = False
        self.app.toast(tr("skip_stopped"))
        return True

    def _enter_scene(self) -> bool:
        """A new scene: its music, an autosave (not on the very first show), its view.

        True when story.yaml sets the scene to the other view and this screen
        handed over to it (see `_scene_wants`).
        """
        s = self.session
        first = self._shown_scene is None
        self._shown_scene = s.runtime.cursor.scene
        s.audio.play_music(s.runtime.scene_ref.config.music)
        if first:
            return False
        self.app.save_game("auto")
        other = "chat" if self.view_name == "adv" else "adv"
        screen = self.app.view_screen(other) if self._scene_wants(other) else None
        if screen is None:
            return False
        self.app.reset(screen)  # it shows this message; this screen is done
        return True

    def _scene_wants(self, view: str) -> bool:
        """Whether the scene just entered is set to `view` in story.yaml.

        Only when neither the command line nor the settings (nor Tab, which
        sets the command-line choice) picked a view: then story.yaml decides
        per scene.
        """
        s = self.session
        return not s.view_chosen and s.view_for() == view

    # --- controls ------------------------------------------------------------

    @abstractmethod
    def quick_buttons(self) -> list[tuple[str, pygame.Rect]]:
        """The quick-menu buttons on screen now: (key, rect)."""

    def extra_keys(self) -> dict[str, Callable[[], object]]:
        """Actions only this view answers, by input action."""
        return {}

    def _key_action(self, action: str | None) -> None:
        s = self.session
        handlers: dict[str, Callable[[], object]] = {
            inp.HISTORY: lambda: self.app.open("backlog"),
            inp.MENU: lambda: self.app.open("menu"),
            inp.AUTO: lambda: self.quick("auto"),
            inp.SKIP_TOGGLE: lambda: self.quick("skip"),
            inp.HIDE: self._toggle_ui,
            inp.QUICK_SAVE: self.quick_save,
            inp.QUICK_LOAD: self.quick_load,
            inp.SWITCH_VIEW: self.app.switch_view,
            inp.VOICE_TOGGLE: self.toggle_voice,
            inp.DICTIONARY: self.dictionary_key,
            **self.extra_keys(),
        }
        if action == inp.SKIP_HOLD:
            s.skip_held = True
            self.waited = 0.0
        elif action == inp.SKIP_RELEASE:
            s.skip_held = False
        elif action in handlers:
            handlers[action]()

    def toggle_voice(self) -> None:
        """V: self-voicing on or off, said in a toast (with the install hint if missing)."""
        from engine.voice.extra import missing

        s = self.session
        on = not s.prefs.self_voicing
        s.update_prefs(self_voicing=on)
        if on and missing():
            self.app.toast(tr("voice_missing"))
            return
        self.app.toast(tr("voice_on" if on else "voice_off"))
        if on:
            self.speak_current()

    # --- learner mode (engine.app.learn_hooks: the popup dictionary) -------------

    def shown_message(self, message):  # noqa: ANN001, ANN201 (Message in, Message out)
        """`message` with the furigana the setting asks for, once the worker has made it."""
        return self.session.learner.shown(message) if self.session.learning else message

    def furigana_waiting(self, message) -> bool:  # noqa: ANN001
        """Whether `message`'s furigana is still being made (the view polls for it)."""
        return self.session.learning and self.session.learner.waiting(message)

    def prepare_learner(self) -> None:
        """The reader moved: the worker prepares this message and the next ones."""
        if not self.session.learning:
            return
        rt = self.session.runtime
        start = rt.flat_index(rt.cursor)
        ahead = [rt.message_at(c) for c in rt.cursors(start, min(rt.total, start + LEARN_AHEAD))]
        self.session.learner.prepare(ahead)

    def _toggle_ui(self) -> None:
        self.show_ui = not self.show_ui

    def _quick_at(self, pos: tuple[int, int]) -> str | None:
        for key, rect in self.quick_buttons():
            if rect.inflate(*self.quick_pad).collidepoint(pos):
                return key
        return None

    def quick(self, key: str) -> None:
        """A quick-menu button (also A and S on the keyboard)."""
        s = self.session
        if key == "back":
            self.back()
        elif key == "auto":
            s.auto = not s.auto
            self.waited = 0.0
        elif key == "skip":
            s.skip = not s.skip
            self.waited = 0.0
        else:
            self.app.open({"history": "backlog"}.get(key, key))

    def quick_save(self) -> None:
        """Save to the quick slot and say so, or that it failed."""
        ok = self.app.save_game("quick")
        if ok:
            self.app.toast(tr("quick_saved"))
        else:
            off = self.session.saves.problem is not None
            self.app.toast(tr("saving_off") if off else tr("quick_save_failed"))

    def quick_load(self) -> None:
        """Load the quick slot, or say why not."""
        data = self.session.saves.read("quick")
        if isinstance(data, SaveData):
            self.app.load_game(data)
            self.app.toast(tr("quick_loaded"))
        else:
            self.app.toast(tr("no_quick_save") if data is None else tr("save_damaged"))

    # --- time ------------------------------------------------------------------

    def _auto_wait(self) -> float:
        """Seconds auto waits on the settled message."""
        s = self.session
        return 0.0 if s.options.fast else auto_delay(s.runtime.message, s.prefs)

    def _next_move(self) -> float | None:
        """Seconds (after the message settled) until auto or skip moves on, if on.

        Auto mode also waits for self-voicing to finish the line.
        """
        s = self.session
        if s.skipping:
            return 0.0 if s.options.fast else SKIP_INTERVAL
        if not s.auto:
            return None
        voice = s.voice
        return None if voice is not None and voice.speaking() else self._auto_wait()

    def speak_current(self) -> None:
        """Self-voicing (when on): read the message at the cursor aloud; skip is silent."""
        s = self.session
        voice = s.voice
        if voice is None:
            return
        if s.skipping:
            voice.stop()
            return
        rt = s.runtime
        start = rt.flat_index(rt.cursor) + 1
        ahead = [rt.message_at(c) for c in rt.cursors(start, min(rt.total, start + VOICE_AHEAD))]
        voice.show(rt.message, ahead)

    def _active(self) -> frozenset[str]:
        """The quick-menu modes that are on (drawn lit)."""
        s = self.session
        return frozenset(k for k, on in (("auto", s.auto), ("skip", s.skipping)) if on)
