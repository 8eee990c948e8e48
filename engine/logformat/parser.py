"""LOG text -> Script: blocks, scenes, messages and diagnostics, in one pass.

The hot path is a plain message line (`NAME: text<br>` with no markup): it
is handled with str methods only, so parsing stays within a small factor of
merely splitting the file into lines. Markup goes to `inline.parse_inline`.
"""

from __future__ import annotations

import re
from datetime import datetime

from engine.logformat.codes import diagnostic
from engine.logformat.encoding import newlines_to_lf
from engine.logformat.inline import LineError, parse_inline, split_directions
from engine.logformat.labels import colon_context_ok, is_label_text, label_end, suggest
from engine.model import Diagnostic, Message, Pos, Run, Scene, Script, Text

_MARKER = re.compile(r"-{2,}[ \t]*LOG[ \t]*(START|END)[ \t]*-{2,}", re.I)
_WRAP = r"</?(?:pre|code)(?:\s[^<>]*)?>"
_LEAD_WRAP = re.compile(rf"(?:[ \t]*{_WRAP})+[ \t]*", re.I)
# What may end a line: one terminating <br>, then wrapper end tags, then white space.
_TAIL = re.compile(rf"(?:<br\s*/?>)?(?:\s*{_WRAP})*\s*\Z", re.I)
_STAMP = re.compile(
    r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})"
    r"(?:[ \tT\u3000]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?!\S)"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = " \t\u3000"


def parse(text: str, file: str = "<string>") -> Script:
    """Parse LOG text into a Script. Pure: no file access, never raises on bad input.

    Line ends may be LF, CRLF or CR; a leading byte-order mark is ignored
    (columns never count it). Every problem becomes a Diagnostic.
    """
    text = newlines_to_lf(text.removeprefix("\ufeff"))
    return _Parser(file, text).run(text.split("\n"))


def trim(line: str) -> tuple[str, int]:
    """A line without leading blanks and wrapper tags, and without its terminator.

    Returns (content, offset of content in line). Empty content = a blank line.
    """
    t = line.lstrip(" \t")
    lead = len(line) - len(t)
    if t[:1] == "<":
        m = _LEAD_WRAP.match(t)
        if m:
            lead += m.end()
            t = t[m.end() :]
    t = t.rstrip()
    if t.endswith("<br>"):
        t = t[:-4]
    elif t.endswith(">"):
        t = t[: _TAIL.search(t).start()]  # type: ignore[union-attr]  # \Z always matches
    return t, lead


def read_timestamp(title: str) -> datetime | None:
    """The date and time at the start of a START line's title, None if unreadable."""
    m = _STAMP.match(title)
    if not m:
        return None
    y, _, mo, d, h, mi, s = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None


class _Block:
    """A block being read: its START line and the messages so far."""

    __slots__ = ("title", "timestamp", "pos", "messages")

    def __init__(self, title: str, timestamp: datetime | None, pos: Pos) -> None:
        self.title = title
        self.timestamp = timestamp
        self.pos = pos
        self.messages: list[Message] = []


