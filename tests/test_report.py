"""The programme report: every figure computed from a programme with known answers,
the four renderings, the charts, private notes kept out, and ``rmpair report``."""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model.lifecycle import Phase, Stage
from rmpair.model.records import Category, Role, SessionKind
from rmpair.report.build import build_report, rating_trend
from rmpair.report.charts import (
    PLOT_STEP,
    BarChart,
    RatingPoint,
    category_chart,
    ratings_chart,
    svg_bar_chart,
    svg_line_chart,
    text_bars,
    text_plot,
)
from rmpair.report.html import render_html
from rmpair.report.markdown import render_markdown
from rmpair.report.model import Report, render_json, to_json
from rmpair.report.terminal import render_rich
from rmpair.store.home import Home

TZ = "Europe/Berlin"
START = dt.date(2025, 1, 6)  # six months, so the programme ended on 2025-07-06
REPORT_DAY = dt.datetime(2025, 7, 10, 10, 0, tzinfo=dt.UTC)
PRIVATE = "PRIVATE-only-on-this-laptop-7f3a"
SHARED = "SHARED-note-both-see-91c2"

# (key, local start, kind, topics, minutes, what happens, (mentor, mentee) ratings)
SCHEDULE: list[tuple[str, dt.datetime, SessionKind, list[str], int, str, tuple[int, int]]] = [
    ("s1", dt.datetime(2025, 1, 13, 17), SessionKind.KICKOFF, ["t1"], 60, "held", (3, 2)),
    ("s2", dt.datetime(2025, 2, 10, 17), SessionKind.REGULAR, ["t2"], 30, "moved", (3, 3)),
    ("s3", dt.datetime(2025, 3, 10, 17), SessionKind.REGULAR, ["t3"], 60, "cancelled", (0, 0)),
    ("s4", dt.datetime(2025, 4, 7, 17), SessionKind.REGULAR, ["t4"], 90, "held", (4, 4)),
    ("s5", dt.datetime(2025, 5, 5, 17), SessionKind.REGULAR, ["t5"], 60, "held", (5, 4)),
    ("s6", dt.datetime(2025, 6, 30, 17), SessionKind.RETROSPECTIVE, [], 60, "held", (5, 5)),
    ("s7", dt.datetime(2025, 7, 1, 17), SessionKind.REGULAR, [], 60, "planned", (0, 0)),
]
MOVED_TO = dt.datetime(2025, 2, 12, 17)
TOPICS = {
    "t1": ("Prompting", Category.TECHNOLOGY),
    "t2": ("Async work", Category.WORK),
    "t3": ("Feedback culture", Category.CULTURE),
    "t4": ("AI code review", Category.TECHNOLOGY),
    "t5": ("Onboarding proposal", Category.PROJECT),
}


def utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=ZoneInfo(TZ)).astimezone(dt.UTC)


@dataclass
class Programme:
    """Alex (mentee, device A) and Sam (mentor, device B) after a six-month programme."""

    a: Journal
    b: Journal
    folder: Path
    homes: dict[str, Path]
    sessions: dict[str, str]
    topics: dict[str, str]

    def report(self, *, with_notes: bool = False, journal: Journal | None = None) -> Report:
        return build_report(journal or self.a, with_notes=with_notes, now=REPORT_DAY)


