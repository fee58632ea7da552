"""The app's start: home shows the journal itself, read on the journal's thread, and
the picture from the last run (home's snapshot) only until then."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from rmpair.screens import start
from rmpair.screens.app import RmpairApp
from rmpair.screens.home import HomeScreen, sections
from rmpair.screens.opening import Opening
from rmpair.screens.start import StartScreen
from textual.widget import Widget
from textual.widgets import Static

from rmpair.clock import FixedClock
from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.home import Home

pytestmark = pytest.mark.usefixtures("quick_pilot")

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def make(tmp: Path) -> Journal:
    journal = Journal.init(
        tmp / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(tmp / "dana"),
        clock=FixedClock(NOW),
    )
    journal.sessions.plan_session(dt.datetime(2026, 11, 24, 17, 0))
    journal.notes.add_action("Read the style guide", due=dt.date(2026, 11, 18))
    return journal


def home_text(app: RmpairApp) -> str:
    return str(app.screen.query_one("#home-text", Static).render())


def keep_snapshot(journal: Journal) -> Path:
    """Close the journal as the app does, keeping home's snapshot; its file."""
    home, folder = journal.store.home, journal.folder
    kept = start.snapshot_of(journal, NOW)
    journal.close()
    start.save(home, folder, kept, NOW)
    return next(home.root.glob(f"journals/*/{start.FILE}"))


async def until(pilot: object, done: object, tries: int = 200) -> None:
    for _ in range(tries):
        if done():  # type: ignore[operator]
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]


def held_opening(folder: Path, home: Home) -> tuple[Opening, threading.Event]:
    """An opening that waits for ``release`` before it opens the journal."""
    release = threading.Event()
    opening = Opening()

    def run() -> None:
        release.wait(30)
        opening._run(home, folder, FixedClock(NOW))

    opening.started = True
    opening.done.clear()
    threading.Thread(target=run, daemon=True).start()
    return opening, release


async def test_the_picture_from_the_last_run_gives_way_to_the_journal(tmp_path: Path) -> None:
    journal = make(tmp_path)
    home, folder = journal.store.home, journal.folder
    path = keep_snapshot(journal)
    # A picture that no longer matches the journal (the check ties it to the journal's
    # files, so the only way to get one here is to paint over it).
    data = json.loads(path.read_text())
    data["texts"]["mix"] = "[b]Backlog[/b]  from the last run"
    path.write_text(json.dumps(data))
    snapshot = start.load(home, folder, NOW)
    assert snapshot is not None
    opening, release = held_opening(folder, home)

    app = RmpairApp(
        None,
        home=home,
        folder=folder,
        snapshot=snapshot,
        clock=FixedClock(NOW),
        watch_interval=None,
        opening=opening,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert "from the last run" in home_text(app)
        assert "Opening the journal" in str(app.screen.query_one("#opening", Static).render())
        release.set()
        await until(pilot, lambda: "from the last run" not in home_text(app))
        await app.settle()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        shown = home_text(app)
        assert "Backlog  0 open topics" in shown
        assert "Sam (mentor) teaches Dana (mentee) (you)" in shown
        assert "Read the style guide" in shown
        assert "Tue 24 Nov 2026" in shown or "24 Nov" in shown
    opened = app.final_journal()
    assert opened is not None
    opened.close()


async def test_home_shows_what_changed_since_the_last_run(tmp_path: Path) -> None:
    """The journal changed after the app last ran (a command in a shell): no picture,
    the journal is opened first, and home shows the change."""
    journal = make(tmp_path)
    home, folder = journal.store.home, journal.folder
    keep_snapshot(journal)
    again = Journal.open(folder, home=home, clock=FixedClock(NOW))
    again.notes.add_action("Book the room")
    again.close()
    assert start.load(home, folder, NOW) is None  # the snapshot no longer vouches

    journal = Journal.open(folder, home=home, hold_lock=True, clock=FixedClock(NOW))
    app = RmpairApp(journal, home=home, clock=FixedClock(NOW), watch_interval=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await app.settle()
        await pilot.pause()
        assert "Book the room" in home_text(app)
        assert "Open action items (2)" in home_text(app)
    journal.close()


async def test_home_reads_the_same_from_the_stored_status_as_from_the_journal(
    tmp_path: Path,
) -> None:
    """Home takes the journal's status (devices, nudges, problems) from what the last
    close stored when no file changed since; it must read exactly as computed."""
    journal = make(tmp_path)
    journal.agreement.answer_prerequisites({"voluntary": False})
    home, folder = journal.store.home, journal.folder
    journal.close()
    journal = Journal.open(folder, home=home, clock=FixedClock(NOW))
    from rmpair.quick import cached_status

    assert cached_status(folder, home, now=NOW) is not None  # the stored status holds
    stored = sections(journal, NOW)
    journal.close()
    # Any file change makes the stored status moot: home computes it.
    replica = next(home.root.glob("journals/*/replica"))
    (replica.parent / "cache").rename(replica.parent / "cache-gone")
    journal = Journal.open(folder, home=home, clock=FixedClock(NOW))
    assert cached_status(folder, home, now=NOW) is None
    computed = sections(journal, NOW)
    journal.close()
    assert {k: t.markup for k, t in stored.texts.items()} == {
        k: t.markup for k, t in computed.texts.items()
    }
    assert "Not both of you said you take part voluntarily." in stored.texts["nudges"].plain


async def test_widgets_are_only_touched_on_the_app_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal is opened and read on threads; every widget refresh (Textual's, which
    any change to a widget goes through) happens on the app's own thread."""
    journal = make(tmp_path)
    home, folder = journal.store.home, journal.folder
    keep_snapshot(journal)
    threads: set[str] = set()
    refresh = Widget.refresh

    def watched(self: Widget, *args: object, **kwargs: object) -> Widget:
        threads.add(threading.current_thread().name)
        return refresh(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Widget, "refresh", watched)
    opening = Opening()
    opening.start(home, folder, FixedClock(NOW))
    app = RmpairApp(
        None,
        home=home,
        folder=folder,
        snapshot=start.load(home, folder, NOW),
        clock=FixedClock(NOW),
        watch_interval=0.05,
        opening=opening,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await app.settle()
        await pilot.press("r")  # a refresh: a job on the journal's thread
        await app.settle()
        await pilot.pause(0.2)  # the folder watcher lists the folder meanwhile
        assert "Read the style guide" in home_text(app)
    opened = app.final_journal()
    assert opened is not None
    opened.close()
    assert threads == {threading.main_thread().name}
