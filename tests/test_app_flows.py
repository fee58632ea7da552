"""Each flow of the app driven with keys, checked in the journal afterwards.

Dana (mentee) runs the app on her device; Sam (mentor) is a second device (another
``Home``) writing into the same shared folder, as a synced folder would deliver it.
The app's clock is fixed, so countdowns and "held" checks do not depend on today.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rmpair.screens.app import RmpairApp
from rmpair.screens.backlog import BacklogScreen
from rmpair.screens.checklist import CheckList
from rmpair.screens.conflicts import ConflictsScreen, ResolveScreen
from rmpair.screens.footer import KeysFooter
from rmpair.screens.forms import FormScreen, InfoScreen
from rmpair.screens.help import HelpScreen
from rmpair.screens.run import RunScreen
from rmpair.screens.session import SessionScreen
from rmpair.screens.sessions import SessionsScreen
from rmpair.screens.table import Table
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from rmpair.clock import FixedClock
from rmpair.journal import Journal
from rmpair.model.records import (
    Category,
    Note,
    PrepItem,
    Role,
    Session,
    SessionStatus,
    Topic,
    TopicStatus,
)
from rmpair.store.home import Home

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # 13:00 in Berlin


@dataclass
class Pair:
    dana: Journal
    folder: Path
    tmp: Path

    def sam(self) -> Journal:
        """Sam's device on the same shared folder (opened on demand, closed by the test)."""
        return Journal.open(self.folder, home=Home(self.tmp / "sam"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Dana's and Sam's devices on one shared folder, built once and copied per test."""
    root = tmp_path_factory.mktemp("pair")
    dana = Journal.init(
        root / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(root / "dana"),
    )
    Journal.join(root / "shared", me="Sam", home=Home(root / "sam")).close()
    dana.close()
    return root


@pytest.fixture
def pair(template: Path, tmp_path: Path) -> Pair:
    for name in ("shared", "dana", "sam"):
        shutil.copytree(template / name, tmp_path / name)
    dana = Journal.open(tmp_path / "shared", home=Home(tmp_path / "dana"), hold_lock=True)
    return Pair(dana, tmp_path / "shared", tmp_path)


def typed(app: RmpairApp, text: str) -> None:
    """Type ``text`` into the focused field (as keys would, without a pause per key)."""
    focused = app.focused
    if isinstance(focused, Input):
        focused.insert_text_at_cursor(text)
    elif isinstance(focused, TextArea):
        focused.insert(text)
    else:
        raise AssertionError(f"nothing to type into: {focused}")


async def first_hit(app: RmpairApp, pilot: Pilot[None], wanted: str) -> None:
    """Wait until the command palette, which searches in the background, offers a
    first hit that mentions ``wanted`` (ten seconds at most)."""
    from textual.command import CommandList

    for _ in range(200):
        await pilot.pause(0.05)
        hits = app.screen.query_one(CommandList)
        if hits.option_count and wanted in str(hits.get_option_at_index(0).prompt):
            return
    raise AssertionError(f"the palette offers no {wanted!r} first")


pytestmark = pytest.mark.usefixtures("quick_pilot")


@pytest.fixture
async def running(pair: Pair) -> AsyncIterator[tuple[RmpairApp, Pilot[None], FixedClock]]:
    clock = FixedClock(NOW)
    app = RmpairApp(pair.dana, home=pair.dana.store.home, clock=clock, watch_interval=None)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        yield app, pilot, clock
    pair.dana.close()


async def settle(app: RmpairApp, pilot: Pilot[None]) -> None:
    await app.settle()
    await pilot.pause()


def text(app: RmpairApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def backlog_titles(journal: Journal) -> list[str]:
    return [t.title for t in journal.backlog.ordered()]


async def add_topic(app: RmpairApp, pilot: Pilot[None], title: str) -> None:
    await pilot.press("a")
    assert isinstance(app.screen, FormScreen)
    typed(app, title)
    await pilot.press("tab", "tab", "enter")  # past the category (kept) and the question
    await settle(app, pilot)


# -- backlog -------------------------------------------------------------------


async def test_backlog_add_reorder_filter_edit_and_send(
    pair: Pair, running: tuple[RmpairApp, Pilot[None], FixedClock]
) -> None:
    app, pilot, _clock = running
    journal = pair.dana
    session = journal.sessions.plan_session(dt.datetime(2026, 11, 27, 17, 30))
    await pilot.press("2")
    assert isinstance(app.screen, BacklogScreen)
    for title in ("Git", "Slack etiquette", "Hybrid meetings"):
        await add_topic(app, pilot, title)
    assert backlog_titles(journal) == ["Git", "Slack etiquette", "Hybrid meetings"]
    table = app.screen.query_one("#topics", Table)
    assert table.rows[table.cursor][1][1] == "Hybrid meetings"  # the new topic is selected

    await pilot.press("shift+up", "shift+up")
    await settle(app, pilot)
    assert backlog_titles(journal) == ["Hybrid meetings", "Git", "Slack etiquette"]
    assert [row[1][1] for row in table.rows] == backlog_titles(journal)
    assert table.rows[table.cursor][1][1] == "Hybrid meetings"  # the cursor moved with it
    await pilot.press("shift+down")
    await settle(app, pilot)
    assert backlog_titles(journal) == ["Git", "Hybrid meetings", "Slack etiquette"]

    # The same title twice: the journal's answer shows in the form, which stays open.
    await pilot.press("a", *"git", "enter")  # typed key by key
    await settle(app, pilot)
    assert isinstance(app.screen, FormScreen)
    assert "The backlog already has 'Git'" in text(app, "#form-error")
    await pilot.press("escape")
    assert len(journal.all(Topic)) == 3

    # Filter: technology only (every new topic kept the first category, technology).
    table.cursor = 0
    await pilot.press("f", "f")  # all -> technology -> work
    assert table.rows == [] and "0 topics · status: open · category: work" in text(app, "#filter")
    await pilot.press("f", "f", "f")  # culture, project, all
    assert len(table.rows) == 3 and text(app, "#filter").startswith("3 topics ·")

    # Edit the topic under the cursor (Git), then put it on the planned session.
    await pilot.press("e")
    field = app.screen.query_one("#field-title", Input)
    field.value = "Git basics"
    await pilot.press("enter")
    await settle(app, pilot)
    assert backlog_titles(journal)[0] == "Git basics"
    assert table.rows[0][1][1] == "Git basics"
    git_id = table.cursor_key
    assert git_id is not None
    await pilot.press("p", "enter")  # the only session offered
    await settle(app, pilot)
    git = journal.backlog.topic(git_id)
    assert git.status is TopicStatus.PLANNED
    assert table.cursor_key == git.id  # planned topics sort after the backlog; the cursor follows
    assert git.id in journal.sessions.session_topics(journal.sessions.find_session(session))
    assert "planned 27 Nov" in table.rows[table.row_index(git.id) or 0][1][3]


# -- sessions ---------------------------------------------------------------------------


async def test_plan_move_export_and_cancel_sessions(
    pair: Pair, running: tuple[RmpairApp, Pilot[None], FixedClock], tmp_path: Path
) -> None:
    app, pilot, _clock = running
    await pilot.press("3")
    assert isinstance(app.screen, SessionsScreen)
    await pilot.press("p")
    typed(app, "2026-13-01 10:00")
    await pilot.press("enter")
    assert "When: '2026-13-01 10:00' is not a date and time" in text(app, "#form-error")
    app.screen.query_one("#field-at", Input).value = "2026-11-27 17:30"
    await pilot.press("enter")
    await settle(app, pilot)
    (session,) = pair.dana.sessions.all()
    assert session.start == dt.datetime(2026, 11, 27, 17, 30)
    assert session.tz == "Europe/Berlin" and session.minutes == 60
    assert pair.dana.agenda.readiness(session.id)[Role.MENTEE][1] > 0  # checklists came with it

    await pilot.press("m")
    app.screen.query_one("#field-at", Input).value = "2026-11-28 09:00"
    await pilot.press("enter")
    await settle(app, pilot)
    moved = pair.dana.get(Session, session.id)
    assert moved is not None and moved.start == dt.datetime(2026, 11, 28, 9, 0)
    assert "(moved)" in app.screen.query_one("#sessions", Table).rows[0][1][2]

    # The calendar export runs on the journal's thread; the form closes when written.
    await pilot.press("e")
    target = tmp_path / "calendar.ics"
    app.screen.query_one("#field-path", Input).value = str(target)
    await pilot.press("enter")
    await settle(app, pilot)
    assert "BEGIN:VEVENT" in target.read_text(encoding="utf-8")
    assert not isinstance(app.screen, FormScreen)

    await pilot.press("x", "y")
    await settle(app, pilot)
    assert isinstance(app.screen, InfoScreen)
    await pilot.press("escape")
    cancelled = pair.dana.get(Session, session.id)
    assert cancelled is not None and cancelled.status is SessionStatus.CANCELLED


# -- one session -------------------------------------------------------------------------


async def open_session(app: RmpairApp, pilot: Pilot[None]) -> SessionScreen:
    await pilot.press("3", "enter")
    await pilot.pause()
    assert isinstance(app.screen, SessionScreen)
    return app.screen


async def test_session_prep_notes_learnings_actions_feedback(
    pair: Pair, running: tuple[RmpairApp, Pilot[None], FixedClock]
) -> None:
    app, pilot, _clock = running
    journal = pair.dana
    session = journal.sessions.plan_session(dt.datetime(2026, 11, 20, 10, 0))  # this morning
    journal.sessions.hold_session(session, now=NOW)
    screen = await open_session(app, pilot)

    # Prep: my items tick, my partner's do not.
    mine = screen.query_one("#prep-mine", CheckList)
    mine.focus()
    await pilot.press("down", "space")
    await settle(app, pilot)
    ticked = [p.text for p in journal.agenda.prep_items(session, Role.MENTEE) if p.done]
    assert ticked == [journal.agenda.prep_items(session, Role.MENTEE)[1].text]
    assert "1/" in str(mine.border_title)
    screen.query_one("#prep-partner", CheckList).focus()
    await pilot.press("space")
    await settle(app, pilot)
    assert not any(p.done for p in journal.all(PrepItem) if p.role is Role.MENTOR)

    # Notes: shared, then private (which never reaches the shared folder).
    await pilot.press("n")
    typed(app, "Ask about [the] wiki")
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    assert [n.text for n in journal.all(Note)] == ["Ask about [the] wiki"]
    area = screen.query_one("#note", TextArea)
    assert area.text == ""
    assert "Ask about [the] wiki" in text(app, "#notes")
    await pilot.press("ctrl+t")
    assert "PRIVATE" in str(area.border_title)
    typed(app, "Too shy to ask")
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    assert [n.text for n in journal.all(Note)] == ["Ask about [the] wiki"]
    assert [n.text for n in journal.notes.for_session(session) if n.private] == ["Too shy to ask"]
    assert "(private: only on this device)" in text(app, "#notes")
    for path in pair.folder.rglob("*.json"):
        assert "Too shy" not in path.read_text(encoding="utf-8")

    # A learning, an action item (with a date checked in the form), feedback.
    assert "shared" in str(area.border_title) and not area.has_focus  # the note is done
    await pilot.press("l")  # a learning
    typed(app, "Branches are cheap")
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    assert [lr.text for lr in journal.notes.learnings(session)] == ["Branches are cheap"]
    assert "Branches are cheap" in text(app, "#learnings")
    await pilot.press("a")
    typed(app, "Try rebase")
    due = app.screen.query_one("#field-due", Input)
    due.value = "2026-11-31"
    await pilot.press("ctrl+s")
    assert "Due: '2026-11-31' is not a date" in text(app, "#form-error")
    due.value = "2026-11-30"
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    (action,) = journal.notes.action_items()
    assert (action.text, action.owner, action.due) == (
        "Try rebase",
        Role.MENTEE,
        dt.date(2026, 11, 30),
    )
    screen.query_one("#actions", CheckList).focus()
    await pilot.press("space")
    await settle(app, pilot)
    assert journal.notes.action_items()[0].done
    await pilot.press("f", "ctrl+s")  # the suggested rating, 4 of 5
    await settle(app, pilot)
    assert [(f.role, f.rating) for f in journal.notes.feedback(session)] == [(Role.MENTEE, 4)]


async def test_mark_held_carries_over_what_was_not_covered(
    pair: Pair, running: tuple[RmpairApp, Pilot[None], FixedClock]
) -> None:
    app, pilot, _clock = running
    git = pair.dana.backlog.add_topic("Git", category=Category.TECHNOLOGY)
    slack = pair.dana.backlog.add_topic("Slack etiquette", category=Category.CULTURE)
    today = pair.dana.sessions.plan_session(dt.datetime(2026, 11, 20, 10, 0), topics=[git, slack])
    later = pair.dana.sessions.plan_session(dt.datetime(2026, 12, 4, 10, 0))
    await pilot.press("3")
    app.screen.query_one("#sessions", Table).move_to(today)
    await pilot.press("d")
    items = pair.dana.agenda.items(today)
    git_row = next(n for n, i in enumerate(items) if i.topic == git)
    await pilot.press(*["down"] * git_row, "space", "ctrl+s")
    await settle(app, pilot)
    assert isinstance(app.screen, InfoScreen)
    summary = str(app.screen.query_one("#info-text", Static).render())
    assert "Covered: Git." in summary
    assert "Carried over to the session on Fri 4 Dec 2026, 10:00–11:00: Slack etiquette." in summary
    await pilot.press("escape")
    held = pair.dana.get(Session, today)
    assert held is not None and held.status is SessionStatus.HELD
    assert slack in pair.dana.sessions.session_topics(pair.dana.sessions.find_session(later))
    covered = pair.dana.get(Topic, git)
    assert covered is not None and covered.status is TopicStatus.COVERED


async def test_run_mode_counts_down_the_current_item(
    pair: Pair, running: tuple[RmpairApp, Pilot[None], FixedClock]
) -> None:
    app, pilot, clock = running
    session = pair.dana.sessions.plan_session(dt.datetime(2026, 11, 20, 13, 0))  # 12:00 UTC: now
    first, second = pair.dana.agenda.items(session)[:2]
    await open_session(app, pilot)
    await pilot.press("r")
    screen = app.screen
    assert isinstance(screen, RunScreen)
    assert "Item 1 of" in text(app, "#run-item") and first.title in text(app, "#run-item")
    assert f"{first.minutes:02d}:00 left of {first.minutes} min" in text(app, "#run-item")
    assert "13:00:00" in text(app, "#run-clock")
    clock.set(NOW + dt.timedelta(minutes=first.minutes, seconds=30))
    screen.tick()
    assert f"! 00:30 over its {first.minutes} min" in text(app, "#run-item")
    await pilot.press("c")
    await settle(app, pilot)
    assert pair.dana.agenda.items(session)[0].covered
    await pilot.press("n")
    assert second.title in text(app, "#run-item")
    assert f"{second.minutes:02d}:00 left" in text(app, "#run-item")
    await pilot.press("escape")
    assert isinstance(app.screen, SessionScreen)


# -- agreement, conflicts ---------------------------------------------------------------


async def test_sign_the_agreement(
    pair: Pair, running: tuple[RmpairApp, Pilot[None], FixedClock]
) -> None:
    app, pilot, _clock = running
    await pilot.press("4")
    assert "Dana (mentee) (you): not signed yet" in text(app, "#signatures")
    await pilot.press("s", "y")
    await settle(app, pilot)
    view = pair.dana.agreement.view()
    mine = view.signatures[Role.MENTEE]
    assert mine is not None and mine.current
    assert "✓ Dana (mentee) (you): signed" in text(app, "#signatures")


async def test_resolve_a_conflict(pair: Pair) -> None:
    topic = pair.dana.backlog.add_topic("Git", category=Category.TECHNOLOGY)
    sam = pair.sam()
    sam.refresh()
    pair.dana.backlog.edit_topic(topic, title="Git for beginners")
    sam.backlog.edit_topic(topic, title="Git in depth")  # Sam has not seen Dana's edit yet
    sam.close()
    pair.dana.refresh()
    assert len(pair.dana.conflicts()) == 1
    app = RmpairApp(
        pair.dana, home=pair.dana.store.home, clock=FixedClock(NOW), watch_interval=None
    )
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("5")
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResolveScreen)
        values = {c.value for c in app.screen.view.choices}
        assert values == {"Git for beginners", "Git in depth"}
        keep = next(n for n, c in enumerate(app.screen.view.choices) if c.value == "Git in depth")
        await pilot.press("ab"[keep])
        await settle(app, pilot)
        assert pair.dana.conflicts() == []
        assert "No conflicts" in str(app.screen.query_one("#conflicts", Table).render_line(1))
    found = pair.dana.get(Topic, topic)
    assert found is not None and found.title == "Git in depth"
    pair.dana.close()
    sam = pair.sam()  # the choice syncs: Sam's device sees it settled too
    assert sam.conflicts() == [] and sam.backlog.topic(topic).title == "Git in depth"
    sam.close()


# -- live refresh ------------------------------------------------------------------------


async def test_partner_changes_show_up_without_losing_typing(pair: Pair) -> None:
    session = pair.dana.sessions.plan_session(dt.datetime(2026, 11, 27, 17, 30))
    app = RmpairApp(pair.dana, home=pair.dana.store.home, clock=FixedClock(NOW), watch_interval=0.1)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        await pilot.press("n", *"half")
        typed(app, " a thought")
        sam = pair.sam()
        sam.notes.add_note(session, "Bring the laptop")
        sam.agenda.tick_prep(session, [1])
        sam.close()
        for _ in range(60):  # up to about three seconds
            await pilot.pause(0.05)
            if "Bring the laptop" in text(app, "#notes"):
                break
        assert "Bring the laptop" in text(app, "#notes")
        partner = app.screen.query_one("#prep-partner", CheckList)
        assert "1/" in str(partner.border_title)
        area = app.screen.query_one("#note", TextArea)
        assert area.text == "half a thought" and area.has_focus
        await pilot.press(*" more")
        assert area.text == "half a thought more"
    pair.dana.close()


# -- keys, help, palette -------------------------------------------------------------------


async def test_the_mouse_switches_screens_and_picks_rows(
    pair: Pair, running: tuple[RmpairApp, Pilot[None], FixedClock]
) -> None:
    app, pilot, _clock = running
    pair.dana.backlog.add_topic("Git", category=Category.TECHNOLOGY)
    pair.dana.backlog.add_topic("Team rituals", category=Category.CULTURE)
    nav = text(app, "#nav")
    await pilot.click("#nav", offset=(nav.index("2 Backlog") + 1, 0))  # +1: the padding
    assert isinstance(app.screen, BacklogScreen)
    table = app.screen.query_one("#topics", Table)
    await pilot.click("#topics", offset=(10, 2))  # the heading, then the second row
    assert table.cursor_key == pair.dana.backlog.ordered()[1].id
    await pilot.click("#topics", offset=(10, 2), times=2)  # a double click edits it
    assert isinstance(app.screen, FormScreen)
    assert app.screen.query_one("#field-title", Input).value == "Team rituals"


async def test_the_footer_shows_each_screens_keys_and_a_click_presses_one(
    running: tuple[RmpairApp, Pilot[None], FixedClock],
) -> None:
    app, pilot, _clock = running

    def footer() -> str:
        return str(app.screen.query_one(KeysFooter).render())

    shown = footer()
    assert "n Next session" in shown and "? Keys" in shown
    assert shown.rstrip().endswith("^p Commands")  # the palette key at the right end
    await pilot.click(KeysFooter, offset=(shown.index("? Keys") + 1, 0))
    assert isinstance(app.screen, HelpScreen)
    assert "esc Close" in footer()  # the dialog's own keys
    await pilot.press("escape")
    await pilot.press("2")
    await pilot.pause()
    shown = footer()
    assert "a Add topic" in shown and "n Next session" not in shown
    await pilot.click(KeysFooter, offset=(shown.index("a Add topic") + 1, 0))
    assert isinstance(app.screen, FormScreen)
    await pilot.press("escape")
    await pilot.pause()
    # A click between keys presses nothing.
    await pilot.click(KeysFooter, offset=(footer().index("^p Commands") - 3, 0))
    assert isinstance(app.screen, BacklogScreen)


async def test_a_screen_shown_again_follows_the_terminal_back_to_its_size(
    running: tuple[RmpairApp, Pilot[None], FixedClock],
) -> None:
    """Screens stacked on each other miss resizes while out of sight; one of them shown
    again, busy for a moment while the terminal goes back to a size it saw before,
    still lays itself out for it (the footer on the last line, not off-screen)."""
    app, pilot, _clock = running
    from rmpair.screens.app import MAIN_SCREENS, build_screen

    assert app.ctx is not None
    await pilot.resize_terminal(80, 24)
    await pilot.pause()
    await app.push_screen(build_screen(MAIN_SCREENS["backlog"], app.ctx))
    await pilot.pause()
    await app.push_screen(build_screen(MAIN_SCREENS["sessions"], app.ctx))
    await pilot.pause()
    await pilot.resize_terminal(100, 32)
    await pilot.pause()
    app.pop_screen()
    await pilot.pause()
    app.screen.call_later(asyncio.sleep, 0.2)  # busy when the resize comes
    await pilot.resize_terminal(80, 24)
    await pilot.pause(0.5)
    footer = app.screen.query_one(KeysFooter).region
    assert (footer.y, footer.width) == (23, 80)


async def test_the_footer_tooltip_goes_with_the_mouse(
    running: tuple[RmpairApp, Pilot[None], FixedClock],
) -> None:
    app, pilot, _clock = running
    footer = app.screen.query_one(KeysFooter)
    shown = str(footer.render())
    await pilot.hover(KeysFooter, offset=(shown.index("^p Commands") + 1, 0))
    await pilot.pause()
    assert footer.tooltip == "Commands"
    await pilot.hover("#nav", offset=(1, 0))
    await pilot.pause()
    await pilot.hover(KeysFooter, offset=(shown.index("^p Commands") - 5, 0))  # a gap
    await pilot.pause()
    assert footer.tooltip is None


async def test_help_and_palette_show_every_action(
    running: tuple[RmpairApp, Pilot[None], FixedClock],
) -> None:
    app, pilot, _clock = running
    await pilot.press("2", "question_mark")
    assert isinstance(app.screen, HelpScreen)
    listed = str(app.screen.query_one("#help-text", Static).render())
    for key, what in (("a", "Add topic"), ("⇧↑", "Move up"), ("3", "Sessions"), ("?", "Keys")):
        assert any(key in line and what in line for line in listed.splitlines()), (key, what)
    await pilot.press("escape")
    assert isinstance(app.screen, BacklogScreen)
    await pilot.press("ctrl+p")
    typed(app, "add topic")
    await first_hit(app, pilot, "Add topic")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, FormScreen)
    await pilot.press("escape", "ctrl+p")
    typed(app, "go to sessions")
    await first_hit(app, pilot, "Sessions")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, SessionsScreen)


async def test_a_short_session_shows_its_fitted_agenda_and_a_nudge(
    pair: Pair, running: tuple[RmpairApp, Pilot[None], FixedClock]
) -> None:
    app, pilot, _clock = running
    pair.dana.sessions.plan_session(dt.datetime(2026, 11, 25, 10, 0), minutes=25)
    screen = await open_session(app, pilot)
    assert "Only 25 minutes: the agenda was shrunk to fit." in text(app, "#heading")
    assert str(screen.query_one("#agenda", CheckList).border_title) == "Agenda (25 of 25 min)"


async def test_the_backlog_counts_one_topic_as_one(
    running: tuple[RmpairApp, Pilot[None], FixedClock],
) -> None:
    """The line above the backlog counts its topics in words that agree: one topic is
    "1 topic", in German "1 Thema"."""
    app, pilot, _clock = running
    assert app.ctx is not None
    await settle(app, pilot)  # home's reads on the journal's thread are over
    with app.ctx.jobs.lock:
        app.ctx.journal.backlog.add_topic("Git", category=Category.TECHNOLOGY)
    await pilot.press("2")
    await settle(app, pilot)
    assert text(app, "#filter").startswith("1 topic · status: open"), text(app, "#filter")
    from rmpair.i18n import current_language, set_language

    before = current_language()
    set_language("de")
    try:
        app.screen.reload()
        assert text(app, "#filter").startswith("1 Thema · Status: "), text(app, "#filter")
    finally:
        set_language(before)
