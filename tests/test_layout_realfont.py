"""The layout rules again, measured with the real default font (Noto Sans CJK JP).

pygame.freetype is only the test's measuring tool here; the layout itself
stays pure. Kana, kanji and full-width punctuation advance exactly one em in
this font, so the worked numbers of JAPANESE-LAYOUT.md hold unchanged.
"""

from __future__ import annotations

import os

import noto_cjk_sans_jp_regular
import pygame.freetype
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.layout import Settings, layout_message
from tests.layout_fakes import check_layout, runs
from tests.test_layout_properties import messages

FONT_PATH = os.path.join(os.path.dirname(noto_cjk_sans_jp_regular.__file__),
                         "NotoSansCJKjp-Regular.otf")
pygame.freetype.init()
FONT = pygame.freetype.Font(FONT_PATH)


def real_measure(text: str, size: float) -> float:
    """Sum of advances; a grapheme whose base the font lacks counts as one em (tofu)."""
    metrics = FONT.get_metrics(text, size=size)
    if not metrics or metrics[0] is None:
        return size
    return float(sum(m[4] for m in metrics if m is not None))


SAMPLE = [
    runs("起きてるよ。今夜は", ("昴", "すばる"), "がよく見える。"),
    runs("（笑う）", "またベランダで", ("天体望遠鏡", "てんたいぼうえんきょう"), "いじってるの？"),
    runs("うん。レンズを磨いたら、", ("Vega", "ベガ"), "までくっきり……って、それは夏の星か。"),
    runs("知ってる", "（笑う）", "。口径80mm、焦点距離910mmのやつだから、f/11.4。"
         "月面のクレーターなら一個ずつ数えられる。"),
    runs("ふうん。「R&D部」の人って、みんなそういうこと言うよね。"),
    runs(("明日", "あした"), "も晴れるといいな。", ("天", "あま"), "の", ("川", "がわ"),
         "はまだ先だけど。"),
    runs("……覚えてる。鉛筆で描いたやつだ。", ("北斗七星", "ほくとしちせい"),
         "の位置がちょっとずれてた。"),
    runs("――もしもし？　聞こえる？"),
    runs("じゃあ、そろそろ寝る。おやすみ🌙"),
    runs("星の名前、覚えた？", "\n", "ほら、あれが", ("織姫", "おりひめ"), "。"),
    runs((("明", "あ"), ("後", "さっ"), ("日", "て")), "も晴れるって。\u00a0楽しみ！"),
    runs("Tesla C1060とRTX-3080、95.8GBで¥100、50%の3.14と1,000。"),
]


@pytest.mark.parametrize("strictness", ["strict", "normal", "loose"])
@pytest.mark.parametrize("width", [100, 170, 233, 320, 401, 512, 640, 900])
@pytest.mark.parametrize("message", range(len(SAMPLE)))
def test_sample_messages_keep_every_rule(message: int, width: int, strictness: str) -> None:
    r = SAMPLE[message]
    for hanging in (True, False):
        s = Settings(size=32, strictness=strictness, hanging_punctuation=hanging)  # type: ignore[arg-type]
        layout = layout_message(r, width, real_measure, s)
        assert check_layout(layout, r, width) == []


@pytest.mark.parametrize("width", [150, 300, 640])
def test_phrase_wrapping_with_the_real_font(width: int) -> None:
    for r in SAMPLE:
        layout = layout_message(r, width, real_measure, Settings(size=28, phrase_wrapping=True))
        assert check_layout(layout, r, width) == []


def test_worked_numbers_with_the_real_font() -> None:
    layout = layout_message(runs("今", ("瑞舗", "みずほ"), "今", ("東京", "とうきょう"), "夜"),
                            640, real_measure)
    mizuho, tokyo = layout.lines[0].rubies
    assert [x - 32 for x in mizuho.glyph_x] == pytest.approx([2.67, 24.0, 45.33], abs=0.5)
    glyphs = layout.lines[0].glyphs
    assert [g.x - 128 for g in glyphs[tokyo.base_start:tokyo.base_end]] == pytest.approx(
        [4.0, 44.0], abs=0.5)
    assert (tokyo.x - 128, tokyo.w) == pytest.approx((0.0, 80.0), abs=0.5)


def test_vega_is_centred_not_spread_with_the_real_font() -> None:
    layout = layout_message(runs("、", ("Vega", "ベガ"), "まで"), 640, real_measure)
    r = layout.lines[0].rubies[0]
    base = layout.lines[0].glyphs[r.base_start:r.base_end]
    centre = (base[0].x + base[-1].x + base[-1].w) / 2
    assert r.x + r.w / 2 == pytest.approx(centre)
    assert r.glyph_x[1] - r.glyph_x[0] == pytest.approx(real_measure("ベ", 16))


@settings(max_examples=40, deadline=None)
@given(messages(), st.floats(min_value=64, max_value=960))
def test_random_messages_with_the_real_font(message, width) -> None:  # type: ignore[no-untyped-def]
    r, atomic = message
    layout = layout_message(r, width, real_measure)
    assert check_layout(layout, r, width, atomic) == []


def test_compression_and_latin_spacing_with_the_real_font() -> None:
    # Full-width punctuation is one em in Noto Sans CJK JP: the fake font's
    # numbers hold (352 px, as Chromium sets it); 和欧間 adds 8 px per side.
    s = Settings(size=32)
    line = layout_message(runs("「あ」、「い」。（注）」「う"), 1000, real_measure, s).lines[0]
    assert line.right == 352
    on = layout_message(runs("GPUで5倍"), 1000, real_measure, s).lines[0]
    off = layout_message(runs("GPUで5倍"), 1000, real_measure,
                         Settings(size=32, latin_spacing=False)).lines[0]
    assert on.right == pytest.approx(off.right + 3 * 8)
