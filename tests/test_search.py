"""``rmpair search``: one case-insensitive search over what the pair wrote down."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model.records import Category, Role
from rmpair.store.home import Home

DEC1 = dt.datetime(2026, 11, 10, 17, 30)  # held before FROZEN (16 Nov)
DEC15 = dt.datetime(2026, 12, 15, 17, 30)


def fill(journal: Journal) -> tuple[str, str, str]:
    """A topic, two sessions and one of everything that mentions "Prompting"."""
    topic = journal.backlog.add_topic("Prompting for code review", category=Category.TECHNOLOGY)
    first = journal.sessions.plan_session(DEC1, title="Kick-off")
    later = journal.sessions.plan_session(DEC15, title="Deep dive")
    journal.notes.add_note(first, "We tried PROMPTING the model together.")
    journal.notes.add_note(first, "My prompting felt clumsy.", private=True)
    journal.notes.add_learning(first, "Short prompting beats long prompting.")
    journal.notes.add_action("Read the prompting guide", session_id=first, owner=Role.MENTEE)
    journal.notes.add_note(later, "Nothing about that here.")
    return topic, first, later


def test_the_service_finds_every_kind_case_insensitively(journal: Journal) -> None:
    topic, first, _later = fill(journal)
    hits = journal.search.find("prompting")
    assert {h.kind for h in hits} == {"topic", "note", "private", "learning", "action"}
    note = next(h for h in hits if h.kind == "note")
    assert note.session == first and note.session_title == "Kick-off"
    assert note.day == dt.date(2026, 11, 10)
    assert next(h for h in hits if h.kind == "topic").id == topic
    assert [h.kind for h in journal.search.find("PROMPTING", kinds=["private"])] == ["private"]
    assert journal.search.find("prompting", since=dt.date(2026, 11, 11), kinds=["note"]) == []
    with pytest.raises(UserError, match="Unknown kind"):
        journal.search.find("x", kinds=["nope"])


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    folder, home = tmp_path / "j", tmp_path / "alex"
    journal = Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(home),
    )
    fill(journal)
    journal.close()
    monkeypatch.setenv("RMPAIR_HOME", str(home))
    monkeypatch.setenv("RMPAIR_JOURNAL", str(folder))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("RMPAIR_LANG", "en")
    return CliRunner()


def test_search_on_the_command_line_says_kind_where_and_snippet(cli: CliRunner) -> None:
    result = cli.invoke(app, ["search", "Prompting"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "shared note" in out and "private note" in out and "learning" in out
    assert "Kick-off, Tue 10 Nov 2026" in out
    assert "We tried PROMPTING the model together." in out
    # Piped (as here): one tab-separated line per hit under the headers, whole ids, no
    # summary line for a script to skip (a terminal gets "5 hits for 'Prompting'.").
    lines = out.splitlines()
    assert lines[0].split("\t") == ["kind", "where", "text", "id"] and len(lines) == 6
    assert "hits for" not in out


def test_search_json_and_filters(cli: CliRunner) -> None:
    def found(*args: str) -> list[dict[str, object]]:
        result = cli.invoke(app, ["search", *args, "--json"])
        assert result.exit_code == 0, result.stderr
        data: list[dict[str, object]] = json.loads(result.stdout)
        return data

    every = found("prompting")
    assert len(every) == 5 and set(every[0]) >= {"kind", "snippet", "session_title", "date"}
    assert [h["kind"] for h in found("prompting", "--kind", "learning")] == ["learning"]
    assert {h["kind"] for h in found("prompting", "--kind", "note", "--kind", "action")} == {
        "note",
        "action",
    }
    assert found("prompting", "--until", "2026-11-09") == []
    assert {h["kind"] for h in found("prompting", "--until", "2026-11-10")} == {
        "note",
        "private",
        "learning",
        "action",
    }
    # The topic counts from the day it was added: today, 16 Nov.
    assert [h["kind"] for h in found("prompting", "--since", "2026-11-16")] == ["topic"]
    later = found("nothing", "--session", "last")
    assert later == []
    assert [h["session_title"] for h in found("NOTHING", "--kind", "note")] == ["Deep dive"]
    miss = cli.invoke(app, ["search", "x", "--since", "2026-13-01"])
    assert miss.exit_code == 2 and "--since" in miss.stderr
    none = cli.invoke(app, ["search", "zebra"])
    assert none.exit_code == 0 and "Nothing found for 'zebra'." in none.stdout
