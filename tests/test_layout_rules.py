"""Line-breaking rules of JAPANESE-LAYOUT.md, on the fixed-width fake font.

Widths are in em of the 32 px fake: full-width = 32 px, ASCII = 16 px.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.layout import Settings, classes, layout_message, paginate
from engine.layout.breaking import phrase_starts
from engine.model import runs_text
from tests.layout_fakes import SIZE, check_layout, fake_measure, joined_text, runs

FILL9 = "あいうえおかきくけ"  # nine full-width kana: 9 em


def lay(*pieces, em: float = 10, **options):  # type: ignore[no-untyped-def]
    """Lay out runs built from `pieces` in a box `em` full-width characters wide."""
    r = runs(*pieces)
    layout = layout_message(r, em * SIZE, fake_measure, Settings(size=SIZE, **options))
    assert check_layout(layout, r, em * SIZE) == []
    return layout


def texts(layout) -> list[str]:  # type: ignore[no-untyped-def]
    return [line.text for line in layout.lines]


# --- line-start prohibitions at each strictness -------------------------------

START_CLASSES = {
    "strict": ("cl-02", "cl-03", "cl-04", "cl-05", "cl-06", "cl-07", "cl-09", "cl-10", "cl-11"),
    "normal": ("cl-02", "cl-03", "cl-04", "cl-05", "cl-06", "cl-07", "cl-09"),
    "loose": ("cl-02", "cl-04", "cl-05", "cl-06", "cl-07"),
}
ALL_CHARS = sorted((ch, name) for name, chars in classes.CLASSES.items() for ch in chars)


@pytest.mark.parametrize("strictness", ["strict", "normal", "loose"])
@pytest.mark.parametrize(("ch", "cls"), ALL_CHARS)
def test_line_start_prohibition_by_strictness(ch: str, cls: str, strictness: str) -> None:
    # Ten full-width kana fill the line exactly, so `ch` would start line 2.
    layout = lay(FILL9 + "こ" + ch + "さしす", hanging_punctuation=False, strictness=strictness)
    second = layout.lines[1].text
    prohibited = cls in START_CLASSES[strictness]
    assert classes.is_line_start_prohibited(ch, strictness) == prohibited  # type: ignore[arg-type]
    if prohibited:
        # The previous character is pushed down with it.
        assert texts(layout)[0] == FILL9
        assert second.startswith("こ" + ch)
    elif cls == "cl-01":
        assert texts(layout)[0] == FILL9 + "こ"
        assert second.startswith(ch)
    elif cls != "cl-08":
        assert second.startswith(ch)


def test_full_stop_never_left_alone_on_line_two() -> None:
    layout = lay("あいうえおかきくけこ。", hanging_punctuation=False)
    assert texts(layout) == ["あいうえおかきくけ", "こ。"]


@pytest.mark.parametrize("ch", sorted(classes.OPENING_BRACKETS))
def test_opening_bracket_moves_down_with_what_it_opens(ch: str) -> None:
    layout = lay(FILL9 + ch + "こさしす")
    assert texts(layout)[0] == FILL9
    assert texts(layout)[1].startswith(ch + "こ")


@pytest.mark.parametrize("em", [5, 6, 7, 8, 9, 10, 11, 12])
def test_kinsoku_holds_at_every_width(em: int) -> None:
    text = "「今夜は、昴がよく見えるね」と言った。（笑う）……ちょっと待って！ゃーっ、ゝ々。"
    for strictness in ("strict", "normal", "loose"):
        lay(text, em=em, strictness=strictness)  # check_layout asserts every rule


# --- hanging punctuation --------------------------------------------------------

@pytest.mark.parametrize("mark", ["。", "、", "，", "．", ",", "."])
def test_stop_or_comma_hangs_one_char_past_the_edge(mark: str) -> None:
    layout = lay(FILL9 + "こ" + mark + "さしす")
    first = layout.lines[0]
    assert first.text == FILL9 + "こ" + mark
    assert first.glyphs[-1].x == pytest.approx(10 * SIZE)  # starts at the edge
    assert first.right > 10 * SIZE


@pytest.mark.parametrize("mark", ["。", "、"])
def test_no_hanging_when_switched_off(mark: str) -> None:
    layout = lay(FILL9 + "こ" + mark, hanging_punctuation=False)
    assert texts(layout) == [FILL9, "こ" + mark]
    assert all(line.right <= 10 * SIZE for line in layout.lines)


def test_hanging_only_when_the_mark_would_start_the_next_line() -> None:
    layout = lay(FILL9 + "。こ")
    assert texts(layout) == [FILL9 + "。", "こ"]
    # fits: nothing hangs (a line-end 。 ends at its ink, half an em)
    assert layout.lines[0].right == 9.5 * SIZE


@pytest.mark.parametrize("tail", ["。。", "。」", "、！"])
def test_hangs_at_most_one_character(tail: str) -> None:
    layout = lay(FILL9 + "こ" + tail)
    assert texts(layout) == [FILL9, "こ" + tail]


def test_other_classes_never_hang() -> None:
    layout = lay(FILL9 + "こ」")
    assert texts(layout) == [FILL9, "こ」"]


# --- unbreakable sequences --------------------------------------------------------

SEQUENCES = ["……", "‥‥", "——", "――", "3.14", "1,000", "95.8GB", "RTX-3080", "f/11.4",
             "Tesla", "50%", "¥100", "80mm", "R&D", "１００％"]


@pytest.mark.parametrize("seq", SEQUENCES)
@pytest.mark.parametrize("lead", range(4, 10))
def test_sequences_never_split(seq: str, lead: int) -> None:
    text = "あ" * lead + seq + "いう"
    layout = lay(text, em=10, strictness="loose")
    assert any(seq in t for t in texts(layout)), texts(layout)
    assert joined_text(layout.lines) == text


def test_latin_words_break_only_at_the_space() -> None:
    layout = lay("あいうえおかTesla C1060だ", em=10)
    assert texts(layout) == ["あいうえおかTesla ", "C1060だ"]
    space = layout.lines[0].glyphs[-1]
    assert (space.ch, space.w) == (" ", 0.0)  # a line-end space is not drawn
    # か|Tesla gets a quarter em (和欧間), the space none
    assert space.x == pytest.approx(6 * SIZE + SIZE / 4 + 5 * SIZE / 2)


def test_a_space_never_starts_a_line() -> None:
    layout = lay("abcdefghijklmnopqrst uvw", em=10)  # 20 ASCII fill the line exactly
    assert texts(layout)[1] == "uvw"
    assert texts(layout)[0].endswith(" ")


def test_token_longer_than_the_line_is_split_at_the_edge() -> None:
    word = "abcdefghijklmnopqrstuvwxyz0123456789"
    layout = lay("あ" + word, em=10)
    assert texts(layout) == ["あ", word[:20], word[20:]]
    assert [line.forced for line in layout.lines] == [False, True, False]
    assert layout.lines[1].right == 10 * SIZE


def test_no_legal_break_pushes_down_then_cuts_at_edge() -> None:
    # A run of closing brackets longer than the line has no legal break at all
    # (each is compressed to half an em by the one after it: 18 fit after あ).
    layout = lay("あ" + "」" * 24, em=10)
    assert [len(t) for t in texts(layout)] == [19, 6]
    assert layout.lines[0].forced


def test_inseparable_run_may_break_after_it() -> None:
    layout = lay("あいうえおかきく……まで", em=10)
    assert texts(layout) == ["あいうえおかきく……", "まで"]
    layout = lay("あいうえおかきくけ……って", em=10)
    assert texts(layout) == ["あいうえおかきくけ", "……って"]


# --- forced breaks, directions, graphemes, spaces ---------------------------------

def test_break_runs_force_new_lines() -> None:
    layout = lay("あい", "\n", "う", "\n", "\n", "え")
    assert texts(layout) == ["あい", "う", "", "え"]
    assert [line.hard_break for line in layout.lines] == [True, True, True, False]
    assert joined_text(layout.lines) == "あい\nう\n\nえ"


def test_trailing_break_keeps_the_text_exact() -> None:
    r = runs("あ", "\n")
    layout = layout_message(r, 320, fake_measure)
    assert joined_text(layout.lines) == runs_text(r) == "あ\n"


def test_empty_message_has_no_lines() -> None:
    assert layout_message((), 320, fake_measure).lines == ()


def test_directions_are_inline_and_styled() -> None:
    layout = lay("またね", "（笑う）", "。")
    line = layout.lines[0]
    assert line.text == "またね（笑う）。"
    styles = [g.style for g in line.glyphs]
    assert styles == ["text"] * 3 + ["direction"] * 4 + ["text"]
    # ）。 meet: the bracket's blank half goes, so 。 sits half an em early
    assert [g.x for g in line.glyphs] == [i * SIZE for i in range(7)] + [6.5 * SIZE]


@pytest.mark.parametrize("grapheme", ["👍🏽", "❤️", "👨‍👩‍👧", "🇯🇵", "か\u3099", "e\u0301", "1️⃣"])
def test_graphemes_stay_one_glyph(grapheme: str) -> None:
    layout = lay("あ" + grapheme + "い")
    assert [g.ch for g in layout.lines[0].glyphs] == ["あ", grapheme, "い"]
    assert layout.chars == 3


def test_ideographic_space_is_a_full_width_character() -> None:
    layout = lay("あ\u3000い")
    assert [g.w for g in layout.lines[0].glyphs] == [SIZE] * 3  # mid-line: one em
    layout = lay(FILL9 + "\u3000" + "あ")
    assert texts(layout) == [FILL9 + "\u3000", "あ"]
    assert layout.lines[0].glyphs[-1].w == 0  # at a break it ends the line, collapsed


@pytest.mark.parametrize("em", [8, 9, 10, 11, 12])
def test_no_break_space_glues_its_neighbours(em: int) -> None:
    layout = lay("あいうえおかきくけこ\u00a0楽しみ", em=em)
    assert "こ\u00a0楽" in "|".join(texts(layout))


def test_reveal_index_runs_across_lines_and_ruby() -> None:
    layout = lay("あいう", ("昴", "すばる"), "えおかきくけこさしす")
    indexes = [g.index for line in layout.lines for g in line.glyphs]
    assert indexes == list(range(14)) and layout.chars == 14


# --- phrase wrapping --------------------------------------------------------------

SENTENCE = "今日はとても天気が良いので、公園まで散歩に行きましょう。明日は雨が降るそうです。"


@pytest.mark.parametrize("em", [6, 7, 8, 9, 10, 12])
def test_phrase_wrapping_breaks_between_phrases(em: int) -> None:
    layout = lay(SENTENCE, em=em, phrase_wrapping=True)
    starts = phrase_starts(SENTENCE)
    offset = 0
    for line in layout.lines[:-1]:
        offset += len(line.text)
        assert offset in starts, (texts(layout), sorted(starts))


@pytest.mark.parametrize("em", [6, 7, 9, 10, 12])
def test_character_wrapping_fills_lines(em: int) -> None:
    layout = lay(SENTENCE, em=em, hanging_punctuation=False)
    for line in layout.lines[:-1]:
        assert line.right > (em - 2) * SIZE  # at most one char pushed down (kinsoku)


def test_phrase_wrapping_falls_back_to_characters() -> None:
    layout = lay("あいうえおかきくけこさしすせそたちつてと", em=4, phrase_wrapping=True)
    assert all(len(t) <= 4 for t in texts(layout))
    assert "".join(texts(layout)) == "あいうえおかきくけこさしすせそたちつてと"


def test_phrase_wrapping_keeps_kinsoku() -> None:
    text = "「あのさ」と言った。ちょっと、いい？"
    for em in range(3, 12):
        lay(text, em=em, phrase_wrapping=True)


def test_phrase_wrapping_differs_from_character_wrapping() -> None:
    on = lay(SENTENCE, em=9, phrase_wrapping=True)
    off = lay(SENTENCE, em=9)
    assert texts(on) != texts(off)


# --- pitch and pages ----------------------------------------------------------------

@pytest.mark.parametrize("show_ruby", [True, False])
def test_even_pitch_with_and_without_ruby(show_ruby: bool) -> None:
    layout = lay("あいうえお", ("昴", "すばる"), "かきくけこさしすせそ", ("東京", "とうきょう"),
                 "たちつてとなにぬねの", em=6, show_ruby=show_ruby)
    s = layout.settings
    assert s.ruby_band == (SIZE / 2 if show_ruby else 0.0)
    assert [line.y for line in layout.lines] == [
        s.ruby_band + i * s.line_pitch for i in range(len(layout.lines))]
    assert any(line.rubies for line in layout.lines) == show_ruby
    assert any(not line.rubies for line in layout.lines)


def test_paginate_rebases_each_page() -> None:
    layout = lay("あ" * 50, em=10)
    pages = paginate(layout, 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    band, pitch = layout.settings.ruby_band, layout.settings.line_pitch
    for page in pages:
        assert [line.y for line in page] == [band + i * pitch for i in range(len(page))]
    assert pages[1][0].glyphs == layout.lines[2].glyphs


def test_paginate_rejects_zero_lines() -> None:
    with pytest.raises(ValueError):
        paginate(lay("あ"), 0)


def test_layout_imports_without_pygame() -> None:
    code = (
        "import sys; sys.modules['pygame'] = None\n"
        "import engine.layout, engine.layout.breaking, engine.layout.core\n"
        "from engine.layout import layout_message\n"
        "from engine.model import Text\n"
        "print(layout_message((Text('あ'),), 100, lambda t, s: s).chars)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


# --- the measure memo ---------------------------------------------------------------

class CountingMeasure:
    """An unhashable measure that counts its calls."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    def __call__(self, text: str, size: float) -> float:
        self.calls.append((text, size))
        return fake_measure(text, size)


