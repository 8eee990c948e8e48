"""Learner core with the `learn` extra installed: the real tokenizer, JMdict, KANJIDIC2 and
genanki. Skipped where the extra is not installed (CI installs `.[test,learn]`)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fugashi")
pytest.importorskip("unidic_lite")
pytest.importorskip("jamdict")
pytest.importorskip("jamdict_data")
pytest.importorskip("genanki")

from engine.cli import main  # noqa: E402
from engine.layout import layout_message  # noqa: E402
from engine.learn import CardStore, FuriganaMode, LearnService  # noqa: E402
from engine.learn.levels import KanjiLevel  # noqa: E402
from engine.manifest import load_story  # noqa: E402
from engine.model import Message, Ruby, Text  # noqa: E402
from tests.layout_fakes import DEFAULT, fake_measure  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCRIPT = """\
--- LOG START --- 2025.01.01 10:00<br>
HIKARI: 眞は食べなかった。<br>
MAKOTO: 光が来た。灯台の灯が見える。<br>
HIKARI: <ruby>眞<rt>まこと</rt></ruby>、<ruby>灯<rt>ともしび</rt></ruby>を<ruby>光<rt>ひかり</rt></ruby>で。<br>
MAKOTO: 憂鬱な灯台守だった。<br>
--- LOG END ---
"""
MANIFEST = """\
title: 光の夜
characters:
  HIKARI: {name: 光, reading: ひかる}
  MAKOTO: {name: 眞}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("learn-story")
    (root / "a.log").write_text(SCRIPT, encoding="utf-8")
    (root / "story.yaml").write_text(MANIFEST, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def service(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> LearnService:
    cards = CardStore(tmp_path_factory.mktemp("cards") / "cards.jsonl")
    svc = LearnService(load_story(folder), cards=cards)
    yield svc
    svc.close()


def messages(service: LearnService) -> tuple[Message, ...]:
    return service.story.scripts[0].messages


def readings(service: LearnService, n: int) -> list[tuple[str, str | None, str]]:
    return [(w.surface, w.reading, w.source) for w in service.words(messages(service)[n]).words]


# --- readings and the writer's precedence ------------------------------------------------


def test_the_writers_reading_anywhere_in_the_story_wins_over_the_tokenizer(
        service: LearnService) -> None:
    # The tokenizer reads 眞 as しん; the writer annotated it まこと two messages later.
    assert readings(service, 0)[0] == ("眞", "まこと", "story")
    assert readings(service, 0)[2] == ("食べなかった", "たべなかった", "tokenizer")


def test_story_yaml_reads_names_and_the_writers_bases_only_whole_words(
        service: LearnService) -> None:
    words = readings(service, 1)
    assert words[0] == ("光", "ひかる", "name")  # over the writer's ひかり in message 2
    assert ("灯台", "とうだい", "tokenizer") in words  # the writer's 灯 does not reread 灯台
    assert ("灯", "ともしび", "story") in words
    assert service.words(messages(service)[1]).words[0].is_name


def test_the_ruby_on_a_message_is_its_own_reading(service: LearnService) -> None:
    assert [r for r in readings(service, 2) if r[2] == "ruby"] == [
        ("眞", "まこと", "ruby"), ("灯", "ともしび", "ruby"), ("光", "ひかり", "ruby")]


# --- levels and furigana --------------------------------------------------------------------


def test_kanjidic_levels(service: LearnService) -> None:
    levels = service.dictionary.kanji_levels()
    assert levels["食"] == KanjiLevel(2, 4) and levels["食"].jlpt == 5
    assert levels["灯"] == KanjiLevel(4, 2) and levels["灯"].jlpt == 2
    assert levels["鬱"].jlpt == 0 and len(levels) > 10_000


def test_furigana_all_exactly_where_expected(service: LearnService) -> None:
    runs = service.furigana(messages(service)[0], FuriganaMode("all"))
    assert runs == (Ruby((("眞", "まこと"),)), Text("は"), Ruby((("食", "た"),)),
                    Text("べなかった。"))


def test_furigana_leaves_the_writers_ruby_as_it_is(service: LearnService) -> None:
    message = messages(service)[2]
    out = service.furigana(message, FuriganaMode("all"))
    assert [r for r in out if isinstance(r, Ruby)] == [r for r in message.runs
                                                       if isinstance(r, Ruby)]
    assert out == message.runs  # every kanji word there is the writer's


def test_furigana_by_level(service: LearnService) -> None:
    message = messages(service)[3]  # 憂鬱な灯台守だった。
    assert service.furigana(message, FuriganaMode("grade", 6)) == (
        Ruby((("憂鬱", "ゆううつ"),)), Text("な灯台守だった。"))
    by_jlpt = service.furigana(message, FuriganaMode("jlpt", 3))
    # The tokenizer cuts 灯台|守 and reads 守 as まもる; JMdict joins them: とうだいもり.
    assert by_jlpt == (Ruby((("憂鬱", "ゆううつ"),)), Text("な"),
                       Ruby((("灯台守", "とうだいもり"),)), Text("だった。"))
    names = service.furigana(messages(service)[1], FuriganaMode("names"))
    assert [r for r in names if isinstance(r, Ruby)] == [Ruby((("光", "ひかる"),))]


def test_layout_command_places_the_furigana(folder: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    assert main(["layout", str(folder / "a.log"), "-m", "0", "--width", "640",
                 "--furigana", "all", "--json"]) == 0
    line = json.loads(capsys.readouterr().out)["lines"][0]
    assert [(r["text"], r["base_start"], r["base_end"]) for r in line["rubies"]] == [
        ("まこと", 0, 1), ("た", 2, 3)]
    assert main(["layout", str(folder / "a.log"), "-m", "0", "--width", "640", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lines"][0]["rubies"] == []


# --- word spans against glyph boxes --------------------------------------------------------------


def test_every_demo_word_maps_onto_its_glyphs() -> None:
    story = load_story(REPO / "scripts")
    svc = LearnService(story)
    checked = 0
    for script in story.scripts:
        for message in script.messages:
            words = svc.words(message)
            # Furigana only cuts Text runs into Text and Ruby: the glyphs keep their numbers.
            for runs in (message.runs, svc.furigana(message, FuriganaMode("all"))):
                layout = layout_message(runs, 480, fake_measure, DEFAULT)
                glyphs = {g.index: g.ch for line in layout.lines for g in line.glyphs}
                assert words.glyphs == layout.chars
                for w in words.words:
                    drawn = "".join(glyphs[i] for i in range(w.glyph_start, w.glyph_end))
                    assert drawn == w.surface == words.text[w.start:w.end], (message.pos, w)
                    assert words.word_at_glyph(w.glyph_start) == w
                    checked += 1
    assert checked > 2000


# --- the dictionary ---------------------------------------------------------------------------------


def test_a_conjugated_word_is_looked_up_by_its_dictionary_form(service: LearnService) -> None:
    found = service.lookup(messages(service)[0], 2)
    assert (found.written, found.base, found.base_reading) == ("食べなかった", "食べる", "たべる")
    assert "to eat" in found.entries[0].senses[0].glosses
    assert any("Ichidan verb" in p for p in found.entries[0].senses[0].pos)


def test_a_compound_the_tokenizer_cut_is_one_word(service: LearnService) -> None:
    message = messages(service)[3]
    assert [w.surface for w in service.tokenized(message).words][2:4] == ["灯台", "守"]
    words = service.words(message).words
    index = next(i for i, w in enumerate(words) if w.surface == "灯台守")
    assert (words[index].reading, words[index].source) == ("とうだいもり", "dictionary")
    found = service.lookup(message, index)
    assert (found.written, found.base_reading) == ("灯台守", "とうだいもり")
    assert "lighthouse keeper" in found.meaning()
    assert (found.glyph_start, found.glyph_end) == (3, 6)


def test_a_particle_is_the_particle_and_a_name_falls_back_to_jmnedict(
        service: LearnService) -> None:
    message = messages(service)[1]
    ga = service.lookup(message, 1)
    assert ga.written == "が" and "particle" in ga.entries[0].senses[0].pos[0]
    svc = LearnService(service.story)
    shiomi = svc.dictionary.lookup_word(svc.words(Message(None, (Text("汐見さん"),),
                                                          message.pos)).words[0])
    assert shiomi.entries and shiomi.entries[0].name and "Shiomi" in shiomi.meaning()
    # 光 read ひかる (story.yaml) is the name Hikaru, not the light (ひかり) JMdict has.
    hikaru = service.lookup(message, 0)
    assert hikaru.entries[0].name and "Hikaru" in hikaru.meaning()


# --- the worker ahead of the reader ------------------------------------------------------------------


def test_prepare_computes_ahead_off_the_calling_thread(folder: Path) -> None:
    svc = LearnService(load_story(folder))
    ms = svc.story.scripts[0].messages
    try:
        assert svc.ready_words(ms[3]) is None  # nothing computed yet: queued, not waited for
        svc.prepare(ms, FuriganaMode("all"))
        assert svc.wait_idle(60)
        for m in ms:
            words = svc.ready_words(m)
            assert words is not None
            assert svc.ready_furigana(m, FuriganaMode("all")) == svc.furigana(m, FuriganaMode("all"))
            for i in range(len(words.words)):
                assert svc.ready_lookup(m, i) is not None
        assert svc.error is None and not svc.failed
    finally:
        svc.close()


def test_an_urgent_lookup_is_made_without_prepare(folder: Path) -> None:
    svc = LearnService(load_story(folder))
    message = svc.story.scripts[0].messages[0]
    try:
        assert svc.ready_lookup(message, 2) is None
        assert svc.wait_idle(60)
        found = svc.ready_lookup(message, 2)
        assert found is not None and found.base == "食べる"
        assert svc.ready_lookup(message, 1) is None  # only what was asked for was looked up
    finally:
        svc.close()


# --- cards and the deck -------------------------------------------------------------------------------


def test_a_card_holds_the_word_in_its_sentence(service: LearnService) -> None:
    message = messages(service)[3]
    index = next(i for i, w in enumerate(service.words(message).words) if w.surface == "灯台守")
    made, added = service.add_card(message, index, audio="voice/0004.ogg")
    assert added or made.audio == "voice/0004.ogg"
    assert (made.word, made.base, made.reading) == ("灯台守", "灯台守", "とうだいもり")
    assert "lighthouse keeper" in made.meaning
    assert made.marked() == "憂鬱な<b>灯台守</b>だった。"
    assert (made.story, made.source, made.speaker, made.audio) == (
        "光の夜", "a.log:5", "眞", "voice/0004.ogg")
    assert made in service.cards.read().cards


def test_the_deck_is_a_zip_whose_collection_holds_the_cards(
        service: LearnService, folder: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    message = messages(service)[3]
    index = next(i for i, w in enumerate(service.words(message).words) if w.surface == "灯台守")
    service.add_card(message, index)
    service.add_card(messages(service)[0], 2)
    out = tmp_path / "deck.apkg"
    argv = ["vocab", str(folder), "--anki", str(out), "--cards", str(service.cards.path)]
    assert main(argv) == 0
    fields = _notes(out, tmp_path)
    assert len(fields) == len(service.cards.cards(None))
    assert {f[0] for f in fields} == {"灯台守", "食べなかった"}
    assert any("憂鬱な<b>灯台守</b>だった。" in f[3] for f in fields)
    assert main(argv + ["--all"]) == 0
    every = _notes(out, tmp_path)
    assert len(every) > len(fields)
    assert {"憂鬱", "見える", "灯台"} <= {f[0] for f in every}  # as first written
    assert "mined card(s)" in capsys.readouterr().err


def _notes(apkg: Path, tmp: Path) -> list[list[str]]:
    with zipfile.ZipFile(apkg) as z:
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", tmp)
    conn = sqlite3.connect(tmp / "collection.anki2")
    try:
        return [row[0].split("\x1f") for row in conn.execute("SELECT flds FROM notes")]
    finally:
        conn.close()


def test_no_cards_yet_says_so(folder: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "deck.apkg"
    assert main(["vocab", str(folder), "--anki", str(out), "--cards",
                 str(tmp_path / "none.jsonl")]) == 1
    assert "no cards mined" in capsys.readouterr().err and not out.exists()


# --- the vocabulary listing ------------------------------------------------------------------------------


def test_vocab_json_lists_words_and_scene_levels(folder: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vocab", str(folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    words = {w["base"]: w for w in data["words"]}
    assert words["食べる"]["reading"] == "たべる" and words["食べる"]["first"] == "a.log:2"
    assert words["食べる"]["jlpt"] == 5 and "to eat" in words["食べる"]["meaning"]
    assert words["灯"]["count"] == 2 and words["憂鬱"]["jlpt"] == 0
    assert "は" not in words  # particles are not vocabulary
    scene = data["scenes"][0]
    assert scene["source"] == "a.log:1" and set(scene["above"]) == {"N5", "N4", "N3", "N2", "N1"}
    assert scene["above"]["N5"] >= scene["above"]["N1"] > 0


def test_vocab_text(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vocab", str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("光の夜: ") and "words" in lines[0]
    assert any(line.startswith("食べる") and "N5" in line and "a.log:2" in line
               and "to eat" in line for line in lines)
    assert lines[-2].startswith("0 ") and lines[-1].startswith("all")
