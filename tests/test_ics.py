"""Tests for the .ics renderer: byte layout, escaping, time zones and ``build_series``.

Time zone output is checked against an independent evaluation of the written
VTIMEZONE (dateutil expands its yearly rules) compared hour by hour with ``zoneinfo``.
"""

from __future__ import annotations

import bisect
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as dateutil_rrule
from hypothesis import given, settings
from hypothesis import strategies as st
from ics_parse import unescape_text, unfold
from icslint import lint

from rmpair.export.ics import render
from rmpair.export.ics_model import Alarm, IcsCalendar, IcsEvent, Recurrence, Slot
from rmpair.export.ics_recurrence import build_series, occurrences

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
STAMP = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
NASTY = 'Grüße aus Köln; Agenda: Git, "rebase" & C:\\temp\\neu\nZweite Zeile\r\nDritte'
SERIES_UID = "series-7f3a@rmpair"


def _event(uid: str, start: datetime, **kwargs: object) -> IcsEvent:
    fields: dict[str, object] = {
        "summary": "Session",
        "description": "",
        "minutes": 60,
        "stamp": STAMP,
    }
    fields.update(kwargs)
    return IcsEvent(uid=uid, start=start, **fields)  # type: ignore[arg-type]


def _calendar(*events: IcsEvent) -> IcsCalendar:
    return IcsCalendar(name="Tandem Anna & Bernd", events=events)


def _lines(data: bytes) -> list[str]:
    return unfold(data)


def _values(data: bytes, name: str) -> list[str]:
    """Full logical lines whose property name is ``name`` (with parameters)."""
    return [line for line in _lines(data) if re.match(rf"{name}[;:]", line)]


def _components(data: bytes, name: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in _lines(data):
        if line == f"BEGIN:{name}":
            current = []
        elif line == f"END:{name}" and current is not None:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def _rich_calendar() -> IcsCalendar:
    series = Recurrence(
        "WEEKLY", interval=2, byday="TU", until=datetime(2026, 11, 10, 23, 0, tzinfo=BERLIN)
    )
    return _calendar(
        _event(
            SERIES_UID,
            datetime(2026, 2, 17, 17, 30, tzinfo=BERLIN),
            summary="Reverse Mentoring: Anna → Bernd",
            description=NASTY,
            location="Raum 4.12, Gebäude B; 2. OG",
            rrule=series,
            exdates=(datetime(2026, 4, 28, 17, 30, tzinfo=BERLIN),),
            alarm=Alarm(15, "Gleich: Mentoring"),
            categories=("Mentoring", "Lernen, gemeinsam"),
            sequence=4,
        ),
        _event(
            SERIES_UID,
            datetime(2026, 6, 11, 19, 15, tzinfo=BERLIN),
            recurrence_id=datetime(2026, 6, 9, 17, 30, tzinfo=BERLIN),
            sequence=4,
        ),
        _event(
            "monthly@rmpair",
            datetime(2026, 1, 6, 9, 0, tzinfo=NEW_YORK),
            rrule=Recurrence("MONTHLY", byday="1TU", count=12),
        ),
        _event("sydney@rmpair", datetime(2026, 4, 6, 18, 0, tzinfo=SYDNEY)),
        _event("kolkata@rmpair", datetime(2026, 7, 1, 10, 0, tzinfo=KOLKATA)),
        _event("utc@rmpair", datetime(2026, 5, 1, 10, 0, tzinfo=UTC)),
    )


# ------------------------------------------------------------------ byte layout


def test_every_line_ends_with_crlf_and_there_is_no_bom() -> None:
    data = render(_rich_calendar())
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n")
    body = data[:-2].split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in body)
    data.decode("utf-8")


def test_physical_lines_are_at_most_75_octets_and_valid_utf8() -> None:
    data = render(_rich_calendar())
    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical), "expected some folded lines"
    for line in physical:
        line.decode("utf-8")  # no fold may split a multi-byte character


def _text_event(**text: str) -> bytes:
    """A calendar of one event whose SUMMARY, DESCRIPTION or LOCATION is ``text``."""
    return render(_calendar(_event("t", datetime(2026, 3, 3, 17, 30, tzinfo=BERLIN), **text)))


def _text_value(data: bytes, name: str) -> str:
    (line,) = (line for line in _values(data, name) if line.startswith(f"{name}:"))
    return line[len(name) + 1 :]


