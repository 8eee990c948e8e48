"""The inline markup of one message: tags, entities and stage directions -> runs.

`split_directions` and `fast_inline` are the shortcuts for the common cases
(plain text with `（…）`, simple ruby, `<br>`); they never report anything and
give up (None) on whatever they do not fully understand. `parse_inline` reads
everything: problems that break a line raise LineError (the caller then keeps
the line's text as written); problems that do not (an unknown tag or entity)
are reported through `warn` and kept as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.entities import html5

from engine.logformat.build import make_direction, make_ruby, make_text
from engine.model import BREAK, Ruby, Run

Warn = Callable[[int, str, str], None]  # (column, code, message)

# A tag (end tag, name, attributes or a lone '/'), a comment/doctype, or an entity.
# Numeric references are capped at 8 digits so int() never sees a huge number.
_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s[^<>]*)?|/)>"
    r"|(<![^<>]*>)"
    r"|&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});"
)
_RUBY_PARTS = frozenset({"rt", "rp", "rb"})
_DIRECTION_SPLIT = re.compile("(（[^（）]+）)")
_RUBY_CACHE = 4096  # distinct ruby elements fast_inline() remembers for a caller


class LineError(Exception):
    """A problem that makes the line unreadable as markup; it is shown as written."""

    def __init__(self, col: int, code: str, message: str) -> None:
        super().__init__(message)
        self.col = col
        self.code = code
        self.message = message


def split_directions(text: str) -> list[Run]:
    """Text and Direction runs for a piece of plain text (no markup left in it)."""
    if "（" not in text:
        return [make_text(text)] if text else []
    pieces = _DIRECTION_SPLIT.split(text)  # text, direction, text, ..., text
    runs: list[Run] = []
    for i, piece in enumerate(pieces):
        if i % 2:
            runs.append(make_direction(piece))
        elif piece:
            runs.append(make_text(piece))
    return runs


def fast_inline(text: str, rubies: dict[str, Ruby] | None = None) -> tuple[Run, ...] | None:
    """The runs of text whose only markup is simple ruby and <br>; None otherwise.

    A shortcut for the common case, with str methods only; anything it does
    not fully understand (entities, other tags, <rp>/<rb>, upper case, blank
    bases or readings) returns None so that parse_inline reads it and reports
    any problem. `rubies`, if given, remembers the Ruby of each ruby element's
    inner text across calls (the same words get the same readings again).
    """
    chunks = text.split("<ruby>")
    runs: list[Run] = []
    if not _plain_into(chunks[0], runs):
        return None
    for chunk in chunks[1:]:
        inner, closed, after = chunk.partition("</ruby>")
        if not closed:
            return None
        ruby = rubies.get(inner) if rubies is not None else None
        if ruby is None:
            ruby = _simple_ruby(inner)
            if ruby is None:
                return None
            if rubies is not None:
                if len(rubies) >= _RUBY_CACHE:
                    rubies.clear()  # keep memory bounded
                rubies[inner] = ruby
        runs.append(ruby)
        if not _plain_into(after, runs):
            return None
    return tuple(runs)


def _simple_ruby(inner: str) -> Ruby | None:
    """The Ruby for the inside of a <ruby> element made only of base<rt>reading</rt>
    pairs with no other markup, no entities and no blank base or reading; else None."""
    pairs = inner.split("</rt>")
    if len(pairs) < 2 or pairs[-1] or "&" in inner:
        return None
    parts = []
    for pair in pairs[:-1]:
        base, rt, reading = pair.partition("<rt>")
        if not rt or "<" in base or "<" in reading or not base.strip() or not reading.strip():
            return None
        parts.append((base, reading))
    return make_ruby(tuple(parts))


def _plain_into(segment: str, runs: list[Run]) -> bool:
    """Append the runs of a segment that may hold <br>; False if it holds other markup."""
    if "&" in segment:
        return False
    if "<" not in segment:
        if segment:
            runs.extend(split_directions(segment) if "（" in segment else (make_text(segment),))
        return True
    lines = segment.split("<br>")
    if any("<" in line for line in lines):
        return False
    for i, line in enumerate(lines):
        if i:
            runs.append(BREAK)
        if line:
            runs.extend(split_directions(line))
    return True


def parse_inline(text: str, col0: int, warn: Warn) -> tuple[Run, ...]:
    """The runs of a message's text; `col0` is the column of text[0] in the file.

    Raises LineError for markup that cannot be read (unclosed ruby, ruby parts
    out of place, empty base or reading).
    """
    tokens = list(_TOKEN.finditer(text))
    pieces: list[str | Run] = []
    pos = i = 0
    while i < len(tokens):
        m = tokens[i]
        if m.start() > pos:
            pieces.append(text[pos : m.start()])
        i = _token(text, tokens, i, col0, pieces, warn)
        pos = tokens[i - 1].end()
    pieces.append(text[pos:])
    return _to_runs(pieces)


def _token(text: str, tokens: list[re.Match[str]], i: int, col0: int,
           pieces: list[str | Run], warn: Warn) -> int:
    """Handle tokens[i] (and a whole ruby element); returns the next token index."""
    m = tokens[i]
    col = col0 + m.start()
    if m.group(5) is not None:
        pieces.append(decode_entity(m, col, warn))
        return i + 1
    name = (m.group(2) or "").lower()
    closing = m.group(1) == "/"
    if name == "br" and not closing:
        pieces.append(BREAK)
    elif name == "ruby" and not closing:
        end = _ruby_end(tokens, i, col0)
        pieces.append(_ruby(text, tokens, i, end, col0, warn))
        return end + 1
    elif name == "ruby":
        raise LineError(col, "LOG012", "</ruby> with no <ruby> before it")
    elif name in _RUBY_PARTS:
        raise LineError(col, "LOG013", f"{m.group()} outside <ruby>")
    else:
        kind = "wrapper tag" if name in ("pre", "code") else "unknown tag"
        warn(col, "LOG010", f"{kind} {m.group()} inside a message kept as text")
        pieces.append(m.group())
    return i + 1


def _ruby_end(tokens: list[re.Match[str]], i: int, col0: int) -> int:
    """Index of the </ruby> closing the <ruby> at tokens[i], on the same line."""
    for j in range(i + 1, len(tokens)):
        t = tokens[j]
        if (t.group(2) or "").lower() == "ruby":
            if t.group(1) == "/":
                return j
            raise LineError(col0 + t.start(), "LOG017", "<ruby> inside <ruby>")
    raise LineError(col0 + tokens[i].start(), "LOG011", "<ruby> with no </ruby> on its line")


def _ruby(text: str, tokens: list[re.Match[str]], i: int, end: int, col0: int,
          warn: Warn) -> Ruby:
    """The Ruby run for tokens[i] (<ruby>) .. tokens[end] (</ruby>)."""
    builder = _RubyBuilder(col0 + tokens[i].start())
    for k in range(i + 1, end + 1):
        m = tokens[k]
        builder.add_text(text[tokens[k - 1].end() : m.start()])
        if k == end:
            break
        col = col0 + m.start()
        name = (m.group(2) or "").lower()
        if m.group(5) is not None:
            builder.add_text(decode_entity(m, col, warn))
        elif name in _RUBY_PARTS:
            builder.tag(name, m.group(1) == "/", col)
        elif name == "br":
            raise LineError(col, "LOG019", "<br> inside <ruby>; a ruby unit cannot break")
        else:
            warn(col, "LOG010", f"unknown tag {m.group()} inside <ruby> kept as text")
            builder.add_text(m.group())
    return builder.finish()


class _RubyBuilder:
    """Collects base segments and readings inside one <ruby> element.

    Bases and readings pair up in order, which reads both the inline form
    (`明<rt>あ</rt>日<rt>した</rt>`) and the tabular `<rb>` form
    (`<rb>明</rb><rb>日</rb><rt>あ</rt><rt>した</rt>`).
    """

    def __init__(self, col: int) -> None:
        self.col = col
        self.bases: list[list[str]] = []
        self.base_open = False
        self.paired = 0
        self.mode = "base"  # or "rt" (reading) or "rp" (fallback parenthesis, dropped)
        self.reading: list[str] = []
        self.rt_col = col
        self.parts: list[tuple[str, str]] = []

    def add_text(self, s: str) -> None:
        if not s or self.mode == "rp":
            return
        if self.mode == "rt":
            self.reading.append(s)
            return
        if not self.base_open:
            if s.isspace():
                return  # white space between pairs is source layout, not base text
            self.bases.append([])
            self.base_open = True
        self.bases[-1].append(s)

    def tag(self, name: str, closing: bool, col: int) -> None:
        if name == "rt":
            self._rt(closing, col)
        elif name == "rp":
            self._rp(closing, col)
        elif self.mode != "base":
            raise LineError(col, "LOG018", f"<{'/' if closing else ''}rb> inside a reading")
        else:
            self.base_open = not closing
            if not closing:
                self.bases.append([])

    def _rt(self, closing: bool, col: int) -> None:
        if closing:
            if self.mode != "rt":
                raise LineError(col, "LOG018", "</rt> with no <rt> before it")
            self._commit()
            return
        if self.mode == "rp":
            raise LineError(col, "LOG018", "<rt> inside <rp>")
        if self.mode == "rt":
            self._commit()
        self.mode, self.reading, self.rt_col, self.base_open = "rt", [], col, False

    def _rp(self, closing: bool, col: int) -> None:
        if closing:
            if self.mode != "rp":
                raise LineError(col, "LOG018", "</rp> with no <rp> before it")
            self.mode = "base"
            return
        if self.mode == "rp":
            raise LineError(col, "LOG018", "<rp> inside <rp>")
        if self.mode == "rt":
            self._commit()
        self.mode = "rp"

    def _commit(self) -> None:
        """Pair the reading just read with the next unpaired base."""
        base = "".join(self.bases[self.paired]) if self.paired < len(self.bases) else ""
        reading = "".join(self.reading)
        if not base.strip():
            raise LineError(self.rt_col, "LOG014", f"ruby reading '{reading}' has an empty base")
        if not reading.strip():
            raise LineError(self.rt_col, "LOG015", f"ruby base '{base}' has an empty reading")
        self.parts.append((base, reading))
        self.paired += 1
        self.mode, self.reading, self.base_open = "base", [], False

    def finish(self) -> Ruby:
        if self.mode == "rt":
            self._commit()
        elif self.mode == "rp":
            raise LineError(self.col, "LOG018", "<rp> not closed before </ruby>")
        unpaired = "".join("".join(b) for b in self.bases[self.paired :])
        if unpaired.strip():
            raise LineError(self.col, "LOG016", f"ruby base '{unpaired}' has no reading (<rt>)")
        if not self.parts:
            raise LineError(self.col, "LOG014", "empty <ruby> element")
        return Ruby(tuple(self.parts))


def decode_entity(m: re.Match[str], col: int, warn: Warn) -> str:
    """The character(s) an entity match stands for, or its text with a warning."""
    ref = m.group(5)
    if ref[0] == "#":
        cp = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        if _valid_codepoint(cp):
            return chr(cp)
        warn(col, "LOG021", f"{m.group()} is not a valid character; kept as text")
        return m.group()
    value = html5.get(ref + ";")
    if value is None:
        warn(col, "LOG020", f"unknown entity {m.group()} kept as text")
        return m.group()
    return value


def _valid_codepoint(cp: int) -> bool:
    """Characters a reference may name: no NUL, controls, surrogates or beyond Unicode."""
    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        return False
    return cp == 0x09 or not (cp < 0x20 or 0x7F <= cp <= 0x9F)


def _to_runs(pieces: list[str | Run]) -> tuple[Run, ...]:
    """Merge neighbouring strings, then mark stage directions inside them."""
    runs: list[Run] = []
    buf: list[str] = []
    for p in pieces:
        if isinstance(p, str):
            buf.append(p)
            continue
        if buf:
            runs.extend(split_directions("".join(buf)))
            buf.clear()
        runs.append(p)
    if buf:
        runs.extend(split_directions("".join(buf)))
    return tuple(runs)
