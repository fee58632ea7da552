"""Noticing the partner's changes: a worker lists the journal folder about once a second.

The worker only *detects*: it compares file listings (size, time, inode, the same
cheap ``rmpair.store.scan`` the journal uses on every start) and posts ``Changed``. The
app then refreshes the journal on the journal's own thread (see ``base.Jobs``), so
the journal is never touched by two threads. No extra dependency, and it works the
same on network drives and in sync folders where change notifications are unreliable.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from rmpair.store.scan import Signature, scan

# This device's own log segments (see rmpair/store/files.py) and its checkpoint.
_OWN_LOG = re.compile(r"\d{4}-\d{2}(\.[1-9]\d{0,5})?\.json|checkpoint\.state")


def listing(devices: Path) -> dict[str, Signature]:
    """Every file below ``devices``: the partner's logs, a sync tool's conflict copies,
    and this device's own logs too, which a command typed in another terminal on this
    computer may have written. (A save made by the app itself finds nothing new when
    the journal reads again, so it shows nothing twice.)"""
    return {rel: sig for rel, (_path, sig) in scan(devices).items()}


class FolderWatcher:
    """Polls a journal's ``devices`` folder from a worker thread until stopped."""

    @dataclass
    class Changed(Message):
        """Files changed in the journal folder; ``own_only``: only this device's month
        logs, which the app's own saves also change (then only new entries matter)."""

        own_only: bool = False

    def __init__(self, folder: Path, own_device: str, interval: float = 1.0) -> None:
        self.devices = folder / "devices"
        self.own_device = own_device
        self.interval = interval
        self._stop = threading.Event()
        self._seen = listing(self.devices)

    def poll(self) -> bool:
        """List the folder again; True when something changed since the last look."""
        return self.changes() is not None

    def changes(self) -> Changed | None:
        """What changed since the last look, or None."""
        current = listing(self.devices)
        seen, self._seen = self._seen, current
        touched = {rel for rel in current.keys() | seen.keys() if current.get(rel) != seen.get(rel)}
        if not touched:
            return None
        prefix = self.own_device + "/"
        own = all(r.startswith(prefix) and _OWN_LOG.fullmatch(r[len(prefix) :]) for r in touched)
        return FolderWatcher.Changed(own_only=own)

    def run(self, post: Callable[[Message], object]) -> None:
        """The worker's loop: ``post`` is called with ``Changed`` (thread-safe in Textual)."""
        while not self._stop.wait(self.interval):
            try:
                changed = self.changes()
            except OSError:
                continue  # the folder is briefly away (a drive, a sync tool); look again
            if changed is not None:
                post(changed)

    def stop(self) -> None:
        self._stop.set()
