"""A story's vocabulary: every word with its reading, meaning, level and first place,
and per scene how much of it lies above each JLPT level.

Words here are content words: particles (助詞) and auxiliaries (助動詞,
which conjugating words already carry) are left out, as are punctuation and
spaces. A word is its dictionary form with its reading (食べた and
食べない count as 食べる), and its level is the N level of its hardest
kanji (engine.learn.levels; kana words have none and count as easy).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.learn.cards import Card
from engine.learn.kana import has_kanji
from engine.learn.levels import LevelTable, shares_above, word_grade, word_jlpt
from engine.learn.service import LearnService
from engine.learn.words import Word
from engine.model import Message, record, set_field

_FUNCTION_POS = ("助詞", "助動詞")


@record(frozen=False)
class VocabWord:
    """One word of the story (its dictionary form and reading) and where it first stands."""

    base: str
    reading: str | None
    written: str  # as first written
    pos: str
    jlpt: int | None  # N level of the hardest kanji (0: beyond N1), None without kanji
    grade: int | None  # highest KANJIDIC2 school grade of its kanji (99: none), None without
    count: int
    first: str  # FILE:LINE of the first use
    message: Message  # the first use, for its sentence
    start: int  # the word's span in that message's visible text
    end: int
    meaning: str = ""

    def __init__(self, base: str, reading: str | None, written: str, pos: str,
                 jlpt: int | None, grade: int | None, count: int, first: str,
                 message: Message, start: int, end: int, meaning: str = "") -> None:
        self.base = base
        self.reading = reading
        self.written = written
        self.pos = pos
        self.jlpt = jlpt
        self.grade = grade
        self.count = count
        self.first = first
        self.message = message
        self.start = start
        self.end = end
        self.meaning = meaning


@record
class SceneLevels:
    """One scene: how many words it has and the share of them above each N level."""

    index: int
    title: str
    source: str  # FILE:LINE of the scene's start
    words: int
    above: dict[int, float]  # N level -> share of the scene's words harder than it

    def __init__(self, index: int, title: str, source: str, words: int,
                 above: dict[int, float]) -> None:
        set_field(self, "index", index)
        set_field(self, "title", title)
        set_field(self, "source", source)
        set_field(self, "words", words)
        set_field(self, "above", above)


@record
class Vocabulary:
    """The story's words in order of first use, and its scenes' levels."""

    words: tuple[VocabWord, ...]
    scenes: tuple[SceneLevels, ...]
    above: dict[int, float]  # the whole story

    def __init__(self, words: tuple[VocabWord, ...], scenes: tuple[SceneLevels, ...],
                 above: dict[int, float]) -> None:
        set_field(self, "words", words)
        set_field(self, "scenes", scenes)
        set_field(self, "above", above)

    @property
    def occurrences(self) -> int:
        return sum(w.count for w in self.words)


def is_content(word: Word) -> bool:
    """Whether a word belongs in the vocabulary (not a particle or an auxiliary)."""
    return not word.pos.startswith(_FUNCTION_POS)


def word_level(levels: LevelTable, word: Word) -> int | None:
    """A word's N level, from its dictionary form (or as written, when that has the kanji)."""
    text = word.base if has_kanji(word.base) else word.surface
    return word_jlpt(levels, text)


def story_vocabulary(service: LearnService, meanings: bool = True,
                     progress: Callable[[int, int], None] | None = None) -> Vocabulary:
    """Every content word of the story in play order, with levels; with `meanings`, each
    word's first JMdict meaning (one lookup per distinct word)."""
    levels = service.dictionary.kanji_levels()
    found: dict[tuple[str, str | None], VocabWord] = {}
    scenes: list[SceneLevels] = []
    every: list[int | None] = []
    refs = service.story.scenes
    for n, ref in enumerate(refs):
        scene_levels: list[int | None] = []
        for message in ref.scene.messages:
            for word in service.words(message).words:
                if is_content(word):
                    scene_levels.append(_count(found, service, message, word, levels))
        every.extend(scene_levels)
        scenes.append(SceneLevels(ref.index, ref.scene.title, service.place(ref.scene.pos),
                                  len(scene_levels), shares_above(scene_levels)))
        if progress is not None:
            progress(n + 1, len(refs))
    words = tuple(found.values())
    if meanings:
        for entry in words:
            entry.meaning = _meaning(service, entry)
    return Vocabulary(words, tuple(scenes), shares_above(every))


def _count(found: dict[tuple[str, str | None], VocabWord], service: LearnService,
           message: Message, word: Word, levels: LevelTable) -> int | None:
    key = (word.base, word.base_reading)
    entry = found.get(key)
    if entry is not None:
        entry.count += 1
        return entry.jlpt
    text = word.base if has_kanji(word.base) else word.surface
    found[key] = VocabWord(word.base, word.base_reading, word.surface, word.pos,
                           word_jlpt(levels, text), word_grade(levels, text), 1,
                           service.source(message), message, word.start, word.end)
    return found[key].jlpt


def _meaning(service: LearnService, entry: VocabWord) -> str:
    words = service.words(entry.message)
    word = next((w for w in words.words if w.start == entry.start), None)
    if word is None:
        return ""
    return service.dictionary.lookup_word(word).meaning()


def word_cards(service: LearnService, vocabulary: Vocabulary) -> list[Card]:
    """One card per word of the story that the dictionary knows (for `vocab --all`)."""
    from engine.manifest import story_id

    sid = story_id(service.story)
    out = []
    for w in vocabulary.words:
        if not w.meaning:
            continue
        speaker = service.story.character(w.message.speaker)
        out.append(Card(
            id=f"{sid}:{w.base}:{w.reading or ''}", word=w.written, base=w.base,
            reading=(w.reading or w.base) if has_kanji(w.base) else w.base, meaning=w.meaning, sentence=w.message.text,
            word_start=w.start, word_end=w.end, story=service.story.title, story_id=sid,
            source=w.first, speaker=speaker.name if speaker else w.message.speaker,
        ))
    return out
