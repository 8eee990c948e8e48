"""Fast constructors for the model objects the parser makes once per line.

A frozen dataclass's generated __init__ sets each field through
object.__setattr__; for 200,000 messages that is a large share of the parse
time. For slotted classes the slot descriptors can set the fields directly,
which builds an identical object (same fields, same equality and hash) at
about half the cost. If the model classes ever change shape (other fields,
a __post_init__, no slots), the plain constructors are used instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from itertools import repeat
from typing import Any, TypeVar

from engine.model import Direction, Message, Pos, Ruby, Run, Text

T = TypeVar("T")

_new = object.__new__


def _slot_setters(cls: type, names: tuple[str, ...]) -> list[Callable[[Any, Any], None]] | None:
    """The slot descriptors' setters, or None if cls is not exactly that shape."""
    if (tuple(f.name for f in fields(cls)) != names or hasattr(cls, "__post_init__")
            or tuple(getattr(cls, "__slots__", ())) != names):
        return None
    return [cls.__dict__[name].__set__ for name in names]


def _pos_maker() -> Callable[[str, int, int], Pos]:
    setters = _slot_setters(Pos, ("file", "line", "col"))
    if setters is None:
        return Pos
    set_file, set_line, set_col = setters

    def make_pos(file: str, line: int, col: int) -> Pos:
        p = _new(Pos)
        set_file(p, file)
        set_line(p, line)
        set_col(p, col)
        return p

    return make_pos


def _message_maker() -> Callable[[str | None, tuple[Run, ...], Pos], Message]:
    setters = _slot_setters(Message, ("speaker", "runs", "pos"))
    if setters is None:
        return Message
    set_speaker, set_runs, set_pos = setters

    def make_message(speaker: str | None, runs: tuple[Run, ...], pos: Pos) -> Message:
        m = _new(Message)
        set_speaker(m, speaker)
        set_runs(m, runs)
        set_pos(m, pos)
        return m

    return make_message


def _one_field_maker(cls: type[T], name: str) -> Callable[[Any], T]:
    setters = _slot_setters(cls, (name,))
    if setters is None:
        return cls
    (set_field,) = setters

    def make(value: Any) -> T:
        obj = _new(cls)
        set_field(obj, value)
        return obj

    return make


make_pos = _pos_maker()
make_message = _message_maker()
make_text: Callable[[str], Text] = _one_field_maker(Text, "text")
make_direction: Callable[[str], Direction] = _one_field_maker(Direction, "text")
make_ruby: Callable[[tuple[tuple[str, str], ...]], Ruby] = _one_field_maker(Ruby, "parts")


def _messages_maker() -> Callable[..., list[Message]]:
    """make_messages, by columns when the slots can be set directly."""
    pos_setters = _slot_setters(Pos, ("file", "line", "col"))
    msg_setters = _slot_setters(Message, ("speaker", "runs", "pos"))
    if pos_setters is None or msg_setters is None:
        return _messages_by_constructor
    set_file, set_line, set_col = pos_setters
    set_speaker, set_runs, set_pos = msg_setters

    def make_messages(file: str, speakers: Sequence[str | None], runs: Sequence[tuple[Run, ...]],
                      lines: Sequence[int], cols: Mapping[int, int]) -> list[Message]:
        # map() drives the slot setters from C: no Python frame per object. any() just
        # exhausts each map (the setters return None).
        count = len(speakers)
        poses = list(map(_new, repeat(Pos, count)))
        any(map(set_file, poses, repeat(file)))
        any(map(set_line, poses, lines))
        any(map(set_col, poses, repeat(1)))
        for i, col in cols.items():
            set_col(poses[i], col)
        messages = list(map(_new, repeat(Message, count)))
        any(map(set_speaker, messages, speakers))
        any(map(set_runs, messages, runs))
        any(map(set_pos, messages, poses))
        return messages

    return make_messages


def _messages_by_constructor(file: str, speakers: Sequence[str | None],
                             runs: Sequence[tuple[Run, ...]], lines: Sequence[int],
                             cols: Mapping[int, int]) -> list[Message]:
    return [Message(s, r, Pos(file, n, cols.get(i, 1)))
            for i, (s, r, n) in enumerate(zip(speakers, runs, lines, strict=True))]


# Messages from columns: speakers, runs and line numbers, one entry per message;
# cols maps the index of each message whose column is not 1 to its column.
make_messages = _messages_maker()
