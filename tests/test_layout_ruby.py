"""Ruby placement rules of JAPANESE-LAYOUT.md with the worked numbers, fake font.

Positions of a ruby unit are checked relative to its first base glyph's pen
position (the unit start), so the context before it does not matter.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from engine.layout import Settings, layout_message
from engine.layout.ruby import place
from tests.layout_fakes import SIZE, check_layout, fake_measure, runs


def lay(*pieces, em: float = 20, size: float = SIZE, **options):  # type: ignore[no-untyped-def]
    r = runs(*pieces)
    layout = layout_message(r, em * size, fake_measure, Settings(size=size, **options))
    assert check_layout(layout, r, em * size) == []
    return layout


def only_ruby(layout, line: int = 0):  # type: ignore[no-untyped-def]
    rubies = layout.lines[line].rubies
    assert len(rubies) == 1
    return rubies[0]


def base_xs(layout, ruby, line: int = 0) -> list[float]:  # type: ignore[no-untyped-def]
    return [g.x for g in layout.lines[line].glyphs[ruby.base_start:ruby.base_end]]


# --- ruby no wider than its base ------------------------------------------------------

@pytest.mark.parametrize("size", [32.0, 24.0, 48.0])
def test_mizuho_spread_1_2_1(size: float) -> None:
    layout = lay("今", ("瑞舗", "みずほ"), "今", size=size)
    r = only_ruby(layout)
    start = size  # after 今
    scale = size / 32
    assert [x - start for x in r.glyph_x] == pytest.approx(
        [2.6667 * scale, 24.0 * scale, 45.3333 * scale], abs=0.01)
    assert base_xs(layout, r) == [start, start + size]


@pytest.mark.parametrize(("base", "reading"), [("木", "き"), ("空", "そら"), ("星", "ほ")])
def test_one_char_base_centres_its_reading(base: str, reading: str) -> None:
    layout = lay("あ", (base, reading), "い")
    r = only_ruby(layout)
    base_g = layout.lines[0].glyphs[r.base_start]
    assert r.x + r.w / 2 == pytest.approx(base_g.x + base_g.w / 2, abs=1)
    assert layout.lines[0].glyphs[2].x == 2 * SIZE  # no space added


def test_single_ruby_char_over_long_base_is_centred() -> None:
    layout = lay("今", ("明日", "あ"), "今")
    r = only_ruby(layout)
    assert r.glyph_x == (SIZE + SIZE - SIZE / 4,)


@pytest.mark.parametrize(("base", "reading"), [("Vega", "ベガ"), ("星々", "star"), ("RTX", "あ")])
def test_latin_base_or_reading_is_centred_never_letter_spaced(base: str, reading: str) -> None:
    layout = lay("の", (base, reading), "まで")
    r = only_ruby(layout)
    xs = base_xs(layout, r)
    glyphs = layout.lines[0].glyphs[r.base_start:r.base_end]
    assert [g.x for g in glyphs] == pytest.approx(
        [xs[0] + sum(g.w for g in glyphs[:i]) for i in range(len(glyphs))])  # base solid
    widths = [fake_measure(c, SIZE / 2) for c in reading]
    assert [b - a for a, b in pairwise(r.glyph_x)] == pytest.approx(widths[:-1])
    centre = (glyphs[0].x + glyphs[-1].x + glyphs[-1].w) / 2
    assert r.x + r.w / 2 == pytest.approx(centre)


def test_vega_numbers() -> None:
    layout = lay("、", ("Vega", "ベガ"), "まで")
    r = only_ruby(layout)
    assert base_xs(layout, r) == [32, 48, 64, 80]
    assert r.glyph_x == (48.0, 64.0)  # centred over 32..96, solid


# --- ruby wider than its base --------------------------------------------------------

def test_tokyo_between_kanji_spreads_the_base() -> None:
    layout = lay("今", ("東京", "とうきょう"), "夜")
    r = only_ruby(layout)
    start = SIZE
    assert [x - start for x in base_xs(layout, r)] == [4.0, 44.0]
    assert (r.x - start, r.w) == (0.0, 80.0)
    assert layout.lines[0].glyphs[3].x == start + 80  # 夜 after the 80 px unit


def test_tokyo_between_kana_overhangs_instead() -> None:
    layout = lay("は", ("東京", "とうきょう"), "に")
    r = only_ruby(layout)
    assert base_xs(layout, r) == [32.0, 64.0]
    assert (r.x, r.w) == (24.0, 80.0)
    assert layout.lines[0].glyphs[3].x == 96.0


def test_subaru_before_a_kana_overhangs_both_kana() -> None:
    layout = lay("今夜は", ("昴", "すばる"), "がよく見える。")
    r = only_ruby(layout)
    assert base_xs(layout, r) == [96.0]
    assert (r.x, r.w) == (88.0, 48.0)  # 8 px over は and over が
    assert layout.lines[0].glyphs[4].x == 128.0  # が: no space added


def test_subaru_between_kanji_adds_space() -> None:
    layout = lay("今", ("昴", "すばる"), "夜")
    r = only_ruby(layout)
    assert base_xs(layout, r) == [40.0]
    assert (r.x, r.w) == (32.0, 48.0)
    assert layout.lines[0].glyphs[2].x == 80.0


def test_subaru_kana_before_kanji_after() -> None:
    layout = lay("は", ("昴", "すばる"), "夜")
    r = only_ruby(layout)
    assert base_xs(layout, r) == [32.0]
    assert (r.x, r.w) == (24.0, 48.0)
    assert layout.lines[0].glyphs[2].x == 72.0


@pytest.mark.parametrize(("before", "after", "base_x", "next_x"), [
    ("「", "」", 40.0, 80.0),  # ink faces the base on both sides: space both sides
    ("、", "。", 32.0, 72.0),  # 、 has a blank right half to overhang; 。 does not
    ("」", "「", 32.0, 64.0),  # blank halves on both sides
])
def test_makoto_between_punctuation(before: str, after: str, base_x: float, next_x: float) -> None:
    layout = lay(before, ("眞", "まこと"), after)
    r = only_ruby(layout)
    assert base_xs(layout, r) == [base_x]
    assert r.x + r.w / 2 == base_x + SIZE / 2  # centred on its base
    assert layout.lines[0].glyphs[2].x == next_x


def test_overhang_is_at_most_one_ruby_character() -> None:
    layout = lay("は", ("嗚", "あいうえおか"), "が")  # 96 px of reading over 32 px
    r = only_ruby(layout)
    g = layout.lines[0].glyphs
    assert g[0].x + g[0].w - r.x == pytest.approx(SIZE / 2)  # overhangs は by 16
    assert r.x + r.w - g[2].x == pytest.approx(SIZE / 2)  # and が by 16
    assert base_xs(layout, r) == [32.0 + 16.0]  # the rest is space


def test_adjacent_rubies_never_overhang_each_other() -> None:
    layout = lay("は", ("昴", "すばる"), ("昴", "すばる"), "が")
    a, b = layout.lines[0].rubies
    assert a.x + a.w <= b.x
    assert a.x == 24.0 and b.x + b.w == layout.lines[0].glyphs[3].x + 8.0


def test_kana_between_two_long_rubies_is_shared() -> None:
    layout = lay("今", ("昴", "すばる"), "の", ("昴", "すばる"), "今")
    a, b = layout.lines[0].rubies
    no = layout.lines[0].glyphs[2]
    assert a.x + a.w <= b.x
    assert a.x + a.w - no.x == 8.0 and no.x + no.w - b.x == 8.0


def test_ruby_never_overhangs_latin() -> None:
    layout = lay("A", ("昴", "すばる"), "B")
    r = only_ruby(layout)
    g = layout.lines[0].glyphs
    assert r.x >= g[0].x + g[0].w and r.x + r.w <= g[2].x


# --- at a line's start and end ----------------------------------------------------------

def test_long_ruby_at_line_start_aligns_with_the_edge() -> None:
    layout = lay(("昴", "すばる"), "がよく見える")
    r = only_ruby(layout)
    assert r.x == 0.0
    assert base_xs(layout, r) == [8.0]  # base inset
    assert layout.lines[0].glyphs[1].x == 40.0  # が still overhung on the right


def test_long_multichar_ruby_at_line_start() -> None:
    layout = lay(("東京", "とうきょう"), "に")
    r = only_ruby(layout)
    assert r.x == 0.0 and base_xs(layout, r) == [4.0, 44.0]


def test_long_ruby_at_line_end_aligns_with_the_edge() -> None:
    # Mid-line 昴 would overhang が; at the line's end the reading ends at the edge.
    layout = lay("あいうえ", ("昴", "すばる"), "がよく見える", em=5.25)
    line = layout.lines[0]
    r = line.rubies[0]
    assert line.text == "あいうえ昴"
    assert line.glyphs[-1].x == 4 * SIZE
    assert r.x + r.w == 5.25 * SIZE


def test_long_ruby_that_would_leave_the_box_moves_down() -> None:
    layout = lay("あいうえ", ("昴", "すばる"), "がよく見える", em=5)
    assert [line.text for line in layout.lines][:2] == ["あいうえ", "昴がよく"]  # 昴 inset 8 px at the start


def test_ruby_wrapped_to_the_next_line_starts_at_the_edge() -> None:
    layout = lay("あいうえお", ("昴", "すばる"), "が", em=5.5)
    assert layout.lines[1].text.startswith("昴")
    r = layout.lines[1].rubies[0]
    assert r.x == 0.0 and layout.lines[1].glyphs[0].x == 8.0


def test_ruby_at_the_very_end_of_a_line_fits_inside() -> None:
    # 4 kana + 昴 at the end of a 5-em line: the reading needs 8 px more on the right.
    layout = lay("あいうえ", ("昴", "すばる"), em=5.25)
    line = layout.lines[0]
    r = line.rubies[0]
    assert line.text == "あいうえ昴"
    assert r.x + r.w == 5.25 * SIZE and line.glyphs[-1].x == 4 * SIZE


# --- units never split; jukugo may ---------------------------------------------------

@pytest.mark.parametrize("em", [3, 4, 5, 6, 7])
def test_group_ruby_never_splits(em: int) -> None:
    layout = lay("あいう", ("天体望遠鏡", "てんたいぼうえんきょう"), "いじる", em=em)
    holders = [i for i, line in enumerate(layout.lines) if "天" in line.text]
    assert "天体望遠鏡" in layout.lines[holders[0]].text or em < 5


def test_jukugo_splits_between_parts_each_keeping_its_reading() -> None:
    layout = lay("あいうえおかきく", (("明", "あ"), ("後", "さっ"), ("日", "て")), "も", em=10)
    assert [line.text for line in layout.lines] == ["あいうえおかきく明後", "日も"]
    assert [r.text for r in layout.lines[0].rubies] == ["あ", "さっ"]
    assert [r.text for r in layout.lines[1].rubies] == ["て"]


def test_ruby_wider_than_the_whole_line_is_cut_at_the_edge() -> None:
    layout = lay(("天体望遠鏡", "てんたいぼうえんきょう"), em=3)
    assert "".join(line.text for line in layout.lines) == "天体望遠鏡"
    assert len(layout.lines) > 1 and all(line.rubies for line in layout.lines)
    assert "".join(r.text for line in layout.lines for r in line.rubies) == "てんたいぼうえんきょう"
    assert layout.lines[0].forced


def test_show_ruby_off_sets_bases_as_plain_text() -> None:
    layout = lay("今", ("昴", "すばる"), "夜", show_ruby=False)
    assert layout.lines[0].rubies == ()
    assert [g.x for g in layout.lines[0].glyphs] == [0.0, 32.0, 64.0]
    assert layout.lines[0].y == 0.0


# --- the placement function itself ---------------------------------------------------

def test_place_mizuho_and_tokyo_numbers() -> None:
    p = place((32.0, 32.0), (16.0,) * 3, 0.0, 0.0, True)
    assert p.advance == 64 and p.ruby_x == pytest.approx((2.6667, 24.0, 45.3333), abs=0.001)
    p = place((32.0, 32.0), (16.0,) * 5, 0.0, 0.0, True)
    assert (p.advance, p.base_x, p.ruby_x[0]) == (80.0, (4.0, 44.0), 0.0)


def test_ruby_gap_does_not_change_the_pitch_between_lines() -> None:
    s = Settings(size=SIZE, ruby_gap=4.0)
    layout = layout_message(runs(("昴", "すばる"), "あ" * 30), 10 * SIZE, fake_measure, s)
    ys = [line.y for line in layout.lines]
    assert ys[0] == SIZE / 2 + 4 and ys[1] - ys[0] == ys[2] - ys[1] == s.line_pitch
