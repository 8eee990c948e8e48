"""The I/O half of the LOG reader: a path in, a Script out."""

from __future__ import annotations

import os

from engine.logformat.codes import diagnostic
from engine.logformat.encoding import decode
from engine.logformat.parser import parse
from engine.model import Script


def load(path: str | os.PathLike[str]) -> Script:
    """Read, decode and parse a script file.

    Never raises for a bad file: a missing or unreadable file, or one that
    cannot be decoded, gives a Script with no scenes and an error.
    """
    file = os.fspath(path)
    try:
        with open(file, "rb") as f:
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
