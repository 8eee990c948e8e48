"""The dictionary: JMdict entries, JMnedict names and KANJIDIC2 levels, through jamdict.

Opened lazily, once: nothing is read before the first lookup. jamdict's
SQLite connection belongs to the thread that opened it, so each thread gets
its own (opening one costs well under a millisecond; the data is shared on
disk and in the OS cache). Results are cached by headword, so the popup's
lookup of a word prepared ahead is a dictionary read, not a query.

The lookup of a word tries its dictionary form (食べなかった → 食べる), then
UniDic's lemma (する → 為る), then the form as written, and prefers the
entries that read as the word does, then the common ones. A name (a proper
noun or a story.yaml character) is looked up in JMnedict, the names
dictionary, too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from engine.learn.analysis import merged
from engine.learn.extra import LearnUnavailable, missing
from engine.learn.kana import has_kanji, to_hiragana
from engine.learn.levels import KanjiLevel
from engine.learn.words import MessageWords, Word
from engine.model import record, set_field

CACHE_SIZE = 4096
MAX_COMPOUND = 3  # words joined when looking for a compound (灯台|守 → 灯台守)
_COMPOUND_POS = ("名詞", "接頭辞", "接尾辞")
_COMMON = ("ichi1", "news1", "spec1", "spec2", "gai1")
# UniDic's part of speech -> words in JMdict's part-of-speech names that agree with it,
# so が the particle comes before が the moth (蛾).
_POS_AGREES = {
    "名詞": ("noun", "numeric", "counter"), "代名詞": ("pronoun",),
    "動詞": ("verb",), "形容詞": ("keiyoushi",), "形状詞": ("keiyodoshi", "noun"),
    "副詞": ("adverb",), "助詞": ("particle", "conjunction"),
    "助動詞": ("auxiliary", "copula"), "接続詞": ("conjunction",),
    "感動詞": ("interjection",), "連体詞": ("pre-noun",), "接頭辞": ("prefix",),
    "接尾辞": ("suffix", "counter"),
}


@record
class Sense:
    """One meaning of an entry: its English glosses, parts of speech and usage notes."""

    glosses: tuple[str, ...]
    pos: tuple[str, ...]
    notes: tuple[str, ...] = ()  # JMdict's misc, field and info ("usually written in kana")

    def __init__(self, glosses: tuple[str, ...], pos: tuple[str, ...],
                 notes: tuple[str, ...] = ()) -> None:
        set_field(self, "glosses", glosses)
        set_field(self, "pos", pos)
        set_field(self, "notes", notes)


@record
class Entry:
    """A JMdict entry (or a JMnedict name): its spellings, readings and senses."""

    id: int
    written: tuple[str, ...]  # kanji spellings, most common first (may be empty)
    readings: tuple[str, ...]  # kana readings
    senses: tuple[Sense, ...]
    common: bool = False
    name: bool = False  # from JMnedict: senses are the name's romanisation and kind

    def __init__(self, id: int, written: tuple[str, ...], readings: tuple[str, ...],
                 senses: tuple[Sense, ...], common: bool = False, name: bool = False) -> None:
        set_field(self, "id", id)
        set_field(self, "written", written)
        set_field(self, "readings", readings)
        set_field(self, "senses", senses)
        set_field(self, "common", common)
        set_field(self, "name", name)

    @property
    def headword(self) -> str:
        return self.written[0] if self.written else self.readings[0] if self.readings else ""

    def meaning(self, senses: int = 3) -> str:
        """The first `senses` senses as one line: `to eat; to live on (e.g. a salary)`."""
        return "; ".join(", ".join(s.glosses) for s in self.senses[:senses] if s.glosses)


@record
class Lookup:
    """What the popup shows for a word: as written, dictionary form, reading, entries."""

    written: str  # the text looked up as the reader sees it (a compound may span words)
    base: str  # the dictionary form found (食べる)
    reading: str | None  # how the written form reads here (the story's reading wins)
    base_reading: str | None  # how the dictionary form reads (hiragana)
    entries: tuple[Entry, ...]
    start: int  # code-point span in the message's visible text
    end: int
    glyph_start: int  # glyph span, as the layout numbers glyphs
    glyph_end: int

    def __init__(self, written: str, base: str, reading: str | None, base_reading: str | None,
                 entries: tuple[Entry, ...], start: int, end: int, glyph_start: int,
                 glyph_end: int) -> None:
        set_field(self, "written", written)
        set_field(self, "base", base)
        set_field(self, "reading", reading)
        set_field(self, "base_reading", base_reading)
        set_field(self, "entries", entries)
        set_field(self, "start", start)
        set_field(self, "end", end)
        set_field(self, "glyph_start", glyph_start)
        set_field(self, "glyph_end", glyph_end)

    @property
    def found(self) -> bool:
        return bool(self.entries)

    def meaning(self, senses: int = 3) -> str:
        """The first entry's meaning in one line ("" when nothing was found)."""
        return self.entries[0].meaning(senses) if self.entries else ""


