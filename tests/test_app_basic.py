"""The app opens: the first run is a short wizard (start or join), later runs show home."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from clocks import FROZEN
from rmpair.screens.app import RmpairApp
from rmpair.screens.home import HomeScreen
from rmpair.screens.setup import SetupScreen
from textual.widgets import Input, Select, Static

from rmpair.journal import Journal
from rmpair.model.lifecycle import PrerequisiteAnswer
from rmpair.model.records import Role, Session
from rmpair.store.home import Home

pytestmark = pytest.mark.usefixtures("quick_pilot")


def text_of(app: RmpairApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_first_run_creates_a_local_journal_and_shows_home(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    app = RmpairApp(None, home=home, watch_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#new")
        await pilot.press(*"Dana Quinn")  # typing a q must not quit the app
        await pilot.press("tab", "tab")  # past the role to the partner's name
        await pilot.press(*"Sam", "enter")
        await app.settle()
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "setup"])
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Sam (mentor) teaches Dana Quinn (mentee) (you)" in text_of(app, "#home-text")
    assert app.journal is not None
    sessions = app.journal.all(Session)
    app.journal.close()
    # The default is a local folder in this device's data folder, remembered for next time.
    assert home.last_journal() == home.root / "journal"
    assert any((home.root / "journal" / "devices").rglob("*.json"))
    # The wizard planned the programme: a monthly series for six months.
    assert 5 <= len(sessions) <= 7


async def test_the_wizard_records_the_frame_and_the_prerequisites(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    app = RmpairApp(None, home=home, watch_interval=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.click("#new")
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        screen.query_one("#me", Input).value = "Sam"
        screen.query_one("#role", Select).value = Role.MENTOR.value
        screen.query_one("#partner", Input).value = "Dana"
        screen.query_one("#start-date", Input).value = "2027-01-11"
        screen.query_one("#end-date", Input).value = "2027-04-30"
        screen.query_one("#cadence", Select).value = "biweekly"
        screen.query_one("#length", Input).value = "45"
        screen.query_one("#tz", Input).value = "Europe/Berlin"
        screen.query_one("#plan", Select).value = "no"
        screen.query_one("#folder", Input).value = str(tmp_path / "sync" / "tandem")
        first = screen.prerequisites[0].key
        screen.query_one(f"#pre-{first}", Select).value = "yes"
        screen.query_one("#length", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "setup"])
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    journal = app.journal
    assert journal is not None
    tandem = journal.tandem()
    assert tandem is not None
    assert (tandem.mentor, tandem.mentee, journal.my_role) == ("Sam", "Dana", Role.MENTOR)
    assert (tandem.start, tandem.end) == (dt.date(2027, 1, 11), dt.date(2027, 4, 30))
    assert (tandem.cadence.value, tandem.session_minutes, tandem.tz) == (
        "biweekly",
        45,
        "Europe/Berlin",
    )
    assert journal.all(Session) == []
    answers = {(a.key, a.role, a.answer) for a in journal.all(PrerequisiteAnswer)}
    assert answers == {(first, Role.MENTOR, "yes")}
    assert journal.folder == tmp_path / "sync" / "tandem"
    journal.close()


async def test_setup_explains_what_is_missing_or_wrong(tmp_path: Path) -> None:
    app = RmpairApp(None, home=Home(tmp_path / "home"), watch_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#new")
        await pilot.press("enter")
        await pilot.pause()
        assert "Please enter your name." in text_of(app, "#error")
        app.screen.query_one("#me", Input).value = "Dana"
        app.screen.query_one("#partner", Input).value = "Sam"
        app.screen.query_one("#end-date", Input).value = "2027-02-30"
        await pilot.press("enter")
        await pilot.pause()
        assert "Programme ends: '2027-02-30' is not a date (use YYYY-MM-DD)." in text_of(
            app, "#error"
        )
    assert not (tmp_path / "home" / "journal").exists()


async def test_join_from_a_shared_folder(tmp_path: Path) -> None:
    first = Journal.init(
        tmp_path / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 12, 1),
        home=Home(tmp_path / "dana"),
    )
    first.close()
    home = Home(tmp_path / "sam")
    app = RmpairApp(None, home=home, watch_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#to-join")
        await pilot.press(*"Pat")
        await pilot.press("tab")
        app.screen.query_one("#join-folder", Input).value = str(tmp_path / "shared")
        await pilot.press("enter")
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "setup"])
        await pilot.pause()
        assert "'Pat' is not in this tandem (it has: Sam, Dana)." in text_of(app, "#join-error")
        app.screen.query_one("#join-me", Input).value = "Sam"
        await pilot.press("enter")
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "setup"])
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Sam (mentor) (you) teaches Dana (mentee)" in text_of(app, "#home-text")
    assert app.journal is not None
    assert app.journal.my_role is Role.MENTOR
    app.journal.close()


async def test_home_shows_the_tandem_and_devices(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    journal = Journal.init(
        tmp_path / "j",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 12, 1),
        home=home,
    )
    app = RmpairApp(journal, home=home, watch_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        devices = text_of(app, "#home-text")
        assert "Dana (mentee)" in devices and "(this device)" in devices
        assert "None planned" in text_of(app, "#home-text")
        await pilot.press("r")  # refresh keeps working
        await app.settle()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    journal.close()


async def test_a_later_start_shows_home_from_the_journal(tmp_path: Path) -> None:
    from rmpair.screens import start

    home = Home(tmp_path / "home")
    journal = Journal.init(
        tmp_path / "j",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 12, 1),
        home=home,
    )
    now = dt.datetime.now(dt.UTC)
    kept = start.snapshot_of(journal, now)
    journal.close()
    start.save(home, journal.folder, kept, now)
    snapshot = start.load(home, journal.folder, now)
    assert snapshot is not None

    journal = Journal.open(journal.folder, home=home)
    app = RmpairApp(journal, home=home, snapshot=snapshot, watch_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert "Sam (mentor) teaches Dana (mentee) (you)" in text_of(app, "#home-text")
        await app.settle()
        await pilot.pause()
        assert "Sam (mentor) teaches Dana (mentee) (you)" in text_of(app, "#home-text")
        assert "None planned" in text_of(app, "#home-text")
    journal.close()


async def test_home_warns_while_a_precondition_is_answered_no(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    journal = Journal.init(
        tmp_path / "j", me="Dana", role=Role.MENTEE, partner="Sam", start=FROZEN.date(), home=home
    )
    journal.agreement.answer_prerequisites({"no-reporting-line": False, "voluntary": False})
    app = RmpairApp(journal, home=home, watch_interval=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = text_of(app, "#home-text")
        assert "The mentee is the mentor's line manager, or one reports to the other." in text
        assert "Nobody is candid with the person who assesses their work" in text
        assert "Not both of you said you take part voluntarily." in text
        journal.agreement.answer_prerequisites({"no-reporting-line": True, "voluntary": True})
        await pilot.press("r")
        await app.settle()
        await pilot.pause()
        assert "line manager" not in text_of(app, "#home-text")
    journal.close()
