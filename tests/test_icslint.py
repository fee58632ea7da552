"""Tests for our .ics lint: our own output passes, each broken fixture fails precisely."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ics_parse import unfold
from icslint import lint

from rmpair.export.ics import render
from rmpair.export.ics_model import Alarm, IcsCalendar, IcsEvent, Recurrence, Slot
from rmpair.export.ics_recurrence import build_series

FIXTURES = Path(__file__).parent / "fixtures" / "ics"
STAMP = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def _our_calendar() -> bytes:
    slots = [
        Slot(
            key=f"s{day:02d}",
            start=datetime(2026, 3, day, 17, 30, tzinfo=BERLIN),
            minutes=60,
            summary="Mentoring",
            description="Grüße; Agenda, Punkt 1\\2\nZeile 2 " + "lang " * 30,
            stamp=STAMP,
            cancelled=day == 10,
        )
        for day in (3, 10, 24, 31)
    ]
    moved = Slot(
        key="s17",
        start=datetime(2026, 3, 19, 8, 0, tzinfo=BERLIN),
        planned_start=datetime(2026, 3, 17, 17, 30, tzinfo=BERLIN),
        minutes=45,
        summary="Mentoring (verschoben)",
        description="",
        stamp=STAMP,
    )
    events = build_series(
        "tandem-1",
        [*slots, moved],
        Recurrence("WEEKLY", byday="TU"),
        "Mentoring",
        "Grüße; Agenda, Punkt 1\\2\nZeile 2 " + "lang " * 30,
        sequence=1,
        alarm=Alarm(15, "Gleich geht's los"),
    )
    extra = (
        IcsEvent(
            uid="ny",
            summary="First Tuesday",
            description="",
            start=datetime(2026, 1, 6, 9, 0, tzinfo=ZoneInfo("America/New_York")),
            minutes=30,
            stamp=STAMP,
            rrule=Recurrence("MONTHLY", byday="1TU", count=12),
        ),
        IcsEvent(
            "syd",
            "Sydney",
            "",
            datetime(2026, 4, 6, 18, tzinfo=ZoneInfo("Australia/Sydney")),
            60,
            STAMP,
        ),
        IcsEvent(
            "kol",
            "Kolkata",
            "",
            datetime(2026, 7, 1, 10, tzinfo=ZoneInfo("Asia/Kolkata")),
            60,
            STAMP,
        ),
        IcsEvent("utc", "UTC", "", datetime(2026, 5, 1, 10, tzinfo=UTC), 60, STAMP),
    )
    return render(IcsCalendar("Tandem Ä, Ö; Ü", (*events, *extra)))


def test_our_output_is_clean() -> None:
    assert lint(_our_calendar()) == []


def test_minimal_calendar_is_clean() -> None:
    event = IcsEvent("a", "A", "", datetime(2026, 1, 1, 10, tzinfo=UTC), 30, STAMP)
    assert lint(render(IcsCalendar("x", (event,)))) == []


# Each fixture breaks exactly one rule; the rest of the file is valid, so the lint must
# report exactly that one problem.
SINGLE_PROBLEM = {
    "floating-until.ics": "line 29: RRULE UNTIL=20261117T173000 is floating",
    "missing-uid.ics": "line 24: VEVENT is missing UID",
    "bare-lf.ics": "line 1: 36 line(s) end with a bare LF instead of CRLF",
    "long-line.ics": "line 32: 90 octets long, more than 75",
    "rdate-list.ics": "line 9: DAYLIGHT: RDATE lists several dates in a VTIMEZONE",
    "count-and-until.ics": "line 29: RRULE has both COUNT and UNTIL",
    "floating-dtstart.ics": "line 27: DTSTART is a floating time",
    "duplicate-uid.ics": "line 36: duplicate VEVENT UID fixture-1@rmpair.test",
    "bom.ics": "byte order mark",
    "split-utf8.ics": "line 32: a fold splits a multi-byte UTF-8 character",
}


@pytest.mark.parametrize("name", sorted(SINGLE_PROBLEM))
def test_fixture_fails_with_its_specific_message(name: str) -> None:
    problems = lint((FIXTURES / name).read_bytes())
    assert len(problems) == 1, problems
    assert SINGLE_PROBLEM[name] in problems[0]


def test_tzid_without_vtimezone() -> None:
    problems = lint((FIXTURES / "tzid-without-vtimezone.ics").read_bytes())
    assert problems == [
        "line 10: TZID=Europe/Berlin has no VTIMEZONE in the file",
        "line 11: TZID=Europe/Berlin has no VTIMEZONE in the file",
    ]


def test_truncated_file() -> None:
    problems = lint((FIXTURES / "truncated.ics").read_bytes())
    assert "line 31: file does not end with CRLF (truncated?)" in problems
    assert "line 24: BEGIN:VEVENT is never closed (file truncated?)" in problems
    assert "line 1: BEGIN:VCALENDAR is never closed (file truncated?)" in problems


def test_all_fixtures_are_covered() -> None:
    names = {path.name for path in FIXTURES.glob("*.ics")}
    assert names == {*SINGLE_PROBLEM, "tzid-without-vtimezone.ics", "truncated.ics"}


def test_fixtures_keep_their_exact_bytes() -> None:
    # A checkout that rewrote line ends (git autocrlf) would make these tests meaningless.
    assert b"\r\n" not in (FIXTURES / "bare-lf.ics").read_bytes()
    for path in FIXTURES.glob("*.ics"):
        if path.name != "bare-lf.ics":
            assert b"\n" not in path.read_bytes().replace(b"\r\n", b""), path.name


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.replace(b"METHOD:PUBLISH\r\n", b""), "VCALENDAR is missing METHOD"),
        (lambda d: d.replace(b"VERSION:2.0", b"VERSION:1.0"), "VERSION must be 2.0"),
        (
            lambda d: d.replace(b"DTSTAMP:20260110T090000Z", b"DTSTAMP:20260110T090000", 1),
            "DTSTAMP must be in UTC",
        ),
        (lambda d: d.replace(b"SUMMARY:First Tuesday\r\n", b""), "VEVENT is missing SUMMARY"),
        (
            lambda d: d.replace(b"COUNT=12", b"COUNT=12;UNTIL=20261231T000000Z"),
            "both COUNT and UNTIL",
        ),
        (lambda d: d.replace(b"END:VALARM\r\n", b"", 1), "BEGIN:VALARM is never closed"),
        (
            lambda d: d.replace(b"DTEND:20260501T110000Z", b"DTEND:20260501T110000"),
            "DTEND is a floating time",
        ),
        (lambda d: d.replace(b"\r\n", b"\n", 1), "bare LF"),
        (lambda d: d.replace(b"Gr\xc3\xbc\xc3\x9fe", b"Gr\xfc\xdfe", 1), "not valid UTF-8"),
        (lambda d: d + b"X-TRAILING:1\r\n", "outside of any component"),
    ],
)
def test_mutations_of_our_output_are_caught(mutate: object, expected: str) -> None:
    data = _our_calendar()
    broken = mutate(data)  # type: ignore[operator]
    assert broken != data, "mutation did not apply"
    problems = lint(broken)
    assert any(expected in problem for problem in problems), problems


def test_unfold_joins_continuations_and_tolerates_tabs_and_lf() -> None:
    data = b"BEGIN:VCALENDAR\r\nDESCRIPTION:ab\r\n c\r\n\td\nEND:VCALENDAR\r\n"
    assert unfold(data) == ["BEGIN:VCALENDAR", "DESCRIPTION:abcd", "END:VCALENDAR"]
    split = b"SUMMARY:Gr\xc3\r\n \xbc\xc3\x9fe\r\n"  # fold inside a character
    assert unfold(split) == ["SUMMARY:Grüße"]
    with pytest.raises(UnicodeDecodeError):
        unfold(b"SUMMARY:\xff\r\n")
    assert unfold(b"SUMMARY:\xff\r\n", errors="replace") == ["SUMMARY:\ufffd"]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000))
def test_lint_never_raises_on_garbage(data: bytes) -> None:
    assert isinstance(lint(data), list)


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0), junk=st.binary(max_size=20))
def test_lint_never_raises_on_damaged_output(cut: int, junk: bytes) -> None:
    position = cut % len(_OUR)
    damaged = _OUR[:position] + junk + _OUR[position + len(junk) :]
    assert all(isinstance(problem, str) for problem in lint(damaged))


_OUR = _our_calendar()
