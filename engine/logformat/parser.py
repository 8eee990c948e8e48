"""LOG text -> Script: blocks, scenes, messages and diagnostics, in one pass.

Most lines are `NAME: text<br>` with a label seen before, or narration in
brackets, with no markup but simple ruby and `<br>`: lines that can give no
diagnostic. `_Parser.scan` matches each stretch of them inside a block with
one regex call (lazy.PLAIN_RUN) and keeps only where it lies; its messages
are built when the scene's messages are first read (lazy.Messages). Every
other line is read line by line: `_Parser.read` takes known labels itself
(the hot path), the rest goes through `_Parser.line` and `_Parser.message`,
the general path, which reports problems; markup it cannot shortcut goes to
`inline.parse_inline`. Those messages are built in bulk at the end
(build.make_messages). Either way a line gives the same message.
"""
from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from engine.logformat.build import make_messages, make_text
from engine.logformat.codes import diagnostic
from engine.logformat.encoding import newlines_to_lf
from engine.logformat.inline import LineError, fast_inline, parse_inline, split_directions
from engine.logformat.labels import colon_context_ok, is_label_text, label_end, suggest
from engine.logformat.lazy import PLAIN_RUN, RUN_LABELS, Chunk, Messages
from engine.model import Diagnostic, Message, Pos, Ruby, Run, Scene, Script, Text

_MARKER = re.compile(r"-{2,}[ \t]*LOG[ \t]*(START|END)[ \t]*-{2,}", re.I)
_WRAP = r"</?(?:pre|code)(?:\s[^<>]*)?>"
_LEAD_WRAP = re.compile(rf"(?:[ \t]*{_WRAP})+[ \t]*", re.I)
_WRAP_TAG = re.compile(_WRAP, re.I)
_BR_TAG = re.compile(r"<br\s*/?>", re.I)
_STAMP = re.compile(
    r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})"
    r"(?:[ \tT\u3000]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?!\S)"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = " \t\u3000"
_GC_PAUSE_CHARS = 200_000
_SUGGEST_BUDGET = 100_000  # label pairs did_you_mean() may compare; a cast needs a few thousand
_BODY_CACHE = 10_000  # distinct bodies read() remembers; repeated lines are short ones
_MISSING = object()  # "not looked at yet" in the hot path's cache of bodies


def parse(text: str, file: str = "<string>") -> Script:
    """Parse LOG text into a Script. Pure: no file access, never raises on bad input.

    Line ends may be LF, CRLF or CR; a leading byte-order mark is ignored
    (columns never count it). Every problem becomes a Diagnostic. A scene's
    messages (a tuple-like lazy.Messages) are built when first read.
    """
    text = newlines_to_lf(text.removeprefix("\ufeff"))
    if len(text) < _GC_PAUSE_CHARS:
        return _Parser(file).run(text)
    # The model is acyclic, so the cyclic collector has nothing to find while a big
    # script is built, yet its passes over the growing heap double the parse time.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _Parser(file).run(text)
    finally:
        if paused:
            gc.enable()


def parse_pieces(pieces: Iterable[str], file: str = "<string>"
                 ) -> tuple[Script, list[tuple[int, int]]]:
    """parse() of the text the pieces make when joined, without joining them: each
    piece but the last must end in a newline (as encoding.utf8_pieces gives them).

    Also returns, for each scene, the lines it spans: from its START line up to
    (not including) the line that ends it (for the scene cache, cache.py).
    """
    parser = _Parser(file)
    paused = gc.isenabled()
    gc.disable()
    try:
        script = parser.run_pieces(pieces)
    finally:
        if paused:
            gc.enable()
    return script, [(b.pos.line, b.end) for b in parser.blocks]


