"""The I/O half of the LOG reader: a path in, a Script out."""

from __future__ import annotations

import os
from typing import BinaryIO

from engine.logformat import cache
from engine.logformat.codes import diagnostic
from engine.logformat.encoding import NotUTF8, decode, utf8_pieces
from engine.logformat.parser import parse, parse_pieces
from engine.model import Script


def load(path: str | os.PathLike[str]) -> Script:
    """Read, decode and parse a script file.

    Never raises for a bad file: a missing or unreadable file, or one that
    cannot be decoded, gives a Script with no scenes and an error.
    """
    file = os.fspath(path)
    try:
        with open(file, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            folder = cache.default_folder() if size >= cache.MIN_SIZE else None
            if folder is not None:
                data = f.read()
                script = cache.load_cached(file, data, folder)
            else:
                script = _parse_utf8(f, file)
            if script is not None:
                return script
            f.seek(0)
            data = f.read()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        return Script(file, (), (diagnostic(file, 1, 1, "LOG050", f"cannot read the file: {why}"),))
    text, notes = decode(data, file)
    del data  # the bytes are not needed any more; keep peak memory down on big files
    if text is None:
        return Script(file, (), notes)
    script = parse(text, file)
    if not notes:
        return script
    diags = sorted(notes + script.diagnostics, key=lambda d: (d.pos.line, d.pos.col))
    return Script(script.file, script.scenes, tuple(diags))


def _parse_utf8(f: BinaryIO, file: str) -> Script | None:
    """The script of a plain UTF-8 file, parsed a block at a time (never holding the
    whole text twice); None if the file is not plain UTF-8."""
    try:
        return parse_pieces(utf8_pieces(f), file)[0]
    except NotUTF8:
        return None
