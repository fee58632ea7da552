"""The app's report screen (key 6): the figures, the two charts, shared notes on request,
and saving the report as a file; the programme is the one of test_report.py, whose
figures are known."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rmpair.screens.app import RmpairApp
from rmpair.screens.forms import FormScreen
from rmpair.screens.help import HelpScreen
from rmpair.screens.palette import RmpairCommands
from rmpair.screens.report import ChartView, ReportScreen, report_file
from test_report import PRIVATE, REPORT_DAY, SHARED, Programme, build_programme
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea

from rmpair.clock import FixedClock
from rmpair.journal import Journal
from rmpair.model.lifecycle import Stage
from rmpair.model.records import Role
from rmpair.store.home import Home

pytestmark = pytest.mark.usefixtures("quick_pilot")


@pytest.fixture
def programme(tmp_path: Path) -> Iterator[Programme]:
    built = build_programme(tmp_path)
    built.b.close()
    yield built
    built.a.close()


def app_for(programme: Programme) -> RmpairApp:
    journal = programme.a
    return RmpairApp(
        journal, home=journal.store.home, clock=FixedClock(REPORT_DAY), watch_interval=None
    )


async def show_report(app: RmpairApp, pilot: Pilot[None]) -> ReportScreen:
    await app.settle()
    await pilot.press("6")
    await app.settle()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReportScreen)
    return screen


def plain(screen: ReportScreen, selector: str) -> str:
    """A Static's text as the terminal shows it (Rich renderables drawn at 100 columns)."""
    from rich.console import Console

    console = Console(width=100, record=True, color_system=None, file=io.StringIO())
    console.print(screen.query_one(selector, Static).content)
    return console.export_text()


def chart_lines(screen: ReportScreen, selector: str) -> list[str]:
    view = screen.query_one(selector, ChartView)
    return [line.plain for line in view.lines(view.content_size.width)]


async def test_the_report_screen_shows_the_figures_and_both_charts(programme: Programme) -> None:
    app = app_for(programme)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await show_report(app, pilot)
        head = plain(screen, "#report-head")
        assert "Reverse mentoring: Sam (mentor) and Alex (mentee)" in head
        assert "5 of 7 (1 cancelled, 1 still planned)" in head.replace("\n", " ")

        ratings = chart_lines(screen, "#ratings-chart")
        assert ratings[0] == "Session ratings over time"
        rows = {line[0]: line[4:] for line in ratings[1:6]}
        # Four held sessions with ratings (mentor, mentee): (3,2) (3,3) (4,4) (5,4) (5,5).
        first = rows["3"].index("●")
        assert rows["2"].index("▲") == first  # session 1: mentor 3, mentee 2
        assert rows["3"].count("◆") == 1 and rows["4"].count("◆") == 1  # both 3, both 4
        assert rows["5"].count("◆") == 1 and rows["5"].count("●") == 1  # both 5, mentor 5
        assert rows["1"].strip() == ""  # nobody rated 1
        assert ratings[-1] == "● mentor  ▲ mentee  ◆ both"

        categories = chart_lines(screen, "#categories-chart")
        assert categories[0] == "Topics covered by category"
        bars = {line.split("  ")[0]: line for line in categories[1:]}
        # Covered: two technology topics and one of each other category.
        assert bars["Technology"].endswith(" 2") and bars["Project"].endswith(" 1")
        assert bars["Technology"].count("█") == 2 * bars["Project"].count("█") > 0
        assert bars["World of work"].endswith(" 1") and bars["Culture & diversity"].endswith(" 1")

        body = plain(screen, "#report-body")
        assert "What we learned" in body and "Recommendations" in body
        assert SHARED not in body and PRIVATE not in body


async def test_shared_notes_only_on_request_and_private_notes_never(
    programme: Programme,
) -> None:
    app = app_for(programme)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await show_report(app, pilot)
        assert SHARED not in plain(screen, "#report-body")
        await pilot.press("n")
        await app.settle()
        await pilot.pause()
        body = plain(screen, "#report-body")
        assert SHARED in body and PRIVATE not in body
        await pilot.press("n")
        await app.settle()
        await pilot.pause()
        assert SHARED not in plain(screen, "#report-body")


