"""The popup dictionary's word boundaries against the layout's glyph boxes (no learn extra,
no pygame): which word a point hits, each word's boxes, and where the panel may go."""

from __future__ import annotations

import pytest
from layout_fakes import DEFAULT, fake_measure
from test_learn_core import TABERU, tokens_of

from engine.layout import layout_message
from engine.learn.analysis import analyse
from engine.learn.hits import TextSpot, glyph_at, glyph_boxes, union, word_at, word_boxes
from engine.model import Message, Pos, Ruby, Text

TEXT = "眞は食べなかった。"


def spot_and_words(width: float = 1000.0, origin: tuple[float, float] = (100.0, 400.0)):
    runs = (Ruby((("眞", "まこと"),)), Text("は食べなかった。"))
    message = Message("MIO", runs, Pos("a.log", 3))
    words = analyse(runs, tokens_of(TEXT, TABERU))
    layout = layout_message(runs, width, fake_measure, DEFAULT)
    return TextSpot(message, layout.lines, DEFAULT, origin), words


def centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    x, y, w, h = box
    return (x + w / 2, y + h / 2)


def test_glyph_boxes_are_the_layouts_advances_at_the_origin() -> None:
    spot, _ = spot_and_words()
    boxes = glyph_boxes(spot)
    line = spot.lines[0]
    assert sorted(boxes) == [g.index for g in line.glyphs]
    for g in line.glyphs:
        x, y, w, h = boxes[g.index]
        # The page's top edge is the first line's ruby band: the base text starts below it.
        assert (x, y, w, h) == (100.0 + g.x, 400.0 + DEFAULT.ruby_band, g.w, DEFAULT.size)


def test_every_glyph_centre_hits_the_word_holding_that_glyph() -> None:
    spot, words = spot_and_words()
    boxes = glyph_boxes(spot)
    for index, box in boxes.items():
        hit = word_at(spot, words, centre(box))
        owner = next((i for i, w in enumerate(words.words)
                      if w.glyph_start <= index < w.glyph_end), None)
        assert hit == owner, (index, spot.lines[0].glyphs[index].ch)
    # 眞 | は | 食べなかった ; the full stop is no word.
    assert [w.surface for w in words.words] == ["眞", "は", "食べなかった"]
    assert word_at(spot, words, centre(boxes[8])) is None


def test_word_edges_fall_between_glyph_boxes() -> None:
    spot, words = spot_and_words()
    boxes = glyph_boxes(spot)
    verb = words.words[2]
    x0 = boxes[verb.glyph_start][0]
    x1 = boxes[verb.glyph_end - 1][0] + boxes[verb.glyph_end - 1][2]
    y = centre(boxes[verb.glyph_start])[1]
    assert word_at(spot, words, (x0 + 0.01, y)) == 2
    assert word_at(spot, words, (x0 - 0.01, y)) == 1  # the last pixel of は
    assert word_at(spot, words, (x1 - 0.01, y)) == 2
    assert word_at(spot, words, (x1 + 0.01, y)) is None  # 。
    assert union(word_boxes(spot, words, 2)) == pytest.approx((x0, boxes[3][1], x1 - x0,
                                                               DEFAULT.size))


def test_the_ruby_band_hits_its_base_and_the_margins_hit_nothing() -> None:
    spot, words = spot_and_words()
    x, y, w, h = glyph_boxes(spot)[0]
    assert glyph_at(spot, (x + w / 2, y - DEFAULT.ruby_band + 1)) == 0  # on まこと
    assert glyph_at(spot, (x + w / 2, y - DEFAULT.ruby_band - 1)) is None
    assert glyph_at(spot, (x - 1, y + h / 2)) is None
    assert glyph_at(spot, (x + w / 2, y + h + DEFAULT.size * DEFAULT.line_gap)) is None


def test_a_word_broken_across_lines_has_boxes_on_both() -> None:
    # 5 glyphs a line: 食べなかった starts on the first line and ends on the second.
    spot, words = spot_and_words(width=DEFAULT.size * 5)
    boxes = word_boxes(spot, words, 2)
    assert len(boxes) == 6 and len({b[1] for b in boxes}) == 2
    for box in boxes:
        assert word_at(spot, words, centre(box)) == 2


def test_a_clip_keeps_glyphs_scrolled_out_of_view_from_being_hit() -> None:
    spot, words = spot_and_words(width=DEFAULT.size * 5)
    first_line_bottom = 400.0 + DEFAULT.ruby_band + DEFAULT.size
    clipped = TextSpot(spot.message, spot.lines, spot.settings, spot.origin,
                       clip=(0.0, 0.0, 2000.0, first_line_bottom + 1))
    shown = glyph_boxes(clipped)
    assert all(i < 5 for i in shown)
    second = glyph_boxes(spot)[6]
    assert glyph_at(clipped, centre(second)) is None and glyph_at(spot, centre(second)) == 6
