"""The session commands as a user types them: topic, session, agenda, prep, note,
learned, action, feedback. JSON keys are the documented ones; every mistake is one
line on stderr with exit code 2."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.journal import Journal
from rmpair.model.records import Category, Role, Topic
from rmpair.store.home import Home

SESSION_KEYS = {
    "id",
    "title",
    "kind",
    "status",
    "start",
    "end",
    "tz",
    "minutes",
    "direction",
    "planned_start",
    "moved",
    "series",
    "theme",
    "topics",
    "agenda_minutes",
    "over_by",
    "readiness",
}
TOPIC_KEYS = {
    "id",
    "rank",
    "title",
    "category",
    "question",
    "proposed_by",
    "priority",
    "status",
    "created",
    "waited_days",
    "session",
}
ACTION_KEYS = {
    "id",
    "text",
    "owner",
    "due",
    "due_next_session",
    "due_session",
    "done",
    "overdue",
    "session",
    "created",
}


@dataclass
class Cli:
    runner: CliRunner
    folder: Path
    home: Path

    def run(self, *args: str) -> str:
        result = self.runner.invoke(app, list(args))
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json"))

    def fails(self, *args: str) -> str:
        """The one-line message of a user mistake."""
        result = self.runner.invoke(app, list(args))
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("rmpair: "), result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        return lines[0].removeprefix("rmpair: ")

    def journal(self) -> Journal:
        return Journal.open(self.folder, home=Home(self.home))


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    folder, home = tmp_path / "j", tmp_path / "alex"
    journal = Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date.today() - dt.timedelta(days=30),
        tz="Europe/Berlin",
        home=Home(home),
    )
    journal.close()
    monkeypatch.setenv("RMPAIR_HOME", str(home))
    monkeypatch.setenv("RMPAIR_JOURNAL", str(folder))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    yield Cli(CliRunner(), folder, home)


def day(offset: int, clock: str = "17:30") -> str:
    return f"{(dt.date.today() + dt.timedelta(days=offset)).isoformat()} {clock}"


def test_the_backlog_from_ideas_to_order(cli: Cli) -> None:
    ideas = cli.json("topic", "ideas", "--category", "culture")
    assert ideas and set(ideas[0]) == {"number", "title", "category", "question"}
    assert {i["category"] for i in ideas} == {"culture"}
    cli.run("topic", "add", "--idea", str(ideas[0]["number"]))
    out = cli.run("topic", "add", "Prompting", "--category", "technology", "--by", "mentor")
    assert "number 2 in the backlog" in out
    rows = cli.json("topic", "list")
    assert [set(r) for r in rows] == [TOPIC_KEYS, TOPIC_KEYS]
    first, second = rows
    assert (first["rank"], first["title"], first["status"]) == (1, ideas[0]["title"], "backlog")
    assert (second["proposed_by"], second["waited_days"], second["session"]) == ("mentor", 0, None)
    assert "now number 1 of 2" in cli.run("topic", "move", second["id"], "--top")
    assert [r["title"] for r in cli.json("topic", "list")] == ["Prompting", ideas[0]["title"]]
    cli.run("topic", "move", second["id"][:5], "--down")
    assert cli.json("topic", "list")[1]["title"] == "Prompting"
    cli.run("topic", "edit", second["id"], "--question", "How do you prompt?")
    cli.run("topic", "drop", second["id"])
    assert [r["title"] for r in cli.json("topic", "list", "--status", "dropped")] == ["Prompting"]
    assert cli.json("topic", "list", "--category", "technology") == []
    text = cli.run("topic", "list")
    assert ideas[0]["title"] in text and "culture" in text and "0 days" in text


def test_plan_show_agenda_prep_held_feedback(cli: Cli) -> None:
    assert cli.json("topic", "list") == []
    cli.run("topic", "add", "Async work", "--category", "work")
    cli.run("topic", "add", "Onboarding", "--category", "work")
    topics = [r["id"] for r in cli.json("topic", "list")]
    out = cli.run("session", "plan", "--at", day(-2), "--topic", topics[0], "--topic", topics[1])
    assert "Planned session" in out
    future = cli.run("session", "plan", "--at", day(12), "--length", "45")
    future_id = future.split()[2].rstrip(":")

    sessions = cli.json("session", "list")
    assert [set(s) for s in sessions] == [SESSION_KEYS, SESSION_KEYS]
    past = sessions[0]
    assert past["agenda_minutes"] == 60 and past["over_by"] == 0 and past["topics"] == topics
    assert sessions[1]["minutes"] == 45 and sessions[1]["agenda_minutes"] == 45
    assert [s["id"] for s in cli.json("session", "list", "--upcoming")] == [future_id]
    assert [s["id"] for s in cli.json("session", "list", "--past")] == [past["id"]]

    agenda = cli.json("agenda", past["id"])
    assert set(agenda) == {
        "session",
        "items",
        "total_minutes",
        "length",
        "over_by",
        "open_action_items",
        "action_items",
        "my_role",
        "prep",
    }
    assert [i["minutes"] for i in agenda["items"]] == [5, 15, 15, 10, 10, 5]
    assert (
        agenda["items"][1]["start"].endswith("17:35") and agenda["items"][1]["topic"] == topics[0]
    )
    assert agenda["prep"]["role"] == "mentee" and all(p["mine"] for p in agenda["prep"]["items"])
    text = cli.run("agenda", past["id"])
    assert "15 min" in text and "Your checklist as mentee" in text and "mentor 0/6 ready" in text

    mine = agenda["prep"]["items"][0]["number"]
    prep = cli.json("prep", past["id"], "--tick", str(mine), "--add", "Bring the laptop")
    assert prep["readiness"]["mentee"] == {"done": 1, "total": 8}
    assert set(prep["items"][0]) == {"number", "id", "role", "text", "done", "mine"}
    message = cli.fails("prep", past["id"], "--tick", "1")
    assert message.startswith("Item 1 is on the mentor's checklist; only Sam can tick it")

    cli.run(
        "action", "add", "Try it on the weekly report", "--session", past["id"], "--due", "next"
    )
    out = cli.run("session", "held", past["id"], "--covered", "2")
    assert "Covered: Async work." in out and "Carried over to session" in out
    assert "1 open action item stays open" in out
    nxt = cli.json("agenda", "next")
    assert nxt["session"]["id"] == future_id
    assert [i["title"] for i in nxt["items"] if i["topic"]] == ["Onboarding"]
    assert [a["text"] for a in nxt["open_action_items"]] == ["Try it on the weekly report"]
    assert set(nxt["open_action_items"][0]) == ACTION_KEYS

    assert cli.fails("feedback", past["id"], "--rating", "7") == "--rating must be 1 to 5"
    assert "feedback is for held sessions" in cli.fails("feedback", "next", "--rating", "4")
    cli.run("feedback", past["id"], "--rating", "5", "--comment", "Hands-on worked")
    cli.run("learned", "last", "Short async updates save a meeting")
    cli.run("note", "add", past["id"], "We *tried* the tool")
    cli.run("note", "add", past["id"], "Felt slow at first", "--private")
    shown = cli.json("session", "show", past["id"])
    assert SESSION_KEYS | {
        "agenda",
        "prep",
        "open_action_items",
        "action_items",
        "notes",
        "learnings",
        "feedback",
    } == set(shown)
    assert shown["status"] == "held"
    assert shown["feedback"] == [{"role": "mentee", "rating": 5, "comment": "Hands-on worked"}]
    assert [(lr["role"], lr["text"]) for lr in shown["learnings"]] == [
        ("mentee", "Short async updates save a meeting")
    ]
    assert sorted((n["private"], n["text"]) for n in shown["notes"]) == [
        (False, "We *tried* the tool"),
        (True, "Felt slow at first"),
    ]
    notes = cli.json("note", "list", past["id"])
    assert set(notes[0]) == {"id", "session", "author", "text", "created", "private"}
    text = cli.run("session", "show", past["id"])
    assert "Hands-on worked" in text and "Felt slow at first" in text


def test_moving_and_cancelling(cli: Cli) -> None:
    cli.run("topic", "add", "Async work", "--category", "work")
    (topic,) = [r["id"] for r in cli.json("topic", "list")]
    planned = cli.run("session", "plan", "--at", day(5), "--topic", topic)
    session = planned.split()[2].rstrip(":")
    assert "Moved session" in cli.run("session", "move", session, "--to", day(7, "09:00"))
    shown = cli.json("session", "show", session)
    assert shown["moved"] is True and shown["planned_start"] == day(5).replace(" ", "T")
    out = cli.run("session", "cancel", session)
    assert "went back to the top of the backlog: Async work" in out
    assert cli.json("topic", "list")[0]["status"] == "backlog"
    assert "is cancelled; it cannot be moved" in cli.fails(
        "session", "move", session, "--to", day(9)
    )


def test_marking_the_agenda_during_a_session(cli: Cli) -> None:
    cli.run("topic", "add", "Async work", "--category", "work")
    cli.run("topic", "add", "Onboarding", "--category", "work")
    first, second = (r["id"] for r in cli.json("topic", "list"))
    session = cli.run("session", "plan", "--at", day(-1)).split()[2].rstrip(":")
    agenda = cli.json("agenda", session, "--add-topic", first)
    # The topic took over the generic topic slot (item 2) and its 30 minutes.
    assert [(i["title"], i["minutes"]) for i in agenda["items"]][1] == ("Async work", 30)
    agenda = cli.json("agenda", session, "--add-topic", second, "--cover", "1,2")
    assert [i["covered"] for i in agenda["items"]][:3] == [True, True, False]
    assert agenda["over_by"] == 30  # the second topic came on top
    agenda = cli.json("agenda", session, "--uncover", "1")
    assert agenda["items"][0]["covered"] is False
    assert "is already on the agenda" in cli.fails("agenda", session, "--add-topic", first)
    out = cli.run("session", "held", session, "--covered", "all")
    assert "Covered: Async work, Onboarding." in out
    assert {r["status"] for r in cli.json("topic", "list", "--status", "all")} == {"covered"}


def test_action_items(cli: Cli) -> None:
    cli.run("action", "add", "Send two links", "--owner", "mentor", "--due", "2020-01-02")
    cli.run("action", "add", "Read the article")
    items = cli.json("action", "list")
    assert [set(i) for i in items] == [ACTION_KEYS, ACTION_KEYS]
    assert (items[0]["owner"], items[0]["overdue"]) == ("mentor", True)
    assert items[1]["owner"] == "mentee" and items[1]["due"] is None
    assert "Done: Send two links" in cli.run("action", "done", items[0]["id"])
    assert [i["text"] for i in cli.json("action", "list", "--open")] == ["Read the article"]
    text = cli.run("action", "list")
    assert "[x]" in text and "Read the article" in text


def test_every_user_mistake_is_one_line_and_exit_two(cli: Cli) -> None:
    journal = cli.journal()
    for rec in ("abc1", "abc2"):
        journal.add(
            Topic.KIND, Topic(id=rec, title=rec, category=Category.WORK).to_fields(), rec_id=rec
        )
    journal.close()
    assert "No topic with id 'zzz'" in cli.fails("topic", "done", "zzz")
    assert "'abc' fits 2 topic records (abc1, abc2)" in cli.fails("topic", "done", "abc")
    assert "No session with id 'nope'" in cli.fails("session", "show", "nope")
    assert cli.fails("session", "plan", "--at", "2026-02-30 10:00") == (
        "--at: '2026-02-30 10:00' is not a date and time (use YYYY-MM-DD HH:MM)."
    )
    assert "does not exist in Europe/Berlin" in cli.fails(
        "session", "plan", "--at", "2027-03-28 02:30"
    )
    assert "--kind must be" in cli.fails("session", "plan", "--at", day(3), "--kind", "party")
    assert "--due: 'someday' is not a date" in cli.fails("action", "add", "x", "--due", "someday")
    assert "--owner must be 'mentor' or 'mentee'" in cli.fails(
        "action", "add", "x", "--owner", "boss"
    )
    assert "--category must be" in cli.fails("topic", "add", "x", "--category", "fun")
    assert "No planned session ahead" in cli.fails("agenda")
    assert "No planned session ahead" in cli.fails("feedback", "next", "--rating", "4")
    assert "--tick: 'two' is not an item number" in cli.fails("prep", "last", "--tick", "two")
    assert "Give exactly one of" in cli.fails("topic", "move", "abc1", "--up", "--top")
    assert "Use --upcoming or --past" in cli.fails("session", "list", "--upcoming", "--past")


def test_status_shows_the_nudges(cli: Cli) -> None:
    for n in range(4):
        cli.run("topic", "add", f"Tool {n}", "--category", "technology")
    cli.run("session", "plan", "--at", day(3), "--length", "20")
    data = cli.json("status")
    # The method's preconditions stay on the list until both have confirmed them.
    preconditions = ["voluntary", "no-reporting-line", "no-competition", "protected-space"]
    assert [n["key"] for n in data["nudges"]] == [
        *(f"prerequisite-{key}" for key in preconditions),
        "no-time",
        "not-in-calendar",
        "technology-only",
    ]
    assert set(data["nudges"][0]) == {"key", "message", "why"}
    text = cli.run("status")
    assert "Worth a look (7):" in text
    assert "Not confirmed yet: both of you take part voluntarily." in text
    assert "1 planned session is shorter than 30 minutes." in text
    # This person's "yes" settles the pair's fact; the rest wait for the partner too.
    cli.run("check", *(arg for key in preconditions for arg in ("-a", f"{key}=yes")))
    keys = [n["key"] for n in cli.json("status")["nudges"]]
    assert "prerequisite-no-reporting-line" not in keys
    assert "prerequisite-voluntary" in keys


def test_a_short_session_gets_a_fitting_agenda_and_a_nudge(cli: Cli) -> None:
    planned = cli.run("session", "plan", "--at", day(3), "--length", "25")
    assert "over by" not in planned
    text = cli.run("agenda", "next")
    assert "Agenda (25 of 25 min)" in text
    assert "Only 25 minutes: the agenda was shrunk to fit." in text
    cli.run("session", "plan", "--at", day(10), "--length", "45")
    assert "Only" not in cli.run("agenda", cli.json("session", "list")[-1]["id"])
