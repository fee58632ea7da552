"""The immutable events and calendar that ``render`` writes, and the instant/zone helpers.

``IcsCalendar`` / ``IcsEvent`` / ``Recurrence`` / ``Alarm`` are the intermediate
representation of an .ics file and ``Slot`` is one session as ``build_series`` takes it.
They validate themselves on construction, so every later layer (recurrence, VTIMEZONE,
render) can rely on aware datetimes in a zone a TZID can name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "BYDAY_RE",
    "WEEKDAYS",
    "Alarm",
    "IcsCalendar",
    "IcsEvent",
    "Recurrence",
    "Slot",
    "clear_wall_time",
    "steady",
    "to_utc",
    "zone_of",
]

WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
BYDAY_RE = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
# Zone keys that mean plain UTC; those are written as "...Z" without a VTIMEZONE.
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})


# --------------------------------------------------------------------------- IR


@dataclass(frozen=True)
class Recurrence:
    """A recurrence rule (RRULE) restricted to what a mentoring pair needs.

    ``until`` is an aware instant and is rendered in UTC because DTSTART carries a
    TZID (RFC 5545 3.3.10). ``byday`` is a weekday ("TU") or, for MONTHLY, an ordinal
    weekday ("1TU" = first Tuesday, "-1FR" = last Friday). Without ``byday`` a WEEKLY
    rule repeats on DTSTART's weekday and a MONTHLY one on DTSTART's day of month.
    """

    freq: Literal["WEEKLY", "MONTHLY"]
    interval: int = 1
    until: datetime | None = None
    count: int | None = None
    byday: str | None = None

    def __post_init__(self) -> None:
        if self.freq not in ("WEEKLY", "MONTHLY"):
            raise ValueError(f"unsupported FREQ {self.freq!r}")
        if self.interval < 1:
            raise ValueError("INTERVAL must be at least 1")
        if self.count is not None and self.until is not None:
            raise ValueError("a rule may have COUNT or UNTIL, not both (RFC 5545 3.3.10)")
        if self.count is not None and self.count < 1:
            raise ValueError("COUNT must be at least 1")
        if self.until is not None and self.until.utcoffset() is None:
            raise ValueError("UNTIL must be an aware datetime")
        if self.byday is not None:
            match = BYDAY_RE.match(self.byday)
            if match is None:
                raise ValueError(f"invalid BYDAY {self.byday!r}")
            if match.group(1) is not None and self.freq == "WEEKLY":
                raise ValueError("an ordinal BYDAY (like '1TU') needs FREQ=MONTHLY")


@dataclass(frozen=True)
class Alarm:
    """A display reminder ``minutes_before`` the start (VALARM with ACTION:DISPLAY)."""

    minutes_before: int
    description: str

    def __post_init__(self) -> None:
        if self.minutes_before < 0:
            raise ValueError("an alarm must fire before the start (minutes_before >= 0)")


@dataclass(frozen=True)
class IcsEvent:
    """One VEVENT: a single session, a series master (``rrule``) or an override.

    An override carries the series' UID and ``recurrence_id`` = the start the rule gave
    that occurrence. ``stamp`` is the last change of the underlying record; it becomes
    DTSTAMP and LAST-MODIFIED so the output never depends on the clock. ``cancelled``
    keeps a call-off in the file (STATUS:CANCELLED, free time): a client that imported
    the event earlier updates it, where leaving it out would keep it forever.
    """

    uid: str
    summary: str
    description: str
    start: datetime
    minutes: int
    stamp: datetime
    sequence: int = 0
    location: str = ""
    rrule: Recurrence | None = None
    exdates: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None
    alarm: Alarm | None = None
    categories: tuple[str, ...] = ()
    cancelled: bool = False

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("an event needs a UID")
        if self.minutes <= 0:
            raise ValueError("an event must last at least one minute")
        if self.sequence < 0:
            raise ValueError("SEQUENCE must not be negative")
        if self.stamp.utcoffset() is None:
            raise ValueError("stamp must be an aware datetime")
        for value in (self.start, *self.exdates):
            zone_of(value)
        if self.recurrence_id is not None:
            zone_of(self.recurrence_id)
        if self.rrule is not None and self.recurrence_id is not None:
            raise ValueError("an override (RECURRENCE-ID) must not carry its own RRULE")
        if self.exdates and self.rrule is None:
            raise ValueError("EXDATE only makes sense on an event with an RRULE")


@dataclass(frozen=True)
class IcsCalendar:
    """A whole calendar file: a display name and its events, in output order."""

    name: str
    events: tuple[IcsEvent, ...]
    prodid: str = "-//rmpair//rmpair//EN"


@dataclass(frozen=True)
class Slot:
    """One session as the journal sees it, input to ``build_series``.

    ``planned_start`` is where the rule put the session if it was moved; the slot then
    becomes a RECURRENCE-ID override of that occurrence instead of a new event.
    """

    key: str
    start: datetime
    minutes: int
    summary: str
    description: str
    stamp: datetime
    planned_start: datetime | None = None
    cancelled: bool = False
    location: str = ""


# ------------------------------------------------------------------ date helpers


def zone_of(value: datetime) -> ZoneInfo | None:
    """Return the IANA zone of an aware datetime, or None for UTC.

    Anything else (naive values, fixed-offset ``timezone`` objects, ZoneInfo built from
    a file without a key) is rejected because it cannot be named in a TZID.
    """
    tz = value.tzinfo
    if tz is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} (floating times are not allowed)")
    if tz is UTC:
        return None
    if isinstance(tz, ZoneInfo):
        if tz.key is None:
            raise ValueError("a ZoneInfo without an IANA key cannot be written as TZID")
        return None if tz.key in _UTC_KEYS else tz
    raise ValueError(f"unsupported tzinfo {tz!r}: use zoneinfo.ZoneInfo or datetime.UTC")


def to_utc(value: datetime) -> datetime:
    # Always compare instants in UTC: aware datetimes that share a tzinfo compare by wall
    # clock in Python, which is wrong around DST changes.
    return value.astimezone(UTC).replace(microsecond=0)


def clear_wall_time(local: datetime) -> bool:
    """Whether ``local``'s wall-clock time names exactly one instant in its zone.

    False in a gap (the clocks go forward) and in a repeated hour (they go back). RFC
    5545 says how to read such a time, but clients do not agree (ical.js and vobject
    read a time in a gap with the offset after it), so where the instant matters it is
    written in UTC instead.
    """
    return local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset()


def steady(start: datetime, minutes: int) -> bool:
    """Whether an occurrence of a rule at ``start`` reads the same in every client.

    Its wall-clock start and end must each name one instant, and no clock change may
    fall between them: clients add a series' length to the wall clock or to the
    instant, and only then do the two agree.
    """
    end = (to_utc(start) + timedelta(minutes=minutes)).astimezone(start.tzinfo)
    return clear_wall_time(start) and clear_wall_time(end) and start.utcoffset() == end.utcoffset()