def build_programme(tmp: Path) -> Programme:
    """The programme of SCHEDULE, made with the facade the way the pair would."""
    homes = {"alex": tmp / "alex", "sam": tmp / "sam"}
    a = Journal.init(
        tmp / "j",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=START,
        months=6,
        tz=TZ,
        home=Home(homes["alex"]),
    )
    b = Journal.join(tmp / "j", me="Sam", home=Home(homes["sam"]))
    before = utc(dt.datetime(2025, 1, 6, 9))
    topics = {
        key: a.backlog.add_topic(title, category=category, now=before)
        for key, (title, category) in TOPICS.items()
    }
    # Both rate their confidence before the first session.
    a.evaluation.assess(Phase.BEFORE, topics["t1"], 2)
    a.evaluation.assess(Phase.BEFORE, topics["t2"], 1)
    sessions: dict[str, str] = {}
    for key, start, kind, on, minutes, _what, _ratings in SCHEDULE:
        sessions[key] = a.sessions.plan_session(
            start, kind=kind, minutes=minutes, topics=[topics[t] for t in on], planned_start=start
        )
    for key, start, _kind, _on, _minutes, what, (mentor, mentee) in SCHEDULE:
        session = sessions[key]
        if what == "cancelled":
            a.sessions.cancel_session(session, now=utc(start - dt.timedelta(days=1)))
            continue
        if what == "planned":
            continue
        if what == "moved":
            start = MOVED_TO
            a.sessions.move_session(session, start)
        a.sessions.hold_session(session, all_covered=True, now=utc(start + dt.timedelta(hours=2)))
        b.refresh()
        b.notes.give_feedback(session, mentor, f"mentor on {key}")
        a.notes.give_feedback(session, mentee, f"mentee on {key}")
        a.refresh()
    later = utc(dt.datetime(2025, 1, 13, 19))
    a.notes.add_learning(sessions["s1"], "Prompts need context", now=later)
    b.notes.add_learning(
        sessions["s1"], "Why budgets take so long", now=later + dt.timedelta(minutes=10)
    )
    b.notes.add_learning(
        sessions["s2"], "How decisions get made", now=utc(dt.datetime(2025, 2, 12, 19))
    )
    a.notes.add_learning(
        sessions["s4"], "Bots can review code", now=utc(dt.datetime(2025, 4, 7, 19))
    )
    done_a = a.notes.add_action("Try an assistant", session_id=sessions["s1"], now=later)
    a.notes.complete_action(done_a)
    done_b = b.notes.add_action("Send the links", session_id=sessions["s1"], now=later)
    b.notes.complete_action(done_b)
    a.notes.add_action("Write the proposal", session_id=sessions["s5"], now=later)
    b.notes.add_action("Review the proposal", session_id=sessions["s5"], now=later)
    a.notes.add_note(sessions["s1"], PRIVATE, private=True, now=later)
    a.notes.add_note(sessions["s1"], SHARED, now=later)
    a.evaluation.record_evaluation(Stage.CHECKIN, satisfaction=3, change="More hands-on")
    b.evaluation.record_evaluation(
        Stage.CHECKIN, satisfaction=4, worked="Real tasks", gains=["visibility"]
    )
    a.evaluation.record_evaluation(
        Stage.CLOSING,
        satisfaction=4,
        learned="A lot about async work",
        skills="Prompting",
        worked="Real problems",
        change="More time to try things hands-on",
        relationship="yes",
        wants_to_continue="yes",
    )
    b.evaluation.record_evaluation(
        Stage.CLOSING,
        satisfaction=5,
        change="Meet every two weeks",
        relationship="yes",
        wants_to_continue="yes",
        gains=["visibility", "network"],
        gains_other="Met the board",
    )
    a.evaluation.assess(Phase.AFTER, topics["t1"], 4)
    a.evaluation.assess(Phase.AFTER, topics["t2"], 4)
    a.refresh()
    b.refresh()
    return Programme(a, b, tmp / "j", homes, sessions, topics)


@pytest.fixture
def programme(tmp_path: Path) -> Iterator[Programme]:
    built = build_programme(tmp_path)
    yield built
    built.a.close()
    built.b.close()


# -- the figures -------------------------------------------------------------------------


def test_sessions_held_cancelled_moved_and_hours(programme: Programme) -> None:
    counts = programme.report().counts
    assert (counts.total, counts.held, counts.cancelled, counts.planned, counts.moved) == (
        7,
        5,
        1,
        1,
        1,
    )
    assert counts.minutes_held == 60 + 30 + 90 + 60 + 60
    assert counts.hours_held == 5.0
    data = to_json(programme.report())
    assert data["sessions"] == {
        "total": 7,
        "held": 5,
        "cancelled": 1,
        "planned": 1,
        "moved": 1,
        "minutes_held": 300,
        "hours_held": 5.0,
    }
    moved = [s for s in data["session_log"] if s["moved"]]
    assert [(s["start"], s["planned_start"]) for s in moved] == [
        ("2025-02-12T17:00", "2025-02-10T17:00")
    ]


