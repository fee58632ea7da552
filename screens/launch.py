"""Start the Textual app from the command line (imported only when the app is wanted).

``RMPAIR_FIRST_PAINT_EXIT=1`` makes the app quit as soon as home has been drawn:
the benchmark (benchmarks/bench_app.py) times that.
"""

from __future__ import annotations

import os
from pathlib import Path

from rmpair.clock import SYSTEM_CLOCK, Clock

FIRST_PAINT_EXIT = "RMPAIR_FIRST_PAINT_EXIT"


def run_app(folder: Path | None, clock: Clock = SYSTEM_CLOCK) -> None:
    """Open the app on ``folder``, the last used journal, or the first-run wizard.

    When home's snapshot from the last run still holds (start.py), the app paints it
    at once and opens the journal in a worker. Otherwise the journal is opened first,
    here, where a passphrase can still be typed in the terminal. Either way it holds
    this device's lock until the app ends, and is closed here afterwards, leaving a
    fresh snapshot for the next start.
    """
    from rmpair.screens import start

    from rmpair.store.home import Home

    home = Home()
    target = folder or home.last_journal()
    snapshot = start.load(home, target, clock.now()) if target else None
    journal = None
    if target is not None and snapshot is None:
        from rmpair.journal import Journal

        journal = Journal.open(target, home=home, hold_lock=True, clock=clock)

    from rmpair.screens.app import RmpairApp

    app = RmpairApp(
        journal,
        home=home,
        folder=target,
        snapshot=snapshot,
        clock=clock,
        first_paint_exit=os.environ.get(FIRST_PAINT_EXIT) == "1",
    )
    try:
        app.run()
    finally:
        opened = app.final_journal()
        if opened is not None:
            keep = None
            try:
                keep = start.snapshot_of(opened, clock.now())
            finally:
                opened.close()
            start.save(home, opened.folder, keep, clock.now())
