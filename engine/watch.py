"""Watching a story's files for saves, by polling (no extra dependency).

A change is reported only once the file has settled: the same size,
modification time and inode on two consecutive polls at least `settle`
seconds apart, and the bytes decode fully as text. An editor that saves in
two steps (truncate and write half, then the rest) therefore never gets its
half-written file loaded: the first half is still "moving" when the second
arrives. A file that never decodes is reported anyway after `give_up`
seconds of stillness, so the parser can show the writer its encoding error
instead of the player waiting forever.

Pure standard library; no pygame. The clock is injectable so tests can run
without sleeping.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# What a watched folder contributes: scripts and manifests, not assets.
WATCHED_SUFFIXES = frozenset({".log", ".txt", ".html", ".htm", ".yaml", ".yml"})

# (size, mtime_ns, inode) of a file, or None when it does not exist.
Signature = tuple[int, int, int] | None


@dataclass(slots=True)
class _Pending:
    """A file seen changing: what it looked like and since when it has looked so."""

    sig: Signature
    since: float


def file_signature(path: Path) -> Signature:
    """Size, modification time and inode of a file; None if it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def decodes_fully(path: Path) -> bool:
    """Whether the file's bytes are complete text (UTF-8, else CP932).

    A file cut in the middle of a multi-byte character fails both; a file
    that is gone counts as decoded (its removal is the change to report).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    for encoding in ("utf-8-sig", "cp932"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


class Watcher:
    """Polls a set of files (and the script files in a set of folders) for settled changes.

    `paths` may name files or folders; a folder's files with a watched
    suffix (not recursive) are watched, so a new script dropped into the
    scripts folder is noticed too.
    """

    def __init__(
        self,
        paths: Iterable[Path],
        *,
        settle: float = 0.05,
        give_up: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paths = tuple(Path(p) for p in paths)
        self.settle = settle
        self.give_up = give_up
        self._clock = clock
        self._known: dict[Path, Signature] = {}
        self._known = self._snapshot()
        self._pending: dict[Path, _Pending] = {}

    def _files(self) -> set[Path]:
        files: set[Path] = set()
        for p in self.paths:
            if p.is_dir():
                try:
                    files.update(c for c in p.iterdir() if c.suffix.lower() in WATCHED_SUFFIXES)
                except OSError:
                    continue
            else:
                files.add(p)
        return files

    def _snapshot(self) -> dict[Path, Signature]:
        # Files seen before stay watched after they vanish, so a delete is reported.
        return {f: file_signature(f) for f in self._files() | self._known.keys()}

    def poll(self) -> set[Path] | None:
        """The files whose change has settled since the last report, or None if none has."""
        now = self._clock()
        ready: set[Path] = set()
        for path, sig in self._snapshot().items():
            if sig == self._known.get(path, None) and path not in self._pending:
                continue
            if self._settled(path, sig, now):
                ready.add(path)
        for path in ready:
            self._known[path] = self._pending.pop(path).sig
        return ready or None

    def _settled(self, path: Path, sig: Signature, now: float) -> bool:
        pending = self._pending.get(path)
        if pending is None or pending.sig != sig:
            if sig == self._known.get(path, None):
                self._pending.pop(path, None)  # changed and changed back: nothing to report
                return False
            self._pending[path] = _Pending(sig, now)
            return False
        still = now - pending.since
        if still < self.settle:
            return False
        return sig is None or decodes_fully(path) or still >= self.give_up

    @property
    def busy(self) -> bool:
        """Whether a change was seen that has not settled (and been reported) yet."""
        return bool(self._pending)

