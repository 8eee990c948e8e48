"""`chatlog-vn new FOLDER`: a story that loads clean, checks clean and plays."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from engine.checks import deep_checks
from engine.cli import main
from engine.commands.new import ASSET_FOLDERS, create_story
from engine.manifest import load_story
from engine.runtime import transcript


def test_new_story_loads_without_diagnostics_and_plays(tmp_path: Path) -> None:
    folder = tmp_path / "my-story"
    create_story(folder, now=datetime(2026, 4, 1, 9, 30))
    story = load_story(folder)
    assert story.all_diagnostics() == ()
    assert story.title == "my-story"
    assert story.manifest == (folder / "story.yaml").resolve()
    assert [c.name for c in story.characters.values()] == ["花", "蒼"]
    events = transcript(story)
    assert events[0] == "scene 0 2026.04.01 09:30"
    assert any("｜台本《だいほん》" in e for e in events)  # the first script shows ruby
    assert any(e.startswith("narrate ") for e in events)
    assert events[-1] == "end"
    for sub in ASSET_FOLDERS:
        assert (folder / sub).is_dir()


def test_check_is_clean_including_deep_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.render import FontSet

    folder = tmp_path / "s"
    assert main(["new", str(folder)]) == 0
    assert "play --watch" in capsys.readouterr().out
    assert main(["check", str(folder)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no problems" in captured.err
    assert deep_checks(load_story(folder), FontSet()) == ()


def test_script_is_dated_now(tmp_path: Path) -> None:
    before = datetime.now().replace(second=0, microsecond=0)
    create_story(tmp_path / "s")
    stamp = load_story(tmp_path / "s").scenes[0].scene.timestamp
    assert stamp is not None and before <= stamp <= datetime.now()


def test_refuses_a_folder_with_something_in_it(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(folder)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]  # untouched
    afile = tmp_path / "file.log"
    afile.write_text("x", encoding="utf-8")
    assert main(["new", str(afile)]) == 2


def test_an_existing_empty_folder_is_fine(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["new", str(folder)]) == 0
    assert (folder / "scripts" / "01-start.log").is_file()


@pytest.mark.parametrize("title", ['a: b # c', "星を\"数える\"夜", "- [x]", "yes"])
def test_any_title_survives_yaml(tmp_path: Path, title: str) -> None:
    create_story(tmp_path / "s", title=title)
    story = load_story(tmp_path / "s")
    assert story.title == title
    assert story.all_diagnostics() == ()
