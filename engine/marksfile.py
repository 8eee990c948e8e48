"""read-marks.bin: read marks on disk that scale, never shrink and survive a kill.

No pygame. The file is a packed base and an append-only journal:

    header   b"CVNMARK2", base count (u64 LE), CRC-32 of the base (u32 LE)
    base     count × 12-byte keys, sorted
    journal  batches: n (u32 LE), n × 12-byte keys, CRC-32 of n and keys (u32 LE)

Saving appends one batch holding only the marks made since the last save
(and fsyncs it), so it costs what changed. When the journal has grown to a
eighth of the base (at least 4,096 marks) the file is rebuilt: base and
journal folded into a new sorted base, written to a temp file and renamed
over the old one, so a kill leaves the old file or the new, never fewer
marks. A batch cut short by a kill is ignored and cut off before the next
append; a batch damaged in the middle of the file is kept (a copy of the
file beside it) before it is cut off.

Two players on one save folder (two stories, or the same one twice) share
the file under a lock: each append first reads what the others appended,
and each rebuild folds in everything on disk, so marks only grow.

A file whose header or base does not check is moved aside (`.damaged`,
never over an earlier one) and play starts with no marks; a file or folder
that cannot be read at all (permissions) turns saving off instead, so
nothing that exists is replaced by less. The version-1 `read-marks.json`
of any size is read once, folded in and renamed `.migrated`.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from engine.diskio import folder_lock, fsync_dir, keep_aside, plain_error, unreadable_reason
from engine.marks import KEY_BYTES, Packed, ReadMarks, fold, keys_from_json

if TYPE_CHECKING:
    import logging

MARKS_FILE = "read-marks.bin"
LEGACY_FILE = "read-marks.json"
LOCK_FILE = ".read-marks.lock"
MAGIC = b"CVNMARK2"
HEADER = struct.Struct("<8sQI")
COUNT = struct.Struct("<I")
MIN_COMPACT = 4096  # journal marks before a rebuild is worth it
COMPACT_SHARE = 8  # ... and a rebuild once the journal holds an eighth of the base
MAX_BATCH = 1 << 24  # marks in one batch; a larger count is damage, not data


def _log() -> logging.Logger:
    import logging

    return logging.getLogger("chatlog-vn")


class MarksFile:
    """One save folder's read marks: `load()` once, then `save(marks)` as often as wanted.

    Not tied to a thread, but not for two threads at once: the player calls
    it from its `MarksWriter` only (and from the main thread after the
    writer has stopped).
    """

    def __init__(self, folder: Path, read_only: bool = False, problem: str | None = None) -> None:
        self.folder = Path(folder)
        self.path = self.folder / MARKS_FILE
        self.legacy = self.folder / LEGACY_FILE
        # Read only (stats, or a folder that cannot be written): look, never
        # lock, rename, migrate or write.
        self.read_only = read_only or problem is not None
        self.problem = problem  # why marks are not saved this session (None: they are)
        self._ident: tuple[int, int] | None = None  # (device, inode) of the file we synced
        self._end = 0  # where the last valid batch we read ends
        self._journal = 0  # marks in the file's journal
        self._legacy_pending = False  # read-marks.json folded in memory, not yet into the file

    # --- loading ------------------------------------------------------------

    def load(self) -> ReadMarks:
        """The marks on disk (an empty set if none); never raises."""
        marks = ReadMarks()
        try:
            with self._locked():
                self._read_into(marks, whole=True)
                self._read_legacy(marks)
        except OSError as exc:
            self._disable(f"read marks in {self.folder} cannot be read ({plain_error(exc)})")
        return marks

    def _locked(self):  # type: ignore[no-untyped-def]
        if self.read_only or not self.folder.is_dir():
            return contextlib.nullcontext()
        return folder_lock(self.folder, LOCK_FILE)

    def _disable(self, reason: str) -> None:
        if self.problem is None:
            self.problem = reason
            if not self.read_only:
                _log().warning("%s; read marks will not be saved this session", reason)

    def _read_into(self, marks: ReadMarks, whole: bool) -> None:
        """Bring `marks` up to what the file holds (all of it, or what was appended since).

        OSError if the file exists but cannot be read; a damaged file is
        handled here (kept aside, or its tail cut off).
        """
        try:
            f = open(self.path, "rb")  # noqa: SIM115 (closed early to set it aside)
        except FileNotFoundError:
            self._ident, self._end, self._journal = None, 0, 0
            return
        with f:
            st = os.fstat(f.fileno())
            ident = (st.st_dev, st.st_ino)
            if whole or ident != self._ident or st.st_size < self._end:
                base = self._read_base(f, st.st_size)
                if base is None:
                    f.close()
                    self._set_aside()
                    return
                self._journal = 0
                if whole:
                    marks.replace(base, set())
                else:  # another player rebuilt the file: it holds all we had saved
                    mine = [k for k in marks if k not in base]
                    marks.replace(base, set(mine))
                self._ident, self._end = ident, f.tell()
            else:
                f.seek(self._end)
            self._read_journal(f, marks, st.st_size)

    def _read_base(self, f, size: int) -> Packed | None:  # type: ignore[no-untyped-def]
        head = f.read(HEADER.size)
        if len(head) < HEADER.size:
            return None
        magic, count, crc = HEADER.unpack(head)
        if magic != MAGIC or HEADER.size + count * KEY_BYTES > size:
            return None
        data = f.read(count * KEY_BYTES)
        if len(data) != count * KEY_BYTES or zlib.crc32(data) != crc:
            return None
        return Packed(data)

    def _read_journal(self, f, marks: ReadMarks, size: int) -> None:  # type: ignore[no-untyped-def]
        at = self._end
        while at < size:
            head = f.read(COUNT.size)
            n = COUNT.unpack(head)[0] if len(head) == COUNT.size else -1
            if n < 0 or n > MAX_BATCH or at + n * KEY_BYTES > size:
                break
            body = f.read(n * KEY_BYTES)
            tail = f.read(COUNT.size)
            if len(body) != n * KEY_BYTES or len(tail) != COUNT.size:
                break
            if zlib.crc32(body, zlib.crc32(head)) != COUNT.unpack(tail)[0]:
                break
            marks.merge([body[i : i + KEY_BYTES] for i in range(0, len(body), KEY_BYTES)])
            self._journal += n
            at += COUNT.size + len(body) + COUNT.size
        self._end = at
        if at < size:
            self._cut_tail(at, size, torn=at + COUNT.size + _batch_len(f, at) >= size)

    def _cut_tail(self, at: int, size: int, torn: bool) -> None:
        """Drop an unreadable tail so appends after it are not lost behind it."""
        if self.read_only:
            return
        if not torn:  # damage in the middle: keep what it held before cutting
            kept = keep_aside(self.path, copy=True)
            _log().warning("%s: read marks after byte %d are damaged; %s; the rest are kept",
                           self.path, at, f"a copy is kept as {kept.name}" if kept
                           else "no copy could be kept")
            if kept is None:
                return
        try:
            with open(self.path, "r+b") as f:
                f.truncate(at)
                f.flush()
                os.fsync(f.fileno())
        except OSError:
            pass

    def _set_aside(self) -> None:
        if self.read_only:
            self._disable(f"{self.path} is damaged")
            return
        kept = keep_aside(self.path)
        if kept is None:
            self._disable(f"{self.path} is damaged and cannot be moved aside")
            return
        _log().warning("%s: read marks are damaged; kept as %s; starting with none",
                       self.path, kept.name)
        self._ident, self._end, self._journal = None, 0, 0

    def _read_legacy(self, marks: ReadMarks) -> None:
        try:
            with open(self.legacy, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            return
        try:
            keys = keys_from_json(json.loads(raw.decode("utf-8")))
        except (ValueError, RecursionError) as exc:
            if self.read_only:
                return
            kept = keep_aside(self.legacy)
            _log().warning("%s: read marks are damaged (%s); kept as %s", self.legacy,
                           unreadable_reason(exc), kept.name if kept else "it was")
            return
        marks.merge(keys)
        self._legacy_pending = True  # the next save rebuilds the file with them

    # --- saving ---------------------------------------------------------------

    def save(self, marks: ReadMarks, rebuild: bool | None = None) -> bool:
        """Append the marks made since the last save; rebuild the file when it is time.

        True if something was written. OSError if the disk refuses (the
        marks stay pending, so the next save tries again).
        """
        if self.problem is not None or self.read_only:
            return False
        batch = marks.pending()
        if self._legacy_pending:  # read-marks.json was read: fold it into the file now
            rebuild = True
        if not batch and not rebuild:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with folder_lock(self.folder, LOCK_FILE):
                self._read_into(marks, whole=False)
                if batch:
                    self._append(batch, marks.base)
                due = self._journal >= max(MIN_COMPACT, len(marks.base) // COMPACT_SHARE)
                if rebuild or (rebuild is None and due) or self._ident is None:
                    self._rebuild(marks)
        except OSError:
            marks.unpend(batch)
            raise
        if self._legacy_pending and self._ident is not None:
            self._legacy_pending = False
            with contextlib.suppress(OSError):
                os.replace(self.legacy, self.legacy.with_name(LEGACY_FILE + ".migrated"))
        return True

    def _append(self, batch: list[bytes], base: Packed) -> None:
        if self._ident is None:
            return  # no file yet: the rebuild that follows writes everything
        # Keys the base holds (marked while a rebuild ran, or read by another
        # player too) stay out: the journal never repeats its base.
        batch = [k for k in batch if k not in base]
        if not batch:
            return
        body = b"".join(batch)
        head = COUNT.pack(len(batch))
        record = head + body + COUNT.pack(zlib.crc32(body, zlib.crc32(head)))
        with open(self.path, "r+b") as f:
            f.seek(self._end)
            f.write(record)
            f.truncate()
            f.flush()
            os.fsync(f.fileno())
        self._end += len(record)
        self._journal += len(batch)

    def _rebuild(self, marks: ReadMarks) -> None:
        """Fold everything into a new base, written beside the file and renamed over it."""
        frozen = marks.freeze()
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{MARKS_FILE}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w+b") as f:
                f.write(HEADER.pack(MAGIC, 0, 0))
                crc, count = 0, 0
                for piece in fold(marks.base, frozen):
                    f.write(piece)
                    crc = zlib.crc32(piece, crc)
                    count += len(piece) // KEY_BYTES
                f.seek(0)
                f.write(HEADER.pack(MAGIC, count, crc))
                f.flush()
                os.fsync(f.fileno())
                f.seek(HEADER.size)
                data = f.read(count * KEY_BYTES)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(self.folder)
        marks.rebase(Packed(data))
        drain(frozen)
        st = os.stat(self.path)
        self._ident = (st.st_dev, st.st_ino)
        self._end = HEADER.size + len(data)
        self._journal = 0


def drain(keys: set[bytes]) -> None:
    """Empty a large set a piece at a time, handing the interpreter over between pieces.

    Freeing a set of 100,000 keys at once is one C loop of several
    milliseconds with the interpreter held: a frame's worth on the main loop.
    """
    pop = keys.pop
    while keys:
        for _ in range(min(len(keys), 2048)):
            pop()
        time.sleep(0)


def _batch_len(f, at: int) -> int:  # type: ignore[no-untyped-def]
    """The length a batch starting at `at` claims (header, keys, CRC), for torn-tail checks."""
    f.seek(at)
    head = f.read(COUNT.size)
    if len(head) < COUNT.size:
        return 0
    return COUNT.unpack(head)[0] * KEY_BYTES + COUNT.size


class MarksWriter:
    """Saves read marks on a thread of its own, so a save never holds a frame.

    `request()` costs the main loop nothing but setting an event; the
    thread appends the pending marks (and rebuilds the file when due).
    `close()` stops it and writes what is left once, on the caller's thread.
    The first error is kept in `error`; `news()` gives it once, to be shown.
    """

    def __init__(self, file: MarksFile, marks: ReadMarks) -> None:
        self.file = file
        self.marks = marks
        self.error: str | None = None
        self._told = False
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        if self.file.problem is not None:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="read-marks", daemon=True)
            self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stop:
                return
            self._save()

    def _save(self) -> None:
        try:
            self.file.save(self.marks)
        except OSError as exc:
            if self.error is None:
                self.error = f"cannot save read marks ({plain_error(exc)})"

    def news(self) -> str | None:
        """The first error, the first time it is asked for (the player says it once)."""
        if self.error is None or self._told:
            return None
        self._told = True
        return self.error

    def close(self) -> None:
        """Stop the thread, then write what is still pending (quitting writes once)."""
        if self._thread is not None:
            self._stop = True
            self._wake.set()
            self._thread.join()
            self._thread = None
        self._save()

