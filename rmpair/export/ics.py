"""Write sessions as an RFC 5545 iCalendar (.ics) file that real calendar clients accept.

``render`` turns an ``IcsCalendar`` into ``icalendar`` components (``Calendar``,
``Event``, ``Alarm`` and one ``Timezone`` per zone) and lets ``icalendar`` escape, fold
and serialise them. The rest of the exporter sits beside it, one concern a module:
``ics_model`` (the immutable ``IcsCalendar`` / ``IcsEvent`` / ``Recurrence`` / ``Alarm``
/ ``Slot`` and the instant helpers), ``ics_recurrence`` (``occurrences`` and
``build_series``, which turns plain session slots into one recurring series plus
overrides and single events) and ``ics_vtimezone`` (time-zone transitions from
``zoneinfo``, as yearly rules). None of them knows anything about the journal.

Why the care: many people can only get sessions into a locked-down Outlook by importing
a file. Re-imports must update instead of duplicating (stable UIDs, ``SEQUENCE``,
``DTSTAMP``), and a series must keep its local wall-clock time across DST changes,
which needs a ``TZID`` on every date-time and a matching, correct ``VTIMEZONE``.

Clock changes: clients place a rule's wall time in a gap or a repeated hour
differently, so ``build_series`` never lets a rule generate one. Still, an EXDATE or
RECURRENCE-ID names an occurrence by the wall time its rule gives it (02:15 in a gap,
not the 02:45 its instant reads as), which every client matches; and a single event or
override whose start or end falls into a repeated hour is written in UTC, which every
client reads as the same instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm as VAlarm
from icalendar import Calendar, Event, vText

from rmpair.export.ics_model import (
    WEEKDAYS,
    Alarm,
    IcsCalendar,
    IcsEvent,
    Recurrence,
    clear_wall_time,
    steady,
    to_utc,
    zone_of,
)
from rmpair.export.ics_recurrence import occurrences, on_pattern
from rmpair.export.ics_vtimezone import vtimezone

__all__ = ["render"]


# ------------------------------------------------------------------------- text


class _Text(vText):
    """icalendar's TEXT value, except that a backslash stays a backslash.

    ``vText`` takes a backslash followed by ``N`` for a line break (its shorthand), which
    would turn a typed ``C:\\New`` into two lines; so the text is escaped piece by
    piece around each backslash, and the backslashes are written escaped between them.
    """

    def to_ical(self) -> bytes:
        return b"\\\\".join(vText(piece).to_ical() for piece in str(self).split("\\"))


# TEXT cannot hold control characters; a tab and a line break are kept.
_CONTROLS = {code: None for code in (*range(0x20), 0x7F) if chr(code) not in "\t\n"}


def _text(value: str) -> _Text:
    """``value`` as TEXT: line breaks as LF, other control characters dropped."""
    return _Text(value.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS))


# ------------------------------------------------------------------ date helpers


def _zone_key(value: datetime) -> str | None:
    zone = zone_of(value)
    return None if zone is None else str(zone.key)


def _in_zone(value: datetime, zone: ZoneInfo | None) -> datetime:
    """The canonical wall-clock form of an instant in ``zone`` (UTC when None)."""
    return to_utc(value).astimezone(zone if zone is not None else UTC)


def _end(event: IcsEvent) -> datetime:
    # Duration is elapsed time: add it to the instant, not to the wall clock.
    return to_utc(event.start) + timedelta(minutes=event.minutes)


def _rule_time(value: datetime, zone: ZoneInfo | None, name: str, uid: str) -> datetime:
    """A value that must name one occurrence of a rule by its wall-clock time in
    ``zone``; the second pass through a repeated hour cannot be named that way."""
    local = _in_zone(value, zone)
    if zone is not None and local.fold == 1 and not clear_wall_time(local):
        raise ValueError(
            f"event {uid}: {name} {local.isoformat()} is the second pass through a repeated "
            f"hour in {zone.key}; it cannot be written with TZID"
        )
    return local


def _rule_walls(master: IcsEvent, instants: Iterable[datetime]) -> dict[datetime, datetime]:
    """The wall-clock time ``master``'s rule gives each of ``instants`` it generates.

    That is what an EXDATE or RECURRENCE-ID must say: 02:15 on the night 02:00 becomes
    02:30, not the 02:45 the instant reads as, since a client matches the value against
    the occurrences it generated, and clients generate 02:15 as different instants.
    """
    wanted = {to_utc(value) for value in instants}
    if master.rrule is None or not wanted:
        return {}
    found: dict[datetime, datetime] = {}
    for occurrence in occurrences(master.rrule, master.start, not_after=max(wanted)):
        if to_utc(occurrence) in wanted:
            found[to_utc(occurrence)] = occurrence.replace(microsecond=0)
    return found


def _check_synchronised(event: IcsEvent) -> None:
    """Reject a DTSTART that is not itself an occurrence of its RRULE.

    RFC 5545 counts such a DTSTART as an extra first instance, but clients disagree
    (some drop it), so the file would mean different things in different programs.
    """
    assert event.rrule is not None
    if not on_pattern(event.rrule, event.start):
        raise ValueError(
            f"event {event.uid}: DTSTART {event.start.isoformat()} is not an occurrence of "
            f"its RRULE"
        )
    if event.rrule.until is not None and to_utc(event.rrule.until) < to_utc(event.start):
        raise ValueError(f"event {event.uid}: RRULE UNTIL is before DTSTART")


def _last_instant(event: IcsEvent) -> datetime:
    """The latest instant the event touches (end of its last occurrence if bounded)."""
    last = to_utc(event.start)
    rule = event.rrule
    if rule is not None and (rule.until is not None or rule.count is not None):
        for occurrence in occurrences(rule, event.start):
            last = to_utc(occurrence)
    return last + timedelta(minutes=event.minutes)


def _event_zone_spans(event: IcsEvent) -> Iterator[tuple[ZoneInfo, datetime, datetime]]:
    zone = zone_of(event.start)
    if zone is not None:
        yield zone, to_utc(event.start), _last_instant(event)
    if event.recurrence_id is not None:
        rid_zone = zone_of(event.recurrence_id)
        if rid_zone is not None:
            yield rid_zone, to_utc(event.recurrence_id), to_utc(event.recurrence_id)


def _zone_spans(events: Iterable[IcsEvent]) -> dict[str, tuple[ZoneInfo, datetime, datetime]]:
    spans: dict[str, tuple[ZoneInfo, datetime, datetime]] = {}
    for event in events:
        for zone, first, last in _event_zone_spans(event):
            key = str(zone.key)
            if key in spans:
                _, old_first, old_last = spans[key]
                first, last = min(first, old_first), max(last, old_last)
            spans[key] = (zone, first, last)
    return spans


# --------------------------------------------------------------------- events


def _rrule(rule: Recurrence, dtstart: datetime) -> dict[str, object]:
    parts: dict[str, object] = {"FREQ": rule.freq}
    if rule.until is not None:
        parts["UNTIL"] = to_utc(rule.until)
    if rule.count is not None:
        parts["COUNT"] = rule.count
    if rule.interval != 1:
        parts["INTERVAL"] = rule.interval
    # Spelled out even when implied by DTSTART: some importers only read explicit parts.
    if rule.byday is not None:
        parts["BYDAY"] = rule.byday
    elif rule.freq == "WEEKLY":
        parts["BYDAY"] = WEEKDAYS[dtstart.weekday()]
    else:
        parts["BYMONTHDAY"] = dtstart.day
    return parts


def _alarm(alarm: Alarm) -> VAlarm:
    component = VAlarm()
    component.add("ACTION", "DISPLAY")
    component.add("TRIGGER", timedelta(minutes=-alarm.minutes_before))
    component.add("DESCRIPTION", _text(alarm.description))
    return component


def _in_utc(event: IcsEvent) -> bool:
    """Whether a single event or override is written in UTC: its start or end falls into
    a repeated hour of its zone (an aware value never lies in a gap)."""
    zone = zone_of(event.start)
    if event.rrule is not None or zone is None:
        return False
    ends = (_in_zone(event.start, zone), _in_zone(_end(event), zone))
    return not all(clear_wall_time(local) for local in ends)


def _add_times(component: Event, event: IcsEvent, zone: ZoneInfo | None) -> None:
    """DTSTART and DTEND (or DURATION) of ``event``.

    A series keeps DTSTART in its zone, as its rule generates it; its length is a
    DTEND unless its first occurrence is not ``steady``, then a DURATION. Anything
    else is local when start and end each name one instant, else both are in UTC.
    """
    if event.rrule is not None:
        start = event.start.replace(microsecond=0)  # as the rule has it, even in a gap
        _rule_time(start, zone, "DTSTART", event.uid)
        component.add("DTSTART", start)
        if steady(start, event.minutes):
            component.add("DTEND", _in_zone(_end(event), zone))
        else:
            component.add("DURATION", timedelta(minutes=event.minutes))
        return
    start, end = _in_zone(event.start, zone), _in_zone(_end(event), zone)
    if _in_utc(event):
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    component.add("DTSTART", start)
    component.add("DTEND", end)


def _event(event: IcsEvent, master: IcsEvent | None) -> Event:
    zone = zone_of(event.start)
    component = Event()
    component.add("UID", _text(event.uid))
    component.add("DTSTAMP", to_utc(event.stamp))
    component.add("LAST-MODIFIED", to_utc(event.stamp))
    _add_times(component, event, zone)
    if event.recurrence_id is not None:
        rid_zone = zone_of(event.recurrence_id)
        walls = _rule_walls(master, [event.recurrence_id]) if master is not None else {}
        rid = walls.get(to_utc(event.recurrence_id))
        if rid is None:
            rid = _rule_time(event.recurrence_id, rid_zone, "RECURRENCE-ID", event.uid)
        component.add("RECURRENCE-ID", rid)
    if event.rrule is not None:
        _check_synchronised(event)
        component.add("RRULE", _rrule(event.rrule, event.start))  # the wall time it generates
        walls = _rule_walls(event, event.exdates)
        # One EXDATE per line: several importers only read the first value of a list.
        for excluded in sorted(event.exdates, key=to_utc):
            wall = walls.get(to_utc(excluded))
            if wall is None:
                wall = _rule_time(excluded, zone, "EXDATE", event.uid)
            component.add("EXDATE", wall)
    component.add("SEQUENCE", event.sequence)
    component.add("SUMMARY", _text(event.summary))
    component.add("DESCRIPTION", _text(event.description))
    if event.location:
        component.add("LOCATION", _text(event.location))
    if event.categories:
        component.add("CATEGORIES", [_text(c) for c in event.categories])
    component.add("TRANSP", "TRANSPARENT" if event.cancelled else "OPAQUE")
    component.add("STATUS", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.alarm is not None:
        component.add_component(_alarm(event.alarm))
    return component


def _check_unique(events: Sequence[IcsEvent]) -> None:
    seen: set[tuple[str, datetime | None]] = set()
    for event in events:
        rid = to_utc(event.recurrence_id) if event.recurrence_id is not None else None
        key = (event.uid, rid)
        if key in seen:
            raise ValueError(f"two events share UID {event.uid!r} and the same RECURRENCE-ID")
        seen.add(key)


def render(calendar: IcsCalendar) -> bytes:
    """Serialise ``calendar`` to .ics bytes: UTF-8, CRLF, folded, deterministic.

    The same input always gives byte-identical output: nothing reads the clock, events
    keep their given order, VTIMEZONEs are sorted by TZID and EXDATEs by time.
    Raises ValueError for input that no client would read the same way (naive times,
    a DTSTART off its rule, duplicate UID/RECURRENCE-ID pairs...).
    """
    events = calendar.events
    _check_unique(events)
    spans = _zone_spans(events)
    masters = {event.uid: event for event in events if event.rrule is not None}
    root = Calendar()
    root.add("VERSION", "2.0")
    root.add("PRODID", _text(calendar.prodid))
    root.add("CALSCALE", "GREGORIAN")
    root.add("METHOD", "PUBLISH")
    root.add("NAME", _text(calendar.name))
    root.add("X-WR-CALNAME", _text(calendar.name))
    start_zones = {_zone_key(event.start) for event in events}
    # recurring-ical-events moves UTC times into X-WR-TIMEZONE and loses which pass
    # through a repeated hour they meant, so a file with such a time goes without it.
    if len(start_zones) == 1 and not any(_in_utc(event) for event in events):
        (only,) = start_zones
        if only is not None:
            root.add("X-WR-TIMEZONE", _text(only))
    for key in sorted(spans):
        zone, first, last = spans[key]
        root.add_component(vtimezone(zone, first, last))
    for event in events:
        master = masters.get(event.uid) if event.recurrence_id is not None else None
        root.add_component(_event(event, master))
    data: bytes = root.to_ical(sorted=False)
    return data