def read_scene(text: str, file: str, first: int, speakers: Iterable[str] = ()
               ) -> tuple[Message, ...]:
    """The messages of the one scene whose lines, from its START line (line `first`),
    `text` holds: what parse() of the whole file gives that scene. Diagnostics are
    not read here (the whole file's parse gave them).

    `speakers`, the labels known to speak in it, only make it faster: their lines
    go to the regex pass at once instead of teaching the parser the label first.
    """
    parser = _Parser(file)
    parser.whole_file = False  # its diagnostics are not wanted; a label's first use is elsewhere
    for label in speakers:
        if is_label_text(label) and not label[-1].isdigit():  # as first() admits them
            parser.quick_labels[label] = parser.labels[label] = label
    script = parser.run(text, first)
    if len(script.scenes) != 1:
        raise ValueError(f"{file}:{first}: expected one scene, read {len(script.scenes)}")
    return tuple(script.scenes[0].messages)


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
        return t[:-4], lead
    return (_strip_end_tags(t) if t.endswith(">") else t), lead


def _strip_end_tags(t: str) -> str:
    """Drop wrapper tags and one `<br>` from the end of a line, tag by tag.

    White space around wrapper tags goes too; white space before the `<br>`
    is text. Each step looks only at the last tag and nothing is copied
    until the end, so this stays linear however many tags a line ends with.
    """
    end, br = len(t), False
    while t.endswith(">", 0, end):
        i = t.rfind("<", 0, end)
        if i >= 0 and _WRAP_TAG.fullmatch(t, i, end):
            end = i
            while end and t[end - 1].isspace():
                end -= 1
        elif i >= 0 and not br and _BR_TAG.fullmatch(t, i, end):
            end, br = i, True
        else:
            break
    return t[:end]


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
    """A block being read: its START line, its message count when it opened, and its
    messages so far: ranges of the columns (read line by line) and chunks (plain lines)."""

    __slots__ = ("title", "timestamp", "pos", "start", "parts", "column", "end")

    def __init__(self, title: str, timestamp: datetime | None, pos: Pos, start: int,
                 column: int) -> None:
        self.title = title
        self.timestamp = timestamp
        self.pos = pos
        self.start = start
        self.parts: list[tuple[int, int] | Chunk] = []
        self.column = column  # where the columns' messages not yet in parts begin
        self.end = 0  # the line after its last: its END line, a START inside it, or past the file

    def flush(self, column: int) -> None:
        """Close the stretch of column messages that ends at `column`."""
        if column > self.column:
            self.parts.append((self.column, column))
        self.column = column


