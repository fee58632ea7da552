"""Recurrence rules: expanding a ``Recurrence`` and turning session slots into a series.

``occurrences`` walks a WEEKLY or MONTHLY rule in its zone's wall-clock time, and
``build_series`` matches plain session slots against such a rule to give one recurring
series plus overrides and single events. Both are pure functions of their input.
"""

from __future__ import annotations

import calendar as _calendar
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from rmpair.export.ics_model import (
    BYDAY_RE,
    WEEKDAYS,
    Alarm,
    IcsEvent,
    Recurrence,
    Slot,
    clear_wall_time,
    steady,
    to_utc,
    zone_of,
)

__all__ = ["build_series", "occurrences", "on_pattern"]

# The loose upper bound on how many rule periods we walk without finding an occurrence;
# it only protects against a rule that can never match (no real rule needs this many).
_MAX_EMPTY_PERIODS = 5000
_T = TypeVar("_T")


# --------------------------------------------------------------- rule expansion


def _wall(day: date, like: datetime) -> datetime:
    """``like``'s wall-clock time on ``day`` in ``like``'s zone (first instance if repeated).

    A wall time that falls into a DST gap resolves with the offset before the gap,
    exactly as RFC 5545 3.3.5 asks and as ``zoneinfo`` does for ``fold=0``.
    """
    return datetime(
        day.year, day.month, day.day, like.hour, like.minute, like.second, tzinfo=like.tzinfo
    )


def _month_days(rule: Recurrence, year: int, month: int, anchor: datetime) -> list[int]:
    last = _calendar.monthrange(year, month)[1]
    if rule.byday is None:
        return [anchor.day] if anchor.day <= last else []
    match = BYDAY_RE.match(rule.byday)
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
    start = to_utc(dtstart)
    until = to_utc(rule.until) if rule.until is not None else None
    limit = to_utc(not_after) if not_after is not None else None
    produced = 0
    for candidate in _pattern(rule, dtstart):
        instant = to_utc(candidate)
        if instant < start:
            continue
        if (until is not None and instant > until) or (limit is not None and instant > limit):
            return
        yield candidate
        produced += 1
        if rule.count is not None and produced >= rule.count:
            return


# ---------------------------------------------------------------- build_series


def _planned(slot: Slot) -> datetime:
    return slot.planned_start if slot.planned_start is not None else slot.start


def _most_common(values: Sequence[_T]) -> _T:
    """The most frequent value; ties go to the one seen first (deterministic)."""
    counts = Counter(values)
    best = max(counts.values())
    return next(value for value in values if counts[value] == best)


def on_pattern(rule: Recurrence, when: datetime) -> bool:
    """Whether ``when`` is itself an occurrence of the rule's pattern (ignoring its end)."""
    first = next(occurrences(replace(rule, until=None, count=None), when), None)
    return first is not None and to_utc(first) == to_utc(when)


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


@dataclass(frozen=True)
class _Series:
    """What every event of one stretch of a series shares."""

    uid: str
    rule: Recurrence
    summary: str
    description: str
    sequence: int
    alarm: Alarm | None
    stamp: datetime


