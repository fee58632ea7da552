"""Health checks of a journal folder, explained in plain words.

``examine`` looks at what the store found while opening the journal (damaged files,
conflict copies, a newer format), at what sync tools leave around the logs, at how
recently each device wrote, at clock stamps that lie in the future, and at whether
the folder looks shared at all. It only reads (opening the journal already folded
this device's conflict copies and rewrote its missing files); the command
``rmpair doctor`` prints the findings.

Clocks: the only thing this computer can observe about another device's clock is a
stamp that device issued from its own clock, compared with this computer's clock
now. A stamp far in the *past* says nothing (the device may simply have been
offline, and its files may arrive days later with fresh file times), so only stamps
in the future are reported. A stamp with counter 0 is a plain reading of the issuing
device's clock; stamps with a higher counter may merely continue a faster partner's
clock (see ``hlc.py``), so they do not make a device a suspect.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from rmpair.clock import epoch_seconds
from rmpair.i18n import N_, _, ngettext
from rmpair.store.files import ENCRYPTED_MAGIC, TEMP_PREFIX, LogFileError, parse_log
from rmpair.store.hlc import Stamp
from rmpair.store.problems import MISPLACED, OLDER_COPY, QUARANTINED, UNSHARED
from rmpair.store.scan import scan
from rmpair.store.syncfiles import FileRole, classify

if TYPE_CHECKING:
    from rmpair.domain.status import DeviceSeen
    from rmpair.journal import Journal
    from rmpair.store.problems import Problem

RECENT_S = 10.0  # a file changed this recently may still be being written
CLOCK_AHEAD_S = 10 * 60  # stamps further ahead of this computer's clock are reported
SILENT_DAYS = 60  # no change for longer while the programme runs: is that device syncing?


class Severity(StrEnum):
    """How much a finding needs the user: info needs nothing, the other two need a look."""

    INFO = "info"
    WARNING = "warning"
    PROBLEM = "problem"


_ORDER = {Severity.PROBLEM: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the doctor noticed; ``code`` is stable, ``message`` and ``advice`` are prose."""

    code: str
    severity: Severity
    message: str
    file: str = ""  # relative to the journal folder, with "/"; "" when not about one file
    advice: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "advice": self.advice,
        }


@dataclass(slots=True)
class Report:
    """Everything ``examine`` found about one journal folder."""

    journal: str
    folder: Path
    sync_tool: str | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def needs_user(self) -> bool:
        return any(f.severity is not Severity.INFO for f in self.findings)

    def to_json(self) -> dict[str, object]:
        return {
            "journal": self.journal,
            "folder": str(self.folder),
            "sync_tool": self.sync_tool,
            "needs_user": self.needs_user,
            "findings": [f.to_json() for f in self.findings],
        }


def examine(journal: Journal, *, now: float | None = None) -> Report:
    """Check ``journal``'s folder and this device's view of it.

    ``now`` (seconds since the epoch) defaults to the journal's clock.
    """
    at = epoch_seconds(journal.clock) if now is None else now
    tool = sync_tool(journal.folder)
    found = [
        *_store_findings(journal, at),
        *_read_only(journal),
        *_sync_files(journal, at),
        *_silent_devices(journal, at),
        *_clocks(journal, at),
        *_sharing(journal, tool),
        *_private_data(journal),
        *_conflicts(journal),
    ]
    found.sort(key=lambda f: (_ORDER[f.severity], f.code, f.file))
    return Report(journal.journal_id, journal.folder, tool, found)


# -- what the store found ------------------------------------------------------


def _person_of(journal: Journal, device: str) -> str:
    from rmpair.model.records import Device

    record = journal.get(Device, device)
    return record.person if record is not None and record.person else device


def _device_of(rel: str) -> str:
    """The device folder a shared file sits in (``devices/<device>/<name>``)."""
    parts = rel.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "devices" else ""


def _nothing_to_do() -> str:
    return _("Nothing to do: rmpair put this right by itself.")


def _store_findings(journal: Journal, now: float) -> Iterator[Finding]:
    """Give each problem the store reported while opening a code and a piece of advice."""
    for problem in journal.store.problems:
        yield _explain(journal, problem, now)


