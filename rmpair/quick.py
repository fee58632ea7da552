"""``rmpair status`` without opening the journal, when nothing changed since last time.

Opening the journal means importing the facade, the store and the domain model; for
the command people run most (and put in shell prompts) that is most of the cost. The
cache head keeps the status computed at the last full read together with the
listing of every file that read was based on. When a fresh listing of the shared
folder and of this device's replica is identical, that status is still the truth.
Any difference, a missing cache, another rmpair version: ``None``, and the caller
opens the journal as usual.

The app starts the same way: home as it was when the app last closed
(screens/start.py) is kept next to the cache, tied to a fingerprint of the stored
status, and shown again only while that status is still the truth.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rmpair import __version__
from rmpair.i18n import effective_language, set_language
from rmpair.store.cache import PartCache
from rmpair.store.home import Home
from rmpair.store.scan import listing_digest, scan

if TYPE_CHECKING:
    from rmpair.domain.nudges import Nudge, Nudges

CACHE_VERSION = 4  # bump with store.state_cache.CACHE_VERSION; checked in tests
EXPORTS_FILE = "exports.json"  # the calendar export's record, read by the nudges
HOME_SNAPSHOT_FILE = "app-home.json"  # the app's home from its last run, per device
HOME_SNAPSHOT_FORMAT = 1


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
    except (ValueError, TypeError):  # not a date, or one without its offset
        return True
    return report.get("exports") != exports_signature(local)


def stored_status_current(local: Path, now: dt.datetime) -> bool:
    """Whether ``local``'s cache holds a stored status that still holds at ``now`` as
    far as time and the calendar export go (the files are checked by ``cached_status``)."""
    head = PartCache(str(local / "cache")).quick()
    report = head.get("status") if head else None
    return isinstance(report, dict) and not status_expired(report, local, now)


def kept_nudges(
    local: Path, inputs: str, now: dt.datetime
) -> tuple[list[dict[str, str]], str, str] | None:
    """The nudges in the stored status of ``local``'s cache, with the moments between
    which they hold (``nudges_since``, ``valid_until``), if they were worked out from the
    same ``inputs`` (``Nudges.inputs``) and hold at ``now``: a change that touched none
    of what the nudges read (the partner setting the tandem's location) does not make
    every session and topic be read again."""
    head = PartCache(str(local / "cache")).quick()
    report = head.get("status") if head else None
    if not isinstance(report, dict) or report.get("nudge_inputs") != inputs:
        return None
    if status_expired(report, local, now):
        return None
    since = report.get("nudges_since")
    try:
        if not isinstance(since, str) or dt.datetime.fromisoformat(since) > now:
            return None
    except (ValueError, TypeError):  # not a date, or one without its offset
        return None
    status = report.get("status")
    nudges = status.get("nudges") if isinstance(status, dict) else None
    keys = ("key", "message", "why")
    if not isinstance(nudges, list) or not all(
        isinstance(n, dict) and all(isinstance(n.get(k), str) for k in keys) for n in nudges
    ):
        return None
    return [{k: n[k] for k in keys} for n in nudges], since, str(report["valid_until"])


def current_nudges(
    nudges: Nudges, local: Path, now: dt.datetime
) -> tuple[tuple[Nudge, ...], tuple[str | None, str | None, str | None]]:
    """The nudges at ``now``: the stored status's when what they read did not change
    (``kept_nudges``), else worked out; with what the status stores beside them
    (``nudge_inputs``, and ``nudges_since`` and ``valid_until`` when kept)."""
    from rmpair.domain.nudges import Nudge

    inputs = nudges.inputs()
    kept = kept_nudges(local, inputs, now) if inputs else None
    if kept is None:
        return tuple(nudges.current(now)), (inputs, None, None)
    found = tuple(Nudge(n["key"], n["message"], n["why"]) for n in kept[0])
    return found, (inputs, kept[1], kept[2])


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
    if listing_digest(shared) != head.get("expect_shared"):
        return None
    replica = {rel: sig for rel, (_, sig) in scan(local / "replica").items()}
    if listing_digest(replica) != head.get("expect_replica"):
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


def startup_language() -> None:
    """Speak this person's language for the journal they use, from the first help text
    on: ``RMPAIR_LANG``, else the tandem's language as the last stored status of
    ``RMPAIR_JOURNAL`` (or the last journal) remembers it, else the locale. Reading
    the status is cheap and never fails a command; opening the journal confirms it
    later (the command line's ``opened``)."""
    folder = os.environ.get("RMPAIR_JOURNAL")
    try:
        tandem_lang = stored_language(Path(folder) if folder else None)
    except (OSError, ValueError):
        tandem_lang = None
    set_language(effective_language(tandem_lang))


def snapshot_language() -> str:
    """The language override a home snapshot was drawn in (``RMPAIR_LANG``, or "")."""
    return os.environ.get("RMPAIR_LANG", "")


def status_fingerprint(report: dict[str, Any]) -> str:
    """A digest of a stored status report: every change to the journal moves it."""
    text = json.dumps(report, sort_keys=True, ensure_ascii=False, default=str)
    import hashlib  # here, not at the top: it loads OpenSSL, which 'rmpair status' never needs

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _home_snapshot_path(folder: Path, home: Home) -> Path | None:
    member = home.find_by_path(folder.expanduser().absolute())
    if member is None:
        return None
    return home.journal_dir(member.journal) / HOME_SNAPSHOT_FILE


def keep_home_snapshot(
    folder: Path, home: Home, snapshot: dict[str, Any], *, now: dt.datetime
) -> None:
    """Keep the app's ``snapshot`` of home for its next start, tied to the status the
    journal's cache now holds; call after ``Journal.close`` (which stores that status).

    ``snapshot`` carries ``format`` (``HOME_SNAPSHOT_FORMAT``), ``version``, ``lang``
    (``snapshot_language()``), ``encrypted`` and ``valid_until`` (ISO 8601), which
    ``kept_home_snapshot`` checks, and whatever else the app wants back.
    """
    from rmpair.store.files import atomic_write

    path = _home_snapshot_path(folder, home)
    if path is None:
        return
    report = cached_status(folder, home, now=now)
    if report is None:  # files changed since the journal read them: nothing to vouch for
        path.unlink(missing_ok=True)
        return
    data = {**snapshot, "fingerprint": status_fingerprint(report)}
    atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def kept_home_snapshot(folder: Path, home: Home, *, now: dt.datetime) -> dict[str, Any] | None:
    """The snapshot ``keep_home_snapshot`` kept for ``folder``, if the journal is provably
    unchanged since and the snapshot still holds at ``now`` in this rmpair version and
    language, with the stored status that vouched for it (``status_report``); else None."""
    path = _home_snapshot_path(folder, home)
    if path is None:
        return None
    try:
        data = json.loads(path.read_bytes())
        if (
            not isinstance(data, dict)
            or data.get("format") != HOME_SNAPSHOT_FORMAT
            or data.get("version") != __version__
            or data.get("lang") != snapshot_language()
            or data.get("encrypted") is not False
            or dt.datetime.fromisoformat(data["valid_until"]) <= now
        ):
            return None
        report = cached_status(folder, home, now=now)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if report is None or status_fingerprint(report) != data.get("fingerprint"):
        return None
    snapshot: dict[str, Any] = {**data, "status_report": report}  # what vouched for it
    return snapshot
