"""What a change from another device may hold: one schema per record kind, read off
the model's dataclasses (field names and types), plus the few ranges the method sets.

Everything in the shared folder is untrusted. A change whose fields do not fit its
kind (a priority "high", a session of "x" minutes, a date that does not exist) is
*quarantined* by the store: kept on disk, never applied, shown by ``rmpair doctor``,
and applied as soon as a valid version of it arrives. Unknown kinds and unknown
fields pass: a newer rmpair may write them, and the views ignore them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from functools import cache
from typing import Any

from rmpair.i18n import _
from rmpair.model.lifecycle import (
    Evaluation,
    PlanSlot,
    PrerequisiteAnswer,
    ProgrammeRecord,
    SelfAssessment,
    Signature,
)
from rmpair.model.records import RECORD_TYPES, Record

# The longest text one field may hold (a long note is a few thousand characters).
MAX_TEXT = 100_000
MAX_ITEMS = 1_000
MAX_ID = 200
# Ranges the method sets, by (kind, field); every other number is only finite.
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("tandem", "weekday"): (0, 6),
    ("tandem", "session_minutes"): (1, 24 * 60),
    ("session", "minutes"): (1, 24 * 60),
    ("agenda_item", "minutes"): (0, 24 * 60),
    ("feedback", "rating"): (0, 5),
    ("evaluation", "satisfaction"): (0, 5),
    ("self_assessment", "confidence"): (0, 5),
}

Check = Callable[[Any], str | None]
# For some checks, a test of a whole column at once: True when every value passes
# (False says only "check them one by one"); see ``columns_fit``.
_COLUMNS: dict[Check, Callable[[Sequence[Any]], bool]] = {}


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return _("must be a text")
    if len(value) > MAX_TEXT:
        return _("is longer than {n} characters").format(n=MAX_TEXT)
    return None


def _texts(values: Sequence[Any]) -> bool:
    return set(map(type, values)) <= {str} and max(map(len, values), default=0) <= MAX_TEXT


_COLUMNS[_text] = _texts


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else _("must be true or false")


def _number(kind: str, name: str, whole: bool) -> Check:
    low, high = RANGES.get((kind, name), (-1e15, 1e15))

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _("must be a number")
        if whole and not isinstance(value, int):
            return _("must be a whole number")
        # An int is finite (and one too large for a float must not reach isfinite).
        if not low <= value <= high or (type(value) is float and not math.isfinite(value)):
            return _("must be between {low} and {high}").format(low=low, high=high)
        return None

    def column(values: Sequence[Any]) -> bool:
        kinds = set(map(type, values))
        if not kinds <= ({int} if whole else {int, float}):
            return False
        if float in kinds and not all(map(math.isfinite, filter(_is_float, values))):
            return False
        return bool(low <= min(values) and max(values) <= high)

    _COLUMNS[check] = column
    return check


def _is_float(value: Any) -> bool:
    return type(value) is float


def _choice(enum: type[StrEnum]) -> Check:
    values = {member.value for member in enum}

    def check(value: Any) -> str | None:
        if not isinstance(value, str) or value not in values:
            return _("must be one of {values}").format(values=", ".join(sorted(values)))
        return None

    def column(column: Sequence[Any]) -> bool:
        return set(map(type, column)) <= {str} and set(column) <= values

    _COLUMNS[check] = column
    return check


# Dates the method can mean; the year 1 or 9999 would overflow date arithmetic.
YEARS = (1970, 2200)


def _iso(parse: Callable[[str], dt.date], what: str) -> Check:
    def check(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or len(value) > 40:
            return _("must be {what}").format(what=what)
        try:
            year = parse(value).year
        except ValueError:
            return _("must be {what}").format(what=what)
        if not YEARS[0] <= year <= YEARS[1]:
            return _("must lie between the years {first} and {last}").format(
                first=YEARS[0], last=YEARS[1]
            )
        return None

    return check


def _items(item: Check) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            return _("must be a list")
        for entry in value:
            problem = item(entry)
            if problem is not None:
                return problem
        return None

    return check


def _row(items: tuple[Check, ...]) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or len(value) != len(items):
            return _("must be a list of {n} values").format(n=len(items))
        for entry, item in zip(value, items, strict=True):
            problem = item(entry)
            if problem is not None:
                return problem
        return None

    return check


def _object(names: tuple[str, ...]) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, dict):
            return _("must be a list of objects")
        for name in names:
            problem = _text(value.get(name, ""))
            if problem is not None:
                return problem
        return None

    return check


# Fields a record stores in another shape than its annotation (its own to_fields).
STORED_AS: dict[tuple[str, str], Check] = {
    ("signature", "items"): _items(_object(("key", "title", "text"))),
}


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _check_for(kind: str, name: str, hint: Any) -> Check:
    """The check of one field from its type annotation."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _optional(_check_for(kind, name, rest[0]))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _items(_check_for(kind, name, args[0]))
        return _row(tuple(_check_for(kind, name, a) for a in args))
    if isinstance(hint, type):
        if issubclass(hint, StrEnum):
            return _choice(hint)
        if hint is bool:
            return _boolean
        if hint is int:
            return _number(kind, name, whole=True)
        if hint is float:
            return _number(kind, name, whole=False)
        if hint is str:
            return _text
        if hint is dt.datetime:
            return _iso(dt.datetime.fromisoformat, _("a date and time (YYYY-MM-DDTHH:MM)"))
        if hint is dt.date:
            return _iso(dt.date.fromisoformat, _("a date (YYYY-MM-DD)"))
    raise TypeError(f"no check for {kind}.{name}: {hint!r}")


