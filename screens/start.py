"""Home as it was when the app last closed: shown for what home has not read yet.

With five years of sessions, reading the next session's readiness, the open action
items and the backlog's mix takes longer than starting Textual. Home shows the
journal's stored status at once (home.py) and reads the rest on the journal's
thread; meanwhile those sections show what they showed at the end of the last run,
when the journal provably did not change since.

"Provably" is the check ``rmpair status`` relies on (rmpair/quick.py, which also keeps
and checks the snapshot; screens never touch files themselves): the files of
the shared folder and of this device's replica are exactly those the cache was
built from, and the stored status is still valid. The snapshot also keeps a
fingerprint of that stored status (every change moves some device's last change),
the version, the language and the moment it stops being true (a session starting
or ending, a new day). The benchmark (benchmarks/bench_app.py) counts start-up until
home shows what it read, not until this picture.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.errors import MarkupError
from rich.text import Text
from rmpair.screens.home import Sections, sections, status_of_report, status_sections

from rmpair import __version__
from rmpair.quick import HOME_SNAPSHOT_FILE as FILE
from rmpair.quick import HOME_SNAPSHOT_FORMAT as FORMAT
from rmpair.quick import keep_home_snapshot, kept_home_snapshot
from rmpair.quick import snapshot_language as _language
from rmpair.store.home import Home

if TYPE_CHECKING:
    from rmpair.journal import Journal

__all__ = ["FILE", "FORMAT", "first_sections", "load", "save", "sections_of", "snapshot_of"]


def snapshot_of(journal: Journal, now: dt.datetime) -> dict[str, Any]:
    """What home shows now, and until when that holds without a change in the journal."""
    from rmpair.clock import zone

    found = sections(journal, now)
    tandem = journal.tandem()
    where = zone(tandem.tz if tandem else "UTC")
    midnight = dt.datetime.combine(now.astimezone(where).date() + dt.timedelta(days=1), dt.time())
    until = min(journal.nudges.valid_until(now), midnight.replace(tzinfo=where))
    return {
        "format": FORMAT,
        "version": __version__,
        "lang": _language(),
        "encrypted": journal.store.encryption_wanted(),
        "valid_until": until.astimezone(dt.UTC).isoformat(),
        "texts": {name: text.markup for name, text in found.texts.items()},
        "next_start": found.next_start.isoformat() if found.next_start else None,
        "next_minutes": found.next_minutes,
    }


def save(home: Home, folder: Path, snapshot: dict[str, Any], now: dt.datetime) -> None:
    """Keep ``snapshot`` for the next start, tied to the status the journal's cache now
    holds; call after ``Journal.close`` (which stores that status)."""
    keep_home_snapshot(folder, home, snapshot, now=now)


def load(home: Home, folder: Path, now: dt.datetime) -> Sections | None:
    """Home as it was, if the journal is provably unchanged since; else None."""
    data = kept_home_snapshot(folder, home, now=now)
    return None if data is None else sections_of(data)


def first_sections(journal: Journal, now: dt.datetime) -> Sections | None:
    """What home can show in its first frame, before it reads the journal: the last
    run's picture when the journal is provably unchanged since (``load``); else the
    status the last command stored, when no file changed since it did (the other
    sections then say they are being read); else None. Either way home reads the rest
    with that status, so the first frame is never redrawn only to show the status."""
    shown = load(journal.store.home, journal.folder, now)
    if shown is not None:
        return shown
    try:
        found = status_sections(journal, now)
    except OSError:  # e.g. a full disk: home reads the status on its thread, and says so
        return None
    if found is None:
        return None
    status, shown = found
    shown.status = status
    return shown


def sections_of(data: dict[str, Any]) -> Sections | None:
    """Home's texts from a snapshot ``quick.kept_home_snapshot`` vouched for."""
    try:
        start = data.get("next_start")
        return Sections(
            # Without emoji codes: the texts are as home drew them (":tada:" typed into a
            # topic stays as typed), and Rich's table of codes is not loaded at start.
            texts={str(k): Text.from_markup(str(v), emoji=False) for k, v in data["texts"].items()},
            next_start=dt.datetime.fromisoformat(start) if start else None,
            next_minutes=int(data.get("next_minutes", 0)),
            status=status_of_report(data.get("status_report")),
        )
    except (ValueError, KeyError, TypeError, AttributeError, MarkupError):
        return None
