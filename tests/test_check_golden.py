"""`chatlog-vn check`'s whole output, held equal to golden files.

Every fixture folder and the demo, in both formats, with the exit code and
the summary line: any change in what check reports (a diagnostic gained,
lost, moved or reworded) shows here. tests/fixtures/check/pages/pages.log is
a generated script (fixed seed, committed) of messages whose lengths straddle
one to four pages of the text box, with ruby, Latin tokens, long unbreakable
words, kinsoku punctuation, spaces, emoji and forced breaks: the messages
CHK004 must count exactly. It is checked at several page limits and under
each layout option story.yaml can set (copied into a story folder at test
time, so the file is kept once).

The golden files were written by the code before check was made fast; set
CHATLOG_UPDATE_GOLDEN=1 to rewrite them after an intended change.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from engine.cli import main

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "check"
PAGES = Path(__file__).parent / "fixtures" / "check" / "pages" / "pages.log"

# (case name, path relative to the repository, extra arguments)
REPO_CASES = [
    ("demo", "scripts", ()),
    ("stories-broken", "tests/fixtures/stories/broken", ()),
    ("stories-full", "tests/fixtures/stories/full", ()),
    ("stories-plain", "tests/fixtures/stories/plain", ()),
    ("stories-repo", "tests/fixtures/stories/repo", ()),
    ("writer-deep", "tests/fixtures/writer/deep", ()),
    ("writer-cast", "tests/fixtures/writer/cast", ()),
    ("writer-stats", "tests/fixtures/writer/stats", ()),
    ("broken", "tests/fixtures/broken", ()),
    ("parse", "tests/fixtures/parse", ()),
    ("transcripts", "tests/transcripts", ()),
    ("app", "tests/fixtures/app", ()),
    ("render", "tests/fixtures/render", ()),
    ("pages", "tests/fixtures/check/pages", ()),
    ("pages-max1", "tests/fixtures/check/pages", ("--max-pages", "1")),
    ("pages-max2", "tests/fixtures/check/pages", ("--max-pages", "2")),
    ("pages-max5", "tests/fixtures/check/pages", ("--max-pages", "5")),
]

# The pages script under each layout option (name, story.yaml's layout block).
LAYOUT_CASES = [
    ("pages-normal", "strictness: normal"),
    ("pages-loose", "strictness: loose"),
    ("pages-phrases", "phrase_wrapping: true"),
    ("pages-no-hanging", "hanging_punctuation: false"),
]


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Exit code, stdout and stderr of one check run, as one text."""
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return f"exit: {code}\n--- stdout\n{out}--- stderr\n{err}"


def compare(name: str, got: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("CHATLOG_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize(("name", "path", "extra"), REPO_CASES, ids=[c[0] for c in REPO_CASES])
def test_check_output_on_fixtures(name: str, path: str, extra: tuple[str, ...], fmt: str,
                                  capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    compare(f"{name}.{fmt}", run_check(capsys, "--format", fmt, *extra, path))


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize(("name", "layout"), LAYOUT_CASES, ids=[c[0] for c in LAYOUT_CASES])
def test_check_output_under_each_layout_option(name: str, layout: str, fmt: str,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    story = tmp_path / "story"
    story.mkdir()
    shutil.copy(PAGES, story / "pages.log")
    (story / "story.yaml").write_text(f"title: pages\nlayout:\n  {layout}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    compare(f"{name}.{fmt}", run_check(capsys, "--format", fmt, "story"))


def test_every_golden_file_has_a_case() -> None:
    names = {f"{c[0]}.{fmt}" for c in REPO_CASES + LAYOUT_CASES for fmt in ("text", "json")}
    assert {p.stem for p in GOLDEN.glob("*.txt")} == names
