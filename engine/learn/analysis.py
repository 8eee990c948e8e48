"""From a tokenizer's tokens to a message's words, with the story's readings winning.

Pure: the tokens come from `engine.learn.tokenizer` (or a test), the story's
readings from `Readings`. Three steps:

1. A verb, adjective or na-adjective keeps the auxiliaries that conjugate
   it (食べ|なかっ|た is one word, 食べなかった, dictionary form 食べる;
   読ん|で|いる is 読んでいる). Punctuation and spaces are not words.
2. The writer's ruby on this message wins: the words under one ruby unit
   become one word reading as the writer wrote (汐見|灯台|新報 under
   しおみとうだいしんぽう is one word), with the kana the writer left
   outside the ruby (天<あま>の川<がわ> reads あまのがわ).
3. Elsewhere, a run of words spelling a story.yaml character name reads as
   story.yaml says, and one spelling a base the writer annotated somewhere
   in the story reads as the writer wrote it there (眞 → まこと, not the
   tokenizer's シン). A match must start and end on word boundaries, so the
   writer's 灯/ともしび never rereads the 灯 of 灯台.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from engine.learn.kana import is_kana, to_hiragana
from engine.learn.words import MessageWords, Source, Word, glyph_starts
from engine.model import Ruby, Run, record, run_text, set_field

MAX_MATCH_WORDS = 6  # the longest run of words a name or story reading may span

_NOT_WORDS = ("補助記号", "空白")  # punctuation and whitespace
_CONJUGATING = ("動詞", "形容詞", "形状詞")
_TE = frozenset("てで")
_CONJUNCTIVE = frozenset(("て", "で", "ば", "ちゃ", "じゃ"))  # te-form, conditional, contractions


@record
class Token:
    """One token as the tokenizer gives it, placed in the visible text."""

    surface: str
    start: int  # code-point offsets into the visible text
    end: int
    pos1: str  # UniDic part of speech, top level (名詞, 動詞, 助動詞, ...)
    pos2: str  # second level (固有名詞, 非自立可能, ...) or "*"
    base: str  # the dictionary form as written (orthBase)
    lemma: str  # UniDic's lemma
    reading: str | None  # katakana reading of the surface, None if unknown
    base_reading: str | None  # katakana reading of `base`

    def __init__(self, surface: str, start: int, end: int, pos1: str, pos2: str, base: str,
                 lemma: str, reading: str | None, base_reading: str | None) -> None:
        set_field(self, "surface", surface)
        set_field(self, "start", start)
        set_field(self, "end", end)
        set_field(self, "pos1", pos1)
        set_field(self, "pos2", pos2)
        set_field(self, "base", base)
        set_field(self, "lemma", lemma)
        set_field(self, "reading", reading)
        set_field(self, "base_reading", base_reading)

    @property
    def pos(self) -> str:
        return self.pos1 if self.pos2 in ("*", "") else f"{self.pos1}-{self.pos2}"


@record
class Readings:
    """The story's own readings: writer-annotated bases and character names."""

    story: Mapping[str, str]  # base the writer annotated somewhere -> its reading
    names: Mapping[str, str]  # a character's name -> story.yaml's reading
    name_set: frozenset[str] = frozenset()  # every character name, with a reading or not

    def __init__(self, story: Mapping[str, str], names: Mapping[str, str],
                 name_set: frozenset[str] = frozenset()) -> None:
        set_field(self, "story", story)
        set_field(self, "names", names)
        set_field(self, "name_set", name_set | frozenset(names))


NO_READINGS = Readings({}, {})


def analyse(runs: tuple[Run, ...], tokens: Iterable[Token],
            readings: Readings = NO_READINGS) -> MessageWords:
    """The words of a message whose visible text the `tokens` cover (step 1-3 above)."""
    text = "".join(run_text(r) for r in runs)
    words = [_word(group) for group in _groups(list(tokens))]
    rubies = ruby_spans(runs)
    words, fixed = _apply_rubies(text, words, rubies)
    words = _apply_readings(text, words, fixed, readings)
    gmap, count = glyph_starts(runs)
    placed = tuple(_placed(w, gmap, count, readings) for w in words)
    return MessageWords(text, placed, count)