_CHECKS: dict[type[Record], Mapping[str, Check]] = {}


def field_checks(cls: type[Record]) -> Mapping[str, Check]:
    """Each stored field of ``cls`` and the check its values must pass."""
    checks = _CHECKS.get(cls)
    if checks is None:
        hints = typing.get_type_hints(cls)
        checks = _CHECKS[cls] = {
            f.name: STORED_AS.get((cls.KIND, f.name)) or _check_for(cls.KIND, f.name, hints[f.name])
            for f in dataclasses.fields(cls)
            if f.name != "id"
        }
    return checks


@cache
def record_types() -> dict[str, type[Record]]:
    """Every record kind the journal stores, by its name in the log."""
    more = (Evaluation, SelfAssessment, PlanSlot, ProgrammeRecord, PrerequisiteAnswer, Signature)
    return {**RECORD_TYPES, **{cls.KIND: cls for cls in more}}


def fields_problem(kind: str, fields: Mapping[str, Any]) -> str | None:
    """What is wrong with ``fields`` for a record of ``kind``, or None."""
    cls = record_types().get(kind)
    if cls is None:
        return None  # a kind from a newer version: kept, shown by nothing
    checks = field_checks(cls)
    for name, value in fields.items():
        check = checks.get(name)
        if check is None:
            continue  # a field from a newer version: the views ignore it
        problem = check(value)
        if problem is not None:
            return _("{kind} field '{field}' {problem} (it is {value})").format(
                kind=kind, field=name, problem=problem, value=_shown(value)
            )
    return None


def _kind_checks(kind: str) -> Mapping[str, Check] | None:
    # Not cached by the kind's text, which comes from the shared folder (any text at
    # all); ``field_checks`` keeps its answer per record class.
    cls = record_types().get(kind)
    return None if cls is None else field_checks(cls)


def change_fits(change: Mapping[str, Any]) -> str | None:
    """What is wrong with a well-formed change's content, or None if it can be applied."""
    rec = change["rec"]
    if len(rec) > MAX_ID or not rec.isprintable():
        return _("the record id is too long or holds control characters")
    fields = change["fields"]
    from rmpair.store.merge import DELETED

    if DELETED in fields and not isinstance(fields[DELETED], bool):
        return _("the deleted mark must be true or false")
    checks = _kind_checks(change["kind"])
    if checks is None:
        return None  # a kind from a newer version: kept, shown by nothing
    # Tens of thousands of changes are checked in a first read: the message is worked
    # out (by fields_problem) only for a field that fails.
    for name, value in fields.items():
        check = checks.get(name)
        if check is not None and check(value) is not None:
            return fields_problem(change["kind"], {name: value})
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def columns_fit(kind: str, recs: Sequence[str], fields: Mapping[str, Sequence[Any]]) -> str | None:
    """``change_fits`` for many well-formed changes of one kind at once, given as the
    column of their record ids and one column per field: None when every one fits, else
    what is wrong with the first that does not. A checkpoint holds tens of thousands of
    changes in such columns; each distinct value is checked once."""
    if recs and (max(map(len, recs)) > MAX_ID or not "".join(recs).isprintable()):
        return _("the record id is too long or holds control characters")
    from rmpair.store.merge import DELETED

    if DELETED in fields and not all(isinstance(v, bool) for v in fields[DELETED]):
        return _("the deleted mark must be true or false")
    checks = _kind_checks(kind)
    if checks is None:
        return None  # a kind from a newer version: kept, shown by nothing
    for name, values in fields.items():
        check = checks.get(name)
        if check is None:
            continue
        column = _COLUMNS.get(check)
        if column is not None and column(values):
            continue
        for value in _distinct(values):
            if check(value) is not None:
                return fields_problem(kind, {name: value})
    return None


def _distinct(values: Sequence[Any]) -> Iterable[Any]:
    """The values once each, told apart by type too (``1``, ``1.0`` and ``True`` are
    equal in Python, not for the schema); all of them when some cannot be hashed."""
    try:
        return [value for _type, value in set(zip(map(type, values), values, strict=True))]
    except TypeError:
        return values
