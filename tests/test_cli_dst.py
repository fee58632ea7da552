"""A session in the hour the clocks repeat: the CLI and its JSON say which pass.

``session plan --at "2027-10-31 02:30"`` in Berlin means the first 02:30 (summer
time); an hour later it is 02:30 again. The text marks both with their UTC offset
instead of printing "02:30–02:30", and the JSON carries the offset exactly where the
wall time alone is ambiguous, so a program reading it gets the session's real length.
Times that are not ambiguous keep the plain form every consumer already reads.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.home import Home

# zone, wall time in the repeated hour, the offsets of its two passes, where it ends
CASES = [
    ("Europe/Berlin", "2027-10-31 02:30", "+02:00", "+01:00", "02:30"),
    ("America/New_York", "2027-11-07 01:30", "-04:00", "-05:00", "01:30"),
    ("Europe/London", "2027-10-31 01:30", "+01:00", "+00:00", "01:30"),
    ("Pacific/Chatham", "2027-04-04 03:00", "+13:45", "+12:45", "03:00"),
    # Lord Howe goes back by half an hour: 01:45 (+11:00) + 60 min is 02:15 (+10:30),
    # which the clock shows once.
    ("Australia/Lord_Howe", "2027-04-04 01:45", "+11:00", None, "02:15"),
]


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tz: str) -> CliRunner:
    folder, home = tmp_path / "j", tmp_path / "home"
    Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2027, 1, 4),
        tz=tz,
        home=Home(home),
    ).close()
    for name, value in {
        "RMPAIR_HOME": str(home),
        "RMPAIR_JOURNAL": str(folder),
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "RMPAIR_LANG": "en",
    }.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("tz", "at", "first", "second", "ends"), CASES)
def test_a_session_in_the_repeated_hour_shows_and_exports_its_real_end(
    tz: str,
    at: str,
    first: str,
    second: str | None,
    ends: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner = _cli(tmp_path, monkeypatch, tz)
    day, clock = at.split()
    planned = _run(runner, "session", "plan", "--at", at)
    end_text = f"{ends} (UTC{second})" if second else ends
    assert f"{clock} (UTC{first})–{end_text} (60 min)" in planned
    listed = _run(runner, "session", "list")
    assert f"{day} {clock} (UTC{first})–{end_text}" in listed

    (session,) = json.loads(_run(runner, "session", "list", "--json"))
    assert session["start"] == f"{day}T{clock}{first}"
    assert session["end"] == f"{day}T{ends}{second or ''}"
    start = dt.datetime.fromisoformat(session["start"])
    end = dt.datetime.fromisoformat(session["end"])
    if end.tzinfo is None:  # not ambiguous: the plain wall time, in the session's zone
        end = end.replace(tzinfo=ZoneInfo(tz))
    assert end - start == dt.timedelta(minutes=60)

    shown = json.loads(_run(runner, "session", "show", session["id"], "--json"))
    assert (shown["start"], shown["end"]) == (session["start"], session["end"])
    # The agenda's timeboxes are elapsed minutes too: they end where the session does.
    agenda = shown["agenda"]
    assert agenda[0]["start"] == session["start"] and agenda[-1]["end"] == session["end"]
    assert "(UTC" in _run(runner, "agenda", session["id"])


def test_a_time_that_is_not_ambiguous_keeps_the_plain_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = _cli(tmp_path, monkeypatch, "Europe/Berlin")
    # The night the clocks go back, but after the repeated hour.
    _run(runner, "session", "plan", "--at", "2027-10-31 10:00")
    (session,) = json.loads(_run(runner, "session", "list", "--json"))
    assert (session["start"], session["end"]) == ("2027-10-31T10:00", "2027-10-31T11:00")
    assert "10:00–11:00" in _run(runner, "session", "list")