# Problems the store gives a code: the finding and its advice (translated when shown).
_CODED: dict[str, tuple[str, Severity, str]] = {
    QUARANTINED: (
        "quarantined-change",
        Severity.PROBLEM,
        N_(
            "That entry stays in the file but is never applied, so it cannot break the "
            "journal. It is applied by itself once a valid version of it arrives; if it "
            "stays, ask your partner to update rmpair and run 'rmpair doctor' there."
        ),
    ),
    OLDER_COPY: (
        "older-copy",
        Severity.INFO,
        N_("Nothing to do: every entry read before is kept."),
    ),
    MISPLACED: (
        "misplaced-copy",
        Severity.WARNING,
        N_(
            "Its entries are in the journal already. rmpair never changes another "
            "device's folder: remove the file by hand once you are sure it is a copy."
        ),
    ),
    UNSHARED: (
        "not-shared-yet",
        Severity.PROBLEM,
        N_(
            "Nothing is lost: the entries are saved on this computer. Make room on the "
            "disk or make the journal folder writable again; rmpair shares them by itself "
            "the next time it opens the journal."
        ),
    ),
}


def _explain(journal: Journal, problem: Problem, now: float) -> Finding:
    coded = _CODED.get(problem.code)
    if coded is not None:
        code, severity, advice = coded
        return Finding(code, severity, problem.message, problem.file, _(advice))
    if not problem.file:
        if problem.needs_user:
            return Finding(
                "damaged-local-copy",
                Severity.PROBLEM,
                problem.message,
                advice=_(
                    "This device's own copy of its entries is damaged. rmpair writes it again "
                    "from the shared folder when it can; if this stays, make a backup of the "
                    "journal folder and tell the people who maintain rmpair."
                ),
            )
        return Finding("repaired", Severity.INFO, problem.message, advice=_nothing_to_do())
    path = journal.folder / problem.file
    owner = _device_of(problem.file)
    if not problem.needs_user:
        if not path.exists():
            return Finding(
                "conflict-copy-folded",
                Severity.INFO,
                problem.message,
                problem.file,
                _("Nothing to do: its entries are in the journal and the copy was archived."),
            )
        if owner == journal.device_id and classify(path.name).role is FileRole.CANONICAL:
            return Finding(
                "repaired", Severity.INFO, problem.message, problem.file, _nothing_to_do()
            )
        return Finding(
            "conflict-copy-partner",
            Severity.INFO,
            problem.message,
            problem.file,
            _(
                "Nothing to do here: {person}'s rmpair removes it the next time it opens the "
                "journal. Do not delete it by hand before that."
            ).format(person=_person_of(journal, owner)),
        )
    try:
        raw = path.read_bytes()
    except OSError:
        raw = b""
    if raw.startswith(ENCRYPTED_MAGIC):
        # Locked (no passphrase in this run) or damaged: only the store can tell, and
        # its message says which.
        return Finding(
            "encrypted-file",
            Severity.PROBLEM,
            problem.message,
            problem.file,
            _(
                "This file is encrypted. Open the journal with its passphrase to read it; if "
                "the passphrase is right and this stays, the file is damaged and the last "
                "good copy of its entries is used."
            ),
        )
    try:
        log = parse_log(raw, path.name)
    except LogFileError:
        return _damaged(journal, problem, path, owner, now)
    if log.journal != journal.journal_id:
        return Finding(
            "foreign-file",
            Severity.WARNING,
            problem.message,
            problem.file,
            _(
                "This file belongs to a different journal. Move it out of this journal's "
                "folder; rmpair never reads or changes it."
            ),
        )
    if log.device == journal.device_id:
        return Finding(
            "conflict-copy-stuck",
            Severity.PROBLEM,
            problem.message,
            problem.file,
            _(
                "Its entries are already in the journal. Check that this folder can be written "
                "to, then run rmpair again to tidy it up, or delete the file yourself."
            ),
        )
    return Finding(
        "file-problem",
        Severity.PROBLEM,
        problem.message,
        problem.file,
        _("rmpair reads every other file as usual; move this one out of the journal folder."),
    )


