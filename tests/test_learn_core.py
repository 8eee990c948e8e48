"""Learner core, the pure parts (no learn extra needed): kana alignment, levels, the furigana
transform, word analysis and the story's precedence with hand-made tokens, word spans
against the layout's glyphs, the card store, story.yaml's `reading`."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.layout import layout_message
from engine.learn.analysis import Readings, Token, analyse, story_readings
from engine.learn.cards import CardStore, new_card
from engine.learn.furigana import FuriganaMode, add_furigana, parse_mode, word_runs
from engine.learn.kana import align, to_hiragana
from engine.learn.levels import KanjiLevel, above_grade, above_jlpt, shares_above, word_jlpt
from engine.learn.words import glyph_starts
from engine.manifest import load_story
from engine.model import Ruby, Text
from tests.layout_fakes import DEFAULT, fake_measure, runs

# --- kana -------------------------------------------------------------------------


def test_to_hiragana_keeps_the_long_vowel_mark() -> None:
    assert to_hiragana("サーバー、ヴ") == "さーばー、ゔ"


@pytest.mark.parametrize(("surface", "reading", "expected"), [
    ("食べる", "たべる", (("食", "た"), ("べる", None))),
    ("取り扱い", "とりあつかい", (("取", "と"), ("り", None), ("扱", "あつか"), ("い", None))),
    ("灯台", "とうだい", (("灯台", "とうだい"),)),
    ("お茶", "おちゃ", (("お", None), ("茶", "ちゃ"))),
    ("一ヶ月", "いっかげつ", (("一ヶ月", "いっかげつ"),)),
    ("人々", "ひとびと", (("人々", "ひとびと"),)),
    ("絶体絶命", "ピンチ", (("絶体絶命", "ピンチ"),)),  # the writer's katakana kept as written
    ("食べる", "タベル", (("食", "タ"), ("べる", None))),
])
def test_align_puts_readings_over_kanji_only(surface: str, reading: str,
                                             expected: tuple) -> None:
    assert align(surface, reading) == expected


def test_align_refuses_a_reading_that_does_not_fit_the_kana() -> None:
    assert align("食べる", "くう") is None


def test_an_irregular_reading_keeps_the_outer_kana_bare() -> None:
    assert word_runs("お土産", "おみやげ") == [Text("お"), Ruby((("土産", "みやげ"),))]
    # A reading whose kana disagree with the word's: one ruby between the kana that agree.
    assert word_runs("お茶する", "おちゃしる") == [Text("お"), Ruby((("茶す", "ちゃし"),)),
                                                 Text("る")]
    assert word_runs("食べる", "くう") == [Ruby((("食べる", "くう"),))]


# --- levels -------------------------------------------------------------------------

LEVELS = {
    "食": KanjiLevel(2, 4), "今": KanjiLevel(2, 4), "夜": KanjiLevel(2, 3),
    "見": KanjiLevel(1, 4), "憂": KanjiLevel(8, 1), "鬱": KanjiLevel(8, None),
    "灯": KanjiLevel(4, 2), "台": KanjiLevel(2, 3), "眞": KanjiLevel(10, None),
}


def test_old_jlpt_levels_map_to_n_levels() -> None:
    assert [KanjiLevel(None, old).jlpt for old in (4, 3, 2, 1, None)] == [5, 4, 2, 1, 0]


def test_a_words_level_is_its_hardest_kanji() -> None:
    assert word_jlpt(LEVELS, "今夜") == 4
    assert word_jlpt(LEVELS, "憂鬱") == 0  # 鬱 is on no JLPT list
    assert word_jlpt(LEVELS, "ねえ") is None
    assert word_jlpt(LEVELS, "齉") == 0  # a kanji KANJIDIC2 lacks is on no list


def test_above_grade_and_jlpt() -> None:
    assert not above_grade(LEVELS, "食べる", 2) and above_grade(LEVELS, "食べる", 1)
    assert above_grade(LEVELS, "憂鬱", 6) and not above_grade(LEVELS, "灯台", 6)
    assert above_jlpt(LEVELS, "灯台", 3)  # 灯 is old level 2: N2, harder than N3
    assert not above_jlpt(LEVELS, "灯台", 2)
    assert not above_jlpt(LEVELS, "食べる", 5)


def test_shares_above_each_level() -> None:
    shares = shares_above([5, 4, 2, None])
    assert shares == {5: 0.5, 4: 0.25, 3: 0.25, 2: 0.0, 1: 0.0}
    assert shares_above([]) == dict.fromkeys((5, 4, 3, 2, 1), 0.0)


# --- modes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "mode"), [
    ("off", FuriganaMode("off")), ("ALL", FuriganaMode("all")),
    ("names", FuriganaMode("names")), ("grade:6", FuriganaMode("grade", 6)),
    ("jlpt:3", FuriganaMode("jlpt", 3)),
])
def test_parse_mode(text: str, mode: FuriganaMode) -> None:
    assert parse_mode(text) == mode


@pytest.mark.parametrize("text", ["some", "jlpt:0", "jlpt:6", "grade:11", "grade:", "jlpt:x"])
def test_parse_mode_refuses_with_the_choices(text: str) -> None:
    with pytest.raises(ValueError, match="furigana mode"):
        parse_mode(text)


# --- analysis with hand-made tokens ---------------------------------------------------


def tok(surface: str, start: int, pos: str, reading: str | None, base: str | None = None,
        base_reading: str | None = None) -> Token:
    pos1, _, pos2 = pos.partition("-")
    return Token(surface, start, start + len(surface), pos1, pos2 or "*", base or surface,
                 base or surface, reading, base_reading or reading)


def tokens_of(text: str, spec: list[tuple]) -> list[Token]:
    """Tokens for `text` from (surface, pos, reading[, base, base_reading]) in order."""
    out, at = [], 0
    for surface, *rest in spec:
        at = text.index(surface, at)
        out.append(tok(surface, at, *rest))
        at += len(surface)
    return out


TABERU = [("眞", "名詞-固有名詞", "シン"), ("は", "助詞-係助詞", "ハ"),
          ("食べ", "動詞-一般", "タベ", "食べる", "タベル"), ("なかっ", "助動詞", "ナカッ"),
          ("た", "助動詞", "タ"), ("。", "補助記号-句点", None)]


def test_a_verb_keeps_its_auxiliaries_and_punctuation_is_no_word() -> None:
    message = runs("眞は食べなかった。")
    words = analyse(message, tokens_of("眞は食べなかった。", TABERU)).words
    assert [(w.surface, w.base, w.reading, w.start, w.end) for w in words] == [
        ("眞", "眞", "しん", 0, 1), ("は", "は", "は", 1, 2),
        ("食べなかった", "食べる", "たべなかった", 2, 8)]
    assert words[2].base_reading == "たべる" and words[2].source == "tokenizer"


def test_the_writers_reading_elsewhere_in_the_story_wins() -> None:
    readings = Readings({"眞": "まこと"}, {})
    words = analyse(runs("眞は食べなかった。"), tokens_of("眞は食べなかった。", TABERU), readings)
    assert (words.words[0].reading, words.words[0].source) == ("まこと", "story")


def test_a_story_yaml_name_reading_wins_over_the_writers_elsewhere() -> None:
    readings = Readings({"眞": "まこと"}, {"眞": "しん"})
    w = analyse(runs("眞は食べなかった。"), tokens_of("眞は食べなかった。", TABERU), readings)
    assert (w.words[0].reading, w.words[0].source, w.words[0].is_name) == ("しん", "name", True)


def test_the_ruby_on_this_message_wins_over_everything() -> None:
    message = runs(("眞", "まさ"), "は食べなかった。")
    w = analyse(message, tokens_of("眞は食べなかった。", TABERU), Readings({"眞": "まこと"},
                                                                          {"眞": "しん"}))
    assert (w.words[0].reading, w.words[0].source) == ("まさ", "ruby")


def test_a_story_reading_only_matches_whole_words() -> None:
    text = "灯台の灯"
    spec = [("灯台", "名詞", "トウダイ"), ("の", "助詞-格助詞", "ノ"), ("灯", "名詞", "アカリ")]
    w = analyse(runs(text), tokens_of(text, spec), Readings({"灯": "ともしび"}, {})).words
    assert [(x.surface, x.reading) for x in w] == [
        ("灯台", "とうだい"), ("の", "の"), ("灯", "ともしび")]


def test_ruby_over_several_words_makes_one_word_and_kana_between_rubies_join_it() -> None:
    text = "天の川と北斗七星"
    spec = [("天の川", "名詞", "アマノガワ"), ("と", "助詞-格助詞", "ト"), ("北斗", "名詞", "ホクト"),
            ("七", "名詞-数詞", "ナナ"), ("星", "接尾辞", "セイ")]
    message = runs(("天", "あま"), "の", ("川", "がわ"), "と", ("北斗七星", "ほくとしちせい"))
    words = analyse(message, tokens_of(text, spec)).words
    assert [(w.surface, w.reading, w.source) for w in words] == [
        ("天の川", "あまのがわ", "ruby"), ("と", "と", "tokenizer"),
        ("北斗七星", "ほくとしちせい", "ruby")]
    glossary = story_readings(words, {})
    assert dict(glossary.story) == {"天の川": "あまのがわ", "北斗七星": "ほくとしちせい"}


def test_the_most_frequent_writer_reading_wins_a_conflict() -> None:
    def word(reading: str):  # noqa: ANN202
        return analyse(runs(("灯", reading)), [tok("灯", 0, "名詞", "アカリ")]).words[0]

    readings = story_readings([word("あかり"), word("ともしび"), word("ともしび")], {})
    assert readings.story == {"灯": "ともしび"}


# --- word spans and the layout's glyphs --------------------------------------------------


def test_word_glyph_spans_match_the_layouts_glyph_indexes() -> None:
    # A break (no glyph), ruby, a direction and an emoji with its selector (one glyph).
    message = runs("☀\ufe0fと", ("眞", "まこと"), "\n", "（笑う）食べた")
    text = "☀\ufe0fと眞\n（笑う）食べた"
    spec = [("と", "助詞-格助詞", "ト"), ("眞", "名詞-固有名詞", "シン"),
            ("笑う", "動詞-一般", "ワラウ"), ("食べ", "動詞-一般", "タベ", "食べる", "タベル"),
            ("た", "助動詞", "タ")]
    words = analyse(message, tokens_of(text, spec))
    layout = layout_message(message, 200, fake_measure, DEFAULT)
    glyphs = {g.index: g.ch for line in layout.lines for g in line.glyphs}
    assert words.glyphs == layout.chars == len(glyphs)
    for w in words.words:
        assert "".join(glyphs[i] for i in range(w.glyph_start, w.glyph_end)) == w.surface
        assert words.text[w.start:w.end] == w.surface
    assert words.word_at_glyph(2) is not None and words.word_at_glyph(2).surface == "眞"
    assert words.word_at(3) is not None and words.word_at(3).surface == "眞"
    assert words.word_at(4) is None  # the break
    assert words.word_at_glyph(3) is None  # （


def test_glyph_starts_count_graphemes_per_run() -> None:
    gmap, count = glyph_starts(runs("か\u3099", ("眞", "まこと")))
    assert gmap == (0, 0, 1) and count == 2


def test_stepping_word_by_word() -> None:
    words = analyse(runs("眞は食べなかった。"), tokens_of("眞は食べなかった。", TABERU))
    assert words.step(None, 1) == 0 and words.step(None, -1) == 2
    assert words.step(2, 1) == 2 and words.step(1, -5) == 0


# --- the furigana transform -------------------------------------------------------------


def test_furigana_all_skips_okurigana_and_keeps_the_writers_ruby() -> None:
    text = "今夜は昴が見えた"
    spec = [("今夜", "名詞", "コンヤ"), ("は", "助詞-係助詞", "ハ"), ("昴", "名詞", "スバル"),
            ("が", "助詞-格助詞", "ガ"), ("見え", "動詞-一般", "ミエ", "見える", "ミエル"),
            ("た", "助動詞", "タ")]
    writer = Ruby((("昴", "すばる"),))
    message = (Text("今夜は"), writer, Text("が見えた"))
    words = analyse(message, tokens_of(text, spec))
    out = add_furigana(message, words, FuriganaMode("all"), LEVELS)
    assert out == (Ruby((("今夜", "こんや"),)), Text("は"), writer, Text("が"),
                   Ruby((("見", "み"),)), Text("えた"))
    assert out[2] is writer


def test_furigana_by_grade_and_jlpt_only_over_harder_words() -> None:
    text = "憂鬱な灯台"
    spec = [("憂鬱", "名詞", "ユウウツ"), ("な", "助動詞", "ナ"), ("灯台", "名詞", "トウダイ")]
    message = runs(text)
    words = analyse(message, tokens_of(text, spec))
    by_grade = add_furigana(message, words, FuriganaMode("grade", 6), LEVELS)
    assert by_grade == (Ruby((("憂鬱", "ゆううつ"),)), Text("な灯台"))
    by_jlpt = add_furigana(message, words, FuriganaMode("jlpt", 3), LEVELS)
    assert by_jlpt == (Ruby((("憂鬱", "ゆううつ"),)), Text("な"), Ruby((("灯台", "とうだい"),)))
    assert add_furigana(message, words, FuriganaMode("jlpt", 1), LEVELS) == by_grade
    assert add_furigana(message, words, FuriganaMode("off"), LEVELS) is message


def test_furigana_names_only_over_names_and_never_in_directions() -> None:
    text = "（眞を見る）眞を見る"
    spec = [("眞", "名詞-固有名詞", "シン"), ("を", "助詞-格助詞", "ヲ"), ("見る", "動詞-一般", "ミル"),
            ("眞", "名詞-固有名詞", "シン"), ("を", "助詞-格助詞", "ヲ"), ("見る", "動詞-一般", "ミル")]
    message = runs("（眞を見る）", "眞を見る")
    words = analyse(message, tokens_of(text, spec), Readings({}, {"眞": "まこと"}))
    out = add_furigana(message, words, FuriganaMode("names"), LEVELS)
    assert out == (message[0], Ruby((("眞", "まこと"),)), Text("を見る"))


# --- the card store ------------------------------------------------------------------------


def card(word: str = "灯台守", source: str = "a.log:3") -> object:
    return new_card(word=word, base=word, reading="とうだいもり", meaning="lighthouse keeper",
                    sentence=f"うちの{word}って", word_start=3, word_end=3 + len(word),
                    story="灯", story_id="s-1", source=source, speaker="拓海")


def test_card_store_keeps_damaged_lines_and_goes_on(tmp_path: Path) -> None:
    store = CardStore(tmp_path / "cards.jsonl")
    first, added = store.add(card())
    assert added and first.marked() == "うちの<b>灯台守</b>って"
    with open(store.path, "ab") as f:
        f.write(b'{"v": 1, "id": "torn", "word": "\xe7\x81')  # a write cut short, no newline
    second, added = store.add(card("灯", "a.log:9"))
    assert added
    read = store.read()
    assert [c.id for c in read.cards] == [first.id, second.id]
    assert [d.line for d in read.damaged] == [2]
    assert store.remove(first.id)
    assert b'"id": "torn"' in store.path.read_bytes()  # the damage survives a rewrite
    assert [c.id for c in store.read().cards] == [second.id]


def test_card_store_refuses_a_duplicate_and_reports_bad_lines(tmp_path: Path) -> None:
    store = CardStore(tmp_path / "cards.jsonl")
    kept, _ = store.add(card())
    again, added = store.add(card())
    assert not added and again.id == kept.id
    bad = dict(kept.to_json(), word_end=99)
    store.path.write_text(json.dumps(kept.to_json(), ensure_ascii=False) + "\n"
                          + json.dumps(bad) + "\n[1, 2]\n", encoding="utf-8")
    read = store.read()
    assert len(read.cards) == 1
    assert [(d.line, d.reason) for d in read.damaged] == [
        (2, "the word's span is not inside the sentence"), (3, "not a JSON object")]


def test_a_missing_card_file_is_empty(tmp_path: Path) -> None:
    read = CardStore(tmp_path / "none" / "cards.jsonl").read()
    assert read.cards == () and read.damaged == () and read.error is None


# --- story.yaml's reading -----------------------------------------------------------------


def test_story_yaml_character_reading(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(
        "--- LOG START --- 2025.01.01 10:00<br>\nMAKOTO: やあ<br>\nHIKARI: どうも<br>\n"
        "--- LOG END ---\n", encoding="utf-8")
    (tmp_path / "story.yaml").write_text(textwrap.dedent("""\
        characters:
          MAKOTO: {name: 眞, reading: まこと}
          HIKARI: {name: 光, reading: Hikari}
        """), encoding="utf-8")
    story = load_story(tmp_path)
    assert story.characters["MAKOTO"].reading == "まこと"
    assert story.characters["HIKARI"].reading is None
    assert [(d.pos.line, d.code) for d in story.diagnostics] == [(3, "YML025")]


# --- layers ---------------------------------------------------------------------------------


def test_learn_imports_without_pygame_or_the_extra() -> None:
    code = textwrap.dedent("""
        import sys
        for name in ("pygame", "fugashi", "jamdict", "genanki"):
            sys.modules[name] = None
        import engine.learn, engine.learn.vocab, engine.learn.anki, engine.commands.vocab
        assert not any(m.startswith("pygame.") for m in sys.modules)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
