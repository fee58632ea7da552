"""Write sessions as an RFC 5545 iCalendar (.ics) file that real calendar clients accept.

The module has three layers: a small immutable intermediate representation
(``IcsCalendar`` / ``IcsEvent`` / ``Recurrence`` / ``Alarm``), a deterministic renderer
(``render``) that also generates one ``VTIMEZONE`` per zone from ``zoneinfo`` data, and
``build_series``, which turns plain session slots into one recurring series plus
overrides and single events. It knows nothing about the journal.

Why the care: many people can only get sessions into a locked-down Outlook by importing
a file. Re-imports must update instead of duplicating (stable UIDs, ``SEQUENCE``,
``DTSTAMP``), and a series must keep its local wall-clock time across DST changes,
which needs a ``TZID`` on every date-time and a matching, correct ``VTIMEZONE``.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

__all__ = [
    "Alarm",
    "IcsCalendar",
    "IcsEvent",
    "Recurrence",
    "Slot",
    "build_series",
    "escape_text",
    "fold_line",
    "occurrences",
    "render",
    "unescape_text",
]

WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY_RE = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
# Zone keys that mean plain UTC; those are written as "...Z" without a VTIMEZONE.
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})
_MAX_OCTETS = 75
_CRLF = b"\r\n"
# The loose upper bound on how many rule periods we walk without finding an occurrence;
# it only protects against a rule that can never match (no real rule needs this many).
_MAX_EMPTY_PERIODS = 5000
_T = TypeVar("_T")


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
            match = _BYDAY_RE.match(self.byday)
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
            _zone_of(value)
        if self.recurrence_id is not None:
            _zone_of(self.recurrence_id)
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


def _zone_of(value: datetime) -> ZoneInfo | None:
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


def _zone_key(value: datetime) -> str | None:
    zone = _zone_of(value)
    return None if zone is None else str(zone.key)


def _utc(value: datetime) -> datetime:
    # Always compare instants in UTC: aware datetimes that share a tzinfo compare by wall
    # clock in Python, which is wrong around DST changes.
    return value.astimezone(UTC).replace(microsecond=0)


def _in_zone(value: datetime, zone: ZoneInfo | None) -> datetime:
    """The canonical wall-clock form of an instant in ``zone`` (UTC when None)."""
    return _utc(value).astimezone(zone if zone is not None else UTC)


def _is_second_of_repeated_hour(local: datetime) -> bool:
    # With TZID a repeated wall time always means its first occurrence (RFC 5545
    # 3.3.5), so the second one (fold=1) cannot be written that way.
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def _fmt_local(value: datetime) -> str:
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}"
    )


def _fmt_utc(value: datetime) -> str:
    return _fmt_local(_utc(value)) + "Z"


def _fmt_offset(offset: timedelta) -> str:
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _wall(day: date, like: datetime) -> datetime:
    """``like``'s wall-clock time on ``day`` in ``like``'s zone (first instance if repeated).

    A wall time that falls into a DST gap resolves with the offset before the gap,
    exactly as RFC 5545 3.3.5 asks and as ``zoneinfo`` does for ``fold=0``.
    """
    return datetime(
        day.year, day.month, day.day, like.hour, like.minute, like.second, tzinfo=like.tzinfo
    )


# --------------------------------------------------------------- rule expansion


def _month_days(rule: Recurrence, year: int, month: int, anchor: datetime) -> list[int]:
    last = _calendar.monthrange(year, month)[1]
    if rule.byday is None:
        return [anchor.day] if anchor.day <= last else []
    match = _BYDAY_RE.match(rule.byday)
    assert match is not None  # validated in Recurrence.__post_init__
    weekday = WEEKDAYS.index(match.group(2))
    first = (weekday - date(year, month, 1).weekday()) % 7 + 1
    days = list(range(first, last + 1, 7))
    if match.group(1) is None:
        return days
    ordinal = int(match.group(1))
    index = ordinal - 1 if ordinal > 0 else ordinal
    return [days[index]] if -len(days) <= index < len(days) else []


def _pattern(rule: Recurrence, anchor: datetime) -> Iterator[datetime]:
    """Every date-time matching the rule's pattern from ``anchor``'s period on, unbounded."""
    empty = 0
    if rule.freq == "WEEKLY":
        weekday = anchor.weekday() if rule.byday is None else WEEKDAYS.index(rule.byday[-2:])
        # The week containing the anchor, starting Monday (the RFC default WKST); with a
        # single BYDAY the week start never changes which days match.
        monday = anchor.date() - timedelta(days=anchor.weekday())
        period = 0
        while True:
            yield _wall(monday + timedelta(weeks=period * rule.interval, days=weekday), anchor)
            period += 1
    month_index = anchor.year * 12 + anchor.month - 1
    while empty < _MAX_EMPTY_PERIODS:
        year, month0 = divmod(month_index, 12)
        days = _month_days(rule, year, month0 + 1, anchor)
        empty = 0 if days else empty + 1
        for day in days:
            yield _wall(date(year, month0 + 1, day), anchor)
        month_index += rule.interval


def occurrences(
    rule: Recurrence, dtstart: datetime, not_after: datetime | None = None
) -> Iterator[datetime]:
    """Yield the rule's occurrences at or after ``dtstart``, in order, in its zone.

    ``COUNT`` counts from the first yielded occurrence and ``UNTIL`` is inclusive, as in
    RFC 5545; ``not_after`` additionally bounds an endless rule. Each occurrence keeps
    DTSTART's local wall-clock time, so the UTC time shifts across DST changes.
    """
    start = _utc(dtstart)
    until = _utc(rule.until) if rule.until is not None else None
    limit = _utc(not_after) if not_after is not None else None
    produced = 0
    for candidate in _pattern(rule, dtstart):
        instant = _utc(candidate)
        if instant < start:
            continue
        if (until is not None and instant > until) or (limit is not None and instant > limit):
            return
        yield candidate
        produced += 1
        if rule.count is not None and produced >= rule.count:
            return


# ------------------------------------------------------------------ text layer


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines.

    CR LF and lone CR become one newline. Other control characters cannot appear in
    TEXT at all and are dropped; a tab is kept.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == ";":
            out.append("\\;")
        elif char == ",":
            out.append("\\,")
        elif char == "\n":
            out.append("\\n")
        elif (ord(char) < 0x20 and char != "\t") or char == "\x7f":
            continue
        else:
            out.append(char)
    return "".join(out)


def unescape_text(value: str) -> str:
    """Undo ``escape_text`` (also accepts ``\\N``); an unknown escape keeps its character."""
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        following = next(chars, "")
        out.append("\n" if following in ("n", "N") else following)
    return "".join(out)


def fold_line(line: str) -> bytes:
    """Encode one content line as UTF-8 and fold it at 75 octets, ending in CRLF.

    Continuation lines start with a single space. A fold never splits a multi-byte
    UTF-8 sequence, because several clients decode each physical line on its own.
    """
    raw = line.encode("utf-8")
    chunks: list[bytes] = []
    limit = _MAX_OCTETS
    pos = 0
    while len(raw) - pos > limit:
        cut = pos + limit
        while raw[cut] & 0xC0 == 0x80:  # continuation byte: move the fold before it
            cut -= 1
        chunks.append(raw[pos:cut])
        pos = cut
        limit = _MAX_OCTETS - 1  # the leading space counts towards the 75 octets
    chunks.append(raw[pos:])
    return b"\r\n ".join(chunks) + _CRLF


def _param_value(value: str) -> str:
    if any(ord(c) < 0x20 or c in '"\x7f' for c in value):
        raise ValueError(f"parameter value {value!r} contains characters iCalendar forbids")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def _line(name: str, value: str, params: Sequence[tuple[str, str]] = ()) -> str:
    head = name + "".join(f";{key}={_param_value(val)}" for key, val in params)
    return f"{head}:{value}"


def _datetime_line(name: str, value: datetime, zone: ZoneInfo | None, *, utc_ok: bool) -> str:
    """A DATE-TIME property in ``zone`` (``TZID=``) or in UTC (``...Z``) when zone is None.

    ``utc_ok`` allows the rare second pass through a repeated hour to fall back to UTC;
    where the value must line up with a rule's local times, that is an error instead.
    """
    local = _in_zone(value, zone)
    if zone is None:
        return _line(name, _fmt_utc(local))
    if _is_second_of_repeated_hour(local):
        if utc_ok:
            return _line(name, _fmt_utc(local))
        raise ValueError(
            f"{name} {local.isoformat()} is the second pass through a repeated hour in "
            f"{zone.key}; it cannot be written with TZID"
        )
    return _line(name, _fmt_local(local), [("TZID", str(zone.key))])


def _rrule_value(rule: Recurrence, dtstart: datetime) -> str:
    parts = [f"FREQ={rule.freq}"]
    if rule.until is not None:
        parts.append(f"UNTIL={_fmt_utc(rule.until)}")
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


# ------------------------------------------------------------------- VTIMEZONE


@dataclass(frozen=True)
class _Transition:
    """One change of a zone's offset, DST flag or abbreviation."""

    at: datetime  # UTC instant of the change
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool
    name: str

    @property
    def local(self) -> datetime:
        """Wall-clock time of the change in the old offset (what a VTIMEZONE DTSTART is)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


_State = tuple[timedelta, timedelta, str]  # UTC offset, DST amount, abbreviation


def _state(zone: ZoneInfo, timestamp: int) -> _State:
    local = datetime.fromtimestamp(timestamp, zone)
    offset, dst = local.utcoffset(), local.dst()
    assert offset is not None and dst is not None
    return offset, dst, local.tzname() or ""


def _is_daylight(before: _State, after: _State) -> bool:
    # tzdata gives Europe/Dublin a negative DST in winter (IST is "standard"). Clients
    # and Outlook expect the summer offset to be DAYLIGHT, so label by the usual sense.
    return after[1] > timedelta(0) or (after[1] == timedelta(0) and before[1] < timedelta(0))


def _transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[_Transition]:
    """Find the zone's transitions in the given years by sampling, then bisecting.

    ``zoneinfo`` has no public transition list, so we probe every 6 hours and narrow each
    change down to the second. Only a change that is undone within 6 hours would be
    missed, which no zone has had in the modern era.
    """
    step = 6 * 3600
    begin = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp())
    found: list[_Transition] = []
    previous = _state(zone, begin)
    t = begin
    while t < end:
        nxt = min(t + step, end)
        state = _state(zone, nxt)
        if state != previous:
            lo, hi = t, nxt
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _state(zone, mid) == previous:
                    lo = mid
                else:
                    hi = mid
            # Record the state right after the change and scan on from there, so a
            # second change inside the same window is found on the next pass.
            after = _state(zone, hi)
            found.append(
                _Transition(
                    at=datetime.fromtimestamp(hi, UTC),
                    offset_from=previous[0],
                    offset_to=after[0],
                    is_dst=_is_daylight(previous, after),
                    name=after[2],
                )
            )
            previous = after
            t = hi
            continue
        t = nxt
    return found


def _day_forms(day: date) -> set[tuple[str, str]]:
    """The yearly-rule spellings that match ``day``: ("BYDAY", "2SU"), ("BYDAY", "-1SU")..."""
    weekday = WEEKDAYS[day.weekday()]
    forms = {("BYDAY", f"{(day.day - 1) // 7 + 1}{weekday}"), ("BYMONTHDAY", str(day.day))}
    if day.day + 7 > _calendar.monthrange(day.year, day.month)[1]:
        forms.add(("BYDAY", f"-1{weekday}"))
    return forms


def _preferred_form(forms: set[tuple[str, str]]) -> tuple[str, str]:
    # Outlook and ical.js understand "last"/"n-th weekday of month" best; a fixed
    # day of month is the fallback.
    def rank(form: tuple[str, str]) -> tuple[int, str]:
        kind, value = form
        if kind == "BYDAY":
            return (0 if value.startswith("-") else 1, value)
        return (2, value)

    return min(forms, key=rank)


@dataclass
class _Run:
    """Consecutive yearly transitions that one RRULE describes."""

    items: list[_Transition]
    forms: set[tuple[str, str]]


def _runs(transitions: Sequence[_Transition]) -> list[_Run]:
    """Group transitions into yearly runs: same offsets, name, month, time and day rule."""
    open_runs: dict[tuple[object, ...], _Run] = {}
    runs: list[_Run] = []
    for item in transitions:
        local = item.local
        key: tuple[object, ...] = (
            item.is_dst,
            item.offset_from,
            item.offset_to,
            item.name,
            local.month,
            local.time(),
        )
        forms = _day_forms(local.date())
        run = open_runs.get(key)
        if run is not None and run.items[-1].local.year == local.year - 1 and run.forms & forms:
            run.items.append(item)
            run.forms &= forms
            continue
        run = _Run([item], forms)
        open_runs[key] = run
        runs.append(run)
    return runs


def _observance_lines(run: _Run, last_year: int) -> tuple[datetime, str, list[str]]:
    first = run.items[0]
    kind = "DAYLIGHT" if first.is_dst else "STANDARD"
    lines = [
        f"BEGIN:{kind}",
        _line("DTSTART", _fmt_local(first.local)),
        _line("TZOFFSETFROM", _fmt_offset(first.offset_from)),
        _line("TZOFFSETTO", _fmt_offset(first.offset_to)),
        _line("TZNAME", escape_text(first.name)),
    ]
    open_ended = run.items[-1].local.year >= last_year
    if len(run.items) > 1 or open_ended:
        form_kind, form_value = _preferred_form(run.forms)
        rule = f"FREQ=YEARLY;BYMONTH={first.local.month};{form_kind}={form_value}"
        if not open_ended:
            rule += f";UNTIL={_fmt_utc(run.items[-1].at)}"
        lines.append(_line("RRULE", rule))
    lines.append(f"END:{kind}")
    return first.local, kind, lines


def _vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> list[str]:
    """A VTIMEZONE for ``zone`` that is exact for every instant from ``first`` to ``last``.

    Transitions are read from ``zoneinfo`` from the year before ``first`` (so the offset
    at the first event has an onset) to the year after ``last`` (so a rule still in
    force is written as an open-ended yearly RRULE). Each run of identical yearly
    transitions becomes one STANDARD/DAYLIGHT with a yearly RRULE, closed with UNTIL
    when the rule stops; one-off changes get no RRULE. No RDATE is ever written.
    """
    first_year = _utc(first).year - 1
    last_year = _utc(last).year + 1
    transitions = _transitions(zone, first_year, last_year)
    observances = [_observance_lines(run, last_year) for run in _runs(transitions)]
    if not transitions or transitions[0].at > _utc(first):
        # The zone had no change before the first event: describe the offset in force
        # at the start of the scan, from a fixed conventional onset.
        scan_start = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
        offset, dst, name = _state(zone, scan_start)
        kind = "DAYLIGHT" if dst > timedelta(0) else "STANDARD"
        onset = datetime(min(1970, first_year), 1, 1)
        observances.append(
            (
                onset,
                kind,
                [
                    f"BEGIN:{kind}",
                    _line("DTSTART", _fmt_local(onset)),
                    _line("TZOFFSETFROM", _fmt_offset(offset)),
                    _line("TZOFFSETTO", _fmt_offset(offset)),
                    _line("TZNAME", escape_text(name)),
                    f"END:{kind}",
                ],
            )
        )
    observances.sort(key=lambda item: (item[0], item[1]))
    lines = ["BEGIN:VTIMEZONE", _line("TZID", escape_text(str(zone.key)))]
    for _, _, body in observances:
        lines.extend(body)
    lines.append("END:VTIMEZONE")
    return lines


# --------------------------------------------------------------------- render


def _end(event: IcsEvent) -> datetime:
    # Duration is elapsed time: add it to the instant, not to the wall clock.
    return _utc(event.start) + timedelta(minutes=event.minutes)


def _check_synchronised(event: IcsEvent) -> None:
    """Reject a DTSTART that is not itself an occurrence of its RRULE.

    RFC 5545 counts such a DTSTART as an extra first instance, but clients disagree
    (some drop it), so the file would mean different things in different programs.
    """
    assert event.rrule is not None
    if not _on_pattern(event.rrule, event.start):
        raise ValueError(
            f"event {event.uid}: DTSTART {event.start.isoformat()} is not an occurrence of "
            f"its RRULE"
        )
    if event.rrule.until is not None and _utc(event.rrule.until) < _utc(event.start):
        raise ValueError(f"event {event.uid}: RRULE UNTIL is before DTSTART")


def _last_instant(event: IcsEvent) -> datetime:
    """The latest instant the event touches (end of its last occurrence if bounded)."""
    last = _utc(event.start)
    rule = event.rrule
    if rule is not None and (rule.until is not None or rule.count is not None):
        for occurrence in occurrences(rule, event.start):
            last = _utc(occurrence)
    return last + timedelta(minutes=event.minutes)


def _event_zone_spans(event: IcsEvent) -> Iterator[tuple[ZoneInfo, datetime, datetime]]:
    zone = _zone_of(event.start)
    if zone is not None:
        yield zone, _utc(event.start), _last_instant(event)
    if event.recurrence_id is not None:
        rid_zone = _zone_of(event.recurrence_id)
        if rid_zone is not None:
            yield rid_zone, _utc(event.recurrence_id), _utc(event.recurrence_id)


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
        _line("TRIGGER", f"-PT{alarm.minutes_before}M"),
        _line("DESCRIPTION", escape_text(alarm.description)),
        "END:VALARM",
    ]


def _event_lines(event: IcsEvent) -> list[str]:
    zone = _zone_of(event.start)
    single = event.rrule is None
    lines = [
        "BEGIN:VEVENT",
        _line("UID", escape_text(event.uid)),
        _line("DTSTAMP", _fmt_utc(event.stamp)),
        _line("LAST-MODIFIED", _fmt_utc(event.stamp)),
        _datetime_line("DTSTART", event.start, zone, utc_ok=single),
        _datetime_line("DTEND", _end(event), zone, utc_ok=True),
    ]
    if event.recurrence_id is not None:
        lines.append(
            _datetime_line(
                "RECURRENCE-ID",
                event.recurrence_id,
                _zone_of(event.recurrence_id),
                utc_ok=False,
            )
        )
    if event.rrule is not None:
        _check_synchronised(event)
        lines.append(_line("RRULE", _rrule_value(event.rrule, _in_zone(event.start, zone))))
        # One EXDATE per line: several importers only read the first value of a list.
        for excluded in sorted(event.exdates, key=_utc):
            lines.append(_datetime_line("EXDATE", excluded, zone, utc_ok=False))
    lines.append(_line("SEQUENCE", str(event.sequence)))
    lines.append(_line("SUMMARY", escape_text(event.summary)))
    lines.append(_line("DESCRIPTION", escape_text(event.description)))
    if event.location:
        lines.append(_line("LOCATION", escape_text(event.location)))
    if event.categories:
        lines.append(_line("CATEGORIES", ",".join(escape_text(c) for c in event.categories)))
    lines.append("TRANSP:TRANSPARENT" if event.cancelled else "TRANSP:OPAQUE")
    lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
    if event.alarm is not None:
        lines.extend(_alarm_lines(event.alarm))
    lines.append("END:VEVENT")
    return lines


def _check_unique(events: Sequence[IcsEvent]) -> None:
    seen: set[tuple[str, datetime | None]] = set()
    for event in events:
        rid = _utc(event.recurrence_id) if event.recurrence_id is not None else None
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
        _line("PRODID", escape_text(calendar.prodid)),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        _line("NAME", escape_text(calendar.name)),
        _line("X-WR-CALNAME", escape_text(calendar.name)),
    ]
    start_zones = {_zone_key(event.start) for event in events}
    if len(start_zones) == 1:
        (only,) = start_zones
        if only is not None:
            lines.append(_line("X-WR-TIMEZONE", escape_text(only)))
    for key in sorted(spans):
        zone, first, last = spans[key]
        lines.extend(_vtimezone(zone, first, last))
    for event in events:
        lines.extend(_event_lines(event))
    lines.append("END:VCALENDAR")
    return b"".join(fold_line(line) for line in lines)


# ---------------------------------------------------------------- build_series


def _planned(slot: Slot) -> datetime:
    return slot.planned_start if slot.planned_start is not None else slot.start


def _most_common(values: Sequence[_T]) -> _T:
    """The most frequent value; ties go to the one seen first (deterministic)."""
    counts = Counter(values)
    best = max(counts.values())
    return next(value for value in values if counts[value] == best)


def _on_pattern(rule: Recurrence, when: datetime) -> bool:
    """Whether ``when`` is itself an occurrence of the rule's pattern (ignoring its end)."""
    first = next(occurrences(replace(rule, until=None, count=None), when), None)
    return first is not None and _utc(first) == _utc(when)