def ruby_spans(runs: tuple[Run, ...]) -> list[tuple[int, int, str]]:
    """Each ruby unit of `runs` as (start, end, reading) in visible-text offsets."""
    out = []
    at = 0
    for run in runs:
        length = len(run_text(run))
        if isinstance(run, Ruby):
            out.append((at, at + length, run.ruby))
        at += length
    return out


# --- step 1: tokens -> words --------------------------------------------------------


def _is_word(t: Token) -> bool:
    return t.pos1 not in _NOT_WORDS and any(c.isalnum() for c in t.surface)


def _follows(group: list[Token], t: Token) -> bool:
    """Whether `t` conjugates the verb or adjective `group` has begun.

    Auxiliaries (なかっ, た, れる), the te-form and conditional particles
    (て, ば), and after a te-form the helper verbs and adjectives (いる,
    しまう, ほしい): 読んでいなかった is one word.
    """
    if t.pos1 == "助動詞" or (t.pos1 == "接尾辞" and t.pos2 in ("動詞的", "形容詞的")):
        return True
    if t.pos1 == "助詞" and t.pos2 == "接続助詞":
        return t.surface in _CONJUNCTIVE
    return t.pos2 == "非自立可能" and t.pos1 in ("動詞", "形容詞") and group[-1].surface in _TE


