"""The journal being opened on a thread of its own while the app starts.

Opening a journal of several years takes about as long as starting Textual, and
Textual's start waits for the terminal now and then. So launch.py starts the
opening before it even imports Textual, and the app picks the journal up in a
worker when it needs it. No Textual here: this module is imported first.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rmpair.clock import Clock
from rmpair.i18n import _
from rmpair.store.home import Home

if TYPE_CHECKING:
    from rmpair.journal import Journal


class Opening:
    """The journal, opened on a thread (``start``), for the app to take (``result``)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.done.set()  # until ``start`` there is nothing to wait for
        self.started = False
        self.journal: Journal | None = None
        self.error: BaseException | None = None

    def start(self, home: Home, folder: Path, clock: Clock) -> None:
        """Open ``folder`` on a new thread, holding this device's lock."""
        self.started = True
        self.done.clear()
        threading.Thread(
            target=self._run, args=(home, folder, clock), name="rmpair-open", daemon=True
        ).start()

    def _run(self, home: Home, folder: Path, clock: Clock) -> None:
        from rmpair.errors import UserError
        from rmpair.journal import Journal

        def no_prompt(_request: object) -> str | None:
            # The snapshot said "not encrypted"; nobody can type a passphrase under the app.
            raise UserError(_("The journal is encrypted now; quit and start rmpair again."))

        try:
            self.journal = Journal.open(
                folder, home=home, hold_lock=True, passphrase=no_prompt, clock=clock
            )
        except BaseException as exc:  # handed to whoever takes the result
            self.error = exc
        finally:
            self.done.set()

    def result(self) -> Journal:
        """The opened journal, once it is (raises what opening it raised)."""
        self.done.wait()
        if self.error is not None:
            raise self.error
        assert self.journal is not None
        return self.journal

    def wait(self, timeout: float = 60.0) -> Journal | None:
        """The journal once opened (or None), for launch.py to close after the app."""
        self.done.wait(timeout)
        return self.journal
