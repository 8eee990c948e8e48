"""Start-up: `play` pauses the cyclic collector until the first frame, and only until then."""

from __future__ import annotations

import gc
from pathlib import Path

import pygame
import pytest
from test_app_flow import DEMO, make_app

from engine import cli


@pytest.fixture(autouse=True)
def _restore_gc():
    was = gc.isenabled()
    yield
    pygame.display.quit()
    gc.unfreeze()
    if was:
        gc.enable()


def test_collection_resumes_after_the_first_frame(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.open("title")
    gc.disable()  # as `chatlog-vn play` leaves it during start-up
    app.step(max_wait=0)
    assert app.frames_drawn == 1
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what start-up built is no longer walked


def test_an_enabled_collector_is_left_alone(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path)
    app.open("title")
    app.step(max_wait=0)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_play_pauses_collection_only_while_it_runs(monkeypatch) -> None:
    seen: list[bool] = []

    def fake_run(args) -> int:
        seen.append(gc.isenabled())
        return 0

    module = cli._load("play")
    monkeypatch.setattr(module, "run", fake_run)
    assert cli.main(["play", "nowhere"]) == 0
    assert seen == [False]
    assert gc.isenabled()


def test_other_commands_keep_the_collector(monkeypatch) -> None:
    seen: list[bool] = []
    module = cli._load("check")
    monkeypatch.setattr(module, "run", lambda args: seen.append(gc.isenabled()) or 0)
    assert cli.main(["check", "nowhere"]) == 0
    assert seen == [True]


def test_title_frame_exit_leaves_after_the_title_screen_is_shown(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    # In a process of its own: `play` ends with pygame.quit(), which would invalidate the
    # fonts other tests keep.
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "engine", "play", str(DEMO), "--title-frame-exit", "--benchmark",
         "--save-dir", str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60)
    assert done.returncode == 0, done.stderr
    assert "title frame: " in done.stdout and " s after process start" in done.stdout
    assert "peak memory: " in done.stdout
    assert "first message frame" not in done.stdout  # no message was shown: the title was
