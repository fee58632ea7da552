"""Snapshots of home, backlog and a session at 80x24 and 120x40.

Everything on screen is fixed: the devices' ids and names (their ``device.json``),
the clock of every change (``clock_ms``), the app's clock (``NOW``), and the order
of records (distinct priorities, positions and times, so random ids never decide
it). Update with ``pytest tests/test_snapshots.py --snapshot-update`` and look at
the SVGs under ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from clocks import SteppingClock
from rmpair.screens.app import RmpairApp
from textual.pilot import Pilot

from rmpair.clock import FixedClock
from rmpair.journal import Journal
from rmpair.model.records import ActionItem, Category, Role, SessionKind
from rmpair.store.home import Home

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
SIZES = [(80, 24), (120, 40)]


pytestmark = pytest.mark.usefixtures("quick_pilot")


def fixed_device(root: Path, device: str, label: str) -> Home:
    root.mkdir(parents=True, exist_ok=True)
    (root / "device.json").write_text(json.dumps({"device": device, "label": label}))
    return Home(root)


def stepping_clock(start: dt.datetime) -> SteppingClock:
    """A minute later at every reading: stamps identical on every run."""
    return SteppingClock(start)


@dataclass(frozen=True)
class Words:
    """What the snapshot tandem wrote, in one language (the German tests use it too)."""

    lang: str
    devices: tuple[str, str]  # the labels of Dana's and Sam's devices
    topics: tuple[tuple[str, Category, str], ...]  # the first two are on the next session
    learnings: tuple[str, str]  # Dana's, Sam's
    note: str
    actions: tuple[str, str]  # Dana's (with a due date), Sam's (done)


ENGLISH = Words(
    "en",
    ("Dana's laptop", "Sam's desktop"),
    (
        ("Git for people who fear it", Category.TECHNOLOGY, "How do I undo a mistake?"),
        ("How the team uses Slack", Category.CULTURE, "What is rude, what is normal?"),
        ("Short-form video", Category.TECHNOLOGY, ""),
        ("What juniors expect from a lead", Category.WORK, ""),
        ("The new design system", Category.PROJECT, ""),
        ("Hybrid meetings that work", Category.WORK, ""),
    ),
    ("Juniors read a lot more than I thought.", "Seniors want the why before the how."),
    "We meet in the small room; Sam brings the laptop.",
    ("Install Git and make a first commit", "Send Dana the Slack guide"),
)


def build(root: Path, words: Words = ENGLISH) -> Journal:
    """Dana (mentee) and Sam three weeks in: a held kick-off, the next session prepared."""
    clock = stepping_clock(dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC))
    dana = Journal.init(
        root / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        lang=words.lang,
        home=fixed_device(root / "dana", "dana-laptop", words.devices[0]),
        clock=clock,
    )
    sam = Journal.join(
        root / "shared",
        me="Sam",
        home=fixed_device(root / "sam", "sam-desktop", words.devices[1]),
        clock=clock,
    )
    created = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    ids = [
        dana.backlog.add_topic(title, category=category, question=question, now=created)
        for title, category, question in words.topics
    ]
    kickoff = dana.sessions.plan_session(
        dt.datetime(2026, 11, 3, 17, 30),
        kind=SessionKind.KICKOFF,
    )
    upcoming = dana.sessions.plan_session(dt.datetime(2026, 11, 24, 17, 30), topics=ids[:2])
    dana.sessions.plan_session(dt.datetime(2026, 12, 15, 17, 30))
    dana.sessions.hold_session(kickoff, all_covered=True, now=NOW)
    dana.notes.add_learning(kickoff, words.learnings[0], NOW)
    dana.notes.add_note(kickoff, words.note, now=NOW)
    dana.notes.add_action(
        words.actions[0],
        session_id=kickoff,
        owner=Role.MENTEE,
        due=dt.date(2026, 11, 15),
        now=NOW,
    )
    dana.notes.add_action(words.actions[1], session_id=kickoff, owner=Role.MENTOR, now=NOW)
    dana.agenda.tick_prep(upcoming, _mine(dana, upcoming, Role.MENTEE)[:1])
    sam.refresh()
    sam.notes.add_learning(kickoff, words.learnings[1], NOW)
    sam.agenda.tick_prep(upcoming, _mine(sam, upcoming, Role.MENTOR)[:2])
    sam.notes.complete_action(next(a.id for a in sam.all(ActionItem) if a.owner is Role.MENTOR))
    sam.close()
    dana.refresh()
    return dana


def _mine(journal: Journal, session: str, role: Role) -> list[int]:
    return [n for n, p in enumerate(journal.agenda.prep_items(session), 1) if p.role is role]


def settled(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Before the picture: wait until the app has settled, then press each of ``keys``
    and wait again. The screens read the journal in workers; the picture is of what
    they read, never of a frame drawn while they were reading."""

    async def run(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, RmpairApp)
        await app.settle()
        for key in keys:
            await pilot.press(key)
            await app.settle()

    return run


@pytest.fixture
def app(tmp_path: Path) -> Iterator[RmpairApp]:
    journal = build(tmp_path)
    yield RmpairApp(journal, home=journal.store.home, clock=FixedClock(NOW), watch_interval=None)
    journal.close()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_home(app: RmpairApp, snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    assert snap_compare(app, run_before=settled(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_backlog(app: RmpairApp, snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    assert snap_compare(app, run_before=settled("2"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_session(app: RmpairApp, snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    assert snap_compare(app, run_before=settled("3", "enter"), terminal_size=size)
