"""Saves on disk: atomic writes, slots, damaged files, read marks."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from engine import diskio, saves
from engine.model import Message, Pos, Text
from engine.runtime import ReadMarks, SavedPosition
from engine.saves import (
    Damaged,
    SaveData,
    SaveStore,
    atomic_write,
    load_marks,
    save_dir,
    save_marks,
)

POSITION = SavedPosition("scripts/01.log", 1, 3, "0123456789abcdef01234567", 42)


def make_save(
    text: str = "今夜は昴がよく見える。", created: str | None = None, **kw: object
) -> SaveData:
    fields: dict[str, object] = {
        "story_id": "hoshi-1234",
        "story_title": "星を数える夜",
        "position": POSITION,
        "scene_title": "2025.03.14 21:05",
        "text": text,
        "view": "adv",
        "read_count": 12,
    }
    if created is not None:
        fields["created"] = created
    fields.update(kw)
    return SaveData.new(**fields)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- folders and atomic writes ------------------------------------------------------


def test_save_dir_defaults_under_user_data_and_honours_override(tmp_path: Path) -> None:
    import platformdirs

    default = save_dir("hoshi-1234")
    assert (
        default
        == Path(platformdirs.user_data_dir("chatlog-vn", appauthor=False)) / "saves" / "hoshi-1234"
    )
    assert not (tmp_path / "x").exists()
    assert save_dir("hoshi-1234", tmp_path / "x") == tmp_path / "x"
    assert not (tmp_path / "x").exists()  # created on demand, by the first write


def test_save_dir_keeps_story_ids_inside_the_saves_folder() -> None:
    for evil in ("../../etc", "a/b", "..", "a\\b"):
        path = save_dir(evil)
        assert path.parent.name == "saves" and path.name not in ("", ".", "..")
        assert "/" not in path.name and "\\" not in path.name


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "f.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert leftovers(target.parent) == []


@pytest.mark.parametrize("step", ["replace", "fsync"])
def test_atomic_write_failure_keeps_the_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    target = tmp_path / "f.json"
    atomic_write(target, b"old")

    def boom(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(diskio.os, step, boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new content that never lands")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_failed_save_leaves_the_slot_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SaveStore(tmp_path)
    store.write(3, make_save("first"))

    def boom(*args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(diskio.os, "replace", boom)
    with pytest.raises(OSError):
        store.write(3, make_save("second"))
    monkeypatch.undo()
    got = store.read(3)
    assert isinstance(got, SaveData) and got.text == "first"
    assert leftovers(tmp_path) == []


# --- save data and slots ----------------------------------------------------------


def test_save_round_trip_with_thumbnail(tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    data = make_save()
    store.write(1, data, thumbnail_png=b"\x89PNG fake")
    assert store.read(1) == data
    assert store.thumbnail_path(1) == tmp_path / "saves" / "slot-001.png"
    assert store.thumbnail_path(1).read_bytes() == b"\x89PNG fake"
    raw = json.loads(store.slot_path(1).read_text("utf-8"))
    assert raw["format"] == "chatlog-vn-save" and raw["version"] == 1
    assert raw["position"]["key"] == POSITION.key
    assert "星を数える夜" in store.slot_path(1).read_text("utf-8")  # readable, not \u escapes
    store.write(1, data)  # no picture this time: the old one must not linger
    assert store.thumbnail_path(1) is None


def test_save_data_new_truncates_and_stamps_time() -> None:
    long = make_save("あ" * 500)
    assert len(long.text) == saves.TEXT_LIMIT and long.text.endswith("…")
    assert long.created_at.tzinfo is not None
    assert make_save("short").text == "short"


def test_empty_slots_and_slot_names(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    assert store.slot_count >= 24
    assert store.read(1) is None and store.read("quick") is None and store.latest() is None
    assert store.slot_path("auto").name == "auto.json"
    assert store.slot_path(24).name == "slot-024.json"
    for bad in (0, store.slot_count + 1, "other", True, "../x", 1.0):
        with pytest.raises(ValueError):
            store.slot_path(bad)  # type: ignore[arg-type]


def test_pages_list_the_numbered_slots(tmp_path: Path) -> None:
    store = SaveStore(tmp_path, slot_count=30)
    store.write(9, make_save("nine"))
    assert store.pages(8) == 4 and store.pages(6) == 5
    page = store.list(1, per_page=8)
    assert [slot for slot, _ in page] == list(range(9, 17))
    assert isinstance(page[0][1], SaveData) and page[0][1].text == "nine"
    assert all(entry is None for _, entry in page[1:])
    assert [slot for slot, _ in store.list(3, per_page=8)] == list(range(25, 31))
    assert store.list(4, per_page=8) == [] and store.list(-1, per_page=8) == []


def test_delete_empties_a_slot(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.write("quick", make_save(), thumbnail_png=b"png")
    store.delete("quick")
    store.delete("quick")
    assert store.read("quick") is None and store.thumbnail_path("quick") is None


def test_latest_is_the_newest_of_all_slots(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.write(5, make_save("five", created="2026-01-01T10:00:00+09:00"))
    store.write("auto", make_save("auto", created="2026-01-01T02:00:00+00:00"))
    store.write("quick", make_save("quick", created="2026-01-01T10:30:00+09:00"))
    (tmp_path / "slot-007.json").write_text('{"format": "chatlog-vn-save", "version": 1}')
    slot, data = store.latest()  # type: ignore[misc]
    assert (slot, data.text) == ("auto", "auto")  # 02:00 UTC is later than 10:30 in +09:00
    store.write(6, make_save("ancient", created="0001-01-01T00:00:00"))  # no offset
    store.write(8, make_save("future", created="9999-12-31T23:59:59"))
    assert store.latest()[1].text == "future"  # type: ignore[index]


# --- damaged and foreign files --------------------------------------------------------


def _valid_bytes() -> bytes:
    return (json.dumps(make_save().to_json(), ensure_ascii=False)).encode("utf-8")


def _with(**changes: object) -> bytes:
    obj = make_save().to_json()
    for key, value in changes.items():
        if value is ...:
            del obj[key]
        else:
            obj[key] = value
    return json.dumps(obj).encode()


DAMAGED = {
    "garbage bytes": os.urandom(64) + b"\xff\xfe",
    "empty file": b"",
    "truncated": _valid_bytes()[:70],
    "json list": b"[1, 2, 3]",
    "json string": b'"chatlog-vn-save"',
    "other app": json.dumps({"format": "renpy-save", "slot": 1}).encode(),
    "no format": json.dumps({"story_id": "x", "version": 1}).encode(),
    "newer version": _with(version=2),
    "bool version": _with(version=True),
    "missing field": _with(text=...),
    "missing position": _with(position=...),
    "wrong type": _with(scene_title=3),
    "position wrong shape": _with(position=[1, 2]),
    "position bool": _with(position={**make_save().to_json()["position"], "scene": True}),
    "bad view": _with(view="novel"),
    "bad date": _with(created="yesterday"),
    "bad read count": _with(read_count="12"),
    "utf-16": json.dumps(make_save().to_json()).encode("utf-16"),
    "deeply nested": b"[" * 200_000 + b"]" * 200_000,
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damaged_saves_show_as_damaged(tmp_path: Path, name: str) -> None:
    store = SaveStore(tmp_path)
    store.slot_path(2).write_bytes(DAMAGED[name])
    got = store.read(2)
    assert isinstance(got, Damaged), got
    assert got.reason
    assert store.latest() is None
    assert [type(e) for _, e in store.list(0, 6)][1] is Damaged


def test_unreadable_and_oversized_slots_are_damaged(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    store.slot_path(1).mkdir()  # a folder where the file should be
    assert isinstance(store.read(1), Damaged)
    store.slot_path(2).write_bytes(b" " * (saves.MAX_FILE_BYTES + 10))
    assert store.read(2) == Damaged("file is too large")


def test_valid_save_with_unknown_extra_keys_still_loads(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    obj = make_save().to_json()
    obj["future_field"] = {"anything": 1}
    obj["position"]["line_hint"] = 12
    store.slot_path(4).write_text(json.dumps(obj))
    assert isinstance(store.read(4), SaveData)


def test_position_text_and_speaker_round_trip(tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    position = SavedPosition("scripts/01.log", 1, 3, "k" * 24, 42, "昴がよく見える。\n二行目", "")
    data = make_save(position=position)
    store.write(1, data)
    assert store.read(1) == data  # the full text (newline kept) and "" for narration


def test_save_without_position_text_loads_with_the_caption_standing_in(tmp_path: Path) -> None:
    # A save written before the position recorded text and speaker.
    store = SaveStore(tmp_path)
    obj = make_save(text="柚ちゃん、" * 30).to_json()
    for name in ("text", "speaker"):
        obj["position"].pop(name)
    store.slot_path(3).write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    loaded = store.read(3)
    assert isinstance(loaded, SaveData)
    assert loaded.text.endswith("…") and len(loaded.text) == saves.TEXT_LIMIT
    assert loaded.position.text == loaded.text[:-1]  # the ellipsis is not the line's
    assert loaded.position.speaker is None  # unknown, not narration
    obj["position"]["speaker"] = 7  # a wrong type in an optional field is ignored
    obj["text"] = "短い行"
    store.slot_path(3).write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    loaded = store.read(3)
    assert isinstance(loaded, SaveData) and loaded.position.text == "短い行"


# --- read marks ---------------------------------------------------------------------


def _marks(*texts: str) -> ReadMarks:
    marks = ReadMarks()
    for t in texts:
        marks.mark(Message("A", (Text(t),), Pos("a.log", 1)))
    return marks


def test_read_marks_round_trip(tmp_path: Path) -> None:
    assert len(load_marks(tmp_path / "none")) == 0
    save_marks(tmp_path, _marks("a", "b", "c"))
    back = load_marks(tmp_path)
    assert len(back) == 3 and back.is_read(Message("A", (Text("b"),), Pos("x.log", 9)))
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("content", [b"\x00\x01garbage", b'{"format": "x"}', b"[]", b'{"format'])
def test_damaged_read_marks_give_empty_marks_and_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    (tmp_path / saves.MARKS_FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="chatlog-vn"):
        marks = load_marks(tmp_path)
    assert len(marks) == 0
    assert "read marks are damaged" in caplog.text
    assert (tmp_path / (saves.MARKS_FILE + ".damaged")).read_bytes() == content  # kept aside
    save_marks(tmp_path, _marks("new"))
    assert len(load_marks(tmp_path)) == 1


def test_a_damaged_slot_saved_over_is_kept_aside_and_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SaveStore(tmp_path)
    store.slot_path("auto").write_bytes(b"{not json")
    with caplog.at_level(logging.WARNING, logger="chatlog-vn"):
        store.write("auto", make_save("new"))
    assert (tmp_path / "auto.json.damaged").read_bytes() == b"{not json"
    assert "auto.json was damaged; kept as auto.json.damaged" in caplog.text
    got = store.read("auto")
    assert isinstance(got, SaveData) and got.text == "new"
    store.write("auto", make_save("newer"))  # a good save is simply replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["auto.json", "auto.json.damaged"]
