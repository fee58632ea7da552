"""Every time a person reads is in the tandem's zone, and ages count its calendar days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.journal import Journal
from rmpair.model.records import Category, Role
from rmpair.store.home import Home


def test_status_notes_and_topics_speak_the_tandems_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, home = tmp_path / "j", tmp_path / "alex"
    journal = Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Asia/Tokyo",  # 09:00 UTC (the frozen clock) is 18:00 there
        home=Home(home),
    )
    session = journal.sessions.plan_session(dt.datetime(2026, 11, 10, 17, 30))
    journal.notes.add_note(session, "Shared thought")
    journal.backlog.add_topic("Prompting", category=Category.TECHNOLOGY)
    journal.close()
    for name, value in {
        "RMPAIR_HOME": str(home),
        "RMPAIR_JOURNAL": str(folder),
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "RMPAIR_LANG": "en",
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0, status.stderr
    assert "last change Mon 16 Nov 2026, 18:00" in status.stdout
    notes = runner.invoke(app, ["note", "list", session])
    assert "2026-11-16 18:00" in notes.stdout and "09:00" not in notes.stdout
    topics = runner.invoke(app, ["topic", "list"])
    assert "0 days" in topics.stdout
