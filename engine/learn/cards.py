"""Mined cards: what a learner keeps from a story, in an append-only file of JSON lines.

No pygame, no learn extra needed. The store is one UTF-8 file, one card a
line, under the user data folder (`cards.jsonl`), so adding a card is one
append that cannot damage the cards before it. Reading never raises: a line
that is not a card (a torn write, a hand edit) is reported as damaged, with
its line number and why, and kept in the file exactly as it is, also when
cards are removed (the file is then rewritten atomically, damaged lines
and all).
"""

from __future__ import annotations

import html
import json
import os
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from engine.model import record, set_field
from engine.saves import APP_NAME, atomic_write

CARDS_FILE = "cards.jsonl"
CARD_VERSION = 1
MAX_LINE = 1 << 16  # a card is well under a kilobyte; a longer line is not one
_TEXT_FIELDS = ("id", "word", "base", "reading", "meaning", "sentence", "story", "source")


@record
class Card:
    """One mined word in its sentence, with where it came from."""

    id: str
    word: str  # as written in the sentence
    base: str  # dictionary form
    reading: str
    meaning: str
    sentence: str  # the message's visible text
    word_start: int  # the word's span in `sentence` (code points)
    word_end: int
    story: str  # the story's title
    story_id: str  # engine.manifest.story_id, to find a story's cards again
    source: str  # FILE:LINE, FILE relative to the story folder
    speaker: str | None = None
    audio: str | None = None  # the sentence's voice file, when the voice extra made one
    added: str = ""  # ISO 8601 UTC

    def __init__(self, id: str, word: str, base: str, reading: str, meaning: str,
                 sentence: str, word_start: int, word_end: int, story: str, story_id: str,
                 source: str, speaker: str | None = None, audio: str | None = None,
                 added: str = "") -> None:
        set_field(self, "id", id)
        set_field(self, "word", word)
        set_field(self, "base", base)
        set_field(self, "reading", reading)
        set_field(self, "meaning", meaning)
        set_field(self, "sentence", sentence)
        set_field(self, "word_start", word_start)
        set_field(self, "word_end", word_end)
        set_field(self, "story", story)
        set_field(self, "story_id", story_id)
        set_field(self, "source", source)
        set_field(self, "speaker", speaker)
        set_field(self, "audio", audio)
        set_field(self, "added", added)

    def marked(self, before: str = "<b>", after: str = "</b>",
               escape: Callable[[str], str] = html.escape) -> str:
        """The sentence with the word marked (HTML bold by default, text escaped)."""
        s, a, b = self.sentence, self.word_start, self.word_end
        return escape(s[:a]) + before + escape(s[a:b]) + after + escape(s[b:])

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self._names}  # type: ignore[attr-defined]
        return {"v": CARD_VERSION, **data}


def new_card(**fields: Any) -> Card:
    """A card with a fresh id and the time now; `fields` are Card's other fields."""
    return Card(id=uuid.uuid4().hex, added=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                **fields)


@record
class Damaged:
    """A line of the card file that is not a card: kept as it is, reported."""

    line: int  # 1-based
    reason: str
    text: str

    def __init__(self, line: int, reason: str, text: str) -> None:
        set_field(self, "line", line)
        set_field(self, "reason", reason)
        set_field(self, "text", text)


@record
class CardsRead:
    """The cards of the file in order, and its damaged lines."""

    cards: tuple[Card, ...]
    damaged: tuple[Damaged, ...]
    error: str | None = None  # the file could not be read at all (it is left alone)

    def __init__(self, cards: tuple[Card, ...], damaged: tuple[Damaged, ...],
                 error: str | None = None) -> None:
        set_field(self, "cards", cards)
        set_field(self, "damaged", damaged)
        set_field(self, "error", error)


def default_cards_path() -> Path:
    """Where cards gather: the user data folder's cards.jsonl."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / CARDS_FILE


def parse_card(text: str) -> Card:
    """One line as a Card; ValueError saying what is wrong."""
    if len(text) > MAX_LINE:
        raise ValueError("line too long for a card")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("v") != CARD_VERSION:
        raise ValueError(f"unknown card version {data.get('v')!r}")
    for name in _TEXT_FIELDS:
        if not isinstance(data.get(name), str):
            raise ValueError(f"'{name}' is missing or not text")
    for name in ("speaker", "audio"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise ValueError(f"'{name}' is not text")
    a, b = data.get("word_start"), data.get("word_end")
    if not (isinstance(a, int) and isinstance(b, int) and 0 <= a <= b <= len(data["sentence"])):
        raise ValueError("the word's span is not inside the sentence")
    return Card(
        id=data["id"], word=data["word"], base=data["base"], reading=data["reading"],
        meaning=data["meaning"], sentence=data["sentence"], word_start=a, word_end=b,
        story=data["story"], story_id=str(data.get("story_id", "")), source=data["source"],
        speaker=data.get("speaker"), audio=data.get("audio"), added=str(data.get("added", "")),
    )


class CardStore:
    """The card file: read it, append a card, remove one; damaged lines always kept."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cards_path()

    def read(self) -> CardsRead:
        """Every card in file order and every damaged line; never raises."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return CardsRead((), ())
        except OSError as exc:
            return CardsRead((), (), f"cannot read {self.path}: {exc.strerror or exc}")
        cards: list[Card] = []
        damaged: list[Damaged] = []
        for n, line in enumerate(raw.split(b"\n"), start=1):
            text = line.decode("utf-8", errors="replace").rstrip("\r")
            if not text.strip():
                continue
            try:
                cards.append(parse_card(line.decode("utf-8")))
            except (UnicodeDecodeError, ValueError) as exc:
                damaged.append(Damaged(n, str(exc), text))
        return CardsRead(tuple(cards), tuple(damaged))

    def cards(self, story_id: str | None = None) -> tuple[Card, ...]:
        """The cards (of one story, by story id), in the order they were added."""
        found = self.read().cards
        return found if story_id is None else tuple(c for c in found if c.story_id == story_id)

    def add(self, card: Card) -> tuple[Card, bool]:
        """Append `card` unless the same word from the same line is already there.

        Returns the card kept and whether it was added. One append of one
        line, flushed to disk; a file whose last line was torn gets a line
        break first, so the new card never joins the damage.
        """
        for old in self.read().cards:
            if (old.base, old.reading, old.source, old.word_start) == (
                    card.base, card.reading, card.source, card.word_start):
                return old, False
        line = json.dumps(card.to_json(), ensure_ascii=False, separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as f:
            if f.tell() > 0 and not _ends_with_newline(self.path):
                f.write(b"\n")
            f.write(line.encode("utf-8") + b"\n")
            f.flush()
            os.fsync(f.fileno())
        return card, True

    def remove(self, card_id: str) -> bool:
        """Remove the card with `card_id`; the file is rewritten atomically, every other line
        (damaged ones too) as it was. False if there was no such card."""
        try:
            raw = self.path.read_bytes()
        except OSError:
            return False
        kept: list[bytes] = []
        removed = False
        for line in raw.split(b"\n"):
            if not removed and _card_id(line) == card_id:
                removed = True
                continue
            kept.append(line)
        if removed:
            atomic_write(self.path, b"\n".join(kept))
        return removed


def _card_id(line: bytes) -> str | None:
    try:
        return parse_card(line.decode("utf-8")).id
    except (UnicodeDecodeError, ValueError):
        return None


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"
