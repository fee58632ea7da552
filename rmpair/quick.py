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

import datetime as dt
import os
from pathlib import Path
from typing import Any

from rmpair import __version__
from rmpair.i18n import effective_language
from rmpair.store.cache import PartCache
from rmpair.store.home import Home
from rmpair.store.scan import scan

CACHE_VERSION = 3  # bump with store.state_cache.CACHE_VERSION; checked in tests
EXPORTS_FILE = "exports.json"  # the calendar export's record, read by the nudges


def exports_signature(local: Path) -> list[int] | None:
    """Size and time of this device's calendar export record (``None``: not there)."""
    try:
        info = os.stat(local / EXPORTS_FILE)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def status_expired(report: dict[str, Any], local: Path, now: dt.datetime) -> bool:
    """Whether a stored status no longer holds at ``now`` with no file changed: its
    nudges depend on the time (a session passing) and on the calendar export record."""
    until = report.get("valid_until")
    if not isinstance(until, str):
        return True  # stored by a version without nudges
    try:
        if dt.datetime.fromisoformat(until) <= now:
            return True
    except ValueError:
        return True
    return report.get("exports") != exports_signature(local)


def stored_status_expired(local: Path, now: dt.datetime) -> bool:
    """``status_expired`` for the status stored in ``local``'s cache (False if none)."""
    head = PartCache(str(local / "cache")).quick()
    report = head.get("status") if head else None
    return isinstance(report, dict) and status_expired(report, local, now)


def cached_status(
    folder: Path | None, home: Home | None = None, *, now: dt.datetime
) -> dict[str, Any] | None:
    """The stored status report of ``folder`` (or the last journal), if still valid at
    ``now``."""
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
    if status_expired(head["status"], local, now):
        return None
    if head["status"].get("lang") != effective_language(report_language(head["status"])):
        return None  # its messages are in another language than this person's now
    home.remember(folder)
    report: dict[str, Any] = head["status"]
    return report


def report_language(report: dict[str, Any]) -> str | None:
    """The tandem's language in a stored status report, if it names one."""
    status = report.get("status")
    tandem = status.get("tandem") if isinstance(status, dict) else None
    lang = tandem.get("lang") if isinstance(tandem, dict) else None
    return lang if isinstance(lang, str) else None


def stored_language(folder: Path | None, home: Home | None = None) -> str | None:
    """The tandem's language as the last status stored for ``folder`` (or the last
    journal) recorded it, without opening the journal; None when unknown.

    Opening a journal reports file problems before the tandem can be read, so the
    command line sets the language from this first.
    """
    home = home or Home()
    folder = folder or home.last_journal()
    if folder is None:
        return None
    member = home.find_by_path(folder.expanduser().absolute())
    if member is None:
        return None
    head = PartCache(str(home.journal_dir(member.journal) / "cache")).quick()
    report = head.get("status") if head else None
    return report_language(report) if isinstance(report, dict) else None
