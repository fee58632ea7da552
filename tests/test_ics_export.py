"""The calendar export end to end: a real journal in, an .ics file a calendar imports out.

The journal is a tandem in Europe/Berlin whose programme runs across both DST changes,
with a kick-off on another weekday, a cancelled and a moved session, a one-off, a
cancelled one-off and text that needs escaping. What is checked is what a user's
calendar would notice: one series with its exceptions, stable UIDs, SEQUENCE that
grows when a session moves, byte-identical files when nothing changed, and files that
never land in the shared folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import icalendar
import pytest
from ics_parse import unfold
from icslint import lint
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.errors import UserError
from rmpair.export.calendar import EXPORTS_FILE, export_key
from rmpair.journal import Journal
from rmpair.model.records import Cadence, Direction, PrepItem, Role, Session, SessionKind, Topic
from rmpair.store.home import Home

TZ = "Europe/Berlin"
NASTY = 'Grüße an Jürgen & Zoë; Themen: Git, "Rebase"\nPfad C:\\Users\\jürgen, Ende \\'
FIRST = dt.datetime(2026, 3, 3, 17, 30)  # a Tuesday; DST starts 29 Mar, ends 25 Oct
LAST = dt.datetime(2026, 11, 10, 17, 30)


@dataclass
class Scenario:
    """A journal and the ids of the sessions that matter to the tests."""

    journal: Journal
    home: Path
    regular: list[str] = field(default_factory=list)
    kickoff: str = ""
    one_off: str = ""
    cancelled_one_off: str = ""
    cancelled: str = ""
    moved: str = ""
    nasty: str = ""

    @property
    def folder(self) -> Path:
        return self.journal.folder


def _add_months(day: dt.datetime, months: int) -> dt.datetime:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def programme_dates(cadence: Cadence) -> list[dt.datetime]:
    """Where the plan puts the regular sessions for ``cadence``, FIRST to LAST."""
    dates: list[dt.datetime] = []
    if cadence in (Cadence.WEEKLY, Cadence.BIWEEKLY):
        step = dt.timedelta(weeks=1 if cadence is Cadence.WEEKLY else 2)
        day = FIRST
        while day <= LAST:
            dates.append(day)
            day += step
        return dates
    for n in range(9):
        month = _add_months(FIRST.replace(day=1), n)
        if cadence is Cadence.MONTHLY:
            dates.append(month.replace(day=3))
        else:  # the first Tuesday of the month
            dates.append(month + dt.timedelta(days=(1 - month.weekday()) % 7))
    return dates


def build_journal(tmp: Path, cadence: Cadence = Cadence.BIWEEKLY) -> Scenario:
    """The test tandem: Dana (mentee) on this device, Sam (mentor) her partner."""
    home = tmp / "home-dana"
    journal = Journal.init(
        tmp / "shared" / "journal",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=FIRST.date(),
        months=9,
        cadence=cadence,
        tz=TZ,
        home=Home(home),
    )
    scenario = Scenario(journal, home)
    scenario.kickoff = journal.sessions.plan_session(
        dt.datetime(2026, 2, 23, 10, 0), kind=SessionKind.KICKOFF, series="programme"
    )
    topic = journal.add(Topic.KIND, Topic(id="", title=NASTY).to_fields())
    dates = programme_dates(cadence)
    for n, day in enumerate(dates):
        extra: dict[str, Any] = {}
        if n == 6:
            extra["topics"] = [topic]
        if n == 9:
            extra["direction"] = Direction.MENTEE_TEACHES
        scenario.regular.append(
            journal.sessions.plan_session(day, planned_start=day, series="programme", **extra)
        )
    scenario.nasty = scenario.regular[6]
    scenario.cancelled = scenario.regular[4]
    journal.update(Session.KIND, scenario.cancelled, {"status": "cancelled"})
    scenario.moved = scenario.regular[7]
    moved_to = (dates[7] + dt.timedelta(days=2)).replace(hour=19, minute=15)
    journal.update(Session.KIND, scenario.moved, {"start": moved_to.isoformat()})
    scenario.one_off = journal.sessions.plan_session(dt.datetime(2026, 7, 1, 8, 0), minutes=30)
    scenario.cancelled_one_off = journal.sessions.plan_session(dt.datetime(2026, 8, 5, 12, 0))
    journal.update(Session.KIND, scenario.cancelled_one_off, {"status": "cancelled"})
    return scenario


@pytest.fixture
def scenario(tmp_path: Path) -> Iterator[Scenario]:
    built = build_journal(tmp_path)
    yield built
    built.journal.close()


def events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def by_uid(data: bytes) -> dict[tuple[str, str], icalendar.Event]:
    """Events keyed by UID and RECURRENCE-ID (empty for masters and single events)."""
    out = {}
    for event in events(data):
        rid = event.get("RECURRENCE-ID")
        out[(str(event["UID"]), rid.dt.isoformat() if rid is not None else "")] = event
    return out


def event_rules(data: bytes) -> list[str]:
    """The RRULE lines of the events (the VTIMEZONE's yearly rules left out)."""
    return [
        line for line in unfold(data) if line.startswith("RRULE:") and "FREQ=YEARLY" not in line
    ]


def uid(scenario: Scenario, what: str, rec: str) -> str:
    return f"{what}-{rec}.{scenario.journal.journal_id}@rmpair"


def series_uid(scenario: Scenario) -> str:
    return uid(scenario, "series", "programme")


def local(event: icalendar.Event, name: str = "DTSTART") -> dt.datetime:
    value = event[name].dt
    assert value.tzinfo is not None
    return value.astimezone(dt.UTC)


# --------------------------------------------------------------------- the file


def test_series_with_exceptions_is_lint_clean_and_reads_back(scenario: Scenario) -> None:
    data = scenario.journal.calendar.ics_export().data
    assert lint(data) == []
    lines = unfold(data)
    assert "X-WR-CALNAME:Reverse mentoring: Sam & Dana" in lines
    assert "NAME:Reverse mentoring: Sam & Dana" in lines
    # One series for the programme, in the tandem's zone, across both DST changes.
    assert event_rules(data) == ["RRULE:FREQ=WEEKLY;UNTIL=20261110T225959Z;INTERVAL=2;BYDAY=TU"]
    assert "DTSTART;TZID=Europe/Berlin:20260303T173000" in lines
    assert "EXDATE;TZID=Europe/Berlin:20260428T173000" in lines
    assert "BEGIN:VTIMEZONE" in lines and "TZID:Europe/Berlin" in lines
    assert not any(line.startswith(("ATTENDEE", "ORGANIZER")) for line in lines)

    found = by_uid(data)
    series = series_uid(scenario)
    moved = found[(series, "2026-06-09T17:30:00+02:00")]
    assert moved["DTSTART"].dt.isoformat() == "2026-06-11T19:15:00+02:00"
    # The session with its own agenda overrides its date with its own text.
    own = found[(series, "2026-05-26T17:30:00+02:00")]
    assert NASTY in str(own["DESCRIPTION"])
    assert own["DTSTART"].dt == own["RECURRENCE-ID"].dt
    # Off the rule: the kick-off on a Monday and the one-off are single events.
    kickoff = found[(uid(scenario, "session", scenario.kickoff), "")]
    assert kickoff["DTSTART"].dt.isoformat() == "2026-02-23T10:00:00+01:00"
    assert "Kick-off" in str(kickoff["SUMMARY"])
    one_off = found[(uid(scenario, "session", scenario.one_off), "")]
    assert one_off["DTEND"].dt - one_off["DTSTART"].dt == dt.timedelta(minutes=30)
    # A cancelled one-off stays in the file, marked, so a re-import calls it off.
    gone = found[(uid(scenario, "session", scenario.cancelled_one_off), "")]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert str(gone["SUMMARY"]).startswith("Cancelled: ")
    assert str(gone["TRANSP"]) == "TRANSPARENT"
    # The master and three overrides: moved, own agenda, and the mentee teaching.
    assert sorted(rid for u, rid in found if u == series) == [
        "",
        "2026-05-26T17:30:00+02:00",
        "2026-06-09T17:30:00+02:00",
        "2026-07-07T17:30:00+02:00",
    ]
    assert {key[0] for key in found} == {
        series,
        uid(scenario, "session", scenario.kickoff),
        uid(scenario, "session", scenario.one_off),
        uid(scenario, "session", scenario.cancelled_one_off),
    }


def test_description_holds_kind_agenda_and_both_checklists(scenario: Scenario) -> None:
    journal = scenario.journal
    found = by_uid(journal.calendar.ics_export().data)
    text = str(found[(uid(scenario, "session", scenario.kickoff), "")]["DESCRIPTION"])
    assert text.startswith("Kick-off, 60 minutes\nSam (mentor) teaches, Dana (mentee) learns.")
    prep = [p for p in journal.all(PrepItem) if p.session == scenario.kickoff]
    assert {p.role for p in prep} == {Role.MENTOR, Role.MENTEE}
    for item in prep:
        assert f"- {item.text}" in text
    assert text.index("Prep checklist for Sam (mentor):") < text.index(
        "Prep checklist for Dana (mentee):"
    )
    assert re.search(r"^Agenda:\n- .+ \(\d+ min\)$", text, re.MULTILINE)


@pytest.mark.parametrize(
    ("cadence", "rule"),
    [
        (Cadence.WEEKLY, "RRULE:FREQ=WEEKLY;UNTIL=20261110T225959Z;BYDAY=TU"),
        (Cadence.MONTHLY, "RRULE:FREQ=MONTHLY;UNTIL=20261103T225959Z;BYMONTHDAY=3"),
        (Cadence.FIRST_WEEKDAY, "RRULE:FREQ=MONTHLY;UNTIL=20261103T225959Z;BYDAY=1TU"),
    ],
)
def test_each_cadence_becomes_its_rule(tmp_path: Path, cadence: Cadence, rule: str) -> None:
    built = build_journal(tmp_path, cadence)
    with built.journal:
        data = built.journal.calendar.ics_export().data
    assert lint(data) == []
    assert event_rules(data) == [rule]


def test_sessions_mode_writes_one_event_per_session_with_the_same_uids(
    scenario: Scenario,
) -> None:
    journal = scenario.journal
    series_mode = by_uid(journal.calendar.ics_export().data)
    data = journal.calendar.ics_export(per_session=True).data
    assert lint(data) == []
    found = by_uid(data)
    assert event_rules(data) == []
    assert not any(line.startswith(("RECURRENCE-ID", "EXDATE")) for line in unfold(data))
    sessions = journal.all(Session)
    assert set(found) == {(uid(scenario, "session", s.id), "") for s in sessions}
    for key in ((uid(scenario, "session", scenario.kickoff), ""),):
        assert found[key].to_ical() == series_mode[key].to_ical()
    cancelled = found[(uid(scenario, "session", scenario.cancelled), "")]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    moved = found[(uid(scenario, "session", scenario.moved), "")]
    assert moved["DTSTART"].dt.isoformat() == "2026-06-11T19:15:00+02:00"


# ------------------------------------------------------------- re-import safety


def test_same_bytes_twice_after_reopening_and_on_the_partners_device(
    scenario: Scenario, tmp_path: Path
) -> None:
    first = scenario.journal.calendar.ics_export(prep_blocks=True, alarm_minutes=10).data
    assert scenario.journal.calendar.ics_export(prep_blocks=True, alarm_minutes=10).data == first
    scenario.journal.close()
    with Journal.open(scenario.folder, home=Home(scenario.home)) as again:
        assert again.calendar.ics_export(prep_blocks=True, alarm_minutes=10).data == first
    # Sam's computer: the synced folder, another device, another person.
    copy = tmp_path / "sams-sync" / "journal"
    shutil.copytree(scenario.folder, copy)
    with Journal.join(copy, me="Sam", home=Home(tmp_path / "home-sam")) as sam:
        assert sam.my_role is Role.MENTOR
        assert sam.calendar.ics_export(prep_blocks=True, alarm_minutes=10).data == first
    scenario.journal = Journal.open(scenario.folder, home=Home(scenario.home))


def _sequences(data: bytes) -> dict[tuple[str, str], int]:
    return {key: int(event["SEQUENCE"]) for key, event in by_uid(data).items()}


def test_moving_a_session_raises_sequence_and_keeps_every_uid(scenario: Scenario) -> None:
    journal = scenario.journal
    series = (series_uid(scenario), "")
    before = journal.calendar.ics_export().data
    seq = _sequences(before)
    session = journal.get(Session, scenario.regular[10])
    assert session is not None and session.start is not None
    journal.update(
        Session.KIND, session.id, {"start": (session.start + dt.timedelta(hours=1)).isoformat()}
    )
    after = journal.calendar.ics_export().data
    assert lint(after) == []
    seq_after = _sequences(after)
    assert seq_after[series] > seq[series]
    assert {k[0] for k in seq_after} == {k[0] for k in seq}
    override = by_uid(after)[(series[0], "2026-07-21T17:30:00+02:00")]
    assert override["DTSTART"].dt.isoformat() == "2026-07-21T18:30:00+02:00"
    assert int(override["SEQUENCE"]) == seq_after[series]
    assert by_uid(after)[series]["DTSTAMP"].dt >= by_uid(before)[series]["DTSTAMP"].dt

    # A single event counts its own moves, and does not disturb the series.
    one_off = (uid(scenario, "session", scenario.one_off), "")
    assert seq_after[one_off] == 0
    journal.update(Session.KIND, scenario.one_off, {"start": "2026-07-02T08:00:00"})
    journal.update(Session.KIND, scenario.one_off, {"minutes": 45})
    latest = journal.calendar.ics_export().data
    later = _sequences(latest)
    assert later[one_off] == 2
    assert later[series] == seq_after[series]
    # DTSTAMP is the record's last change, not the time of the export.
    heads = journal.store.state.record(Session.KIND, scenario.one_off)
    assert heads is not None
    newest = max(c["hlc"] for h in heads.heads.values() for c in h.values())
    stamp = by_uid(latest)[one_off]["DTSTAMP"].dt
    assert stamp == dt.datetime.fromtimestamp(int(newest[:15]) // 1000, tz=dt.UTC)


def test_cancelling_adds_an_exdate_and_raises_sequence(scenario: Scenario) -> None:
    journal = scenario.journal
    series = (series_uid(scenario), "")
    before = _sequences(journal.calendar.ics_export().data)
    journal.update(Session.KIND, scenario.regular[12], {"status": "cancelled"})
    data = journal.calendar.ics_export().data
    assert "EXDATE;TZID=Europe/Berlin:20260818T173000" in unfold(data)
    assert _sequences(data)[series] > before[series]


def test_ticking_a_checklist_item_changes_nothing_in_the_file(scenario: Scenario) -> None:
    journal = scenario.journal
    before = journal.calendar.ics_export(prep_blocks=True).data
    item = next(p for p in journal.all(PrepItem) if p.session == scenario.regular[2])
    journal.update(PrepItem.KIND, item.id, {"done": True})
    assert journal.calendar.ics_export(prep_blocks=True).data == before
    journal.update(PrepItem.KIND, item.id, {"text": "Bring the laptop"})
    changed = journal.calendar.ics_export(prep_blocks=True).data
    assert changed != before
    assert "Bring the laptop" in changed.decode("utf-8").replace("\r\n ", "")


# ------------------------------------------------------- prep blocks, alarms, place


def test_prep_blocks_come_before_each_session_for_the_side_that_teaches(
    scenario: Scenario,
) -> None:
    journal = scenario.journal
    export = journal.calendar.ics_export(prep_blocks=True)
    assert lint(export.data) == []
    found = by_uid(export.data)
    sessions = journal.all(Session)
    for session in sessions:
        block = found[(uid(scenario, "prep", session.id), "")]
        assert session.start is not None
        start = session.start.replace(tzinfo=block["DTSTART"].dt.tzinfo)
        assert block["DTEND"].dt == start
        assert block["DTEND"].dt - block["DTSTART"].dt == dt.timedelta(minutes=30)
        teacher = "Dana" if session.direction is Direction.MENTEE_TEACHES else "Sam"
        assert str(block["SUMMARY"]).startswith(
            ("Prep time for " + teacher, "Cancelled: Prep time for " + teacher)
        )
        role = Role.MENTEE if teacher == "Dana" else Role.MENTOR
        for item in journal.all(PrepItem):
            if item.session == session.id and item.role is role:
                assert item.text in str(block["DESCRIPTION"])
    assert export.prep_for == (Role.MENTOR, Role.MENTEE)
    assert len({key[0] for key in found if key[0].startswith("prep-")}) == len(sessions)


def test_alarm_on_every_event_that_takes_place(scenario: Scenario) -> None:
    data = scenario.journal.calendar.ics_export(prep_blocks=True, alarm_minutes=15).data
    assert lint(data) == []
    for event in events(data):
        alarms = event.walk("VALARM")
        if str(event["STATUS"]) == "CANCELLED":
            assert alarms == []
        else:
            assert len(alarms) == 1
            assert alarms[0]["TRIGGER"].dt == dt.timedelta(minutes=-15)
            assert str(alarms[0]["ACTION"]) == "DISPLAY"
    with pytest.raises(UserError, match="alarm"):
        scenario.journal.calendar.ics_export(alarm_minutes=-1)


def test_location_from_the_tandem(scenario: Scenario) -> None:
    place = "Café Zürich, 3. Stock; Raum \\12"
    scenario.journal.update("tandem", "tandem", {"location": place})
    found = events(scenario.journal.calendar.ics_export(prep_blocks=True).data)
    sessions = [e for e in found if not str(e["UID"]).startswith("prep-")]
    assert sessions and all(str(e["LOCATION"]) == place for e in sessions)


def test_nothing_to_export(tmp_path: Path) -> None:
    with (
        Journal.init(
            tmp_path / "j",
            me="A",
            role=Role.MENTOR,
            partner="B",
            start=FIRST.date(),
            home=Home(tmp_path / "h"),
        ) as journal,
        pytest.raises(UserError, match="no sessions"),
    ):
        journal.calendar.ics_export()


# ------------------------------------------------------------------- writing


def test_refuses_a_file_inside_the_journal_folder(scenario: Scenario, tmp_path: Path) -> None:
    journal = scenario.journal
    export = journal.calendar.ics_export()
    inside = scenario.folder / "calendar.ics"
    with pytest.raises(UserError, match="shared journal folder"):
        journal.calendar.write_ics(export, inside)
    alias = tmp_path / "alias"
    alias.symlink_to(scenario.folder, target_is_directory=True)
    with pytest.raises(UserError, match="shared journal folder"):
        journal.calendar.write_ics(export, alias / "devices")
    assert not inside.exists()
    assert not (scenario.folder / "devices" / "rmpair-sessions.ics").exists()
    assert not (journal.private_dir / EXPORTS_FILE).exists()
    written = journal.calendar.write_ics(export, inside, allow_in_journal=True)
    assert written == inside and inside.read_bytes() == export.data


def test_written_atomically_and_remembered_on_this_device_only(
    scenario: Scenario, tmp_path: Path
) -> None:
    journal = scenario.journal
    export = journal.calendar.ics_export()
    out = tmp_path / "out"
    out.mkdir()
    target = journal.calendar.write_ics(export, out)
    assert target == out / "rmpair-sessions.ics"
    assert target.read_bytes() == export.data
    assert sorted(p.name for p in out.iterdir()) == ["rmpair-sessions.ics"]  # no temp left

    record = json.loads((journal.private_dir / EXPORTS_FILE).read_text("utf-8"))
    assert set(record) == {"sessions", "at"}
    expected = {
        s.id: f"{s.start.isoformat()}|{s.minutes}"
        for s in journal.all(Session)
        if s.status.value != "cancelled" and s.start is not None
    }
    assert record["sessions"] == expected
    assert record["sessions"][scenario.moved] == "2026-06-11T19:15:00|60"
    assert scenario.cancelled not in record["sessions"]
    at = dt.datetime.fromisoformat(record["at"])
    assert at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - at) < dt.timedelta(minutes=5)
    session = journal.get(Session, scenario.one_off)
    assert session is not None and export_key(session) == "2026-07-01T08:00:00|30"
    assert not any(p.name == EXPORTS_FILE for p in scenario.folder.rglob("*"))
    assert not str(journal.private_dir.resolve()).startswith(str(scenario.folder.resolve()))

    with pytest.raises(UserError, match="does not exist"):
        journal.calendar.write_ics(export, tmp_path / "no-such-folder" / "x.ics")


# ---------------------------------------------------------------------- command


@pytest.fixture
def cli(scenario: Scenario, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    scenario.journal.close()
    monkeypatch.setenv("RMPAIR_HOME", str(scenario.home))
    monkeypatch.setenv("RMPAIR_JOURNAL", str(scenario.folder))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _reopen(scenario: Scenario) -> Journal:
    scenario.journal = Journal.open(scenario.folder, home=Home(scenario.home))
    return scenario.journal


def test_cli_writes_the_default_file_in_the_current_folder(
    cli: CliRunner, scenario: Scenario, tmp_path: Path
) -> None:
    result = cli.invoke(app, ["export", "ics"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "rmpair-sessions.ics"
    assert lint(written.read_bytes()) == []
    assert "rmpair-sessions.ics" in result.stdout
    journal = _reopen(scenario)
    assert written.read_bytes() == journal.calendar.ics_export().data
    assert (journal.private_dir / EXPORTS_FILE).is_file()


def test_cli_dash_writes_to_standard_output(cli: CliRunner, scenario: Scenario) -> None:
    result = cli.invoke(app, ["export", "ics", "-o", "-", "--alarm", "30"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert lint(result.stdout_bytes) == []
    assert b"TRIGGER:-PT30M" in result.stdout_bytes
    assert b"Wrote" not in result.stdout_bytes
    journal = _reopen(scenario)
    assert result.stdout_bytes == journal.calendar.ics_export(alarm_minutes=30).data
    assert (journal.private_dir / EXPORTS_FILE).is_file()


def test_cli_refuses_the_journal_folder_in_one_line(cli: CliRunner, scenario: Scenario) -> None:
    target = scenario.folder / "cal.ics"
    result = cli.invoke(app, ["export", "ics", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith("rmpair: ") and result.stderr.count("\n") == 1
    assert "--allow-in-journal" in result.stderr
    assert not target.exists()
    result = cli.invoke(app, ["export", "ics", "-o", str(target), "--allow-in-journal"])
    assert result.exit_code == 0, result.output
    assert target.is_file()


@pytest.mark.parametrize("value", ["-5", "20000"])
def test_cli_rejects_an_impossible_alarm(cli: CliRunner, value: str) -> None:
    result = cli.invoke(app, ["export", "ics", "--alarm", value, "-o", "-"])
    assert result.exit_code == 2
    assert result.stderr.startswith("rmpair: --alarm:")
    assert result.stdout == ""


def test_cli_sessions_and_prep_blocks_from_the_mentee(
    cli: CliRunner, scenario: Scenario, tmp_path: Path
) -> None:
    result = cli.invoke(app, ["export", "ics", "--sessions", "--prep-blocks", "-o", "cal.ics"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "cal.ics").read_bytes()
    assert event_rules(data) == [] and b"UID:prep-" in data
    # Dana teaches one session (the peer-to-peer one), so she gets no note.
    assert "Note:" not in result.stderr
    journal = _reopen(scenario)
    journal.update(Session.KIND, scenario.regular[9], {"direction": "mentor->mentee"})
    journal.close()
    result = cli.invoke(app, ["export", "ics", "--prep-blocks", "-o", "cal.ics"])
    assert result.exit_code == 0, result.output
    assert "prep blocks are for Sam" in result.stderr
    _reopen(scenario)


def test_export_is_a_group(cli: CliRunner) -> None:
    result = cli.invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    assert re.search(r"\bics\s+Write the sessions", result.stdout)


def test_icalendar_loads_only_when_a_calendar_is_exported(tmp_path: Path) -> None:
    """``rmpair status`` must not pay for the calendar writer; ``export ics`` uses it."""
    folder, home = tmp_path / "j", tmp_path / "home"
    with Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(home),
    ) as journal:
        journal.sessions.plan_session(dt.datetime(2026, 11, 10, 17, 30))
    script = """
import runpy, sys
sys.argv = ["rmpair", *sys.argv[1:]]
try:
    runpy.run_module("rmpair", run_name="__main__")
except SystemExit:
    pass
print(any(m.split(".")[0] == "icalendar" for m in sys.modules), file=sys.stderr)
"""
    env = {**os.environ, "RMPAIR_HOME": str(home), "RMPAIR_JOURNAL": str(folder)}
    loaded = {}
    for command in (["status"], ["export", "ics", "-o", str(tmp_path / "out.ics")]):
        result = subprocess.run(
            [sys.executable, "-c", script, *command],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        loaded[command[0]] = result.stderr.strip().splitlines()[-1]
    assert loaded == {"status": "False", "export": "True"}
    assert (tmp_path / "out.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
