"""The chat view's pure geometry: bubble sizing, sides, runs, dates, the lazy column."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.chatlayout import (
    BubbleLayout,
    ChatColumn,
    ChatGeometry,
    content_width,
    date_label,
    finish,
    format_timestamp,
    insert_breaks,
)
from engine.layout import Settings, classes, layout_message
from engine.model import (
    BREAK,
    Character,
    Direction,
    Message,
    Pos,
    Ruby,
    Scene,
    Script,
    Story,
    Text,
)
from tests.story_support import story_from

SIZE = 30.0


def fake_measure(text: str, size: float) -> float:
    """Full width for everything but ASCII, half width for ASCII."""
    return sum(size / 2 if ord(ch) < 128 else size for ch in text)


def msg(speaker: str | None, *runs: object, line: int = 1) -> Message:
    parts = tuple(Text(r) if isinstance(r, str) else r for r in runs)
    return Message(speaker, parts, Pos("t.log", line))  # type: ignore[arg-type]


def make_story(
    scenes: list[tuple[datetime | None, list[Message]]],
    characters: dict[str, Character] | None = None,
    titles: list[str] | None = None,
) -> Story:
    built = []
    for i, (ts, messages) in enumerate(scenes):
        title = titles[i] if titles else (ts.strftime("%Y.%m.%d %H:%M") if ts else "")
        built.append(Scene(title, ts, Pos("t.log", 1), tuple(messages)))
    return story_from(Script("t.log", tuple(built)), root=Path("."), title="t",
                      characters=characters)


def column(story: Story, width: float = 800.0, **kw: object) -> ChatColumn:
    return ChatColumn(story, width, fake_measure, Settings(size=SIZE), **kw)  # type: ignore[arg-type]


TS = datetime(2025, 3, 14, 21, 5)
LONG = "ねえカイ、あのさ。子どものころ、屋上で一緒に見たの覚えてる？　あのとき、流れ星が三つ続けて落ちて"


# --- bubbles -------------------------------------------------------------------


def test_short_message_bubble_is_as_wide_as_its_text() -> None:
    col = column(make_story([(TS, [msg("SORA", "ねえ、起きてる？")])]))
    blk = col.block(0)
    g = col.geo
    assert blk.bubble.width == pytest.approx(8 * SIZE + 2 * g.pad_x)
    assert len(blk.bubble.layout.lines) == 1


def test_bubble_width_fits_longest_line_and_at_most_60_percent() -> None:
    col = column(make_story([(TS, [msg("SORA", LONG)])]))
    blk = col.block(0)
    lines = blk.bubble.layout.lines
    assert len(lines) > 1
    longest = max(line.right for line in lines)
    assert blk.bubble.width == pytest.approx(longest + 2 * col.geo.pad_x)
    assert blk.bubble.width <= 0.6 * col.width + 1e-6


def test_shrink_wrap_keeps_the_line_count_and_is_minimal() -> None:
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    runs = (Text(LONG),)
    full = bl.layout(runs, 400, s)
    narrowest = bl.narrowest(runs, 400, s)
    assert len(narrowest.lines) == len(full.lines)
    # One character narrower than the result needs another line.
    narrower = bl.layout(runs, content_width(narrowest) - SIZE, s)
    assert len(narrower.lines) > len(full.lines)
    wrapped = bl.shrink_wrap(runs, 400, s)
    assert len(wrapped.lines) == len(full.lines) and content_width(wrapped) <= 400


def test_balancing_prefers_phrase_boundaries() -> None:
    # BudouX reads "あいうえ|おかきくけこさ": an even 6+5 would split the second phrase.
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    layout = bl.shrink_wrap((Text("あいうえおかきくけこさ"),), 10 * SIZE, s)
    assert [line.text for line in layout.lines] == ["あいうえ", "おかきくけこさ"]


def test_balancing_breaks_after_punctuation_when_it_costs_little() -> None:
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    text = "月曜の朝には電気も止まる。だから、動かせるのは今夜と明日しかないの。"
    layout = bl.shrink_wrap((Text(text),), 20 * SIZE, s)
    assert [line.text for line in layout.lines] == ["月曜の朝には電気も止まる。だから、",
                                                    "動かせるのは今夜と明日しかないの。"]


def test_no_lone_last_character() -> None:
    # 11 characters in a box of 10: greedy would leave one alone on line 2.
    text = "あ" * 11
    col = column(make_story([(TS, [msg("SORA", text)])]), width=10 * SIZE / 0.6 + 200)
    bl = col.bubbles
    s = Settings(size=SIZE, hanging_punctuation=False)
    layout = bl.shrink_wrap((Text(text),), 10 * SIZE, s)
    counts = [len(line.glyphs) for line in layout.lines]
    assert counts == [6, 5]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=2, max_value=80), width=st.integers(min_value=6, max_value=20))
def test_balance_rule_last_line_not_much_shorter(n: int, width: int) -> None:
    text = "あ" * n
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    layout = bl.shrink_wrap((Text(text),), width * SIZE, s)
    counts = [len(line.glyphs) for line in layout.lines]
    assert sum(counts) == n
    if len(counts) > 1:
        # Evenly spread: every line within one character of the longest.
        assert max(counts) - counts[-1] <= 1
        assert max(counts) <= width


def test_forced_break_is_a_line_break() -> None:
    col = column(make_story([(TS, [msg("KAI", "星の名前、覚えた？", BREAK, "ほら。")])]))
    lines = col.block(0).bubble.layout.lines
    assert [line.text for line in lines] == ["星の名前、覚えた？", "ほら。"]
    assert col.block(0).bubble.width == pytest.approx(9 * SIZE + 2 * col.geo.pad_x)


def test_ruby_in_bubble_uses_layout_core_and_reserves_band() -> None:
    ruby = Ruby((("昴", "すばる"),))
    col = column(make_story([(TS, [msg("KAI", "今夜は", ruby, "がよく見える。"),
                                   msg("KAI", "今夜は昴がよく見える。")])]))
    with_ruby, plain = col.block(0).bubble, col.block(1).bubble
    assert with_ruby.layout.lines[0].rubies[0].text == "すばる"
    # Only the bubble with ruby reserves the ruby band above its line.
    assert with_ruby.height == pytest.approx(plain.height + SIZE * 0.5)


def test_directions_keep_their_style() -> None:
    col = column(make_story([(TS, [msg("KAI", "知ってる", Direction("（笑う）"), "。")])]))
    styles = {g.ch: g.style for g in col.block(0).bubble.layout.lines[0].glyphs}
    assert styles["笑"] == "direction" and styles["知"] == "text"


def test_bubble_cache_reuses_layouts() -> None:
    story = make_story([(TS, [msg("A", LONG), msg("B", LONG)])])
    col = column(story)
    col.block(0)
    calls = col.bubbles.layout_calls
    col.block(1)  # same text, same width and settings
    assert col.bubbles.layout_calls == calls


# --- sides, names, avatars ---------------------------------------------------------


def test_sides_from_characters() -> None:
    chars = {
        "SORA": Character("SORA", "空", (232, 160, 180), "right"),
        "KAI": Character("KAI", "カイ", (143, 184, 232), "left"),
    }
    col = column(make_story([(TS, [msg("SORA", "ねえ"), msg("KAI", "うん")])], chars))
    a, b = col.block(0), col.block(1)
    assert (a.side, b.side) == ("right", "left")
    assert a.body[0] + a.body[2] > col.width / 2 > b.body[0] + b.body[2]
    assert a.name == "空"


def test_sides_without_manifest_first_left_second_right() -> None:
    col = column(make_story([(TS, [msg("X", "あ"), msg("Y", "い"), msg("X", "う")])]))
    assert [col.block(i).side for i in range(3)] == ["left", "right", "left"]


def test_name_and_avatar_once_per_run() -> None:
    msgs = [msg("A", "一"), msg("A", "二"), msg("B", "三"), msg("A", "四"), msg("A", "五")]
    col = column(make_story([(TS, msgs)]))
    names = [col.block(i).name for i in range(5)]
    assert names == ["A", None, "B", "A", None]
    avatars = [col.block(i).avatar is not None for i in range(5)]
    assert avatars == [True, False, True, True, False]


def test_narration_is_a_centred_system_line_and_breaks_runs() -> None:
    msgs = [msg("A", "一"), msg(None, "（通信が一瞬途切れる）"), msg("A", "二")]
    col = column(make_story([(TS, msgs)]))
    sys_blk = col.block(1)
    assert sys_blk.kind == "system" and sys_blk.side is None and sys_blk.name is None
    x, _, w, _ = sys_blk.body
    assert x + w / 2 == pytest.approx(col.width / 2)
    assert col.block(2).name == "A"


# --- dates ---------------------------------------------------------------------


def test_date_labels() -> None:
    assert format_timestamp(TS, "ja") == "2025年3月14日(金) 21:05"
    assert format_timestamp(TS, "en") == "Fri, 14 Mar 2025 21:05"
    midnight = Scene("2025.03.15", datetime(2025, 3, 15), Pos("t", 1), ())
    assert date_label(midnight, "ja") == "2025年3月15日(土)"
    untimed = Scene("第一話", None, Pos("t", 1), ())
    assert date_label(untimed, "en") == "第一話"


def test_date_separators_at_scene_starts_only() -> None:
    ts2 = datetime(2025, 3, 15, 7, 42)
    story = make_story([(TS, [msg("A", "一"), msg("B", "二")]),
                        (ts2, [msg("A", "三"), msg("A", "四")])])
    col = column(story, lang="en")
    dates = [col.block(i).date for i in range(4)]
    assert dates == ["Fri, 14 Mar 2025 21:05", None, "Sat, 15 Mar 2025 07:42", None]
    # A new scene starts a new run: the name shows again.
    assert col.block(2).name == "A"
    blk = col.block(2)
    assert blk.date_box is not None and blk.date_box[1] + blk.date_box[3] <= blk.body[1]


# --- the column ---------------------------------------------------------------------


def test_blocks_stack_without_overlap() -> None:
    msgs = [msg("A" if i % 3 else "B", LONG[: 3 + i * 5 % 40]) for i in range(30)]
    col = column(make_story([(TS, msgs)]))
    placed = col.visible(0, 1e9)
    assert [p.block.flat for p in placed] == list(range(30))
    for a, b in zip(placed, placed[1:], strict=False):
        assert a.y + a.block.height == pytest.approx(b.y)
    assert col.height() == pytest.approx(placed[-1].y + placed[-1].block.height)


def test_visible_returns_the_window_and_count_limits() -> None:
    msgs = [msg("A" if i % 2 else "B", f"{i}番目のメッセージ") for i in range(200)]
    col = column(make_story([(TS, msgs)]), count=50)
    top, placed = col.visible_from_bottom(0, 600)
    assert placed[-1].block.flat == 49
    assert placed[0].y <= top < placed[0].y + placed[0].block.height
    assert col.height() == pytest.approx(placed[-1].y + placed[-1].block.height)
    col.count = 120
    _, placed = col.visible_from_bottom(0, 600)
    assert placed[-1].block.flat == 119


def big_story(n: int = 10_000) -> Story:
    texts = ["うん。", "起きてるよ。今夜は昴がよく見える。", LONG, "数えたら、忘れないだろ。"]
    msgs = [msg("SORA" if i % 3 else "KAI", f"{i}:" + texts[i % 4]) for i in range(n)]
    return make_story([(TS, msgs)])


def test_ten_thousand_messages_query_cost_independent_of_position() -> None:
    story = big_story()
    costs = []
    for where in (0.0, 0.5, 1.0):
        col = column(story)
        top = (col.height() - 720) * where
        before = col.bubbles.layout_calls
        placed = col.visible(top, top + 720)
        costs.append(col.bubbles.layout_calls - before)
        assert placed and all(col.measured(p.block.flat) for p in placed)
        # Only the window (plus what estimates pulled in) was laid out.
        assert sum(col.measured(i) for i in range(col.total)) < 40
    assert min(costs) > 0
    assert max(costs) <= 2 * min(costs) + 10


def test_scrolling_from_bottom_lays_out_only_what_comes_into_view() -> None:
    col = column(big_story())
    col.visible_from_bottom(0, 720)
    first = col.bubbles.layout_calls
    for step in range(1, 30):
        col.visible_from_bottom(step * 100.0, 720)
    # 2900 px of scrolling brings in a bounded number of new blocks.
    measured = sum(col.measured(i) for i in range(col.total))
    assert measured < 120
    assert col.bubbles.layout_calls - first < 120 * 12


def test_measuring_above_never_moves_a_bottom_anchored_window() -> None:
    col = column(big_story(500))
    top, placed = col.visible_from_bottom(0, 720)
    bottom_block = placed[-1].block.flat
    col.visible(0, 3000)  # measure the start of the column
    top2, placed2 = col.visible_from_bottom(0, 720)
    assert placed2[-1].block.flat == bottom_block
    assert col.height() - top2 == pytest.approx(720)


def test_geometry_scales_with_size() -> None:
    g = ChatGeometry.for_size(60)
    assert g.avatar == pytest.approx(2 * ChatGeometry().avatar)


def test_pure_module_imports_without_pygame(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(sys.modules):
        if name == "engine.chatlayout" or name.startswith("pygame"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pygame", None)  # type: ignore[arg-type]
    import engine.chatlayout as reloaded

    assert reloaded.ChatColumn is not None


def test_twenty_one_characters_in_five_lines_has_no_lone_last_character() -> None:
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    layout = bl.shrink_wrap((Text("あ" * 21),), 5 * SIZE, s)
    counts = [len(line.glyphs) for line in layout.lines]
    assert len(counts) == 5 and counts[-1] >= 4  # greedy gives 5+5+5+5+1
    assert content_width(layout) <= 5 * SIZE


def test_insert_breaks_splits_text_direction_and_jukugo_ruby() -> None:
    runs = (Text("あいう"), Direction("（笑う）"), Ruby((("明", "あ"), ("後", "さっ"), ("日", "て"))))
    out = insert_breaks(runs, [2, 5, 8])
    assert out is not None
    assert out == (Text("あい"), BREAK, Text("う"), Direction("（笑"), BREAK, Direction("う）"),
                   Ruby((("明", "あ"),)), BREAK, Ruby((("後", "さっ"), ("日", "て"))))
    assert insert_breaks((Ruby((("天体", "てんたい"),)),), [1]) is None


JA_CHARS = "あいうえおかきくけこ。、「」ー！？……漢字星空80mmRTX-3080 "


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=JA_CHARS, min_size=1, max_size=90),
       width=st.integers(min_value=4, max_value=16))
def test_balanced_bubbles_keep_text_kinsoku_and_width(text: str, width: int) -> None:
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    runs = (Text(text),)
    greedy = bl.layout(runs, width * SIZE, s)
    wrapped = bl.shrink_wrap(runs, width * SIZE, s)
    assert "".join(line.text for line in wrapped.lines) == text
    assert len(wrapped.lines) == len(greedy.lines)
    assert content_width(wrapped) <= max(content_width(greedy), width * SIZE) + 0.5
    greedy_starts = {line.text[:1] for line in greedy.lines[1:]}
    for line in wrapped.lines[1:]:
        first = line.text[:1]
        # A new line may start with a prohibited character only where greedy had to.
        assert not classes.is_line_start_prohibited(first) or first in greedy_starts


def test_prefetch_prepares_the_blocks_just_above_the_window() -> None:
    col = column(big_story(500))
    top, placed = col.visible_from_bottom(0, 720)
    first = placed[0].block.flat
    near = [i for i in range(first - 1, first - 9, -1) if not col.measured(i)]
    got = col.prefetch(top, top + 720, budget=2)
    # The nearest blocks above the window not laid out yet (looking a few blocks up).
    assert got and [b.flat for b in got] == near[:2]
    assert all(col.measured(b.flat) for b in got)
    assert col.prefetch(top, top + 720, budget=0) == []
    # Nothing below the latest message to prepare; the window's blocks were measured already.
    assert all(col.measured(p.block.flat) for p in placed)



def test_a_multi_line_bubble_takes_two_layout_calls_and_the_narrowing_result() -> None:
    s = Settings(size=SIZE)
    runs = (Text("あ" * 21 + "、" + "い" * 17),)  # greedy at 9 a line: 9+9+9+9+3
    fast = BubbleLayout(fake_measure)
    wrapped = fast.shrink_wrap(runs, 9 * SIZE, s)
    assert fast.layout_calls == 2  # the layout at the cap, then the balanced lines
    assert len(wrapped.lines) == 5 and len(wrapped.lines[-1].text) > 3
    # The same lines as narrowing first by binary search, then balancing (the slow way).
    slow = BubbleLayout(fake_measure)
    narrowed = slow.balance(runs, slow.narrowest(runs, 9 * SIZE, s), s, 9 * SIZE)
    assert slow.layout_calls > 3
    assert [line.text for line in wrapped.lines] == [line.text for line in narrowed.lines]
    assert content_width(wrapped) == content_width(narrowed)


def test_bubble_steps_give_the_bubble_piece_by_piece() -> None:
    s = Settings(size=SIZE)
    runs = (Text(LONG),)
    stepped = BubbleLayout(fake_measure)
    steps = stepped.bubble_steps(runs, 12 * SIZE, s, 16.0, 10.0)
    sizes = []
    with pytest.raises(StopIteration) as done:
        while True:
            sizes.append(next(steps))
    bubble = done.value.value
    # Several pieces, each announcing its size; no piece bigger than one layout of the text.
    assert len(sizes) >= 4 and all(0 <= n <= len(LONG) for n in sizes)
    whole = BubbleLayout(fake_measure).bubble(runs, 12 * SIZE, s, 16.0, 10.0)
    assert bubble == whole
    assert stepped.cached(runs, 12 * SIZE, s, 16.0, 10.0)
    # Once cached, the steps are none: the bubble at once.
    assert finish(stepped.bubble_steps(runs, 12 * SIZE, s, 16.0, 10.0)) is bubble


def test_block_steps_and_ahead_prepare_what_scrolling_shows_next() -> None:
    col = column(big_story(500))
    top, placed = col.visible_from_bottom(0, 720)
    first, last = placed[0].block.flat, placed[-1].block.flat
    assert list(col.ahead(top, top + 720, True, 3)) == [first - 1, first - 2, first - 3]
    assert list(col.ahead(top, top + 720, False, 3)) == []  # nothing below the latest
    assert last == col.count - 1
    i = next(i for i in col.ahead(top, top + 720, True, 8) if not col.measured(i))
    calls = col.bubbles.layout_calls
    blk = finish(col.block_steps(i))
    assert col.measured(i) and col.cached_block(i) is blk
    assert col.bubbles.layout_calls > calls
    assert finish(col.block_steps(i)) is blk  # cached: no more work
    other = column(big_story(500))
    assert other.block(i) == blk  # the same block as laid out at once


RUNS = st.lists(
    st.one_of(
        st.text(alphabet="あいうえお漢字星空、。「」ー！？80mm", min_size=1, max_size=12).map(Text),
        st.tuples(st.text(alphabet="漢字星空東京", min_size=1, max_size=4),
                  st.text(alphabet="かんじほしそら", min_size=1, max_size=8)).map(
            lambda p: Ruby(((p[0], p[1]),))),
        st.text(alphabet="笑う泣", min_size=1, max_size=3).map(lambda t: Direction(f"（{t}）")),
        st.just(BREAK),
    ),
    min_size=1, max_size=10,
)


@settings(max_examples=50, deadline=None)
@given(runs=RUNS, width=st.integers(min_value=4, max_value=14))
def test_bubbles_of_mixed_runs_keep_text_lines_and_width(runs: list, width: int) -> None:
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    parts = tuple(runs)
    greedy = bl.layout(parts, width * SIZE, s)
    wrapped = bl.shrink_wrap(parts, width * SIZE, s)
    text = "".join(line.text for line in wrapped.lines)
    assert text == "".join(line.text for line in greedy.lines)
    assert len(wrapped.lines) == len(greedy.lines)
    assert content_width(wrapped) <= max(content_width(greedy), width * SIZE) + 0.5
    # Every reading is still there, over the same base.
    readings = [(r.text, "".join(g.ch for g in line.glyphs[r.base_start:r.base_end]))
                for line in wrapped.lines for r in line.rubies]
    expected = [(r.text, "".join(g.ch for g in line.glyphs[r.base_start:r.base_end]))
                for line in greedy.lines for r in line.rubies]
    assert sorted(readings) == sorted(expected)


# --- break quality (QA #10) ------------------------------------------------------

CHAT_SIZE = 24.0  # the chat view's text size at 720p with the default text size
DEMO_MESSAGES = [
    (Text("起きてるよ。ちょうど店のシャッターを下ろしたとこ。どうした？"),),
    (Text("……ない。テープ装置の予算が通らなくて、来年度こそ、来年度こそって言ってるうちに"
          "今日になっちゃった。"),),
    (Text("正直に言うとね、私、あの新聞のことを半分忘れかけてた。でも先月、"),
     Ruby((("佐伯", "さえき"),)),
     Text("さんっていうおばあさんがカウンターに来て、「昭和三十四年の台風の記事に、"
          "死んだ夫が写ってるはずなんです」って言ったの。検索してみたら、本当にいたんだよ。"
          "堤防の上で土のうを担いでる、まだ二十歳くらいの男の人。佐伯さん、画面の前で"
          "三十分くらい黙って座ってて、最後に「ありがとうね」ってだけ言って帰っていった。"
          "あれを、消したくない。")),
]
PAUSES = "。、！？」』）…―　 "


def _katakana(ch: str) -> bool:
    c = ord(ch)
    return 0x30A1 <= c <= 0x30FF and c != 0x30FB


def _budoux_starts(text: str) -> set[int]:
    import budoux

    starts, at = set(), 0
    for phrase in budoux.load_default_japanese_parser().parse(text)[:-1]:
        at += len(phrase)
        starts.add(at)
    return starts


def _good_break(text: str, at: int) -> bool:
    """After punctuation, before an opening bracket, or between BudouX phrases."""
    return text[at - 1] in PAUSES or text[at] in "「『（" or at in _budoux_starts(text)


def _break_offsets(lines) -> list[int]:  # type: ignore[no-untyped-def]
    out, at = [], 0
    for line in lines[:-1]:
        at += len(line.text)
        out.append(at)
    return out


def _demo_bubble(runs: tuple) -> tuple[ChatColumn, str, list[int]]:
    """A demo message in the chat view's 720p geometry: its text and break offsets."""
    story = make_story([(TS, [Message("TAKU", runs, Pos("t.log", 1))])])
    col = ChatColumn(story, 880.0, fake_measure,
                     Settings(size=CHAT_SIZE, line_gap=0.35, hanging_punctuation=False))
    lines = col.block(0).bubble.layout.lines
    assert len(lines) > 1
    assert col.block(0).bubble.width <= col.max_bubble_width() + 1e-6
    return col, "".join(line.text for line in lines), _break_offsets(lines)


