"""Live reload: re-read a story after a save and keep the reader's place.

`reload_story` loads the story again and decides whether the new version can
replace the one playing: a save that introduces errors keeps the last good
version (and hands back the errors for the overlay). `relocate` maps the
reader's cursor from the old version to the new one:

- the same scene and index when that message is unchanged;
- the first new line when lines were inserted right above it in its
  scene (so the writer sees what they just wrote);
- the edited message itself when it was changed in place;
- the next line when it was deleted;
- the nearest message with the same content when its file is gone or
  renamed; else the nearest position.

The matching aligns each script's messages old-to-new by content key
(difflib), so a line keeps its place whatever else moved around it.

`WatchController` glues a `engine.watch.Watcher` to these for the player:
the app calls `tick()` from its loop. Pure: no pygame.
"""

from __future__ import annotations

import difflib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from engine.manifest import StoryError, load_story
from engine.model import Diagnostic, Message, Pos, Story
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


# --- relocating the cursor ----------------------------------------------------


def _file_messages(story: Story) -> dict[str, list[tuple[Cursor, Message]]]:
    """Each script's messages in file order, with their cursors in play order."""
    out: dict[str, list[tuple[Cursor, Message]]] = {}
    for ref in story.scenes:
        entries = out.setdefault(story.scripts[ref.script].file, [])
        entries.extend((Cursor(ref.index, i), m) for i, m in enumerate(ref.scene.messages))
    return out


def relocate(old_story: Story, new_story: Story, cursor: Cursor) -> Cursor:
    """Where the reader standing at `cursor` in the old version stands in the new one."""
    new_index = StoryIndex(new_story)
    old_index = StoryIndex(old_story)
    cursor = old_index.clamp(cursor)
    message = old_index.message_at(cursor)
    file = old_story.scripts[old_story.scenes[cursor.scene].script].file
    old_entries = _file_messages(old_story).get(file, [])
    new_entries = _file_messages(new_story).get(file)
    if not new_entries:
        return _nearest_by_key(new_story, new_index, message, old_index.flat_index(cursor))
    at = next(i for i, (c, _) in enumerate(old_entries) if c == cursor)
    j = _map_index(old_entries, new_entries, at)
    if j < len(new_entries):
        return new_entries[j][0]
    # Past the file's end (its last lines were deleted): the message after it, else the last.
    after = new_index.next_cursor(new_entries[-1][0])
    return after if after is not None else new_entries[-1][0]


def _map_index(old: list[tuple[Cursor, Message]], new: list[tuple[Cursor, Message]],
               at: int) -> int:
    """The index in `new` for message `at` of `old`, by aligning the two by content."""
    a = [m.content_key() for _, m in old]
    b = [m.content_key() for _, m in new]
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "insert" or not i1 <= at < i2:
            continue
        if tag == "equal":
            j = j1 + (at - i1)
            inserted = _inserted_above(ops, k, at, new, new[j][0].scene)
            return j if inserted is None else inserted
        if tag == "replace":
            return j1 + min(at - i1, j2 - j1 - 1)
        return j1  # "delete": the line after the deleted ones
    return len(new)


def _inserted_above(ops: list[tuple[str, int, int, int, int]], k: int, at: int,
                    new: list[tuple[Cursor, Message]], scene: int) -> int | None:
    """The first of the lines inserted right above the reader in its scene, if any.

    Only an insertion directly above counts (no unchanged line between it
    and the reader): that is a writer adding lines before the one they are
    reading. A line added further up, or to an earlier scene, is no reason
    to move the reader back (the same rule as engine.runtime.relocate).
    """
    tag, i1, _, j1, j2 = ops[k - 1] if k > 0 else ("equal", 0, 0, 0, 0)
    if tag != "insert" or at != ops[k][1]:
        return None
    return next((j for j in range(j1, j2) if new[j][0].scene == scene), None)


def _nearest_by_key(story: Story, index: StoryIndex, message: Message, flat: int) -> Cursor:
    """The message with the same content nearest to `flat`, else the position `flat` itself."""
    key = message.content_key()
    best: tuple[int, Cursor] | None = None
    for c in index.cursors():
        if index.message_at(c).content_key() == key:
            rank = (abs(index.flat_index(c) - flat), c)
            if best is None or rank < best:
                best = rank
    if best is not None:
        return best[1]
    return index.cursor_at(min(max(flat, 0), index.total - 1))


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


@dataclass(frozen=True, slots=True)
class ReloadEvent:
    """What a tick did: "reloaded" (new story in place; clears any overlay) or "failed" (old kept)."""

    kind: Literal["reloaded", "failed"]
    diagnostics: tuple[Diagnostic, ...]
    changed_files: tuple[str, ...]
    cursor: Cursor
    seconds: float = 0.0  # from noticing the save to the relocated story


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
    session's `story` and `runtime` are replaced (the runtime at the
    relocated cursor); on failure they are left alone.
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
        runtime = relocated_runtime(old, result.story, self.session.runtime)
        self.session.story = result.story
        self.session.runtime = runtime
        self.failing = ()
        self.watcher.paths = tuple(watch_paths(result.story, self.source))
        return ReloadEvent("reloaded", (), result.changed_files, runtime.cursor,
                           time.perf_counter() - start)


def relocated_runtime(old: Story, new: Story, runtime: Runtime) -> Runtime:
    """A runtime over `new` at the relocated cursor, its backlog start relocated too."""
    cursor = relocate(old, new, runtime.cursor)
    fresh = Runtime(new, start=cursor)
    fresh.history_start = min(relocate(old, new, runtime.history_start), cursor)
    return fresh