def _damaged(journal: Journal, problem: Problem, path: Path, owner: str, now: float) -> Finding:
    try:
        fresh = now - path.stat().st_mtime < RECENT_S
    except OSError:
        fresh = False
    if fresh:
        return Finding(
            "damaged-file",
            Severity.WARNING,
            problem.message,
            problem.file,
            _(
                "The file changed a few seconds ago and may still be arriving. Wait until "
                "the sync tool is up to date, then run rmpair doctor again."
            ),
        )
    if owner == journal.device_id:
        advice = _(
            "rmpair writes this device's files again from its own copy; run rmpair again "
            "and check that the journal folder can be written to."
        )
    else:
        advice = _(
            "Nothing is lost on this device: the last good copy of {person}'s entries is "
            "used. {person}'s rmpair writes the file again the next time it opens the "
            "journal; if the damage keeps coming back, check the sync tool on both computers."
        ).format(person=_person_of(journal, owner))
    return Finding("damaged-file", Severity.PROBLEM, problem.message, problem.file, advice)


def _read_only(journal: Journal) -> Iterator[Finding]:
    store = journal.store
    newer = store.newer_schema_files()
    for reason in store.read_only_reasons:
        if reason == store.schema_reason:
            yield Finding(
                "newer-schema",
                Severity.PROBLEM,
                reason,
                newer[0] if newer else "",
                _(
                    "Install the newest rmpair on this computer; until then you can read the "
                    "journal here but not change it."
                ),
            )
        else:
            yield Finding(
                "read-only",
                Severity.PROBLEM,
                reason,
                advice=_(
                    "Until this is put right you can read the journal on this device but "
                    "not change it."
                ),
            )


# -- what sync tools leave -------------------------------------------------------

_JUNK = frozenset({".ds_store", "desktop.ini", "thumbs.db"})


def _sync_files(journal: Journal, now: float) -> Iterator[Finding]:
    """Temporary files next to the logs: a transfer under way, or one that never finished."""
    for rel, (where, _sig) in sorted(scan(journal.folder / "devices").items()):
        name = rel.rsplit("/", 1)[-1]
        if classify(name).role is not FileRole.TEMPORARY or name.casefold() in _JUNK:
            continue
        if name.startswith(".~lock."):
            continue  # an office program's lock file: nothing to do with syncing
        shown = f"devices/{rel}"
        if name.endswith(".icloud"):
            yield Finding(
                "not-downloaded",
                Severity.WARNING,
                _("{file} is kept in iCloud only and is not on this computer yet.").format(
                    file=shown
                ),
                shown,
                _(
                    "Its entries cannot be read until it is downloaded: choose 'Download Now' "
                    "for the journal folder in Finder, or keep it downloaded always."
                ),
            )
            continue
        try:
            age = now - os.stat(where).st_mtime
        except OSError:
            continue  # gone already: the transfer finished while we looked
        ours = name.startswith(TEMP_PREFIX)
        if age < RECENT_S:
            yield Finding(
                "sync-in-progress",
                Severity.WARNING,
                _("{file} is being written right now.").format(file=shown),
                shown,
                _(
                    "A sync tool (or rmpair) is still writing. Wait until the sync tool is up "
                    "to date, then run rmpair doctor again."
                ),
            )
        elif ours:
            yield Finding(
                "sync-leftover",
                Severity.INFO,
                _("{file} was left behind by an interrupted save.").format(file=shown),
                shown,
                _("It holds nothing that is not in the journal; you may delete it."),
            )
        else:
            yield Finding(
                "sync-leftover",
                Severity.INFO,
                _("{file} is an unfinished transfer of the sync tool.").format(file=shown),
                shown,
                _(
                    "rmpair ignores it. The sync tool removes it after a while; you may delete "
                    "it once the tool says it is up to date."
                ),
            )


# -- devices and clocks ---------------------------------------------------------------


def _today(journal: Journal, now: float) -> dt.date:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    tandem = journal.tandem()
    try:
        zone = ZoneInfo(tandem.tz) if tandem is not None else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return dt.datetime.fromtimestamp(now, tz=zone).date()


def _days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=n)