@pytest.mark.parametrize("runs", DEMO_MESSAGES[:2])
def test_demo_bubbles_break_between_phrases_or_after_punctuation(runs: tuple) -> None:
    _, text, breaks = _demo_bubble(runs)
    for at in breaks:
        assert not (_katakana(text[at - 1]) and _katakana(text[at])), (at, text[at - 3:at + 3])
        assert _good_break(text, at), text[at - 4:at] + "／" + text[at:at + 4]


@pytest.mark.parametrize("runs", DEMO_MESSAGES)
def test_demo_bubbles_keep_the_words_qa_saw_split(runs: tuple) -> None:
    _, text, breaks = _demo_bubble(runs)
    for word in ("シャッター", "忘れかけてた", "カウンター"):
        start = text.find(word)
        if start >= 0:
            assert not [at for at in breaks if start < at < start + len(word)], word


def test_katakana_word_moves_whole_to_the_next_line_rather_than_split() -> None:
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    # Balanced at 12 characters a line, シャッター would straddle the break;
    # one line of 13 (the cap is 16) keeps it whole.
    layout = bl.shrink_wrap((Text("ちょうど店のシャッターを下ろしたとこ"),), 16 * SIZE, s)
    assert [line.text for line in layout.lines] == ["ちょうど店のシャッターを", "下ろしたとこ"]


