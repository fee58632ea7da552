"""The doctor's checks of the files in the journal folder: the problems the store met
while opening it, a folder the journal cannot write to, and what sync tools leave.

Split from ``doctor`` because explaining a damaged, foreign or conflicting file is the
largest part of the doctor and needs nothing of the checks of devices and sharing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rmpair.doctor.report import Finding, Severity
from rmpair.i18n import N_, _
from rmpair.store.crypto_format import MAGIC as ENCRYPTED_MAGIC
from rmpair.store.files import TEMP_PREFIX, LogFileError, parse_log
from rmpair.store.problems import MISPLACED, OLDER_COPY, QUARANTINED, UNSHARED
from rmpair.store.scan import scan
from rmpair.store.syncfiles import FileRole, classify

if TYPE_CHECKING:
    from rmpair.journal import Journal
    from rmpair.store.problems import Problem

__all__ = ["person_of", "read_only", "store_findings", "sync_files"]

RECENT_S = 10.0  # a file changed this recently may still be being written


# -- what the store found ------------------------------------------------------


def person_of(journal: Journal, device: str) -> str:
    from rmpair.model.records import Device

    record = journal.get(Device, device)
    return record.person if record is not None and record.person else device


def _device_of(rel: str) -> str:
    """The device folder a shared file sits in (``devices/<device>/<name>``)."""
    parts = rel.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "devices" else ""


def _nothing_to_do() -> str:
    return _("Nothing to do: rmpair put this right by itself.")


def store_findings(journal: Journal, now: float) -> Iterator[Finding]:
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
            ).format(person=person_of(journal, owner)),
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
        ).format(person=person_of(journal, owner))
    return Finding("damaged-file", Severity.PROBLEM, problem.message, problem.file, advice)


def read_only(journal: Journal) -> Iterator[Finding]:
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


def sync_files(journal: Journal, now: float) -> Iterator[Finding]:
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
