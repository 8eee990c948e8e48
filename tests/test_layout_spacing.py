"""JLREQ spacing: punctuation compression (約物の詰め) and 和欧間, with worked numbers.

All numbers at 32 px with the fixed-width fake font (full-width characters
one em, ASCII half an em), so every glyph's x and advance is exact.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.layout import Settings, layout_message
from engine.layout.spacing import punctuation_kind
from tests.layout_fakes import SIZE, check_layout, fake_measure, fake_width, runs

HALF = SIZE / 2
QUARTER = SIZE / 4


def lay(text: str, em: float = 40, **options):  # type: ignore[no-untyped-def]
    r = runs(text)
    layout = layout_message(r, em * SIZE, fake_measure, Settings(size=SIZE, **options))
    assert check_layout(layout, r, em * SIZE) == []
    return layout


def xs(line) -> list[float]:  # type: ignore[no-untyped-def]
    return [g.x for g in line.glyphs]


def ink(g) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Where a glyph's ink lies with the fake font: the non-blank part of its em box."""
    full = fake_width(g.ch, SIZE)
    left = g.x + g.dx
    if full < 0.95 * SIZE:
        return left, left + full
    if g.ch in "「『（［｛〔〈《【〘〖〝｟":
        return left + full / 2, left + full
    if g.ch in "、。，．」』）］｝〕〉》】〙〗〟｠":
        return left, left + full / 2
    if g.ch in "・：；":
        return left + full / 4, left + 3 * full / 4
    return left, left + full


def gap(text: str, a: int, b: int) -> float:
    """Blank between the inks of glyphs a and b (b = a + 1) on the first line."""
    g = lay(text).lines[0].glyphs
    return ink(g[b])[0] - ink(g[a])[1]


# --- punctuation compression ------------------------------------------------------------

# Measured once with headless Chromium 150.0.7871.100 (Debian 12; Noto Sans CJK
# JP 2.004 from fonts-noto-cjk 20220127, 32 px, lang=ja, default
# text-spacing-trim; the issue's Chromium 156 gives the same 352 px): the x of
# each character that is not punctuation (where its ink starts), and the width.
CHROMIUM = [
    ("「あ」、「い」。（注）」「う", {1: 32, 5: 128, 9: 224, 13: 320}, 352),
    ("あ（「い」）", {0: 0, 3: 80}, 160),
    ("東京・大阪", {0: 0, 1: 32, 3: 96, 4: 128}, 160),
]


@pytest.mark.parametrize(("text", "kana_x", "width"), CHROMIUM)
def test_ink_positions_match_chromium(text: str, kana_x: dict[int, float], width: float) -> None:
    line = lay(text).lines[0]
    assert {i: line.glyphs[i].x for i in kana_x} == kana_x
    # Chromium keeps a line-end closing bracket's blank when it fits; JLREQ (and
    # this layout) end the line at its ink: the width differs by that half em only.
    trimmed = HALF if text[-1] in "」）" else 0.0
    assert line.right == width - trimmed


def test_the_issue_line_is_352_px_as_in_chromium() -> None:
    # The line is 352 px, 」 16 px before 、 and 「 16 px after it (Chromium halves
    # the 「 where this layout halves the 、: the inks are in the same places).
    line = lay("「あ」、「い」。（注）」「う").lines[0]
    assert line.right == 352
    assert xs(line) == [0, 32, 64, 80, 96, 128, 160, 176, 192, 224, 256, 272, 288, 320]
    assert [g.w for g in line.glyphs] == [32, 32, 16, 16, 32, 32, 16, 16, 32, 32, 16, 16, 32, 32]


@pytest.mark.parametrize(("pair", "blank"), [
    ("」、", 0.0), ("、「", HALF), ("」「", HALF), ("）。", 0.0), ("。（", HALF), ("（「", 0.0),
    ("」』", 0.0), ("。」", 0.0), ("、」", 0.0), ("」・", QUARTER), ("・「", QUARTER),
    ("・・", HALF), ("」（", HALF), ("『「", 0.0),
])
def test_adjacent_punctuation_leaves_at_most_half_an_em(pair: str, blank: float) -> None:
    assert gap("あ" + pair + "い", 1, 2) == pytest.approx(blank)


def test_every_pair_of_marks_is_at_most_half_an_em_apart() -> None:
    marks = "「『（」』）、。・："
    for a in marks:
        for b in marks:
            assert gap("あ" + a + b + "い", 1, 2) <= HALF + 1e-9, a + b


