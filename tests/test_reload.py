"""Live reload: the file watcher, re-parsing, and keeping the reader's place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.manifest import load_story
from engine.model import Story
from engine.reload import (
    BURST,
    WatchController,
    cursor_at_line,
    parse_at,
    reload_story,
    script_tails,
    tail_closed,
    unfinished,
)
from engine.runtime import (
    NOTE_EDITED,
    NOTE_MOVED,
    NOTE_NEAREST,
    NOTE_NEW_LINES,
    Anchor,
    Cursor,
    Runtime,
)
from engine.runtime import relocate as relocate_with_note
from engine.watch import Watcher, decodes_fully

LINES = ["A: いち", "B: に", "A: さん", "B: よん", "A: ご"]


def script(lines: list[str], stamp: str = "2025.01.01 10:00") -> str:
    body = "".join(f"{line}<br>\n" for line in lines)
    return f"--- LOG START --- {stamp}<br>\n{body}--- LOG END ---\n"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 0.06) -> None:
        self.now += seconds


def save(path: Path, text: str) -> None:
    """Write and push the mtime forward, so coarse file-system clocks still see a change."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    if st.st_mtime_ns <= before:
        os.utime(path, ns=(st.st_atime_ns, before + 1_000_000))


@dataclass
class FakeSession:
    story: Story
    runtime: Runtime

    def replace_story(self, story: Story, since: Anchor | None = None) -> str | None:
        note = self.runtime.reload(story, since)
        self.story = story
        return note


def relocate(old: Story, new: Story, cursor: Cursor) -> Cursor:
    """engine.runtime.relocate's cursor (the note is checked separately)."""
    return relocate_with_note(old, cursor, new)[0]


def texts(story: Story) -> list[str]:
    return [m.text for ref in story.scenes for m in ref.scene.messages]


# --- relocate (pure) ----------------------------------------------------------------


def two_versions(tmp_path: Path, old: list[str], new: list[str]) -> tuple[Story, Story]:
    path = tmp_path / "s.log"
    path.write_text(script(old), encoding="utf-8")
    first = load_story(path)
    path.write_text(script(new), encoding="utf-8")
    return first, load_story(path)


@pytest.mark.parametrize(("new", "at", "expected"), [
    (LINES, 2, 2),  # unchanged: same place
    (LINES[:2] + ["A: さん！"] + LINES[3:], 2, 2),  # the current message edited: stay on it
    (LINES[:2] + ["X: new1", "X: new2"] + LINES[2:], 2, 2),  # inserted right above: first new
    (LINES[:1] + ["X: new"] + LINES[1:], 2, 1),  # inserted higher up in the scene: first new
    (LINES[:2] + LINES[3:], 2, 2),  # current deleted: the next line (よん) now at 2
    (LINES[:4], 4, 3),  # the last line deleted: the new last line
    (LINES + ["X: after"], 2, 2),  # added below: no move
    (["B: に"] + LINES[2:], 2, 1),  # a line above deleted: same message, one up
    (LINES[:1] + ["B: に！"] + LINES[2:], 2, 2),  # another line edited: no move
])
def test_relocate(tmp_path: Path, new: list[str], at: int, expected: int) -> None:
    old_story, new_story = two_versions(tmp_path, LINES, new)
    assert relocate(old_story, new_story, Cursor(0, at)) == Cursor(0, expected)


@pytest.mark.parametrize(("new", "at", "note"), [
    (LINES, 2, None),
    (LINES[:2] + ["A: さん！"] + LINES[3:], 2, NOTE_EDITED),  # edited: found by content
    (LINES[:2] + ["A: まるで別物"] + LINES[3:], 2, NOTE_NEAREST),  # rewritten: its place
    (LINES[:2] + ["X: new1", "X: new2"] + LINES[2:], 2, NOTE_NEW_LINES),
    (LINES[:1] + ["X: new"] + LINES[1:], 2, NOTE_NEW_LINES),
    (LINES[1:], 2, NOTE_MOVED),  # a line above deleted
    (LINES[:2] + LINES[3:], 2, NOTE_NEAREST),
])
def test_relocate_notes(tmp_path: Path, new: list[str], at: int, note: str | None) -> None:
    old_story, new_story = two_versions(tmp_path, LINES, new)
    assert relocate_with_note(old_story, Cursor(0, at), new_story)[1] == note