def _single(series_uid: str, slot: Slot, sequence: int, alarm: Alarm | None) -> IcsEvent:
    return IcsEvent(
        uid=f"{series_uid}-{slot.key}",
        summary=slot.summary,
        description=slot.description,
        start=slot.start,
        minutes=slot.minutes,
        stamp=slot.stamp,
        sequence=sequence,
        location=slot.location,
        alarm=alarm,
    )


def build_series(
    series_uid: str,
    slots: Sequence[Slot],
    rule: Recurrence,
    series_summary: str,
    series_description: str,
    sequence: int,
    alarm: Alarm | None = None,
) -> tuple[IcsEvent, ...]:
    """Turn session slots into a series master, its overrides and single events.

    Matching: the rule is expanded from the earliest planned start that fits the
    rule's pattern (so a kickoff on another day or hour does not shift the series), or
    from the earliest planned start if none fits; DTSTART is the first occurrence at or
    after it. A slot belongs to the occurrence at its planned start (``planned_start``
    or else ``start``); if two slots claim one occurrence, a non-cancelled one wins,
    then the smaller key. Then:

    * cancelled slot on an occurrence -> EXDATE; cancelled elsewhere -> nothing;
    * slot that differs from the series (moved, other length, summary, description or
      location) -> override with RECURRENCE-ID = the occurrence;
    * slot on no occurrence -> single event with UID ``<series_uid>-<key>``;
    * occurrence without any slot -> EXDATE, so the calendar never shows a session the
      journal does not have.

    The master always ends (UNTIL) on the local day of the last occurrence that is
    held, so an endless rule does not run on beyond the journal; a whole day because
    some clients compare UNTIL on the wrong clock, and the next occurrence is at least
    a week away. Its length and location are the most common among its slots, its
    DTSTAMP the newest ``stamp`` of all slots. ``sequence`` and ``alarm`` go on every
    event; the caller raises ``sequence`` whenever the series changes, so a re-import
    updates the events instead of adding copies. Output order: master, overrides by
    RECURRENCE-ID, singles by start then key.
    """
    if not slots:
        return ()
    if len({slot.key for slot in slots}) != len(slots):
        raise ValueError("slot keys must be unique")
    ordered = sorted(slots, key=lambda s: (_utc(_planned(s)), s.key))
    for slot in ordered:
        _zone_of(slot.start)
        _zone_of(_planned(slot))
    anchor = next((_planned(s) for s in ordered if _on_pattern(rule, _planned(s))), None)
    if anchor is None:
        anchor = _planned(ordered[0])
    horizon = max(_utc(_planned(slot)) for slot in slots)
    series_occurrences = list(occurrences(rule, anchor, not_after=horizon))
    by_instant = {_utc(occurrence): occurrence for occurrence in series_occurrences}

    claimed: dict[datetime, Slot] = {}
    singles: list[Slot] = []
    for slot in sorted(slots, key=lambda s: (s.cancelled, _utc(_planned(s)), s.key)):
        instant = _utc(_planned(slot))
        if instant in by_instant and instant not in claimed:
            claimed[instant] = slot
        elif not slot.cancelled:
            singles.append(slot)
    held = sorted(instant for instant, slot in claimed.items() if not slot.cancelled)

    events: list[IcsEvent] = []
    if held:
        last_held = held[-1]
        in_series = [o for o in series_occurrences if _utc(o) <= last_held]
        held_slots = [claimed[instant] for instant in held]
        minutes = _most_common([slot.minutes for slot in held_slots])
        location = _most_common([slot.location for slot in held_slots])
        last_local = by_instant[last_held]
        until = datetime.combine(last_local.date(), datetime.max.time(), last_local.tzinfo)
        events.append(
            IcsEvent(
                uid=series_uid,
                summary=series_summary,
                description=series_description,
                start=in_series[0],
                minutes=minutes,
                stamp=max(_utc(slot.stamp) for slot in slots),
                sequence=sequence,
                location=location,
                rrule=Recurrence(
                    freq=rule.freq,
                    interval=rule.interval,
                    until=_utc(until),
                    byday=rule.byday,
                ),
                exdates=tuple(
                    o for o in in_series if _utc(o) not in claimed or claimed[_utc(o)].cancelled
                ),
                alarm=alarm,
            )
        )
        for instant in held:
            slot = claimed[instant]
            if (
                _utc(slot.start) != instant
                or slot.minutes != minutes
                or slot.summary != series_summary
                or slot.description != series_description
                or slot.location != location
            ):
                events.append(
                    IcsEvent(
                        uid=series_uid,
                        summary=slot.summary,
                        description=slot.description,
                        start=slot.start,
                        minutes=slot.minutes,
                        stamp=slot.stamp,
                        sequence=sequence,
                        location=slot.location,
                        recurrence_id=by_instant[instant],
                        alarm=alarm,
                    )
                )
    singles.sort(key=lambda s: (_utc(s.start), s.key))
    events.extend(_single(series_uid, slot, sequence, alarm) for slot in singles)
    return tuple(events)