def _silent_devices(journal: Journal, now: float) -> Iterator[Finding]:
    """Devices that wrote nothing for a long time while the programme runs."""
    tandem = journal.tandem()
    if tandem is None or tandem.start is None or tandem.end is None:
        return
    today = _today(journal, now)
    if not tandem.start <= today <= tandem.end:
        return
    # Silence only counts from the programme's start: a journal set up early is not quiet.
    since = dt.datetime.combine(tandem.start, dt.time(), tzinfo=dt.UTC).timestamp()
    devices = [d for d in journal.devices() if d.device != journal.device_id]

    def quiet_days(device: DeviceSeen) -> int:
        last = device.last_change.timestamp() if device.last_change else since
        return int((now - max(last, since)) // 86400)

    active = {d.person.casefold() for d in devices if quiet_days(d) <= SILENT_DAYS}
    active.add(journal.me.casefold())
    for device in devices:
        days = quiet_days(device)
        if days <= SILENT_DAYS:
            continue
        label = device.label or device.device
        if device.person.casefold() in active:
            yield Finding(
                "device-idle",
                Severity.INFO,
                _("{person}'s device {label} has written nothing for {days}.").format(
                    person=device.person, label=label, days=_days(days)
                ),
                advice=_(
                    "{person} writes from another device meanwhile. If {label} is no longer "
                    "used, there is nothing to do."
                ).format(person=device.person, label=label),
            )
        else:
            yield Finding(
                "partner-silent",
                Severity.WARNING,
                _(
                    "Nothing has arrived from {person} ({label}) for {days}, while the "
                    "programme runs."
                ).format(person=device.person, label=label, days=_days(days)),
                advice=_(
                    "Ask {person} whether their sync tool is running and shares this folder, "
                    "and whether the sessions still happen."
                ).format(person=device.person),
            )


def _span(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 120:
        return ngettext("about {n} minute", "about {n} minutes", minutes).format(n=minutes)
    hours = round(seconds / 3600)
    if hours < 48:
        return ngettext("about {n} hour", "about {n} hours", hours).format(n=hours)
    days = round(seconds / 86400)
    return ngettext("about {n} day", "about {n} days", days).format(n=days)


def _clocks(journal: Journal, now: float) -> Iterator[Finding]:
    """Devices whose own clock issued stamps far ahead of this computer's clock."""
    state = journal.store.state
    limit_ms = int((now + CLOCK_AHEAD_S) * 1000)
    if all(int(s[:15]) <= limit_ms for s in state.last_by_device.values()):
        return  # the usual case: no need to decode the whole log
    ahead: dict[str, int] = {}
    for change in state.changes.values():
        stamp = Stamp.decode(change["hlc"])
        if stamp.wall_ms > limit_ms and stamp.counter == 0:
            ahead[stamp.device] = max(ahead.get(stamp.device, 0), stamp.wall_ms)
    if not ahead:
        # Only continued stamps are ahead; blame whoever holds the newest one.
        newest = max(state.last_by_device.items(), key=lambda kv: kv[1])
        ahead[newest[0]] = int(newest[1][:15])
    advice = _(
        "Turn on automatic time (network time) on both computers. Nothing is lost, and "
        "rmpair keeps the order of changes, but the times shown and which value wins an "
        "edit made on two devices at once follow the faster clock."
    )
    for device, wall_ms in sorted(ahead.items()):
        span = _span(wall_ms / 1000 - now)
        if device == journal.device_id:
            message = _(
                "This computer wrote entries stamped {span} later than its clock shows now: "
                "its clock was ahead then, or it has been set back since."
            ).format(span=span)
        else:
            message = _(
                "{person}'s device runs {span} ahead of this computer's clock (or this "
                "computer's clock is behind)."
            ).format(person=_person_of(journal, device), span=span)
        yield Finding("clock-ahead", Severity.WARNING, message, advice=advice)


# -- is the folder shared? ------------------------------------------------------------

# Marker files or folders that a sync tool keeps at the root of what it syncs.
_MARKERS: tuple[tuple[str, str], ...] = (
    (".stfolder", "Syncthing"),
    (".dropbox", "Dropbox"),
    (".dropbox.cache", "Dropbox"),
    (".sync", "Resilio Sync"),
    (".nextcloudsync.log", "Nextcloud"),
    (".owncloudsync.log", "ownCloud"),
)
# Folder names (compared case-insensitively) that the desktop clients create.
_NAMES: tuple[tuple[str, str], ...] = (
    ("dropbox", "Dropbox"),
    ("onedrive", "OneDrive"),
    ("nextcloud", "Nextcloud"),
    ("owncloud", "ownCloud"),
    ("google drive", "Google Drive"),
    ("googledrive", "Google Drive"),
    ("my drive", "Google Drive"),
    ("meine ablage", "Google Drive"),
    ("com~apple~clouddocs", "iCloud Drive"),
    ("icloud drive", "iCloud Drive"),
    ("iclouddrive", "iCloud Drive"),
    ("seafile", "Seafile"),
)


def _by_name(part: str) -> str | None:
    low = part.casefold()
    for name, tool in _NAMES:
        # "Dropbox (Personal)", "OneDrive - Firma", macOS's "GoogleDrive-me@x.org".
        if low == name or low.startswith((f"{name} ", f"{name}-", f"{name}_")):
            return tool
    return None


def sync_tool(folder: Path) -> str | None:
    """The sync tool that seems to share ``folder``, judged by markers and folder names."""
    candidates = [folder.absolute()]
    try:
        real = folder.resolve()
    except OSError:
        real = candidates[0]
    if real != candidates[0]:
        candidates.append(real)
    for path in candidates:
        for ancestor in (path, *path.parents):
            for marker, tool in _MARKERS:
                try:
                    if (ancestor / marker).exists():
                        return tool
                except OSError:
                    continue
    for path in candidates:
        for part in path.parts:
            named = _by_name(part)
            if named is not None:
                return named
    return None


def data_folder_risk(data_folder: Path, journal_folder: Path) -> str | None:
    """Why this device's own data folder (private notes, its copy) may be published,
    or None: it must never lie inside the journal folder or any synced folder."""
    try:
        inside = data_folder.resolve().is_relative_to(journal_folder.resolve())
    except OSError:
        inside = False
    if inside:
        return _(
            "This device's data folder {folder} lies inside the journal folder: your private "
            "notes would be shared with your partner."
        ).format(folder=data_folder)
    tool = sync_tool(data_folder)
    if tool is not None:
        return _(
            "This device's data folder {folder} lies inside a folder that {tool} syncs: your "
            "private notes would leave this computer."
        ).format(folder=data_folder, tool=tool)
    return None


def _private_data(journal: Journal) -> Iterator[Finding]:
    """This device's own data folder must stay on this computer and be readable by this
    user alone."""
    root = journal.store.home.root
    risk = data_folder_risk(root, journal.folder)
    if risk is not None:
        yield Finding(
            "data-folder-shared",
            Severity.PROBLEM,
            risk,
            advice=_(
                "Set RMPAIR_HOME to a folder outside every synced folder, move the data folder "
                "there, and delete the old one from the synced folder."
            ),
        )
    for folder in (root, journal.private_dir):
        try:
            loose = folder.stat().st_mode & 0o077
        except OSError:
            continue
        if loose:
            yield Finding(
                "data-folder-open",
                Severity.WARNING,
                _("Other users of this computer can read {folder}.").format(folder=folder),
                advice=_("Run: chmod 700 '{folder}' (rmpair keeps new files private).").format(
                    folder=folder
                ),
            )


def _sharing(journal: Journal, tool: str | None) -> Iterator[Finding]:
    if not journal.folder.is_dir():
        return  # already reported as read-only; guessing about sharing would only confuse
    writers = set(journal.store.state.last_by_device)
    people = {d.person.casefold() for d in journal.devices() if d.device in writers}
    tandem = journal.tandem()
    partner = tandem.name_of(journal.my_role.other) if tandem is not None else _("your partner")
    if tool is None and len(writers) <= 1:
        yield Finding(
            "not-shared",
            Severity.WARNING,
            _(
                "The journal folder looks like it is not shared yet: no sync tool was "
                "recognised for {folder}, and only this device has written to it."
            ).format(folder=journal.folder),
            advice=_(
                "Keep the journal inside a folder that your sync tool shares with {partner} "
                "(Syncthing, Nextcloud, Dropbox, OneDrive, Google Drive, iCloud Drive). If you "
                "share it another way, ignore this until {partner} has joined."
            ).format(partner=partner),
        )
    elif len(people) < 2:
        yield Finding(
            "partner-not-joined",
            Severity.INFO,
            _("{partner} has not joined the journal yet.").format(partner=partner),
            advice=_(
                "Once the sync tool has delivered the folder to {partner}, they run: "
                'rmpair join DIR --me "{partner}"'
            ).format(partner=partner),
        )


def _conflicts(journal: Journal) -> Iterator[Finding]:
    n = len(journal.conflicts())
    if n:
        yield Finding(
            "open-conflicts",
            Severity.INFO,
            ngettext(
                "{n} field was changed on two devices at the same time; both values are kept.",
                "{n} fields were changed on two devices at the same time; both values are kept.",
                n,
            ).format(n=n),
            advice=_("rmpair status lists them; choose the value to keep when it suits you."),
        )
