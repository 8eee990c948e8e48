"""read-marks.bin: marks that scale, survive kills and other players, and never shrink."""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import marksfile
from engine.diskio import folder_problem, sweep_temp_files
from engine.marks import KEY_BYTES, Packed, ReadMarks, fold, sorted_unique
from engine.marksfile import HEADER, LEGACY_FILE, MARKS_FILE, MarksFile, MarksWriter
from engine.model import Message, Pos, Text
from engine.saves import SaveStore, SavingOff

ROOT = Path(__file__).resolve().parents[1]


def keys(n: int, seed: int = 1) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(KEY_BYTES) for _ in range(n)]


def marked(raw: list[bytes]) -> ReadMarks:
    marks = ReadMarks()
    for k in raw:
        marks.add(k)
    return marks


def on_disk(folder: Path) -> set[bytes]:
    return set(MarksFile(folder, read_only=True).load())


# --- in memory ----------------------------------------------------------------------


def test_packed_lookup_and_fold_keep_order_without_duplicates() -> None:
    base = sorted(set(keys(500)))
    packed = Packed(b"".join(base))
    assert all(k in packed for k in base[::7])
    assert not any(k in packed for k in keys(50, seed=2))
    new = keys(300, seed=3) + base[::10] + keys(300, seed=3)  # repeats and known ones
    folded = b"".join(bytes(p) for p in fold(packed, new))
    expect = sorted(set(base) | set(new))
    assert Packed(folded).is_sorted() and list(Packed(folded)) == expect


def test_sorted_unique_merges_chunks() -> None:
    many = keys(5000) * 2
    assert list(sorted_unique(many)) == sorted(set(many))


def test_a_key_lives_in_one_part_and_len_counts_each_once() -> None:
    marks = marked(keys(10))
    frozen = marks.freeze()
    assert len(frozen) == 10 and len(marks) == 10
    marks.add(keys(1, seed=9)[0])
    assert not marks.add(keys(10)[3])  # still known while frozen
    marks.rebase(Packed(b"".join(fold(marks.base, frozen))))
    assert len(marks) == 11 and all(k in marks for k in keys(10))


def test_message_marks_by_content() -> None:
    marks = ReadMarks()
    msg = Message("A", (Text("hello"),), Pos("a.log", 1))
    assert marks.mark(msg) and not marks.mark(msg)
    assert marks.is_read(Message("A", (Text("hello"),), Pos("b.log", 9)))
    assert msg.content_key() in marks
    assert ReadMarks.from_json(marks.to_json()).is_read(msg)


# --- on disk ------------------------------------------------------------------------


def test_round_trip_and_saving_costs_what_changed(tmp_path: Path) -> None:
    raw = keys(20_000)
    marks = marked(raw)
    mf = MarksFile(tmp_path)
    assert mf.save(marks)
    size = (tmp_path / MARKS_FILE).stat().st_size
    assert size == HEADER.size + KEY_BYTES * 20_000  # the first save builds the base
    extra = keys(3, seed=5)
    for k in extra:
        marks.add(k)
    assert mf.save(marks)
    # One batch: count, three keys, CRC. Nothing else was rewritten.
    assert (tmp_path / MARKS_FILE).stat().st_size == size + 4 + 3 * KEY_BYTES + 4
    assert not mf.save(marks)  # nothing new: nothing written
    assert on_disk(tmp_path) == set(raw) | set(extra)


def test_the_journal_is_folded_into_a_new_base_when_it_is_large(tmp_path: Path) -> None:
    marks = marked(keys(100))
    mf = MarksFile(tmp_path)
    mf.save(marks)
    for k in keys(marksfile.MIN_COMPACT + 10, seed=7):
        marks.add(k)
    mf.save(marks)
    n = len(marks)
    assert (tmp_path / MARKS_FILE).stat().st_size == HEADER.size + KEY_BYTES * n
    assert len(on_disk(tmp_path)) == n and leftovers(tmp_path) == []


def test_a_million_marks_survive_save_quit_and_restart(tmp_path: Path) -> None:
    raw = keys(1_000_000)
    marks = ReadMarks(base=Packed(b"".join(sorted(raw[:900_000]))))  # read in earlier sessions
    MarksFile(tmp_path).save(marks, rebuild=True)
    mf = MarksFile(tmp_path)
    marks = mf.load()
    for k in raw[900_000:]:  # a second session adds more
        marks.add(k)
    MarksWriter(mf, marks).close()  # quitting writes once
    back = MarksFile(tmp_path).load()
    assert len(back) == 1_000_000
    assert all(k in back for k in raw[::997])