def test_programme_dates(programme: Programme) -> None:
    data = to_json(programme.report())
    assert data["programme"] == {
        "start": "2025-01-06",
        "end": "2025-07-07",  # six months of first Mondays: July's is the 7th
        "first_session": "2025-01-13",
        "last_held": "2025-06-30",
    }
    assert data["generated"] == "2025-07-10"
    assert data["tandem"] == {
        "mentor": "Sam",
        "mentee": "Alex",
        "tz": TZ,
        "peer_to_peer": False,
    }


def test_topics_covered_by_category(programme: Programme) -> None:
    report = programme.report()
    # The cancelled session's topic travelled to the next session and was covered there.
    assert report.categories == (
        ("technology", "Technology", 2),
        ("work", "World of work", 1),
        ("culture", "Culture & diversity", 1),
        ("project", "Project", 1),
    )
    assert {t.title for t in report.covered} == {title for title, _c in TOPICS.values()}
    s4 = next(s for s in report.sessions if s.id == programme.sessions["s4"])
    assert set(s4.topics) == {"AI code review", "Feedback culture"}
    assert to_json(report)["topics"]["technology_share"] == 0.4


def test_ratings_over_time_and_their_trend(programme: Programme) -> None:
    report = programme.report()
    assert [(p.label, p.mentor, p.mentee) for p in report.ratings] == [
        ("13 Jan 2025", 3, 2),
        ("12 Feb 2025", 3, 3),
        ("7 Apr 2025", 4, 4),
        ("5 May 2025", 5, 4),
        ("30 Jun 2025", 5, 5),
    ]
    # The labels are for people; the JSON keeps each session's ISO date.
    assert [p["date"] for p in to_json(report)["ratings"]["points"]] == [
        "2025-01-13",
        "2025-02-12",
        "2025-04-07",
        "2025-05-05",
        "2025-06-30",
    ]
    assert report.averages == {"mentor": 4.0, "mentee": 3.6, "all": 3.8}
    # Means 2.5, 3, 4, 4.5, 5 over sessions 0..4: the least-squares slope is 0.65.
    assert (report.slope, report.trend) == (0.65, "up")


def test_learning_log_and_action_items(programme: Programme) -> None:
    report = programme.report()
    assert [(lr.role, lr.day, lr.text) for lr in report.learnings] == [
        (Role.MENTEE, dt.date(2025, 1, 13), "Prompts need context"),
        (Role.MENTOR, dt.date(2025, 1, 13), "Why budgets take so long"),
        (Role.MENTOR, dt.date(2025, 2, 12), "How decisions get made"),
        (Role.MENTEE, dt.date(2025, 4, 7), "Bots can review code"),
    ]
    assert {a.text for a in report.actions_done} == {"Try an assistant", "Send the links"}
    assert {(a.text, a.owner) for a in report.actions_open} == {
        ("Write the proposal", Role.MENTEE),
        ("Review the proposal", Role.MENTOR),
    }


def test_self_assessment_and_both_evaluations(programme: Programme) -> None:
    data = to_json(programme.report())
    assert [
        (r["title"], r["before"], r["after"], r["change"]) for r in data["self_assessment"]
    ] == [
        ("Prompting", 2, 4, 2),
        ("Async work", 1, 4, 3),
    ]
    assert data["closing"]["mentor"]["gains"] == ["visibility", "network"]
    assert data["closing"]["mentor"]["gains_other"] == "Met the board"
    assert data["closing"]["mentee"]["skills"] == "Prompting"
    assert data["checkin"]["mentee"]["satisfaction"] == 3
    assert data["checkin"]["mentor"]["worked"] == "Real tasks"