def test_middle_dot_keeps_a_quarter_on_each_side() -> None:
    line = lay("東京・大阪").lines[0]
    assert xs(line) == [0, 32, 64, 96, 128]
    assert gap("東京・大阪", 1, 2) == QUARTER and gap("東京・大阪", 2, 3) == QUARTER


def test_a_compressed_opening_bracket_is_drawn_half_an_em_left() -> None:
    line = lay("あ（「い」）").lines[0]
    paren, bracket = line.glyphs[1], line.glyphs[2]
    assert (paren.x, paren.w, paren.dx) == (32, 32, 0)
    assert (bracket.x, bracket.w, bracket.dx) == (64, 16, -16)  # ink at 64..80
    assert ink(bracket) == (64, 80)


def test_a_line_start_opening_bracket_is_full_width() -> None:
    # ・「 compresses mid-line; when 「 starts a line it keeps its blank half.
    layout = lay("あいうえおかきくけ・「こ」", em=10)
    assert [line.text for line in layout.lines] == ["あいうえおかきくけ・", "「こ」"]
    first = layout.lines[1].glyphs[0]
    assert (first.x, first.w, first.dx) == (0, 32, 0)
    assert xs(layout.lines[1]) == [0, 32, 64]


def test_a_line_end_closing_mark_ends_at_its_ink() -> None:
    line = lay("あ」").lines[0]
    assert line.right == 48
    layout = lay("あ」", em=1.5)  # the blank half is not needed to fit
    assert [line.text for line in layout.lines] == ["あ」"]


def test_compression_comes_before_breaking() -> None:
    # あいうえ」」「お」か is 10 em set solid, 9 em compressed: it fits a 9-em
    # box only because compression comes first.
    text = "あいうえ」」「お」かきく"
    layout = lay(text, em=9)
    assert layout.lines[0].text == "あいうえ」」「お」か"
    assert layout.lines[0].right == 9 * SIZE


def test_hanging_is_unchanged() -> None:
    layout = lay("あいうえおかきくけこ。", em=10)
    assert [line.text for line in layout.lines] == ["あいうえおかきくけこ。"]
    mark = layout.lines[0].glyphs[-1]
    assert (mark.x, mark.w) == (320, 16)  # hangs past the box by its ink
    layout = lay("あいうえおかきくけこ。", em=10, hanging_punctuation=False)
    assert [line.text for line in layout.lines] == ["あいうえおかきくけ", "こ。"]


def test_only_full_width_marks_are_compressed() -> None:
    # ASCII brackets are proportional: no blank half to take away.
    line = lay("あ」(い").lines[0]
    assert [g.w for g in line.glyphs] == [32, 32, 16, 32]  # 」 not halved by a Latin (
    assert punctuation_kind(layout_atom(")"), SIZE) == ""


def layout_atom(ch: str):  # type: ignore[no-untyped-def]
    from engine.layout.atoms import build_paragraphs

    return build_paragraphs(runs(ch), 1000, fake_measure, Settings(size=SIZE))[0].atoms[0]


# --- 和欧間: a quarter em between Japanese and Latin --------------------------------------

def test_gpu_de_5_bai() -> None:
    line = lay("GPUで5倍").lines[0]
    assert xs(line) == [0, 16, 32, 56, 96, 120]
    assert [g.w for g in line.glyphs] == [16, 16, 24, 40, 24, 32]


def test_off_gives_the_old_look() -> None:
    line = lay("GPUで5倍", latin_spacing=False).lines[0]
    assert xs(line) == [0, 16, 32, 48, 80, 96]


@pytest.mark.parametrize("text", ["GPU で", "RTX 3080", "95.8GB", "Tesla C1060", "ＧＰＵで",
                                  "「GPU」", "GPU、", "50%の"])
def test_no_space_where_a_space_stands_or_inside_latin(text: str) -> None:
    on = lay(text).lines[0]
    off = lay(text, latin_spacing=False).lines[0]
    assert xs(on) == xs(off)


def test_no_latin_space_at_a_line_start_or_end() -> None:
    layout = lay("あいうえおかきくけこGPUさ", em=10)
    assert [line.text for line in layout.lines] == ["あいうえおかきくけこ", "GPUさ"]
    assert layout.lines[0].right == 10 * SIZE  # こ keeps no space at the end
    assert xs(layout.lines[1])[0] == 0
    assert xs(layout.lines[1])[-1] == 3 * HALF + QUARTER


