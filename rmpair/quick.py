"""``rmpair status`` without opening the journal, when nothing changed since last time.

Opening the journal means importing the facade, the store and the domain model; for
the command people run most (and put in shell prompts) that is most of the cost. The
cache head keeps the status computed at the last full read together with the
listing of every file that read was based on. When a fresh listing of the shared
folder and of this device's replica is identical, that status is still the truth.
Any difference, a missing cache, another rmpair version: ``None``, and the caller
opens the journal as usual.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rmpair import __version__
from rmpair.cache import PartCache
from rmpair.home import Home
from rmpair.scan import scan

CACHE_VERSION = 2  # bump with store.CACHE_VERSION; checked in tests


def cached_status(folder: Path | None, home: Home | None = None) -> dict[str, Any] | None:
    """The stored status report of ``folder`` (or the last journal), if still valid."""
    home = home or Home()
    if folder is None:
        folder = home.last_journal()
        if folder is None:
            return None
    folder = folder.expanduser().absolute()
    member = home.find_by_path(folder)
    if member is None:
        return None
    local = home.journal_dir(member.journal)
    head = PartCache(str(local / "cache")).quick()
    if not head or head.get("status") is None:
        return None
    key = (head.get("version"), head.get("code"), head.get("journal"))
    if key != (CACHE_VERSION, __version__, member.journal):
        return None
    shared = {rel: sig for rel, (_, sig) in scan(folder / "devices").items()}
    if shared != head.get("expect_shared"):
        return None
    replica = {rel: sig for rel, (_, sig) in scan(local / "replica").items()}
    if replica != head.get("expect_replica"):
        return None
    home.remember(folder)
    report: dict[str, Any] = head["status"]
    return report
