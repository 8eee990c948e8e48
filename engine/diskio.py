"""Files in the save folder, written so that nothing is lost: no pygame.

Atomic replacement (temp file, fsync, rename, fsync of the folder), a lock
two players on one folder share, keeping a file that cannot be read aside
without ever replacing an earlier one, sweeping the temp files an
interrupted write leaves, and telling in one plain line why a folder
cannot be used.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".tmp"
TEMP_MAX_AGE = 60.0  # seconds: older temp files belong to no write still running


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so a reader sees the old file or the new, never half.

    Writes a temp file in the same folder, fsyncs it, renames it over the
    target and fsyncs the folder where the platform allows. On any failure
    the temp file is removed and the old content stays; the error names the
    file the reader knows, not the temp file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise _renamed(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _renamed(exc, path) from None
        raise
    fsync_dir(path.parent)


def _renamed(exc: OSError, path: Path) -> OSError:
    """The same error, naming `path` (the temp file's name means nothing to a reader)."""
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable; Windows cannot open a folder for this."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def plain_error(exc: BaseException) -> str:
    """An OS error as a reader-facing reason: 'permission denied', not '[Errno 13] …'."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[:1].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def unreadable_reason(exc: BaseException) -> str:
    """Why a JSON file could not be used, for the reader: not UTF-8, not JSON, unreadable."""
    import json

    if isinstance(exc, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    if isinstance(exc, json.JSONDecodeError):
        return f"the file is not valid JSON (line {exc.lineno})"
    if isinstance(exc, RecursionError):
        return "the file is nested too deeply"
    if isinstance(exc, OSError):
        return f"the file cannot be read ({plain_error(exc)})"
    return str(exc)


@contextlib.contextmanager
def folder_lock(folder: Path, name: str) -> Iterator[None]:
    """Hold an exclusive lock on `folder/name` (a lock file) while the block runs.

    flock on POSIX, msvcrt.locking on Windows; where neither works (a file
    system without locks) the block runs unlocked rather than not at all.
    """
    path = Path(folder) / name
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        unlock = _lock(fd)
        try:
            yield
        finally:
            unlock()
    finally:
        os.close(fd)


def _lock(fd: int):  # type: ignore[no-untyped-def]
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            return lambda: None
        return lambda: fcntl.flock(fd, fcntl.LOCK_UN)
    try:
        import msvcrt
    except ImportError:
        return lambda: None
    for _ in range(200):  # msvcrt.LK_LOCK itself gives up after 10 s; keep it short
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            break
        except OSError:
            time.sleep(0.05)
    else:
        return lambda: None

    def unlock() -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    return unlock


def keep_aside(path: Path, suffix: str = ".damaged", copy: bool = False) -> Path | None:
    """Move (or copy) a file that cannot be used to `NAME.damaged`, never over an earlier one.

    Returns where it went, or None if it could not be kept (then the caller
    must not overwrite it either).
    """
    path = Path(path)
    target = path.with_name(path.name + suffix)
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{suffix}.{n}")
    try:
        if copy:
            import shutil

            shutil.copyfile(path, target)
        else:
            os.replace(path, target)
    except OSError:
        return None
    return target


def sweep_temp_files(folder: Path, max_age: float = TEMP_MAX_AGE, now: float | None = None) -> int:
    """Remove the hidden temp files interrupted writes left (`.NAME.<random>.tmp`); how many.

    Only files older than `max_age` seconds go: a younger one may belong to
    a write that is still running (another player on the same folder).
    """
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX)):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or now - entry.stat().st_mtime < max_age:
                continue
            os.unlink(entry.path)
            removed += 1
        except OSError:
            continue
    return removed


def folder_problem(folder: Path) -> str | None:
    """Why saves cannot be kept in `folder` (one plain line), or None if they can.

    The folder is created if missing; writing is tried with a probe file
    (permission bits alone do not tell: read-only mounts, ACLs, root).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"{folder} cannot be created ({plain_error(exc)})"
    try:
        fd, probe = tempfile.mkstemp(prefix=".probe.", suffix=TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"{folder} cannot be written ({plain_error(exc)})"
        return f"{folder} cannot be used ({plain_error(exc)})"
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return None
