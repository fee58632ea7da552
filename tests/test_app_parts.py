"""The pieces under the screens: the facade methods added for them, the folder watcher,
home's start-up snapshot, the virtual table and the countdown text."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rmpair.screens import fmt, start
from rmpair.screens.table import Column, Table
from rmpair.screens.watch import FolderWatcher, listing
from textual.app import App, ComposeResult

from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.home import Home

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def make(tmp: Path, **kwargs: object) -> Journal:
    return Journal.init(
        tmp / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(tmp / "dana"),
        **kwargs,  # type: ignore[arg-type]
    )


# -- facade: progress and status(now) ---------------------------------------------------


def test_progress_counts_sessions_not_cancelled_and_days_left(tmp_path: Path) -> None:
    journal = make(tmp_path)  # six months from 2026-11-02: ends 2027-05-02
    first = journal.sessions.plan_session(dt.datetime(2026, 11, 3, 17, 30))
    dropped = journal.sessions.plan_session(dt.datetime(2026, 11, 10, 17, 30))
    journal.sessions.plan_session(dt.datetime(2026, 11, 24, 17, 30))
    journal.sessions.plan_session(dt.datetime(2026, 12, 15, 17, 30))
    journal.sessions.hold_session(first, now=NOW)
    journal.sessions.cancel_session(dropped, now=NOW)
    progress = journal.sessions.progress(NOW)
    assert (progress.number, progress.total, progress.held) == (2, 3, 1)
    # Six months from Mon 2 Nov 2026 end on May's first Monday, 3 May 2027.
    assert progress.days_left == (dt.date(2027, 5, 3) - dt.date(2026, 11, 20)).days
    after = journal.sessions.progress(dt.datetime(2027, 6, 1, tzinfo=dt.UTC))
    assert after.number == 1  # nothing ahead: as many as were held
    assert after.days_left is not None and after.days_left < 0
    journal.close()


def test_status_takes_the_moment_for_its_nudges(tmp_path: Path) -> None:
    journal = make(tmp_path)
    journal.sessions.plan_session(dt.datetime(2026, 11, 24, 17, 30))
    keys = {n.key for n in journal.status(NOW).nudges}
    assert "not-in-calendar" in keys  # a session ahead, never exported
    later = {n.key for n in journal.status(dt.datetime(2026, 12, 1, tzinfo=dt.UTC)).nudges}
    assert "not-in-calendar" not in later  # nothing ahead any more
    journal.close()


# -- the folder watcher ---------------------------------------------------------------------


def test_listing_covers_every_file_of_every_device(tmp_path: Path) -> None:
    devices = tmp_path / "devices"
    for rel in ("me/2026-11.json", "me/2026-11.sync-conflict-x.json", "sam/2026-11.json"):
        (devices / rel).parent.mkdir(parents=True, exist_ok=True)
        (devices / rel).write_text("{}")
    assert sorted(listing(devices)) == [
        "me/2026-11.json",
        "me/2026-11.sync-conflict-x.json",
        "sam/2026-11.json",
    ]


def test_watcher_reports_a_change_once_and_tells_own_logs_apart(tmp_path: Path) -> None:
    (tmp_path / "devices" / "me").mkdir(parents=True)
    own = tmp_path / "devices" / "me" / "2026-11.json"
    own.write_text("{}")
    watcher = FolderWatcher(tmp_path, "me", interval=0.01)
    own.write_text('{"more": 1}')  # a save here, or a command in another terminal
    changed = watcher.changes()
    assert changed is not None and changed.own_only
    assert watcher.changes() is None
    partner = tmp_path / "devices" / "sam" / "2026-11.json"
    partner.parent.mkdir()
    partner.write_text("{}")
    changed = watcher.changes()
    assert changed is not None and not changed.own_only
    assert not watcher.poll()
    assert not watcher.poll()
    partner.write_text('{"changed": true}')
    os.utime(partner, ns=(1, 1))  # even a same-size rewrite changes the signature
    assert watcher.poll()


# -- home's snapshot for a fast start ------------------------------------------------------


def test_snapshot_holds_until_the_journal_changes(tmp_path: Path) -> None:
    journal = make(tmp_path)
    now = dt.datetime.now(dt.UTC)  # the frozen test clock
    journal.sessions.plan_session(
        dt.datetime.combine(now.date() + dt.timedelta(days=30), dt.time(17))
    )
    home, folder = journal.store.home, journal.folder
    kept = start.snapshot_of(journal, now)
    journal.close()
    start.save(home, folder, kept, now)

    found = start.load(home, folder, now)
    assert found is not None
    assert "Sam (mentor) teaches Dana (mentee) (you)" in found.text("tandem", now).plain
    # The countdown is worked out when shown, not when saved.
    assert found.next_start is not None
    assert "in 4 days" in found.text("next", found.next_start - dt.timedelta(days=4, hours=1)).plain
    assert "in 3 days" in found.text("next", found.next_start - dt.timedelta(days=3, hours=1)).plain

    # The partner writes: the snapshot no longer vouches for the journal.
    sam = Journal.join(folder, me="Sam", home=Home(tmp_path / "sam"))
    sam.close()
    assert start.load(home, folder, now) is None


def test_snapshot_expires_and_refuses_other_versions(tmp_path: Path) -> None:
    journal = make(tmp_path)
    home, folder = journal.store.home, journal.folder
    now = dt.datetime.now(dt.UTC)
    kept = start.snapshot_of(journal, now)
    journal.close()
    start.save(home, folder, kept, now)
    assert start.load(home, folder, now) is not None
    assert start.load(home, folder, now + dt.timedelta(days=2)) is None  # a new day
    path = next(home.root.glob(f"journals/*/{start.FILE}"))
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "version": "0.0.0"}))
    assert start.load(home, folder, now) is None
    path.write_text("not json")
    assert start.load(home, folder, now) is None


# -- the virtual table -----------------------------------------------------------------------


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Table([Column("#", 4), Column("Topic"), Column("Age", 5)], id="t")


async def test_table_draws_visible_rows_and_keeps_the_cursor_on_its_row() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(Table)
        table.set_rows([(f"k{n}", (str(n), f"Topic {n}", "3 d")) for n in range(10_000)])
        table.focus()
        await pilot.press("end")
        assert table.cursor_key == "k9999"
        last = table.scrollable_content_region.height - 1
        assert "Topic 9999" in table.render_line(last).text
        assert table.render_line(0).text.split() == ["#", "Topic", "Age"]
        table.cursor = 5
        table.set_rows([(f"k{n}", (str(n), f"Topic {n}", "")) for n in range(10_000) if n != 2])
        assert table.cursor_key == "k5"  # the same row, now one place up
        table.set_rows([])
        assert table.cursor_key is None


def test_table_columns_share_the_width() -> None:
    table = Table([Column("#", 4), Column("Topic"), Column("When", 10), Column("Note")])
    widths = table.widths(80)
    assert widths[0] == 4 and widths[2] == 10
    assert widths[1] == widths[3] and sum(widths) + len(widths) + 1 <= 80


# -- texts ------------------------------------------------------------------------------------


@given(st.integers(min_value=-10 * 86400, max_value=10 * 86400), st.integers(1, 240))
def test_countdown_says_ahead_now_or_ago(offset: int, minutes: int) -> None:
    start_at = NOW + dt.timedelta(seconds=offset)
    text = fmt.countdown_to(start_at, minutes, NOW)
    if offset > 0:
        assert text.startswith("in ")
    elif -offset < minutes * 60:
        assert text == "now"
    else:
        assert text.endswith(" ago")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(30, "in 1 min"), (59 * 60, "in 59 min"), (3600, "in 1 h"), (86400 * 3, "in 3 days")],
)
def test_countdown_units(seconds: int, expected: str) -> None:
    assert fmt.countdown_to(NOW + dt.timedelta(seconds=seconds), 60, NOW) == expected
