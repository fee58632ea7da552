"""Write sessions as an RFC 5545 iCalendar (.ics) file that real calendar clients accept.

``render`` is the deterministic writer: it serialises an ``IcsCalendar`` and adds one
``VTIMEZONE`` per zone. The rest of the exporter sits beside it, one concern a module:
``ics_model`` (the immutable ``IcsCalendar`` / ``IcsEvent`` / ``Recurrence`` / ``Alarm``
/ ``Slot`` and the instant helpers), ``ics_text`` (escaping and folding),
``ics_recurrence`` (``occurrences`` and ``build_series``, which turns plain session
slots into one recurring series plus overrides and single events) and ``ics_vtimezone``
(time-zone transitions from ``zoneinfo``). None of them knows anything about the journal.

Why the care: many people can only get sessions into a locked-down Outlook by importing
a file. Re-imports must update instead of duplicating (stable UIDs, ``SEQUENCE``,
``DTSTAMP``), and a series must keep its local wall-clock time across DST changes,
which needs a ``TZID`` on every date-time and a matching, correct ``VTIMEZONE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rmpair.export.ics_model import (
    WEEKDAYS,
    Alarm,
    IcsCalendar,
    IcsEvent,
    Recurrence,
    to_utc,
    zone_of,
)
from rmpair.export.ics_recurrence import occurrences, on_pattern
from rmpair.export.ics_text import content_line, escape_text, fmt_local, fmt_utc, fold_line
from rmpair.export.ics_vtimezone import vtimezone

__all__ = ["render"]


# ------------------------------------------------------------------ date helpers


def _zone_key(value: datetime) -> str | None:
    zone = zone_of(value)
    return None if zone is None else str(zone.key)


def _in_zone(value: datetime, zone: ZoneInfo | None) -> datetime:
    """The canonical wall-clock form of an instant in ``zone`` (UTC when None)."""
    return to_utc(value).astimezone(zone if zone is not None else UTC)


def _is_second_of_repeated_hour(local: datetime) -> bool:
    # With TZID a repeated wall time always means its first occurrence (RFC 5545
    # 3.3.5), so the second one (fold=1) cannot be written that way.
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


# ------------------------------------------------------------------ content lines


def _datetime_line(name: str, value: datetime, zone: ZoneInfo | None, *, utc_ok: bool) -> str:
    """A DATE-TIME property in ``zone`` (``TZID=``) or in UTC (``...Z``) when zone is None.

    ``utc_ok`` allows the rare second pass through a repeated hour to fall back to UTC;
    where the value must line up with a rule's local times, that is an error instead.
    """
    local = _in_zone(value, zone)
    if zone is None:
        return content_line(name, fmt_utc(local))
    if _is_second_of_repeated_hour(local):
        if utc_ok:
            return content_line(name, fmt_utc(local))
        raise ValueError(
            f"{name} {local.isoformat()} is the second pass through a repeated hour in "
            f"{zone.key}; it cannot be written with TZID"
        )
    return content_line(name, fmt_local(local), [("TZID", str(zone.key))])


def _rrule_value(rule: Recurrence, dtstart: datetime) -> str:
    parts = [f"FREQ={rule.freq}"]
    if rule.until is not None:
        parts.append(f"UNTIL={fmt_utc(rule.until)}")
    if rule.count is not None:
        parts.append(f"COUNT={rule.count}")
    if rule.interval != 1:
        parts.append(f"INTERVAL={rule.interval}")
    # Spelled out even when implied by DTSTART: some importers only read explicit parts.
    if rule.byday is not None:
        parts.append(f"BYDAY={rule.byday}")
    elif rule.freq == "WEEKLY":
        parts.append(f"BYDAY={WEEKDAYS[dtstart.weekday()]}")
    else:
        parts.append(f"BYMONTHDAY={dtstart.day}")
    return ";".join(parts)


# --------------------------------------------------------------------- render


def _end(event: IcsEvent) -> datetime:
    # Duration is elapsed time: add it to the instant, not to the wall clock.
    return to_utc(event.start) + timedelta(minutes=event.minutes)


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


def _alarm_lines(alarm: Alarm) -> list[str]:
    return [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        content_line("TRIGGER", f"-PT{alarm.minutes_before}M"),
        content_line("DESCRIPTION", escape_text(alarm.description)),
        "END:VALARM",
    ]


def _event_lines(event: IcsEvent) -> list[str]:
    zone = zone_of(event.start)
    single = event.rrule is None
    lines = [
        "BEGIN:VEVENT",
        content_line("UID", escape_text(event.uid)),
        content_line("DTSTAMP", fmt_utc(event.stamp)),
        content_line("LAST-MODIFIED", fmt_utc(event.stamp)),
        _datetime_line("DTSTART", event.start, zone, utc_ok=single),
        _datetime_line("DTEND", _end(event), zone, utc_ok=True),
    ]
    if event.recurrence_id is not None:
        lines.append(
            _datetime_line(
                "RECURRENCE-ID",
                event.recurrence_id,
                zone_of(event.recurrence_id),
                utc_ok=False,
            )
        )
    if event.rrule is not None:
        _check_synchronised(event)
        lines.append(content_line("RRULE", _rrule_value(event.rrule, _in_zone(event.start, zone))))
        # One EXDATE per line: several importers only read the first value of a list.
        for excluded in sorted(event.exdates, key=to_utc):
            lines.append(_datetime_line("EXDATE", excluded, zone, utc_ok=False))
    lines.append(content_line("SEQUENCE", str(event.sequence)))
    lines.append(content_line("SUMMARY", escape_text(event.summary)))
    lines.append(content_line("DESCRIPTION", escape_text(event.description)))
    if event.location:
        lines.append(content_line("LOCATION", escape_text(event.location)))
    if event.categories:
        lines.append(content_line("CATEGORIES", ",".join(escape_text(c) for c in event.categories)))
    lines.append("TRANSP:TRANSPARENT" if event.cancelled else "TRANSP:OPAQUE")
    lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
    if event.alarm is not None:
        lines.extend(_alarm_lines(event.alarm))
    lines.append("END:VEVENT")
    return lines


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
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        content_line("PRODID", escape_text(calendar.prodid)),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        content_line("NAME", escape_text(calendar.name)),
        content_line("X-WR-CALNAME", escape_text(calendar.name)),
    ]
    start_zones = {_zone_key(event.start) for event in events}
    if len(start_zones) == 1:
        (only,) = start_zones
        if only is not None:
            lines.append(content_line("X-WR-TIMEZONE", escape_text(only)))
    for key in sorted(spans):
        zone, first, last = spans[key]
        lines.extend(vtimezone(zone, first, last))
    for event in events:
        lines.extend(_event_lines(event))
    lines.append("END:VCALENDAR")
    return b"".join(fold_line(line) for line in lines)
