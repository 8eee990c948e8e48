"""`chatlog-vn vocab [STORY] [--json] [--anki OUT.apkg [--all]]`: a story's Japanese.

Without `--anki`: every content word of the story (dictionary form,
reading, meaning, JLPT level of its hardest kanji, count, first FILE:LINE)
in order of first use, then per scene the share of words above each JLPT
level. With `--anki OUT.apkg`: the cards mined from this story (the card
store in the user data folder, or `--cards FILE`) as an Anki deck; with
`--all`, every word of the story the dictionary knows as well.
Needs the `learn` extra; without it, says how to install it (exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.commands.common import load_story_arg, write_utf8

if TYPE_CHECKING:
    from engine.learn.cards import Card, CardStore
    from engine.learn.service import LearnService
    from engine.learn.vocab import Vocabulary

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
LEVEL_NOTE = ("level: JLPT N level of the word's hardest kanji (KANJIDIC2's pre-2010 levels; "
              "N2 includes the N3 kanji, which no list separates)")


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `chatlog-vn vocab`."""
    p.add_argument("story", nargs="?", metavar="STORY",
                   help="a story folder, story.yaml or script (default: the story here)")
    p.add_argument("--json", action="store_true", help="print the vocabulary as JSON")
    p.add_argument("--anki", type=Path, metavar="OUT.apkg",
                   help="write the cards mined from this story as an Anki deck")
    p.add_argument("--all", action="store_true",
                   help="with --anki: add a card for every word of the story")
    p.add_argument("--cards", type=Path, metavar="FILE",
                   help="the card store (default: cards.jsonl in the user data folder)")


def run(args: argparse.Namespace) -> int:
    """List the story's vocabulary, or write its deck."""
    from engine.learn.extra import LearnUnavailable, missing

    if args.all and args.anki is None:
        return _usage("--all goes with --anki OUT.apkg")
    parts = ("tokenizer", "dictionary") + (("anki",) if args.anki is not None else ())
    gone = missing(*parts)
    if gone:
        return _usage(str(LearnUnavailable(gone, "chatlog-vn vocab")))
    story = load_story_arg("vocab", args.story)
    if story is None:
        return EXIT_USAGE
    from engine.learn.cards import CardStore
    from engine.learn.service import LearnService

    service = LearnService(story, cards=CardStore(args.cards))
    try:
        if args.anki is not None:
            return _deck(service, args.anki, args.all)
        return _listing(service, args.json)
    finally:
        service.close()


def _usage(message: str) -> int:
    print(f"chatlog-vn vocab: {message}", file=sys.stderr)
    return EXIT_USAGE


# --- the deck ---------------------------------------------------------------------


def _deck(service: LearnService, out: Path, every_word: bool) -> int:
    from engine.learn.anki import write_deck
    from engine.learn.vocab import story_vocabulary, word_cards
    from engine.manifest import story_id

    sid = story_id(service.story)
    mined = _mined(service.cards, sid)
    known = {(c.base, c.reading) for c in mined}
    words = ([c for c in word_cards(service, story_vocabulary(service))
              if (c.base, c.reading) not in known] if every_word else [])
    if not mined and not words:
        print(f"chatlog-vn vocab: no cards mined from '{service.story.title}' yet "
              f"(card store: {service.cards.path}); add --all for every word of the story",
              file=sys.stderr)
        return EXIT_ERRORS
    write_deck(out, f"chatlog-vn::{service.story.title}", sid, mined + words)
    print(f"{out}: {len(mined)} mined card(s)"
          + (f" and {len(words)} word card(s)" if every_word else "")
          + f" from '{service.story.title}'", file=sys.stderr)
    return EXIT_OK


def _mined(store: CardStore, sid: str) -> list[Card]:
    read = store.read()
    if read.error:
        print(f"chatlog-vn vocab: {read.error}", file=sys.stderr)
    for d in read.damaged:
        print(f"{store.path}:{d.line}: warning: not a card ({d.reason}); the line is kept as it is",
              file=sys.stderr)
    return [c for c in read.cards if c.story_id == sid]


# --- the listing ------------------------------------------------------------------


def _listing(service: LearnService, as_json: bool) -> int:
    from engine.learn.vocab import story_vocabulary

    vocab = story_vocabulary(service)
    text = (json.dumps(vocab_json(service.story.title, vocab), ensure_ascii=False, indent=1)
            if as_json else vocab_text(service.story.title, vocab))
    write_utf8(sys.stdout, text + "\n")
    return EXIT_OK


def vocab_json(title: str, vocab: Vocabulary) -> dict[str, Any]:
    """The vocabulary as the JSON object `vocab --json` prints."""
    def shares(above: dict[int, float]) -> dict[str, float]:
        return {f"N{n}": round(v, 4) for n, v in above.items()}

    return {
        "story": title,
        "level_note": LEVEL_NOTE + "; jlpt: 5..1, 0 beyond N1, null without kanji",
        "words": [
            {"base": w.base, "reading": w.reading, "written": w.written, "pos": w.pos,
             "meaning": w.meaning, "jlpt": w.jlpt, "grade": w.grade, "count": w.count,
             "first": w.first}
            for w in vocab.words
        ],
        "scenes": [
            {"index": s.index, "title": s.title, "source": s.source, "words": s.words,
             "above": shares(s.above)}
            for s in vocab.scenes
        ],
        "above": shares(vocab.above),
    }


def vocab_text(title: str, vocab: Vocabulary) -> str:
    """The readable listing: the words, then the scenes' levels."""
    from engine.learn.kana import has_kanji
    from engine.learn.levels import N_LEVELS, jlpt_label

    rows = [("word", "reading", "level", "count", "first", "meaning")]
    rows += [(w.base, (w.reading or "-") if has_kanji(w.base) else "", jlpt_label(w.jlpt), str(w.count), w.first,
              _short(w.meaning) or "-") for w in vocab.words]
    lines = [f"{title}: {len(vocab.words)} words, {vocab.occurrences} uses, "
             f"{len(vocab.scenes)} scene(s)", LEVEL_NOTE, ""]
    lines += _table(rows)
    lines.append("")
    head = ("scene", "start", "words") + tuple(f">N{n}" for n in N_LEVELS)
    scene_rows = [head] + [
        (str(s.index), s.source, str(s.words)) + tuple(f"{s.above[n]:.0%}" for n in N_LEVELS)
        for s in vocab.scenes
    ]
    scene_rows.append(("all", "", str(vocab.occurrences))
                      + tuple(f"{vocab.above[n]:.0%}" for n in N_LEVELS))
    lines += _table(scene_rows)
    return "\n".join(lines)


def _short(meaning: str, limit: int = 60) -> str:
    """The meaning cut to `limit` characters for the table (the JSON has it whole)."""
    return meaning if len(meaning) <= limit else meaning[:limit - 1].rstrip(" ,;") + "…"


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
               for c in text if not unicodedata.combining(c))


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows padded to columns by terminal cells (a kanji takes two); the last column free."""
    widths = [max(_cells(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    out = []
    for r in rows:
        cells = [c + " " * (widths[i] - _cells(c)) for i, c in enumerate(r[:-1])]
        out.append("  ".join(cells + [r[-1]]).rstrip())
    return out
