"""The domain model: plain dataclasses for what a tandem keeps in its journal.

Every record is stored as a set of fields in the change log (``store/merge.py``);
these classes are the typed view of one merged record. ``KIND`` names the record kind
in the log; ``from_fields`` and ``to_fields`` go through the one codec (``codec.py``),
so a new field needs nothing but its annotation and default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter
from typing import ClassVar, TypeVar

from rmpair.model.codec import JSONValue, decode, encode


class Role(StrEnum):
    """Who somebody is in the tandem: the junior teaches, the senior learns."""

    MENTOR = "mentor"
    MENTEE = "mentee"

    @property
    def other(self) -> Role:
        return Role.MENTEE if self is Role.MENTOR else Role.MENTOR


class Cadence(StrEnum):
    """How often the tandem meets."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    # A weekday rule: the first (second, ..., last) Tuesday of each month; Tandem's
    # ``week`` says which. Named for its first form, which older journals store.
    FIRST_WEEKDAY = "first-weekday"


class Category(StrEnum):
    """The backlog's topic categories from the method."""

    TECHNOLOGY = "technology"
    WORK = "work"
    CULTURE = "culture"
    PROJECT = "project"


class TopicStatus(StrEnum):
    BACKLOG = "backlog"
    PLANNED = "planned"
    COVERED = "covered"
    DROPPED = "dropped"


class SessionKind(StrEnum):
    KICKOFF = "kickoff"
    REGULAR = "regular"
    RETROSPECTIVE = "retrospective"
    PROJECT = "project"


class SessionStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    """Who teaches in a session; the peer-to-peer variant alternates it."""

    MENTOR_TEACHES = "mentor->mentee"
    MENTEE_TEACHES = "mentee->mentor"


R = TypeVar("R", bound="Record")

# Every command imports all record classes, and a dataclass compiles each method it
# writes (``eq=False, repr=False`` below). Equality, hashing and repr are written once,
# on ``Record``, and behave as the generated ones would (same fields, same order);
# that takes about 7 ms off every command's start.
_VALUES: dict[type, Callable[[object], tuple[object, ...]]] = {}


def field_values(record: Record) -> tuple[object, ...]:
    """The record's field values in declaration order, as a dataclass compares them."""
    cls = type(record)
    values = _VALUES.get(cls)
    if values is None:
        names = [f.name for f in fields(record)]
        values = attrgetter(*names) if len(names) > 1 else lambda r: (getattr(r, names[0]),)
        _VALUES[cls] = values
    return values(record)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Record:
    """Common base: every record has an id unique within its kind."""

    KIND: ClassVar[str] = ""
    id: str

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record) or other.__class__ is not self.__class__:
            return NotImplemented
        return field_values(self) == field_values(other)

    def __hash__(self) -> int:
        return hash(field_values(self))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={value!r}" for f, value in zip(fields(self), field_values(self), strict=True)
        )
        return f"{type(self).__qualname__}({shown})"

    @classmethod
    def from_fields(cls: type[R], rec_id: str, fields: Mapping[str, JSONValue]) -> R:
        """The record from its stored fields (``codec.decode``: defaults for the rest)."""
        return decode(cls, rec_id, fields)

    def to_fields(self) -> dict[str, JSONValue]:
        """The fields as they are stored in a change."""
        return encode(self)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Tandem(Record):
    """The pair and their programme frame; one per journal (id ``tandem``)."""

    KIND: ClassVar[str] = "tandem"
    mentor: str = ""
    mentee: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    cadence: Cadence = Cadence.MONTHLY
    weekday: int = 1  # for FIRST_WEEKDAY: Monday=0 ... Sunday=6
    week: int = field(default=1, metadata={"choices": (1, 2, 3, 4, -1)})  # for FIRST_WEEKDAY
    session_minutes: int = 60
    tz: str = "UTC"
    lang: str = "en"
    location: str = ""
    peer_to_peer: bool = False

    def name_of(self, role: Role) -> str:
        return self.mentor if role is Role.MENTOR else self.mentee


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Device(Record):
    """An installation of rmpair that writes into the journal (a person may have two)."""

    KIND: ClassVar[str] = "device"
    person: str = ""
    role: Role = Role.MENTEE
    label: str = ""
    joined: str = ""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class AgreementItem(Record):
    """One agreed expectation (learning goals, frequency, confidentiality, ...)."""

    KIND: ClassVar[str] = "agreement_item"
    key: str = ""
    title: str = ""
    text: str = ""
    position: float = 0.0


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Topic(Record):
    """A backlog entry: what the mentee wants to know about, and why."""

    KIND: ClassVar[str] = "topic"
    title: str = ""
    category: Category = Category.TECHNOLOGY
    question: str = ""
    proposed_by: Role = Role.MENTEE
    priority: float = 0.0  # lower comes first
    status: TopicStatus = TopicStatus.BACKLOG
    created: dt.date | None = None


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Session(Record):
    """A meeting of the pair: local start in the tandem's zone, length, kind, status."""

    KIND: ClassVar[str] = "session"
    start: dt.datetime | None = None  # naive wall-clock time in ``tz``
    tz: str = "UTC"
    minutes: int = 60
    kind: SessionKind = SessionKind.REGULAR
    direction: Direction = Direction.MENTOR_TEACHES
    status: SessionStatus = SessionStatus.PLANNED
    title: str = ""
    theme: str = ""
    topics: tuple[str, ...] = ()
    planned_start: dt.datetime | None = None  # where the programme plan put it
    series: str = ""  # the programme series it belongs to; "" for a one-off


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class AgendaItem(Record):
    """One point on a session's agenda with its timebox."""

    KIND: ClassVar[str] = "agenda_item"
    session: str = ""
    title: str = ""
    minutes: int = 10
    position: float = 0.0
    topic: str = ""
    covered: bool = False


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class PrepItem(Record):
    """One item of a role's prep checklist for a session; only that role ticks it."""

    KIND: ClassVar[str] = "prep_item"
    session: str = ""
    role: Role = Role.MENTOR
    text: str = ""
    done: bool = False
    position: float = 0.0


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Note(Record):
    """A shared note on a session (Markdown). Private notes never enter the log."""

    KIND: ClassVar[str] = "note"
    session: str = ""
    author: Role = Role.MENTEE
    text: str = ""
    created: str = ""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Learning(Record):
    """What one side learned in a session: both directions are recorded."""

    KIND: ClassVar[str] = "learning"
    session: str = ""
    role: Role = Role.MENTEE
    text: str = ""
    created: str = ""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class ActionItem(Record):
    """A next step with an owner; open ones travel to the next session's agenda."""

    KIND: ClassVar[str] = "action_item"
    session: str = ""
    text: str = ""
    owner: Role = Role.MENTEE
    due: dt.date | None = None
    due_next_session: bool = False
    done: bool = False
    created: str = ""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Feedback(Record):
    """One person's rating of a held session (1-5) with a comment.

    The id is ``<session>:<role>`` so that a second rating by the same role edits the
    first instead of adding another.
    """

    KIND: ClassVar[str] = "feedback"
    session: str = ""
    role: Role = Role.MENTEE
    rating: int = 0
    comment: str = ""


RECORD_TYPES: dict[str, type[Record]] = {
    cls.KIND: cls
    for cls in (
        Tandem,
        Device,
        AgreementItem,
        Topic,
        Session,
        AgendaItem,
        PrepItem,
        Note,
        Learning,
        ActionItem,
        Feedback,
    )
}
