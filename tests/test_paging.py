"""engine.layout.paging: windowed pages equal the whole layout's; the line bound is never low."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.layout import Settings, layout_message, paginate
from engine.layout import paging as paging_module
from engine.layout.paging import Pager, count_lines, lines_upper_bound
from engine.model import BREAK, Direction, Ruby, Run, Text
from tests.layout_fakes import SIZE, fake_measure
from tests.test_layout_properties import layout_settings, messages

PAGES = Path(__file__).parent / "fixtures" / "check" / "pages" / "pages.log"

# Beside the layout tests' messages: long words and runs a window must not cut
# wrongly (tokens with inner separators and currency signs, kinsoku runs,
# spaces, marks), so windows end and start inside and around them.
LONG = st.sampled_from((
    "supercalifragilisticexpialidocious", "https://example.com/a/b/c.html", "¥¥¥¥¥100",
    "a....b....c", "1,000,000,000", "ーーーーーーーー", "……………………", "a b c d e f g h",
    "   ", "e\u0301e\u0301e\u0301", "👨\u200d👩\u200d👧", "50%%%%", "R&D-3080/f:11",
))


@st.composite
def long_messages(draw) -> tuple[Run, ...]:  # type: ignore[no-untyped-def]
    runs, _ = draw(messages())
    extra = draw(st.lists(LONG.map(Text), max_size=4))
    mixed = list(runs) + extra
    draw(st.randoms()).shuffle(mixed)
    return tuple(mixed)


widths = st.floats(min_value=1.5 * SIZE, max_value=14 * SIZE)


@settings(max_examples=300, deadline=None)
@given(long_messages(), widths, layout_settings, st.integers(1, 40), st.integers(1, 4))
def test_pager_pages_equal_the_whole_layout_cut_into_pages(runs, width, options, window,
                                                           per_page) -> None:  # type: ignore[no-untyped-def]
    expected = paginate(layout_message(runs, width, fake_measure, options), per_page)
    pager = Pager(runs, width, fake_measure, options, per_page, window=window)
    got = []
    while (page := pager.page(len(got))) is not None:
        got.append(page)
    assert tuple(got) == expected
    assert pager.done and pager.page(len(got)) is None


@settings(max_examples=200, deadline=None)
@given(long_messages(), widths, layout_settings, st.integers(1, 30), st.integers(0, 12))
def test_count_lines_is_exact_up_to_its_limit(runs, width, options, window, limit) -> None:  # type: ignore[no-untyped-def]
    lines = len(layout_message(runs, width, fake_measure, options).lines)
    assert count_lines(runs, width, fake_measure, options, limit, window=window) == min(
        lines, limit + 1)


@settings(max_examples=400, deadline=None)
@given(long_messages(), st.floats(min_value=-10, max_value=40 * SIZE, allow_nan=False),
       layout_settings)
def test_line_bound_never_below_the_layout(runs, width, options) -> None:  # type: ignore[no-untyped-def]
    bound = lines_upper_bound(runs, width, fake_measure, options)
    if bound is not None:
        assert len(layout_message(runs, width, fake_measure, options).lines) <= bound


def test_line_bound_with_the_real_font_on_the_pages_fixture() -> None:
    """Every message of the generated fixture, at three widths and two strictness levels."""
    from engine.logformat import load
    from engine.render import FontSet

    measure = FontSet().measure
    script = load(PAGES)
    bounded = 0
    for strictness in ("strict", "loose"):
        options = Settings(size=30.0, strictness=strictness)
        for width in (1072.0, 400.0, 100.0):
            for m in script.messages:
                bound = lines_upper_bound(m.runs, width, measure, options)
                if bound is not None:
                    bounded += 1
                    assert len(layout_message(m.runs, width, measure, options).lines) <= bound
    assert bounded > len(script.messages) * 6 / 4  # a fixture of hard cases: a quarter


def test_line_bound_clears_ordinary_messages_without_layout() -> None:
    """The bound is the point: a chat line, with ruby or not, gets a tight answer."""
    options = Settings(size=30.0)
    one = (Text("ねえ、起きてる？　今夜は"), Ruby((("昴", "すばる"),)), Text("がよく見える。"))
    assert lines_upper_bound(one, 1072.0, fake_measure, options) == 1
    long = (Direction("（笑う）"), Text("あのさ、子どものころ屋上で一緒に見た流れ星、覚えてる？" * 6))
    lines = len(layout_message(long, 1072.0, fake_measure, options).lines)
    assert lines == 5 and lines_upper_bound(long, 1072.0, fake_measure, options) in (5, 6)
    two = (Text("一行目。"), BREAK, Text("二行目。"))
    assert lines_upper_bound(two, 1072.0, fake_measure, options) == 2


def test_line_bound_gives_up_on_phrase_wrapping_past_one_line() -> None:
    options = Settings(size=30.0, phrase_wrapping=True)
    assert lines_upper_bound((Text("短い。"),), 1072.0, fake_measure, options) == 1
    assert lines_upper_bound((Text("長い文。" * 100),), 1072.0, fake_measure, options) is None


# --- a huge message: only what is shown is laid out ------------------------------------------


def laid_out_chars(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the characters the pager hands to the layout core, window by window."""
    seen: list[int] = []
    real = paging_module.build_paragraphs

    def counting(runs, *args):  # type: ignore[no-untyped-def]
        seen.append(sum(len(getattr(r, "text", "")) + len(getattr(r, "base", "")) for r in runs))
        return real(runs, *args)

    monkeypatch.setattr(paging_module, "build_paragraphs", counting)
    return seen


