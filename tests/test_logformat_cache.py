"""The scene cache (engine/logformat/cache.py): a warm load reads exactly what a parse
reads; a damaged, stale or unwritable cache is rebuilt or skipped, never fatal."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from engine.commands.dump import script_to_dict
from engine.logformat import cache, load, parse
from engine.logformat.cache import Source

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import realistic  # noqa: E402


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every file is "big", and the cache lives in tmp_path/cache."""
    where = tmp_path / "cache"
    monkeypatch.setattr(cache, "MIN_SIZE", 0)
    monkeypatch.setenv(cache.ENV, str(where))
    return where


def write(tmp_path: Path, data: bytes, name: str = "s.log") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def expected(path: Path, data: bytes) -> object:
    text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    return parse(text, str(path))


def lazily_read(script: object) -> bool:
    return all(isinstance(p, Source) for s in script.scenes  # type: ignore[attr-defined]
               for p in (s.messages._parts or ()))


CASES = [
    realistic.story_text(1500).encode(),
    # CR LF, a BOM, a block never closed, a START inside a block, text outside blocks,
    # wrapper tags, markup the regex pass leaves to the line reader, a one-off label
    ("\ufeff<pre><code>--- LOG START --- 2025.01.01 10:00<br>\r\nA: x<br>\r\nA: <b>y</b><br>\r\n"
     "--- LOG START --- bad date\r\n  B: indented<br>\r\nAKIRA: a<br>\r\nAKIRA: b<br>\r\n"
     "AKIRA: c<br>\r\nAKRIA: d<br>\r\n--- LOG END ---</code></pre>\r\nmemo: outside\r\n"
     "--- LOG START --- 2025.01.02<br>\r\nA: <ruby>明<rt>あ</rt></ruby><br>\r\nA: last").encode(),
    b"--- LOG START ---\rA: x<br>\rA: y<br>\r--- LOG END ---\r",
    b"",
]


@pytest.mark.parametrize("data", CASES)
def test_cold_and_warm_loads_read_what_parse_reads(tmp_path: Path, folder: Path,
                                                   data: bytes) -> None:
    path = write(tmp_path, data)
    want = expected(path, data)
    cold = load(path)
    assert len(list(folder.glob("*.json"))) == 1
    warm = load(path)
    assert lazily_read(warm)
    # a scene's messages are read from its bytes only when first used
    assert [len(s.messages) for s in warm.scenes] == [len(s.messages) for s in want.scenes]
    assert not any(s.messages.built for s in warm.scenes)
    for got in (cold, warm):
        assert got == want
        assert script_to_dict(got) == script_to_dict(want)


def test_the_same_bytes_under_another_name_get_their_own_file_names(tmp_path: Path,
                                                                     folder: Path) -> None:
    data = CASES[1]
    first = load(write(tmp_path, data, "a.log"))
    second = load(write(tmp_path, data, "b.log"))  # a cache hit: the index has no names
    assert len(list(folder.glob("*.json"))) == 1
    assert {d.pos.file for d in second.diagnostics} == {str(tmp_path / "b.log")}
    assert second == expected(tmp_path / "b.log", data)
    assert first == expected(tmp_path / "a.log", data)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "empty", "stale", "json"])
def test_a_damaged_or_stale_index_is_rebuilt(tmp_path: Path, folder: Path, damage: str) -> None:
    data = CASES[1]
    path = write(tmp_path, data)
    load(path)
    (entry,) = folder.glob("*.json")
    raw = entry.read_bytes()
    head, _, body = raw.partition(b"\n")
    if damage == "truncate":
        entry.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        entry.write_bytes(os.urandom(300))
    elif damage == "flip":  # a wrong digit in a byte range: the checksum catches it
        i = body.index(b'"bytes":[') + 9
        entry.write_bytes(head + b"\n" + body[:i] + b"9" + body[i + 1 :])
    elif damage == "empty":
        entry.write_bytes(b"")
    else:  # well-formed, checksummed, but from another parser or with a bad range
        index = json.loads(body)
        if damage == "stale":
            index["version"] = "older"
        else:
            index["scenes"][0]["bytes"] = [0, len(data) + 5]
        cache.write_index(entry, index)
    assert load(path) == expected(path, data)
    warm = load(path)  # rebuilt: a good index again
    assert lazily_read(warm) and warm == expected(path, data)


def test_an_unwritable_folder_means_no_cache_not_an_error(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(cache, "MIN_SIZE", 0)
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    path = write(tmp_path, CASES[1])
    assert load(path) == expected(path, CASES[1])
    assert load(path) == expected(path, CASES[1])


def test_files_that_are_not_plain_utf8_are_not_cached(tmp_path: Path, folder: Path) -> None:
    for name, data in [("sjis.log", "--- LOG START ---\nA: あいうえお\n".encode("cp932")),
                       ("u16.log", "--- LOG START ---\nA: x\n".encode("utf-16")),
                       ("bad.log", "--- LOG START ---\nA: あいうえお\n".encode() * 9 + b"\xff\n")]:
        path = write(tmp_path, data, name)
        assert load(path).diagnostics  # decode() said what the file is
    assert not list(folder.glob("*.json"))


def test_off_and_small_files_use_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, "off")
    monkeypatch.setattr(cache, "MIN_SIZE", 0)
    assert cache.default_folder() is None
    load(write(tmp_path, CASES[1]))
    monkeypatch.setenv(cache.ENV, str(where))
    monkeypatch.setattr(cache, "MIN_SIZE", 1 << 30)
    load(write(tmp_path, CASES[1]))
    assert not where.exists()


def test_the_folder_keeps_a_bounded_number_of_indexes(tmp_path: Path, folder: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "KEEP", 3)
    for i in range(6):
        load(write(tmp_path, f"--- LOG START ---\nA: {i}<br>\n".encode()))
    assert len(list(folder.glob("*.json"))) == 3


def test_opening_a_story_builds_only_the_scenes_it_shows(tmp_path: Path, folder: Path) -> None:
    """The manifest's cast checks, the runtime's index and the first message need no
    other scene's messages: a long story opens at the cost of what it shows."""
    from engine.manifest import load_story
    from engine.runtime import Runtime

    story_dir = tmp_path / "story"
    story_dir.mkdir()
    (story_dir / "story.log").write_text(realistic.story_text(4000), encoding="utf-8")
    for _ in range(2):  # cold (parse, index written), then warm (scenes from their bytes)
        story = load_story(story_dir)
        runtime = Runtime(story)
        assert runtime.message.pos.line == 2
        built = [i for i, ref in enumerate(story.scenes) if ref.scene.messages.built]
        assert len(story.scenes) > 10 and built == [0]
        assert sum(len(ref.scene.messages) for ref in story.scenes) == 4000
