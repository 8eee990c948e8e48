"""Bytes -> text for LOG files: UTF-8 (BOM or not), else Shift_JIS/CP932 or EUC-JP.

The rule is "read correctly or refuse by name, never mojibake": a legacy
Japanese decoding is accepted only when the result looks like Japanese text,
and a file that is almost all valid UTF-8 is read as UTF-8 with its bad bytes
reported, never re-read in another encoding.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import BinaryIO

from engine.logformat.codes import diagnostic
from engine.model import Diagnostic

_JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff60]+")
_MAX_BAD_BYTE_REPORTS = 20  # enough to locate the damage without flooding `check`


def newlines_to_lf(text: str) -> str:
    """CRLF and lone CR line ends as LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, file: str) -> tuple[str | None, tuple[Diagnostic, ...]]:
    """Decode a script file's bytes; (text with LF line ends, diagnostics).

    Text is None when the file is refused (an error naming the encoding says why).
    """
    if data.startswith(codecs.BOM_UTF8):
        return _utf8(data[3:], file)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(data, file)
    try:
        return newlines_to_lf(data.decode("utf-8")), ()
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return _utf8(data, file)
    return _legacy(data, file)


def _utf8(data: bytes, file: str) -> tuple[str | None, tuple[Diagnostic, ...]]:
    """UTF-8 that may hold a few bad bytes: replace them, one error per damaged line."""
    try:
        return newlines_to_lf(data.decode("utf-8")), ()
    except UnicodeDecodeError:
        pass
    diags = []
    # CR and LF bytes never occur inside a UTF-8 sequence, so bytes split like text.
    raw_lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    for n, raw in enumerate(raw_lines, 1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            col = len(raw[: exc.start].decode("utf-8")) + 1
            diags.append(diagnostic(file, n, col, "LOG052",
                                    f"invalid UTF-8 byte 0x{raw[exc.start]:02X} in this line "
                                    "(bad bytes are shown as U+FFFD)"))
            if len(diags) == _MAX_BAD_BYTE_REPORTS:
                break
    return newlines_to_lf(data.decode("utf-8", errors="replace")), tuple(diags)


def _utf16(data: bytes, file: str) -> tuple[str | None, tuple[Diagnostic, ...]]:
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        return None, (_refusal(data, exc.start, file, "utf-16", "UTF-16 (it has a UTF-16 BOM)"),)
    note = diagnostic(file, 1, 1, "LOG051", "file is UTF-16; read as UTF-16 (save it as UTF-8)")
    return newlines_to_lf(text.lstrip("\ufeff")), (note,)


def _mostly_utf8(data: bytes) -> bool:
    """True when the bytes are UTF-8 with a few bad bytes, not a legacy encoding.

    Legacy Japanese bytes almost never form valid multi-byte UTF-8 sequences,
    so a file with many well-formed non-ASCII characters per bad one is UTF-8.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = _non_ascii(text) - bad
    return good >= 4 * bad


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", errors="ignore"))


def _legacy(data: bytes, file: str) -> tuple[str | None, tuple[Diagnostic, ...]]:
    """Shift_JIS/CP932 first (what Windows editors save), then EUC-JP."""
    for codec, name in (("cp932", "Shift_JIS (CP932)"), ("euc_jp", "EUC-JP")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _looks_japanese(text):
            note = diagnostic(file, 1, 1, "LOG051",
                              f"file is {name}, not UTF-8; read as {name} (save it as UTF-8)")
            return newlines_to_lf(text), (note,)
    if _looks_japanese(data.decode("cp932", errors="replace")):
        start = _first_bad(data, "cp932")
        return None, (_refusal(data, start, file, "cp932", "Shift_JIS (CP932)"),)
    start = _first_bad(data, "utf-8")
    return None, (_refusal(data, start, file, "utf-8", "UTF-8, Shift_JIS (CP932) or EUC-JP"),)


def _first_bad(data: bytes, codec: str) -> int:
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def _looks_japanese(text: str) -> bool:
    """Most non-ASCII characters are kana, kanji or full-width forms.

    Mis-decoded bytes come out as half-width katakana, box drawing, Latin
    accents or U+FFFD; real Japanese prose is dominated by these blocks.
    """
    jp = len(text) - len(_JAPANESE.sub("", text))
    other = _non_ascii(text) - jp
    return jp > 0 and other * 4 <= jp


def _refusal(data: bytes, offset: int, file: str, codec: str, encoding: str) -> Diagnostic:
    """An error naming the encoding, at the line and column of the first bad byte.

    Everything before that byte decodes, so its line and column are counted
    in characters like any other diagnostic.
    """
    before = newlines_to_lf(data[:offset].decode(codec, errors="replace")).removeprefix("\ufeff")
    line = before.count("\n") + 1
    col = len(before) - before.rfind("\n")
    return diagnostic(file, line, col, "LOG053",
                      f"cannot decode the file as {encoding}: byte 0x{data[offset]:02X} "
                      f"at line {line}; save it as UTF-8")


_BLOCK = 1 << 22  # bytes read and decoded at a time


class NotUTF8(ValueError):
    """The bytes are not plain UTF-8 (or have a UTF-16 BOM): decode() must judge them."""


def utf8_pieces(f: BinaryIO) -> Iterator[str]:
    """A UTF-8 file's text (a UTF-8 BOM dropped, LF line ends) a block of whole lines
    at a time; every piece but the last ends in a newline. Raises NotUTF8 (perhaps
    after some pieces) for anything that is not plain UTF-8.

    Decoding a whole big file at once holds the bytes and the decoder's working
    copies together, several times the file's size; this holds one block.
    """
    carry = b""
    first = True
    while True:
        block = f.read(_BLOCK)
        if first:
            first = False
            if block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise NotUTF8("UTF-16")
            block = block.removeprefix(codecs.BOM_UTF8)
        if not block:
            break
        buf = carry + block
        # After the last line end whose pair is known (a CR not last in buf); no UTF-8
        # sequence holds a CR or LF byte, so the cut never splits a character.
        cut = max(buf.rfind(b"\n"), buf.rfind(b"\r", 0, len(buf) - 1)) + 1
        piece, carry = buf[:cut], buf[cut:]
        del buf
        if piece:
            yield _utf8_piece(piece)
    yield _utf8_piece(carry)


def _utf8_piece(piece: bytes) -> str:
    try:
        return newlines_to_lf(piece.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise NotUTF8(str(exc)) from None


def read_utf8(f: BinaryIO) -> str | None:
    """The whole text of a UTF-8 file (see utf8_pieces); None if it is not plain UTF-8."""
    try:
        pieces = list(utf8_pieces(f))
    except NotUTF8:
        return None
    return pieces[0] if len(pieces) == 1 else "".join(pieces)
