"""Anki decks: cards written as an `.apkg` with genanki.

One note type, "chatlog-vn sentence": the sentence with the word in bold on
the front with the word itself, its reading, meaning, the story and
`FILE:LINE` on the back, and the sentence's audio when a card has a voice
file. Note ids (guids) are stable: a mined card keeps its own id, a story
word (`--all`) is keyed by the story, the word and its reading, so a deck
exported again updates the notes already in Anki instead of adding copies
(`engine.learn.vocab.word_cards` gives word cards such ids).
The file is written beside OUT and renamed over it, so a failed export never
leaves half a deck.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from engine.learn.cards import Card
from engine.learn.extra import require

MODEL_ID = 1_681_118_018  # fixed: every deck chatlog-vn writes shares one note type
FIELDS = ("Word", "Reading", "Meaning", "Sentence", "Source", "Speaker", "Audio")
_FRONT = '<div class="sentence">{{Sentence}}</div><div class="word">{{Word}}</div>'
_BACK = ('{{FrontSide}}<hr id="answer"><div class="reading">{{Reading}}</div>'
         '<div class="meaning">{{Meaning}}</div><div class="source">{{Speaker}} · {{Source}}</div>'
         '{{Audio}}')
_CSS = (".card { font-family: 'Noto Sans CJK JP', sans-serif; font-size: 24px; text-align: center; }"
        " .sentence b { color: #d9534f; } .word { font-size: 36px; margin-top: 12px; }"
        " .reading { font-size: 28px; } .meaning { font-size: 20px; margin-top: 8px; }"
        " .source { font-size: 14px; color: #888; margin-top: 12px; }")


def deck_id(story_id: str) -> int:
    """A stable deck id per story (Anki wants a positive 63-bit integer)."""
    digest = hashlib.blake2b(story_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 2 or 1


def write_deck(out: Path, deck_name: str, story_id: str, cards: Sequence[Card]) -> int:
    """Write `cards` as an Anki deck at `out` (note ids from the cards' ids); the number of
    notes written."""
    require("anki", what="writing Anki decks")
    import genanki

    model = genanki.Model(MODEL_ID, "chatlog-vn sentence", fields=[{"name": f} for f in FIELDS],
                          templates=[{"name": "Sentence", "qfmt": _FRONT, "afmt": _BACK}],
                          css=_CSS)
    deck = genanki.Deck(deck_id(story_id), deck_name)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="chatlog-vn-anki-") as media_dir:
        media: list[str] = []
        for card in cards:
            sound = _media(card, Path(media_dir), media)
            guid = genanki.guid_for(card.id)
            deck.add_note(genanki.Note(model=model, fields=_fields(card, sound), guid=guid,
                                       tags=["chatlog-vn"]))
        _write(genanki.Package(deck, media_files=media), out)
    return len(cards)


def _fields(card: Card, sound: str) -> list[str]:
    where = f"{card.story} {card.source}".strip()
    return [html.escape(card.word), html.escape(card.reading), html.escape(card.meaning),
            card.marked(), html.escape(where), html.escape(card.speaker or ""), sound]


def _media(card: Card, folder: Path, media: list[str]) -> str:
    """Copy the card's audio (if it exists) under a unique name; its `[sound:...]` field."""
    if not card.audio:
        return ""
    src = Path(card.audio)
    if not src.is_file():
        return ""
    name = f"chatlog-vn-{card.id}{src.suffix.lower()}"
    shutil.copyfile(src, folder / name)
    media.append(str(folder / name))
    return f"[sound:{name}]"


def _write(package: object, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # genanki creates the file itself, so it gets the usual permissions (not mkstemp's 0600).
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        package.write_to_file(tmp)  # type: ignore[attr-defined]
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