@pytest.mark.parametrize("shift", range(6))
@pytest.mark.parametrize("char", ["ü", "€", "😀", "ß"])
def test_fold_never_splits_a_multibyte_character(char: str, shift: int) -> None:
    # Put the multi-byte character across the 75th octet at every possible offset.
    text = "x" * (75 - len("DESCRIPTION:") - shift) + char * 40
    data = _text_event(description=text)
    for piece in data.split(b"\r\n")[:-1]:
        assert len(piece) <= 75
        assert piece.decode("utf-8")
    assert _text_value(data, "DESCRIPTION") == text


def test_short_line_is_not_folded() -> None:
    # icalendar folds before the 75th octet: 74 octets stay one line, 75 become two.
    data = _text_event(summary="a" * 66)
    assert b"\r\nSUMMARY:" + b"a" * 66 + b"\r\n" in data
    data = _text_event(summary="a" * 67)
    assert b"\r\nSUMMARY:" + b"a" * 66 + b"\r\n a\r\n" in data


_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\n\t"
    ),
    max_size=400,
)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, name=st.sampled_from(["SUMMARY", "DESCRIPTION", "LOCATION"]))
def test_fold_unfold_unescape_round_trip(text: str, name: str) -> None:
    data = _text_event(**{name.lower(): text or "x"})
    for piece in data.split(b"\r\n")[:-1]:
        assert len(piece) <= 75
        piece.decode("utf-8")
    assert unescape_text(_text_value(data, name)) == (text or "x")


@given(text=_TEXT)
def test_escaped_text_has_no_raw_separators(text: str) -> None:
    escaped = _text_value(_text_event(description=text), "DESCRIPTION")
    assert "\n" not in escaped
    assert re.search(r"(?<!\\)(\\\\)*[;,]", escaped) is None


def test_escaping_of_umlauts_commas_semicolons_backslashes_and_newlines() -> None:
    nasty = 'Grüße aus Köln\\; Agenda: Git\\, "rebase" & C:\\\\temp\\\\neu\\nZweite Zeile\\nDritte'
    data = render(_rich_calendar())
    assert _values(data, "DESCRIPTION")[0] == "DESCRIPTION:" + nasty
    # Lone CR is a line break; other controls cannot be in TEXT and go; a tab stays.
    assert _text_value(_text_event(description="a\rb\x00c\x07d\te"), "DESCRIPTION") == (
        "a\\nbcd\te"
    )
    # A backslash before N is a backslash, not icalendar's shorthand for a line break.
    assert _text_value(_text_event(description="C:\\New"), "DESCRIPTION") == "C:\\\\New"
    assert "LOCATION:Raum 4.12\\, Gebäude B\\; 2. OG" in _lines(data)
    assert "CATEGORIES:Mentoring,Lernen\\, gemeinsam" in _lines(data)
    assert "SUMMARY:Reverse Mentoring: Anna → Bernd" in _lines(data)
    assert "X-WR-CALNAME:Tandem Anna & Bernd" in _lines(data)


def test_unescape_accepts_capital_n() -> None:
    assert unescape_text("a\\Nb\\nc\\,d\\;e\\\\f") == "a\nb\nc,d;e\\f"


# --------------------------------------------------------------- determinism


def test_same_input_gives_byte_identical_output() -> None:
    assert render(_rich_calendar()) == render(_rich_calendar())


def test_output_does_not_depend_on_hash_seed_or_local_zone(tmp_path: Path) -> None:
    script = (
        "import sys, test_ics; sys.stdout.buffer.write(test_ics.render(test_ics._rich_calendar()))"
    )
    outputs = set()
    for seed, tz in (("1", "Pacific/Chatham"), ("2", "America/Los_Angeles")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz}
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=Path(__file__).parent,
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert outputs == {render(_rich_calendar())}


# ------------------------------------------------------------ calendar content


def test_calendar_header() -> None:
    lines = _lines(render(_rich_calendar()))
    assert lines[:7] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//rmpair//rmpair//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:Tandem Anna & Bernd",
        "X-WR-CALNAME:Tandem Anna & Bernd",
    ]
    assert lines[-1] == "END:VCALENDAR"
    assert not any(line.startswith(("ATTENDEE", "ORGANIZER", "RDATE")) for line in lines)


def test_x_wr_timezone_only_for_a_single_zone() -> None:
    one = render(_calendar(_event("a", datetime(2026, 3, 1, 10, tzinfo=BERLIN))))
    assert "X-WR-TIMEZONE:Europe/Berlin" in _lines(one)
    assert not _values(render(_rich_calendar()), "X-WR-TIMEZONE")


