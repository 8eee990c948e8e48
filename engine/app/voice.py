"""Self-voicing in the player: the pygame side of engine.voice.

`VoicePlayer` speaks the message on screen on a mixer channel of its own
(so message blips and music never cut it off), stops it when the player
advances, and tells auto mode whether a line is still being spoken. The
sound is made by `engine.voice`'s worker thread: synthesized samples are
converted to the mixer's format, recorded files are decoded, both there;
the frame only starts a ready sound. Without the `voice` extra, or
without an audio device, it is silent and `unavailable` says why once.

Menus are read too: each turn the app hands `follow` its top screen, and
when the focused item changes (keys, pad or pointer) it is said at once,
in the narrator's voice, interrupting whatever was being said; a new
screen's own question or name comes first. A line cut off by a menu is
read again when the story is back on top. What a screen's focus says is
`focus_text`'s business (below): a screen's `spoken_focus()` if it has one,
else its `Menu`'s focused label.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pygame

from engine.app.audio import Audio
from engine.app.i18n import register
from engine.model import Message, Story
from engine.voice.clip import Clip
from engine.voice.text import DEFAULT_OPTIONS, SpeechOptions

register({
    "ja": {"voice_slot": "{n}番"},  # a save slot said aloud ("No.03" is read letter by letter)
    "en": {"voice_slot": "Slot {n}"},
})


class VoicePlayer:
    """The current line's voice: asked for on show, started when ready, stopped on advance."""

    def __init__(self, audio: Audio, story: Story, volume: float = 1.0,
                 options: SpeechOptions = DEFAULT_OPTIONS, service: Any = None) -> None:
        self.audio = audio
        self.story = story
        self.volume = volume
        self.options = options
        self.unavailable: str | None = None  # why the player is silent, once known
        self._service = service
        self._channel: Any = None
        self._pending: str | None = None  # the key of the line waiting for its sound
        self._rest: str | None = None  # a line playing its first sentence, the rest to come
        self._wanted: tuple[Message, tuple[Message, ...]] | None = None
        self._wanted_text: str | Message | None = None  # an interface item to say next
        self._started = False  # a sound was started for the current line
        self._line: tuple[Message, tuple[Message, ...]] | None = None  # the story's line
        self._cut = False  # that line was cut off by a menu: read it again on return
        self._focus: tuple[int, str | Message] | None = None  # (screen id, what was said)
        self._then_line = False  # a notice is being said: the line it cut off follows it

    # -- what the reading screens call

    def show(self, message: Message, ahead: Iterable[Message] = ()) -> None:
        """`message` is now on screen: stop the old line; its own voice starts when ready."""
        self.stop()
        self._wanted = self._line = (message, tuple(ahead))

    def stop(self) -> None:
        """Silence (advance, skip, leaving the story); nothing queued goes on being made."""
        self._line, self._cut, self._then_line = None, False, False
        self._hush()

    def _hush(self) -> None:
        self._wanted = self._wanted_text = None
        self._pending = self._rest = None
        self._started = False
        if self._channel is not None:
            self._channel.stop()
        if self._service is not None:
            self._service.stop()

    def speaking(self) -> bool:
        """True while the current line is being prepared or played (auto mode waits)."""
        waiting = (self._wanted, self._wanted_text, self._pending, self._rest)
        if any(w is not None for w in waiting):
            return self.unavailable is None
        return self._channel is not None and bool(self._channel.get_busy())

    def announce(self, said: str | Message) -> None:
        """Say an interface item now (a focused button, or a history entry's message),
        cutting off what is being said; a story line cut off is read again later."""
        if self._line is not None and self.speaking():
            self._cut = True
        self._hush()
        self._wanted_text = said

    def notify(self, text: str) -> None:
        """Say a notice (a toast: quick save, auto on, skip stopped); a story line it cuts
        off is read again once it has been said."""
        self.announce(text)
        self._then_line = self._cut

    def follow(self, screen: object) -> None:
        """Read the focused item of `screen` (the top screen) when it changed.

        The story's own screens say nothing here (their lines are read as
        they appear); when one is back on top after a menu cut its line
        off, the line is read again.
        """
        said = focus_text(screen)
        if said is None:
            if self._focus is not None:
                self._focus = None
                if self._cut and self._line is not None:
                    line = self._line
                    self.show(*line)
            return
        key = (id(screen), said)
        if key == self._focus:
            return
        new_screen = self._focus is None or self._focus[0] != id(screen)
        self._focus = key
        intro = screen_intro(screen) if new_screen else None
        if intro and isinstance(said, str):  # a history entry is said alone, in its voice
            said = f"{intro}\n{said}"
        self.announce(said)

    def set_volume(self, volume: float) -> None:
        """A new voice volume, applied to the line playing now as well."""
        self.volume = volume
        if self._channel is not None:
            self._channel.set_volume(volume)

    def set_story(self, story: Story) -> None:
        """An edited story (live reload): its lines are read with its voices from now on."""
        self.story = story
        if self._service is not None:
            self._service.set_story(story)

    def set_options(self, options: SpeechOptions) -> None:
        self.options = options
        if self._service is not None:
            self._service.set_options(options)

    def wake_in(self) -> float | None:
        """The loop polls while a line is waiting for its sound (the worker has no event)."""
        waiting = self._wanted or self._wanted_text or self._pending or self._rest
        return 0.02 if waiting and self.unavailable is None else None

    def update(self) -> None:
        """After the frame: ask for the shown line, start its sound once the worker has it.

        A line the worker makes in two parts starts with its first sentence;
        the rest is queued on the channel to follow it without a gap.
        """
        if self._wanted is not None:
            message, ahead = self._wanted
            self._wanted = None
            if self._ensure_ready():
                self._pending = self._service.say(message, ahead)
        if self._wanted_text is not None:
            said, self._wanted_text = self._wanted_text, None
            if self._ensure_ready():
                self._pending = (self._service.say_text(said) if isinstance(said, str)
                                 else self._service.say(said, ()))
        if self._service is None:
            return
        if self._then_line and self._pending is None and self._rest is None \
                and not self._channel.get_busy():
            self._then_line = False
            if self._cut and self._line is not None and self._focus is None:
                line = self._line
                self.show(*line)
                return self.update()
        if self._pending is not None:
            self._start(self._pending)
        if self._rest is not None:
            rest = self._service.ready_part(self._rest, first=False)
            if rest is not None:
                self._channel.queue(rest)  # after the first sentence, or now if it ended
                self._rest = None
            elif self._service.failed(self._rest):
                self._rest = None

    def _start(self, key: str) -> None:
        sound = self._service.ready(key)
        if sound is None:
            sound = self._service.ready_part(key, first=True)
            if sound is None:
                if self._service.failed(key):
                    self._pending = None
                return
            self._rest = key
        self._pending = None
        self._started = True
        self._channel.set_volume(self.volume)
        self._channel.play(sound)

    def close(self) -> None:
        """Stop speaking and the worker (quitting)."""
        self.stop()
        if self._service is not None:
            self._service.close()

    # -- setting up, once

    def _ensure_ready(self) -> bool:
        if self.unavailable is not None:
            return False
        if self._channel is not None:
            return True
        from engine.voice.service import VoiceService, unavailable

        reason = unavailable() if self._service is None else None
        if reason is None and not self.audio.open():
            reason = self.audio.warning or "no audio device"
        if reason is not None:
            self._silence(reason)
            return False
        if self._service is None:
            self._service = VoiceService(self.story, from_clip=clip_sound, from_file=file_sound,
                                         options=self.options)
        pygame.mixer.set_reserved(1)  # channel 0 is the voice's: blips never take it
        self._channel = pygame.mixer.Channel(0)
        return True

    def _silence(self, reason: str) -> None:
        self.unavailable = reason
        print(f"chatlog-vn: warning: self-voicing is off: {reason}", file=sys.stderr)