def test_each_grapheme_and_size_is_measured_once() -> None:
    m = CountingMeasure()
    r = runs("あいあい。", ("昴", "すばる"), "あ")
    first = layout_message(r, 320, m)
    again = layout_message(r, 320, m)
    assert first == again
    assert sorted(m.calls) == sorted(set(m.calls))
    assert ("す", SIZE / 2) in m.calls and ("あ", SIZE) in m.calls


# --- classes and graphemes ------------------------------------------------------------

@pytest.mark.parametrize(("ch", "cls"), [("「", "cl-01"), ("）", "cl-02"), ("〜", "cl-03"),
                                         ("！", "cl-04"), ("・", "cl-05"), ("。", "cl-06"),
                                         ("，", "cl-07"), ("…", "cl-08"), ("々", "cl-09"),
                                         ("ー", "cl-10"), ("ゃ", "cl-11"), ("ㇿ", "cl-11"),
                                         ("あ", None), ("A", None)])
def test_char_class(ch: str, cls: str | None) -> None:
    assert classes.char_class(ch) == cls


@pytest.mark.parametrize(("ch", "kana", "kanji", "latin"), [
    ("あ", True, False, False), ("ッ", True, False, False), ("ー", True, False, False),
    ("ｱ", True, False, False), ("星", False, True, False), ("々", False, True, False),
    ("V", False, False, True), ("é", False, False, True), ("Ｖ", False, False, True),
    ("・", False, False, False), ("。", False, False, False), ("🌙", False, False, False),
])
def test_script_predicates(ch: str, kana: bool, kanji: bool, latin: bool) -> None:
    assert (classes.is_kana(ch), classes.is_ideograph(ch), classes.is_latin(ch)) == (
        kana, kanji, latin)