def test_event_properties() -> None:
    data = render(_rich_calendar())
    master = _components(data, "VEVENT")[0]
    assert master[:6] == [
        f"UID:{SERIES_UID}",
        "DTSTAMP:20260110T090000Z",
        "LAST-MODIFIED:20260110T090000Z",
        "DTSTART;TZID=Europe/Berlin:20260217T173000",
        "DTEND;TZID=Europe/Berlin:20260217T183000",
        "RRULE:FREQ=WEEKLY;UNTIL=20261110T220000Z;INTERVAL=2;BYDAY=TU",
    ]
    assert "EXDATE;TZID=Europe/Berlin:20260428T173000" in master
    for expected in ("SEQUENCE:4", "TRANSP:OPAQUE", "STATUS:CONFIRMED"):
        assert expected in master
    alarm = _components(data, "VALARM")
    assert alarm == [["ACTION:DISPLAY", "TRIGGER:-PT15M", "DESCRIPTION:Gleich: Mentoring"]]
    override = _components(data, "VEVENT")[1]
    assert "RECURRENCE-ID;TZID=Europe/Berlin:20260609T173000" in override
    assert "DTSTART;TZID=Europe/Berlin:20260611T191500" in override
    assert not any(line.startswith("RRULE") for line in override)


def test_utc_events_use_z_and_nothing_is_floating() -> None:
    data = render(_rich_calendar())
    utc_event = next(c for c in _components(data, "VEVENT") if "UID:utc@rmpair" in c)
    assert "DTSTART:20260501T100000Z" in utc_event
    assert "DTEND:20260501T110000Z" in utc_event
    for line in _values(data, "DTSTART") + _values(data, "DTEND") + _values(data, "EXDATE"):
        if line.startswith("DTSTART:") and not line.endswith("Z"):
            continue  # VTIMEZONE onsets are local by definition
        assert ";TZID=" in line or line.endswith("Z"), line


def test_until_is_rendered_in_utc() -> None:
    data = render(
        _calendar(
            _event(
                "s",
                datetime(2026, 3, 3, 17, 30, tzinfo=BERLIN),
                rrule=Recurrence("WEEKLY", until=datetime(2026, 11, 17, 17, 30, tzinfo=BERLIN)),
            )
        )
    )
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261117T163000Z;BYDAY=TU" in _lines(data)


def test_implicit_byday_and_bymonthday_are_spelled_out() -> None:
    data = render(
        _calendar(
            _event("w", datetime(2026, 3, 4, 8, 0, tzinfo=BERLIN), rrule=Recurrence("WEEKLY")),
            _event(
                "m",
                datetime(2026, 3, 31, 8, 0, tzinfo=BERLIN),
                rrule=Recurrence("MONTHLY", count=3),
            ),
        )
    )
    assert "RRULE:FREQ=WEEKLY;BYDAY=WE" in _lines(data)
    assert "RRULE:FREQ=MONTHLY;COUNT=3;BYMONTHDAY=31" in _lines(data)


def test_duration_is_elapsed_time_across_a_dst_change() -> None:
    # 01:30 + 120 minutes on the night the clocks go forward ends at 04:30 local.
    data = render(_calendar(_event("n", datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN), minutes=120)))
    assert "DTEND;TZID=Europe/Berlin:20260329T043000" in _lines(data)


