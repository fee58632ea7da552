"""Noticing the partner's changes: a worker lists the journal folder about once a second.

The worker only *detects*: it compares file listings (size, time, inode, the same
cheap ``rmpair.scan`` the journal uses on every start) and posts ``Changed``. The
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

from rmpair.scan import Signature, scan

_OWN_LOG = re.compile(r"\d{4}-\d{2}\.json")


def listing(devices: Path, own_device: str) -> dict[str, Signature]:
    """Every file below ``devices`` except this device's own month logs.

    This device's logs change with every save here; the journal already knows
    those changes. Anything else (the partner's logs, a sync tool's conflict copy of
    ours) may carry news.
    """
    prefix = own_device + "/"
    return {
        rel: sig
        for rel, (_path, sig) in scan(devices).items()
        if not (rel.startswith(prefix) and _OWN_LOG.fullmatch(rel[len(prefix) :]))
    }


class FolderWatcher:
    """Polls a journal's ``devices`` folder from a worker thread until stopped."""

    @dataclass
    class Changed(Message):
        """Another device's files changed in the journal folder."""

    def __init__(self, folder: Path, own_device: str, interval: float = 1.0) -> None:
        self.devices = folder / "devices"
        self.own_device = own_device
        self.interval = interval
        self._stop = threading.Event()
        self._seen = listing(self.devices, own_device)

    def poll(self) -> bool:
        """List the folder again; True when something changed since the last look."""
        current = listing(self.devices, self.own_device)
        changed = current != self._seen
        self._seen = current
        return changed

    def run(self, post: Callable[[Message], object]) -> None:
        """The worker's loop: ``post`` is called with ``Changed`` (thread-safe in Textual)."""
        while not self._stop.wait(self.interval):
            try:
                changed = self.poll()
            except OSError:
                continue  # the folder is briefly away (a drive, a sync tool); look again
            if changed:
                post(FolderWatcher.Changed())

    def stop(self) -> None:
        self._stop.set()
