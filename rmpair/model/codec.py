"""One codec between the model's dataclasses and the fields a change stores.

Both directions are read off the dataclass: its fields, their types and defaults. A
field that is missing, or holds a value of the wrong shape, decodes to its default, so a
record written by an older or newer version still loads (the schema, ``schema.py``,
has already kept out what does not fit). A field may narrow its values with
``metadata={"choices": ...}``; a value outside them decodes to the default too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

JSONValue = Any  # a value JSON can hold: str, int, float, bool, None, list, dict

T = TypeVar("T")


def parse_date(value: Any) -> dt.date | None:
    """Read an ISO date from the log; anything unreadable is treated as unset."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_datetime(value: Any) -> dt.datetime | None:
    """Read a naive local ISO date-time (wall clock in the tandem's zone)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def plain(value: Any) -> JSONValue:
    """The value as plain JSON types, so a change stores and caches like one read from a file."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    raise TypeError(f"cannot store a {type(value).__name__} in the journal")


Decoder = Callable[[Any, Any], Any]  # (stored value, default) -> field value


def _decoder(hint: Any) -> Decoder:
    """How to read a stored value into a field of type ``hint``."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _decoder(rest[0])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])

        def items(value: Any, default: Any) -> Any:
            if not isinstance(value, list):
                return default
            if args[0] is str and all(type(v) is str for v in value):
                return tuple(value)
            return tuple(item(v, "") for v in value)

        return items
    if isinstance(hint, type):
        if issubclass(hint, StrEnum):
            enum = hint

            # The members by value: one dict look-up instead of ``enum(value)``, which
            # costs a few microseconds per call (records are decoded by the thousand).
            members: Mapping[Any, Any] = {member.value: member for member in enum}

            def choice(value: Any, default: Any) -> Any:
                try:
                    return members.get(value, default)
                except TypeError:  # a list or a mapping where a choice was stored
                    return default

            return choice
        if hint is bool:
            return lambda value, default: value if isinstance(value, bool) else default
        if hint is int:
            return lambda value, default: (
                int(value)
                if isinstance(value, int | float) and not isinstance(value, bool)
                else default
            )
        if hint is float:
            return lambda value, default: (
                float(value)
                if isinstance(value, int | float) and not isinstance(value, bool)
                else default
            )
        if hint is str:
            # Any scalar reads as its text (an id stored as a number by another tool).
            return lambda value, default: (
                value
                if isinstance(value, str)
                else str(value)
                if isinstance(value, int | float) and not isinstance(value, bool)
                else default
            )
        if hint is dt.datetime:
            return lambda value, default: parse_datetime(value) or default
        if hint is dt.date:
            return lambda value, default: parse_date(value) or default
    raise TypeError(f"the codec cannot read a field of type {hint!r}")


# Field types whose stored value is used as it is when it already has that type: the
# common case, read without a call per field (records are decoded by the thousand).
_EXACT = (str, int, bool, float)


@cache
def _plan(cls: Any) -> tuple[tuple[str, Any, Decoder, Any, Any], ...]:
    """Per field: its name, the type a stored value may have as it is (or None), its
    decoder, its default and its allowed values (or None)."""
    hints = typing.get_type_hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        if f.name == "id":
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            raise TypeError(f"{cls.__name__}.{f.name} needs a default to be decoded")
        hint = hints[f.name]
        exact = hint if hint in _EXACT else None
        plan.append((f.name, exact, _decoder(hint), default, f.metadata.get("choices")))
    return tuple(plan)


def decode(cls: type[T], rec_id: str, fields: Mapping[str, JSONValue]) -> T:
    """The record ``cls`` with id ``rec_id`` from its stored fields."""
    plan: Any = cls  # a dataclass type is hashable, whatever its annotation says
    values = _decoded(_plan(plan), fields)
    values["id"] = rec_id
    return cls(**values)


@cache
def _some(cls: Any, names: tuple[str, ...]) -> tuple[tuple[str, Any, Decoder, Any, Any], ...]:
    return tuple(step for step in _plan(cls) if step[0] in names)


def decode_some(
    cls: type[Any], fields: Mapping[str, JSONValue], names: tuple[str, ...]
) -> dict[str, Any]:
    """The values ``decode`` would give the fields ``names`` of a ``cls`` record, without
    building the record (a query that needs a few fields of thousands of records)."""
    plan: Any = cls  # a dataclass type is hashable, whatever its annotation says
    return _decoded(_some(plan, names), fields)


_SHARED = frozenset((str, bool, type(None)))


def decode_rows(
    cls: type[Any], names: tuple[str, ...], stored: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """``decode_some`` of many records' stored values, each a sequence in the order of
    ``names`` (by record id). Records whose values are the same share one decoded dict
    (do not change them): a kind's prep items hold a few thousand rows but far fewer
    different ones. ValueError when a row does not have one value per name."""
    plan: Any = cls  # a dataclass type is hashable, whatever its annotation says
    by_name = {step[0]: step for step in _some(plan, names)}
    steps = tuple(by_name[name] for name in names)
    width = len(steps)
    seen: dict[Any, dict[str, Any]] = {}
    rows: dict[str, dict[str, Any]] = {}
    for rec_id, values in stored.items():
        if len(values) != width:
            raise ValueError(f"{width} values expected per row")
        # Only texts, flags and None are shared: True == 1 == 1.0, but they decode apart.
        key: Any = tuple(values) if _SHARED.issuperset(map(type, values)) else None
        row = None if key is None else seen.get(key)
        if row is None:
            row = _decoded_values(steps, values)
            if key is not None:
                seen[key] = row
        rows[rec_id] = row
    return rows


def _decoded(
    steps: tuple[tuple[str, Any, Decoder, Any, Any], ...], fields: Mapping[str, JSONValue]
) -> dict[str, Any]:
    """Each step's field from ``fields``: as stored when it has the exact type, else read
    by its decoder; the default when missing, unreadable or not one of its choices."""
    return _decoded_values(steps, [fields.get(step[0]) for step in steps])


def _decoded_values(
    steps: tuple[tuple[str, Any, Decoder, Any, Any], ...], raws: Sequence[JSONValue]
) -> dict[str, Any]:
    """``_decoded`` for the stored values of the steps' fields, in the steps' order."""
    values: dict[str, Any] = {}
    for (name, exact, read, default, choices), raw in zip(steps, raws, strict=True):
        if raw is None:
            value = default
        elif type(raw) is exact:
            value = raw
        else:
            value = read(raw, default)
        if choices is not None and value not in choices:
            value = default
        values[name] = value
    return values


@cache
def _plain_plan(
    cls: Any, names: tuple[str, ...]
) -> tuple[tuple[str, Any, Decoder, Any, Any, frozenset[str] | None, bool], ...]:
    """``_some`` plus, for a choice field, the texts that are a member's value, and
    whether the field is a date (read and written back as ISO in one go)."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (
            *step,
            frozenset(m.value for m in type(step[3])) if isinstance(step[3], StrEnum) else None,
            hints[step[0]] in (dt.date, dt.date | None) and step[4] is None,
        )
        for step in _some(cls, names)
    )