def test_only_stops_and_commas_hang_and_only_openers_cannot_end() -> None:
    assert {ch for ch, _ in ALL_CHARS if classes.can_hang(ch)} == set("。.．｡、,，､")
    assert {ch for ch, _ in ALL_CHARS if classes.is_line_end_prohibited(ch)} == set(
        classes.OPENING_BRACKETS)


@pytest.mark.parametrize("text", ["ｶﾞｷﾞ", "か\u3099き", "👩\u200d💻x", "🇯🇵🇺🇸", "a\r\nb"])
def test_graphemes_join_back_to_the_text(text: str) -> None:
    from engine.layout.graphemes import split_graphemes

    parts = split_graphemes(text)
    assert "".join(parts) == text
    assert len(parts) == {"ｶﾞｷﾞ": 2, "か\u3099き": 2, "👩\u200d💻x": 2, "🇯🇵🇺🇸": 2,
                          "a\r\nb": 3}[text]


@pytest.mark.parametrize("justify", [False, True])
@pytest.mark.parametrize("em", [3, 6, 11])
def test_a_long_run_of_spaces_lays_out_as_space_by_space(
    monkeypatch: pytest.MonkeyPatch, em: int, justify: bool
) -> None:
    # A run of 64 spaces or more is built as one atom (hostile input of a million
    # spaces costs one atom); the lines must be exactly those of one atom a space.
    from engine.layout import atoms

    cases = [("あ" + " " * 70 + "い。" + " " * 200 + "GPU で" + " " * 64 + "x",),
             ("AB" + " " * 300,), (" " * 65 + "う" * 20,)]
    for pieces in cases:
        fast = lay(*pieces, em=em, justify=justify)
        monkeypatch.setattr(atoms, "_LONG_SPACES", "\x00no such run\x00")
        slow = lay(*pieces, em=em, justify=justify)
        monkeypatch.undo()
        assert [[(g.ch, round(g.x, 6)) for g in line.glyphs] for line in fast.lines] == \
               [[(g.ch, round(g.x, 6)) for g in line.glyphs] for line in slow.lines]