def test_a_torn_last_batch_is_ignored_and_cut_before_the_next_append(tmp_path: Path) -> None:
    marks = marked(keys(50))
    mf = MarksFile(tmp_path)
    mf.save(marks)
    path = tmp_path / MARKS_FILE
    with open(path, "ab") as f:  # a kill in the middle of an append
        f.write((7).to_bytes(4, "little") + b"x" * 30)
    again = MarksFile(tmp_path)
    back = again.load()
    assert len(back) == 50
    new = keys(2, seed=8)
    for k in new:
        back.add(k)
    again.save(back)
    assert on_disk(tmp_path) == set(keys(50)) | set(new)


def test_damage_inside_the_journal_is_kept_in_a_copy(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marks = marked(keys(50))
    mf = MarksFile(tmp_path)
    mf.save(marks)
    for batch_seed in (11, 12):
        for k in keys(5, seed=batch_seed):
            marks.add(k)
        mf.save(marks)
    path = tmp_path / MARKS_FILE
    data = bytearray(path.read_bytes())
    data[HEADER.size + 50 * KEY_BYTES + 6] ^= 0xFF  # inside the first batch's keys
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="chatlog-vn"):
        back = MarksFile(tmp_path).load()
    assert len(back) == 50 and "damaged" in caplog.text
    assert (tmp_path / (MARKS_FILE + ".damaged")).read_bytes() == bytes(data)


@pytest.mark.parametrize("content", [b"", b"\x00garbage", b"CVNMARK2" + b"\xff" * 30])
def test_a_damaged_file_is_kept_aside_never_over_an_earlier_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    (tmp_path / (MARKS_FILE + ".damaged")).write_bytes(b"earlier")
    (tmp_path / MARKS_FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="chatlog-vn"):
        marks = MarksFile(tmp_path).load()
    assert len(marks) == 0 and "damaged" in caplog.text
    assert (tmp_path / (MARKS_FILE + ".damaged")).read_bytes() == b"earlier"
    assert (tmp_path / (MARKS_FILE + ".damaged.2")).read_bytes() == content


def test_the_json_marks_of_any_size_are_migrated(tmp_path: Path) -> None:
    raw = keys(60_000)  # 1.7 MB of JSON: the old reader refused it and lost every mark
    legacy = {"format": "chatlog-vn-read-marks", "version": 1, "keys": [k.hex() for k in raw]}
    (tmp_path / LEGACY_FILE).write_text(json.dumps(legacy))
    assert (tmp_path / LEGACY_FILE).stat().st_size > 1 << 20
    mf = MarksFile(tmp_path)
    marks = mf.load()
    assert len(marks) == 60_000
    mf.save(marks)
    assert not (tmp_path / LEGACY_FILE).exists()
    assert (tmp_path / (LEGACY_FILE + ".migrated")).exists()
    assert on_disk(tmp_path) == set(raw)


def test_stats_reads_without_touching_anything(tmp_path: Path) -> None:
    (tmp_path / MARKS_FILE).write_bytes(b"broken")
    (tmp_path / LEGACY_FILE).write_text("{broken")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert len(MarksFile(tmp_path, read_only=True).load()) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_writer_saves_off_the_caller_and_says_a_refusal_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marks = marked(keys(10))
    writer = MarksWriter(MarksFile(tmp_path), marks)
    writer.request()
    deadline = time.monotonic() + 10
    while marks.dirty or not (tmp_path / MARKS_FILE).exists():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    writer.close()
    assert len(on_disk(tmp_path)) == 10

    def refuse(*args: object, **kw: object) -> None:
        raise OSError(28, "No space left on device")

    marks.add(keys(1, seed=4)[0])
    monkeypatch.setattr(marksfile.MarksFile, "_append", refuse)
    writer = MarksWriter(MarksFile(tmp_path), marks)
    writer.close()
    assert writer.news() == "cannot save read marks (no space left on device)"
    assert writer.news() is None
    assert marks.dirty  # kept for the next try
    monkeypatch.undo()
    MarksWriter(MarksFile(tmp_path), marks).close()
    assert len(on_disk(tmp_path)) == 11


# --- kills and other players ----------------------------------------------------------

CHILD = """
import random, sys
from pathlib import Path
from engine.marks import ReadMarks
from engine.marksfile import MarksFile
folder, seed, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
mf = MarksFile(folder)
marks = mf.load()
for _ in range(rounds):
    for _ in range(rng.randint(1, 3000)):
        marks.add(rng.randbytes(12))
    mf.save(marks)
    print(len(marks), flush=True)   # acknowledged: on disk
"""


