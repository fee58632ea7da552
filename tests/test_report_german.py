"""The programme report of a German tandem, read with a German interface: headings,
dates, decimal figures and category labels are German in Markdown, HTML and the
terminal, while the JSON keeps ISO dates and plain numbers."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rmpair.i18n import current_language, set_language
from rmpair.journal import Journal
from rmpair.model.lifecycle import Stage
from rmpair.model.records import Category, Role, SessionKind
from rmpair.report.build import build_report
from rmpair.report.html import render_html
from rmpair.report.markdown import render_markdown
from rmpair.report.model import Report, to_json
from rmpair.report.terminal import render_rich
from rmpair.store.home import Home

TZ = "Europe/Berlin"
START = dt.date(2026, 12, 1)  # three months, so the programme ended on 2027-03-01
REPORT_DAY = dt.datetime(2027, 3, 5, 10, 0, tzinfo=dt.UTC)
KICKOFF = dt.datetime(2026, 12, 3, 10)  # a Thursday
PLANNED = dt.datetime(2027, 1, 14, 17)  # moved a week on, to ...
MOVED_TO = dt.datetime(2027, 1, 21, 17)
CANCELLED = dt.datetime(2027, 2, 11, 17)
DUE = dt.date(2027, 3, 15)

# The report's headings and labels in English, and what the German catalogue makes of
# them (rmpair/locale/de/LC_MESSAGES/rmpair.po).
HEADINGS = {
    "At a glance": "Auf einen Blick",
    "Sessions held": "Stattgefundene Treffen",
    "Time invested": "Investierte Zeit",
    "Average rating": "Durchschnittliche Bewertung",
    "Topics covered by category": "Behandelte Themen nach Kategorie",
    "What we learned": "Was wir gelernt haben",
    "Action items": "Aufgaben",
    "Session ratings over time": "Bewertung der Treffen im Verlauf",
    "Self-assessment of the mentee": "Selbsteinschätzung der Mentee-Seite",
    "Mid-point check-in": "Zwischenbilanz zur Halbzeit",
    "Closing evaluation": "Abschlussauswertung",
    "Recommendations": "Empfehlungen",
}


def utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=ZoneInfo(TZ)).astimezone(dt.UTC)


@dataclass
class Programme:
    """Dana (mentee, device A) and Sam (mentor, device B): a German tandem with 90
    minutes held, so the hours have a decimal."""

    a: Journal
    b: Journal

    def report(self) -> Report:
        return build_report(self.a, now=REPORT_DAY)


def build_programme(tmp: Path) -> Programme:
    """Two held sessions (60 and 30 minutes, the second moved), one cancelled, a learning
    on each side, an action item with a due date and both closing evaluations."""
    a = Journal.init(
        tmp / "j",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=START,
        months=3,
        tz=TZ,
        lang="de",
        home=Home(tmp / "dana"),
    )
    b = Journal.join(tmp / "j", me="Sam", home=Home(tmp / "sam"))
    before = utc(dt.datetime(2026, 12, 1, 9))
    prompts = a.backlog.add_topic("KI-Assistenten", category=Category.TECHNOLOGY, now=before)
    budget = a.backlog.add_topic("Wie Budgets entstehen", category=Category.WORK, now=before)
    first = a.sessions.plan_session(KICKOFF, kind=SessionKind.KICKOFF, minutes=60, topics=[prompts])
    second = a.sessions.plan_session(PLANNED, minutes=30, topics=[budget], planned_start=PLANNED)
    third = a.sessions.plan_session(CANCELLED, minutes=60)
    a.sessions.move_session(second, MOVED_TO)
    for session, start, (mentor, mentee) in ((first, KICKOFF, (4, 4)), (second, MOVED_TO, (5, 3))):
        a.sessions.hold_session(session, all_covered=True, now=utc(start + dt.timedelta(hours=2)))
        b.refresh()
        b.notes.give_feedback(session, mentor)
        a.notes.give_feedback(session, mentee)
        a.refresh()
    a.sessions.cancel_session(third, now=utc(CANCELLED - dt.timedelta(days=1)))
    after = utc(KICKOFF + dt.timedelta(hours=3))
    a.notes.add_learning(first, "Prompts brauchen Kontext", now=after)
    b.notes.add_learning(
        second, "Entscheidungen fallen im Flur", now=utc(MOVED_TO + dt.timedelta(hours=2))
    )
    a.notes.add_action("Vorschlag schreiben", session_id=first, due=DUE, now=after)
    for journal, satisfaction in ((a, 4), (b, 5)):
        journal.refresh()
        journal.evaluation.record_evaluation(
            Stage.CLOSING, satisfaction=satisfaction, relationship="yes", wants_to_continue="yes"
        )
    a.refresh()
    b.refresh()
    return Programme(a, b)


@pytest.fixture
def programme(tmp_path: Path) -> Iterator[Programme]:
    built = build_programme(tmp_path)
    yield built
    built.a.close()
    built.b.close()


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """Tests here switch the interface language; the next test finds it as it was."""
    before = current_language()
    yield
    set_language(before)


def terminal(report: Report) -> str:
    from rich.console import Console

    console = Console(record=True, width=100, file=io.StringIO())
    console.print(render_rich(report))
    return console.export_text()


def test_the_markdown_report_is_german(programme: Programme) -> None:
    set_language("de")
    text = render_markdown(programme.report())
    assert text.startswith("# Reverse Mentoring: Sam (Mentor:in) und Dana (Mentee)\n")
    assert "Bericht vom 5. März 2027; Zeiten in Europe/Berlin." in text
    for german in HEADINGS.values():
        assert german in text, german
    assert (
        "- **Programm:** 1. Dez. 2026 bis 2. März 2027 "
        "(erstes Treffen 3. Dez. 2026, zuletzt stattgefunden 21. Jan. 2027)"
    ) in text
    assert "- **Investierte Zeit:** 1,5 Stunden (90 Minuten in stattgefundenen Treffen)" in text
    assert "- **Durchschnittliche Bewertung:** Mentor:in 4,5, Mentee 3,5 (Trend: " in text
    # Table columns keep the ISO date, which lines up and sorts, with a German weekday.
    assert "| Do. 2026-12-03 10:00 |" in text
    assert "verschoben von Do. 2027-01-14 17:00" in text
    assert "- 3. Dez. 2026: Prompts brauchen Kontext" in text
    assert "- 21. Jan. 2027: Entscheidungen fallen im Flur" in text
    assert "Vorschlag schreiben (Mentee, fällig am 15. März 2027)" in text
    assert "| 3. Dez. 2026 | 4 | 4 |" in text and "| 21. Jan. 2027 | 5 | 3 |" in text
    assert "- KI-Assistenten (Technologie)" in text
    assert "- Wie Budgets entstehen (Arbeitswelt)" in text
    assert "Ihr wollt beide weitermachen" in text
    for english in (*HEADINGS, "Technology", "World of work", "hours", "2026-12-03:", "1.5"):
        assert english not in text, english


def test_the_html_report_is_german(programme: Programme) -> None:
    set_language("de")
    page = render_html(programme.report())
    assert '<html lang="de">' in page
    assert "<title>Reverse Mentoring: Sam (Mentor:in) und Dana (Mentee)</title>" in page
    for german in HEADINGS.values():
        assert german in page, german
    assert "<dd>1,5 Stunden (90 Minuten in stattgefundenen Treffen)</dd>" in page
    assert "<li>3. Dez. 2026: Prompts brauchen Kontext</li>" in page
    assert "<td>Do. 2026-12-03 10:00</td>" in page
    assert "<td>KI-Assistenten</td><td>Technologie</td>" in page
    assert "Mentor:in 4,5, Mentee 3,5" in page
    # The ratings chart's x axis reads German dates too.
    assert ">3. Dez. 2026</text>" in page and ">21. Jan. 2027</text>" in page
    for english in (*HEADINGS, ">Technology<", " hours ", "1.5 ", "4.5", "3.5"):
        assert english not in page, english


def test_the_terminal_report_is_german(programme: Programme) -> None:
    set_language("de")
    text = terminal(programme.report())
    assert "Reverse Mentoring: Sam (Mentor:in) und Dana (Mentee)" in text
    assert "Bericht vom 5. März 2027; Zeiten in Europe/Berlin." in text
    for german in HEADINGS.values():
        assert german in text, german
    assert "1,5 Stunden (90 Minuten in stattgefundenen Treffen)" in text
    assert "Durchschnitt: Mentor:in 4,5, Mentee 3,5; Trend: " in text
    assert "Do. 2026-12-03 10:00" in text
    assert "3. Dez. 2026  Prompts brauchen Kontext" in text
    assert "fällig am 15. März 2027" in text
    assert "Technologie" in text and "Arbeitswelt" in text
    for english in (*HEADINGS, "Technology", "World of work", "hours", "1.5"):
        assert english not in text, english


def test_the_json_stays_iso_dates_and_plain_numbers_in_german(
    programme: Programme,
) -> None:
    set_language("en")
    english = to_json(programme.report())
    set_language("de")
    data = to_json(programme.report())
    assert data["programme"] == {
        "start": "2026-12-01",
        "end": "2027-03-02",  # three months of first Tuesdays
        "first_session": "2026-12-03",
        "last_held": "2027-01-21",
    }
    assert data["generated"] == "2027-03-05"
    assert (data["sessions"]["minutes_held"], data["sessions"]["hours_held"]) == (90, 1.5)
    assert [p["date"] for p in data["ratings"]["points"]] == ["2026-12-03", "2027-01-21"]
    assert data["ratings"]["average"] == {"mentor": 4.5, "mentee": 3.5, "all": 4.0}
    assert data["action_items"]["open"][0]["due"] == "2027-03-15"
    # Only the words differ (the recommendations' text): the data is the same.
    for key in ("programme", "sessions", "session_log", "topics", "learnings", "ratings"):
        assert data[key] == english[key], key


def test_the_formal_report_says_sie(programme: Programme) -> None:
    set_language("de_formal")
    report = programme.report()
    for text in (render_markdown(report), render_html(report), terminal(report)):
        assert "Sie wollen beide weitermachen" in text
        assert "Ihr wollt" not in text
        assert "1,5 Stunden" in text and "3. Dez. 2026" in text
    assert '<html lang="de">' in render_html(report)


def test_an_english_interface_reads_the_german_tandem_in_english(
    programme: Programme,
) -> None:
    set_language("en")
    report = programme.report()
    text = render_markdown(report)
    assert "- **Time invested:** 1.5 hours (90 minutes in held sessions)" in text
    assert "- 3 Dec 2026: Prompts brauchen Kontext" in text
    assert "- **Average rating:** mentor 4.5, mentee 3.5 (trend: " in text
    assert '<html lang="en">' in render_html(report)