def test_second_pass_through_a_repeated_hour_falls_back_to_utc() -> None:
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)  # 01:30 UTC
    data = render(_calendar(_event("f", second)))
    assert "DTSTART:20261025T013000Z" in _lines(data)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "make",
    [
        lambda: _event("naive", datetime(2026, 3, 3, 17, 30)),
        lambda: _event("fixed", datetime(2026, 3, 3, 17, 30, tzinfo=timezone(timedelta(hours=1)))),
        lambda: _event("zero", datetime(2026, 3, 3, 17, 30, tzinfo=BERLIN), minutes=0),
        lambda: Recurrence("WEEKLY", count=3, until=datetime(2026, 5, 1, tzinfo=UTC)),
        lambda: Recurrence("WEEKLY", byday="1TU"),
        lambda: Recurrence("MONTHLY", byday="0TU"),
        lambda: Recurrence("WEEKLY", interval=0),
        lambda: Recurrence("WEEKLY", until=datetime(2026, 5, 1)),
        lambda: _event(
            "both",
            datetime(2026, 3, 3, 17, 30, tzinfo=BERLIN),
            rrule=Recurrence("WEEKLY"),
            recurrence_id=datetime(2026, 3, 3, 17, 30, tzinfo=BERLIN),
        ),
        lambda: _event(
            "exdate-without-rule",
            datetime(2026, 3, 3, 17, 30, tzinfo=BERLIN),
            exdates=(datetime(2026, 3, 10, 17, 30, tzinfo=BERLIN),),
        ),
        lambda: Alarm(-5, "late"),
    ],
)
def test_invalid_input_is_rejected(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()


def test_dtstart_off_its_rule_is_rejected() -> None:
    event = _event(
        "off",
        datetime(2026, 3, 4, 17, 30, tzinfo=BERLIN),  # a Wednesday
        rrule=Recurrence("WEEKLY", byday="TU"),
    )
    with pytest.raises(ValueError, match="not an occurrence"):
        render(_calendar(event))


def test_duplicate_uid_and_recurrence_id_is_rejected() -> None:
    start = datetime(2026, 3, 3, 17, 30, tzinfo=BERLIN)
    with pytest.raises(ValueError, match="share UID"):
        render(_calendar(_event("dup", start), _event("dup", start + timedelta(days=1))))


# ------------------------------------------------------------------- VTIMEZONE


@dataclass
class _Observance:
    kind: str
    props: dict[str, str]


def _vtimezones(data: bytes) -> dict[str, list[_Observance]]:
    zones: dict[str, list[_Observance]] = {}
    for block in _components(data, "VTIMEZONE"):
        tzid = next(line.split(":", 1)[1] for line in block if line.startswith("TZID:"))
        observances: list[_Observance] = []
        current: _Observance | None = None
        for line in block:
            if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
                current = _Observance(line.split(":")[1], {})
            elif line.startswith("END:"):
                if current is not None:
                    observances.append(current)
                current = None
            elif current is not None:
                name, value = line.split(":", 1)
                assert name not in current.props, f"repeated {name} in {tzid}"
                current.props[name] = value
        zones[tzid] = observances
    return zones


def _offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[3:5])
    seconds = int(text[5:7]) if len(text) > 5 else 0
    return sign * timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _evaluator(
    observances: Sequence[_Observance], horizon: datetime
) -> Callable[[datetime], tuple[timedelta, str]]:
    """Offset and name at a UTC instant, per RFC 5545: the latest onset at or before it."""
    onsets: list[tuple[datetime, timedelta, str]] = []
    for observance in observances:
        props = observance.props
        local = datetime.strptime(props["DTSTART"], "%Y%m%dT%H%M%S")
        offset_from, offset_to = _offset(props["TZOFFSETFROM"]), _offset(props["TZOFFSETTO"])
        name = props.get("TZNAME", "")
        starts = [local]
        if "RRULE" in props:
            parts = dict(part.split("=", 1) for part in props["RRULE"].split(";"))
            until = parts.pop("UNTIL", None)
            assert until is None or until.endswith("Z")
            rule = dateutil_rrule.rrulestr(
                ";".join(f"{k}={v}" for k, v in parts.items()), dtstart=local
            )
            limit = horizon.replace(tzinfo=None) + timedelta(days=400)
            if until is not None:
                limit = min(limit, datetime.strptime(until, "%Y%m%dT%H%M%SZ") + offset_from)
            starts = list(rule.between(local, limit, inc=True))
            assert starts and starts[0] == local, "DTSTART must be the rule's first onset"
        for start in starts:
            onsets.append(((start - offset_from).replace(tzinfo=UTC), offset_to, name))
    onsets.sort(key=lambda item: item[0])
    instants = [item[0] for item in onsets]

    def at(instant: datetime) -> tuple[timedelta, str]:
        index = bisect.bisect_right(instants, instant) - 1
        assert index >= 0, f"no observance in force at {instant}"
        return onsets[index][1], onsets[index][2]

    return at


