"""Health checks of a journal folder, explained in plain words.

``examine`` looks at what the store found while opening the journal (damaged files,
conflict copies, a newer format), at what sync tools leave around the logs, at how
recently each device wrote, at clock stamps that lie in the future, and at whether
the folder looks shared at all. It only reads (opening the journal already folded
this device's conflict copies and rewrote its missing files); the command
``rmpair doctor`` prints the findings. The checks of single files are in
``doctor_files``, the ``Finding`` and ``Report`` types in ``doctor_report``.

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
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rmpair.clock import epoch_seconds
from rmpair.doctor.files import person_of, read_only, store_findings, sync_files
from rmpair.doctor.report import Finding, Report, Severity
from rmpair.i18n import _, ngettext
from rmpair.store.hlc import Stamp

if TYPE_CHECKING:
    from rmpair.domain.status import DeviceSeen
    from rmpair.journal import Journal

CLOCK_AHEAD_S = 10 * 60  # stamps further ahead of this computer's clock are reported
SILENT_DAYS = 60  # no change for longer while the programme runs: is that device syncing?

_ORDER = {Severity.PROBLEM: 0, Severity.WARNING: 1, Severity.INFO: 2}


def examine(journal: Journal, *, now: float | None = None) -> Report:
    """Check ``journal``'s folder and this device's view of it.

    ``now`` (seconds since the epoch) defaults to the journal's clock.
    """
    at = epoch_seconds(journal.clock) if now is None else now
    tool = sync_tool(journal.folder)
    found = [
        *store_findings(journal, at),
        *read_only(journal),
        *sync_files(journal, at),
        *_silent_devices(journal, at),
        *_clocks(journal, at),
        *_sharing(journal, tool),
        *_private_data(journal),
        *_conflicts(journal),
    ]
    found.sort(key=lambda f: (_ORDER[f.severity], f.code, f.file))
    return Report(journal.journal_id, journal.folder, tool, found)


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
            ).format(person=person_of(journal, device), span=span)
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
