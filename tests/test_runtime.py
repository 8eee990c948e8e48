"""The runtime: stepping, the backlog window, read marks, auto/skip and finding saved places."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.model import (
    BREAK,
    Direction,
    Message,
    Pos,
    Ruby,
    Scene,
    SceneConfig,
    Script,
    Story,
    Text,
)
from engine.runtime import (
    MATCH_WINDOW,
    NOTE_EDITED,
    NOTE_MOVED,
    NOTE_NEAREST,
    NOTE_NEW_LINES,
    Cursor,
    EmptyStoryError,
    ReadMarks,
    Runtime,
    SavedPosition,
    StoryIndex,
    auto_delay,
    can_skip,
    config_changes,
    find_source_line,
    locate,
    relocate,
    runs_markup,
    save_position,
    scene_locations,
    transcript,
)
from tests.story_support import story_from

ROOT = Path("/stories/demo")


def msg(speaker: str | None, text: str, line: int = 1, file: str = "a.log") -> Message:
    return Message(speaker, (Text(text),), Pos(file, line))


def scene(title: str, *messages: Message) -> Scene:
    return Scene(title, None, Pos("a.log", 1), tuple(messages))


def script(file: str, *scenes: Scene) -> Script:
    return Script(file, tuple(scenes))


def story(*scripts: Script, configs: dict[int, SceneConfig] | None = None) -> Story:
    """A story playing every scene of every script in order."""
    return story_from(*scripts, root=ROOT, title="demo", configs=configs)


def lines(prefix: str, n: int, speaker: str | None = "A") -> list[Message]:
    return [msg(speaker, f"{prefix}{i}", line=i + 2) for i in range(n)]


@pytest.fixture
def three() -> Story:
    """Scenes of 2, 0 and 3 messages: the empty scene must be stepped over."""
    return story(
        script("a.log", scene("one", *lines("a", 2)), scene("empty")),
        script("b.log", scene("two", *lines("b", 3))),
    )


# --- cursor and stepping ----------------------------------------------------------


def test_cursors_order_by_scene_then_message() -> None:
    assert Cursor(0, 5) < Cursor(1, 0) < Cursor(1, 1)
    assert sorted([Cursor(2, 0), Cursor(0, 3), Cursor(0, 1)]) == [
        Cursor(0, 1),
        Cursor(0, 3),
        Cursor(2, 0),
    ]
    with pytest.raises(AttributeError):
        Cursor(0, 0).scene = 1  # type: ignore[misc]


def test_advance_crosses_scenes_and_reports_scene_changes(three: Story) -> None:
    rt = Runtime(three)
    assert rt.cursor == Cursor(0, 0) and rt.is_first and rt.scene_changed
    seen = []
    while rt.advance():
        seen.append((rt.cursor, rt.scene_changed, rt.message.text))
    assert seen == [
        (Cursor(0, 1), False, "a1"),
        (Cursor(2, 0), True, "b0"),  # scene 1 is empty and is skipped
        (Cursor(2, 1), False, "b1"),
        (Cursor(2, 2), False, "b2"),
    ]
    assert rt.at_end and rt.total == 5
    assert rt.advance() is False and rt.cursor == Cursor(2, 2) and not rt.scene_changed
    assert rt.scene_ref.scene.title == "two"


def test_back_steps_across_scenes_and_stops_at_start(three: Story) -> None:
    rt = Runtime(three, start=Cursor(2, 0))
    assert rt.back() and rt.cursor == Cursor(0, 1) and rt.scene_changed
    assert rt.back() and rt.cursor == Cursor(0, 0) and not rt.scene_changed
    assert rt.is_first
    assert rt.back() is False and rt.cursor == Cursor(0, 0)


def test_jump_checks_the_target(three: Story) -> None:
    rt = Runtime(three)
    rt.jump(Cursor(2, 1))
    assert rt.message.text == "b1" and rt.scene_changed
    for bad in (Cursor(1, 0), Cursor(2, 3), Cursor(5, 0), Cursor(0, -1)):
        with pytest.raises(IndexError):
            rt.jump(bad)
    assert rt.cursor == Cursor(2, 1)


def test_a_story_without_messages_is_refused() -> None:
    with pytest.raises(EmptyStoryError):
        Runtime(story(script("a.log", scene("empty"))))
    assert transcript(story(script("a.log"))) == ["end"]


def test_start_cursor_is_clamped_to_an_existing_message(three: Story) -> None:
    assert Runtime(three, start=Cursor(1, 0)).cursor == Cursor(2, 0)
    assert Runtime(three, start=Cursor(0, 9)).cursor == Cursor(0, 1)
    assert Runtime(three, start=Cursor(9, 9)).cursor == Cursor(2, 2)
    assert Runtime(three, start=Cursor(-1, 0)).cursor == Cursor(0, 0)


def test_scene_start(three: Story) -> None:
    idx = StoryIndex(three)
    assert idx.scene_start(0) == Cursor(0, 0)
    assert idx.scene_start(1) == Cursor(2, 0)  # empty: where its place leads
    assert idx.scene_start(2) == Cursor(2, 0)
    tail_empty = story(script("a.log", scene("x", msg("A", "1")), scene("empty")))
    assert StoryIndex(tail_empty).scene_start(1) is None
    with pytest.raises(IndexError):
        idx.scene_start(3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=12))
def test_flat_index_round_trips(sizes: list[int]) -> None:
    if sum(sizes) == 0:
        sizes = [*sizes, 1]
    s = story(script("a.log", *(scene(str(i), *lines("m", n)) for i, n in enumerate(sizes))))
    idx = StoryIndex(s)
    assert idx.total == sum(sizes)
    walked = list(idx.cursors())
    assert len(walked) == idx.total
    assert walked == sorted(walked)
    for flat, c in enumerate(walked):
        assert idx.valid(c)
        assert idx.cursor_at(flat) == c and idx.flat_index(c) == flat
        assert idx.next_cursor(c) == (walked[flat + 1] if flat + 1 < len(walked) else None)
        assert idx.prev_cursor(c) == (walked[flat - 1] if flat > 0 else None)
    with pytest.raises(IndexError):
        idx.cursor_at(idx.total)
    with pytest.raises(IndexError):
        idx.cursor_at(-1)


# --- the backlog -------------------------------------------------------------------


def test_history_window_is_the_range_before_the_cursor(three: Story) -> None:
    rt = Runtime(three)
    assert rt.history_window(count=10) == [Cursor(0, 0)]
    for _ in range(4):
        rt.advance()
    assert rt.history_len() == 5
    assert rt.history_window(count=3) == [Cursor(2, 0), Cursor(2, 1), Cursor(2, 2)]
    assert rt.history_window(count=2, skip=2) == [Cursor(0, 1), Cursor(2, 0)]
    assert rt.history_window(count=10, skip=4) == [Cursor(0, 0)]
    assert rt.history_window(count=10, skip=5) == []
    assert rt.history_window(Cursor(0, 1), count=10) == [Cursor(0, 0), Cursor(0, 1)]
    assert rt.history_len(Cursor(0, 1)) == 2


def test_rollback_keeps_history_and_a_new_start_resets_it(three: Story) -> None:
    rt = Runtime(three, start=Cursor(0, 1))
    assert rt.history_start == Cursor(0, 1)
    rt.advance()
    rt.advance()
    rt.jump(Cursor(2, 0))  # rollback from the backlog
    assert rt.history_len() == 2
    rt.back()
    rt.back()  # stepping back past where reading began extends the history
    assert rt.history_start == Cursor(0, 0) and rt.history_len() == 1
    rt.jump(Cursor(2, 1), new_history=True)  # load or scene select
    assert rt.history_window(count=10) == [Cursor(2, 1)]


def _big_story(scenes: int = 1000, per_scene: int = 100) -> Story:
    # One shared message object: the story's own size is not what is measured.
    m = msg("A", "ねえ、起きてる？")
    sc = tuple(Scene(f"s{i}", None, Pos("a.log", 1), (m,) * per_scene) for i in range(scenes))
    return story(Script("a.log", sc))


def _peak_bytes(fn) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    assert result  # keep the result alive until measured
    return peak


def test_backlog_memory_does_not_grow_with_the_distance_read() -> None:
    s = _big_story()
    rt = Runtime(s)
    assert rt.total == 100_000
    early, late = rt.cursor_at(60), rt.cursor_at(99_999)
    tracemalloc.start()
    try:
        near = _peak_bytes(lambda: rt.history_window(early, 50))
        far = _peak_bytes(lambda: rt.history_window(late, 50))
        length = _peak_bytes(lambda: rt.history_len(late))
    finally:
        tracemalloc.stop()
    assert rt.history_len(late) == 100_000
    assert rt.history_window(late, 50)[-1] == Cursor(999, 99)
    assert far <= near * 1.25 + 512, (near, far)
    assert far < 40_000  # 50 small cursors and one list, nothing per message read
    assert length < 2_000


def test_reading_a_long_story_keeps_the_runtime_flat() -> None:
    rt = Runtime(_big_story(scenes=200, per_scene=100))
    for _ in range(100):
        rt.advance()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        while rt.advance():
            pass
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert rt.at_end and rt.history_len() == 20_000
    assert grown < 4_000, grown


# --- read marks ---------------------------------------------------------------------


def test_read_marks_follow_content_not_position() -> None:
    marks = ReadMarks()
    a = msg("SORA", "ねえ、起きてる？", line=2)
    assert not marks.is_read(a)
    assert marks.mark(a) is True and marks.mark(a) is False
    assert len(marks) == 1
    moved = msg("SORA", "ねえ、起きてる？", line=40, file="b.log")
    assert marks.is_read(moved)  # the same words elsewhere count as read
    assert not marks.is_read(msg("SORA", "ねえ、起きてる?", line=2))  # edited: unread
    assert not marks.is_read(msg("KAI", "ねえ、起きてる？", line=2))  # another speaker


def test_read_marks_json_round_trip() -> None:
    marks = ReadMarks()
    for m in lines("x", 5):
        marks.mark(m)
    data = marks.to_json()
    assert data["keys"] == sorted(data["keys"])
    back = ReadMarks.from_json(data)
    assert len(back) == 5 and all(back.is_read(m) for m in lines("x", 5))
    assert not back.is_read(msg("A", "x5"))


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        {"keys": []},
        {"format": "chatlog-vn-read-marks", "version": 2, "keys": []},
        {"format": "chatlog-vn-read-marks", "version": 1, "keys": "abc"},
        {"format": "chatlog-vn-read-marks", "version": 1, "keys": [1, 2]},
        {"format": "other", "version": 1, "keys": []},
    ],
)
def test_read_marks_refuse_other_shapes(bad: object) -> None:
    with pytest.raises(ValueError):
        ReadMarks.from_json(bad)


# --- auto and skip --------------------------------------------------------------------


@dataclass(frozen=True)
class _Prefs:
    auto_delay: float = 1.0


def test_auto_delay_grows_with_length_and_scales() -> None:
    short, long_ = msg("A", "うん"), msg("A", "数えたら、忘れないだろ。" * 3)
    assert auto_delay(short, _Prefs()) < auto_delay(long_, _Prefs())
    assert auto_delay(long_, _Prefs(2.0)) == pytest.approx(2 * auto_delay(long_, _Prefs()))
    per_char = auto_delay(msg("A", "ああ"), _Prefs()) - auto_delay(msg("A", "あ"), _Prefs())
    assert per_char > 0
    assert auto_delay(msg("A", "あ　 あ"), _Prefs()) == auto_delay(msg("A", "ああ"), _Prefs())
    assert auto_delay(short, _Prefs()) >= 0.5  # a short line still gets a readable pause


def test_can_skip_only_read_lines_unless_allowed() -> None:
    marks = ReadMarks()
    seen, new = msg("A", "seen"), msg("A", "new")
    marks.mark(seen)
    assert can_skip(seen, marks, skip_unread=False)
    assert not can_skip(new, marks, skip_unread=False)
    assert can_skip(new, marks, skip_unread=True)


def test_skip_stops_at_the_first_unread_message() -> None:
    s = story(script("a.log", scene("one", *lines("a", 3)), scene("two", *lines("b", 3))))
    marks = ReadMarks()
    rt = Runtime(s)
    for _ in range(3):  # the reader has read up to b0
        marks.mark(rt.message)
        rt.advance()
    marks.mark(rt.message)
    rt.jump(rt.first, new_history=True)
    while can_skip(rt.message, marks, skip_unread=False) and rt.advance():
        pass
    assert rt.cursor == Cursor(1, 1)


# --- saved positions after edits -----------------------------------------------------


def _two_files(first: list[Message], second: list[Message] | None = None) -> Story:
    second = second if second is not None else lines("z", 3, speaker="KAI")
    return story(
        script("scripts/01.log", scene("intro", msg(None, "start")), scene("night", *first)),
        script("scripts/02.log", scene("morning", *second)),
    )


BASE = [msg("SORA", t) for t in ("l0", "l1", "l2", "l3", "l4")]


def _saved_at(s: Story, c: Cursor) -> SavedPosition:
    pos = save_position(s, c)
    assert pos.script_file in ("scripts/01.log", "scripts/02.log")
    return pos


def test_save_position_records_file_scene_index_and_key() -> None:
    s = _two_files(BASE)
    pos = _saved_at(s, Cursor(1, 3))
    assert pos == SavedPosition("scripts/01.log", 1, 3, BASE[3].content_key(), 4, "l3", "SORA")
    narration = save_position(s, Cursor(0, 0))
    assert (narration.text, narration.speaker) == ("start", "")
    assert _saved_at(s, Cursor(2, 1)).scene == 0


def test_locate_unchanged_is_exact() -> None:
    s = _two_files(BASE)
    for c in StoryIndex(s).cursors():
        assert locate(s, save_position(s, c)) == (c, None)


def test_locate_after_the_current_message_was_edited() -> None:
    saved = _saved_at(_two_files(BASE), Cursor(1, 2))
    edited = [*BASE[:2], msg("SORA", "l2 (fixed typo)"), *BASE[3:]]
    assert locate(_two_files(edited), saved) == (Cursor(1, 2), NOTE_EDITED)


QA_SCENE = [
    msg("TAKU", "うわ。それ、ディスクが死にかけてる音だよ。"),
    msg("MIO", "やっぱり？　明日、分館に持っていってみる。"),
    msg("TAKU", "分館ならまだ読めるかもね。"),
    msg("MIO", "柚ちゃん、こんばんは。『汐見灯台新報』のスキャン画像、届いてる？"),
    msg("YUZU", "届いてるよ。"),
]


def test_locate_finds_the_edited_line_after_lines_were_inserted_above() -> None:
    # QA #1: two lines added above, the saved line itself edited: not the old index.
    saved = _saved_at(_two_files(QA_SCENE), Cursor(1, 3))
    edited = [QA_SCENE[0], msg("KAI", "挿入一"), msg("KAI", "挿入二"), *QA_SCENE[1:3],
              msg("MIO", "柚ちゃん、こんばんは。『汐見灯台新報』の古いスキャン画像、届いてる？"),
              QA_SCENE[4]]
    found, note = locate(_two_files(edited), saved)
    assert (found, note) == (Cursor(1, 5), NOTE_EDITED)


def test_locate_by_similarity_weighs_the_speaker_and_keeps_the_note_honest() -> None:
    saved = _saved_at(_two_files(QA_SCENE), Cursor(1, 1))
    # The same words now said by someone else, right where the line was, and the
    # edited line two further down: the speaker decides.
    edited = [QA_SCENE[0], msg("TAKU", "やっぱり？　明日、分館に持っていってみる。!"),
              QA_SCENE[2], msg("MIO", "やっぱり？　明日は分館に持っていってみる。"), *QA_SCENE[3:]]
    assert locate(_two_files(edited), saved) == (Cursor(1, 3), NOTE_EDITED)
    # Rewritten beyond recognition: the nearest position, and said so.
    rewritten = [QA_SCENE[0], msg("MIO", "全然ちがう台詞。"), *QA_SCENE[2:]]
    assert locate(_two_files(rewritten), saved) == (Cursor(1, 1), NOTE_NEAREST)


def test_locate_without_a_recorded_text_falls_back_to_the_nearest_position() -> None:
    full = _saved_at(_two_files(QA_SCENE), Cursor(1, 3))
    old_save = dataclasses.replace(full, text="", speaker=None)  # a save from before the fields
    edited = [*QA_SCENE[:3], msg("MIO", QA_SCENE[3].text + "！"), QA_SCENE[4]]
    assert locate(_two_files(edited), old_save) == (Cursor(1, 3), NOTE_NEAREST)
    inserted = [msg("KAI", "挿入"), *edited]
    assert locate(_two_files(inserted), old_save) == (Cursor(1, 3), NOTE_NEAREST)  # old index
    caption_only = dataclasses.replace(old_save, text=QA_SCENE[3].text[:20])  # speaker unknown
    assert locate(_two_files(inserted), caption_only) == (Cursor(1, 4), NOTE_EDITED)


def test_locate_by_similarity_looks_only_near_the_saved_place() -> None:
    filler = [msg("KAI", f"行{i}番") for i in range(2 * MATCH_WINDOW)]
    s = _two_files([QA_SCENE[3], *filler])
    saved = _saved_at(s, Cursor(1, 0))
    edited = msg("MIO", QA_SCENE[3].text + "！")
    near = [*filler[:10], edited, *filler[10:]]
    assert locate(_two_files(near), saved) == (Cursor(1, 10), NOTE_EDITED)
    far = [*filler, edited]  # beyond the window: the work stays bounded, the place is kept
    assert locate(_two_files(far), saved) == (Cursor(1, 0), NOTE_NEAREST)


def test_locate_similar_line_in_a_renamed_file_near_the_flat_index() -> None:
    s = _two_files(QA_SCENE)
    saved = _saved_at(s, Cursor(1, 3))
    edited = [*QA_SCENE[:3], msg("MIO", "柚ちゃん、こんばんは。スキャン画像、届いてる？"), QA_SCENE[4]]
    renamed = story(script("scripts/renamed.log", scene("intro", msg(None, "start")),
                           scene("night", *edited)), s.scripts[1])
    assert locate(renamed, saved) == (Cursor(1, 3), NOTE_EDITED)


def test_locate_after_lines_inserted_above() -> None:
    saved = _saved_at(_two_files(BASE), Cursor(1, 3))
    inserted = [*BASE[:1], msg("KAI", "new 1"), msg("KAI", "new 2"), *BASE[1:]]
    assert locate(_two_files(inserted), saved) == (Cursor(1, 5), NOTE_MOVED)


def test_locate_after_the_current_line_was_deleted() -> None:
    saved = _saved_at(_two_files(BASE), Cursor(1, 2))
    deleted = [*BASE[:2], *BASE[3:]]
    # The line that took its place: the one that followed it.
    assert locate(_two_files(deleted), saved) == (Cursor(1, 2), NOTE_NEAREST)
    last = _saved_at(_two_files(BASE), Cursor(1, 4))
    assert locate(_two_files(BASE[:4]), last) == (Cursor(1, 3), NOTE_NEAREST)


def test_locate_after_a_scene_was_added_before_in_the_same_file() -> None:
    s = _two_files(BASE)
    saved = _saved_at(s, Cursor(1, 1))
    grown = story(
        script(
            "scripts/01.log",
            scene("intro", msg(None, "start")),
            scene("inserted", msg("KAI", "hello"), msg("KAI", "l1")),
            scene("night", *BASE),
        ),
        s.scripts[1],
    )
    # The new scene has the same words from another speaker: a different line.
    assert locate(grown, saved) == (Cursor(2, 1), NOTE_MOVED)


def test_locate_after_a_script_was_added_before_is_exact() -> None:
    s = _two_files(BASE)
    saved = _saved_at(s, Cursor(2, 2))
    grown = story(script("scripts/00.log", scene("prologue", *lines("p", 4))), *s.scripts)
    assert locate(grown, saved) == (Cursor(3, 2), None)


def test_locate_prefers_the_copy_in_the_same_scene() -> None:
    repeated = [msg("SORA", "……"), msg("KAI", "x"), msg("SORA", "……"), msg("KAI", "y")]
    s = _two_files(repeated, second=[msg("SORA", "……"), msg("KAI", "z")])
    saved = _saved_at(s, Cursor(1, 2))
    edited = [msg("SORA", "……"), msg("KAI", "x"), msg("KAI", "inserted"), *repeated[2:]]
    moved = _two_files(edited, second=[msg("SORA", "……"), msg("KAI", "z")])
    assert locate(moved, saved) == (Cursor(1, 3), NOTE_MOVED)


def test_locate_when_the_file_is_gone_uses_the_key_then_the_flat_index() -> None:
    s = _two_files(BASE)
    saved = _saved_at(s, Cursor(1, 3))
    renamed = story(
        script("scripts/renamed.log", scene("intro", msg(None, "start")), scene("night", *BASE)),
        s.scripts[1],
    )
    assert locate(renamed, saved) == (Cursor(1, 3), NOTE_MOVED)
    rewritten = story(script("other.log", scene("x", *lines("q", 2))), s.scripts[1])
    assert locate(rewritten, saved) == (Cursor(1, 2), NOTE_NEAREST)  # flat 4, clamped
    tiny = story(script("other.log", scene("x", msg("A", "only"))))
    assert locate(tiny, saved) == (Cursor(0, 0), NOTE_NEAREST)


def test_locate_when_the_saved_scene_emptied_moves_to_the_next_message() -> None:
    s = _two_files(BASE)
    saved = _saved_at(s, Cursor(1, 3))
    emptied = _two_files([])
    assert locate(emptied, saved) == (Cursor(2, 0), NOTE_NEAREST)


def _with_intro(intro: list[Message], night: list[Message]) -> Story:
    return story(script("scripts/01.log", scene("intro", *intro), scene("night", *night)),
                 script("scripts/02.log", scene("morning", *lines("z", 3, speaker="KAI"))))


def test_relocate_after_lines_inserted_above_in_the_scene_shows_the_first_new_line() -> None:
    old = _two_files(BASE)
    inserted = [*BASE[:3], msg("KAI", "new 1"), msg("KAI", "new 2"), *BASE[3:]]
    assert relocate(old, Cursor(1, 3), _two_files(inserted)) == (Cursor(1, 3), NOTE_NEW_LINES)
    # Anywhere above in the same scene, even above lines already read (QA #4).
    far = [*BASE[:1], msg("KAI", "new"), *BASE[1:]]
    assert relocate(old, Cursor(1, 3), _two_files(far)) == (Cursor(1, 1), NOTE_NEW_LINES)
    two_places = [msg("KAI", "top"), *BASE[:2], msg("KAI", "mid"), *BASE[2:]]
    assert relocate(old, Cursor(1, 3), _two_files(two_places)) == (Cursor(1, 0), NOTE_NEW_LINES)
    # Inserted below the reader, or only lines edited above: no move.
    below = [*BASE[:4], msg("KAI", "new"), BASE[4]]
    assert relocate(old, Cursor(1, 3), _two_files(below)) == (Cursor(1, 3), None)


def test_relocate_lines_inserted_in_an_earlier_scene_leave_the_reader_in_place() -> None:
    old = _two_files(BASE)
    grown = _with_intro([msg(None, "start"), msg("KAI", "new 1"), msg("KAI", "new 2")], BASE)
    assert relocate(old, Cursor(1, 3), grown) == (Cursor(1, 3), NOTE_MOVED)
    # A reader on a scene's first line: a line added at the end of the scene before
    # is above it in the file, but not in its scene.
    assert relocate(old, Cursor(1, 0), grown) == (Cursor(1, 0), NOTE_MOVED)
    assert relocate(old, Cursor(2, 1), grown) == (Cursor(2, 1), None)  # another file


def test_relocate_edited_line_found_by_content_among_the_replacing_lines() -> None:
    old = _two_files(QA_SCENE)
    edited_line = msg("MIO", "柚ちゃん、こんばんは。『汐見灯台新報』の古いスキャン画像、届いてる？")
    # The line above it and the line itself rewritten, one line added after it.
    edited = [*QA_SCENE[:2], msg("TAKU", "分館なら、まだ読める。"), edited_line,
              msg("MIO", "ええと。"), QA_SCENE[4]]
    assert relocate(old, Cursor(1, 3), _two_files(edited)) == (Cursor(1, 3), NOTE_EDITED)
    assert relocate(old, Cursor(1, 2), _two_files(edited)) == (Cursor(1, 2), NOTE_EDITED)
    rewritten = [*QA_SCENE[:3], msg("MIO", "まったく別の台詞。"), QA_SCENE[4]]
    assert relocate(old, Cursor(1, 3), _two_files(rewritten)) == (Cursor(1, 3), NOTE_NEAREST)
    # Edited with a line added right above it (one replaced block), or further up:
    # the first new line.
    right_above = [*QA_SCENE[:3], msg("MIO", "ええと。"), edited_line, QA_SCENE[4]]
    assert relocate(old, Cursor(1, 3), _two_files(right_above)) == (Cursor(1, 3), NOTE_NEW_LINES)
    both = [msg("KAI", "挿入"), *QA_SCENE[:3], edited_line, QA_SCENE[4]]
    assert relocate(old, Cursor(1, 3), _two_files(both)) == (Cursor(1, 0), NOTE_NEW_LINES)


def test_relocate_otherwise_behaves_like_locate() -> None:
    old = _two_files(BASE)
    assert relocate(old, Cursor(1, 2), old) == (Cursor(1, 2), None)
    edited_above = [*BASE[:1], msg("SORA", "l1 edited"), *BASE[2:]]
    assert relocate(old, Cursor(1, 2), _two_files(edited_above)) == (Cursor(1, 2), None)
    deleted = [*BASE[:2], *BASE[3:]]
    assert relocate(old, Cursor(1, 2), _two_files(deleted)) == (Cursor(1, 2), NOTE_NEAREST)
    fewer_above = BASE[1:]
    assert relocate(old, Cursor(1, 3), _two_files(fewer_above)) == (Cursor(1, 2), NOTE_MOVED)


def test_runtime_reload_keeps_the_place_and_the_backlog() -> None:
    rt = Runtime(_two_files(BASE), start=Cursor(1, 1))
    rt.advance()
    rt.advance()
    assert rt.cursor == Cursor(1, 3) and rt.history_len() == 3
    inserted = _with_intro([msg(None, "start"), msg("KAI", "top")], BASE)  # an earlier scene
    assert rt.reload(inserted) == NOTE_MOVED
    assert rt.cursor == Cursor(1, 3) and rt.message.text == "l3"
    assert rt.history_window(count=10) == [Cursor(1, 1), Cursor(1, 2), Cursor(1, 3)]
    assert rt.scene_changed and rt.total == 10
    with pytest.raises(EmptyStoryError):
        rt.reload(story(script("scripts/01.log", scene("gone"))))
    assert rt.cursor == Cursor(1, 3) and rt.message.text == "l3"  # unchanged on failure
    above = _with_intro([msg(None, "start"), msg("KAI", "top")], [msg("KAI", "new"), *BASE])
    assert rt.reload(above) == NOTE_NEW_LINES  # in its own scene: back to the new line
    assert rt.message.text == "new" and rt.history_start <= rt.cursor


def test_scene_locations_and_absolute_script_paths() -> None:
    s = story(
        script(str(ROOT / "scripts" / "01.log"), scene("a", msg("A", "1")), scene("b")),
        script("02.log", scene("c", msg("A", "2"))),
    )
    assert scene_locations(s) == [("scripts/01.log", 0), ("scripts/01.log", 1), ("02.log", 0)]
    assert save_position(s, Cursor(2, 0)).script_file == "02.log"


def test_find_source_line() -> None:
    s = story(
        script(
            "scripts/01.log",
            scene("a", msg("A", "x", line=2), msg("A", "y", line=3)),
            scene("b", msg("A", "z", line=6)),
        ),
        script("scripts/02.log", scene("c", msg("A", "w", line=2))),
    )
    assert find_source_line(s, "scripts/01.log", 3) == Cursor(0, 1)
    assert find_source_line(s, "scripts/01.log", 4) == Cursor(1, 0)  # LOG END/START lines
    assert find_source_line(s, "scripts/01.log", 1) == Cursor(0, 0)
    assert find_source_line(s, "scripts/01.log", 99) == Cursor(1, 0)  # past the end: last
    assert find_source_line(s, str(ROOT / "scripts/02.log"), 2) == Cursor(2, 0)
    assert find_source_line(s, "../demo/scripts/02.log", 2) == Cursor(2, 0)
    assert find_source_line(s, "scripts/03.log", 2) is None


# --- transcripts and purity ------------------------------------------------------------


def test_runs_markup_shows_readings_directions_and_breaks() -> None:
    m = Message(
        "KAI",
        (
            Direction("（笑う）"),
            Text("今夜は"),
            Ruby((("明", "あ"), ("日", "した"))),
            BREAK,
            Text("晴れ"),
        ),
        Pos("a.log", 1),
    )
    assert runs_markup(m) == "（笑う）今夜は｜明《あ》｜日《した》⏎晴れ"


def test_transcript_reports_what_each_scene_changes() -> None:
    bg, music = ROOT / "assets/bg.png", Path("assets/m.ogg")
    s = story(
        script("a.log", scene("one", *lines("a", 2)), scene("empty")),
        script("b.log", scene("two", msg(None, "b0")), scene("three", msg("B", "c0"))),
        configs={
            0: SceneConfig(background=bg, music=music, view="adv"),
            2: SceneConfig(music=music, view="chat"),  # same music: no event for it
            3: SceneConfig(view="chat"),
        },
    )
    assert transcript(s) == [
        "scene 0 one",
        "background assets/bg.png",
        "music assets/m.ogg",
        "view adv",
        "say A a0",
        "say A a1",
        "scene 2 two",
        "background none",
        "view chat",
        "narrate b0",
        "scene 3 three",
        "music none",
        "say B c0",
        "end",
    ]


def test_config_changes_lists_only_differences() -> None:
    a = SceneConfig(background=Path("x.png"), music=Path("m.ogg"), view="adv")
    assert config_changes(a, a) == []
    assert config_changes(None, SceneConfig()) == []
    assert config_changes(a, SceneConfig(music=Path("m.ogg"), view="chat")) == [
        ("background", None),
        ("view", "chat"),
    ]


def test_pure_modules_import_without_pygame() -> None:
    code = (
        "import sys; sys.modules['pygame'] = None\n"
        "import engine.runtime, engine.saves, engine.preferences\n"
        "assert 'pygame' not in {m for m in sys.modules if sys.modules[m] is not None}\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- golden transcripts: fixture scripts read through the real loader ----------------

TRANSCRIPTS = Path(__file__).parent / "transcripts"
FIXTURES = sorted(p for p in TRANSCRIPTS.iterdir() if p.suffix == ".log" or p.is_dir())


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_transcript_matches_the_golden_file(fixture: Path) -> None:
    from engine.manifest import load_story

    got = "\n".join(transcript(load_story(fixture))) + "\n"
    golden = TRANSCRIPTS / f"{fixture.stem}.txt"
    if os.environ.get("CHATLOG_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_locate_across_a_real_edit_of_a_script_file(tmp_path: Path) -> None:
    from engine.manifest import load_story

    path = tmp_path / "story.log"
    original = (TRANSCRIPTS / "two_nights.log").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    before = load_story(path)
    saved = save_position(before, Cursor(1, 1))
    assert saved.script_file == "story.log" and saved.scene == 1 and saved.message == 1
    text = original.replace(
        "SORA：おはよ～。", "SORA: 新しい行。<br>\nKAI: もう一行。<br>\nSORA：おはよ～。"
    )
    path.write_text(text, encoding="utf-8")
    after = load_story(path)
    found, note = locate(after, saved)
    assert (found, note) == (Cursor(1, 3), NOTE_MOVED)
    assert StoryIndex(after).message_at(found).text == "明後日も晴れるって。楽しみ！"


@pytest.mark.parametrize("change", [{"scene": 10**30}, {"message": -5}, {"flat": -5, "scene": -1}])
def test_a_save_place_out_of_range_says_it_was_adjusted(change: dict[str, int]) -> None:
    import dataclasses

    from engine.runtime import NOTE_ADJUSTED

    s = _two_files(BASE)
    saved = dataclasses.replace(_saved_at(s, Cursor(1, 2)), **change)
    cursor, note = locate(s, saved)
    assert note == NOTE_ADJUSTED and StoryIndex(s).valid(cursor)
