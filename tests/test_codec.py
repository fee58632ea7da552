"""The one codec between records and stored fields: every record survives the round
trip, and nothing a file can hold makes decoding fail or yield a value of the wrong type."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st

from rmpair.model.codec import decode, decode_rows, decode_some, encode
from rmpair.model.records import RECORD_TYPES, Record, Role
from rmpair.model.schema import fields_problem, record_types

RECORDS = sorted(record_types().values(), key=lambda cls: cls.KIND)

texts = st.text(max_size=30)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=10,
)


def _strategy(hint: Any, choices: Any) -> st.SearchStrategy[Any]:
    """Values a field of type ``hint`` may hold (within ``choices`` when it has them)."""
    if choices is not None:
        return st.sampled_from(list(choices))
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        return st.none() | _strategy(rest[0], None)
    if origin is tuple and args[1:] == (Ellipsis,):
        return st.lists(_strategy(args[0], None), max_size=4).map(tuple)
    if origin is tuple:
        return st.tuples(*(_strategy(a, None) for a in args))
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return st.sampled_from(list(hint))
    simple: dict[Any, st.SearchStrategy[Any]] = {
        bool: st.booleans(),
        int: st.integers(-(10**6), 10**6),
        float: st.floats(-1e6, 1e6, allow_nan=False),
        str: texts,
        dt.date: st.dates(dt.date(1970, 1, 1), dt.date(2200, 12, 31)),
        dt.datetime: st.datetimes(dt.datetime(1970, 1, 2), dt.datetime(2200, 12, 30)),
    }
    return simple[hint]


def records_of(cls: type[Record]) -> st.SearchStrategy[Record]:
    hints = typing.get_type_hints(cls)
    parts = {
        f.name: _strategy(hints[f.name], f.metadata.get("choices"))
        for f in dataclasses.fields(cls)
        if f.name != "id"
    }
    return st.builds(cls, id=st.text(min_size=1, max_size=12), **parts)


any_record = st.sampled_from(RECORDS).flatmap(records_of)


def _fits(value: Any, hint: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in args)
    if hint is type(None):
        return value is None
    if origin is tuple:
        return isinstance(value, tuple)
    if hint is float:
        return isinstance(value, float)
    if hint is dt.date:
        return type(value) is dt.date
    return isinstance(value, hint)


@settings(max_examples=300)
@given(any_record)
def test_every_record_survives_being_stored_and_read(record: Record) -> None:
    fields = record.to_fields()
    if type(record).KIND == "signature":
        # Its items are stored as objects, not rows (Signature.to_fields): not encode().
        assert fields["items"] == [
            dict(zip(("key", "title", "text"), row, strict=True)) for row in record.items
        ]  # type: ignore[attr-defined]
    else:
        assert fields == encode(record)
    assert type(record).from_fields(record.id, fields) == record


@settings(max_examples=300)
@given(st.sampled_from(RECORDS), st.dictionaries(texts, json_values, max_size=6), st.data())
def test_nothing_a_file_holds_breaks_decoding(
    cls: type[Record], extra: dict[str, Any], data: st.DataObject
) -> None:
    """Junk in every field, known or not: the record still loads, each field with a value
    of its declared type (the schema is the border; decoding must not crash behind it)."""
    names = [f.name for f in dataclasses.fields(cls) if f.name != "id"]
    fields = {**extra, **{n: data.draw(json_values) for n in names if data.draw(st.booleans())}}
    record = cls.from_fields("rec", fields)
    hints = typing.get_type_hints(cls)
    for name in names:
        assert _fits(getattr(record, name), hints[name]), (name, getattr(record, name))


def test_a_new_field_needs_only_its_annotation_and_default() -> None:
    @dataclass(frozen=True, slots=True)
    class Reminder(Record):
        KIND: ClassVar[str] = "reminder"
        text: str = ""
        at: dt.datetime | None = None
        whom: Role = Role.MENTEE
        tags: tuple[str, ...] = ()
        weight: int = field(default=1, metadata={"choices": range(1, 4)})

    stored = {"text": "Bring the demo", "at": "2026-11-20T09:30", "whom": "mentor", "tags": ["ai"]}
    reminder = decode(Reminder, "r1", {**stored, "weight": 9})
    assert reminder == Reminder(
        "r1", "Bring the demo", dt.datetime(2026, 11, 20, 9, 30), Role.MENTOR, ("ai",), 1
    )
    assert Reminder.from_fields("r1", reminder.to_fields()) == reminder


def test_values_outside_a_fields_choices_read_as_unanswered() -> None:
    cls = record_types()["evaluation"]
    answers = cls.from_fields("closing:mentor", {"satisfaction": 9, "relationship": "maybe"})
    assert (answers.satisfaction, answers.relationship) == (0, "")  # type: ignore[attr-defined]
    # The id names stage and role when the fields do not.
    assert (answers.stage.value, answers.role.value) == ("closing", "mentor")  # type: ignore[attr-defined]
    assert fields_problem("evaluation", {"satisfaction": 9}) is not None  # the border says no


# Values that are equal but decode apart (True == 1 == 1.0), and rows that repeat.
row_values = st.sampled_from([True, False, 1, 0, 1.0, 0.0, -0.0, "1", "", None, "mentor"])


@settings(max_examples=200)
@given(st.sampled_from(sorted(RECORD_TYPES.values(), key=lambda c: c.KIND)), st.data())
def test_many_rows_decode_as_each_alone(cls: type[Record], data: st.DataObject) -> None:
    """``decode_rows`` (a few fields of thousands of records, rows that repeat decoded
    once) gives each row what ``decode_some`` gives it alone."""
    names = tuple(f.name for f in dataclasses.fields(cls) if f.name != "id")
    chosen = tuple(data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True)))
    value = row_values | json_values
    stored = data.draw(
        st.dictionaries(texts, st.tuples(*(value for _ in chosen)), max_size=12), label="rows"
    )
    rows = decode_rows(cls, chosen, stored)
    assert list(rows) == list(stored)
    for rec_id, values in stored.items():
        alone = decode_some(cls, dict(zip(chosen, values, strict=True)), chosen)
        assert rows[rec_id] == alone
        assert all(type(rows[rec_id][n]) is type(alone[n]) for n in chosen)
