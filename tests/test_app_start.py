"""The app's start: home shows the journal itself, read on the journal's thread, and
the picture from the last run (home's snapshot) only until then."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from rmpair.screens import start
from rmpair.screens.app import RmpairApp
from rmpair.screens.home import sections
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


async def home_stages(journal: Journal, **kwargs: object) -> dict[str, str]:
    """What home says at each stage the app reaches (the benchmark's marks: "paint",
    "status", "live"; the app quits after "live"), the journal closed afterwards."""
    seen: dict[str, str] = {}
    app: RmpairApp

    def mark(stage: str) -> None:
        seen[stage] = home_text(app)

    app = RmpairApp(
        journal,
        home=journal.store.home,
        clock=FixedClock(NOW),
        watch_interval=None,
        marks=mark,
        **kwargs,  # type: ignore[arg-type]
    )
    async with app.run_test(size=(100, 40)):
        for _ in range(1000):  # the app quits once home is live
            if "live" in seen:
                break
            await asyncio.sleep(0.01)
    journal.close()
    return seen


def changed_after_the_last_run(tmp: Path) -> Journal:
    """A journal the app last closed, then changed by a command ("Book the room"),
    opened again."""
    journal = make(tmp)
    home, folder = journal.store.home, journal.folder
    keep_snapshot(journal)
    again = Journal.open(folder, home=home, clock=FixedClock(NOW))
    again.notes.add_action("Book the room")
    again.close()
    return Journal.open(folder, home=home, clock=FixedClock(NOW))


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

    journal = Journal.open(folder, home=home, clock=FixedClock(NOW))
    seen = await home_stages(journal, snapshot=snapshot)
    assert list(seen) == ["paint", "status", "live"]
    # The stored status is shown at once; the picture only where home has not read yet.
    assert "Sam (mentor) teaches Dana (mentee) (you)" in seen["status"]
    assert "from the last run" in seen["status"]
    assert "from the last run" not in seen["live"]
    assert "Backlog  0 open topics" in seen["live"]
    assert "Read the style guide" in seen["live"]
    assert "Tue 24 Nov 2026" in seen["live"]


async def test_home_shows_what_changed_since_the_last_run(tmp_path: Path) -> None:
    """The journal changed after the app last ran (a command in a shell): no picture;
    home shows the status that command stored at once, then all of it."""
    journal = changed_after_the_last_run(tmp_path)
    assert start.load(journal.store.home, journal.folder, NOW) is None  # no longer vouched
    seen = await home_stages(journal)
    assert list(seen) == ["paint", "status", "live"]
    assert "Sam (mentor) teaches Dana (mentee) (you)" in seen["status"]
    assert "Open action items (…)" in seen["status"]  # not read yet
    assert "Book the room" not in seen["status"]
    assert "Open action items (2)" in seen["live"]
    assert "Book the room" in seen["live"]


async def test_the_first_frame_shows_the_stored_status_when_the_picture_is_gone(
    tmp_path: Path,
) -> None:
    """As the app starts it (``start.first_sections``): the journal changed after the
    app last ran, so the first frame shows the status that change stored, and the
    sections not read yet say so; then all of it."""
    journal = changed_after_the_last_run(tmp_path)
    first = start.first_sections(journal, NOW)
    assert first is not None and first.status is not None
    assert "actions" not in first.texts  # read only once the app shows
    seen = await home_stages(journal, snapshot=first)
    assert list(seen) == ["paint", "status", "live"]
    assert "Sam (mentor) teaches Dana (mentee) (you)" in seen["paint"]
    assert "Open action items (…)" in seen["paint"]
    assert "Book the room" not in seen["paint"]
    assert "Open action items (2)" in seen["live"] and "Book the room" in seen["live"]


def test_the_first_frame_waits_when_this_device_cannot_write_its_settings(
    tmp_path: Path,
) -> None:
    """Checking the stored status notes the journal as the last one used; when that
    cannot be written (a full disk, here a folder where the file goes), the app still
    starts, and home reads the status on its thread instead (where errors are said)."""
    journal = changed_after_the_last_run(tmp_path)
    config = journal.store.home.root / "config.json"
    config.unlink(missing_ok=True)
    config.mkdir()
    assert start.first_sections(journal, NOW) is None
    journal.close()


async def test_without_a_stored_status_home_reads_everything_first(tmp_path: Path) -> None:
    """The partner's file arrived after the last close: nothing vouches for the stored
    status, so home shows nothing it did not read (no "status" stage)."""
    journal = make(tmp_path)
    home, folder = journal.store.home, journal.folder
    keep_snapshot(journal)
    sam = Journal.join(folder, me="Sam", home=Home(tmp_path / "sam"), clock=FixedClock(NOW))
    sam.close()
    journal = Journal.open(folder, home=home, clock=FixedClock(NOW))
    assert start.first_sections(journal, NOW) is None  # nothing to show before reading
    seen = await home_stages(journal, snapshot=start.load(home, folder, NOW))
    assert list(seen) == ["paint", "live"]
    assert "Sam (mentor), " in seen["live"]  # Sam's device, from the journal


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
    """Home is read on the journal's thread and the folder watched on another; every
    widget refresh (Textual's, which any change to a widget goes through) happens on
    the app's own thread."""
    journal = make(tmp_path)
    home, folder = journal.store.home, journal.folder
    keep_snapshot(journal)
    threads: set[str] = set()
    refresh = Widget.refresh

    def watched(self: Widget, *args: object, **kwargs: object) -> Widget:
        threads.add(threading.current_thread().name)
        return refresh(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Widget, "refresh", watched)
    journal = Journal.open(folder, home=home, clock=FixedClock(NOW))
    app = RmpairApp(
        journal,
        home=home,
        snapshot=start.load(home, folder, NOW),
        clock=FixedClock(NOW),
        watch_interval=0.05,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await app.settle()
        await pilot.press("r")  # a refresh: a job on the journal's thread
        await app.settle()
        await pilot.pause(0.2)  # the folder watcher lists the folder meanwhile
        assert "Read the style guide" in home_text(app)
    journal.close()
    assert threads == {threading.main_thread().name}