class _Parser:
    """One pass over the lines; state is the open block and the labels seen."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.diags: list[Diagnostic] = []
        self.scenes: list[Scene] = []
        self.block: _Block | None = None
        self.labels: dict[str, str | None] = {}  # label text -> interned label, None if invalid
        self.counts: dict[str, int] = {}
        self.first_use: dict[str, Pos] = {}
        self.control_lines = _control_lines(text) if _CONTROL.search(text) else set()

    def warn(self, line: int, col: int, code: str, message: str) -> None:
        self.diags.append(diagnostic(self.file, line, col, code, message))

    def run(self, lines: list[str]) -> Script:
        for n, line in enumerate(lines, 1):
            t, lead = trim(line)
            if not t:
                continue
            if "-" in t[:3]:
                m = _MARKER.match(t)
                if m:
                    self.marker(m, t, lead, n)
                    continue
            if self.block is None:
                self.outside(t, lead, n)
            else:
                self.block.messages.append(self.message(t, lead, n))
        if self.block is not None:
            self.warn(self.block.pos.line, self.block.pos.col, "LOG003",
                      "this block is never closed (no '--- LOG END ---'); closed at end of file")
            self.close()
        self.did_you_mean()
        self.diags.sort(key=lambda d: (d.pos.line, d.pos.col))
        return Script(self.file, tuple(self.scenes), tuple(self.diags))

    def marker(self, m: re.Match[str], t: str, lead: int, n: int) -> None:
        rest = t[m.end() :]
        title = rest.strip()
        col = lead + m.end() + len(rest) - len(rest.lstrip()) + 1
        if m.group(1).upper() == "END":
            if self.block is None:
                self.warn(n, lead + 1, "LOG001", "'LOG END' with no open block")
            else:
                self.close()
            if title:
                self.warn(n, col, "LOG006", f"text after 'LOG END' is ignored: '{title}'")
            return
        if self.block is not None:
            self.warn(n, lead + 1, "LOG002",
                      f"'LOG START' inside the block opened at line {self.block.pos.line}; "
                      "that block is closed here")
            self.close()
        stamp = read_timestamp(title)
        if stamp is None:
            why = f"cannot read the timestamp '{title}'" if title else "no timestamp"
            self.warn(n, col, "LOG004", f"{why} (expected YYYY.MM.DD HH:MM); scene has no date")
        self.block = _Block(title, stamp, Pos(self.file, n, lead + 1))

    def close(self) -> None:
        b = self.block
        assert b is not None
        if not b.messages:
            self.warn(b.pos.line, b.pos.col, "LOG007", "this block has no messages")
        self.scenes.append(Scene(b.title, b.timestamp, b.pos, tuple(b.messages)))
        self.block = None

    def speaker(self, t: str) -> tuple[str | None, int]:
        """The speaker label of a line and the index of its colon, or (None, -1)."""
        k = label_end(t)
        if k < 0:
            return None, -1
        label = t[:k]
        known = self.labels.get(label, "")
        if known == "":
            known = self.labels[label] = label if is_label_text(label) else None
        if known is None or not colon_context_ok(t, k):
            return None, -1
        return known, k

    def message(self, t: str, lead: int, n: int) -> Message:
        """The message for a non-blank, non-marker line inside a block."""
        speaker, k = self.speaker(t)
        if speaker is None:
            body, col = t, lead + 1
            self.check_spaced_label(t, n, lead)
        else:
            self.count(speaker, n, lead)
            after = t[k + 1 :]
            body = after.lstrip(_SPACES)
            col = lead + k + 2 + len(after) - len(body)
            if not body:
                self.warn(n, col, "LOG030", f"'{speaker}' says nothing on this line")
        if n in self.control_lines:
            self.check_controls(body, n, col)
        return Message(speaker, self.runs(body, n, col), Pos(self.file, n, lead + 1))

    def runs(self, body: str, n: int, col: int) -> tuple[Run, ...]:
        """The runs of a message body; a line with broken markup is kept as written."""
        if "<" not in body and "&" not in body:
            if "（" not in body:
                return (Text(body),) if body else ()
            return tuple(split_directions(body))
        found: list[Diagnostic] = []

        def warn(c: int, code: str, message: str) -> None:
            found.append(diagnostic(self.file, n, c, code, message))

        try:
            runs = parse_inline(body, col, warn)
        except LineError as exc:
            self.warn(n, exc.col, exc.code, exc.message + "; the line is shown as written")
            return (Text(body),)
        self.diags.extend(found)
        return runs

    def count(self, speaker: str, n: int, lead: int) -> None:
        c = self.counts.get(speaker, 0)
        self.counts[speaker] = c + 1
        if not c:
            self.first_use[speaker] = Pos(self.file, n, lead + 1)

    def check_spaced_label(self, t: str, n: int, lead: int) -> None:
        """Warn when `NAME : text` was probably meant as a speaker line."""
        k = label_end(t)
        if k > 0 and t[k - 1] in _SPACES and is_label_text(t[:k].rstrip(_SPACES)):
            self.warn(n, lead + 1, "LOG031",
                      f"'{t[:k].rstrip(_SPACES)}' is not read as a speaker: "
                      "remove the space before the colon")

    def check_controls(self, body: str, n: int, col: int) -> None:
        m = _CONTROL.search(body)
        if m:
            self.warn(n, col + m.start(), "LOG032",
                      f"control character U+{ord(m.group()):04X} in this message")

    def outside(self, t: str, lead: int, n: int) -> None:
        """Text outside blocks is ignored; warn when it looks like a lost message."""
        speaker, k = self.speaker(t)
        if speaker is not None and t[k + 1 :].strip(_SPACES):
            self.warn(n, lead + 1, "LOG005",
                      f"'{speaker}: ...' is outside any LOG block and is ignored")

    def did_you_mean(self) -> None:
        for label, c in self.counts.items():
            if c != 1:
                continue
            other = suggest(label, self.counts)
            if other is not None:
                pos = self.first_use[label]
                self.warn(pos.line, pos.col, "LOG040",
                          f"speaker '{label}' appears only once; did you mean '{other}'?")


def _control_lines(text: str) -> set[int]:
    """Line numbers holding control characters (rare: found by one scan of the text)."""
    return {text.count("\n", 0, m.start()) + 1 for m in _CONTROL.finditer(text)}