class Dictionary:
    """JMdict, JMnedict and KANJIDIC2 (jamdict-data), opened on first use; thread-safe."""

    def __init__(self, db_file: str | None = None) -> None:
        self._db_file = db_file
        self._local = threading.local()
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, bool], tuple[Entry, ...]] = OrderedDict()
        self._levels: dict[str, KanjiLevel] | None = None
        self._levels_lock = threading.Lock()

    # -- opening

    def _jam(self) -> Any:
        jam = getattr(self._local, "jam", None)
        if jam is None:
            gone = missing("dictionary")
            if gone:
                raise LearnUnavailable(gone, "the dictionary")
            from jamdict import Jamdict

            jam = Jamdict(db_file=self._db_file) if self._db_file else Jamdict()
            if not jam.db_file:
                raise LearnUnavailable(("jamdict-data",), "the dictionary")
            self._local.jam = jam
        return jam

    def release(self) -> None:
        """Close this thread's connection (a worker thread ending). SQLite objects belong to
        their thread: left to the garbage collector they are closed on another thread at
        exit, and jamdict prints a traceback for each."""
        jam = getattr(self._local, "jam", None)
        self._local.jam = None
        ctx = getattr(jam, "_Jamdict__jm_ctx", None)  # jamdict's reused connection
        if ctx is not None:
            try:
                ctx.close()
            finally:
                jam._Jamdict__jm_ctx = None  # type: ignore[union-attr]

    def open(self) -> None:
        """Open the dictionary in this thread now and warm it with one query."""
        self.entries("辞書")

    # -- headwords

    def entries(self, term: str, names: bool = False) -> tuple[Entry, ...]:
        """JMdict's entries spelled or read `term` (with `names`: JMnedict's names), cached."""
        key = (term, names)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        found = self._query(term, names)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def cached(self, term: str, names: bool = False) -> tuple[Entry, ...] | None:
        """The entries of `term` if already looked up, else None (never queries)."""
        with self._lock:
            return self._cache.get((term, names))

    def _query(self, term: str, names: bool) -> tuple[Entry, ...]:
        if not term.strip() or any(c in term for c in "%_?@"):
            return ()  # jamdict reads these as wildcards; no headword holds them
        jam = self._jam()
        if names:
            return tuple(_name(e) for e in jam.jmnedict.search_ne(term))
        result = jam.lookup(term, strict_lookup=True, lookup_chars=False, lookup_ne=False)
        return tuple(_entry(e) for e in result.entries)

    # -- words

    def lookup(self, words: MessageWords, index: int) -> Lookup:
        """What word `index` of `words` means: the longest compound of nouns starting there
        that JMdict knows (灯台|守 → 灯台守), else the word by its dictionary form."""
        word = words.words[index]
        for last in range(_compound_end(words.words, index), index, -1):
            parts = words.words[index:last + 1]
            written = words.text[word.start:parts[-1].end]
            found = self.entries(written)
            if found:
                ranked = _ranked(found, None, written, word.pos)
                return _result(written, written, None, _first_reading(ranked), ranked,
                               word, parts[-1])
        return self.lookup_word(word)

    def lookup_word(self, word: Word) -> Lookup:
        """What `word` means: by dictionary form, lemma, then as written. A name is looked
        up in JMnedict too, and its names come first when they read as it does and JMdict's
        entries do not (光 read ひかる is the name Hikaru, not 光 the light)."""
        reading = word.base_reading or word.reading
        for term in _terms(word):
            found = self.entries(term)
            if word.is_name:
                found = _names_first(found, self.entries(term, names=True), reading)
            if found:
                ranked = _ranked(found, reading, term, word.pos)
                # The word's own base reading is the headword's only when the headword is its
                # base: 動かせる found as its lemma 動かす reads うごかす, not うごかせる.
                own = word.base_reading if term == word.base else None
                base_reading = own or _first_reading(ranked)
                return _result(word.surface, term, word.reading, base_reading, ranked,
                               word, word)
        return _result(word.surface, word.base, word.reading, word.base_reading, (), word, word)

    def compounds(self, words: MessageWords) -> MessageWords:
        """`words` with the nouns the tokenizer cut out of one JMdict compound joined again,
        reading as JMdict says (灯台|守 → 灯台守, とうだいもり, not 灯台 + まもる)."""
        ws = list(words.words)
        out: list[Word] = []
        i = 0
        while i < len(ws):
            joined = self._compound_at(words.text, ws, i)
            if joined is None:
                out.append(ws[i])
                i += 1
            else:
                out.append(joined[0])
                i = joined[1]
        return replace(words, words=tuple(out)) if len(out) != len(ws) else words

    def _compound_at(self, text: str, ws: list[Word], i: int) -> tuple[Word, int] | None:
        for last in range(_compound_end(ws, i, tokenized=True), i, -1):
            written = text[ws[i].start:ws[last].end]
            if not has_kanji(written):
                continue
            found = self.entries(written)
            reading = _first_reading(_ranked(found, None, written, ws[i].pos)) if found else None
            if reading:
                return merged(text, ws[i:last + 1], reading, "dictionary"), last + 1
        return None

    # -- kanji

    def cached_levels(self) -> dict[str, KanjiLevel] | None:
        """The kanji level table if it has been read, else None (never reads it)."""
        return self._levels

    def kanji_levels(self) -> dict[str, KanjiLevel]:
        """Every KANJIDIC2 kanji's school grade and old JLPT level, read once (~10 ms)."""
        with self._levels_lock:
            if self._levels is None:
                self._levels = _read_levels(self._jam().db_file)
            return self._levels