def test_recommendations_from_the_pair_and_from_the_figures(programme: Programme) -> None:
    found = {r.key: r for r in programme.report().recommendations}
    assert found["change-mentor"].text == "Meet every two weeks"
    assert found["change-mentee"].text == "More time to try things hands-on"
    assert found["change-mentee"].source == "mentee"
    # 1 cancelled + 1 moved of 6 sessions that were due: the dates slipped.
    assert "2 of 6 sessions were cancelled or moved" in found["alibi"].text
    assert "2 action items are still open" in found["open-actions"].text
    assert "continue" in found and "share-results" in found
    # A balanced mix, rising ratings, both evaluations in: none of these.
    for key in ("technology-only", "ratings-falling", "one-way-street", "no-time"):
        assert key not in found
    assert not [k for k in found if k.startswith("closing-missing")]


def test_a_technology_only_one_way_programme_gets_told(tmp_path: Path) -> None:
    journal = Journal.init(
        tmp_path / "j",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=START,
        months=3,
        tz=TZ,
        home=Home(tmp_path / "a"),
    )
    with journal:
        for n, day in enumerate((13, 20, 27)):
            topic = journal.backlog.add_topic(f"Tool {n}", category=Category.TECHNOLOGY)
            start = dt.datetime(2025, 1, day, 17)
            session = journal.sessions.plan_session(start, topics=[topic], minutes=20)
            journal.sessions.hold_session(
                session, all_covered=True, now=utc(start) + dt.timedelta(hours=1)
            )
            journal.notes.give_feedback(session, 5 - n)
            journal.notes.add_learning(
                session, f"Learned {n}", now=utc(start) + dt.timedelta(hours=1)
            )
        report = build_report(journal, now=REPORT_DAY)
        found = {r.key: r.text for r in report.recommendations}
    assert found["technology-only"].startswith("100% of the covered topics")
    assert "The mentee recorded 3 learnings, the mentor 0" in found["one-way-street"]
    assert found["no-time"].startswith("3 sessions were shorter than 30 minutes")
    assert report.trend == "down" and "ratings-falling" in found
    # The programme is over and nobody gave the closing evaluation.
    assert {"closing-missing-mentor", "closing-missing-mentee"} <= set(found)


def test_the_report_is_the_same_on_both_devices(programme: Programme) -> None:
    mine = render_json(programme.report(with_notes=True))
    theirs = render_json(programme.report(with_notes=True, journal=programme.b))
    assert mine == theirs


# -- notes: shared only when asked, private never --------------------------------------


def _terminal(report: Report) -> str:
    from rich.console import Console

    console = Console(width=120, record=True, file=io.StringIO())
    console.print(render_rich(report))
    return console.export_text()


def _all_formats(report: Report) -> dict[str, str]:
    return {
        "md": render_markdown(report),
        "html": render_html(report),
        "json": render_json(report),
        "terminal": _terminal(report),
    }


def test_private_notes_never_appear_and_shared_ones_only_when_asked(
    programme: Programme,
) -> None:
    # The private note is there, on this device.
    assert PRIVATE in [n.text for n in programme.a.notes.for_session(programme.sessions["s1"])]
    for with_notes in (False, True):
        for fmt, text in _all_formats(programme.report(with_notes=with_notes)).items():
            assert PRIVATE not in text, fmt
            assert (SHARED in text) is with_notes, (fmt, with_notes)
    data = to_json(programme.report())
    assert {s["notes"] for s in data["session_log"]} == {None}
    noted = to_json(programme.report(with_notes=True))["session_log"][0]["notes"]
    assert [(n["author"], n["text"]) for n in noted] == [("mentee", SHARED)]


def test_the_report_never_reads_the_private_notes_file(programme: Programme) -> None:
    """Were the private notes read at all, this unreadable file would stop the report."""
    private = programme.a.private_dir / "private" / "notes.json"
    assert private.exists()
    private.write_text("{ not json " + PRIVATE, encoding="utf-8")
    with pytest.raises(UserError, match="cannot be read"):
        programme.a.notes.for_session(programme.sessions["s1"])
    for text in _all_formats(programme.report(with_notes=True)).values():
        assert SHARED in text and PRIVATE not in text


# -- the renderings ------------------------------------------------------------------------


