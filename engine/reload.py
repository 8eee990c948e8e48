"""Live reload: re-read a story after a save and keep the reader's place.

`reload_story` loads the story again and decides whether the new version can
replace the one playing: a save that introduces errors keeps the last good
version (and hands back the errors for the overlay). Where the reader then
stands is `engine.runtime.relocate` (through `Runtime.reload`): the same
message, or the first line inserted above it in its scene, or the edited
line found by content, or the nearest one.

`WatchController` glues a `engine.watch.Watcher` to these for the player:
the app calls `tick()` from its loop, and the session swaps the story in
(`replace_story`). `cursor_at_line` finds the message for `play --at`.
Pure: no pygame.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from engine.manifest import StoryError, load_story
from engine.model import Diagnostic, Pos, Story
from engine.runtime import Cursor, EmptyStoryError, Runtime, StoryIndex, find_source_line
from engine.watch import Watcher

DEFAULT_INTERVAL = 0.05  # seconds between polls: the save-to-screen latency floor


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """A reload attempt: the new story (None: keep the old one) and what is wrong with it."""

    story: Story | None
    diagnostics: tuple[Diagnostic, ...]  # the errors that made it refuse; () when accepted
    changed_files: tuple[str, ...]  # scripts (and the manifest) whose content changed


def _error_key(d: Diagnostic) -> tuple[str, str, str]:
    # Position left out: an old error that only moved (lines added above) is not new.
    return (d.pos.file, d.code, d.message)


def new_errors(old: Story, new: Story) -> tuple[Diagnostic, ...]:
    """The new version's errors that the old version did not already have."""
    budget = Counter(_error_key(d) for d in old.all_diagnostics() if d.severity == "error")
    fresh = []
    for d in new.all_diagnostics():
        if d.severity != "error":
            continue
        if budget[_error_key(d)] > 0:
            budget[_error_key(d)] -= 1
        else:
            fresh.append(d)
    return tuple(fresh)


def reload_story(path: Path | str, old_story: Story) -> ReloadResult:
    """Load the story at `path` again; refuse it when the save introduced errors.

    Errors the playing version already had (the parser recovers from them)
    do not block a reload; new ones do, and every error of the new version
    is returned so the overlay can show them. A story that cannot be loaded
    at all (no scripts left) is refused with one diagnostic.
    """
    try:
        story = load_story(path)
        StoryIndex(story)  # a story with no message cannot be played
    except (StoryError, EmptyStoryError, OSError) as exc:
        where = Pos(str(old_story.manifest or path), 1)
        return ReloadResult(None, (Diagnostic(where, "error", "RLD001", str(exc)),), ())
    changed = changed_files(old_story, story)
    if new_errors(old_story, story):
        errors = tuple(d for d in story.all_diagnostics() if d.severity == "error")
        return ReloadResult(None, errors, changed)
    return ReloadResult(story, (), changed)


def changed_files(old: Story, new: Story) -> tuple[str, ...]:
    """Scripts whose parse differs between versions, and the manifest if the story did."""
    olds = {s.file: s for s in old.scripts}
    news = {s.file: s for s in new.scripts}
    files = sorted(f for f in olds.keys() | news.keys() if olds.get(f) != news.get(f))
    rest_old = (old.title, old.characters, [r.config for r in old.scenes], old.font,
                old.fallback_fonts, old.layout, old.view, old.diagnostics)
    rest_new = (new.title, new.characters, [r.config for r in new.scenes], new.font,
                new.fallback_fonts, new.layout, new.view, new.diagnostics)
    if rest_old != rest_new and new.manifest is not None:
        files.append(str(new.manifest))
    return tuple(files)


# --- play --at ----------------------------------------------------------------


def cursor_at_line(story: Story, file: str | Path, line: int) -> Cursor | None:
    """The message on (or after) a script's source line, for `play --at FILE:LINE`.

    `file` may be relative to the current folder, to the story root, or
    absolute; None when no script of the story is that file.
    """
    found = find_source_line(story, str(file), line)
    if found is None:
        found = find_source_line(story, Path(file).resolve().as_posix(), line)
    return found


def parse_at(spec: str) -> tuple[str, int]:
    """Split `FILE:LINE` (the last colon wins, so Windows drive letters survive)."""
    file, sep, line = spec.rpartition(":")
    if not sep or not file or not line.isdigit() or int(line) < 1:
        raise ValueError(f"--at wants FILE:LINE with a line number from 1, not {spec!r}")
    return file, int(line)


# --- the controller the app ticks ------------------------------------------------


class SessionLike(Protocol):
    """What the controller reads and replaces (engine.app.app.Session fits)."""

    story: Story
    runtime: Runtime

    def replace_story(self, story: Story) -> str | None:
        """Swap in the new version, relocating the runtime; the relocation's note."""


@dataclass(frozen=True, slots=True)
class ReloadEvent:
    """What a tick did: "reloaded" (new story in place; clears any overlay) or "failed" (old kept)."""

    kind: Literal["reloaded", "failed"]
    diagnostics: tuple[Diagnostic, ...]
    changed_files: tuple[str, ...]
    cursor: Cursor
    seconds: float = 0.0  # from noticing the save to the relocated story
    note: str | None = None  # how the place was found (engine.runtime NOTE_*), None: unmoved


def watch_paths(story: Story, source: Path) -> list[Path]:
    """The files and folders to watch: every script, story.yaml, and their folders."""
    paths: set[Path] = {Path(s.file) for s in story.scripts}
    if story.manifest is not None:
        paths.add(Path(story.manifest))
    source = Path(source)
    if source.is_dir():
        # New scripts dropped into a script folder, a story.yaml created at the root.
        paths |= {p.parent for p in list(paths)} | {Path(story.root)}
    return sorted(paths)


class WatchController:
    """Reloads the session's story when its files are saved, keeping the reader's place.

    Call `tick()` about every `interval` seconds from the app's loop; it
    returns None when nothing happened, else a ReloadEvent. On success the
    new story goes to `session.replace_story` (which relocates the runtime);
    on failure the session is left alone.
    """

    def __init__(self, session: SessionLike, source: Path | str, *,
                 interval: float = DEFAULT_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.source = Path(source)
        self.interval = interval
        self._clock = clock
        self.watcher = Watcher(watch_paths(session.story, self.source),
                               settle=interval, clock=clock)
        self.failing: tuple[Diagnostic, ...] = ()  # errors shown until a good save

    def tick(self) -> ReloadEvent | None:
        """Poll the files; on a settled change, reload and relocate."""
        changed = self.watcher.poll()
        if changed is None:
            return None
        return self.reload(changed)

    def reload(self, changed: Iterable[Path] = ()) -> ReloadEvent | None:
        """Reload now (the watcher saw `changed`) and apply the result to the session.

        None when the files changed on disk but the story did not (a save
        without edits), unless an overlay is showing: then "reloaded" clears it.
        """
        start = time.perf_counter()
        old = self.session.story
        result = reload_story(self.source, old)
        cursor = self.session.runtime.cursor
        if result.story is None:
            self.failing = result.diagnostics
            return ReloadEvent("failed", result.diagnostics, result.changed_files, cursor,
                               time.perf_counter() - start)
        if not result.changed_files and not self.failing:
            return None  # saved without a change (or a file beside the story): nothing to do
        note = self.session.replace_story(result.story)
        self.failing = ()
        self.watcher.paths = tuple(watch_paths(result.story, self.source))
        return ReloadEvent("reloaded", (), result.changed_files, self.session.runtime.cursor,
                           time.perf_counter() - start, note)