async def test_the_report_is_saved_as_a_file_from_the_app(
    programme: Programme, tmp_path: Path
) -> None:
    app = app_for(programme)
    async with app.run_test(size=(100, 40)) as pilot:
        await show_report(app, pilot)
        await pilot.press("w")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-path", Input).value = str(tmp_path / "our-programme")
        await pilot.press("ctrl+s")
        await app.settle()
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        page = (tmp_path / "our-programme.html").read_text(encoding="utf-8")
        assert "<svg" in page and "Alex" in page and "Sam" in page
        assert SHARED not in page and PRIVATE not in page

        # Markdown with the shared notes; into the shared folder it is refused.
        await pilot.press("w")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-format", Select).value = "md"
        form.query_one("#field-notes", Select).value = "with"
        form.query_one("#field-path", Input).value = str(programme.folder / "report.md")
        await pilot.press("ctrl+s")
        await app.settle()
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)  # still open, with the reason
        assert "inside the shared journal folder" in str(
            app.screen.query_one("#form-error", Static).render()
        )
        assert not (programme.folder / "report.md").exists()
        form.query_one("#field-path", Input).value = str(tmp_path / "notes.md")
        await pilot.press("ctrl+s")
        await app.settle()
        await pilot.pause()
        text = (tmp_path / "notes.md").read_text(encoding="utf-8")
        assert text.startswith("# Reverse mentoring") and SHARED in text and PRIVATE not in text


def test_the_file_name_follows_the_format(tmp_path: Path) -> None:
    assert report_file(str(tmp_path / "r"), "md") == tmp_path / "r.md"
    assert report_file(str(tmp_path / "r.html"), "json") == tmp_path / "r.json"
    assert report_file(str(tmp_path / "r.v2"), "md") == tmp_path / "r.v2.md"
    assert report_file(str(tmp_path), "html") == tmp_path / "rmpair-report.html"


async def test_a_narrow_window_draws_the_charts_inside_it(programme: Programme) -> None:
    app = app_for(programme)
    async with app.run_test(size=(44, 30)) as pilot:
        screen = await show_report(app, pilot)
        width = screen.query_one("#ratings-chart", ChartView).content_size.width
        assert width < 44
        for selector in ("#ratings-chart", "#categories-chart"):
            lines = chart_lines(screen, selector)
            assert lines and all(len(line) <= width for line in lines[:-1]), lines


async def test_the_report_is_in_the_palette_and_the_help(programme: Programme) -> None:
    app = app_for(programme)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await show_report(app, pilot)
        names = [name for name, _help, _cb in RmpairCommands(screen).commands()]
        assert "Go to Report" in names and "Save as file" in names
        assert "Shared notes on/off" in names
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-text", Static).render())
        assert "Save as file" in keys and "6" in keys and "Report" in keys


@pytest.fixture
def report_app(tmp_path: Path) -> Iterator[RmpairApp]:
    built = build_programme(tmp_path)
    built.b.close()
    yield app_for(built)
    built.a.close()


def test_report_snapshot(report_app: RmpairApp, snap_compare: Callable[..., bool]) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app, RmpairApp)
        await pilot.app.settle()
        await pilot.press("6")
        await pilot.app.settle()
        await pilot.pause()

    assert snap_compare(report_app, run_before=ready, terminal_size=(80, 24))


async def test_the_check_in_is_answered_from_the_report_screen(programme: Programme) -> None:
    app = app_for(programme)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await show_report(app, pilot)
        await pilot.press("c")
        form = app.screen
        assert isinstance(form, FormScreen)
        # Alex (the mentee) answered the check-in before: the form shows those answers.
        assert form.query_one("#field-satisfaction", Select).value == "3"
        assert form.query_one("#field-change", TextArea).text == "More hands-on"
        assert not form.query("#field-gains")  # what the junior gained is the mentor's
        form.query_one("#field-satisfaction", Select).value = "4"
        form.query_one("#field-learned", TextArea).text = "Prompts need context"
        form.query_one("#field-wants_to_continue", Select).value = "yes"
        await pilot.press("ctrl+s")
        await app.settle()
        await pilot.pause()
        assert app.screen is screen
        mine = programme.a.evaluation.of(Stage.CHECKIN, Role.MENTEE)
        assert mine is not None and mine.satisfaction == 4
        assert mine.learned == "Prompts need context" and mine.change == "More hands-on"
        assert mine.wants_to_continue == "yes"
        await app.settle()
        await pilot.pause()
        assert "Prompts need context" in plain(screen, "#report-body")


async def test_the_mentor_s_gains_are_checked_in_the_form(programme: Programme) -> None:
    # Sam's device (the fixture closed it): the mentor records what the tandem gave them.
    sam = Journal.open(programme.folder, home=Home(programme.homes["sam"]))
    app = RmpairApp(sam, home=sam.store.home, clock=FixedClock(REPORT_DAY), watch_interval=None)
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await show_report(app, pilot)
            await pilot.press("e")
            form = app.screen
            assert isinstance(form, FormScreen)
            form.query_one("#field-gains", Input).value = "network, fame"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "'fame' is not one of" in str(form.query_one("#form-error", Static).render())
            form.query_one("#field-gains", Input).value = "network, visibility"
            await pilot.press("ctrl+s")
            await app.settle()
            await pilot.pause()
            closing = sam.evaluation.of(Stage.CLOSING, Role.MENTOR)
            assert closing is not None and closing.gains == ("visibility", "network")
    finally:
        sam.close()
