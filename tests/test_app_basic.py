"""The app opens: first run sets up a local journal, later runs show the home screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rmpair.screens.app import RmpairApp
from rmpair.screens.home import HomeScreen
from textual.widgets import Static

from rmpair.home import Home
from rmpair.journal import Journal
from rmpair.model import Role


async def test_first_run_creates_a_local_journal_and_shows_home(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    app = RmpairApp(None, home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#me")
        await pilot.press(*"Dana Quinn")  # typing a q must not quit the app
        await pilot.click("#partner")
        await pilot.press(*"Sam")
        await pilot.click("#start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        text = str(app.screen.query_one("#tandem", Static).render())
        assert "Sam (mentor) teaches Dana Quinn (mentee)" in text
    assert app.journal is not None
    app.journal.close()
    # The default is a local folder in this device's data folder, remembered for next time.
    assert home.last_journal() == home.root / "journal"
    assert any((home.root / "journal" / "devices").rglob("*.json"))


async def test_setup_asks_for_missing_names(tmp_path: Path) -> None:
    app = RmpairApp(None, home=Home(tmp_path / "home"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#start")
        await pilot.pause()
        assert "Please enter your name." in str(app.screen.query_one("#error", Static).render())
    assert not (tmp_path / "home" / "journal").exists()


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
    app = RmpairApp(journal, home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        devices = str(app.screen.query_one("#devices", Static).render())
        assert "Dana (mentee)" in devices
        await pilot.press("r")  # refresh keeps working
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    journal.close()
