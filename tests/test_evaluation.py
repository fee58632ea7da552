"""Check-ins, the closing evaluation and the mentee's self-assessment: stored per person,
merged like everything else, and shown to both sides; the commands as a user types them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.domain.evaluation import answer_rows, parse_gains, parse_tristate
from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model.lifecycle import Evaluation, Phase, SelfAssessment, Stage
from rmpair.model.records import Category, Role
from rmpair.store.home import Home

# Six months of first Mondays: to 6 Jul 2026, so the half-way point is 2026-04-06.
START = dt.date(2026, 1, 5)
END = dt.date(2026, 7, 5)
TZ = "Europe/Berlin"


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


@dataclass
class Pair:
    a: Journal  # Alex, the mentee
    b: Journal  # Sam, the mentor, on a second device sharing the folder

    def sync(self) -> None:
        self.a.refresh()
        self.b.refresh()


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    a = Journal.init(
        tmp_path / "j",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=START,
        months=6,
        tz=TZ,
        home=Home(tmp_path / "alex"),
    )
    b = Journal.join(tmp_path / "j", me="Sam", home=Home(tmp_path / "sam"))
    yield Pair(a, b)
    a.close()
    b.close()


# -- the mixin -------------------------------------------------------------------------


def test_each_person_answers_for_themselves_and_both_see_both(pair: Pair) -> None:
    assert pair.a.evaluation.record_evaluation(
        Stage.CHECKIN, satisfaction=3, learned="Prompting basics"
    )
    assert pair.b.evaluation.record_evaluation(
        Stage.CHECKIN, satisfaction=5, worked="Real tasks", gains=["network", "visibility"]
    )
    pair.sync()
    for journal in (pair.a, pair.b):
        answers = journal.evaluation.evaluations(Stage.CHECKIN)
        mentor, mentee = answers[Role.MENTOR], answers[Role.MENTEE]
        assert mentor is not None and mentee is not None
        assert (mentor.id, mentor.satisfaction, mentor.worked) == (
            "checkin:mentor",
            5,
            "Real tasks",
        )
        assert mentor.gains == ("visibility", "network")  # in the list's order
        assert (mentee.id, mentee.satisfaction, mentee.learned) == (
            "checkin:mentee",
            3,
            "Prompting basics",
        )
        assert journal.evaluation.evaluations(Stage.CLOSING) == {
            Role.MENTOR: None,
            Role.MENTEE: None,
        }


def test_later_answers_edit_the_same_record_and_keep_the_rest(pair: Pair) -> None:
    pair.a.evaluation.record_evaluation(Stage.CLOSING, satisfaction=4, change="More hands-on")
    assert pair.a.evaluation.record_evaluation(
        Stage.CLOSING, relationship="Y", wants_to_continue="maybe"
    )
    assert not pair.a.evaluation.record_evaluation(Stage.CLOSING, satisfaction=4)  # nothing new
    pair.a.evaluation.record_evaluation(Stage.CLOSING, change="")  # "" clears one answer
    mine = pair.a.evaluation.of(Stage.CLOSING, Role.MENTEE)
    assert mine is not None
    assert (mine.satisfaction, mine.change, mine.relationship, mine.wants_to_continue) == (
        4,
        "",
        "yes",
        "unsure",
    )
    assert [r.id for r in pair.a.all(Evaluation)] == ["closing:mentee"]


def test_two_devices_of_one_person_answering_apart_merge_without_conflict(
    tmp_path: Path, pair: Pair
) -> None:
    """A second laptop of the mentee, offline: different answers merge field by field."""
    copy = tmp_path / "copy"
    shutil.copytree(pair.a.folder, copy)
    laptop = Journal.join(copy, me="Alex", home=Home(tmp_path / "alex-laptop"))
    pair.a.evaluation.record_evaluation(Stage.CLOSING, satisfaction=4)
    laptop.evaluation.record_evaluation(Stage.CLOSING, learned="Async habits")
    for path in (copy / "devices").rglob("*.json"):
        target = pair.a.folder / path.relative_to(copy)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    laptop.close()
    pair.sync()
    merged = pair.b.evaluation.of(Stage.CLOSING, Role.MENTEE)
    assert merged is not None and (merged.satisfaction, merged.learned) == (4, "Async habits")
    assert pair.b.conflicts() == []


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"satisfaction": 0}, "--satisfaction must be 1 to 5, not 0"),
        ({"satisfaction": 6}, "--satisfaction must be 1 to 5, not 6"),
        ({"relationship": "perhaps"}, "--relationship must be yes, no or unsure"),
        ({"wants_to_continue": "never"}, "--continue must be yes, no or unsure"),
    ],
)
def test_wrong_answers_are_refused_and_nothing_is_stored(
    pair: Pair, answers: dict[str, Any], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        pair.a.evaluation.record_evaluation(Stage.CHECKIN, learned="kept?", **answers)
    assert pair.a.all(Evaluation) == []


def test_only_the_mentor_records_what_the_junior_gained(pair: Pair) -> None:
    with pytest.raises(UserError, match="--gain and --gain-other are for the mentor"):
        pair.a.evaluation.record_evaluation(Stage.CLOSING, gains=["visibility"])
    with pytest.raises(UserError, match="'fame' is not one of: visibility, leadership"):
        pair.b.evaluation.record_evaluation(Stage.CLOSING, gains=["fame"])
    pair.b.evaluation.record_evaluation(
        Stage.CLOSING, gains=["sponsor,voice"], gains_other="Met the board"
    )
    mine = pair.b.evaluation.of(Stage.CLOSING, Role.MENTOR)
    assert mine is not None
    assert answer_rows(mine) == [
        ("What the tandem gave me", "a voice at a higher level; a sponsor; Met the board")
    ]


def test_the_checkin_is_due_half_way_until_answered_or_the_end(pair: Pair) -> None:
    assert pair.a.evaluation.programme_midpoint() == dt.date(2026, 4, 6)
    assert not pair.a.evaluation.checkin_due(noon(dt.date(2026, 4, 5)))
    assert pair.a.evaluation.checkin_due(noon(dt.date(2026, 4, 6)))
    assert pair.b.evaluation.checkin_due(noon(dt.date(2026, 5, 1)))
    assert not pair.a.evaluation.checkin_due(noon(dt.date(2026, 7, 7)))  # the programme is over
    pair.a.evaluation.record_evaluation(Stage.CHECKIN, satisfaction=4)
    pair.sync()
    assert not pair.a.evaluation.checkin_due(noon(dt.date(2026, 5, 1)))
    assert pair.b.evaluation.checkin_due(noon(dt.date(2026, 5, 1)))  # the mentor has not answered
    assert not pair.b.evaluation.checkin_due(noon(dt.date(2026, 5, 1)), role=Role.MENTEE)


def test_the_closing_evaluation_is_due_from_the_retrospective_on(pair: Pair) -> None:
    from rmpair.model.records import SessionKind

    pair.a.sessions.plan_session(dt.datetime(2026, 6, 29, 17, 0), kind=SessionKind.RETROSPECTIVE)
    assert not pair.a.evaluation.closing_due(noon(dt.date(2026, 6, 28)))
    assert pair.a.evaluation.closing_due(noon(dt.date(2026, 6, 30)))
    pair.a.evaluation.record_evaluation(Stage.CLOSING, satisfaction=5)
    assert not pair.a.evaluation.closing_due(noon(dt.date(2026, 7, 10)))
    pair.b.refresh()
    assert pair.b.evaluation.closing_due(noon(dt.date(2026, 7, 10)))


def test_the_mentee_assesses_topics_before_and_after(pair: Pair) -> None:
    prompting = pair.a.backlog.add_topic("Prompting", category=Category.TECHNOLOGY)
    remote = pair.a.backlog.add_topic("Remote work", category=Category.WORK)
    assert pair.a.evaluation.assess(Phase.BEFORE, prompting[:6], 2)
    assert pair.a.evaluation.assess(Phase.BEFORE, remote, 3)
    assert pair.a.evaluation.assess(Phase.AFTER, prompting, 4)
    assert not pair.a.evaluation.assess(Phase.AFTER, prompting, 4)
    pair.a.evaluation.assess(Phase.AFTER, prompting, 5)  # giving it again replaces it
    ids = sorted(r.id for r in pair.a.all(SelfAssessment))
    assert ids == sorted(
        [
            f"selfassessment:before:{prompting}",
            f"selfassessment:before:{remote}",
            f"selfassessment:after:{prompting}",
        ]
    )
    rows = {r.title: (r.before, r.after, r.change) for r in pair.a.evaluation.assessment_rows()}
    assert rows == {"Prompting": (2, 5, 3), "Remote work": (3, None, None)}
    pair.b.refresh()
    with pytest.raises(UserError, match="self-assessment is the mentee's"):
        pair.b.evaluation.assess(Phase.BEFORE, prompting, 3)
    with pytest.raises(UserError, match="--confidence must be 1 to 5"):
        pair.a.evaluation.assess(Phase.BEFORE, prompting, 9)
    with pytest.raises(UserError, match="No topic with id 'nope'"):
        pair.a.evaluation.assess(Phase.BEFORE, "nope", 3)


def test_the_programme_themes_come_first_for_the_self_assessment(pair: Pair) -> None:
    pair.a.plan.plan_programme(template="engineering-6m", now=noon(START - dt.timedelta(days=3)))
    titles = [t.title for t in pair.a.evaluation.assessment_topics()]
    assert titles[:3] == [
        "Developer experience",
        "New tools and technologies",
        "Team culture from the junior's view",
    ]
    rows = pair.a.evaluation.assessment_rows(include_unrated=True)
    assert len(rows) == len(titles) and all(r.before is None for r in rows)


@given(text=st.sampled_from(["yes", "YES", " y ", "no", "N", "unsure", "?", "Maybe"]))
def test_tristate_words(text: str) -> None:
    assert parse_tristate(text, "--x") in ("yes", "no", "unsure")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(
    keys=st.lists(
        st.sampled_from(["visibility", "leadership", "network", "confidence", "voice", "sponsor"])
    )
)
def test_gains_keep_the_lists_order_without_repeats(keys: list[str]) -> None:
    parsed = parse_gains([",".join(keys)]) if keys else parse_gains([])
    assert len(parsed) == len(set(keys))
    order = ["visibility", "leadership", "network", "confidence", "voice", "sponsor"]
    assert list(parsed) == [k for k in order if k in keys]


def test_records_survive_unknown_values_from_a_newer_version() -> None:
    odd = Evaluation.from_fields(
        "closing:mentor",
        {"satisfaction": 9, "relationship": "sort of", "gains": ["network"], "future": 1},
    )
    assert (odd.stage, odd.role, odd.satisfaction, odd.relationship) == (
        Stage.CLOSING,
        Role.MENTOR,
        0,
        "",
    )
    assert odd.gains == ("network",) and odd.answered


# -- the commands ----------------------------------------------------------------------


@dataclass
class Cli:
    runner: CliRunner
    folder: Path
    homes: dict[str, Path]
    monkeypatch: pytest.MonkeyPatch

    def as_(self, who: str) -> Cli:
        self.monkeypatch.setenv("RMPAIR_HOME", str(self.homes[who]))
        return self

    def run(self, *args: str, input: str | None = None) -> str:
        result = self.runner.invoke(app, list(args), input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result.stdout

    def json(self, *args: str, input: str | None = None) -> Any:
        out = self.run(*args, "--json", input=input)
        # CliRunner echoes typed answers to stdout (a terminal would): skip to the JSON.
        return json.loads(out[out.index("{") :] if input is not None else out)

    def fails(self, *args: str, input: str | None = None) -> str:
        result = self.runner.invoke(app, list(args), input=input)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("rmpair: "), result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        return lines[-1].removeprefix("rmpair: ")

    def journal(self, who: str = "alex") -> Journal:
        return Journal.open(self.folder, home=Home(self.homes[who]))


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    folder = tmp_path / "j"
    homes = {"alex": tmp_path / "alex", "sam": tmp_path / "sam"}
    Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date.today() - dt.timedelta(days=100),
        months=6,
        tz=TZ,
        home=Home(homes["alex"]),
    ).close()
    Journal.join(folder, me="Sam", home=Home(homes["sam"])).close()
    monkeypatch.setenv("RMPAIR_JOURNAL", str(folder))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    yield Cli(CliRunner(), folder, homes, monkeypatch).as_("alex")


ANSWER_KEYS = {
    "stage",
    "role",
    "name",
    "satisfaction",
    "learned",
    "skills",
    "worked",
    "change",
    "relationship",
    "wants_to_continue",
    "gains",
    "gains_other",
}


def test_checkin_with_flags_then_both_sides_shown(cli: Cli) -> None:
    data = cli.json("checkin", "--satisfaction", "3", "--learned", "How Slack threads work")
    assert set(data) == {"stage", "my_role", "changed", "due", "midpoint", "end", "answers"}
    assert (data["stage"], data["my_role"], data["changed"], data["due"]) == (
        "checkin",
        "mentee",
        True,
        False,
    )
    assert data["answers"]["mentor"] is None
    mine = data["answers"]["mentee"]
    assert set(mine) == ANSWER_KEYS
    assert (mine["name"], mine["satisfaction"], mine["learned"]) == (
        "Alex",
        3,
        "How Slack threads work",
    )
    shown = cli.as_("sam").json("checkin")
    assert shown["due"] is True  # 100 days into 6 months, and Sam has not answered
    assert shown["answers"]["mentee"]["learned"] == "How Slack threads work"
    cli.run("checkin", "--satisfaction", "5", "--gain", "visibility", "--gain", "network")
    text = cli.run("checkin")
    assert "Sam (mentor)  (yours)" in text and "Alex (mentee)" in text
    assert "visibility; network" in text and "How Slack threads work" in text
    assert "half-way point" in text


def test_evaluate_asks_the_questions_one_by_one(cli: Cli) -> None:
    answers = "\n".join(["4", "Async habits", "", "Real problems", "More hands-on", "y", "yes"])
    data = cli.json("evaluate", "--ask", input=answers + "\n")
    mine = data["answers"]["mentee"]
    assert (mine["satisfaction"], mine["learned"], mine["skills"], mine["worked"]) == (
        4,
        "Async habits",
        "",
        "Real problems",
    )
    assert (mine["change"], mine["relationship"], mine["wants_to_continue"]) == (
        "More hands-on",
        "yes",
        "yes",
    )
    # Asked again, blank answers keep what is there; a wrong one is asked again.
    again = "\n".join(["7", "5", "", "", "", "", "", "no"])
    data = cli.json("evaluate", "--ask", input=again + "\n")
    mine = data["answers"]["mentee"]
    assert (mine["satisfaction"], mine["learned"], mine["wants_to_continue"]) == (
        5,
        "Async habits",
        "no",
    )
    # The mentor is also asked what the tandem gave them.
    mentor = "\n".join(["5", "", "", "", "", "unsure", "yes", "leadership, sponsor", "A mentor"])
    data = cli.as_("sam").json("evaluate", "--ask", input=mentor + "\n")
    theirs = data["answers"]["mentor"]
    assert theirs["gains"] == ["leadership", "sponsor"] and theirs["gains_other"] == "A mentor"
    assert "'rmpair report'" in cli.run("evaluate")


def test_evaluation_mistakes_are_one_line(cli: Cli) -> None:
    assert cli.fails("evaluate", "--satisfaction", "9") == "--satisfaction must be 1 to 5, not 9."
    assert "--relationship must be yes, no or unsure" in cli.fails(
        "evaluate", "--relationship", "kind of"
    )
    assert "are for the mentor" in cli.fails("checkin", "--gain", "network")
    assert "ran out" in cli.fails("checkin", "--ask", input="")
    assert cli.json("checkin")["answers"] == {"mentor": None, "mentee": None}


def test_assess_before_and_after_on_the_command_line(cli: Cli) -> None:
    with cli.journal() as journal:
        topic = journal.backlog.add_topic("Prompting", category=Category.TECHNOLOGY)
        journal.backlog.add_topic("Remote work", category=Category.WORK)
    data = cli.json("assess", "--phase", "before", "--topic", topic[:5], "--confidence", "2")
    assert set(data) == {"changed", "my_role", "topics"}
    rows = {r["title"]: r for r in data["topics"]}
    assert set(rows["Prompting"]) == {"topic", "title", "category", "before", "after", "change"}
    assert (rows["Prompting"]["before"], rows["Remote work"]["before"]) == (2, None)
    data = cli.json("assess", "--phase", "after", "--ask", input="4\n3\n")
    rows = {r["title"]: r for r in data["topics"]}
    assert (rows["Prompting"]["after"], rows["Prompting"]["change"]) == (4, 2)
    assert rows["Remote work"]["after"] == 3
    text = cli.run("assess")
    assert "Prompting" in text and "+2" in text
    assert "--phase must be 'before' or 'after'" in cli.fails(
        "assess", "--phase", "during", "--topic", topic, "--confidence", "3"
    )
    assert "--confidence needs --phase" in cli.fails("assess", "--confidence", "3")
    assert "self-assessment is the mentee's" in cli.as_("sam").fails(
        "assess", "--phase", "before", "--topic", topic, "--confidence", "3"
    )
