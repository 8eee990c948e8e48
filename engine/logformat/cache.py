"""The scene cache: a big script's scene index, so that a story opens without a parse.

The first load of a big UTF-8 script parses it whole (as always) and writes,
in the user's cache folder, an index keyed by the SHA-1 of the file's bytes:
each scene's title, date, position, byte range, message count and speakers,
and every diagnostic. A later load of the same bytes reads the index and
hands out scenes whose messages are parsed from their byte range on first
use (parser.read_scene: what the whole parse gives that scene). So the
player's first frame costs reading and hashing the file, not parsing it.

The index is trusted only when its own checksum, the parser's version (a hash
of this package's sources), the file's size and every range check out; a
missing, damaged or foreign index is rebuilt, never fatal, and a folder that
cannot be written only means no cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.logformat.encoding import NotUTF8, newlines_to_lf, utf8_pieces
from engine.logformat.lazy import Messages
from engine.logformat.parser import parse_pieces, read_scene
from engine.model import Diagnostic, Message, Pos, Ruby, Scene, Script

MIN_SIZE = 4 << 20  # bytes; smaller scripts parse faster than an index loads
KEEP = 16  # indexes kept in the folder; the oldest go first
ENV = "CHATLOG_VN_SCRIPT_CACHE"  # a folder to use instead, or "off"
_FORMAT = 1
_LINE_END = re.compile(rb"\r\n|\r|\n")
_version: str | None = None


def default_folder() -> Path | None:
    """The cache folder: $CHATLOG_VN_SCRIPT_CACHE, or the user cache folder's
    `scripts`; None when the variable says "off"."""
    given = os.environ.get(ENV)
    if given:
        return None if given == "off" else Path(given)
    import platformdirs

    return Path(platformdirs.user_cache_dir("chatlog-vn", appauthor=False)) / "scripts"


def parser_version() -> str:
    """A hash of the reader's sources and the model: any change to how a script reads
    makes every index stale."""
    global _version
    if _version is None:
        # Python's Unicode tables decide what is a space or a letter in a label.
        h = hashlib.sha1(f"{_FORMAT} {sys.version} {unicodedata.unidata_version}".encode(),
                         usedforsecurity=False)
        here = Path(__file__).resolve().parent
        for path in sorted(here.glob("*.py")) + [here.parent / "model.py"]:
            try:
                h.update(path.name.encode() + b"\0" + path.read_bytes())
            except OSError:
                h.update(path.name.encode())  # a frozen build: its version is its build
        _version = h.hexdigest()
    return _version


def load_cached(file: str, data: bytes, folder: Path) -> Script | None:
    """The script in `data` (a file's bytes) through the index in `folder`; None when the
    bytes are not plain UTF-8 (the caller reads them the usual way)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    key = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    entry = folder / f"{key}.json"
    index = read_index(entry, len(data))
    if index is not None:
        return script_from_index(file, data, index)
    try:
        script, spans = parse_pieces(utf8_pieces(io.BytesIO(data)), file)
    except NotUTF8:
        return None
    index = build_index(script, spans, data)
    write_index(entry, index)
    # The parsed scenes hold the decoded text (up to 4 bytes a character); the
    # indexed ones only the bytes, already in memory.
    return script_from_index(file, data, index)


# --- the index -----------------------------------------------------------------


def build_index(script: Script, spans: Sequence[tuple[int, int]], data: bytes) -> dict[str, Any]:
    """The JSON-ready index of a parsed script (no file names: they are the caller's)."""
    starts = line_starts(data, sorted({n for span in spans for n in span}))
    scenes = []
    for scene, (first, after) in zip(script.scenes, spans, strict=True):
        messages = scene.messages
        assert isinstance(messages, Messages)  # parse() makes no other
        counts, firsts = messages.speaker_uses()
        scenes.append({
            "title": scene.title,
            "timestamp": scene.timestamp.isoformat() if scene.timestamp else None,
            "line": scene.pos.line, "col": scene.pos.col,
            "bytes": [starts[first], starts.get(after, len(data))],
            "count": len(scene.messages),
            "speakers": counts,
            "firsts": {label: [p.line, p.col] for label, p in firsts.items()},
        })
    diagnostics = [[d.pos.line, d.pos.col, d.severity, d.code, d.message]
                   for d in script.diagnostics]
    return {"version": parser_version(), "size": len(data), "scenes": scenes,
            "diagnostics": diagnostics}


def line_starts(data: bytes, lines: Sequence[int]) -> dict[int, int]:
    """The byte offset where each of the (sorted) line numbers starts; lines past the
    end are left out. A UTF-8 BOM is not part of line 1."""
    out: dict[int, int] = {}
    wanted = iter(lines)
    target = next(wanted, None)
    if target == 1:
        out[1] = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        target = next(wanted, None)
    n = 1
    for m in _LINE_END.finditer(data):
        if target is None:
            break
        n += 1
        if n == target:
            out[n] = m.end()
            target = next(wanted, None)
    return out


def write_index(entry: Path, index: dict[str, Any]) -> None:
    """Write atomically (temporary file, then rename), a checksum line first; prune
    the folder to KEEP indexes. Any failure leaves no cache, and no error."""
    body = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = hashlib.sha1(body, usedforsecurity=False).hexdigest().encode() + b"\n"
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(head + body)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(entry.parent)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)


