"""The I/O half of the LOG reader: a path in, a Script out."""

from __future__ import annotations

import codecs
import os
from typing import BinaryIO

from engine.logformat.codes import diagnostic
from engine.logformat.encoding import decode, newlines_to_lf
from engine.logformat.parser import parse
from engine.model import Diagnostic, Script

_BLOCK = 1 << 22  # bytes read and decoded at a time


def _read_utf8(f: BinaryIO) -> str | None:
    """The text of a file that is valid UTF-8 (a UTF-8 BOM dropped), LF line ends;
    None for anything else (decode() then reads the whole file and says what it is).

    Read and decoded a block of whole lines at a time: decoding a whole big file
    at once holds the bytes and the decoder's working copies together, several
    times the file's size; this holds the pieces and the joined text.
    """
    pieces: list[str] = []
    carry = b""
    first = True
    while True:
        block = f.read(_BLOCK)
        if first:
            first = False
            if block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return None
            block = block.removeprefix(codecs.BOM_UTF8)
        if not block:
            break
        buf = carry + block
        # After the last line end whose pair is known (a CR not last in buf); no UTF-8
        # sequence holds a CR or LF byte, so the cut never splits a character.
        cut = max(buf.rfind(b"\n"), buf.rfind(b"\r", 0, len(buf) - 1)) + 1
        piece, carry = buf[:cut], buf[cut:]
        del buf
        try:
            pieces.append(newlines_to_lf(piece.decode("utf-8")))
        except UnicodeDecodeError:
            return None
    try:
        pieces.append(newlines_to_lf(carry.decode("utf-8")))
    except UnicodeDecodeError:
        return None
    return pieces[0] if len(pieces) == 1 else "".join(pieces)


def load(path: str | os.PathLike[str]) -> Script:
    """Read, decode and parse a script file.

    Never raises for a bad file: a missing or unreadable file, or one that
    cannot be decoded, gives a Script with no scenes and an error.
    """
    file = os.fspath(path)
    try:
        with open(file, "rb") as f:
            text = _read_utf8(f)
            if text is None:
                f.seek(0)
                data = f.read()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        return Script(file, (), (diagnostic(file, 1, 1, "LOG050", f"cannot read the file: {why}"),))
    notes: tuple[Diagnostic, ...] = ()
    if text is None:
        text, notes = decode(data, file)
        del data  # the bytes are not needed any more; keep peak memory down on big files
        if text is None:
            return Script(file, (), notes)
    script = parse(text, file)
    if not notes:
        return script
    diags = sorted(notes + script.diagnostics, key=lambda d: (d.pos.line, d.pos.col))
    return Script(script.file, script.scenes, tuple(diags))
