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

A half-written file must never be shown. The watcher only reports files
that stopped changing for one poll interval, which is not enough for an
editor that writes in two steps some tenths of a second apart, so the
content is checked too: a version with new problems compared with the one
playing (`unfinished`: a block left open at the end of a file (LOG003), a
last line that lost its `<br>`, or any new error) is held back as
provisional. The old version keeps playing; only when the files have stayed
unchanged for GRACE seconds is it shown (errors: the overlay) or accepted
(warnings only). A normal save has none of these signs and shows at once.

Saves close together form a burst: while the reader has not moved since
the last reload, every reload of the burst relocates from the place the
reader stood before its first save (`Runtime.reload(since=...)`), not from a
version they were only carried through.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from engine.logformat import decode
from engine.manifest import StoryError, load_story
from engine.model import Diagnostic, Pos, Story
from engine.runtime import (
    Anchor,
    Cursor,
    EmptyStoryError,
    Runtime,
    StoryIndex,
    find_source_line,
)
from engine.watch import Watcher

DEFAULT_INTERVAL = 0.05  # seconds between polls: the save-to-screen latency floor
GRACE = 1.0  # seconds a provisional version must stay unchanged before it is shown
BURST = 2.0  # seconds after a reload within which the next save belongs to the same burst
UNCLOSED_BLOCK = "LOG003"  # the parser's "a block never closed" (docs/DIAGNOSTICS.md)

# A finished last line: a `<br>` terminator, a LOG marker, or a wrapper end tag.
_CLOSED_TAIL = re.compile(
    r"(<br\s*/?>|^-{3}\s*LOG\s+(START|END)\b.*|</(pre|code)>)[\s\u3000]*$", re.IGNORECASE
)


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


# --- signs of a half-written save ---------------------------------------------------


def read_script_text(file: str | Path) -> str | None:
    """A script file's text as the parser reads it (its encodings, LF line ends).

    None when the decoder refuses the file; OSError when it cannot be read.
    """
    text, _notes = decode(Path(file).read_bytes(), str(file))
    return text


def tail_closed(file: str | Path) -> bool | None:
    """Whether a script's last non-blank line is finished; None if the file cannot be read.

    Finished: it ends with a `<br>` terminator, is a LOG START/END marker,
    or ends a `<pre>`/`<code>` wrapper. A file cut mid-line fails this.
    """
    try:
        text = read_script_text(file)
    except OSError:
        return None
    if text is None:
        return False  # refused by the decoder, e.g. cut inside a character
    last = next((ln for ln in reversed(text.split("\n")) if ln.strip(" \t\u3000")), "")
    return bool(_CLOSED_TAIL.search(last.strip(" \t\u3000")))


def script_tails(story: Story, files: Iterable[str] | None = None) -> dict[str, bool]:
    """`tail_closed` for the story's scripts (only `files` among them, when given)."""
    wanted = None if files is None else set(files)
    out: dict[str, bool] = {}
    for script in story.scripts:
        if wanted is None or script.file in wanted:
            closed = tail_closed(script.file)
            if closed is not None:
                out[script.file] = closed
    return out


def unfinished(old: Story, new: Story, old_tails: Mapping[str, bool],
               new_tails: Mapping[str, bool]) -> tuple[str, ...]:
    """Why `new` looks like a save caught half-written, compared with `old`; () if it does not.

    A script with more blocks left open at its end (LOG003) than before, or
    whose last line lost the terminator it had. (New errors are the
    caller's other sign: `ReloadResult.story` is None then.)
    """
    def open_blocks(story: Story) -> Counter[str]:
        return Counter(d.pos.file for d in story.all_diagnostics() if d.code == UNCLOSED_BLOCK)

    before, after = open_blocks(old), open_blocks(new)
    reasons = [f"{Path(f).name}: a block is not closed at the end ({UNCLOSED_BLOCK})"
               for f in sorted(after) if after[f] > before[f]]
    reasons += [f"{Path(f).name}: the last line has no <br>"
                for f, closed in sorted(new_tails.items()) if not closed and old_tails.get(f)]
    return tuple(reasons)


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

    def replace_story(self, story: Story, since: Anchor | None = None) -> str | None:
        """Swap in the new version, relocating the runtime (from `since` if given); the note."""


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


