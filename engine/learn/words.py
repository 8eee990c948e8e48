"""A message's words as data: what the reader sees, where each word is, how it reads.

Pure. A word's place is given twice: `start`/`end` are code-point offsets
into the message's visible text (`Message.text`: ruby bases without
readings, stage directions with their parentheses, a forced break as "\\n"),
and `glyph_start`/`glyph_end` are glyph indexes exactly as the layout
numbers them (`engine.layout.Glyph.index`: graphemes in reading order, a
forced break taking none). So a word maps straight onto glyph boxes: the
glyphs of a layout whose `index` is in `range(glyph_start, glyph_end)`.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

from engine.layout.graphemes import split_graphemes
from engine.learn.kana import has_kanji
from engine.model import Break, Direction, Ruby, Run, Text, record, set_field

# Where a word's reading comes from, strongest first: the writer's ruby on this very
# word, a story.yaml character name, the writer's ruby on the same word elsewhere in
# the story, JMdict for a compound the tokenizer cut (灯台|守 is 灯台守, とうだいもり),
# the tokenizer's dictionary (UniDic); "none" for words it cannot read.
Source = Literal["ruby", "name", "story", "dictionary", "tokenizer", "none"]


@record
class Word:
    """One word of a message (a verb keeps its auxiliaries: 食べなかった is one word)."""

    surface: str  # as written
    start: int  # code-point offsets into the visible text
    end: int
    glyph_start: int  # glyph indexes as the layout counts them
    glyph_end: int
    base: str  # dictionary form as written (食べる for 食べなかった)
    lemma: str  # UniDic's lemma, the headword a dictionary is searched by (為る for する)
    reading: str | None  # how `surface` reads here: hiragana, or the writer's kana as written
    base_reading: str | None  # how `base` reads (hiragana)
    pos: str  # UniDic part of speech, e.g. "動詞-一般", "名詞-固有名詞"
    source: Source
    is_name: bool = False  # a proper noun or a story.yaml character name

    def __init__(
        self,
        surface: str,
        start: int,
        end: int,
        glyph_start: int,
        glyph_end: int,
        base: str,
        lemma: str,
        reading: str | None,
        base_reading: str | None,
        pos: str,
        source: Source,
        is_name: bool = False,
    ) -> None:
        set_field(self, "surface", surface)
        set_field(self, "start", start)
        set_field(self, "end", end)
        set_field(self, "glyph_start", glyph_start)
        set_field(self, "glyph_end", glyph_end)
        set_field(self, "base", base)
        set_field(self, "lemma", lemma)
        set_field(self, "reading", reading)
        set_field(self, "base_reading", base_reading)
        set_field(self, "pos", pos)
        set_field(self, "source", source)
        set_field(self, "is_name", is_name)

    @property
    def has_kanji(self) -> bool:
        return has_kanji(self.surface)


@record
class MessageWords:
    """A message's visible text and its words in order (punctuation and spaces are not words)."""

    text: str
    words: tuple[Word, ...]
    glyphs: int  # how many glyphs the layout makes of this message

    def __init__(self, text: str, words: tuple[Word, ...], glyphs: int) -> None:
        set_field(self, "text", text)
        set_field(self, "words", words)
        set_field(self, "glyphs", glyphs)

    def index_at(self, char_index: int) -> int | None:
        """The index in `words` of the word holding code point `char_index`, or None."""
        i = bisect_right([w.start for w in self.words], char_index) - 1
        if i >= 0 and char_index < self.words[i].end:
            return i
        return None

    def word_at(self, char_index: int) -> Word | None:
        """The word holding code point `char_index` of the visible text, or None."""
        i = self.index_at(char_index)
        return None if i is None else self.words[i]

    def index_at_glyph(self, glyph_index: int) -> int | None:
        """The index in `words` of the word drawn by glyph `glyph_index`, or None."""
        i = bisect_right([w.glyph_start for w in self.words], glyph_index) - 1
        if i >= 0 and glyph_index < self.words[i].glyph_end:
            return i
        return None

    def word_at_glyph(self, glyph_index: int) -> Word | None:
        """The word drawn by the layout's glyph number `glyph_index` (Glyph.index), or None."""
        i = self.index_at_glyph(glyph_index)
        return None if i is None else self.words[i]

    def step(self, index: int | None, delta: int) -> int | None:
        """The word `delta` words after (or before) word `index`, clamped; None if no words.

        From None (no word chosen yet) a step forward picks the first word and a
        step back the last, as a reader moving word by word with the arrows expects.
        """
        if not self.words:
            return None
        if index is None:
            return 0 if delta >= 0 else len(self.words) - 1
        return max(0, min(len(self.words) - 1, index + delta))


def glyph_starts(runs: tuple[Run, ...]) -> tuple[tuple[int, ...], int]:
    """For each code point of the visible text, the glyph index it belongs to; and the count.

    Graphemes are split per run (and per ruby part), exactly as the layout
    splits them, so the numbers agree with `Glyph.index`. A forced break's
    "\\n" gets the index of the glyph after it (it draws none).
    """
    out: list[int] = []
    glyph = 0
    for run in runs:
        if isinstance(run, Break):
            out.append(glyph)
            continue
        if isinstance(run, Ruby):
            pieces = [b for b, _ in run.parts]
        elif isinstance(run, (Text, Direction)):
            pieces = [run.text]
        else:
            continue
        for piece in pieces:
            for g in split_graphemes(piece):
                out.extend([glyph] * len(g))
                glyph += 1
    return tuple(out), glyph