HUGE = (Text("むかしむかし、山のふもとの小さな村に、星を数えるのが好きな子どもがいました。" * 12_000),)


def test_first_page_of_a_huge_message_lays_out_only_a_window(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen = laid_out_chars(monkeypatch)
    pager = Pager(HUGE, 1072.0, fake_measure, Settings(size=30.0), 3)
    first = pager.page(0)
    assert first is not None and len(first) == 3
    assert pager.known == 1 and not pager.done
    assert sum(seen) < 3 * paging_module.WINDOW  # of 444,000 characters
    assert pager.page(1) is not None and sum(seen) < 3 * paging_module.WINDOW


def test_pages_deep_in_a_huge_message_match_the_whole_layout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    runs = (Text("ねえ、RTX-3080で95.8GBのデータを回したら朝になってた……。" * 300),
            Ruby((("昴", "すばる"),)), Text("a" * 3000), BREAK, Text("終わり。"))
    options = Settings(size=30.0)
    expected = paginate(layout_message(runs, 900.0, fake_measure, options), 3)
    seen = laid_out_chars(monkeypatch)
    pager = Pager(runs, 900.0, fake_measure, options, 3, window=256)
    assert pager.page(5) == expected[5]
    assert sum(seen) < 4000  # pages 0-5 only
    assert pager.all_pages() == list(expected)


def test_count_lines_stops_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = laid_out_chars(monkeypatch)
    assert count_lines(HUGE, 1072.0, fake_measure, Settings(size=30.0), 300) == 301
    assert sum(seen) < 20_000  # about 301 lines of 35 characters, of 444,000


def test_empty_messages_and_paragraphs_page_like_the_layout() -> None:
    options = Settings(size=30.0)
    for runs in ((), (Text(""),), (BREAK,), (Text("a"), BREAK, BREAK), (Ruby((("", "よみ"),)),)):
        expected = paginate(layout_message(runs, 500.0, fake_measure, options), 2)
        assert tuple(Pager(runs, 500.0, fake_measure, options, 2).all_pages()) == expected


def test_paging_module_is_pure() -> None:
    import ast

    tree = ast.parse(Path(paging_module.__file__).read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
             for a in n.names}
    names |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom)}
    assert "pygame" not in names
