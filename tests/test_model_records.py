"""The records compare, hash and print as dataclasses that write their own methods do.

``Record`` writes equality, hashing and repr once for all kinds (it spares every command
compiling them per class); these tests hold it to what the generated methods did.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

import pytest

from rmpair.model.records import RECORD_TYPES, Record, Topic

KINDS = sorted(RECORD_TYPES.values(), key=lambda cls: cls.KIND)


def other_value(value: Any) -> Any:
    """A value of the same sort that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, enum.Enum):
        return next(member for member in type(value) if member is not value)
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return (*value, "t1")
    if value is None:
        return dt.date(2026, 12, 7)
    raise AssertionError(f"no other value for {value!r}")


def sample(cls: type[Record]) -> Record:
    return cls.from_fields("r1", {})


def generated(record: Record) -> Any:
    """The same values in a dataclass whose methods Python generated."""
    names = [f.name for f in dataclasses.fields(record)]
    reference = dataclasses.make_dataclass(
        type(record).__qualname__, [(name, Any) for name in names], frozen=True
    )
    return reference(*(getattr(record, name) for name in names))


@pytest.mark.parametrize("cls", KINDS, ids=lambda cls: cls.KIND)
def test_a_record_prints_and_hashes_as_a_generated_dataclass(cls: type[Record]) -> None:
    record = sample(cls)
    changed = dataclasses.replace(record, id="r2")
    for one in (record, changed):
        assert repr(one) == repr(generated(one))
        assert hash(one) == hash(generated(one))


@pytest.mark.parametrize("cls", KINDS, ids=lambda cls: cls.KIND)
def test_records_are_equal_exactly_when_every_field_is(cls: type[Record]) -> None:
    record = sample(cls)
    same = cls.from_fields("r1", record.to_fields())
    assert record == same and hash(record) == hash(same)
    assert {record: 1}[same] == 1
    for f in dataclasses.fields(record):
        differs = dataclasses.replace(record, **{f.name: other_value(getattr(record, f.name))})
        assert record != differs, f.name
        assert len({record, differs}) == 2, f.name


def test_records_of_different_kinds_or_other_objects_are_never_equal() -> None:
    topic = Topic(id="t1")
    others: list[object] = [kind(id="t1") for kind in KINDS if kind is not Topic]
    others += [generated(topic), ("t1",), "t1", None]
    for other in others:
        assert topic != other and other != topic
    assert topic.__eq__(generated(topic)) is NotImplemented


def test_records_stay_frozen() -> None:
    topic = Topic(id="t1", title="Prompting")
    with pytest.raises(dataclasses.FrozenInstanceError):
        topic.title = "Changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del topic.title
