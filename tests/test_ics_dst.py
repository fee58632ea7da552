"""The calendar at every clock change: sessions in a gap or a repeated hour read the same
in every parser.

For the clock changes of 2027 in five zones (Berlin, New York and London, and the
30-minute shift of Lord Howe and the 45-minute offset of Chatham) a weekly series runs
through the night the clocks change, at a wall time that falls into the gap or the
repeated hour, and that night's session is kept, moved, cancelled, deleted or planned
straight at the time the clocks show. Single sessions start in the repeated hour, end in
it, or span the gap. Every export is read by ical.js and node-ical (via
``tests/interop/occurrences.mjs``), vobject and recurring-ical-events; each must give
every session that takes place at the instant ``zoneinfo`` gives the journal's session
(a wall time in a gap is read with the offset before it, as RFC 5545 says), with the
session's own length: nothing twice, nothing an hour off, nothing of zero length.

Missing parsers fail when ``CI`` is set and skip otherwise, as in ``test_ics_interop``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icslint import lint
from test_ics_export_interop import INTEROP_DIR, _import, _iso, _node_ready

from rmpair.export.calendar import IcsExport
from rmpair.export.ics import render
from rmpair.export.ics_model import IcsCalendar, IcsEvent, Recurrence
from rmpair.journal import Journal
from rmpair.model.records import Cadence, Role, Session, SessionStatus
from rmpair.store.home import Home

pytestmark = pytest.mark.interop

WINDOW = (dt.datetime(2027, 1, 1, tzinfo=dt.UTC), dt.datetime(2028, 1, 1, tzinfo=dt.UTC))
MARGIN = dt.timedelta(days=92)
MINUTES = 60

Span = tuple[str, str]  # UTC start and end, "YYYY-MM-DDTHH:MM:SSZ"

# zone -> (the night the clocks go back, a wall time in the repeated hour),
#         (the night they go forward, a wall time in the gap); all Sundays.
CHANGES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "Europe/Berlin": (("2027-10-31", "02:30"), ("2027-03-28", "02:30")),
    "America/New_York": (("2027-11-07", "01:30"), ("2027-03-14", "02:30")),
    "Europe/London": (("2027-10-31", "01:30"), ("2027-03-28", "01:30")),
    "Pacific/Chatham": (("2027-04-04", "03:00"), ("2027-09-26", "03:00")),
    "Australia/Lord_Howe": (("2027-04-04", "01:45"), ("2027-10-03", "02:15")),
}
VARIANTS = ("kept", "moved", "cancelled", "deleted", "planned-there", "starts-there")


def _wall(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {time}")


def _unclear(wall: dt.datetime, zone: ZoneInfo) -> bool:
    local = wall.replace(tzinfo=zone)
    return local.utcoffset() != local.replace(fold=1).utcoffset()


def _journal(root: Path, zone: str, first: dt.date) -> Journal:
    return Journal.init(
        root / "j",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=first,
        cadence=Cadence.WEEKLY,
        tz=zone,
        home=Home(root / "h"),
    )


def expected_spans(journal: Journal) -> list[Span]:
    """Every session that takes place, straight from the journal through zoneinfo."""
    spans: list[Span] = []
    for session in journal.all(Session):
        if session.start is None or session.status is SessionStatus.CANCELLED:
            continue
        start = session.start.replace(tzinfo=ZoneInfo(session.tz)).astimezone(dt.UTC)
        spans.append((_iso(start), _iso(start + dt.timedelta(minutes=session.minutes))))
    return sorted(spans)


# --------------------------------------------------------------------- parsers


def node_spans(data: bytes) -> dict[str, list[tuple[str, str, str]]]:
    """(UID, start, end) of every occurrence, per node parser."""
    node = _node_ready()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.ics"
        path.write_bytes(data)
        result = subprocess.run(
            [node, str(INTEROP_DIR / "occurrences.mjs"), str(path), *(_iso(w) for w in WINDOW)],
            capture_output=True,
            text=True,
            env={**os.environ, "TZ": "Europe/Lisbon"},
            check=False,
            timeout=300,
        )
    assert result.returncode == 0, f"occurrences.mjs failed:\n{result.stderr}"
    parsed: dict[str, list[dict[str, str]]] = json.loads(result.stdout)
    return {
        name: [(o["uid"], o["start"], o["end"]) for o in found] for name, found in parsed.items()
    }


def _utc(value: Any) -> dt.datetime:
    assert isinstance(value, dt.datetime) and value.utcoffset() is not None, value
    return value.astimezone(dt.UTC)


def vobject_spans(data: bytes) -> list[tuple[str, str, str]]:
    """(UID, start, end) via vobject's own rule expansion. An event ends at its DTEND
    (or DURATION after its start); an occurrence of a rule ends its series' length
    later on its zone's clock, as Python adds time (the series' length must not depend
    on whether a client adds it to the clock or to the instant)."""
    vobject = _import("vobject")
    events = list(vobject.readOne(data.decode("utf-8")).vevent_list)
    overrides = {
        (e.uid.value, _utc(e.recurrence_id.value)): e for e in events if hasattr(e, "recurrence_id")
    }
    out: list[tuple[str, str, str]] = []

    def length(event: Any) -> dt.timedelta:
        if hasattr(event, "duration"):
            value: dt.timedelta = event.duration.value
            return value
        return _utc(event.dtend.value) - _utc(event.dtstart.value)

    def end(event: Any) -> dt.datetime:
        return _utc(event.dtstart.value) + length(event)

    def add(event: Any, start: dt.datetime, end: dt.datetime) -> None:
        if hasattr(event, "status") and event.status.value == "CANCELLED":
            return
        if WINDOW[0] <= _utc(start) < WINDOW[1]:
            out.append((event.uid.value, _iso(start), _iso(end)))

    for event in events:
        if hasattr(event, "recurrence_id"):
            continue
        if not hasattr(event, "rrule"):
            add(event, event.dtstart.value, end(event))
            continue
        for occurrence in event.getrruleset(addRDate=True):
            if _utc(occurrence) > WINDOW[1] + MARGIN:
                break
            override = overrides.get((event.uid.value, _utc(occurrence)))
            if override is None:
                add(event, occurrence, occurrence + length(event))
            else:
                add(override, override.dtstart.value, end(override))
    return sorted(out)


def rie_spans(data: bytes) -> list[tuple[str, str, str]]:
    """(UID, start, end) via icalendar + recurring-ical-events."""
    icalendar = _import("icalendar")
    recurring = _import("recurring_ical_events")
    out = []
    for event in recurring.of(icalendar.Calendar.from_ical(data)).between(*WINDOW):
        if str(event.get("STATUS", "")) == "CANCELLED":
            continue
        start = event["DTSTART"].dt
        end = event["DTEND"].dt if "DTEND" in event else start + event["DURATION"].dt
        out.append((str(event["UID"]), _iso(start), _iso(end)))
    return sorted(out)


def assert_every_parser_agrees(export: IcsExport, expected: list[Span]) -> None:
    cancelled = {event.uid for event in export.calendar.events if event.cancelled}
    assert_every_parser_reads(export.data, expected, cancelled)


def assert_every_parser_reads(data: bytes, expected: list[Span], cancelled: set[str]) -> None:
    assert lint(data) == []
    readings = {name: found for name, found in node_spans(data).items()}
    readings["vobject"] = vobject_spans(data)
    readings["recurring-ical-events"] = rie_spans(data)
    for parser, found in readings.items():
        spans = sorted((start, end) for uid, start, end in found if uid not in cancelled)
        assert spans == expected, parser


# ------------------------------------------------------------------- the series


def _series_journal(root: Path, zone: str, day: str, time: str, variant: str) -> Journal:
    """A weekly series at ``time`` through the night of ``day``, that night's session
    treated as ``variant`` says."""
    night = _wall(day, time)
    weeks = range(3) if variant == "starts-there" else range(-2, 3)
    journal = _journal(root, zone, (night - dt.timedelta(weeks=2)).date())
    for week in weeks:
        when = night + dt.timedelta(weeks=week)
        if week == 0 and variant == "deleted":
            continue
        if week == 0 and variant == "planned-there":
            # Planned at the time the clocks show (in a gap: the time after it, which is
            # off the series' wall time; in a repeated hour: the same time).
            instant = when.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
            when = instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
            journal.sessions.plan_session(when, planned_start=when, series="programme")
            continue
        session = journal.sessions.plan_session(when, planned_start=when, series="programme")
        if week == 0 and variant == "moved":
            journal.sessions.move_session(session, when.replace(hour=7, minute=10))
        elif week == 0 and variant == "cancelled":
            journal.update(Session.KIND, session, {"status": "cancelled"})
    return journal


SERIES_CASES = [
    pytest.param(zone, day, time, variant, id=f"{zone.split('/')[1]}-{kind}-{variant}")
    for zone, changes in CHANGES.items()
    for kind, (day, time) in zip(("back", "forward"), changes, strict=True)
    for variant in VARIANTS
]


@pytest.mark.parametrize(("zone", "day", "time", "variant"), SERIES_CASES)
def test_a_series_through_a_clock_change_reads_the_same_everywhere(
    zone: str, day: str, time: str, variant: str, tmp_path: Path
) -> None:
    assert _unclear(_wall(day, time), ZoneInfo(zone)), "the case must sit in a gap or fold"
    with _series_journal(tmp_path, zone, day, time, variant) as journal:
        expected = expected_spans(journal)
        series = journal.calendar.ics_export()
        sessions = journal.calendar.ics_export(per_session=True)
    assert any(event.rrule is not None for event in series.calendar.events)
    assert_every_parser_agrees(series, expected)
    assert_every_parser_agrees(sessions, expected)


def test_the_lord_howe_session_moved_out_of_the_gap_shows_once(tmp_path: Path) -> None:
    """D1 as reported: weekly 02:15, the 3 Oct 2027 session (02:15 does not exist that
    night) at 02:45. No rule generates 02:15 that night: the series stops before it and
    goes on after it, and the session is an event of its own."""
    with _series_journal(
        tmp_path, "Australia/Lord_Howe", "2027-10-03", "02:15", "planned-there"
    ) as journal:
        export = journal.calendar.ics_export()
        expected = expected_spans(journal)
    text = export.data.decode()
    masters = [event for event in export.calendar.events if event.rrule is not None]
    assert [m.start.isoformat() for m in masters] == [
        "2027-09-19T02:15:00+10:30",
        "2027-10-10T02:15:00+11:00",
    ]
    assert "20271003T021500" not in text
    assert "DTSTART;TZID=Australia/Lord_Howe:20271003T024500" in text
    assert len(expected) == 5
    assert_every_parser_agrees(export, expected)


def test_an_exdate_in_a_gap_names_the_time_the_rule_generates() -> None:
    """The renderer on its own: whatever form the excluded instant comes in, the EXDATE
    says the wall time the rule generates (02:15 in the gap), which every parser matches
    with its own occurrence, however it places 02:15 that night."""
    zone = ZoneInfo("Australia/Lord_Howe")
    start = dt.datetime(2027, 9, 19, 2, 15, tzinfo=zone)
    gap = dt.datetime(2027, 10, 3, 2, 45, tzinfo=zone)  # the instant of 02:15 that night
    until = dt.datetime(2027, 10, 17, 23, 59, tzinfo=zone)
    master = IcsEvent(
        "gap@rmpair",
        "Series",
        "",
        start,
        MINUTES,
        dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        rrule=Recurrence("WEEKLY", until=until),
        exdates=(gap,),
    )
    data = render(IcsCalendar("Gap", (master,)))
    assert "EXDATE;TZID=Australia/Lord_Howe:20271003T021500" in data.decode()
    # A week after the change the wall time holds: 02:15 at +11:00.
    expected = sorted(
        (_iso(d), _iso(d + dt.timedelta(minutes=MINUTES)))
        for d in (
            dt.datetime(2027, 9, 19, 2, 15, tzinfo=zone),
            dt.datetime(2027, 9, 26, 2, 15, tzinfo=zone),
            dt.datetime(2027, 10, 10, 2, 15, tzinfo=zone),
            dt.datetime(2027, 10, 17, 2, 15, tzinfo=zone),
        )
    )
    assert_every_parser_reads(data, expected, set())


# ------------------------------------------------------------------ single events


@pytest.mark.parametrize("zone", list(CHANGES))
def test_single_sessions_at_a_clock_change_read_the_same_everywhere(
    zone: str, tmp_path: Path
) -> None:
    where = ZoneInfo(zone)
    (back_day, back_time), (forward_day, forward_time) = CHANGES[zone]
    repeated = _wall(back_day, back_time)
    gap = _wall(forward_day, forward_time)
    with _journal(tmp_path, zone, dt.date(2027, 1, 4)) as journal:
        # Starts in the repeated hour (its first pass, as the journal reads it).
        journal.sessions.plan_session(repeated, minutes=MINUTES)
        # Starts an hour earlier and ends in the second pass through the repeated hour.
        before = repeated - dt.timedelta(hours=1)
        second = repeated.replace(tzinfo=where, fold=1).astimezone(dt.UTC)
        first = before.replace(tzinfo=where).astimezone(dt.UTC)
        journal.sessions.plan_session(before, minutes=int((second - first).total_seconds() // 60))
        # Spans the gap.
        journal.sessions.plan_session(gap - dt.timedelta(hours=1), minutes=120)
        expected = expected_spans(journal)
        export = journal.calendar.ics_export()
    assert len(expected) == 3
    assert_every_parser_agrees(export, expected)
    text = export.data.decode()
    # The session in the repeated hour is written in UTC, start and end alike.
    start = repeated.replace(tzinfo=where).astimezone(dt.UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in text
    assert f"DTEND:{start + dt.timedelta(minutes=MINUTES):%Y%m%dT%H%M%S}Z" in text
