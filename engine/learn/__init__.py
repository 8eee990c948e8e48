"""Learner mode's core (issue 18): words, readings, furigana, the dictionary and cards.

No pygame; the optional `learn` extra (fugashi + unidic-lite, jamdict +
jamdict-data, genanki) is imported only when a tool needs it, and its
absence is `LearnUnavailable`, saying how to install it. Pure parts:
`analysis` (tokens -> words, the story's readings winning), `furigana` (runs
-> runs with ruby), `levels`, `kana`, `words`. The app drives one
`LearnService` per story (see engine/learn/service.py).
"""

from engine.learn.cards import Card, CardsRead, CardStore, Damaged
from engine.learn.dictionary import Dictionary, Entry, Lookup, Sense
from engine.learn.extra import INSTALL, LearnUnavailable, available, missing, require
from engine.learn.furigana import OFF, FuriganaMode, add_furigana, parse_mode
from engine.learn.service import LearnService
from engine.learn.words import MessageWords, Word

__all__ = [
    "INSTALL",
    "OFF",
    "Card",
    "CardStore",
    "CardsRead",
    "Damaged",
    "Dictionary",
    "Entry",
    "FuriganaMode",
    "LearnService",
    "LearnUnavailable",
    "Lookup",
    "MessageWords",
    "Sense",
    "Word",
    "add_furigana",
    "available",
    "missing",
    "parse_mode",
    "require",
]
