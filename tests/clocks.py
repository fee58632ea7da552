"""The tests' time: one frozen "now" for every test, in this process and in the
``rmpair`` processes the tests start, whatever day the suite runs on.

In-process, ``conftest.py`` moves Python's clock to ``FROZEN`` for each test with
time-machine (it keeps ticking from there, so timeouts still work). A subprocess is
started under Debian's ``faketime`` at the same instant (``rmpair_command``). Tests
that need a different time hand the journal or the app ``rmpair.clock.FixedClock``
or one of the clocks below.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys

import pytest

# A Monday morning in Berlin, two weeks into the fixtures' programme (it starts on
# Mon 2 Nov 2026). Fixture dates are chosen relative to this instant.
FROZEN = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def _forget_dead_faketimes() -> None:
    """Remove what killed faketime wrappers left in /dev/shm.

    The wrapper makes a semaphore and a memory segment named after its process id and
    removes them when it exits normally; one killed by a signal (the Ctrl-C and kill
    tests do that) leaves them behind, and a later wrapper that gets the same process
    id then refuses to start ("sem_open: File exists").
    """
    shm = "/dev/shm"
    try:
        names = os.listdir(shm)
    except OSError:
        return
    for name in names:
        for prefix in ("sem.faketime_sem_", "faketime_shm_"):
            pid = name.removeprefix(prefix)
            if pid != name and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(shm, name))


def faketime_prefix(at: dt.datetime = FROZEN) -> list[str]:
    """The words that start a program with its clock at ``at`` (and ticking on)."""
    _forget_dead_faketimes()
    tool = shutil.which("faketime")
    if tool is None:
        message = "these tests start rmpair at a fixed time with faketime (apt install faketime)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # faketime reads the time in the local zone of the process it starts. A clock the
    # whole suite runs under (faketime around pytest) must not reach the child: it
    # gets its own, fixed one.
    local = at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return ["env", "-u", "LD_PRELOAD", "-u", "FAKETIME", tool, "-f", f"@{local}"]


def rmpair_command(*args: str, at: dt.datetime = FROZEN) -> list[str]:
    """``python -m rmpair ARGS`` as a real process whose clock starts at ``at``."""
    return [*faketime_prefix(at), sys.executable, "-m", "rmpair", *args]


class SteppingClock:
    """A minute later at every reading: stamps that are the same on every run."""

    def __init__(self, start: dt.datetime, step: dt.timedelta = dt.timedelta(minutes=1)) -> None:
        self.at = start
        self.step = step

    def now(self) -> dt.datetime:
        self.at += self.step
        return self.at

    def set(self, at: dt.datetime) -> None:
        """Jump ahead to ``at`` (never back: a device's clock only moves on here)."""
        self.at = max(self.at, at)


class OffsetClock:
    """The test's clock shifted by ``offset``: a device whose clock runs ahead or behind."""

    def __init__(self, offset: dt.timedelta) -> None:
        self.offset = offset

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset
