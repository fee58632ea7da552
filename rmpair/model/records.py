"""The domain model: plain dataclasses for what a tandem keeps in its journal.

Every record is stored as a set of fields in the change log (see ``merge.py``); these
classes are the typed view of one merged record. ``KIND`` names the record kind in
the log, ``from_fields`` builds the view and ``to_fields`` gives the storable form.
Unknown or missing fields fall back to defaults, so a record written by an older or
newer version still loads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

JSONValue = Any  # a value JSON can hold: str, int, float, bool, None, list, dict


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
    FIRST_WEEKDAY = "first-weekday"  # e.g. "the first Tuesday of the month"


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


def _get(fields: Mapping[str, JSONValue], name: str, default: Any) -> Any:
    value = fields.get(name, default)
    return default if value is None and default is not None else value


def _enum(cls: type[StrEnum], value: Any, default: StrEnum) -> Any:
    try:
        return cls(value)
    except ValueError:
        return default


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


R = TypeVar("R", bound="Record")


@dataclass(frozen=True, slots=True)
class Record:
    """Common base: every record has an id unique within its kind."""

    KIND: ClassVar[str] = ""
    id: str

    @classmethod
    def from_fields(cls: type[R], rec_id: str, fields: Mapping[str, JSONValue]) -> R:
        raise NotImplementedError

    def to_fields(self) -> dict[str, JSONValue]:
        return {
            f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "id"
        }


@dataclass(frozen=True, slots=True)
class Tandem(Record):
    """The pair and their programme frame; one per journal (id ``tandem``)."""

    KIND: ClassVar[str] = "tandem"
    mentor: str = ""
    mentee: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    cadence: Cadence = Cadence.MONTHLY
    weekday: int = 1  # for FIRST_WEEKDAY: Monday=0 ... Sunday=6
    session_minutes: int = 60
    tz: str = "UTC"
    lang: str = "en"
    location: str = ""
    peer_to_peer: bool = False

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Tandem:
        return cls(
            id=rec_id,
            mentor=str(_get(fields, "mentor", "")),
            mentee=str(_get(fields, "mentee", "")),
            start=parse_date(fields.get("start")),
            end=parse_date(fields.get("end")),
            cadence=_enum(Cadence, fields.get("cadence"), Cadence.MONTHLY),
            weekday=int(_get(fields, "weekday", 1)),
            session_minutes=int(_get(fields, "session_minutes", 60)),
            tz=str(_get(fields, "tz", "UTC")),
            lang=str(_get(fields, "lang", "en")),
            location=str(_get(fields, "location", "")),
            peer_to_peer=bool(_get(fields, "peer_to_peer", False)),
        )

    def name_of(self, role: Role) -> str:
        return self.mentor if role is Role.MENTOR else self.mentee


@dataclass(frozen=True, slots=True)
class Device(Record):
    """An installation of rmpair that writes into the journal (a person may have two)."""

    KIND: ClassVar[str] = "device"
    person: str = ""
    role: Role = Role.MENTEE
    label: str = ""
    joined: str = ""

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Device:
        return cls(
            id=rec_id,
            person=str(_get(fields, "person", "")),
            role=_enum(Role, fields.get("role"), Role.MENTEE),
            label=str(_get(fields, "label", "")),
            joined=str(_get(fields, "joined", "")),
        )


@dataclass(frozen=True, slots=True)
class AgreementItem(Record):
    """One agreed expectation (learning goals, frequency, confidentiality, ...)."""

    KIND: ClassVar[str] = "agreement_item"
    key: str = ""
    title: str = ""
    text: str = ""
    position: float = 0.0

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> AgreementItem:
        return cls(
            id=rec_id,
            key=str(_get(fields, "key", "")),
            title=str(_get(fields, "title", "")),
            text=str(_get(fields, "text", "")),
            position=float(_get(fields, "position", 0.0)),
        )


@dataclass(frozen=True, slots=True)
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

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Topic:
        return cls(
            id=rec_id,
            title=str(_get(fields, "title", "")),
            category=_enum(Category, fields.get("category"), Category.TECHNOLOGY),
            question=str(_get(fields, "question", "")),
            proposed_by=_enum(Role, fields.get("proposed_by"), Role.MENTEE),
            priority=float(_get(fields, "priority", 0.0)),
            status=_enum(TopicStatus, fields.get("status"), TopicStatus.BACKLOG),
            created=parse_date(fields.get("created")),
        )


@dataclass(frozen=True, slots=True)
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

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Session:
        topics = fields.get("topics")
        return cls(
            id=rec_id,
            start=parse_datetime(fields.get("start")),
            tz=str(_get(fields, "tz", "UTC")),
            minutes=int(_get(fields, "minutes", 60)),
            kind=_enum(SessionKind, fields.get("kind"), SessionKind.REGULAR),
            direction=_enum(Direction, fields.get("direction"), Direction.MENTOR_TEACHES),
            status=_enum(SessionStatus, fields.get("status"), SessionStatus.PLANNED),
            title=str(_get(fields, "title", "")),
            theme=str(_get(fields, "theme", "")),
            topics=tuple(str(t) for t in topics) if isinstance(topics, list) else (),
            planned_start=parse_datetime(fields.get("planned_start")),
            series=str(_get(fields, "series", "")),
        )


@dataclass(frozen=True, slots=True)
class AgendaItem(Record):
    """One point on a session's agenda with its timebox."""

    KIND: ClassVar[str] = "agenda_item"
    session: str = ""
    title: str = ""
    minutes: int = 10
    position: float = 0.0
    topic: str = ""
    covered: bool = False

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> AgendaItem:
        return cls(
            id=rec_id,
            session=str(_get(fields, "session", "")),
            title=str(_get(fields, "title", "")),
            minutes=int(_get(fields, "minutes", 10)),
            position=float(_get(fields, "position", 0.0)),
            topic=str(_get(fields, "topic", "")),
            covered=bool(_get(fields, "covered", False)),
        )


@dataclass(frozen=True, slots=True)
class PrepItem(Record):
    """One item of a role's prep checklist for a session; only that role ticks it."""

    KIND: ClassVar[str] = "prep_item"
    session: str = ""
    role: Role = Role.MENTOR
    text: str = ""
    done: bool = False
    position: float = 0.0

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> PrepItem:
        return cls(
            id=rec_id,
            session=str(_get(fields, "session", "")),
            role=_enum(Role, fields.get("role"), Role.MENTOR),
            text=str(_get(fields, "text", "")),
            done=bool(_get(fields, "done", False)),
            position=float(_get(fields, "position", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class Note(Record):
    """A shared note on a session (Markdown). Private notes never enter the log."""

    KIND: ClassVar[str] = "note"
    session: str = ""
    author: Role = Role.MENTEE
    text: str = ""
    created: str = ""

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Note:
        return cls(
            id=rec_id,
            session=str(_get(fields, "session", "")),
            author=_enum(Role, fields.get("author"), Role.MENTEE),
            text=str(_get(fields, "text", "")),
            created=str(_get(fields, "created", "")),
        )


@dataclass(frozen=True, slots=True)
class Learning(Record):
    """What one side learned in a session: both directions are recorded."""

    KIND: ClassVar[str] = "learning"
    session: str = ""
    role: Role = Role.MENTEE
    text: str = ""
    created: str = ""

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Learning:
        return cls(
            id=rec_id,
            session=str(_get(fields, "session", "")),
            role=_enum(Role, fields.get("role"), Role.MENTEE),
            text=str(_get(fields, "text", "")),
            created=str(_get(fields, "created", "")),
        )


@dataclass(frozen=True, slots=True)
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

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> ActionItem:
        return cls(
            id=rec_id,
            session=str(_get(fields, "session", "")),
            text=str(_get(fields, "text", "")),
            owner=_enum(Role, fields.get("owner"), Role.MENTEE),
            due=parse_date(fields.get("due")),
            due_next_session=bool(_get(fields, "due_next_session", False)),
            done=bool(_get(fields, "done", False)),
            created=str(_get(fields, "created", "")),
        )


@dataclass(frozen=True, slots=True)
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

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Feedback:
        return cls(
            id=rec_id,
            session=str(_get(fields, "session", "")),
            role=_enum(Role, fields.get("role"), Role.MENTEE),
            rating=int(_get(fields, "rating", 0)),
            comment=str(_get(fields, "comment", "")),
        )


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


# ------------------------------------------------------------- the programme plan


@dataclass(frozen=True, slots=True)
class ProgrammeRecord(Record):
    """The programme's settings that the Tandem record has no field for (one per journal)."""

    KIND: ClassVar[str] = "programme"
    template: str = ""
    time: str = ""  # HH:MM, the usual start of a session

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> ProgrammeRecord:
        return cls(
            id=rec_id,
            template=str(fields.get("template") or ""),
            time=str(fields.get("time") or ""),
        )


@dataclass(frozen=True, slots=True)
class PlanSlot(Record):
    """What a session looked like when the plan created it (id = the session's id).

    Re-planning compares these fingerprints with the session now: any difference
    means the pair worked on it, so it is kept.
    """

    KIND: ClassVar[str] = "plan_slot"
    session: str = ""
    fields_digest: str = ""
    agenda_digest: str = ""
    prep_digest: str = ""

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> PlanSlot:
        return cls(
            id=rec_id,
            session=str(fields.get("session") or ""),
            fields_digest=str(fields.get("fields_digest") or ""),
            agenda_digest=str(fields.get("agenda_digest") or ""),
            prep_digest=str(fields.get("prep_digest") or ""),
        )
