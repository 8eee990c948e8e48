"""Issue 17 (hardening), what a new user met: export permissions, a failed quick save,
`--first-frame-exit` and the user's folders, menus over menus, plurals, exit statuses."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pygame
import pytest

from engine.app.gamemenu import GameMenuScreen
from engine.app.i18n import set_language, tr
from engine.app.saveload import SaveLoadScreen
from engine.app.settings_screen import SettingsScreen
from engine.cli import main
from engine.manifest import load_story
from tests.menus_support import key, reading_app

ROOT = Path(__file__).resolve().parent.parent
ONE_SCENE = "--- LOG START --- 2024.11.29 19:42<br>\nMIO: あ<br>\n--- LOG END ---\n"


@pytest.fixture
def display():
    yield
    pygame.display.quit()


# --- export html: the page is readable by whoever may read new files --------------------


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_export_writes_the_page_with_the_umask(tmp_path: Path, capsys, mask: int,
                                               expected: int) -> None:
    (tmp_path / "a.log").write_text(ONE_SCENE, encoding="utf-8")
    out = tmp_path / "out.html"
    old = os.umask(mask)
    try:
        assert main(["export", "html", str(tmp_path / "a.log"), "-o", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == expected
    assert "(1 scene, 1 message)" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_export_over_a_page_keeps_its_permissions(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(ONE_SCENE, encoding="utf-8")
    out = tmp_path / "out.html"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    assert main(["export", "html", str(tmp_path / "a.log"), "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert "<ruby>" not in out.read_text(encoding="utf-8") and "あ" in out.read_text(encoding="utf-8")


# --- the player -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_failed_quick_save_says_so(tmp_path: Path, display, lang: str) -> None:
    app = reading_app(tmp_path, 3)
    set_language(lang)
    folder = app.session.saves.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "quick.json").mkdir()  # the rename onto it fails, as on a full or read-only disk
    key(app, pygame.K_F5)
    assert [t.text for t in app.toasts] == [tr("quick_save_failed")]
    assert tr("quick_save_failed") != tr("quick_saved")
    (folder / "quick.json").rmdir()
    key(app, pygame.K_F5)
    assert app.toasts[-1].text == tr("quick_saved")


@pytest.mark.parametrize("item, kind", [("save", SaveLoadScreen), ("load", SaveLoadScreen),
                                        ("settings", SettingsScreen)])
def test_menus_opened_from_the_game_menu_do_not_show_it_through(tmp_path: Path, display,
                                                                item: str, kind: type) -> None:
    app = reading_app(tmp_path, 3)
    reading = app.reading_screen()
    reading.complete = True
    app.draw()
    key(app, pygame.K_ESCAPE)
    menu = app.top
    assert isinstance(menu, GameMenuScreen)
    app.draw()
    app.open(item)
    screen = app.top
    assert isinstance(screen, kind)
    app.draw()
    # Its backdrop is the reading frame blurred, exactly as the game menu's own: the
    # game menu's panel and items are not in it.
    assert pygame.image.tobytes(screen._backdrop, "RGB") == pygame.image.tobytes(
        menu._backdrop, "RGB")
    with_menu = pygame.Surface(app.canvas.get_size())
    menu.draw(with_menu)
    assert pygame.image.tobytes(with_menu, "RGB") != pygame.image.tobytes(menu._backdrop, "RGB")


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_first_frame_exit_leaves_the_users_folders_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "config").mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config"), "SDL_VIDEODRIVER": "dummy",
           "SDL_AUDIODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "engine", "play", "scripts", "--first-frame-exit"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert _tree(home) == []
    # With --save-dir the folder named is used as before: the autosave is there.
    saves = tmp_path / "saves"
    run = subprocess.run([sys.executable, "-m", "engine", "play", "scripts", "--first-frame-exit",
                          "--save-dir", str(saves)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "auto.json" in _tree(saves) and _tree(home) == []


# --- words and statuses ----------------------------------------------------------------


def test_stats_counts_in_the_singular(tmp_path: Path, capsys) -> None:
    (tmp_path / "one.log").write_text(ONE_SCENE, encoding="utf-8")
    assert main(["stats", str(tmp_path / "one.log")]) == 0
    assert "one: 1 scene, 1 message, 1 character, about" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"], ["play", "--help"],
                                  ["export", "--help"]])
def test_help_lists_the_exit_statuses(capsys, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "exit status:" in out
    for status in ("0 ", "1 ", "2 ", "3 ", "130 "):
        assert f"\n  {status}" in out


def test_the_documented_statuses_are_the_ones_given(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.log"
    bad.write_text("--- LOG START --- 2024.11.29 19:42<br>\nMIO: <ruby>空<rt>そら<br>\n"
                   "--- LOG END ---\n", encoding="utf-8")  # an unclosed ruby: LOG011, an error
    (tmp_path / "empty.log").write_bytes(b"")
    assert main(["check", str(tmp_path / "empty.log")]) == 1  # nothing to play is an error
    assert main(["check", str(bad)]) == 1
    assert main(["dump", str(bad)]) == 1
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert main(["play", str(tmp_path / "empty.log")]) == 2
    capsys.readouterr()
    docs = (ROOT / "docs" / "WRITER-TOOLS.md").read_text(encoding="utf-8")
    assert "## Exit status" in docs and "| 3 | internal error" in docs


def test_a_control_character_in_story_yaml_is_a_syntax_error_with_its_place(tmp_path: Path,
                                                                            capsys) -> None:
    (tmp_path / "a.log").write_text(ONE_SCENE, encoding="utf-8")
    (tmp_path / "story.yaml").write_bytes(b"title: a\x00b\nscripts: [a.log]\n")
    assert main(["check", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "story.yaml:1:9: error: YAML syntax error: character U+0000 is not allowed" in out
    assert "internal error" not in err
    story = load_story(tmp_path)  # play reads it the same way: the defaults, and it plays
    assert story.title == tmp_path.name and story.scenes


def test_check_counts_a_line_of_one_problem_written_many_times(tmp_path: Path, capsys) -> None:
    path = tmp_path / "tags.log"
    path.write_text("--- LOG START --- 2024.11.29 19:42<br>\nMIO: " + "<span>あ" * 10
                    + "<br>\nMIO: <span>い<span>う<br>\n--- LOG END ---\n", encoding="utf-8")
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    line2 = [x for x in out.splitlines() if ":2:" in x and "[LOG010]" in x]
    assert len(line2) == 4 and "note: 7 more like this on this line from here, not shown" in line2[3]
    assert line2[3].startswith(f"{path}:2:{6 + 3 * 7}: note:")  # where the first hidden one is
    assert len([x for x in out.splitlines() if ":3:" in x and "[LOG010]" in x]) == 2  # no note
    assert "0 errors, 12 warnings" in err  # every one still counted
    assert main(["check", "--format", "json", str(path)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 12  # and listed in JSON


def test_a_reading_wider_than_the_text_box_is_warned_and_quoted_short(tmp_path: Path,
                                                                     capsys) -> None:
    path = tmp_path / "rt.log"
    path.write_text("--- LOG START --- 2024.11.29 19:42<br>\n"
                    "MIO: <ruby>東京<rt>" + "と" * 70 + "</rt></ruby><br>\n"  # 1,050 px: fits
                    "MIO: <ruby>漢<rt>" + "か" * 20_000 + "</rt></ruby><br>\n"
                    "MIO: <ruby>漢<rt>" + "き" * 30_000 + "</rt></ruby><br>\n"
                    "--- LOG END ---\n", encoding="utf-8")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    squeezed = [x for x in out.splitlines() if "[CHK005]" in x]
    assert [x.split(":")[1] for x in squeezed] == ["3", "4"]
    assert "20,000 characters, 300,000 px at ruby size" in squeezed[0]
    assert "squeezed to 0.36% of its width" in squeezed[0]
    read_two_ways = [x for x in out.splitlines() if "[CHK002]" in x]
    assert len(read_two_ways) == 1 and len(read_two_ways[0]) < 400  # readings quoted short
    assert "か" * 40 + "…" in read_two_ways[0] or "き" * 40 + "…" in read_two_ways[0]


# --- a message of a million characters in the chat view and the history ------------------


def test_clip_runs_cuts_after_the_limit_and_says_so() -> None:
    from engine.chatlayout import clip_runs
    from engine.model import Break, Direction, Ruby, Text

    assert clip_runs((Text("あいう"),), 3) is None
    assert clip_runs((Text("あいうえお"),), 3) == (Text("あいう"), Text("…"))
    jukugo = Ruby((("明", "あ"), ("日", "した")))
    assert clip_runs((Text("ab"), jukugo), 3) == (Text("ab"), Ruby((("明", "あ"),)), Text("…"))
    assert clip_runs((Text("ab"), Direction("（笑う）")), 3) == (Text("ab"), Text("…"))
    assert clip_runs((Text("ab"), Break(), Text("cd")), 4) == (Text("ab"), Break(), Text("c"),
                                                               Text("…"))


def _long_story(tmp_path: Path, chars: int) -> Path:
    path = tmp_path / "long.log"
    path.write_text("--- LOG START --- 2024.11.29 19:42<br>\nMIO: " + "あいうえお、" * (chars // 6)
                    + "<br>\nTAKU: 短い。<br>\n--- LOG END ---\n", encoding="utf-8")
    return path


def _app_on(path: Path, saves: Path, view: str):
    from engine.app.app import App, PlayOptions, Session
    from engine.manifest import story_id
    from engine.preferences import Preferences
    from engine.runtime import Runtime
    from engine.saves import ReadMarks, SaveStore

    story = load_story(path)
    session = Session(story=story, runtime=Runtime(story), marks=ReadMarks(),
                      prefs=Preferences(text_speed=0), prefs_dir=saves, saves=SaveStore(saves),
                      story_id=story_id(story), options=PlayOptions(view=view))
    set_language("ja")
    pygame.display.init()
    app = App(session)
    app.open_window()
    app.running = True
    app.start_reading()
    app.draw()
    return app


def test_a_huge_message_in_the_chat_view_is_a_bubble_of_its_start(tmp_path: Path,
                                                                 display) -> None:
    from engine.chatlayout import CHAT_MAX_CHARS

    app = _app_on(_long_story(tmp_path, 300_000), tmp_path / "s", "chat")
    screen = app.reading_screen()
    column = screen.painter.column(screen.geo)
    bubble = column.block(0).bubble
    assert bubble.layout.chars == CHAT_MAX_CHARS + 1  # its start and "…"
    assert bubble.layout.lines[-1].glyphs[-1].ch == "…"


def test_a_huge_message_in_the_history_is_shown_up_to_the_limit(tmp_path: Path,
                                                                display) -> None:
    from engine.chatlayout import CHAT_MAX_CHARS

    app = _app_on(_long_story(tmp_path, 300_000), tmp_path / "s", "adv")
    app.open("backlog")
    app.draw()
    entry = app.top.entry(0)  # the long one: the message being read (its first page shown)
    assert entry.message.text.startswith("あいうえお") and len(entry.message.text) > 290_000
    assert entry.layout.chars == CHAT_MAX_CHARS + 1


def test_with_saving_off_the_save_screen_and_quick_save_say_so(tmp_path: Path, display) -> None:
    from engine.saves import SaveStore

    app = reading_app(tmp_path, 3)
    spot = tmp_path / "a-file"
    spot.write_text("x")
    app.session.saves = SaveStore.open(spot)
    set_language("en")
    key(app, pygame.K_F5)
    assert app.toasts[-1].text == tr("saving_off")
    screen = SaveLoadScreen(app, "save")
    app.push(screen)
    screen.choose(0)
    assert app.toasts[-1].text == tr("saving_off")
    assert spot.read_text() == "x" and not list(tmp_path.glob("*.damaged*"))  # nothing renamed
    app.draw()
    assert isinstance(app.top, SaveLoadScreen)  # no confirm, no write
