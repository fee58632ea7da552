"""The app's start runs without Python's cycle collector (screens/launch.py pauses it);
the app turns it back on once home shows the journal and the rest is decoded, and
at once when there is no journal to read."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from rmpair.screens.app import RmpairApp

from rmpair.clock import FixedClock
from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.home import Home

pytestmark = pytest.mark.usefixtures("quick_pilot")

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def paused() -> Iterator[None]:
    """The collector paused, as launch.py leaves it for the app; on again afterwards."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("paused")
async def test_the_collector_is_back_once_home_has_read_the_journal(tmp_path: Path) -> None:
    journal = Journal.init(
        tmp_path / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(tmp_path / "dana"),
        clock=FixedClock(NOW),
    )
    journal.notes.add_action("Read the style guide")
    app = RmpairApp(journal, clock=FixedClock(NOW), watch_interval=None, collector_paused=True)
    async with app.run_test() as pilot:
        for _ in range(500):
            if app.rest_loaded and not app.collector_paused:
                break
            await pilot.pause(0.01)
        await app.settle()
        assert "Read the style guide" in str(app.screen.query_one("#home-text").render())
        assert gc.isenabled()
    journal.close()


@pytest.mark.usefixtures("paused")
async def test_the_collector_is_back_at_once_without_a_journal(tmp_path: Path) -> None:
    app = RmpairApp(None, home=Home(tmp_path / "new"), watch_interval=None, collector_paused=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert gc.isenabled()