def test_a_bad_break_stays_when_nothing_else_fits_the_cap() -> None:
    # One katakana run longer than the cap: it must split somewhere, and kinsoku holds.
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    text = "アイウエオカキクケコサシスセ"
    layout = bl.shrink_wrap((Text(text),), 8 * SIZE, s)
    assert "".join(line.text for line in layout.lines) == text
    assert len(layout.lines) == 2 and content_width(layout) <= 8 * SIZE


WORDS = ["シャッター", "カウンター", "テープ", "ディスク", "スキャン", "を", "に", "が", "の",
         "下ろした", "忘れかけてた", "予算", "通らなくて", "店", "、", "。", "ちょうど", "ね"]


def _fits_two_lines(bl: BubbleLayout, text: str, at: int, cap: float, s: Settings) -> bool:
    """Whether breaking only at `at` gives two legal lines within the cap (by the layout core)."""
    trial = bl.layout((Text(text[:at]), BREAK, Text(text[at:])), cap, s)
    return (len(trial.lines) == 2 and not any(line.forced for line in trial.lines)
            and content_width(trial) <= cap + 0.5
            and not classes.is_line_start_prohibited(text[at]))


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), min_size=3, max_size=14),
       width=st.integers(min_value=6, max_value=14))
def test_no_break_inside_katakana_when_a_phrase_boundary_fits(words: list[str], width: int) -> None:
    from hypothesis import assume

    text = "".join(words)
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    cap = width * SIZE
    assume(len(bl.layout((Text(text),), cap, s).lines) == 2)
    wrapped = bl.shrink_wrap((Text(text),), cap, s)
    assert "".join(line.text for line in wrapped.lines) == text
    assert content_width(wrapped) <= cap + 0.5
    split = [at for at in _break_offsets(wrapped.lines)
             if _katakana(text[at - 1]) and _katakana(text[at])]
    # A third line is taken only to keep every katakana word whole.
    assert len(wrapped.lines) == 2 or (len(wrapped.lines) == 3 and not split)
    if split:
        at = split[0]
        alternatives = [p for p in range(1, len(text))
                        if not (_katakana(text[p - 1]) and _katakana(text[p]))
                        and _good_break(text, p) and _fits_two_lines(bl, text, p, cap, s)]
        assert not alternatives, (text, at, alternatives)