def test_relocate_keeps_its_place_among_repeated_lines(tmp_path: Path) -> None:
    repeated = ["A: ……", "B: うん", "A: ……", "B: うん", "A: ……"]
    old, new = two_versions(tmp_path, repeated, repeated[1:] + ["X: あとがき"])
    assert relocate(old, new, Cursor(0, 3)) == Cursor(0, 2)  # the second うん, not the first


def test_relocate_current_deleted_lands_on_next(tmp_path: Path) -> None:
    old, new = two_versions(tmp_path, LINES, LINES[:2] + LINES[3:])
    c = relocate(old, new, Cursor(0, 2))
    assert new.scenes[0].scene.messages[c.message].text == "よん"


def test_relocate_insert_in_an_earlier_scene_does_not_jump_back(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    path.write_text(script(LINES) + script(["C: 夜", "C: 朝"], "2025.01.02"), encoding="utf-8")
    old = load_story(path)
    path.write_text(script(["X: new"] + LINES) + script(["C: 夜", "C: 朝"], "2025.01.02"),
                    encoding="utf-8")
    new = load_story(path)
    assert relocate(old, new, Cursor(1, 1)) == Cursor(1, 1)


def test_relocate_across_files_and_a_removed_file(tmp_path: Path) -> None:
    (tmp_path / "1.log").write_text(script(LINES), encoding="utf-8")
    (tmp_path / "2.log").write_text(script(["C: 夜", "C: 朝"], "2025.01.02"), encoding="utf-8")
    old = load_story(tmp_path)
    (tmp_path / "1.log").write_text(script(["Z: まえがき"] + LINES), encoding="utf-8")
    new = load_story(tmp_path)
    assert relocate(old, new, Cursor(1, 1)) == Cursor(1, 1)  # other file edited: no move
    (tmp_path / "1.log").unlink()
    (tmp_path / "3.log").write_text(script(["C: 朝", "C: 昼"], "2025.01.03"), encoding="utf-8")
    (tmp_path / "2.log").unlink()
    gone = load_story(tmp_path)
    c = relocate(old, gone, Cursor(1, 1))  # its file is gone: the same text elsewhere
    assert gone.scenes[c.scene].scene.messages[c.message].text == "朝"


# --- reload_story --------------------------------------------------------------------


def test_reload_keeps_old_on_new_errors_but_not_on_old_ones(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    path.write_text(script(LINES + ["A: <ruby>壊<rt>こわ"]), encoding="utf-8")
    old = load_story(path)
    assert any(d.severity == "error" for d in old.all_diagnostics())
    path.write_text(script(["X: top"] + LINES + ["A: <ruby>壊<rt>こわ"]), encoding="utf-8")
    result = reload_story(path, old)  # the same error, moved down a line: not new
    assert result.story is not None and result.diagnostics == ()
    assert result.changed_files == (str(path.resolve()),)
    path.write_text(script(["X: <rt>bad</rt>"] + LINES), encoding="utf-8")
    broken = reload_story(path, result.story)
    assert broken.story is None
    assert [d.code for d in broken.diagnostics] == ["LOG013"]


def test_reload_refuses_a_story_with_nothing_left(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    path.write_text(script(LINES), encoding="utf-8")
    old = load_story(path)
    path.write_text("just notes now\n", encoding="utf-8")
    result = reload_story(path, old)
    assert result.story is None and result.diagnostics[0].code == "RLD001"


# --- the watcher ----------------------------------------------------------------------


def test_watcher_reports_only_settled_changes(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "s.log"
    path.write_text(script(LINES), encoding="utf-8")
    w = Watcher([path], clock=clock)
    assert w.poll() is None
    save(path, script(LINES[:2]))
    assert w.poll() is None  # just seen: not yet known to be still
    clock.tick(0.01)
    assert w.poll() is None  # still, but for less than the settle time
    clock.tick()
    assert w.poll() == {path}
    clock.tick()
    assert w.poll() is None  # reported once


def test_watcher_never_reports_a_half_written_file(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "s.log"
    path.write_text(script(LINES), encoding="utf-8")
    w = Watcher([path], clock=clock, give_up=1.0)
    full = script(LINES + ["A: 書きかけの行"]).encode("utf-8")
    cut = full.index("書".encode()) + 1  # in the middle of a three-byte character
    path.write_bytes(full[:cut])
    assert not decodes_fully(path)
    for _ in range(5):  # settled, but not whole text: held back
        clock.tick()
        assert w.poll() is None
    path.write_bytes(full)
    assert w.poll() is None
    clock.tick()
    assert w.poll() == {path}


def test_watcher_new_file_in_folder_and_deleted_file(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "1.log"
    path.write_text(script(LINES), encoding="utf-8")
    w = Watcher([tmp_path], clock=clock)
    (tmp_path / "notes.png").write_bytes(b"\x89PNG")  # not a script: not watched
    (tmp_path / "2.log").write_text(script(["C: 夜"]), encoding="utf-8")
    assert w.poll() is None
    clock.tick()
    assert w.poll() == {tmp_path / "2.log"}
    path.unlink()
    w.poll()
    clock.tick()
    assert w.poll() == {path}


# --- the controller under edits -------------------------------------------------------------


class Edits:
    """A story on disk, a session reading it, and a controller ticking with a fake clock."""

    def __init__(self, tmp_path: Path, lines: list[str], at: int) -> None:
        self.path = tmp_path / "scripts" / "01.log"
        self.path.parent.mkdir()
        self.path.write_text(script(lines), encoding="utf-8")
        story = load_story(tmp_path)
        self.session = FakeSession(story, Runtime(story, start=Cursor(0, at)))
        self.clock = Clock()
        self.ctl = WatchController(self.session, tmp_path, clock=self.clock)

    def save(self, lines: list[str], ticks: int = 3):
        save(self.path, script(lines))
        return self.settle(ticks)

    def settle(self, ticks: int = 3):
        """`ticks` polls 60 ms apart; the one event they brought, if any."""
        events = []
        for _ in range(ticks):
            event = self.ctl.tick()
            if event is not None:
                events.append(event)
            self.clock.tick()
        assert len(events) <= 1
        return events[0] if events else None

    @property
    def text(self) -> str:
        return self.session.runtime.message.text


def test_controller_change_insert_delete_break_fix(tmp_path: Path) -> None:
    e = Edits(tmp_path, LINES, at=2)
    assert e.settle() is None

    ev = e.save(LINES[:2] + ["A: さん、書き直した"] + LINES[3:])  # change the current message
    assert ev.kind == "reloaded" and ev.cursor == Cursor(0, 2)
    assert e.text == "さん、書き直した"
    lines = LINES[:2] + ["A: さん、書き直した"] + LINES[3:]

    lines = lines[:2] + ["X: 足した一行目", "X: 足した二行目"] + lines[2:]
    ev = e.save(lines)  # insert lines above
    assert ev.kind == "reloaded" and e.text == "足した一行目"

    del lines[2]
    ev = e.save(lines)  # delete the current line
    assert ev.kind == "reloaded" and e.text == "足した二行目"

    good = e.session.story
    broken = lines[:3] + ["A: <ruby>星<rt>ほし"] + lines[3:]
    assert e.save(broken) is None and e.ctl.held is not None  # a new error: held back first
    ev = e.settle(ticks=20)  # unchanged for the grace period: shown
    assert ev.kind == "failed" and e.ctl.held is None
    assert e.session.story is good and e.text == "足した二行目"  # still the last good version
    assert [(d.code, d.pos.line, d.pos.col) for d in ev.diagnostics] == [("LOG011", 5, 4)]
    assert e.ctl.failing == ev.diagnostics

    ev = e.save(lines[:3] + ["A: <ruby>星<rt>ほし</rt></ruby>"] + lines[3:])  # fix it
    assert ev.kind == "reloaded" and ev.diagnostics == () and e.ctl.failing == ()
    assert e.text == "足した二行目"
    assert texts(e.session.story)[3] == "星"


def test_controller_half_written_save_is_never_loaded(tmp_path: Path) -> None:
    e = Edits(tmp_path, LINES, at=1)
    full = script(LINES + ["B: 最後の一行はとても長い"]).encode("utf-8")
    half = full[: full.index("長".encode()) + 2]
    e.path.write_bytes(half)
    assert e.settle() is None  # held back: the bytes do not decode
    assert e.settle() is None
    assert texts(e.session.story) == [line.split(": ")[1] for line in LINES]
    e.path.write_bytes(full)
    ev = e.settle()
    assert ev is not None and ev.kind == "reloaded"
    assert texts(e.session.story)[-1] == "最後の一行はとても長い"
    assert e.session.runtime.cursor == Cursor(0, 1)


# --- saves caught half-written (QA #2) ---------------------------------------------------

EDITED = LINES[:1] + ["B: にに、書き直した行"] + LINES[2:]


def halves(lines: list[str], cut_after: str) -> tuple[bytes, bytes]:
    """A script's bytes cut just after `cut_after` (mid-line, no END marker) and in full."""
    full = script(lines).encode("utf-8")
    return full[: full.index(cut_after.encode()) + len(cut_after.encode())], full


def test_unfinished_names_the_signs_of_a_cut_file(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    path.write_text(script(LINES), encoding="utf-8")
    old = load_story(path)
    old_tails = script_tails(old)
    assert old_tails == {str(path.resolve()): True}
    half, full = halves(EDITED, "にに、書")
    path.write_bytes(half)
    new = load_story(path)
    assert tail_closed(path) is False
    assert unfinished(old, new, old_tails, script_tails(new)) == (
        "s.log: a block is not closed at the end (LOG003)", "s.log: the last line has no <br>")
    path.write_bytes(full + "A: <b>太字</b><br>\n".encode())  # a new warning, not a sign
    assert unfinished(old, load_story(path), old_tails, script_tails(load_story(path))) == ()
    # A writer who never closes the block nor ends lines with <br>: nothing new.
    path.write_text("--- LOG START --- 2025.01.01<br>\nA: いち\nB: に", encoding="utf-8")
    open_old = load_story(path)
    path.write_text("--- LOG START --- 2025.01.01<br>\nA: いち\nB: に\nA: さ", encoding="utf-8")
    open_new = load_story(path)
    assert unfinished(open_old, open_new, script_tails(open_old), script_tails(open_new)) == ()


def test_controller_two_step_save_never_shows_the_half(tmp_path: Path) -> None:
    e = Edits(tmp_path, LINES, at=3)
    story = e.session.story
    half, full = halves(EDITED, "にに、書")
    e.path.write_bytes(half)  # the editor's first write ...
    assert e.settle(ticks=5) is None  # ... 0.3 s later still the only one: held, not shown
    assert e.session.story is story and e.ctl.held is not None and e.text == "よん"
    e.path.write_bytes(full)  # the rest arrives
    ev = e.settle()
    assert ev.kind == "reloaded" and ev.note is None and e.ctl.held is None
    assert e.text == "よん" and texts(e.session.story)[1] == "にに、書き直した行"


def test_a_half_file_left_alone_is_accepted_and_the_place_comes_back(tmp_path: Path) -> None:
    e = Edits(tmp_path, LINES, at=3)
    half, full = halves(EDITED, "にに、書")
    e.path.write_bytes(half)
    ev = e.settle(ticks=20)  # unchanged for the grace period, warnings only: accepted
    assert ev.kind == "reloaded" and texts(e.session.story) == ["いち", "にに、書"]
    assert e.text == "にに、書"  # the reader's line is not in this version
    e.path.write_bytes(full)  # completed within the burst: back where the reader really was
    ev = e.settle()
    assert ev.kind == "reloaded" and e.text == "よん"


def test_the_burst_ends_when_the_reader_moves_or_time_passes(tmp_path: Path) -> None:
    half, full = halves(EDITED, "にに、書")
    for name in ("moved", "later"):
        (tmp_path / name).mkdir()
    e = Edits(tmp_path / "moved", LINES, at=3)
    e.path.write_bytes(half)
    assert e.settle(ticks=20).kind == "reloaded" and e.text == "にに、書"
    e.session.runtime.back()  # the reader read on in that version: their place now
    e.path.write_bytes(full)
    assert e.settle().kind == "reloaded" and e.text == "いち"

    e = Edits(tmp_path / "later", LINES, at=3)
    e.path.write_bytes(half)
    assert e.settle(ticks=20).kind == "reloaded" and e.text == "にに、書"
    e.clock.tick(BURST + 1)  # a while on this version: it is where the reader is
    e.path.write_bytes(full)
    assert e.settle().kind == "reloaded" and e.text == "にに、書き直した行"


def test_controller_manifest_change(tmp_path: Path) -> None:
    e = Edits(tmp_path, LINES, at=3)
    manifest = tmp_path / "story.yaml"
    manifest.write_text("title: 新しい題\nscripts: [scripts/01.log]\n", encoding="utf-8")
    ev = e.settle()
    assert ev is not None and ev.kind == "reloaded"
    assert e.session.story.title == "新しい題" and e.session.runtime.cursor == Cursor(0, 3)


def test_runtime_history_survives_a_reload(tmp_path: Path) -> None:
    e = Edits(tmp_path, LINES, at=0)
    for _ in range(3):
        e.session.runtime.advance()
    e.save(LINES[1:])  # a line above deleted: the backlog starts at the next one
    rt = e.session.runtime
    assert rt.history_start == Cursor(0, 0) and rt.cursor == Cursor(0, 2)
    assert rt.message.text == "よん"


# --- play --at -----------------------------------------------------------------------------


def test_cursor_at_line_and_parse_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    e = Edits(tmp_path, LINES, at=0)
    story = e.session.story
    assert cursor_at_line(story, "scripts/01.log", 4) == Cursor(0, 2)
    assert cursor_at_line(story, e.path, 1) == Cursor(0, 0)  # the START line: the first message
    monkeypatch.chdir(tmp_path.parent)
    assert cursor_at_line(story, f"{tmp_path.name}/scripts/01.log", 6) == Cursor(0, 4)
    assert cursor_at_line(story, "other.log", 2) is None
    assert parse_at("C:/x/s.log:12") == ("C:/x/s.log", 12)
    with pytest.raises(ValueError):
        parse_at("s.log")
    with pytest.raises(ValueError):
        parse_at("s.log:0")


def test_a_save_without_edits_does_nothing(tmp_path: Path) -> None:
    e = Edits(tmp_path, LINES, at=2)
    story = e.session.story
    assert e.save(LINES) is None  # same text written again: the mtime moved, the story did not
    (tmp_path / "README.txt").write_text("notes beside the story", encoding="utf-8")
    assert e.settle() is None
    assert e.session.story is story


# --- in a running player (dummy video driver) ------------------------------------------------


class Player:
    """A player reading a story on disk under `play --watch`, stepped by hand."""

    def __init__(self, tmp_path: Path, lines: list[str], at: int, view: str = "adv") -> None:
        import pygame

        from engine.app.app import App, PlayOptions, Session
        from engine.app.i18n import set_language
        from engine.app.overlay import LiveReload
        from engine.manifest import story_id
        from engine.preferences import Preferences
        from engine.runtime import ReadMarks
        from engine.saves import SaveStore

        self.path = tmp_path / "story" / "01.log"
        self.path.parent.mkdir()
        self.path.write_text(script(lines), encoding="utf-8")
        story = load_story(self.path.parent)
        saves = tmp_path / "saves"
        session = Session(story=story, runtime=Runtime(story), marks=ReadMarks(),
                          prefs=Preferences(text_speed=0), prefs_dir=saves,
                          saves=SaveStore(saves), story_id=story_id(story),
                          options=PlayOptions(view=view))
        set_language("en")
        pygame.display.init()
        self.clock = Clock()
        self.app = App(session, clock=self.clock)
        self.app.open_window()
        self.app.running = True
        self.app.start_reading(Cursor(0, at))
        self.live = LiveReload(self.app, self.path.parent, interval=0.01).start()
        self.turns(2)

    def turns(self, n: int) -> list:
        """`n` turns of the app's own loop, 20 ms apart; the reload events they brought."""
        seen = len(self.live.events)
        for _ in range(n):
            self.clock.tick(0.02)
            self.app.step(max_wait=0)
        return self.live.events[seen:]

    def save(self, lines: list[str], turns: int = 4):
        save(self.path, script(lines))
        events = self.turns(turns)
        assert len(events) == 1, events
        return events[0]

    @property
    def text(self) -> str:
        return self.app.session.runtime.message.text

    @property
    def overlay(self):
        return self.app.overlay


@pytest.fixture(params=["adv", "chat"])
def player(tmp_path: Path, request: pytest.FixtureRequest):
    import pygame

    p = Player(tmp_path, LINES, at=2, view=request.param)
    yield p
    pygame.display.quit()


def test_player_follows_edits_and_shows_broken_saves(player: Player) -> None:
    import pygame

    from engine.app.overlay import DiagnosticsOverlay, source_line

    view = player.app.reading_screen().view_name
    assert player.text == "さん" and player.overlay is None
    drawn = player.app.frames_drawn

    player.save(LINES[:2] + ["A: さん、直した"] + LINES[3:])  # change the current message
    assert player.text == "さん、直した" and player.app.reading_screen().view_name == view
    assert player.app.frames_drawn > drawn
    assert any(t.text == "Reloaded: 01.log" for t in player.app.toasts)
    lines = LINES[:2] + ["A: さん、直した"] + LINES[3:]

    lines = lines[:2] + ["X: 上に足した"] + lines[2:]
    player.save(lines)  # insert a line above
    assert player.text == "上に足した"

    del lines[2]
    player.save(lines)  # delete the current line
    assert player.text == "さん、直した"

    broken = lines[:1] + ["B: <ruby>壊<rt>こわ"] + lines[1:]
    save(player.path, script(broken))
    assert player.turns(30) == [] and player.overlay is None  # held back for the grace period
    (ev,) = player.turns(30)  # break the syntax: then the overlay says where
    assert ev.kind == "failed" and player.text == "さん、直した"
    overlay = player.overlay
    assert isinstance(overlay, DiagnosticsOverlay)
    d = overlay.diagnostics[0]
    assert (Path(d.pos.file).name, d.pos.line, d.pos.col, d.code) == ("01.log", 3, 4, "LOG011")
    assert source_line(d.pos.file, d.pos.line) == "B: <ruby>壊<rt>こわ<br>"
    panel = player.app.canvas.get_at((40, 40))
    assert panel.r > panel.g and panel.r < 80  # the dark red panel is on screen
    assert player.app.reading_screen() is player.app.top  # the story still has the input

    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE, mod=0,
                                         unicode=" ", scancode=0))
    player.turns(1)  # still playing the last good version under the overlay
    assert player.text == "よん" and player.overlay is overlay
    panel = player.app.canvas.get_at((40, 40))
    assert panel.r > panel.g and panel.r < 80  # and the panel is drawn over the new frame

    ev = player.save(lines)  # fix it: the overlay clears
    assert ev.kind == "reloaded" and player.overlay is None
    assert player.text == "よん"
    assert ev.changed_files == ()  # the same as the last good version...
    assert any(t.text == "Errors fixed: 01.log" for t in player.app.toasts)  # ...still named
    assert not any("—" in t.text for t in player.app.toasts)
    assert player.app.canvas.get_at((40, 40)) != panel


def test_player_moves_to_the_first_line_inserted_anywhere_above_unread(player: Player) -> None:
    # QA #4: two lines inserted at the top of the scene, two lines above the reader.
    marks = player.app.session.marks
    player.turns(2)
    assert player.text == "さん" and marks.is_read(player.app.session.runtime.message)
    ev = player.save(["X: 足した一", "X: 足した二"] + LINES)
    assert ev.note == NOTE_NEW_LINES and player.text == "足した一"
    assert any(t.text.endswith("(showing the lines added)") for t in player.app.toasts)
    story = player.app.session.story
    second = story.scenes[0].scene.messages[1]
    assert second.text == "足した二" and not marks.is_read(second)  # skip stops there
    old = story.scenes[0].scene.messages[4]
    assert old.text == "さん" and marks.is_read(old)  # what was read stays read


def test_player_two_step_save_keeps_the_old_version_and_the_place(player: Player) -> None:
    # QA #2: the editor writes up to the middle of a line, then the rest 0.3 s later.
    story = player.app.session.story
    player.app.session.runtime.advance()
    player.turns(1)
    assert player.text == "よん"
    half, full = halves(EDITED, "にに、書")
    player.path.write_bytes(half)
    assert player.turns(15) == [] and player.app.session.story is story
    assert player.text == "よん" and player.overlay is None
    player.path.write_bytes(full)
    (event,) = player.turns(4)
    assert event.kind == "reloaded" and player.text == "よん"
    assert texts(player.app.session.story)[1] == "にに、書き直した行"


def test_player_never_loads_a_half_written_save(player: Player) -> None:
    story = player.app.session.story
    full = script(LINES + ["B: 最後の一行はとても長い"]).encode("utf-8")
    player.path.write_bytes(full[: full.index("長".encode()) + 2])  # cut inside a character
    assert player.turns(20) == [] and player.app.session.story is story
    assert player.overlay is None
    player.path.write_bytes(full)
    (event,) = player.turns(4)
    assert event.kind == "reloaded" and player.text == "さん"
    assert texts(player.app.session.story)[-1] == "最後の一行はとても長い"


def test_a_save_shows_within_300_ms_of_the_loops_own_clock(player: Player) -> None:
    # An idle loop still wakes to poll the files.
    assert player.app._timeout(None) <= player.live.interval + 1e-9
    saved_at = player.clock.now
    save(player.path, script(LINES[:2] + ["A: 三"] + LINES[3:]))
    while True:
        drawn = player.app.frames_drawn
        player.turns(1)
        assert player.clock.now - saved_at <= 0.3
        if player.text == "三":
            break
    assert player.app.frames_drawn > drawn  # drawn in the same loop turn as the reload


def test_a_save_under_a_menu_closes_it_and_shows_the_new_version(player: Player) -> None:
    import pygame

    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0,
                                         unicode="", scancode=0))
    player.turns(1)
    assert player.app.reading_screen() is not player.app.top  # the game menu is open
    player.save(LINES[:2] + ["A: 三"] + LINES[3:])
    assert player.app.reading_screen() is player.app.top and player.text == "三"


def test_overlay_draws_long_lines_with_the_caret_in_view() -> None:
    import pygame

    from engine.app.overlay import draw_diagnostics, visible_source
    from engine.model import Diagnostic, Pos
    from engine.render import FontSet

    pygame.init()
    fonts = FontSet()
    line = "あ" * 200 + "<ruby>"
    shown, col = visible_source(fonts, line, 201, 20, 600)
    assert shown.startswith("…") and shown[col - 1] == "<"
    assert fonts.measure(shown[: col - 1], 20) <= 600
    surface = pygame.Surface((1280, 720))
    diags = [Diagnostic(Pos("x.log", 1, 201), "error", "LOG011", "no </ruby>")] * 6
    rect = draw_diagnostics(surface, diags, fonts, source=lambda f, n: line)
    assert rect.top == 32 and rect.height < 720
    assert surface.get_at((rect.x + 1, rect.y + 1))[:3] != (0, 0, 0)


def test_play_at_takes_paths_from_here_and_bad_specs_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine.commands.play import _start_at

    e = Edits(tmp_path, LINES, at=0)
    story = e.session.story
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert _start_at(story, "../scripts/01.log:5") == Cursor(0, 3)
    assert _start_at(story, str(e.path) + ":2") == Cursor(0, 0)
    assert _start_at(story, "01.log") is None
    assert "FILE:LINE" in capsys.readouterr().err
    assert _start_at(story, "../scripts/02.log:3") is None
    assert "no script of the story" in capsys.readouterr().err


def test_play_watch_and_at_from_the_command_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    e = Edits(tmp_path, LINES, at=0)
    done = subprocess.run(
        [sys.executable, "-m", "engine", "play", str(tmp_path), "--watch", "--at",
         "scripts/01.log:4", "--first-frame-exit", "--save-dir", str(tmp_path / "saves")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    from engine.manifest import story_id
    from engine.saves import SaveData, SaveStore, save_dir

    auto = SaveStore(save_dir(story_id(e.session.story), tmp_path / "saves")).read("auto")
    assert isinstance(auto, SaveData) and auto.position.flat == 2  # line 4 is さん
