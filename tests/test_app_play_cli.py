"""`chatlog-vn play` on folders and files with nothing to play: one message style, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main

BLOCK = "--- LOG START --- 2024.11.29 19:42\nMIO: こんばんは。<br>\n--- LOG END ---\n"


def test_a_folder_with_only_notes_says_which_file_has_no_log_block(tmp_path, monkeypatch, capsys):
    (tmp_path / "notes.txt").write_text("買い物メモ\n", encoding="utf-8")
    (tmp_path / "draft.txt").write_text("まだ書いていない\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["play", "."]) == 2
    err = capsys.readouterr().err
    assert "nothing to play" in err
    assert "notes.txt has no LOG block" in err and "draft.txt has no LOG block" in err
    assert "no scripts (.log, .txt or .html files)" not in err


def test_nothing_to_play_exits_like_play_without_a_story(tmp_path, monkeypatch, capsys):
    (tmp_path / "notes.txt").write_text("memo\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["play"]) == 2  # no story here: name one
    assert main(["play", "notes.txt"]) == 2
    assert "notes.txt has no LOG block" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["empty.log", "sub"])
def test_empty_scripts_and_folders_say_so(tmp_path: Path, capsys, name: str) -> None:
    target = tmp_path / name
    if name == "sub":
        target.mkdir()
    else:
        target.write_text("--- LOG START --- 2024.11.29 19:42\n--- LOG END ---\n", encoding="utf-8")
    assert main(["play", str(target)]) == 2
    err = capsys.readouterr().err
    assert ("no script files" in err) if name == "sub" else ("hold no messages" in err)


def test_a_skipped_script_with_messages_is_named(tmp_path: Path, capsys) -> None:
    (tmp_path / "README.txt").write_text(BLOCK, encoding="utf-8")
    assert main(["play", str(tmp_path)]) == 2
    assert "README.txt has messages but is not one of the story's scripts" in capsys.readouterr().err