def _assert_vtimezone_matches_zoneinfo(zone: ZoneInfo, first: datetime, last: datetime) -> None:
    data = render(_calendar(_event("a", first), _event("b", last)))
    assert lint(data) == []
    zones = _vtimezones(data)
    assert list(zones) == [zone.key]
    at = _evaluator(zones[str(zone.key)], last)
    t = first.astimezone(UTC).replace(minute=0, second=0)
    end = last.astimezone(UTC) + timedelta(hours=2)
    previous: timedelta | None = None
    while t <= end:
        expected = t.astimezone(zone)
        assert at(t) == (expected.utcoffset(), expected.tzname()), t
        if previous is not None and previous != expected.utcoffset():
            # Pin the change down to the minute within the hour it happened.
            for minute in range(-60, 1):
                probe = t + timedelta(minutes=minute)
                local = probe.astimezone(zone)
                assert at(probe) == (local.utcoffset(), local.tzname()), probe
        previous = expected.utcoffset()
        t += timedelta(hours=1)


@pytest.mark.parametrize(
    ("key", "first_year", "last_year"),
    [
        ("Europe/Berlin", 2026, 2026),
        ("America/New_York", 2026, 2027),
        ("America/New_York", 2005, 2008),  # US rule change in 2007
        ("Australia/Sydney", 2026, 2026),  # southern hemisphere
        ("Asia/Kolkata", 2026, 2026),  # no DST
        ("Europe/Dublin", 2026, 2026),  # negative DST in tzdata
        ("Australia/Lord_Howe", 2026, 2026),  # 30-minute DST
        ("Europe/Moscow", 2010, 2015),  # DST abolished, then standard offset changed
        ("America/Sao_Paulo", 2017, 2020),  # DST abolished in 2019
        ("Asia/Tehran", 2020, 2023),  # fixed-date rule, abolished 2022
        ("Africa/Casablanca", 2024, 2025),  # Ramadan-based, no yearly rule
        ("Pacific/Apia", 2011, 2012),  # skipped 30 December 2011
    ],
)
def test_vtimezone_is_exact_over_the_covered_period(
    key: str, first_year: int, last_year: int
) -> None:
    zone = ZoneInfo(key)
    _assert_vtimezone_matches_zoneinfo(
        zone,
        datetime(first_year, 1, 2, 12, 0, tzinfo=zone),
        datetime(last_year, 12, 28, 12, 0, tzinfo=zone),
    )