def test_narrowing_never_moves_a_cut_by_force_into_a_ruby_base() -> None:
    # 「 cannot end a line and the ruby unit fills the cap: the cut after 「 is forced.
    # A narrower box would cut elsewhere, inside the base, and strand the reading.
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    parts = (Text("「"), Ruby((("京京京京", "か"),)))
    wrapped = bl.shrink_wrap(parts, 4 * SIZE, s)
    assert [line.text for line in wrapped.lines] == ["「", "京京京京"]
    assert [(r.text, r.base_start, r.base_end) for r in wrapped.lines[1].rubies] == [("か", 0, 4)]


def test_a_bubble_takes_one_more_line_rather_than_split_a_katakana_word() -> None:
    # 40 characters in a cap of 20: two full lines would cut ハン／カチ.
    bl = BubbleLayout(fake_measure, layout_message)
    s = Settings(size=SIZE, hanging_punctuation=False)
    text = "保冷剤を電源のあたりに当ててます！　ハンカチで包んで、結露しないようにしてます。"
    assert [line.text for line in bl.layout((Text(text),), 20 * SIZE, s).lines][0].endswith("ハン")
    wrapped = bl.shrink_wrap((Text(text),), 20 * SIZE, s)
    lines = [line.text for line in wrapped.lines]
    assert len(lines) == 3 and "".join(lines) == text
    assert any("ハンカチ" in line for line in lines)
    assert content_width(wrapped) <= 20 * SIZE