def _groups(tokens: list[Token]) -> list[list[Token]]:
    out: list[list[Token]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        i += 1
        if not _is_word(t):
            continue
        group = [t]
        if t.pos1 in _CONJUGATING:
            while (i < len(tokens) and tokens[i].start == group[-1].end
                   and _follows(group, tokens[i])):
                group.append(tokens[i])
                i += 1
        out.append(group)
    return out


def _word(group: list[Token]) -> Word:
    head = group[0]
    readings = [t.reading for t in group]
    reading = to_hiragana("".join(r for r in readings if r)) if all(readings) else None
    source: Source = "tokenizer" if reading else "none"
    return Word(
        surface="".join(t.surface for t in group), start=head.start, end=group[-1].end,
        glyph_start=0, glyph_end=0, base=head.base, lemma=head.lemma, reading=reading,
        base_reading=to_hiragana(head.base_reading) if head.base_reading else None,
        pos=head.pos, source=source, is_name=head.pos2 == "固有名詞",
    )


# --- step 2: the writer's ruby on this message ----------------------------------------


def _apply_rubies(text: str, words: list[Word], rubies: list[tuple[int, int, str]]
                  ) -> tuple[list[Word], set[int]]:
    """`words` with those under a ruby unit merged and read as written; the merged
    words' starts (they are settled: the story's readings do not touch them)."""
    fixed: set[int] = set()
    for rs, re_, _ in rubies:
        a, b = _covering(words, rs, re_, rubies)
        if a is None or b is None:
            continue
        start, end = words[a].start, words[b].end
        reading = _composed(text, start, end, rubies)
        if reading is None or not _contiguous(words[a:b + 1]):
            fixed.update(w.start for w in words[a:b + 1])  # the writer's, unreadable as one word
            continue
        words[a:b + 1] = [merged(text, words[a:b + 1], reading, "ruby")]
        fixed.add(start)
    return words, fixed


def _covering(words: list[Word], rs: int, re_: int, rubies: list[tuple[int, int, str]]
              ) -> tuple[int | None, int | None]:
    """The first and last word overlapping [rs, re_), widened until no ruby unit is cut."""
    lo, hi = rs, re_
    while True:
        hits = [i for i, w in enumerate(words) if w.start < hi and w.end > lo]
        if not hits:
            return None, None
        lo2, hi2 = min(lo, words[hits[0]].start), max(hi, words[hits[-1]].end)
        for s, e, _ in rubies:
            if s < hi2 and e > lo2:
                lo2, hi2 = min(lo2, s), max(hi2, e)
        if (lo2, hi2) == (lo, hi):
            return hits[0], hits[-1]
        lo, hi = lo2, hi2


def _composed(text: str, start: int, end: int, rubies: list[tuple[int, int, str]]) -> str | None:
    """The reading of text[start:end]: ruby readings, and the kana between them as they are.

    None if a character outside every ruby is not kana (the writer left a kanji unread).
    """
    inside = sorted((s, e, r) for s, e, r in rubies if s >= start and e <= end)
    out = []
    at = start
    for s, e, r in inside:
        gap = text[at:s]
        if not all(is_kana(c) for c in gap):
            return None
        out.append(gap)
        out.append(r)
        at = e
    tail = text[at:end]
    if not all(is_kana(c) for c in tail):
        return None
    out.append(tail)
    return "".join(out)


def _contiguous(words: list[Word]) -> bool:
    return all(a.end == b.start for a, b in zip(words, words[1:], strict=False))


def merged(text: str, parts: list[Word], reading: str, source: Source,
           is_name: bool = False) -> Word:
    """One word standing for `parts` (contiguous words of `text`), reading `reading`."""
    head = parts[0]
    surface = text[head.start:parts[-1].end]
    name = is_name or any(p.is_name for p in parts)
    if len(parts) == 1 and head.base != head.surface:
        # An inflected word keeps its dictionary form; the writer read the form shown.
        return replace(head, reading=reading, source=source, is_name=name)
    return replace(head, surface=surface, end=parts[-1].end, glyph_end=parts[-1].glyph_end,
                   base=surface,
                   lemma=head.lemma if len(parts) == 1 else surface, reading=reading,
                   base_reading=to_hiragana(reading), source=source, is_name=name)


# --- step 3: names and the writer's readings elsewhere in the story ---------------------


def _apply_readings(text: str, words: list[Word], fixed: set[int], readings: Readings
                    ) -> list[Word]:
    if not readings.story and not readings.name_set:
        return words
    out: list[Word] = []
    i = 0
    while i < len(words):
        found = _longest_match(text, words, i, fixed, readings)
        if found is None:
            out.append(words[i])
            i += 1
            continue
        j, reading, source, is_name = found
        if reading is None:  # a name without a reading anywhere: the tokenizer's, as one word
            reading = _joined(words[i:j])
            source = words[i].source
        out.append(merged(text, words[i:j], reading or "", source, is_name=is_name))
        if not reading:
            out[-1] = replace(out[-1], reading=None, base_reading=None, source="none")
        i = j
    return out


def _joined(words: list[Word]) -> str | None:
    readings = [w.reading for w in words]
    return "".join(r for r in readings if r) if all(readings) else None


def _longest_match(text: str, words: list[Word], i: int, fixed: set[int], readings: Readings
                   ) -> tuple[int, str | None, Source, bool] | None:
    """(end index, reading, source, is a name) of the longest name or story base starting at
    word i. A character name without a story.yaml reading reads as the writer wrote it
    elsewhere, if anywhere (else the reading is None)."""
    if words[i].start in fixed:
        return None
    last = i
    while (last + 1 < len(words) and last + 1 - i < MAX_MATCH_WORDS
           and words[last + 1].start == words[last].end and words[last + 1].start not in fixed):
        last += 1
    for j in range(last, i - 1, -1):
        surface = text[words[i].start:words[j].end]
        if surface in readings.names:
            return j + 1, readings.names[surface], "name", True
        if surface in readings.name_set:
            return j + 1, readings.story.get(surface), "story", True
        if surface in readings.story:
            return j + 1, readings.story[surface], "story", False
    return None


def _placed(w: Word, gmap: tuple[int, ...], count: int, readings: Readings) -> Word:
    """`w` with its glyph indexes (and its name flag when it spells a character name)."""
    g0 = gmap[w.start] if w.start < len(gmap) else count
    g1 = gmap[w.end - 1] + 1 if 0 < w.end <= len(gmap) else count
    is_name = w.is_name or w.surface in readings.name_set
    return replace(w, glyph_start=g0, glyph_end=g1, is_name=is_name)


def story_readings(words_with_ruby: Iterable[Word], names: Mapping[str, str],
                   name_set: frozenset[str] = frozenset()) -> Readings:
    """`Readings` from the words the writer annotated (source "ruby") across a story.

    A base annotated with different readings reads as the most frequent one
    (the first written, on a tie).
    """
    counts: dict[str, dict[str, int]] = {}
    for w in words_with_ruby:
        if w.source == "ruby" and w.reading:
            seen = counts.setdefault(w.surface, {})
            seen[w.reading] = seen.get(w.reading, 0) + 1
    story = {base: max(seen, key=lambda r: seen[r]) for base, seen in counts.items()}
    return Readings(story, dict(names), frozenset(name_set))
