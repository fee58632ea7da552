"""Fixes a user notices in the app: the wizard's ctrl+s, its error line and kick-off,
and a new note that always starts shared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rmpair.screens.app import RmpairApp
from rmpair.screens.home import HomeScreen
from rmpair.screens.session import SessionScreen
from rmpair.screens.setup import SetupScreen
from textual.widgets import Input, Static, TextArea

from rmpair.clock import FixedClock
from rmpair.domain.session_times import start_utc
from rmpair.journal import Journal
from rmpair.model.records import Note, Role, Session
from rmpair.store.home import Home

pytestmark = pytest.mark.usefixtures("quick_pilot")

LATE_MORNING = dt.datetime(2026, 11, 16, 11, 0, tzinfo=dt.UTC)


async def test_the_wizard_saves_with_ctrl_s_shows_its_error_and_plans_ahead(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path / "home")
    clock = FixedClock(LATE_MORNING)
    app = RmpairApp(None, home=home, clock=clock, watch_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#new")
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        screen.query_one("#me", Input).value = "Dana"
        screen.query_one("#partner", Input).value = "Sam"
        screen.query_one("#end-date", Input).value = "2027-02-30"
        screen.query_one("#me", Input).focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        error = screen.query_one("#error", Static)
        assert "'2027-02-30' is not a date" in str(error.render())
        # The line is on screen, not below the fold of the long form.
        region = error.region
        assert region.height >= 1 and 0 <= region.y < 40 - 1, region
        # Today's 10:00 has passed at 11:00: the kick-off must not be planned there.
        screen.query_one("#start-date", Input).value = "2026-11-16"
        screen.query_one("#end-date", Input).value = "2027-05-16"
        screen.query_one("#tz", Input).value = "UTC"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "setup"])
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        journal = app.journal
        assert journal is not None
        starts = sorted(start_utc(s) for s in journal.all(Session))
        assert starts and starts[0] > clock.now()
    journal.close()


async def test_the_wizard_proposes_tomorrow_for_the_first_session(tmp_path: Path) -> None:
    app = RmpairApp(None, home=Home(tmp_path / "home"), clock=FixedClock(LATE_MORNING))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#new")
        assert app.screen.query_one("#start-date", Input).value == "2026-11-17"


async def test_after_a_private_note_the_next_note_starts_shared(tmp_path: Path) -> None:
    Journal.init(
        tmp_path / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(tmp_path / "dana"),
    ).close()
    journal = Journal.open(tmp_path / "shared", home=Home(tmp_path / "dana"), hold_lock=True)
    session = journal.sessions.plan_session(dt.datetime(2026, 11, 20, 10, 0))
    app = RmpairApp(journal, home=journal.store.home, clock=FixedClock(LATE_MORNING))
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(SessionScreen(app.ctx, session))  # type: ignore[arg-type]
        await pilot.pause()
        area = app.screen.query_one("#note", TextArea)
        await pilot.press("ctrl+t")  # private, and into the editor
        assert "PRIVATE" in str(area.border_title) and area.has_focus
        area.insert("Only for me")
        await pilot.press("ctrl+s")
        await app.settle()
        await pilot.pause()
        # The editor is left and says the next note is shared; n starts it.
        assert not area.has_focus and "shared" in str(area.border_title)
        await pilot.press("n")
        assert area.has_focus and area.text == ""
        area.insert("For both of us")
        await pilot.press("ctrl+s")
        await app.settle()
        await pilot.pause()
    assert [n.text for n in journal.all(Note)] == ["For both of us"]
    assert [n.text for n in journal.notes.for_session(session) if n.private] == ["Only for me"]
    journal.close()


async def test_wide_characters_keep_the_backlog_columns_and_checklists_indent(
    tmp_path: Path,
) -> None:
    from rich.cells import cell_len
    from rmpair.screens.backlog import BacklogScreen
    from rmpair.screens.checklist import CheckList, Item

    from rmpair.model.records import Category

    journal = Journal.init(
        tmp_path / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        home=Home(tmp_path / "dana"),
    )
    journal.backlog.add_topic("👩‍💻 Pairing with 中文 names", category=Category.CULTURE)
    journal.backlog.add_topic("Plain title", category=Category.CULTURE)
    app = RmpairApp(journal, home=journal.store.home, clock=FixedClock(LATE_MORNING))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BacklogScreen)
        lines = [screen.table.render_line(y).text for y in (1, 2)]
        # "culture" starts in the same terminal cell on both rows.
        starts = {cell_len(line[: line.index("culture")]) for line in lines}
        assert len(starts) == 1, lines
        # A checklist item that wraps continues under its text, not under the box.
        checks = CheckList("Prep", id="wrapped")
        await screen.mount(checks)
        checks.styles.width = 30
        checks.set_items([Item("k", "word " * 12, False)])
        await pilot.pause()
        rows = [checks.render_line(y).text for y in range(checks.size.height)]
        body = [r for r in rows if "word" in r]
        assert len(body) >= 2 and "[ ]" in body[0]
        box_at = body[0].index("[ ]")
        assert all(r[: box_at + 4].strip() == "" for r in body[1:]), body
    journal.close()


def test_the_footer_verb_and_counted_conflicts_read_right_in_german() -> None:
    from rmpair.i18n import translation_for

    german = translation_for("de")
    assert german.gettext("Open") == "Öffnen"  # the footer's "⏎ Öffnen", not "Offen"
    tail = " on both devices at once. rmpair shows one of them until you choose."
    one, many = "{n} value was changed" + tail, "{n} values were changed" + tail
    assert german.ngettext(one, many, 1).startswith("{n} Wert wurde")
    assert translation_for("en").ngettext(one, many, 1).startswith("{n} value was")