def test_latin_space_beside_ruby() -> None:
    layout = layout_message(runs(("Vega", "ベガ"), "まで"), 1000, fake_measure,
                            Settings(size=SIZE))
    line = layout.lines[0]
    assert xs(line)[4] == 4 * HALF + QUARTER
    assert line.rubies[0].x == pytest.approx((4 * HALF - 2 * HALF) / 2)  # still over Vega


# --- properties ---------------------------------------------------------------------------

MARKS = "「『（」』）、。・：！？"
TEXT = st.text(alphabet="あいう東京GPU5 " + MARKS, min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(3, 20), st.booleans(), st.booleans())
def test_no_overflow_and_no_ink_overlap(text: str, em: int, latin: bool, justify: bool) -> None:
    r = runs(text)
    layout = layout_message(r, em * SIZE, fake_measure,
                            Settings(size=SIZE, latin_spacing=latin, justify=justify))
    assert check_layout(layout, r, em * SIZE) == []
    for line in layout.lines:
        inked = [g for g in line.glyphs if g.w > 0 and g.ch != " "]
        for a, b in zip(inked, inked[1:], strict=False):
            assert ink(a)[1] <= ink(b)[0] + 1e-9, (line.text, a, b)
        for g in inked:
            assert ink(g)[0] >= g.x - 1e-9 and ink(g)[1] <= g.x + max(g.w, HALF) + 1e-9


# --- justified lines (両端揃え) ------------------------------------------------------------

def jlay(*pieces, em: float = 10, **options):  # type: ignore[no-untyped-def]
    r = runs(*pieces)
    layout = layout_message(r, em * SIZE, fake_measure,
                            Settings(size=SIZE, justify=True, **options))
    assert check_layout(layout, r, em * SIZE) == []
    return layout


def test_justify_spreads_evenly_between_kana() -> None:
    layout = jlay("あいうえおかきくけこさ", em=10.3125)  # 330 px: 10 px over 9 gaps
    first = layout.lines[0]
    assert first.right == pytest.approx(330)
    assert xs(first) == pytest.approx([i * (SIZE + 10 / 9) for i in range(10)])
    assert xs(layout.lines[1]) == [0]  # the last line is not spread


def test_justify_grows_the_latin_space_first() -> None:
    # さしGPUすせそたちつ is 320 px with its two 和欧間: the 10 px go to them (5 each).
    layout = jlay("さしGPUすせそたちつてと", em=10.3125)
    line = layout.lines[0]
    assert line.text == "さしGPUすせそたちつ"
    assert xs(line) == pytest.approx([0, 32, 77, 93, 109, 138, 170, 202, 234, 266, 298])


def test_justify_takes_one_more_in_by_shrinking_commas() -> None:
    text = "あ、い、う、え、おかきくけこ"
    assert [line.text for line in lay(text, em=10).lines][0] == "あ、い、う、え、おか"
    layout = jlay(text)
    line = layout.lines[0]
    # 11 in 10 em: each 、 gives a quarter em of its blank half (no more: JLREQ table 5)
    assert line.text == "あ、い、う、え、おかき"
    assert line.right == pytest.approx(10 * SIZE)
    assert [g.w for g in line.glyphs if g.ch == "、"] == pytest.approx([24] * 4)
    assert jlay("あいう、えお、かきくけこ").lines[0].text == "あいう、えお、かきく"


def test_justify_never_shrinks_a_full_stop() -> None:
    layout = jlay("あいう。えお。かきくけこ")
    assert layout.lines[0].text == "あいう。えお。かきく"


def test_justify_with_a_hanging_mark_ends_the_rest_at_the_edge() -> None:
    layout = jlay("あいうえおかきくけこ。さしすせそ")
    line = layout.lines[0]
    assert line.text == "あいうえおかきくけこ。"
    assert line.glyphs[-2].x + line.glyphs[-2].w == pytest.approx(10 * SIZE)
    assert line.glyphs[-1].x == pytest.approx(10 * SIZE)