# --- preparing long bubbles in pieces (issue 9) ------------------------------------

LONG_RUNS = st.lists(RUNS, min_size=1, max_size=12).map(lambda parts: tuple(
    run for part in parts for run in part))


@settings(max_examples=80, deadline=None)
@given(runs=LONG_RUNS, width=st.integers(min_value=3, max_value=14), ruby=st.booleans())
def test_a_windowed_layout_equals_the_whole_layout(runs: tuple, width: int, ruby: bool) -> None:
    from engine.chatlayout import windowed_layout_steps

    s = Settings(size=SIZE, hanging_punctuation=False, show_ruby=ruby)
    assert finish(windowed_layout_steps(runs, width * SIZE, fake_measure, s)) == layout_message(
        runs, width * SIZE, fake_measure, s)


def _monologue(chars: int) -> tuple:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import realistic

    return (Text(realistic.huge_message("one-message", chars)),)


def test_a_long_bubble_is_the_same_prepared_in_pieces_no_bigger_than_a_window() -> None:
    from engine.chatlayout import LAYOUT_WINDOW, LONG_TEXT

    runs = _monologue(600)
    s = Settings(size=SIZE, hanging_punctuation=False)
    windowed = BubbleLayout(fake_measure)  # the layout core: long texts go a window at a time
    steps = windowed.bubble_steps(runs, 12 * SIZE, s, 16.0, 10.0)
    sizes = []
    with pytest.raises(StopIteration) as done:
        while True:
            sizes.append(next(steps))
    whole = BubbleLayout(fake_measure, lambda *a: layout_message(*a))  # one call each time
    assert done.value.value == whole.bubble(runs, 12 * SIZE, s, 16.0, 10.0)
    # The pieces of layout work (the sizes announced before them) stay within a window.
    assert max(sizes) <= max(LONG_TEXT, LAYOUT_WINDOW, 600 // 4)
    assert len(sizes) > 600 // LAYOUT_WINDOW
    assert windowed.layout_calls == whole.layout_calls  # a windowed layout counts as one


def test_phrase_scores_at_one_offset_equal_budoux_over_the_whole_text() -> None:
    from engine.chatlayout import _PhraseScore
    from engine.layout.breaking import phrase_starts

    texts = [_monologue(400)[0].text, LONG, "RTX-3080で95.8GBのデータを回したら、朝になってた……。",
             "あ", "", "「星」を見た。🌙ねえ", "ab"]
    for text in texts:
        score = _PhraseScore(text)
        got = {i for i in range(-1, len(text) + 2) if score.starts_at(i)}
        assert got == set(phrase_starts(text)), text


def test_break_qualities_worked_out_on_use_equal_the_eager_ones() -> None:
    from engine.chatlayout import PHRASE_PENALTY, _cost, _LazyCosts, break_qualities

    chars = list(_monologue(300)[0].text) + list("シャッター、RTX-3080（笑う）")
    lazy = _LazyCosts(chars, SIZE)
    eager = [_cost(q, PHRASE_PENALTY * SIZE * SIZE) for q in break_qualities(chars)]
    assert [lazy[i] for i in reversed(range(len(chars)))][::-1] == eager