def test_markdown_shows_every_section(programme: Programme) -> None:
    text = render_markdown(programme.report())
    assert text.startswith("# Reverse mentoring: Sam (mentor) and Alex (mentee)\n")
    for heading in (
        "## At a glance",
        "## Sessions",
        "## Topics covered by category",
        "## What we learned",
        "## Action items",
        "## Session ratings over time",
        "## Self-assessment of the mentee",
        "## Mid-point check-in",
        "## Closing evaluation",
        "## Recommendations",
    ):
        assert f"\n{heading}\n" in text, heading
    assert "- **Sessions held:** 5 of 7 (1 cancelled, 1 still planned)" in text
    assert "- **Time invested:** 5 hours (300 minutes in held sessions)" in text
    assert (
        "| Wed 2025-02-12 17:00 | Regular session | held, moved from Mon 2025-02-10 17:00 |" in text
    )
    assert "- **Average rating:** mentor 4, mentee 3.6 (trend: rising)" in text
    assert "- [ ] Write the proposal (mentee)" in text
    # The plot: session 1 rated 3 and 2, session 2 both 3, ... session 5 both 5.
    assert "\n2 │      ▲\n" in text and "\n3 │      ●         ◆\n" in text
    assert "\n5 │                                    ●         ◆\n" in text
    assert "13 Jan    12 Feb    7 Apr     5 May     30 Jun" in text  # the year goes without saying
    assert "● mentor  ▲ mentee  ◆ both" in text
    assert "| Prompting | 2 | 4 | +2 |" in text
    assert "- **What the tandem gave me:** visibility; network; Met the board" in text
    assert "## Shared notes" not in text


def test_markdown_table_cells_stay_in_their_cell(programme: Programme) -> None:
    programme.a.update("topic", programme.topics["t1"], {"title": "Pipes | and\nnewlines"})
    text = render_markdown(programme.report())
    assert "Pipes \\| and newlines" in text


def test_html_is_one_self_contained_printable_file(programme: Programme) -> None:
    page = render_html(programme.report())
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page and "@media print" in page and "@page" in page
    for fetching in ("<script", "<link", "src=", "href=", "url(", "@import", "https:"):
        assert fetching not in page, fetching
    # The only "http:" is the SVG namespace, which is a name, not a download.
    assert page.count("http:") == page.count('xmlns="http://www.w3.org/2000/svg"') == 2
    assert page.count("<svg") == 2
    assert "Sam (mentor)" in page and "Alex (mentee)" in page


def test_html_escapes_what_people_typed(programme: Programme) -> None:
    programme.a.notes.add_learning(
        programme.sessions["s5"], "<script>alert(1)</script> & more", now=REPORT_DAY
    )
    page = render_html(programme.report())
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page


def test_json_keys_are_the_documented_ones(programme: Programme) -> None:
    data = json.loads(render_json(programme.report()))
    assert list(data) == [
        "format",
        "version",
        "generated",
        "with_notes",
        "tandem",
        "programme",
        "sessions",
        "session_log",
        "topics",
        "learnings",
        "action_items",
        "ratings",
        "self_assessment",
        "checkin",
        "closing",
        "recommendations",
    ]
    assert (data["format"], data["version"], data["with_notes"]) == ("rmpair-report", 1, False)
    assert set(data["session_log"][0]) == {
        "id",
        "start",
        "planned_start",
        "title",
        "kind",
        "status",
        "moved",
        "minutes",
        "topics",
        "feedback",
        "notes",
    }
    assert data["session_log"][0]["feedback"] == {
        "mentor": {"rating": 3, "comment": "mentor on s1"},
        "mentee": {"rating": 2, "comment": "mentee on s1"},
    }
    assert set(data["topics"]) == {"covered_by_category", "covered", "technology_share", "open"}
    assert set(data["learnings"][0]) == {"session", "date", "role", "text"}
    assert set(data["action_items"]) == {"done", "open"}
    assert set(data["action_items"]["open"][0]) == {"id", "text", "owner", "due", "session"}
    assert set(data["ratings"]) == {"points", "average", "slope", "trend"}
    assert set(data["ratings"]["points"][0]) == {"session", "date", "mentor", "mentee"}
    assert set(data["recommendations"][0]) == {"key", "text", "source"}


