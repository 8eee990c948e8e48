"""The `.zip` of a built app, keeping what a plain zip would lose.

Each entry records its Unix mode in `external_attr` (the run bit of the
executable and of the shared libraries: an app unzipped without them does not
start), and a symlink is stored as a symlink (its target as the content, mode
S_IFLNK), as Info-ZIP's `zip -y` does and as unzip, macOS's Archive Utility
and 7-Zip restore it. Directories are stored too, so empty ones survive.
"""

from __future__ import annotations

import os
import stat
import time
import zipfile
from pathlib import Path

_DIR_FLAG = 0x10  # MS-DOS directory attribute, for Windows' own unzipper


def zip_folder(folder: Path, archive: Path) -> Path:
    """Write `archive` holding `folder` (as its top-level folder); returns `archive`.

    Written to a temporary name and renamed, so a failed run leaves no half
    archive under the final name.
    """
    partial = archive.with_name(f".{archive.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            _add(zf, folder, folder.name)
            for path in _walk(folder):
                _add(zf, path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)
    return archive


def _walk(folder: Path) -> list[Path]:
    """Every file, symlink and directory under `folder`, in a stable order."""
    out: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        base = Path(root)
        # A symlink to a directory is listed in dirs but not descended into: keep it as a link.
        out += [base / d for d in dirs]
        out += [base / f for f in sorted(files)]
    return sorted(out, key=lambda p: p.relative_to(folder).as_posix())


def _add(zf: zipfile.ZipFile, path: Path, name: str) -> None:
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        info = zipfile.ZipInfo(name, _date(st.st_mtime))
        info.create_system = 3  # Unix: the mode below is meaningful
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, os.readlink(path), zipfile.ZIP_STORED)
    elif stat.S_ISDIR(st.st_mode):
        info = zipfile.ZipInfo(name.rstrip("/") + "/", _date(st.st_mtime))
        info.create_system = 3
        info.external_attr = (st.st_mode & 0xFFFF) << 16 | _DIR_FLAG
        zf.writestr(info, b"", zipfile.ZIP_STORED)
    else:
        info = zipfile.ZipInfo.from_file(path, name)
        info.create_system = 3
        info.compress_type = zipfile.ZIP_DEFLATED
        with path.open("rb") as src, zf.open(info, "w") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)


def _date(mtime: float) -> tuple[int, int, int, int, int, int]:
    """A zip timestamp (the format starts in 1980)."""
    t = time.localtime(max(mtime, 315532800))
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def entry_mode(info: zipfile.ZipInfo) -> int:
    """The Unix mode an entry records (0 when it records none)."""
    return info.external_attr >> 16
