"""Property test: random messages and widths never break a layout rule."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.layout import Settings, classes, layout_message, paginate
from engine.layout.graphemes import split_graphemes
from engine.model import BREAK, Direction, Ruby, Run, Text
from tests.layout_fakes import SIZE, check_layout, fake_measure

KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
KANJI = "星月夜空天川明日後東京瑞舗眞昴体望遠鏡北斗七見覚鉛筆位置今来"
PUNCT = "".join(sorted(set().union(*classes.CLASSES.values())))
TOKENS = ("3.14", "1,000", "95.8GB", "RTX-3080", "f/11.4", "50%", "¥100", "80mm", "Tesla",
          "C1060", "Vega", "R&D")
SEQUENCES = ("……", "‥‥", "——", "――")
EMOJI = ("🌙", "👍🏽", "❤️", "🇯🇵")

kana = st.text(alphabet=KANA + KATAKANA + "ーっゃゅょァィ", min_size=1, max_size=8)
kanji = st.text(alphabet=KANJI, min_size=1, max_size=4)
punct = st.sampled_from(PUNCT)
latin_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789", min_size=1,
                     max_size=14)


@st.composite
def pieces(draw) -> tuple[Run, tuple[int, int] | None]:  # type: ignore[no-untyped-def]
    """One run, and the [start, end) of an unbreakable sequence inside it, if any."""
    kind = draw(st.integers(0, 9))
    if kind <= 2:
        return Text(draw(st.one_of(kana, kanji, punct, st.just("\u3000")))), None
    if kind == 3:
        word = draw(st.one_of(st.sampled_from(TOKENS + SEQUENCES), latin_word))
        before = draw(st.sampled_from(("", " ", "、")))
        after = draw(st.sampled_from(("", " ", "。")))
        n = len(split_graphemes(before))
        return Text(before + word + after), (n, n + len(split_graphemes(word)))
    if kind == 4:
        return Text(draw(st.sampled_from(EMOJI))), None
    if kind in (5, 6):
        return draw(rubies()), None
    if kind == 7:
        return Direction("（" + draw(kana) + "）"), None
    if kind == 8:
        return BREAK, None
    return Text(draw(st.sampled_from(("Tesla C1060 ", "hello world", " ", "……って、")))), None


@st.composite
def rubies(draw) -> Ruby:  # type: ignore[no-untyped-def]
    """Mono, group and jukugo ruby, with kana or Latin bases and readings."""
    reading = st.text(alphabet=KANA, min_size=1, max_size=9)
    if draw(st.booleans()):
        return Ruby(((draw(kanji), draw(reading)),))
    if draw(st.booleans()):
        return Ruby(((draw(st.sampled_from(("Vega", "X", "星"))),
                      draw(st.sampled_from(("ベガ", "star", "ほし")))),))
    parts = draw(st.lists(st.tuples(st.text(alphabet=KANJI, min_size=1, max_size=1), reading),
                          min_size=2, max_size=4))
    return Ruby(tuple(parts))


@st.composite
def messages(draw) -> tuple[tuple[Run, ...], tuple[tuple[int, int], ...]]:  # type: ignore[no-untyped-def]
    """Runs plus the glyph ranges of the unbreakable sequences placed in them."""
    runs: list[Run] = []
    atomic: list[tuple[int, int]] = []
    index = 0
    for run, seq in draw(st.lists(pieces(), min_size=1, max_size=18)):
        if seq is not None:
            atomic.append((index + seq[0], index + seq[1]))
        runs.append(run)
        if isinstance(run, (Text, Direction)):
            index += len(split_graphemes(run.text))
        elif isinstance(run, Ruby):
            index += len(split_graphemes(run.base))
    return tuple(runs), tuple(atomic)


layout_settings = st.builds(
    Settings,
    size=st.just(SIZE),
    strictness=st.sampled_from(("strict", "normal", "loose")),
    hanging_punctuation=st.booleans(),
    phrase_wrapping=st.booleans(),
    show_ruby=st.booleans(),
    latin_spacing=st.booleans(),
    justify=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(messages(), st.floats(min_value=2 * SIZE, max_value=30 * SIZE), layout_settings)
def test_random_messages_keep_every_rule(message, width, options) -> None:  # type: ignore[no-untyped-def]
    runs, atomic = message
    layout = layout_message(runs, width, fake_measure, options)
    assert check_layout(layout, runs, width, atomic) == []


@settings(max_examples=50, deadline=None)
@given(messages(), st.floats(min_value=2 * SIZE, max_value=20 * SIZE), st.integers(1, 4))
def test_pages_hold_every_line_once_and_are_drawable(message, width, per_page) -> None:  # type: ignore[no-untyped-def]
    runs, _ = message
    layout = layout_message(runs, width, fake_measure)
    pages = paginate(layout, per_page)
    assert [line.glyphs for page in pages for line in page] == [
        line.glyphs for line in layout.lines]
    for page in pages:
        assert 1 <= len(page) <= per_page
        assert [line.y for line in page] == [
            layout.settings.ruby_band + i * layout.settings.line_pitch for i in range(len(page))]


any_run = st.one_of(
    st.builds(Text, st.text(max_size=30)),
    st.builds(Direction, st.text(max_size=10)),
    st.builds(lambda parts: Ruby(tuple(parts)),
              st.lists(st.tuples(st.text(max_size=4), st.text(max_size=6)), max_size=3)),
    st.just(BREAK),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(any_run, max_size=8).map(tuple),
       st.floats(min_value=-10, max_value=2000, allow_nan=False), layout_settings)
def test_any_text_and_any_width_lays_out_without_losing_text(runs, width, options) -> None:  # type: ignore[no-untyped-def]
    from engine.model import runs_text
    from tests.layout_fakes import joined_text

    layout = layout_message(runs, width, fake_measure, options)
    assert joined_text(layout.lines) == runs_text(runs)
    assert [g.index for line in layout.lines for g in line.glyphs] == list(range(layout.chars))
