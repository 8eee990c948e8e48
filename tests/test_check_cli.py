"""`chatlog-vn check` (exit codes, text and JSON output) and the demo story it must pass."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from engine.checks import TextBox, count_pages, estimate_measure
from engine.cli import main
from engine.manifest import load_story
from engine.model import Break, Direction, Ruby, Story

REPO = Path(__file__).resolve().parent.parent
STORIES = Path(__file__).resolve().parent / "fixtures" / "stories"
GCC = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): .+ \[(?P<code>[A-Z]+\d+)\]$")


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


# --- exit codes and output --------------------------------------------------------


def test_clean_story_exits_0_with_no_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = run_check(capsys, str(STORIES / "full"))
    assert (code, lines) == (0, [])
    assert "no problems in 3 files" in err


def test_errors_exit_1_gcc_lines_sorted(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(STORIES)
    code, lines, err = run_check(capsys, "broken")
    assert code == 1
    parsed = [GCC.match(line) for line in lines]
    assert all(parsed), lines
    keys = [(m["file"], int(m["line"]), int(m["col"])) for m in parsed if m]
    assert keys == sorted(keys)
    assert {k[0] for k in keys} == {"broken/a.log", "broken/story.yaml"}  # relative to the cwd
    assert "broken/story.yaml:6:12: error: characters.SORA.color:" in "\n".join(lines)
    assert re.search(r"check: 7 errors, 8 warnings in 2 files", err)


def test_warnings_only_exit_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("--- LOG START --- 2025.01.01 10:00\nKAI: a\n", encoding="utf-8")
    code, lines, err = run_check(capsys, str(tmp_path / "a.log"))
    assert code == 0 and len(lines) == 1 and "[LOG003]" in lines[0]
    assert "0 errors, 1 warning" in err


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run_check(capsys, "--format", "json", str(STORIES / "broken"))
    data = json.loads("\n".join(lines))
    assert code == 1 and len(data) == 15
    assert all(set(d) == {"file", "line", "col", "severity", "code", "message"} for d in data)
    first = next(d for d in data if d["code"] == "YML015")
    assert (first["line"], first["col"], first["severity"]) == (6, 12, "error")
    assert first["file"].endswith("story.yaml")


def test_json_format_empty_list_when_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run_check(capsys, "--format", "json", str(STORIES / "plain"))
    assert code == 0 and json.loads("\n".join(lines)) == []


def test_nonexistent_path_is_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, lines, err = run_check(capsys, str(STORIES / "full"), str(tmp_path / "nope"))
    assert code == 2 and lines == [] and "nope: no such file or folder" in err


def test_folder_without_scripts_is_usage_error(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    code, _, err = run_check(capsys, str(tmp_path))
    assert code == 2 and "no scripts" in err


def test_no_story_in_current_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_check(capsys)
    assert code == 2 and "no story in the current folder" in err


def test_default_is_the_story_in_the_current_folder(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(STORIES / "repo")
    code, lines, err = run_check(capsys)
    assert (code, lines) == (0, []) and "in 2 files" in err


def test_bad_option_is_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml"])
    assert exc.value.code == 2


def test_same_file_twice_is_reported_once(capsys: pytest.CaptureFixture[str]) -> None:
    _, lines, _ = run_check(capsys, str(STORIES / "broken"), str(STORIES / "broken" / "story.yaml"))
    assert len(lines) == len(set(lines)) == 15


def test_deep_checks_run_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = "--- LOG START --- 2025.01.01 10:00\nA: <ruby>眞<rt>まこと</rt></ruby>\nB: <ruby>眞<rt>しん</rt></ruby>\n--- LOG END ---\n"
    (tmp_path / "a.log").write_text(text, encoding="utf-8")
    code, lines, _ = run_check(capsys, str(tmp_path))
    assert code == 0 and any("[CHK002]" in line for line in lines)


def test_qa_edits_to_the_demo_each_reported_once_at_the_right_place(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # QA #11: one TAKU renamed TAKO, and one 灯 read あかり instead of ともしび.
    for part in ("scripts", "assets"):
        shutil.copytree(REPO / part, tmp_path / part)
    first = tmp_path / "scripts" / "01-yoru.log"
    lines = first.read_text(encoding="utf-8").split("\n")
    assert lines[7].startswith("TAKU:") and "<rt>ともしび</rt>" in lines[4]
    lines[7] = "TAKO:" + lines[7][len("TAKU:"):]
    lines[4] = lines[4].replace("<rt>ともしび</rt>", "<rt>あかり</rt>")
    first.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_check(capsys, "scripts")
    assert code == 0
    tako = [line for line in out if "'TAKO'" in line]
    assert tako == ["scripts/01-yoru.log:8:1: warning: speaker 'TAKO' appears only once; "
                    "did you mean 'TAKU'? [LOG040]"]
    ruby = [line for line in out if "[CHK002]" in line]
    assert ruby == ["scripts/01-yoru.log:5:1: warning: ruby base '灯' is read 2 ways: あかり here, "
                    "but ともしび at scripts/02-chika.log:5, scripts/03-asa.log:11, "
                    "scripts/03-asa.log:30 [CHK002]"]
    assert len(out) == 2


def test_real_command_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "engine", "check", "--format", "json", "scripts"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0 and json.loads(done.stdout) == []
    done = subprocess.run([sys.executable, "-m", "engine", "check", str(tmp_path / "x")],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 2 and "Traceback" not in done.stderr


# --- the demo story -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Story:
    return load_story(REPO / "scripts")


def messages(story: Story) -> list:
    return [m for ref in story.scenes for m in ref.scene.messages]


def test_demo_checks_clean(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert run_check(capsys, "scripts")[:2] == (0, [])
    assert run_check(capsys)[:2] == (0, [])


def test_demo_size_and_cast(demo: Story) -> None:
    assert demo.all_diagnostics() == ()
    assert len(demo.scenes) >= 3 and len(demo.scripts) >= 2
    msgs = messages(demo)
    assert len(msgs) >= 80
    speakers = {m.speaker for m in msgs if m.speaker}
    assert len(speakers) >= 3 and speakers == set(demo.characters)
    assert sum(m.speaker is None for m in msgs) >= 5  # narration


def test_demo_manifest(demo: Story) -> None:
    assert demo.title and demo.manifest is not None
    with_faces = [c for c in demo.characters.values() if len(c.portraits) >= 2 and c.expressions]
    assert len(with_faces) >= 2
    assert any(r.config.view == "chat" for r in demo.scenes)
    assert all(r.config.background and r.config.music for r in demo.scenes)
    assets = [p for c in demo.characters.values() for p in [*c.portraits.values(), c.sound] if p]
    assets += [p for r in demo.scenes for p in (r.config.background, r.config.music)]
    assert all(p.is_file() for p in assets)
    mapped = [m for m in messages(demo) if m.speaker
              and demo.characters[m.speaker].expression_for(m) != "default"]
    assert len(mapped) >= 5


def test_demo_assets_are_small() -> None:
    files = [p for d in ("images", "music", "sounds") for p in (REPO / "assets" / d).iterdir()]
    assert all(p.stat().st_size < 1_000_000 for p in files)
    assert sum(p.stat().st_size for p in files) < 6_000_000


def test_demo_ruby_of_every_kind(demo: Story) -> None:
    msgs = messages(demo)
    rubies = [r for m in msgs for r in m.runs if isinstance(r, Ruby)]
    assert any(len(r.parts) == 1 and len(r.base) == 1 for r in rubies)            # mono
    assert any(len(r.parts) == 1 and len(r.base) > 1 for r in rubies)             # group
    assert any(len(r.parts) > 1 for r in rubies)                                  # jukugo
    assert any(len(r.ruby) > 2 * len(r.base) for r in rubies)                     # longer than base
    assert any(len(r.ruby) < len(r.base) for r in rubies)                         # shorter than base
    assert any(r.base.isascii() and r.base.isalpha() for r in rubies)             # over Latin
    assert any(m.runs and isinstance(m.runs[0], Ruby) for m in msgs)              # at line start
    source = "".join(Path(s.file).read_text(encoding="utf-8") for s in demo.scripts)
    assert "<rb>" in source and "<rp>" in source
    assert not any("（" in r.ruby or "(" in r.ruby for r in rubies)  # <rp> dropped


def test_demo_format_features(demo: Story) -> None:
    msgs = messages(demo)
    texts = "\n".join(m.text for m in msgs)
    source = "".join(Path(s.file).read_text(encoding="utf-8") for s in demo.scripts)
    assert any(isinstance(r, Direction) for m in msgs for r in m.runs)
    assert any(isinstance(r, Break) for m in msgs for r in m.runs)               # mid-line <br>
    for entity in ("&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&nbsp;"):
        assert entity in source
    assert re.search(r"&#\d+;", source) and re.search(r"&#x[0-9a-fA-F]+;", source)
    for decoded in ("&", "<", ">", '"', "'", "\u00a0", "★"):
        assert decoded in texts
    assert re.search(r"^[A-Z一-龯]+：", source, re.M)                            # full-width colon
    assert re.search(r"^[A-Z]+:[^ ]", source, re.M)                               # no space after label
    assert "<pre" in source and "<code>" in source                                # HTML wrapper
    for ending in ("<br>\n", "<br/>\n", "<br />\n", "<br>　\n"):                  # all <br> forms
        assert ending in source
    assert not any(m.text.endswith(("<br", "/>", "　")) for m in msgs)
    for token in ("……", "――", "～", "「", "『", "？？", "！！", "　", "95.8GB", "RTX-3080"):
        assert token in texts
    assert any(unicodedata.category(ch) == "So" for ch in texts)                  # emoji / symbols
    assert "\ufe0f" in texts


def test_demo_has_long_messages_spanning_pages(demo: Story) -> None:
    long = [m for m in messages(demo) if count_pages(m, demo, estimate_measure, TextBox()) >= 2]
    assert len(long) >= 3
    assert all(len(m.text) >= 150 for m in long[:3])


def test_max_pages_option_flags_the_demos_long_messages(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run_check(capsys, "--max-pages", "1", str(REPO / "scripts"))
    assert code == 0 and len(lines) >= 3 and all("[CHK004]" in line for line in lines)
