"""One device, many processes: the app stays open while commands run in other terminals.

Each writer holds the device's lock only while it writes, so nobody is refused; every
acknowledged entry survives, even when a writer is killed with SIGKILL mid-write.
Real processes on real files.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clocks import FROZEN, rmpair_command
from pairs import TwoDevices, log_files

from rmpair.clock import FixedClock
from rmpair.journal import Journal
from rmpair.model.records import Category, Role, Topic
from rmpair.store.files import read_log
from rmpair.store.home import Home

# A writer that adds topics one by one and says so after each one is saved.
WRITER = r"""
import sys
from pathlib import Path
from rmpair.store.home import Home
from rmpair.journal import Journal

folder, home, name, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for n in range(count):
    with Journal.open(folder, home=Home(home)) as journal:
        journal.add("topic", {"title": f"{name} {n}"})
    print(f"saved {name} {n}", flush=True)
"""


def env_for(home: Path, folder: Path) -> dict[str, str]:
    env = {**os.environ, "RMPAIR_HOME": str(home), "RMPAIR_JOURNAL": str(folder)}
    env["NO_COLOR"] = "1"
    return env


def titles_on_disk(journal_folder: Path, home: Path) -> list[str]:
    with Journal.open(journal_folder, home=Home(home)) as journal:
        return sorted(t.title for t in journal.all(Topic))


def test_commands_in_parallel_on_one_device_are_all_saved(two_devices: TwoDevices) -> None:
    a = two_devices.a
    home, folder = a.store.home.root, a.folder
    a.close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), str(home), name, "6"],
            env=env_for(home, folder),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two", "three")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.count("saved") == 6
    expected = sorted(f"{name} {n}" for name in ("one", "two", "three") for n in range(6))
    assert titles_on_disk(folder, home) == expected
    two_devices.a = Journal.open(folder, home=Home(home))
    # The partner gets all of them too, each once.
    two_devices.deliver(two_devices.a, two_devices.b)
    two_devices.b.refresh()
    assert sorted(t.title for t in two_devices.b.all(Topic)) == expected
    for path in two_devices.own_files(two_devices.a):
        ids = [c["id"] for c in read_log(path).changes]
        assert len(ids) == len(set(ids))


def test_a_writer_killed_at_any_moment_loses_no_acknowledged_entry(
    two_devices: TwoDevices,
) -> None:
    a = two_devices.a
    home, folder = a.store.home.root, a.folder
    a.close()
    rng = random.Random(7)
    acknowledged: list[str] = []
    for round_ in range(8):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), str(home), f"r{round_}", "50"],
            env=env_for(home, folder),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        # Once it is writing (its first entry saved, whatever the machine's load), kill
        # it at a random moment of its next writes.
        assert writer.stdout is not None
        first = writer.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.4))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=60)
        lines = [first, *out.splitlines()]
        acknowledged += [line.strip().removeprefix("saved ") for line in lines if line.strip()]
        # After every kill: every file is whole, and everything acknowledged is there.
        for path in (p for d in (folder / "devices").iterdir() for p in log_files(d)):
            read_log(path)
        on_disk = set(titles_on_disk(folder, home))
        assert set(acknowledged) <= on_disk
    assert len(acknowledged) > 8  # the writers got somewhere between the kills
    two_devices.a = Journal.open(folder, home=Home(home))


def test_a_waiting_writer_waits_and_says_so(tmp_path: Path) -> None:
    """Another process holds the lock for two seconds: a command waits, says so after a
    second, then saves."""
    home, folder = tmp_path / "home", tmp_path / "j"
    env = env_for(home, folder)
    done = subprocess.run(
        rmpair_command("init", str(folder), "--me", "Dana", "--role", "mentee", "--partner", "Sam"),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [lock] = list(home.rglob("lock"))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock\n"
            "with FileLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(2.5)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    done = subprocess.run(
        rmpair_command("topic", "add", "Git", "--category", "technology"),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    holder.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    assert "Waiting for another rmpair on this device" in done.stderr
    assert time.monotonic() - started >= 1.5
    assert titles_on_disk(folder, home) == ["Git"]


@pytest.mark.usefixtures("quick_pilot")
async def test_the_open_app_shows_what_a_command_in_another_terminal_saved(
    tmp_path: Path,
) -> None:
    from rmpair.screens.app import RmpairApp
    from rmpair.screens.backlog import BacklogScreen
    from rmpair.screens.table import Table

    home, folder = tmp_path / "home", tmp_path / "j"
    journal = Journal.init(
        folder,
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        home=Home(home),
    )
    journal.backlog.add_topic("From the app", category=Category.WORK)
    app = RmpairApp(
        journal,
        home=Home(home),
        clock=FixedClock(FROZEN),
        watch_interval=0.1,
    )
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("2")
        assert isinstance(app.screen, BacklogScreen)
        done = subprocess.run(
            rmpair_command("topic", "add", "From the terminal", "--category", "technology"),
            env=env_for(home, folder),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr  # not refused while the app is open
        for _ in range(80):
            await pilot.pause(0.05)
            if "From the terminal" in str(app.screen.query_one("#topics", Table).rows):
                break
        assert "From the terminal" in str(app.screen.query_one("#topics", Table).rows)
        # And the app can still save while the other command has come and gone.
        await app.settle()
    journal.backlog.add_topic("After both", category=Category.CULTURE)
    journal.close()
    assert titles_on_disk(folder, home) == ["After both", "From the app", "From the terminal"]


def test_the_device_lock_and_filelock_exclude_each_other(tmp_path: Path) -> None:
    """rmpair takes the lock without importing filelock (slow to import), but the same
    way on this system: an older rmpair, which used filelock, still waits for it."""
    from filelock import FileLock, Timeout

    from rmpair.store.locking import device_lock

    path = str(tmp_path / "lock")
    mine = device_lock(path)
    assert mine.acquire(timeout=0.1)
    assert not device_lock(path).acquire(timeout=0.1)
    with pytest.raises(Timeout):
        FileLock(path).acquire(timeout=0.1)
    mine.release()
    other = FileLock(path)
    other.acquire(timeout=1)
    assert not device_lock(path).acquire(timeout=0.1)
    other.release()
    again = device_lock(path)
    assert again.acquire(timeout=0.1)
    again.release()
    assert (tmp_path / "lock").stat().st_mode & 0o777 == 0o600