@dataclass(frozen=True, slots=True)
class Held:
    """A reloaded version held back as provisional, and since when its files are still."""

    result: ReloadResult
    tails: dict[str, bool]
    reasons: tuple[str, ...]  # why: `unfinished`, or the new errors
    since: float  # controller clock when it was read
    started: float  # perf_counter when the save was noticed (for ReloadEvent.seconds)


@dataclass(frozen=True, slots=True)
class _Burst:
    """The last reload applied: where it put the reader, and where the burst started."""

    anchor: Anchor
    story: Story
    placed: Cursor
    at: float


class WatchController:
    """Reloads the session's story when its files are saved, keeping the reader's place.

    Call `tick()` about every `interval` seconds from the app's loop; it
    returns None when nothing happened, else a ReloadEvent. On success the
    new story goes to `session.replace_story` (which relocates the runtime);
    on failure the session is left alone. A version that looks half-written
    (see the module notes) is `held` until its files stay unchanged for
    `grace` seconds.
    """

    def __init__(self, session: SessionLike, source: Path | str, *,
                 interval: float = DEFAULT_INTERVAL, grace: float = GRACE, burst: float = BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.source = Path(source)
        self.interval = interval
        self.grace = grace
        self.burst = burst
        self._clock = clock
        self.watcher = Watcher(watch_paths(session.story, self.source),
                               settle=interval, clock=clock)
        self.failing: tuple[Diagnostic, ...] = ()  # errors shown until a good save
        self.held: Held | None = None  # a provisional version, not shown yet
        self._tails = script_tails(session.story)  # of the version playing
        self._burst: _Burst | None = None

    def tick(self) -> ReloadEvent | None:
        """Poll the files; on a settled change reload, and show a held version once due."""
        changed = self.watcher.poll()
        if changed is not None:
            return self.reload(changed)
        held = self.held
        if held is None or self.watcher.busy or self._clock() - held.since < self.grace:
            return None
        self.held = None  # still for the whole grace period: the save is what the writer meant
        return self._apply(held.result, held.tails, held.started)

    def reload(self, changed: Iterable[Path] = ()) -> ReloadEvent | None:
        """Reload now (the watcher saw `changed`) and apply the result to the session.

        None when the version is held as provisional, or when the files
        changed on disk but the story did not (a save without edits), unless
        an overlay is showing: then "reloaded" clears it.
        """
        start = time.perf_counter()
        old = self.session.story
        result = reload_story(self.source, old)
        tails = {} if result.story is None else script_tails(result.story, result.changed_files)
        reasons = (tuple(d.format() for d in result.diagnostics) if result.story is None
                   else unfinished(old, result.story, self._tails, tails))
        if reasons and self.grace > 0:
            self.held = Held(result, tails, reasons, self._clock(), start)
            return None
        self.held = None
        return self._apply(result, tails, start)

    def _apply(self, result: ReloadResult, tails: dict[str, bool],
               start: float) -> ReloadEvent | None:
        """Show a reload's outcome: keep the old version on errors, else swap the new one in."""
        cursor = self.session.runtime.cursor
        if result.story is None:
            self.failing = result.diagnostics
            return ReloadEvent("failed", result.diagnostics, result.changed_files, cursor,
                               time.perf_counter() - start)
        if not result.changed_files and not self.failing:
            return None  # saved without a change (or a file beside the story): nothing to do
        anchor = self._anchor()
        note = self.session.replace_story(result.story, since=anchor)
        self._burst = _Burst(anchor, result.story, self.session.runtime.cursor, self._clock())
        self.failing = ()
        self._tails.update(tails)
        self.watcher.paths = tuple(watch_paths(result.story, self.source))
        return ReloadEvent("reloaded", (), result.changed_files, self.session.runtime.cursor,
                           time.perf_counter() - start, note)

    def _anchor(self) -> Anchor:
        """Where to relocate from: the burst's start while the reader has not moved since."""
        runtime, burst = self.session.runtime, self._burst
        if (burst is not None and self.session.story is burst.story
                and runtime.cursor == burst.placed and self._clock() - burst.at <= self.burst):
            return burst.anchor
        return runtime.anchor()
