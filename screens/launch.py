"""Start the Textual app from the command line (imported only when the app is wanted).

``RMPAIR_APP_MARKS=FD`` is for the benchmark (benchmarks/bench_app.py): the app writes
``paint`` to that file descriptor when its first screen has been drawn and ``live``
when home has been drawn from the journal, and then quits. Unset, nothing changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from rmpair.clock import SYSTEM_CLOCK, Clock

MARKS = "RMPAIR_APP_MARKS"


def marks_to(fd: int) -> Callable[[str], None]:
    """Write each mark as a line to ``fd`` (the benchmark's pipe)."""

    def mark(name: str) -> None:
        os.write(fd, name.encode("ascii") + b"\n")

    return mark


def run_app(folder: Path | None, clock: Clock = SYSTEM_CLOCK) -> None:
    """Open the app on ``folder``, the last used journal, or the first-run wizard.

    When home's snapshot from the last run still holds (start.py), the app paints it
    at once and opens the journal in a worker. Otherwise the journal is opened first,
    here, where a passphrase can still be typed in the terminal. Either way it holds
    this device's lock until the app ends, and is closed here afterwards, leaving a
    fresh snapshot for the next start.
    """
    from rmpair.screens.opening import Opening

    from rmpair.quick import kept_home_snapshot
    from rmpair.store.home import Home

    home = Home()
    target = folder or home.last_journal()
    kept = kept_home_snapshot(target, home, now=clock.now()) if target else None
    journal = None
    opening = Opening()
    if target is not None and kept is None:
        from rmpair.journal import Journal

        journal = Journal.open(target, home=home, hold_lock=True, clock=clock)
    elif target is not None:
        # Not encrypted (the snapshot says so): open it on a thread of its own, from
        # now on, while Textual is imported and starts.
        opening.start(home, target, clock)

    from rmpair.screens import start
    from rmpair.screens.app import RmpairApp

    snapshot = start.sections_of(kept) if kept else None

    app = RmpairApp(
        journal,
        home=home,
        folder=target,
        snapshot=snapshot,
        clock=clock,
        marks=marks_to(int(os.environ[MARKS])) if os.environ.get(MARKS) else None,
        opening=opening,
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