def _part_events(
    series: _Series, part: Sequence[datetime], claimed: dict[datetime, Slot]
) -> list[IcsEvent]:
    """A master over the occurrences ``part`` (each claimed by a slot or not), with its
    EXDATEs and overrides; nothing when none of them is held."""
    held = [to_utc(o) for o in part if to_utc(o) in claimed and not claimed[to_utc(o)].cancelled]
    if not held:
        return []
    by_instant = {to_utc(occurrence): occurrence for occurrence in part}
    last_held = held[-1]
    in_series = [o for o in part if to_utc(o) <= last_held]
    held_slots = [claimed[instant] for instant in held]
    minutes = _most_common([slot.minutes for slot in held_slots])
    location = _most_common([slot.location for slot in held_slots])
    last_local = by_instant[last_held]
    until = datetime.combine(last_local.date(), datetime.max.time(), last_local.tzinfo)
    rule = series.rule
    events = [
        IcsEvent(
            uid=series.uid,
            summary=series.summary,
            description=series.description,
            start=in_series[0],
            minutes=minutes,
            stamp=series.stamp,
            sequence=series.sequence,
            location=location,
            rrule=Recurrence(
                freq=rule.freq, interval=rule.interval, until=to_utc(until), byday=rule.byday
            ),
            exdates=tuple(
                o for o in in_series if to_utc(o) not in claimed or claimed[to_utc(o)].cancelled
            ),
            alarm=series.alarm,
        )
    ]
    for instant in held:
        slot = claimed[instant]
        if (
            to_utc(slot.start) != instant
            or slot.minutes != minutes
            or slot.summary != series.summary
            or slot.description != series.description
            or slot.location != location
            or not steady(by_instant[instant], minutes)
        ):
            events.append(
                IcsEvent(
                    uid=series.uid,
                    summary=slot.summary,
                    description=slot.description,
                    start=slot.start,
                    minutes=slot.minutes,
                    stamp=slot.stamp,
                    sequence=series.sequence,
                    location=slot.location,
                    recurrence_id=by_instant[instant],
                    alarm=series.alarm,
                )
            )
    return events


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
      location) -> override with RECURRENCE-ID = the occurrence; so is a slot on an
      occurrence that is not ``steady`` (it starts or ends in a gap or a repeated hour,
      or a clock change falls inside it), because clients place such an occurrence of a
      rule differently, while an override's own start and end read the same everywhere;
    * slot on no occurrence -> single event with UID ``<series_uid>-<key>``;
    * occurrence without any slot -> EXDATE, so the calendar never shows a session the
      journal does not have;
    * occurrence whose wall-clock time falls into a gap or a repeated hour -> no rule
      generates it: the series stops before it and goes on after it as another master
      with UID ``<series_uid>-from-<YYYYMMDD>`` (its first date; the first stretch
      that shows anything keeps ``series_uid``), and a slot held there is a single.

    The master always ends (UNTIL) on the local day of the last occurrence that is
    held, so an endless rule does not run on beyond the journal; a whole day because
    some clients compare UNTIL on the wrong clock, and the next occurrence is at least
    a week away. Its length and location are the most common among its slots, its
    DTSTAMP the newest ``stamp`` of all slots. ``sequence`` and ``alarm`` go on every
    event; the caller raises ``sequence`` whenever the series changes, so a re-import
    updates the events instead of adding copies. Output order: each master followed by
    its overrides by RECURRENCE-ID, then singles by start then key.
    """
    if not slots:
        return ()
    if len({slot.key for slot in slots}) != len(slots):
        raise ValueError("slot keys must be unique")
    ordered = sorted(slots, key=lambda s: (to_utc(_planned(s)), s.key))
    for slot in ordered:
        zone_of(slot.start)
        zone_of(_planned(slot))
    anchor = next((_planned(s) for s in ordered if on_pattern(rule, _planned(s))), None)
    if anchor is None:
        anchor = _planned(ordered[0])
    horizon = max(to_utc(_planned(slot)) for slot in slots)
    series_occurrences = list(occurrences(rule, anchor, not_after=horizon))
    by_instant = {to_utc(occurrence): occurrence for occurrence in series_occurrences}

    claimed: dict[datetime, Slot] = {}
    singles: list[Slot] = []
    for slot in sorted(slots, key=lambda s: (s.cancelled, to_utc(_planned(s)), s.key)):
        instant = to_utc(_planned(slot))
        if instant in by_instant and instant not in claimed:
            claimed[instant] = slot
        elif not slot.cancelled:
            singles.append(slot)
    # Clients place a rule's time in a gap or a repeated hour differently (ical.js and
    # vobject read a gap with the offset after it, ical.js a repeated time as its second
    # pass), and node-ical matches an EXDATE or RECURRENCE-ID there against a different
    # instant than the occurrence it generated: no value names such an occurrence for
    # all of them. So no rule generates one: the series stops before that night and
    # goes on after it, and the night's session is a single event.
    parts: list[list[datetime]] = [[]]
    for occurrence in series_occurrences:
        if clear_wall_time(occurrence):
            parts[-1].append(occurrence)
            continue
        parts.append([])
        stranded = claimed.pop(to_utc(occurrence), None)
        if stranded is not None and not stranded.cancelled:
            singles.append(stranded)
    stamp = max(to_utc(slot.stamp) for slot in slots)
    events: list[IcsEvent] = []
    for part in filter(None, parts):
        # The first stretch that shows anything is the series; later ones are named by
        # their first date.
        uid = f"{series_uid}-from-{part[0]:%Y%m%d}" if events else series_uid
        series = _Series(uid, rule, series_summary, series_description, sequence, alarm, stamp)
        events.extend(_part_events(series, part, claimed))
    singles.sort(key=lambda s: (to_utc(s.start), s.key))
    events.extend(_single(series_uid, slot, sequence, alarm) for slot in singles)
    return tuple(events)