def decode_plain(
    cls: type[Any], fields: Mapping[str, JSONValue], names: tuple[str, ...]
) -> dict[str, JSONValue]:
    """``plain`` of each value ``decode_some`` gives (a choice as its text, a date as
    ISO), without the enum members in between when the stored value already is the
    plain one: a listing of thousands of records prints what was stored."""
    values: dict[str, JSONValue] = {}
    plan: Any = cls
    for name, exact, read, default, choices, members, day in _plain_plan(plan, names):
        raw = fields.get(name)
        if raw is None:
            values[name] = plain(default)
            continue
        if (
            type(raw) is exact or (members is not None and type(raw) is str and raw in members)
        ) and (choices is None or raw in choices):
            values[name] = raw
            continue
        if day and type(raw) is str:
            try:
                values[name] = dt.date.fromisoformat(raw).isoformat()
                continue
            except ValueError:
                pass
        value = raw if type(raw) is exact else read(raw, default)
        if choices is not None and value not in choices:
            value = default
        values[name] = plain(value)
    return values


def encode(record: Any) -> dict[str, JSONValue]:
    """The fields of ``record`` (a dataclass with an ``id``) as they are stored."""
    return {
        f.name: plain(getattr(record, f.name)) for f in dataclasses.fields(record) if f.name != "id"
    }
