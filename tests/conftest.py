"""Shared fixtures: every device is a separate ``Home`` with its own shared folder."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from clocks import FROZEN

# Tests read English unless they ask for German: the developer's own locale or
# RMPAIR_LANG must not change what a test sees. Set before anything imports rmpair.cli.app
# (which picks its language on import); subprocesses inherit it too.
for _key in ("RMPAIR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_key, None)
os.environ["LANG"] = "C.UTF-8"

from pairs import TwoDevices, make_two_devices  # noqa: E402

from rmpair.journal import Journal  # noqa: E402
from rmpair.model.records import Role  # noqa: E402
from rmpair.store.home import Home  # noqa: E402  (after the environment is neutral)


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    """Every test starts at the same instant (clocks.FROZEN), whatever today is: the
    suite must pass on any day. The clock ticks on from there, so waits still end."""
    import time_machine

    with time_machine.travel(FROZEN, tick=True):
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_real_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A test that forgets ``home=`` must never touch the real data folder."""
    old = os.environ.get("RMPAIR_HOME")
    os.environ["RMPAIR_HOME"] = str(tmp_path_factory.mktemp("default-home"))
    yield
    if old is None:
        os.environ.pop("RMPAIR_HOME", None)
    else:
        os.environ["RMPAIR_HOME"] = old


@pytest.fixture
def quick_pilot(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the app's tests: Pilot waits until the app is idle after every key, in slices
    of 20 ms; 10 ms slices tell idleness as well here, and save a third of the time.
    (Textual's private names: the patch does nothing if they change.)"""
    import textual._wait

    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 1 / 100, raising=False)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 1 / 100 / 20, raising=False)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    """One device's fresh journal: Alex (mentee) with Sam, from 2 Nov 2026, in Berlin."""
    opened = Journal.init(
        tmp_path / "j",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(tmp_path / "a"),
    )
    yield opened
    opened.close()


@pytest.fixture
def two_devices(tmp_path: Path) -> Iterator[TwoDevices]:
    pair = make_two_devices(tmp_path)
    yield pair
    for journal in (pair.a, pair.b):
        journal.close()