def _child(folder: Path, seed: int, rounds: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), str(seed), str(rounds)],
        stdout=subprocess.PIPE, text=True, env=env,
    )


def test_a_kill_in_the_middle_of_saving_leaves_no_fewer_marks(tmp_path: Path) -> None:
    rng = random.Random(5)
    acknowledged = 0
    for trial in range(12):
        child = _child(tmp_path, trial, 1000)
        time.sleep(0.15 + rng.random() * 0.4)
        child.kill()
        out, _ = child.communicate()
        counts = [int(x) for x in out.split()]
        if counts:
            acknowledged = counts[-1]
        back = MarksFile(tmp_path).load()
        assert len(back) >= acknowledged, f"trial {trial}: {len(back)} < {acknowledged}"
        acknowledged = len(back)
    assert acknowledged > 0
    assert not list(tmp_path.glob("*.damaged*"))
    sweep_temp_files(tmp_path, max_age=0)
    assert leftovers(tmp_path) == []


def test_two_players_on_one_folder_keep_every_mark(tmp_path: Path) -> None:
    a, b = _child(tmp_path, 1, 40), _child(tmp_path, 2, 40)
    out_a, _ = a.communicate(timeout=120)
    out_b, _ = b.communicate(timeout=120)
    assert a.returncode == 0 and b.returncode == 0
    expect: set[bytes] = set()
    for seed in (1, 2):  # what each child marked, replayed
        rng = random.Random(seed)
        for _ in range(40):
            expect.update(rng.randbytes(12) for _ in range(rng.randint(1, 3000)))
    assert on_disk(tmp_path) == expect


# --- the save folder ----------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_old_temp_files_are_swept_young_ones_kept(tmp_path: Path) -> None:
    old, young, other = tmp_path / ".slot-001.json.ab.tmp", tmp_path / ".x.tmp", tmp_path / "a.tmp"
    for p in (old, young, other):
        p.write_bytes(b"x")
    past = time.time() - 120
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    assert sweep_temp_files(tmp_path) == 1
    assert not old.exists() and young.exists() and other.exists()


def test_a_folder_that_is_a_file_turns_saving_off_and_renames_nothing(tmp_path: Path) -> None:
    spot = tmp_path / "saves"
    spot.write_text("not a folder")
    assert folder_problem(spot) == f"{spot} is a file, not a folder"
    store = SaveStore.open(spot)
    assert store.problem is not None
    marks = store.marks_file.load()
    marks.add(keys(1)[0])
    assert not store.marks_file.save(marks)
    from tests.test_saves import make_save  # the same helper the slot tests use

    with pytest.raises(SavingOff):
        store.write(1, make_save("x"))
    assert spot.read_text() == "not a folder" and sorted(tmp_path.iterdir()) == [spot]


def test_an_unreadable_marks_file_turns_saving_off_rather_than_replacing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    marks = marked(keys(30))
    MarksFile(tmp_path).save(marks)
    real_open = open

    def deny(path, *args, **kw):  # type: ignore[no-untyped-def]
        if str(path).endswith(MARKS_FILE):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kw)

    monkeypatch.setattr("builtins.open", deny)
    mf = MarksFile(tmp_path)
    with caplog.at_level(logging.WARNING, logger="chatlog-vn"):
        got = mf.load()
    monkeypatch.undo()
    assert len(got) == 0 and mf.problem is not None and "permission denied" in mf.problem
    assert "will not be saved" in caplog.text and "damaged" not in caplog.text
    got.add(keys(1, seed=3)[0])
    assert not mf.save(got)
    assert len(on_disk(tmp_path)) == 30


def test_play_with_a_save_dir_that_is_a_file_says_so_once_and_plays(tmp_path: Path) -> None:
    spot = tmp_path / "saves"
    spot.write_text("not a folder")
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
           "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "engine", "play", str(ROOT / "scripts"), "--autoplay",
         "--quit-at-end", "--fast", "--save-dir", str(spot)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"chatlog-vn play: saving is off: {spot} is a file, not a folder"], lines
    assert spot.read_text() == "not a folder" and sorted(tmp_path.iterdir()) == [spot]


def test_slots_of_a_folder_that_is_a_file_read_as_empty_not_damaged(tmp_path: Path) -> None:
    spot = tmp_path / "saves"
    spot.write_text("x")
    store = SaveStore.open(spot)
    assert [content for _, content in store.list(0)] == [None] * 8
    assert store.latest() is None