def speech_options(prefs: Any) -> SpeechOptions:
    """What the player's settings ask to be read (names first, stage directions)."""
    return SpeechOptions(directions=prefs.voice_directions, names=prefs.voice_names)


def focus_text(screen: object) -> str | Message | None:
    """What the focused item of `screen` says aloud; None for the story's own screens."""
    if screen is None:
        return None
    if getattr(screen, "view_name", None) is not None:
        # Reading and chat: the messages are read as they appear; only the quick menu's
        # button under the pointer is said.
        quick = getattr(screen, "focus", None)
        if isinstance(quick, str) and quick:
            from engine.app.i18n import tr

            return tr(quick)
        return None
    spoken = getattr(screen, "spoken_focus", None)
    if callable(spoken):
        return spoken()
    describe = _DESCRIBERS.get(type(screen).__name__)
    if describe is not None:
        return describe(screen)
    return _menu_item(screen)


def screen_intro(screen: object) -> str | None:
    """What a screen says when it comes on top, before its focused item."""
    question = getattr(screen, "question", None)  # a confirmation dialog
    if isinstance(question, str):
        note = getattr(screen, "note", "")
        return f"{question}\n{note}" if note else question
    heading = _HEADINGS.get(type(screen).__name__)
    if heading is None:
        return None
    from engine.app.i18n import tr

    key = heading(screen) if callable(heading) else heading
    return tr(key)