class _Parser:
    """One pass over the text; state is the open block and the labels seen.

    Inside a block, stretches of plain lines (lazy.PLAIN_RUN) are matched in
    one regex call each and kept as chunks, built into messages on first use.
    Every other line is read line by line; those messages are gathered as
    columns (speaker, runs, line; the column only when it is not 1) and built
    all at once at the end, which costs far less than one at a time.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.diags: list[Diagnostic] = []
        self.blocks: list[_Block] = []  # closed blocks
        self.block: _Block | None = None
        self.labels: dict[str, str | None] = {}  # label text -> interned label, None if invalid
        self.quick_labels: dict[str, str] = {}  # valid labels the hot paths may accept
        self.first_use: dict[str, Pos] = {}
        self.read_runs: dict[str, tuple[Run, ...]] = {}  # body -> runs, for runs()
        self.rubies: dict[str, Ruby] = {}  # for fast_inline()
        self.speakers: list[str | None] = []
        self.runs_of: list[tuple[Run, ...]] = []
        self.lines: list[int] = []
        self.cols: dict[int, int] = {}  # message index -> column, where not 1
        self.at = 1  # the line being read by line() from scan()
        self.whole_file = True  # False: one scene (read_scene), no whole-file checks
        self.chunked = 0  # messages in chunks
        self.chunk_speakers: Counter[str] = Counter()

    def warn(self, line: int, col: int, code: str, message: str) -> None:
        self.diags.append(diagnostic(self.file, line, col, code, message))

    def add(self, speaker: str | None, runs: tuple[Run, ...], n: int, col: int) -> None:
        """Record one message of the open block."""
        if col != 1:
            self.cols[len(self.speakers)] = col
        self.speakers.append(speaker)
        self.runs_of.append(runs)
        self.lines.append(n)

    def run(self, text: str, first: int = 1) -> Script:
        """Read every line (the first is line `first`), then the checks that need the
        whole file."""
        self.at = self.scan(text, first)  # a block still open ends after the last line
        return self.finish()

    def run_pieces(self, pieces: Iterable[str]) -> Script:
        """run() over text given in pieces that end in newlines (all but the last)."""
        n = 1
        for i, piece in enumerate(pieces):
            text = newlines_to_lf(piece.removeprefix("\ufeff") if i == 0 else piece)
            n = self.scan(text, n, final=False)
        self.at = self.scan("", n)  # the line after the last newline, as split() has it
        return self.finish()

    def finish(self) -> Script:
        """The end of the file: an open block closed, the whole-file checks, the Script."""
        if self.block is not None:
            self.warn(self.block.pos.line, self.block.pos.col, "LOG003",
                      "this block is never closed (no '--- LOG END ---'); closed at end of file")
            self.close()
        if self.whole_file:
            self.did_you_mean()
        self.diags.sort(key=lambda d: (d.pos.line, d.pos.col))
        messages = make_messages(self.file, self.speakers, self.runs_of, self.lines, self.cols)
        scenes = tuple(
            Scene(b.title, b.timestamp, b.pos,
                  Messages(self.file, [p if isinstance(p, Chunk) else tuple(messages[p[0] : p[1]])
                                       for p in b.parts], self.quick_labels, self.rubies))
            for b in self.blocks)
        return Script(self.file, scenes, tuple(self.diags))

    def total(self) -> int:
        """Messages read so far."""
        return len(self.speakers) + self.chunked

    def scan(self, text: str, n: int = 1, final: bool = True) -> int:
        """The whole text: plain runs in one match each, other lines one by one.
        Returns the number of the line after the last. Not `final`: the text is a
        piece ending in a newline, and the empty string after it is no line."""
        match, labels_in = PLAIN_RUN.match, RUN_LABELS.findall
        quick = self.quick_labels.keys()
        pos, size = 0, len(text)
        while pos < size or (final and pos == size):
            if self.block is not None:
                m = match(text, pos)
                if m is not None:
                    end = m.end()
                    count = text.count("\n", pos, end)
                    labels = labels_in(text, pos, end)
                    if quick >= set(labels):
                        self.chunk(Chunk(text, pos, end, n, count, Counter(labels)))
                    else:  # a label's first line: read line by line, which learns it
                        self.read(text[pos : end - 1].split("\n"), n)
                    pos, n = end, n + count
                    continue
            e = text.find("\n", pos)
            if e < 0:
                e = size
            self.at = n  # markers are read here only: where a block opens or ends
            self.line(text[pos:e], n)
            pos, n = e + 1, n + 1
        return n

    def chunk(self, chunk: Chunk) -> None:
        """Add a run of plain lines to the open block."""
        b = self.block
        assert b is not None
        b.flush(len(self.speakers))
        b.parts.append(chunk)
        self.chunked += chunk.count
        self.chunk_speakers.update(chunk.speakers)

    def read(self, lines: list[str], first: int = 1) -> None:
        """The line loop. Inside a block, `LABEL: text<br>` with a label seen before is
        taken right here (the hot path); every other line goes to line().

        Longer than other functions on purpose: it runs once per line, and each
        call or attribute lookup moved out of it costs more than the work.
        """
        known = self.quick_labels.get
        control = _CONTROL.search
        rubies = self.rubies
        done: dict[str, tuple[Run, ...] | None] = {}  # body -> runs (None: not hot)
        seen = done.get
        add_speaker, add_runs, add_line = (self.speakers.append, self.runs_of.append,
                                           self.lines.append)
        inside, remember, since = self.block is not None, True, 0
        for n, line in enumerate(lines, first):
            if inside:
                label, colon, body = line.partition(":")
                if not colon or "：" in label:
                    label, colon, body = line.partition("：")
                # A known label starts the line, so the line has no leading blank or
                # wrapper tag and is no LOG marker (labels are learnt from lines that
                # are not); whether `body` can be taken is a property of `body` alone,
                # worked out once per distinct body.
                speaker = known(label)
                if speaker is not None:
                    runs = seen(body, _MISSING)
                    if runs is _MISSING:
                        # The plainest bodies inline, as a function call costs as much
                        # as the work; _hot_body() for the rest.
                        text = body[:-4].lstrip(_SPACES) if body[-4:] == "<br>" else ""
                        if (text and "<" not in text and "&" not in text and "（" not in text
                                and body[:2] != "//"
                                and (text.isprintable() or not control(text))):
                            runs = (make_text(text),)
                        else:
                            runs = _hot_body(body, rubies)
                        if remember:
                            done[body] = runs
                            if len(done) == _BODY_CACHE:
                                # Keep the cache while at least about one line in two is
                                # a repeat; where lines do not repeat it only costs.
                                remember = n - since >= 2 * _BODY_CACHE
                                since = n
                                done.clear()
                    if runs is not None:
                        add_speaker(speaker)
                        add_runs(runs)
                        add_line(n)
                        continue
            self.line(line, n)
            inside = self.block is not None

    def line(self, line: str, n: int) -> None:
        """Any line the hot path did not take."""
        if line.endswith("<br>") and line[:1] not in " \t<":
            t, lead = line[:-4], 0  # the common case, without trim()'s work
        else:
            t, lead = trim(line)
            if not t:
                return
        if t[0] == "-" and self.marker(t, lead, n):
            return
        if self.block is None:
            self.outside(t, lead, n)
        elif lead or not self.quick(t, n):
            self.message(t, lead, n)

    def quick(self, t: str, n: int) -> bool:
        """`LABEL: text` with a label seen before, as the hot path reads it; False if not that.

        For lines that did not end in a plain `<br>`; message() gives the same
        result for the lines taken here.
        """
        label, colon, body = t.partition(":")
        if not colon or "：" in label:
            label, colon, body = t.partition("：")
        speaker = self.quick_labels.get(label) if colon else None
        if speaker is None or body.startswith("//"):
            return False
        runs = _hot_runs(body.lstrip(_SPACES), self.rubies)
        if runs is None:
            return False
        self.add(speaker, runs, n, 1)
        return True

    def marker(self, t: str, lead: int, n: int) -> bool:
        """Handle a LOG START / LOG END line; False if `t` is not a marker."""
        m = _MARKER.match(t)
        if not m:
            return False
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
            return True
        if self.block is not None:
            self.warn(n, lead + 1, "LOG002",
                      f"'LOG START' inside the block opened at line {self.block.pos.line}; "
                      "that block is closed here")
            self.close()
        stamp = read_timestamp(title)
        if stamp is None:
            why = f"cannot read the timestamp '{title}'" if title else "no timestamp"
            self.warn(n, col, "LOG004", f"{why} (expected YYYY.MM.DD HH:MM); scene has no date")
        self.block = _Block(title, stamp, Pos(self.file, n, lead + 1), self.total(),
                            len(self.speakers))
        return True

    def close(self) -> None:
        b = self.block
        assert b is not None
        if self.total() == b.start:
            self.warn(b.pos.line, b.pos.col, "LOG007", "this block has no messages")
        b.flush(len(self.speakers))
        b.end = self.at
        self.blocks.append(b)
        self.block = None

    def speaker(self, t: str) -> tuple[str | None, int]:
        """The speaker label of a line and the index of its colon, or (None, -1)."""
        k = label_end(t)
        if k < 0:
            return None, -1
        known = self.labels.get(t[:k], "")
        if known == "":
            known = self.learn(t[:k])
        if known is None or not colon_context_ok(t, k):
            return None, -1
        return known, k

    def learn(self, label: str) -> str | None:
        """Remember whether a label text is a valid label (labels repeat on most lines)."""
        known = self.labels[label] = label if is_label_text(label) else None
        return known

    def message(self, t: str, lead: int, n: int) -> None:
        """The message of a non-blank, non-marker line inside a block (general path)."""
        speaker, k = self.speaker(t)
        if speaker is None:
            body, col = t, lead + 1
            self.check_spaced_label(t, n, lead)
        else:
            self.first(speaker, n, lead)
            body = t[k + 1 :].lstrip(_SPACES)
            col = lead + len(t) - len(body) + 1
            if not body:
                self.warn(n, col, "LOG030", f"'{speaker}' says nothing on this line")
        self.check_controls(body, n, col)
        self.add(speaker, self.runs(body, n, col), n, lead + 1)

    def first(self, speaker: str, n: int, lead: int) -> None:
        """Note a label's first use; from then on the hot paths may take its lines."""
        if speaker not in self.first_use:
            self.first_use[speaker] = Pos(self.file, n, lead + 1)
            if not speaker[-1].isdigit():  # the hot paths do not check for a time (8:30)
                self.quick_labels[speaker] = speaker

    def runs(self, body: str, n: int, col: int) -> tuple[Run, ...]:
        """The runs of a message body; a line with broken markup is kept as written.

        Bodies read without a diagnostic are remembered: their runs do not
        depend on where the line is, and parse_inline() is slow.
        """
        runs = self.read_runs.get(body)
        if runs is None:
            runs, clean = self.new_runs(body, n, col)
            if clean:
                if len(self.read_runs) == _BODY_CACHE:
                    self.read_runs.clear()  # keep memory bounded
                self.read_runs[body] = runs
        return runs

    def new_runs(self, body: str, n: int, col: int) -> tuple[tuple[Run, ...], bool]:
        """The runs of a body not read before, and whether that reported nothing."""
        if "<" not in body and "&" not in body:
            if "（" not in body:
                return ((make_text(body),) if body else ()), True
            return tuple(split_directions(body)), True
        runs = fast_inline(body, self.rubies)
        if runs is not None:
            return runs, True
        found: list[Diagnostic] = []

        def warn(c: int, code: str, message: str) -> None:
            found.append(diagnostic(self.file, n, c, code, message))

        try:
            runs = parse_inline(body, col, warn)
        except LineError as exc:
            self.warn(n, exc.col, exc.code, exc.message + "; the line is shown as written")
            return (Text(body),), False
        self.diags.extend(found)
        return runs, not found

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
        """Warn about labels used once that look like typos of frequent ones."""
        # Counted once here rather than line by line; Counter keeps first-use order.
        counts = Counter(filter(None, self.speakers))
        counts.update(self.chunk_speakers)  # labels all seen first in the columns
        once = [label for label, c in counts.items() if c == 1]
        if len(once) * len(counts) > _SUGGEST_BUDGET:
            return  # thousands of one-off labels: a data file, not a cast; skip the check
        for label in once:
            other = suggest(label, counts)
            if other is not None:
                pos = self.first_use[label]
                self.warn(pos.line, pos.col, "LOG040",
                          f"speaker '{label}' appears only once; did you mean '{other}'?")



def _hot_body(body: str, rubies: dict[str, Ruby]) -> tuple[Run, ...] | None:
    """The runs of what follows a known label's colon, if read() may take it."""
    if not body.endswith("<br>") or body.startswith("//"):
        return None  # no plain final <br>, or a URL's colon
    return _hot_runs(body[:-4].lstrip(_SPACES), rubies)


def _hot_runs(body: str, rubies: dict[str, Ruby]) -> tuple[Run, ...] | None:
    """The runs of a message body the hot paths may take; None for the general path.

    None when the body is empty, holds a control character (message() warns
    about those) or markup fast_inline() does not fully understand.
    """
    if not body or (not body.isprintable() and _CONTROL.search(body)):
        return None
    if "<" in body or "&" in body:
        return fast_inline(body, rubies)
    if "（" in body:
        return tuple(split_directions(body))
    return (make_text(body),)