def test_justify_keeps_latin_words_whole_and_ruby_over_its_base() -> None:
    layout = jlay("あいうえ", ("天体", "てんたい"), "Tesla", "かきくけこさし", em=10.4)
    line = layout.lines[0]
    assert line.right == pytest.approx(10.4 * SIZE)
    letters = [g.x for g in line.glyphs if g.ch in "Tesla"]
    assert [b - a for a, b in zip(letters, letters[1:], strict=False)] == pytest.approx([16] * 4)
    ruby = line.rubies[0]
    base = line.glyphs[ruby.base_start:ruby.base_end]
    assert ruby.x == pytest.approx(base[0].x)  # てんたい spread 1:2:1 over 天体 exactly
    assert ruby.x + ruby.w == pytest.approx(base[-1].x + base[-1].w)


def test_justify_leaves_the_line_before_a_break_alone() -> None:
    layout = jlay("あいうえおかきくけこさ", "\n", "しす")
    assert layout.lines[0].right == pytest.approx(10 * SIZE)
    assert xs(layout.lines[1]) == [0]
    assert layout.lines[1].hard_break
    assert xs(layout.lines[2]) == [0, 32]


JTEXT = st.text(alphabet="あいう東京かきくけこ、。「」（）・", min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(JTEXT, st.sampled_from([4.0, 5.5, 7.25, 10.0, 13.3]))
def test_justified_lines_end_at_the_box(text: str, em: float) -> None:
    r = runs(text)
    width = em * SIZE
    layout = layout_message(r, width, fake_measure, Settings(size=SIZE, justify=True))
    assert check_layout(layout, r, width) == []
    for line in layout.lines[:-1]:
        if line.forced or len(line.glyphs) < 2:
            continue
        inked = line.glyphs
        end = inked[-1]
        if end.x >= width - 1e-6 and end.ch in "、。":  # a hanging mark: the rest ends at the box
            end = inked[-2]
        assert end.x + end.w == pytest.approx(width), line.text


# --- the two settings ------------------------------------------------------------------------

def test_the_settings_and_their_defaults(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine.manifest import load_story
    from engine.model import LayoutOptions
    from engine.preferences import Preferences, prefs_from_json

    assert Settings().latin_spacing is True and Settings().justify is False  # the core's
    assert LayoutOptions().latin_spacing is True and LayoutOptions().justify is True
    assert Preferences().latin_spacing is None and Preferences().justify is None  # story's
    with pytest.raises(ValueError):
        Preferences(justify=1)  # type: ignore[arg-type]
    kept = prefs_from_json({"format": Preferences().to_json()["format"],
                            "values": {"latin_spacing": False, "justify": "yes"}})
    assert kept.latin_spacing is False and kept.justify is None
    (tmp_path / "a.log").write_text(
        "--- LOG START --- 2025.03.14 21:05\nA: あ<br>\n--- LOG END ---\n", encoding="utf-8")
    (tmp_path / "story.yaml").write_text(
        "layout: {latin_spacing: false, justify: false}\n", encoding="utf-8")
    story = load_story(tmp_path)
    assert story.layout == LayoutOptions(latin_spacing=False, justify=False)
    assert not [d for d in story.diagnostics if d.severity == "error"]


# --- Latin inside Japanese lines, U+3000 at a break --------------------------------------------

def test_a_hyphen_between_letters_may_end_a_line() -> None:
    layout = lay("あいうえお(Large-scale)", em=10)
    assert [line.text for line in layout.lines] == ["あいうえお(Large-", "scale)"]


@pytest.mark.parametrize("token", ["RTX-3080", "x-1", "3-4"])
def test_never_a_break_before_a_digit_after_a_hyphen(token: str) -> None:
    layout = lay("あいうえおかきくけ" + token, em=10)
    assert token in [line.text for line in layout.lines]


def test_an_ideographic_space_at_a_break_ends_the_line() -> None:
    layout = lay("あああああああああ？\u3000紺青", em=10)
    assert [line.text for line in layout.lines] == ["あああああああああ？\u3000", "紺青"]
    space = layout.lines[0].glyphs[-1]
    assert space.w == 0  # collapsed at the end: it hangs, drawing nothing
    assert layout.lines[1].glyphs[0].x == 0  # no indent on the next line


def test_an_ideographic_space_after_a_break_is_an_indent() -> None:
    layout = layout_message(runs("あ", "\n", "\u3000いう"), 320, fake_measure, Settings(size=SIZE))
    assert layout.lines[1].text == "\u3000いう"
    assert xs(layout.lines[1]) == [0, 32, 64]