def test_an_empty_journal_still_reports(tmp_path: Path) -> None:
    with Journal.init(
        tmp_path / "j",
        me="Sam",
        role=Role.MENTOR,
        partner="Alex",
        start=dt.date(2030, 1, 1),
        home=Home(tmp_path / "s"),
    ) as journal:
        report = build_report(journal, now=REPORT_DAY)
    assert (report.counts.total, report.trend) == (0, None)
    # Only the method's preconditions, which nobody has confirmed yet.
    assert [r.key for r in report.recommendations] == [
        "prerequisite-voluntary",
        "prerequisite-no-reporting-line",
        "prerequisite-no-competition",
        "prerequisite-protected-space",
    ]
    for text in _all_formats(report).values():
        assert "Sam" in text and "Alex" in text
    assert "No ratings yet." in render_html(report)


# -- the charts ------------------------------------------------------------------------------


def test_ratings_chart_data_and_svg() -> None:
    points = [
        RatingPoint("a", "2025-01-13", 3, 2),
        RatingPoint("b", "2025-02-12", None, 3),
        RatingPoint("c", "2025-03-10", 5, None),
    ]
    chart = ratings_chart(points)
    assert chart.x_labels == ("2025-01-13", "2025-02-12", "2025-03-10")
    assert [s.key for s in chart.series] == ["mentor", "mentee"]
    assert chart.series[0].values == (3.0, None, 5.0)
    svg = svg_line_chart(chart)
    root = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f".//{ns}circle")) == 4  # one dot per rating given
    # The mentor's line breaks at the missing rating; the mentee's two points connect.
    mentor, mentee = root.findall(f".//{ns}g")
    assert mentor.findall(f"{ns}polyline") == []
    assert len(mentee.findall(f"{ns}polyline")) == 1


def test_the_text_plot_puts_each_rating_in_its_row_and_column() -> None:
    points = [
        RatingPoint("a", "13 Jan", 3, 2),
        RatingPoint("b", "12 Feb", None, 3),
        RatingPoint("c", "10 Mar", 5, 5),
    ]
    plot = text_plot(ratings_chart(points), 40)
    rows = {line[0]: line[4:] for line in plot.lines[:5]}  # "5 │ ..." -> the plot area
    step = PLOT_STEP  # the widest column: three sessions are narrow next to 40 cells
    assert plot.shown == 3 and plot.markers == {"●": "mentor", "▲": "mentee"}
    assert rows["3"].index("●") == step // 2 and rows["2"].index("▲") == step // 2
    assert rows["3"].index("▲") == step + step // 2  # the mentor's gap leaves no mark
    assert rows["5"].strip() == "◆"  # both gave 5: one shared mark
    assert rows["1"].strip() == "" and rows["4"].strip() == ""
    assert plot.lines[6].split() == ["13", "Jan", "12", "Feb", "10", "Mar"]
    assert plot.lines[-1] == "● mentor  ▲ mentee  ◆ both"


def test_a_narrow_text_plot_shows_the_latest_sessions_and_says_so() -> None:
    points = [RatingPoint(str(n), f"d{n}", 1 + n % 5, None) for n in range(30)]
    plot = text_plot(ratings_chart(points), 24)
    assert plot.shown == 10  # 24 cells less "5 │ " leave 20: two cells a session
    assert "The last 10 of 30 sessions" in "\n".join(plot.lines)
    assert all(len(line) <= 24 for line in plot.lines[:7])
    marks = [line[4:] for line in plot.lines[:5]]
    # The last session (number 29) rated 5 sits in the top row, last column.
    assert marks[0].rstrip().endswith("●") and len(marks[0].rstrip()) == 20
    assert text_plot(ratings_chart([]), 40).lines == ("No ratings yet.",)