def _menu_item(screen: object) -> str | None:
    from engine.app.ui import Menu

    menu = getattr(screen, "menu", None)
    if isinstance(menu, Menu) and menu.buttons:
        return menu.buttons[menu.focus].label or None
    return None


def _scene_item(screen: Any) -> str | None:
    """Scene select: the focused scene's title and first line (the buttons have no label)."""
    menu = screen.menu
    row = screen.first + menu.focus
    if menu.focus < len(menu.buttons) - 1 and row < len(screen.entries):
        _, title, line = screen.entries[row]
        return f"{title}\n{line}" if line else title
    return _menu_item(screen)


def _slot_item(screen: Any) -> str | None:
    """Save/Load: the focused slot's name, then its save's date, scene and line (or empty)."""
    from engine.app.i18n import tr
    from engine.saves import Damaged, SaveData

    if not screen.slots:
        return None
    slot, content = screen.slots[min(screen.focus, len(screen.slots) - 1)]
    name = {"quick": tr("slot_quick"), "auto": tr("slot_auto")}.get(str(slot)) \
        or tr("voice_slot", n=int(slot))
    if isinstance(content, SaveData):
        return "\n".join(p for p in (name, _date(content.created), content.scene_title,
                                      content.text) if p)
    return f"{name}\n{tr('slot_damaged' if isinstance(content, Damaged) else 'slot_empty')}"


def _date(created: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(created).strftime("%Y/%m/%d %H:%M")
    except ValueError:
        return ""


def _history_item(screen: Any) -> Message | str | None:
    """History: the focused entry's message, read in its speaker's voice."""
    if screen.focus is None:
        return None
    return screen.entry(screen.focus).message


_DESCRIBERS: dict[str, Any] = {
    "SceneSelectScreen": _scene_item,
    "SaveLoadScreen": _slot_item,
    "BacklogScreen": _history_item,
}
_HEADINGS: dict[str, Any] = {
    "SceneSelectScreen": "scene_list",
    "SaveLoadScreen": lambda screen: screen.mode,  # "save" or "load"
    "BacklogScreen": "history",
    "SettingsScreen": "settings",
    "GameMenuScreen": "menu_title",
}


def clip_sound(clip: Clip) -> object:
    """A synthesized clip as a pygame Sound in the mixer's format (on the worker thread)."""
    from engine.voice.backend import to_mixer

    rate, size, channels = pygame.mixer.get_init()
    try:
        return pygame.mixer.Sound(buffer=to_mixer(clip, rate, size, channels))
    except ValueError:  # a mixer format to_mixer does not write: SDL converts a WAV
        import io

        return pygame.mixer.Sound(file=io.BytesIO(clip.wav_bytes()))


def file_sound(path: Path) -> object | None:
    """A recorded line as a pygame Sound; None (the line stays silent) if it cannot be read."""
    try:
        return pygame.mixer.Sound(str(path))
    except (pygame.error, OSError) as exc:
        print(f"chatlog-vn: warning: cannot play the recorded line {path}: {exc}", file=sys.stderr)
        return None
