"""The app's search (``/``): find a word, open the session or the topic it is in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rmpair.screens.app import RmpairApp
from rmpair.screens.backlog import BacklogScreen
from rmpair.screens.search import SearchScreen
from rmpair.screens.session import SessionScreen
from rmpair.screens.table import Table
from textual.widgets import Input, Static

from rmpair.clock import FixedClock
from rmpair.journal import Journal
from rmpair.model.records import Category, Role, TopicStatus
from rmpair.store.home import Home

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.usefixtures("quick_pilot")


def make_journal(tmp_path: Path) -> Journal:
    journal = Journal.init(
        tmp_path / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(tmp_path / "dana"),
    )
    journal.close()
    return Journal.open(tmp_path / "shared", home=Home(tmp_path / "dana"), hold_lock=True)


async def test_slash_finds_notes_and_topics_and_enter_opens_them(tmp_path: Path) -> None:
    journal = make_journal(tmp_path)
    session = journal.sessions.plan_session(dt.datetime(2026, 11, 18, 17, 30), title="Kick-off")
    journal.notes.add_note(session, "Ask about the Rebase workflow")
    topic = journal.backlog.add_topic("Rebase or merge?", category=Category.TECHNOLOGY)
    journal.backlog.set_topic_status(topic, TopicStatus.DROPPED)  # hidden by the filter
    app = RmpairApp(journal, home=journal.store.home, clock=FixedClock(NOW), watch_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        app.screen.query_one("#query", Input).insert_text_at_cursor("REBASE")
        await pilot.press("enter")
        await app.settle()
        await pilot.pause()
        table = app.screen.query_one("#hits", Table)
        rows = {cells[0]: cells for _key, cells in table.rows}
        assert set(rows) == {"shared note", "topic"}
        assert rows["shared note"][1] == "Kick-off, Wed 18 Nov 2026"
        assert rows["shared note"][2] == "Ask about the Rebase workflow"
        assert "2 hits" in str(app.screen.query_one("#search-summary", Static).render())
        # Enter on the note opens its session.
        table.move_to(next(k for k, c in table.rows if c[0] == "shared note"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and app.screen.session_id == session
        # Enter on the topic opens the backlog at it, although the filter hid it.
        await pilot.press("escape", "slash")
        app.screen.query_one("#query", Input).insert_text_at_cursor("rebase or")
        await pilot.press("enter")
        await app.settle()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, BacklogScreen)
        assert app.screen.table.cursor_key == topic
    journal.close()
