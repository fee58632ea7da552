"""One VTIMEZONE per zone, generated from ``zoneinfo`` data for the span the events need.

Kept apart from the renderer because it is its own problem: ``zoneinfo`` has no public
transition list, so transitions are found by sampling and bisecting and then grouped
into yearly rules that Outlook and ical.js read the same way. The result is an
``icalendar.Timezone`` built from those rules (``icalendar`` writes and escapes it);
icalendar's own ``Timezone.from_tzinfo`` is not used because it lists transitions one
by one, which some clients read as a zone without a rule for the years after the file.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

from rmpair.export.ics_model import WEEKDAYS, to_utc

__all__ = ["vtimezone"]


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


_Observance = TimezoneStandard | TimezoneDaylight


def _observance(
    daylight: bool, onset: datetime, offset_from: timedelta, offset_to: timedelta, name: str
) -> _Observance:
    part: _Observance = TimezoneDaylight() if daylight else TimezoneStandard()
    part.add("DTSTART", onset)  # naive: a VTIMEZONE onset is local time
    part.add("TZOFFSETFROM", offset_from)
    part.add("TZOFFSETTO", offset_to)
    part.add("TZNAME", name)
    return part


def _observance_of(run: _Run, last_year: int) -> tuple[datetime, bool, _Observance]:
    first = run.items[0]
    part = _observance(first.is_dst, first.local, first.offset_from, first.offset_to, first.name)
    open_ended = run.items[-1].local.year >= last_year
    if len(run.items) > 1 or open_ended:
        form_kind, form_value = _preferred_form(run.forms)
        rule: dict[str, object] = {
            "FREQ": "YEARLY",
            "BYMONTH": first.local.month,
            form_kind: form_value,
        }
        if not open_ended:
            rule["UNTIL"] = run.items[-1].at
        part.add("RRULE", rule)
    return first.local, first.is_dst, part


def vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> Timezone:
    """A VTIMEZONE for ``zone`` that is exact for every instant from ``first`` to ``last``.

    Transitions are read from ``zoneinfo`` from the year before ``first`` (so the offset
    at the first event has an onset) to the year after ``last`` (so a rule still in
    force is written as an open-ended yearly RRULE). Each run of identical yearly
    transitions becomes one STANDARD/DAYLIGHT with a yearly RRULE, closed with UNTIL
    when the rule stops; one-off changes get no RRULE. No RDATE is ever written.
    """
    first_year = to_utc(first).year - 1
    last_year = to_utc(last).year + 1
    transitions = _transitions(zone, first_year, last_year)
    observances = [_observance_of(run, last_year) for run in _runs(transitions)]
    if not transitions or transitions[0].at > to_utc(first):
        # The zone had no change before the first event: describe the offset in force
        # at the start of the scan, from a fixed conventional onset.
        scan_start = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
        offset, dst, name = _state(zone, scan_start)
        onset = datetime(min(1970, first_year), 1, 1)
        daylight = dst > timedelta(0)
        observances.append((onset, daylight, _observance(daylight, onset, offset, offset, name)))
    observances.sort(key=lambda item: (item[0], not item[1]))  # DAYLIGHT first on a tie
    timezone = Timezone()
    timezone.add("TZID", str(zone.key))
    for _, _, part in observances:
        timezone.add_component(part)
    return timezone