def read_index(entry: Path, size: int) -> dict[str, Any] | None:
    """The index in `entry` if it is whole and fits a file of `size` bytes, else None."""
    try:
        raw = entry.read_bytes()
    except OSError:
        return None
    head, _, body = raw.partition(b"\n")
    if hashlib.sha1(body, usedforsecurity=False).hexdigest().encode() != head:
        return None
    try:
        index = json.loads(body)
    except ValueError:
        return None
    ok = (isinstance(index, dict) and index.get("version") == parser_version()
          and index.get("size") == size and _valid_scenes(index.get("scenes"), size)
          and _valid_diagnostics(index.get("diagnostics")))
    return index if ok else None


def _valid_scenes(scenes: object, size: int) -> bool:
    if not isinstance(scenes, list):
        return False
    end = 0
    for s in scenes:
        try:
            b0, b1 = s["bytes"]
            ok = (isinstance(s["title"], str) and _int(s["line"]) and _int(s["col"])
                  and _int(b0) and _int(b1) and end <= b0 <= b1 <= size and _int(s["count"])
                  and (s["timestamp"] is None or isinstance(s["timestamp"], str))
                  and all(isinstance(k, str) and _int(v) for k, v in s["speakers"].items())
                  and all(isinstance(k, str) and _int(a) and _int(b)
                          for k, (a, b) in s["firsts"].items()))
            if s["timestamp"] is not None:
                datetime.fromisoformat(s["timestamp"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        if not ok:
            return False
        end = b1
    return True


def _valid_diagnostics(diags: object) -> bool:
    return isinstance(diags, list) and all(
        isinstance(d, list) and len(d) == 5 and _int(d[0]) and _int(d[1])
        and d[2] in ("error", "warning") and isinstance(d[3], str) and isinstance(d[4], str)
        for d in diags)


def _int(v: object) -> bool:
    return type(v) is int and v >= 0


# --- a script from the index ------------------------------------------------------


class Source:
    """A scene's lines in the file's bytes, read into messages on first use."""

    __slots__ = ("data", "start", "end", "line", "count", "speakers", "firsts")

    def __init__(self, data: bytes, start: int, end: int, line: int, count: int,
                 speakers: Counter[str], firsts: Mapping[str, Pos]) -> None:
        self.data = data
        self.start = start
        self.end = end
        self.line = line
        self.count = count
        self.speakers = speakers
        self.firsts = firsts

    def messages(self, file: str, labels: Mapping[str, str],
                 rubies: dict[str, Ruby]) -> Sequence[Message]:
        text = newlines_to_lf(self.data[self.start : self.end].decode("utf-8"))
        out = read_scene(text, file, self.line, self.speakers)
        if len(out) != self.count:  # the index was checked: this is a bug, not damage
            raise AssertionError(f"{file}:{self.line}: scene read as {len(out)} messages, "
                                 f"indexed as {self.count}")
        return out


def script_from_index(file: str, data: bytes, index: dict[str, Any]) -> Script:
    """The Script the index describes, its scenes' messages read from `data` on first use."""
    scenes = []
    for s in index["scenes"]:
        stamp = datetime.fromisoformat(s["timestamp"]) if s["timestamp"] else None
        firsts = {label: Pos(file, a, b) for label, (a, b) in s["firsts"].items()}
        b0, b1 = s["bytes"]
        source = Source(data, b0, b1, s["line"], s["count"], Counter(s["speakers"]), firsts)
        scenes.append(Scene(s["title"], stamp, Pos(file, s["line"], s["col"]),
                            Messages(file, [source], {}, {})))
    diags = tuple(Diagnostic(Pos(file, a, b), sev, code, msg)
                  for a, b, sev, code, msg in index["diagnostics"])
    return Script(file, tuple(scenes), diags)
