"""engine.model.record: written-out __init__s must match their fields."""

import dataclasses

import pytest

from engine.model import Pos, Ruby, record, set_field


def test_an_init_that_drifts_from_the_fields_fails_at_definition() -> None:
    with pytest.raises(TypeError, match="fields are"):

        @record
        class Drifted:
            a: int
            b: int

            def __init__(self, b: int, a: int) -> None:
                set_field(self, "a", a)
                set_field(self, "b", b)


def test_a_field_left_out_of_init_needs_a_default() -> None:
    with pytest.raises(TypeError):

        @record(frozen=False)
        class Missing:
            a: int
            hidden: int

            def __init__(self, a: int) -> None:
                self.a = a
                self.hidden = 0


def test_records_behave_as_frozen_dataclasses() -> None:
    p = Pos("a.log", 3, 4)
    assert p == Pos("a.log", 3, 4) and hash(p) == hash(Pos("a.log", 3, 4))
    assert dataclasses.replace(p, col=9) == Pos("a.log", 3, 9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.line = 5  # type: ignore[misc]
    assert Ruby((("明", "あ"), ("日", "した"))).base == "明日"