def test_category_chart_bars_are_proportional() -> None:
    chart = category_chart([("technology", "Technology", 4), ("work", "World of work", 2)])
    root = ET.fromstring(svg_bar_chart(chart))
    widths = [float(r.get("width", "0")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert text_bars(BarChart("x", chart.bars), width=10) == [
        "Technology     ██████████ 4",
        "World of work  █████ 2",
    ]


@given(
    means=st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=12),
)
def test_the_trend_follows_the_ratings(means: list[int]) -> None:
    points = [RatingPoint(str(n), str(n), m, m) for n, m in enumerate(means)]
    slope, trend = rating_trend(points)
    back, back_trend = rating_trend(list(reversed(points)))
    assert slope is not None and back is not None
    assert slope == pytest.approx(-back, abs=1e-3)
    assert {trend, back_trend} in ({"up", "down"}, {"flat"})
    if len(set(means)) == 1:
        assert (slope, trend) == (0, "flat")
    if means == sorted(means) and means[0] < means[-1]:
        assert slope > 0 and trend in ("up", "flat")
    if means[0] + 2 <= means[-1] and means == sorted(means):
        assert trend == "up"


# -- rmpair report -------------------------------------------------------------------------


@dataclass
class Cli:
    runner: CliRunner
    programme: Programme

    def run(self, *args: str) -> str:
        result = self.runner.invoke(app, list(args))
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result.stdout

    def fails(self, *args: str) -> str:
        result = self.runner.invoke(app, list(args))
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("rmpair: "), result.stderr
        return lines[0].removeprefix("rmpair: ")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    built = build_programme(tmp_path)
    built.a.close()
    built.b.close()
    monkeypatch.setenv("RMPAIR_HOME", str(built.homes["alex"]))
    monkeypatch.setenv("RMPAIR_JOURNAL", str(built.folder))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    yield Cli(CliRunner(), built)


def test_report_in_the_terminal(cli: Cli) -> None:
    text = cli.run("report")
    assert "Reverse mentoring: Sam (mentor) and Alex (mentee)" in text
    assert "5 of 7 (1 cancelled, 1 still planned)" in text
    # The ratings plot, as wide as the terminal: the first session's marks in rows 3 and 2.
    assert "2 │      ▲" in text and "3 │      ●         ◆" in text
    assert "● mentor  ▲ mentee  ◆ both" in text
    assert SHARED not in text and PRIVATE not in text
    noted = cli.run("report", "--with-notes")
    assert SHARED in noted and PRIVATE not in noted


def test_report_to_files_in_each_format(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name, check in (
        ("r.md", lambda t: t.startswith("# Reverse mentoring")),
        ("r.html", lambda t: t.startswith("<!DOCTYPE html>")),
        ("r.json", lambda t: json.loads(t)["sessions"]["held"] == 5),
    ):
        said = cli.run("report", "-o", str(out / name), "--with-notes")
        assert said.strip() == f"Wrote the report to {out / name}."
        text = (out / name).read_text(encoding="utf-8")
        assert check(text), name
        assert SHARED in text and PRIVATE not in text
    cli.run("report", "--format", "md", "-o", str(out / "report.txt"))
    assert (out / "report.txt").read_text(encoding="utf-8").startswith("# Reverse")
    cli.run("report", "-o", str(out))  # a folder: the HTML report gets a name
    assert (out / "rmpair-report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
    data: Any = json.loads(cli.run("report", "--format", "json"))
    assert data["sessions"]["moved"] == 1


def test_report_mistakes_are_one_line(cli: Cli, tmp_path: Path) -> None:
    inside = cli.programme.folder / "report.html"
    assert "inside the shared journal folder" in cli.fails("report", "-o", str(inside))
    assert not inside.exists()
    assert "cannot tell the format from 'report.txt'" in cli.fails(
        "report", "-o", str(tmp_path / "report.txt")
    )
    assert cli.fails("report", "--format", "pdf") == (
        "--format must be md, html or json, not 'pdf'."
    )
    assert "does not exist" in cli.fails("report", "-o", str(tmp_path / "no" / "r.md"))


def test_evaluate_then_report_shows_it(cli: Cli) -> None:
    cli.run("evaluate", "--worked", "Coffee before every session")
    assert "Coffee before every session" in cli.run("report", "--format", "md")