def test_one_vtimezone_per_zone_with_yearly_rules() -> None:
    data = render(_rich_calendar())
    zones = _vtimezones(data)
    assert (
        list(zones)
        == sorted(zones)
        == [
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Sydney",
            "Europe/Berlin",
        ]
    )
    # The VTIMEZONEs come before the first event.
    lines = _lines(data)
    assert max(i for i, line in enumerate(lines) if line == "END:VTIMEZONE") < lines.index(
        "BEGIN:VEVENT"
    )

    def rules(key: str) -> set[tuple[str, str, str, str]]:
        return {
            (o.kind, o.props["TZOFFSETFROM"], o.props["TZOFFSETTO"], _rule(o.props.get("RRULE")))
            for o in zones[key]
        }

    assert rules("Europe/Berlin") == {
        ("DAYLIGHT", "+0100", "+0200", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"),
        ("STANDARD", "+0200", "+0100", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"),
    }
    assert rules("America/New_York") == {
        ("DAYLIGHT", "-0500", "-0400", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"),
        ("STANDARD", "-0400", "-0500", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"),
    }
    assert rules("Australia/Sydney") == {
        ("DAYLIGHT", "+1000", "+1100", "FREQ=YEARLY;BYMONTH=10;BYDAY=1SU"),
        ("STANDARD", "+1100", "+1000", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"),
    }
    assert rules("Asia/Kolkata") == {("STANDARD", "+0530", "+0530", "")}
    assert [o.props["TZNAME"] for o in zones["Europe/Berlin"]] == ["CEST", "CET"]
    assert _vtimezones(render(_calendar(_event("u", datetime(2026, 1, 1, tzinfo=UTC))))) == {}


def _rule(value: str | None) -> str:
    """A yearly rule with its parts in one order (the order of parts carries no meaning)."""
    if value is None:
        return ""
    order = ("FREQ", "BYMONTH", "BYDAY", "UNTIL")
    parts = dict(part.split("=", 1) for part in value.split(";"))
    assert set(parts) <= set(order), value
    return ";".join(f"{key}={parts[key]}" for key in order if key in parts)


def test_rule_change_gets_one_observance_per_period() -> None:
    data = render(
        _calendar(
            _event("a", datetime(2005, 6, 1, 12, tzinfo=NEW_YORK)),
            _event("b", datetime(2008, 6, 1, 12, tzinfo=NEW_YORK)),
        )
    )
    rrules = sorted(_rule(o.props["RRULE"]) for o in _vtimezones(data)["America/New_York"])
    assert rrules == [
        "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z",
        "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z",
    ]


def test_recurring_series_keeps_local_time_across_dst() -> None:
    start = datetime(2026, 2, 17, 17, 30, tzinfo=BERLIN)
    got = list(occurrences(Recurrence("WEEKLY", interval=2, count=20), start))
    assert {o.astimezone(BERLIN).strftime("%H:%M") for o in got} == {"17:30"}
    utc_hours = {o.astimezone(UTC).strftime("%H:%M") for o in got}
    assert utc_hours == {"16:30", "15:30"}  # winter and summer
    first_tuesdays = list(
        occurrences(
            Recurrence("MONTHLY", byday="1TU", count=12), datetime(2026, 1, 6, 9, tzinfo=NEW_YORK)
        )
    )
    assert [o.day for o in first_tuesdays] == [6, 3, 3, 7, 5, 2, 7, 4, 1, 6, 3, 1]
    last_fridays = list(
        occurrences(
            Recurrence("MONTHLY", byday="-1FR", count=3), datetime(2026, 1, 30, 9, tzinfo=NEW_YORK)
        )
    )
    assert [o.date().isoformat() for o in last_fridays] == [
        "2026-01-30",
        "2026-02-27",
        "2026-03-27",
    ]
    day31 = list(
        occurrences(Recurrence("MONTHLY", count=3), datetime(2026, 1, 31, 9, tzinfo=NEW_YORK))
    )
    assert [o.month for o in day31] == [1, 3, 5]  # months without a 31st are skipped (RFC)


# ---------------------------------------------------------------- build_series


def _slot(key: str, start: datetime, **kwargs: object) -> Slot:
    fields: dict[str, object] = {
        "minutes": 60,
        "summary": "Mentoring",
        "description": NASTY,
        "stamp": STAMP,
    }
    fields.update(kwargs)
    return Slot(key=key, start=start, **fields)  # type: ignore[arg-type]


def _berlin(month: int, day: int, hour: int = 17, minute: int = 30) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def _expand_ir(events: Sequence[IcsEvent]) -> list[datetime]:
    """UTC starts the IR describes, expanded with dateutil (not with our own code)."""
    overrides = {
        (e.uid, e.recurrence_id.astimezone(UTC)): e.start.astimezone(UTC)
        for e in events
        if e.recurrence_id is not None
    }
    starts: list[datetime] = []
    for event in events:
        if event.recurrence_id is not None:
            continue
        if event.rrule is None:
            starts.append(event.start.astimezone(UTC))
            continue
        rule = event.rrule
        weekday = None
        if rule.byday is not None:
            day = dateutil_rrule.weekdays[
                ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(rule.byday[-2:])
            ]
            weekday = day(int(rule.byday[:-2])) if rule.byday[:-2] else day
        expanded = dateutil_rrule.rrule(
            dateutil_rrule.WEEKLY if rule.freq == "WEEKLY" else dateutil_rrule.MONTHLY,
            dtstart=event.start,
            interval=rule.interval,
            until=rule.until,
            count=rule.count,
            byweekday=weekday,
        )
        excluded = {x.astimezone(UTC) for x in event.exdates}
        for occurrence in expanded:
            instant = occurrence.astimezone(UTC)
            if instant in excluded:
                continue
            starts.append(overrides.pop((event.uid, instant), instant))
    assert not overrides, f"overrides that match no occurrence: {overrides}"
    return sorted(starts)


def _expected(slots: Sequence[Slot]) -> list[datetime]:
    return sorted(s.start.astimezone(UTC) for s in slots if not s.cancelled)


def test_build_series_cancelled_moved_extra_and_missing() -> None:
    rule = Recurrence("WEEKLY", interval=2, byday="TU")
    slots = [
        _slot("s01", _berlin(2, 17)),
        _slot("s02", _berlin(3, 3), cancelled=True),
        _slot("s03", _berlin(3, 19, 19, 0), planned_start=_berlin(3, 17)),  # moved
        # 31 March: no slot at all -> EXDATE
        _slot("s05", _berlin(4, 14), description="Other topic"),
        _slot("x01", _berlin(4, 1, 12, 0)),  # extra single
        _slot("s06", _berlin(4, 28), stamp=STAMP + timedelta(days=3)),
        _slot("s07", _berlin(5, 12), cancelled=True),  # trailing cancellation
    ]
    events = build_series(
        SERIES_UID, slots, rule, "Mentoring", NASTY, sequence=2, alarm=Alarm(10, "soon")
    )
    master, *rest = events
    assert master.uid == SERIES_UID
    assert master.start == _berlin(2, 17)
    assert master.rrule == Recurrence(
        "WEEKLY", interval=2, byday="TU", until=datetime(2026, 4, 28, 21, 59, 59, tzinfo=UTC)
    )
    assert [x.astimezone(UTC) for x in master.exdates] == [
        _berlin(3, 3).astimezone(UTC),
        _berlin(3, 31).astimezone(UTC),
    ]
    assert master.stamp == STAMP + timedelta(days=3)
    assert master.sequence == 2 and master.alarm == Alarm(10, "soon")
    overrides = [e for e in rest if e.recurrence_id is not None]
    assert [(o.recurrence_id, o.start, o.description) for o in overrides] == [
        (_berlin(3, 17), _berlin(3, 19, 19, 0), NASTY),
        (_berlin(4, 14), _berlin(4, 14), "Other topic"),
    ]
    assert all(o.uid == SERIES_UID for o in overrides)
    singles = [e for e in rest if e.recurrence_id is None]
    assert [(s.uid, s.start) for s in singles] == [(f"{SERIES_UID}-x01", _berlin(4, 1, 12, 0))]
    assert events == build_series(
        SERIES_UID, list(reversed(slots)), rule, "Mentoring", NASTY, 2, Alarm(10, "soon")
    )
    assert _expand_ir(events) == _expected(slots)
    data = render(_calendar(*events))
    assert lint(data) == []
    assert [line for line in _lines(data) if line.startswith("RRULE:FREQ=WEEKLY")] == [
        "RRULE:FREQ=WEEKLY;UNTIL=20260428T215959Z;INTERVAL=2;BYDAY=TU"
    ]


def test_build_series_kickoff_off_the_rule_is_a_single() -> None:
    rule = Recurrence("MONTHLY", byday="1TU")
    kickoff = _slot("k", datetime(2026, 1, 2, 10, 0, tzinfo=NEW_YORK))  # a Friday
    regular = [
        _slot(f"m{m}", datetime(2026, m, d, 9, 0, tzinfo=NEW_YORK))
        for m, d in ((1, 6), (2, 3), (3, 3))
    ]
    events = build_series("ny", [kickoff, *regular], rule, "Mentoring", NASTY, 0)
    assert events[0].start == datetime(2026, 1, 6, 9, 0, tzinfo=NEW_YORK)
    assert events[0].exdates == ()
    assert [e.uid for e in events] == ["ny", "ny-k"]
    assert _expand_ir(events) == _expected([kickoff, *regular])


def test_build_series_first_occurrence_cancelled_keeps_dtstart() -> None:
    rule = Recurrence("WEEKLY", byday="TU")
    slots = [_slot("a", _berlin(3, 3), cancelled=True), _slot("b", _berlin(3, 10))]
    (master,) = build_series("w", slots, rule, "Mentoring", NASTY, 0)
    assert master.start == _berlin(3, 3)
    assert master.exdates == (_berlin(3, 3),)
    assert _expand_ir((master,)) == _expected(slots)


def test_build_series_common_length_and_location_live_on_the_master() -> None:
    rule = Recurrence("WEEKLY", byday="TU")
    slots = [
        _slot("a", _berlin(3, 3), minutes=90, location="Café"),
        _slot("b", _berlin(3, 10), minutes=90, location="Café"),
        _slot("c", _berlin(3, 17), minutes=45, location="Café"),
    ]
    master, override = build_series("w", slots, rule, "Mentoring", NASTY, 0)
    assert (master.minutes, master.location) == (90, "Café")
    assert (override.recurrence_id, override.minutes) == (_berlin(3, 17), 45)


def test_build_series_degenerate_inputs() -> None:
    rule = Recurrence("WEEKLY", byday="TU")
    assert build_series("w", [], rule, "M", "", 0) == ()
    assert build_series("w", [_slot("a", _berlin(3, 3), cancelled=True)], rule, "M", "", 0) == ()
    with pytest.raises(ValueError, match="unique"):
        build_series("w", [_slot("a", _berlin(3, 3)), _slot("a", _berlin(3, 10))], rule, "M", "", 0)


def test_build_series_respects_the_rules_own_end() -> None:
    rule = Recurrence("WEEKLY", byday="TU", count=2)
    slots = [_slot("a", _berlin(3, 3)), _slot("b", _berlin(3, 10)), _slot("c", _berlin(3, 17))]
    events = build_series("w", slots, rule, "Mentoring", NASTY, 0)
    assert [e.uid for e in events] == ["w", "w-c"]
    assert _expand_ir(events) == _expected(slots)


def test_stable_uids_across_edits() -> None:
    # Re-importing after an edit must update the same events, not add new ones.
    rule = Recurrence("WEEKLY", byday="TU")
    before = [
        _slot("a", _berlin(3, 3)),
        _slot("b", _berlin(3, 10)),
        _slot("x", _berlin(3, 12, 8, 0)),
    ]
    after = [
        _slot("a", _berlin(3, 3)),
        _slot(
            "b",
            _berlin(3, 11, 18, 0),
            planned_start=_berlin(3, 10),
            stamp=STAMP + timedelta(hours=1),
        ),
        _slot("x", _berlin(3, 13, 8, 0), stamp=STAMP + timedelta(hours=1)),
    ]
    one = build_series("w", before, rule, "Mentoring", NASTY, 1)
    two = build_series("w", after, rule, "Mentoring", NASTY, 2)
    assert {e.uid for e in one} == {e.uid for e in two} == {"w", "w-x"}
    assert all(e.sequence == 2 for e in two)
    assert two[0].stamp > one[0].stamp


_ZONES = st.sampled_from([BERLIN, NEW_YORK, SYDNEY, KOLKATA, ZoneInfo("UTC")])


@st.composite
def _scenarios(draw: st.DrawFn) -> tuple[Recurrence, list[Slot]]:
    zone = draw(_ZONES)
    freq = draw(st.sampled_from(["WEEKLY", "MONTHLY"]))
    interval = draw(st.integers(1, 3))
    start_day = draw(
        st.dates(min_value=datetime(2025, 1, 1).date(), max_value=datetime(2027, 12, 31).date())
    )
    hour = draw(st.integers(6, 21))
    minute = draw(st.sampled_from([0, 15, 30, 45]))
    anchor = datetime(start_day.year, start_day.month, start_day.day, hour, minute, tzinfo=zone)
    if freq == "WEEKLY":
        rule = Recurrence(
            "WEEKLY",
            interval=interval,
            byday=["MO", "TU", "WE", "TH", "FR", "SA", "SU"][anchor.weekday()],
        )
    else:
        ordinal = (anchor.day - 1) // 7 + 1
        if ordinal > 4:
            anchor -= timedelta(days=7)
            ordinal = 4
        rule = Recurrence(
            "MONTHLY",
            interval=interval,
            byday=f"{ordinal}{['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][anchor.weekday()]}",
        )
    planned = list(occurrences(rule, anchor, not_after=anchor + timedelta(days=800)))[
        : draw(st.integers(1, 14))
    ]
    slots: list[Slot] = []
    for index, when in enumerate(planned):
        action = draw(st.sampled_from(["keep", "keep", "cancel", "move", "delete", "retitle"]))
        key = f"s{index:02d}"
        if action == "keep":
            slots.append(_slot(key, when))
        elif action == "cancel":
            slots.append(_slot(key, when, cancelled=True))
        elif action == "move":
            shift = timedelta(days=draw(st.integers(-3, 3)), hours=draw(st.integers(-5, 5)))
            moved = (when.astimezone(UTC) + shift).astimezone(zone)
            slots.append(_slot(key, moved, planned_start=when))
        elif action == "retitle":
            slots.append(_slot(key, when, summary="Special"))
    for index in range(draw(st.integers(0, 3))):
        offset = timedelta(hours=draw(st.integers(0, 24 * 120)))
        slots.append(_slot(f"x{index}", (anchor.astimezone(UTC) + offset).astimezone(zone)))
    return rule, slots


@settings(max_examples=150, deadline=None)
@given(scenario=_scenarios())
def test_build_series_describes_exactly_the_journal_sessions(
    scenario: tuple[Recurrence, list[Slot]],
) -> None:
    rule, slots = scenario
    events = build_series(SERIES_UID, slots, rule, "Mentoring", NASTY, 3)
    assert _expand_ir(events) == _expected(slots)
    data = render(_calendar(*events)) if events else b""
    if events:
        assert lint(data) == []