def _names_first(entries: tuple[Entry, ...], names: tuple[Entry, ...],
                 reading: str | None) -> tuple[Entry, ...]:
    if not names:
        return entries
    if not entries:
        return names
    if reading is not None and not any(_reads(e, reading) for e in entries):
        matching = tuple(n for n in names if _reads(n, reading))
        return matching + entries if matching else entries
    return entries


def _reads(entry: Entry, reading: str) -> bool:
    want = to_hiragana(reading)
    return any(to_hiragana(r) == want for r in entry.readings)


def _terms(word: Word) -> tuple[str, ...]:
    """The headwords to try for `word`, best first. A word written in kana is tried by
    UniDic's lemma first when that has kanji: the lemma says which word it is (いう is
    言う, not 結う)."""
    if not has_kanji(word.base) and has_kanji(word.lemma):
        return tuple(dict.fromkeys((word.lemma, word.base, word.surface)))
    return tuple(dict.fromkeys((word.base, word.lemma, word.surface)))


def _compound_end(ws: Sequence[Word], index: int, tokenized: bool = False) -> int:
    """The last word a compound starting at `index` may reach (contiguous nouns; with
    `tokenized`, only words read by the tokenizer, so no story reading is undone)."""
    def fits(w: Word) -> bool:
        return w.pos.startswith(_COMPOUND_POS) and (not tokenized or w.source == "tokenizer")

    last = index
    if not fits(ws[index]):
        return index
    while (last + 1 < len(ws) and last + 1 - index < MAX_COMPOUND
           and ws[last + 1].start == ws[last].end and fits(ws[last + 1])):
        last += 1
    return last


def _result(written: str, base: str, reading: str | None, base_reading: str | None,
            entries: tuple[Entry, ...], first: Word, last: Word) -> Lookup:
    return Lookup(written, base, reading, base_reading, entries, first.start, last.end,
                  first.glyph_start, last.glyph_end)


def _first_reading(entries: Sequence[Entry]) -> str | None:
    return to_hiragana(entries[0].readings[0]) if entries and entries[0].readings else None


def _ranked(entries: tuple[Entry, ...], reading: str | None, term: str,
            pos: str = "") -> tuple[Entry, ...]:
    """Entries reading as the word does first, then of its part of speech, then spelled as
    written (a kana word: entries usually written in kana), then common ones; else JMdict's
    order."""
    want = to_hiragana(reading) if reading else None
    agrees = _POS_AGREES.get(pos.split("-", 1)[0], ())

    def key(e: Entry) -> tuple[bool, bool, bool, bool]:
        reads = want is not None and _reads(e, want)
        same_pos = any(a in p for s in e.senses for p in s.pos for a in agrees)
        if has_kanji(term):
            spelled = term in e.written
        else:
            spelled = not e.written or any("kana alone" in n for s in e.senses for n in s.notes)
        return (not reads, not same_pos, not spelled, not e.common)

    return tuple(sorted(entries, key=key))


def _entry(e: Any) -> Entry:
    senses = []
    for s in e.senses:
        glosses = tuple(g.text for g in s.gloss if getattr(g, "lang", "eng") in ("", "eng", None))
        notes = tuple(s.misc) + tuple(s.field) + tuple(s.info)
        senses.append(Sense(glosses, tuple(s.pos), notes))
    pri = [p for f in list(e.kanji_forms) + list(e.kana_forms) for p in f.pri]
    return Entry(int(e.idseq), tuple(k.text for k in e.kanji_forms),
                 tuple(k.text for k in e.kana_forms), tuple(senses),
                 common=any(p in _COMMON or p.startswith("nf") for p in pri))


def _name(e: Any) -> Entry:
    senses = tuple(Sense(tuple(g.text for g in t.gloss), tuple(t.name_type)) for t in e.senses)
    return Entry(int(e.idseq), tuple(k.text for k in e.kanji_forms),
                 tuple(k.text for k in e.kana_forms), senses, name=True)


def _read_levels(db_file: str) -> dict[str, KanjiLevel]:
    """KANJIDIC2's grade and JLPT columns for every kanji, straight from jamdict's SQLite."""
    import sqlite3
    from pathlib import Path

    uri = Path(db_file).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        rows = conn.execute("SELECT literal, grade, jlpt FROM character").fetchall()
    finally:
        conn.close()
    return {lit: KanjiLevel(_int(grade), _int(jlpt)) for lit, grade, jlpt in rows if lit}


def _int(value: object) -> int | None:
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
