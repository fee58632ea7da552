"""Start the Textual app from the command line (imported only when the app is wanted).

``RMPAIR_APP_MARKS=FD`` is for the benchmark (benchmarks/bench_app.py): the app writes
a line to that file descriptor at each milestone, once it has been drawn: ``paint``
(the first screen), ``status`` (home shows the status the last command stored) and
``live`` (home shows everything it read from the journal), each with the CPU seconds
used so far, and quits after ``live``. Unset, nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from rmpair.clock import SYSTEM_CLOCK, Clock

MARKS = "RMPAIR_APP_MARKS"


def marks_to(fd: int) -> Callable[[str], None]:
    """Write each mark as a line to ``fd`` (the benchmark's pipe), with the CPU time
    the process has used so far (all threads; a measure, never a clock for the app)."""
    import time

    def mark(name: str) -> None:
        os.write(fd, f"{name} {time.process_time():.4f}\n".encode("ascii"))

    return mark


def run_app(folder: Path | None, clock: Clock = SYSTEM_CLOCK) -> None:
    """Open the app on ``folder``, the last used journal, or the first-run wizard.

    The journal is opened here, before the app owns the terminal (a passphrase can
    still be typed), the way a command opens it: only what a query needs is decoded
    (screens/opening.py). Home reads its texts on the journal's thread; meanwhile it
    shows the status the last command stored, when no file changed since, and home's
    snapshot from the last run for the rest (start.py). The journal is closed here
    afterwards, leaving a fresh snapshot for the next start.
    """
    import gc

    # Python's cycle collector would walk every object the start-up makes (the
    # journal's state, Textual's widgets) over and over: about a tenth of the CPU
    # until home shows the journal. It is paused until then; the app freezes what
    # the start left and turns it back on (RmpairApp.collector_paused).
    collecting = gc.isenabled()
    gc.disable()
    try:
        from rmpair.screens.opening import open_for_app

        from rmpair.store.home import Home

        home = Home()
        target = folder or home.last_journal()
        journal = open_for_app(target, home, clock) if target is not None else None

        from rmpair.screens import start
        from rmpair.screens.app import RmpairApp

        app = RmpairApp(
            journal,
            home=home,
            snapshot=start.first_sections(journal, clock.now()) if journal else None,
            clock=clock,
            marks=marks_to(int(os.environ[MARKS])) if os.environ.get(MARKS) else None,
            collector_paused=collecting,
        )
        try:
            app.run()
        finally:
            opened = app.journal
            if opened is not None:
                keep = None
                try:
                    keep = start.snapshot_of(opened, clock.now())
                finally:
                    opened.close()
                start.save(home, opened.folder, keep, clock.now())
    finally:
        if collecting:
            gc.enable()
