"""Plain message lines found by one regex pass, and a scene's messages built on first use.

Most lines of a chat log are `LABEL: text<br>` with a label used before, or
narration in brackets, with no markup but simple ruby and `<br>`: lines that
can give no diagnostic. `PLAIN_RUN` matches a stretch of such lines in one
call (C speed); the parser keeps only where the stretch lies (a `Chunk`) and
`Messages` turns it into Message objects when a scene's messages are first
read. What `PLAIN_RUN` accepts is a strict subset of what the line-by-line
path reads without a diagnostic, and a line read here gets exactly the runs
that path gives it (tests compare the two on generated input).
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from itertools import repeat
from typing import Any, Protocol, overload

from engine.logformat.build import make_messages, make_text
from engine.logformat.inline import fast_inline, split_directions
from engine.model import Message, Pos, Ruby, Run, Script, Text

_new = object.__new__
_set_text = Text.__dict__["text"].__set__  # Text is slotted (build.py relies on it too)

_CTRL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_NOT_LABEL = r"\s<>&\"()（）「」『』【】\[\]{}:：" + _CTRL
_PLAIN = rf"[^<&\n{_CTRL}]"
_RUBY_TEXT = rf"[^<&\s{_CTRL}]"  # bases and readings: never blank, no markup
_RUBY = rf"<ruby>(?:{_RUBY_TEXT}++<rt>{_RUBY_TEXT}++</rt>)++</ruby>"
_BODY = rf"(?!(?:<br>)?\n)(?:{_PLAIN}++|{_RUBY}|<br>(?!\n))*+"
# A label never starts with '-' (a LOG marker may have no spaces: ---LOGEND---).
_LABEL = rf"[^{_NOT_LABEL}\-][^{_NOT_LABEL}]{{0,31}}"
# Narration that cannot be read as a speaker line: it starts with a bracket (no label
# holds one), or no colon ends a label's length into it; never a blank, '<', '&' or '-'.
_NARRATION = r"(?:(?=[（「『【(\[\"{])|(?![^\n]{0,32}[:：]))(?![\s<&\-])"
_LINE = (rf"(?:(?P<label>{_LABEL})[:：](?!//)[ \t\u3000]*+|{_NARRATION})"
         rf"(?P<body>{_BODY})(?:<br>|(?<![\s>]))\n")
PLAIN_LINE = re.compile(_LINE)
PLAIN_RUN = re.compile(rf"(?:{_LINE})+")
# The label of each labelled line in a run (narration lines have none).
RUN_LABELS = re.compile(rf"^({_LABEL})[:：]", re.M)


class Chunk:
    """Consecutive plain lines: text[start:end] (ending in a newline) from line `line`."""

    __slots__ = ("text", "start", "end", "line", "count", "speakers")

    def __init__(self, text: str, start: int, end: int, line: int, count: int,
                 speakers: Counter[str]) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.line = line
        self.count = count
        self.speakers = speakers

    firsts: Mapping[str, Pos] = {}  # a chunk's labels all speak first elsewhere

    def messages(self, file: str, labels: Mapping[str, str],
                 rubies: dict[str, Ruby]) -> list[Message]:
        return chunk_messages(file, self, labels, rubies)


class Lazy(Protocol):
    """Messages not built yet: how many, who speaks how often, and where a label
    first speaks in them (if its first line in the script is here)."""

    count: int
    speakers: Counter[str]
    firsts: Mapping[str, Pos]

    def messages(self, file: str, labels: Mapping[str, str],
                 rubies: dict[str, Ruby]) -> Sequence[Message]: ...


def chunk_messages(file: str, chunk: Chunk, labels: Mapping[str, str],
                   rubies: dict[str, Ruby]) -> list[Message]:
    """The Message of each line of a chunk, as the line-by-line path reads them.

    Built by columns, with map() and zip() driving the constructors from C:
    a Python step per message only picks out the bodies with markup.
    """
    found = PLAIN_LINE.findall(chunk.text, chunk.start, chunk.end)  # (label or "", body)
    if len(found) != chunk.count:
        raise AssertionError(f"{file}:{chunk.line}: {chunk.count} plain lines read as {len(found)}")
    names, bodies = zip(*found, strict=True)
    speakers = list(map(labels.get, names))  # "" (narration) is no label: None
    texts = list(map(_new, repeat(Text, len(bodies))))
    any(map(_set_text, texts, bodies))
    runs: list[tuple[Run, ...]] = list(zip(texts))
    for i in [i for i, body in enumerate(bodies) if "<" in body or "（" in body]:
        runs[i] = body_runs(bodies[i], rubies)
    return make_messages(file, speakers, runs, range(chunk.line, chunk.line + chunk.count), {})


def body_runs(body: str, rubies: dict[str, Ruby]) -> tuple[Run, ...]:
    """The runs of a body PLAIN_LINE accepted (leading blanks and final <br> already off)."""
    if "<" not in body:
        if "（" not in body:
            return (make_text(body),)
        return tuple(split_directions(body))
    runs = fast_inline(body, rubies)
    if runs is None:  # PLAIN_LINE accepts only what fast_inline reads
        raise AssertionError(f"plain line not read by fast_inline: {body!r}")
    return runs


Part = tuple[Message, ...] | Lazy


class Messages(Sequence[Message]):
    """A scene's messages: a tuple-like sequence whose plain lines become Message
    objects the first time any message is read.

    Its length, truthiness and speaker counts need no building. It compares
    equal to the tuple of the same messages (and hashes like it), so code
    and tests that treat a scene's messages as a tuple see no difference.
    """

    __slots__ = ("_file", "_parts", "_items", "_len", "_labels", "_rubies")

    def __init__(self, file: str, parts: Sequence[Part], labels: Mapping[str, str],
                 rubies: dict[str, Ruby]) -> None:
        self._file = file
        self._parts: tuple[Part, ...] | None = tuple(parts)
        self._len = sum(len(p) if isinstance(p, tuple) else p.count for p in parts)
        self._items: tuple[Message, ...] | None = None
        self._labels = labels
        self._rubies = rubies
        if all(isinstance(p, tuple) for p in parts):
            self._built()

    def _built(self) -> tuple[Message, ...]:
        items = self._items
        if items is None:
            items = self._items = self.unkept()
            self._parts = None  # the chunks (and their hold on the text) are not needed now
        return items

    def unkept(self) -> tuple[Message, ...]:
        """The messages, built for the caller and not kept here unless they already
        were (a dump or a count over a whole story then holds one scene at a time)."""
        items, parts = self._items, self._parts
        if items is not None:
            return items
        if parts is None:  # another thread has just built them
            assert self._items is not None
            return self._items
        paused = gc.isenabled()
        gc.disable()  # as parse() does: the model is acyclic, the collector's passes only cost
        try:
            out: list[Message] = []
            for p in parts:
                out.extend(p if isinstance(p, tuple)
                           else p.messages(self._file, self._labels, self._rubies))
        finally:
            if paused:
                gc.enable()
        return tuple(out)

    @property
    def built(self) -> bool:
        """Whether the Message objects exist yet (for tests and benchmarks)."""
        return self._items is not None

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    @overload
    def __getitem__(self, i: int) -> Message: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Message, ...]: ...

    def __getitem__(self, i: int | slice) -> Message | tuple[Message, ...]:
        return self._built()[i]

    def __iter__(self) -> Iterator[Message]:
        return iter(self._built())

    def __reversed__(self) -> Iterator[Message]:
        return reversed(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Messages):
            return self is other or self._built() == other._built()
        if isinstance(other, tuple):
            return self._built() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._built())

    def __repr__(self) -> str:
        return repr(self._built())

    def __add__(self, other: Any) -> tuple[Message, ...]:
        return self._built() + tuple(other)

    def speaker_uses(self) -> tuple[Counter[str], dict[str, Pos]]:
        """How often each label speaks in this scene, and where each label first
        speaks among the lines not read by the regex pass (a label's first line in
        a script is always one of those: a run with a new label is read line by line)."""
        counts: Counter[str] = Counter()
        firsts: dict[str, Pos] = {}
        parts = self._parts if self._parts is not None else (self._built(),)
        for p in parts:
            if not isinstance(p, tuple):
                counts.update(p.speakers)
                for label, pos in p.firsts.items():
                    firsts.setdefault(label, pos)
                continue
            for m in p:
                if m.speaker is not None:
                    counts[m.speaker] += 1
                    firsts.setdefault(m.speaker, m.pos)
        return counts, firsts


def speaker_uses(script: Script) -> dict[str, tuple[int, Pos]]:
    """Each speaker label of a script: how many messages it has and where it first
    speaks, in the order labels first speak. Builds no message that parse() left unbuilt."""
    counts: Counter[str] = Counter()
    firsts: dict[str, Pos] = {}
    for scene in script.scenes:
        messages = scene.messages
        if isinstance(messages, Messages):
            c, f = messages.speaker_uses()
        else:
            c = Counter(m.speaker for m in messages if m.speaker is not None)
            f = {}
            for m in messages:
                if m.speaker is not None:
                    f.setdefault(m.speaker, m.pos)
        counts.update(c)
        for label, pos in f.items():
            firsts.setdefault(label, pos)
    order = sorted(counts, key=lambda label: (firsts[label].line, firsts[label].col))
    return {label: (counts[label], firsts[label]) for label in order}
