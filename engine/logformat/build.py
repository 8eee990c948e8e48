"""Fast constructors for the model objects the parser makes once per line.

A frozen dataclass's generated __init__ sets each field through
object.__setattr__; for 200,000 messages that is a large share of the parse
time. For slotted classes the slot descriptors can set the fields directly,
which builds an identical object (same fields, same equality and hash) at
about half the cost. If the model classes ever change shape (other fields,
a __post_init__, no slots), the plain constructors are used instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
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
