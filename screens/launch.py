"""Start the Textual app from the command line (imported only when the app is wanted)."""

from __future__ import annotations

from pathlib import Path


def run_app(folder: Path | None) -> None:
    """Open the app on ``folder``, the last used journal, or the first-run setup."""
    from rmpair.screens.app import RmpairApp

    from rmpair.home import Home
    from rmpair.journal import Journal

    home = Home()
    target = folder or home.last_journal()
    journal = Journal.open(target, home=home, hold_lock=True) if target else None
    app = RmpairApp(journal, home=home)
    try:
        app.run()
    finally:
        if app.journal is not None:
            app.journal.close()
