"""Learner mode in the player: furigana on demand and the words the popup dictionary needs.

One `Learner` per session (``Session.learner``), made the first time a
view needs it (never before the first frame while the settings leave
learner mode off). It drives the story's `engine.learn.LearnService`:
whenever the reader moves, the message on screen and the next ones are
handed to the service's worker thread, which tokenizes them, adds the
furigana the setting asks for and (with the dictionary on) looks every
word up. The frame never waits for it: `shown(message)` answers with the
message with furigana when the worker has made it and with the message as
written until then, and `waiting(message)` tells a view to poll again
(`POLL` seconds) and lay the message out anew once it is ready.

Without the learn extra everything here is inert: `shown` gives the
message as written and `unavailable` says what is missing and how to
install it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from engine.learn.extra import INSTALL, not_installed
from engine.learn.furigana import OFF, FuriganaMode, parse_mode
from engine.model import Message, Story

if TYPE_CHECKING:
    from engine.learn.service import LearnService
    from engine.learn.words import MessageWords

POLL = 0.03  # seconds between looks at the worker while the shown message waits for it
KEEP_SHOWN = 512  # messages with furigana kept (the same object each time: layout caches hit)


def furigana_mode(value: str) -> FuriganaMode:
    """The furigana setting as a mode (a value the setting cannot hold reads as off)."""
    try:
        return parse_mode(value)
    except ValueError:
        return OFF


class Learner:
    """The session's learner mode: furigana for the views, words for the popup dictionary."""

    def __init__(self, story: Story, prefs: Callable[[], Any],
                 service: LearnService | None = None) -> None:
        self.story = story
        self._prefs = prefs  # the session's Preferences, as they are now
        self._service = service
        self._missing: tuple[str, ...] | None = () if service is not None else None
        self._shown: OrderedDict[tuple[Message, FuriganaMode], Message] = OrderedDict()

    # --- what is available ------------------------------------------------------------

    @property
    def missing(self) -> tuple[str, ...]:
        """The learn extra's distributions that are not installed (found once, not imported)."""
        if self._missing is None:
            self._missing = not_installed("tokenizer", "dictionary")
        return self._missing

    @property
    def unavailable(self) -> str | None:
        """Why learner mode cannot work (the extra missing, or the worker's error), or None."""
        if self.missing:
            return f"missing {', '.join(self.missing)}; install with: {INSTALL}"
        service = self._service
        if service is not None and service.error is not None:
            return str(service.error)
        return None

    @property
    def service(self) -> LearnService | None:
        """The story's learn service (made on first use), or None without the extra."""
        if self._service is None and not self.missing:
            from engine.learn.cards import CardStore
            from engine.learn.service import LearnService

            self._service = LearnService(self.story, cards=CardStore(self.cards_path()))
        return self._service

    def cards_path(self) -> Any:
        """Where mined cards go (the user data folder's cards.jsonl; CHATLOG_CARDS overrides,
        for tests and for keeping a story's cards apart)."""
        import os
        from pathlib import Path

        from engine.learn.cards import default_cards_path

        override = os.environ.get("CHATLOG_CARDS")
        return Path(override) if override else default_cards_path()

    @property
    def prefs(self) -> Any:
        return self._prefs()

    @property
    def mode(self) -> FuriganaMode:
        return furigana_mode(self.prefs.furigana)

    @property
    def dictionary_on(self) -> bool:
        return self.prefs.dictionary != "off"

    @property
    def active(self) -> bool:
        """Whether the settings ask for anything (furigana or the dictionary)."""
        return self.mode != OFF or self.dictionary_on

    # --- furigana ------------------------------------------------------------------------

    def shown(self, message: Message) -> Message:
        """`message` as the views show it: with furigana when the worker has it, else as is."""
        mode = self.mode
        if mode == OFF:
            return message
        key = (message, mode)
        hit = self._shown.get(key)
        if hit is not None:
            self._shown.move_to_end(key)
            return hit
        service = self.service
        if service is None or service.error is not None or message in service.failed:
            return message
        runs = service.ready_furigana(message, mode)
        if runs is None:
            return message
        made = message if runs == message.runs else Message(message.speaker, runs, message.pos)
        self._shown[key] = made
        if len(self._shown) > KEEP_SHOWN:
            self._shown.popitem(last=False)
        return made

    def waiting(self, message: Message) -> bool:
        """Whether `shown(message)` will change once the worker gets there (poll meanwhile)."""
        mode = self.mode
        if mode == OFF or (message, mode) in self._shown:
            return False
        service = self._service
        if service is None or service.error is not None or message in service.failed:
            return False
        self.shown(message)  # takes the worker's result if it is there
        return (message, mode) not in self._shown

    def prepare(self, messages: Iterable[Message]) -> None:
        """The reader is at the first of `messages`: have the worker prepare them, in order."""
        if not self.active:
            return
        service = self.service
        if service is None or service.error is not None:
            return
        service.prepare(list(messages), self.mode, lookups=self.dictionary_on)

    # --- words for the popup ---------------------------------------------------------------

    def words(self, message: Message) -> MessageWords | None:
        """`message`'s words when ready (else None, and they are asked for first)."""
        service = self.service
        if service is None or service.error is not None:
            return None
        return service.ready_words(message)

    # --- the sentence's audio, for a card ------------------------------------------------------

    def sentence_audio(self, message: Message, options: Any = None) -> str | None:
        """A sound file of `message` for its card: the writer's recorded line, else the clip
        self-voicing made of it (copied beside the cards: the voice cache is pruned), else
        None. Needs no voice extra: it only looks for files already there."""
        import shutil

        from engine.voice.backend import ENGINE_ID
        from engine.voice.cache import ClipCache, clip_key, default_cache_dir
        from engine.voice.recorded import recorded_file
        from engine.voice.text import DEFAULT_OPTIONS, spoken

        recorded = recorded_file(self.story, message)
        if recorded is not None:
            return str(recorded)
        said = spoken(message, self.story, options or DEFAULT_OPTIONS)
        if not said:
            return None
        cached = ClipCache(default_cache_dir()).path(clip_key(said, ENGINE_ID))
        if not cached.is_file():
            return None
        kept = self.cards_path().parent / "audio" / cached.name
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            if not kept.is_file():
                shutil.copyfile(cached, kept)
        except OSError:
            return None  # the card is kept without its sound
        return str(kept)

    # --- the Anki deck (the game menu) ---------------------------------------------------------

    def deck_path(self) -> Any:
        """Where the menu writes this story's deck: anki/TITLE.apkg beside the card store."""
        name = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c
                       for c in self.story.title).strip(" .") or "story"
        return self.cards_path().parent / "anki" / f"{name}.apkg"

    def write_deck(self) -> tuple[Any, int]:
        """Write this story's mined cards as an Anki deck; (path, cards written). No cards:
        nothing written (0). LearnUnavailable without genanki, OSError if the disk refuses."""
        from engine.learn.anki import write_deck
        from engine.learn.cards import CardStore
        from engine.manifest import story_id

        sid = story_id(self.story)
        cards = CardStore(self.cards_path()).cards(sid)
        path = self.deck_path()
        if cards:
            write_deck(path, f"chatlog-vn::{self.story.title}", sid, cards)
        return path, len(cards)

    # --- the story -------------------------------------------------------------------------

    def set_story(self, story: Story) -> None:
        """An edited story (live reload): new readings, so everything is made again."""
        self.close()
        self.story = story
        self._service = None
        self._shown.clear()

    def close(self) -> None:
        """Stop the worker (quitting, or a new story)."""
        if self._service is not None:
            self._service.close()
