"""Reading the journal folder: the replica, then every device's files in the shared
folder, re-read only when their signature changed, and folded into the merged state.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from rmpair import __version__
from rmpair.errors import os_error_text
from rmpair.i18n import _, ngettext
from rmpair.store.base import StoreCore
from rmpair.store.bulk import many_objects
from rmpair.store.cache import part_name
from rmpair.store.checkpoint import (
    CHECKPOINT_FILE,
    CheckpointError,
    Cover,
    decode_checkpoint,
)
from rmpair.store.crypto_format import MAGIC as ENCRYPTED_MAGIC
from rmpair.store.encryption import Keys, Locked, OtherJournal
from rmpair.store.files import (
    SCHEMA,
    TEMP_PREFIX,
    LogFile,
    LogFileError,
    fsync_dir,
    parse_log,
    read_log,
    segment_file,
)
from rmpair.store.locking import DeviceLock
from rmpair.store.merge import Change
from rmpair.store.problems import MISPLACED, OLDER_COPY, FileInfo, LoadReport, Problem, admit
from rmpair.store.scan import Signature, scan
from rmpair.store.syncfiles import FileRole, classify
from rmpair.store.writing import Writer


def _digest(data: bytes) -> str:
    return part_name(data)


class Reader:
    """Reads the replica and the shared folder into the merged state."""

    def __init__(self, core: StoreCore, lock: DeviceLock, keys: Keys, writer: Writer) -> None:
        self.core = core
        self.lock = lock
        self.keys = keys
        self.writer = writer
        # The replica files read in this refresh: bytes and header, so that a shared
        # file with the same bytes is not read (or hashed) a second time.
        self._seen_replica: dict[str, tuple[bytes, LogFile]] = {}
        self._covers: dict[str, Cover] = {}

    def refresh(self) -> bool:
        """Re-read whatever changed in the shared folder; True if the state changed."""
        with self.lock.operation():
            return self.refresh_locked()

    def refresh_locked(self) -> bool:
        with many_objects():
            return self._refresh()

    def _refresh(self) -> bool:
        report = LoadReport()
        self._seen_replica = {}
        shared_files = scan(self.core.devices_dir)
        # Read first, and ask for a passphrase if an encrypted file needs one, so that a
        # wrong one stops everything before a single file is written.
        fetched = self._fetch_shared(shared_files)
        self._covers = {}
        if not self.core._replica and not self.core._shared and len(self.core.state) == 0:
            # Nothing read yet (a new device, or no cache): start from a checkpoint.
            self._adopt_checkpoint(shared_files, report)
        self._read_replica(scan(self.core.replica_dir), report)
        own_copies = self._read_shared(shared_files, fetched, report)
        self._seen_replica = {}  # let go of the bytes
        if own_copies and self.lock.can_write():
            self.writer.fold(own_copies, report)
        self.writer.republish(shared_files, report)
        if self.core.state.max_hlc:
            self.core.clock.observe(self.core.state.max_hlc)
        for problem in report.problems:
            if problem not in self.core._notices:
                self.core._notices.append(problem)
        self._check_schema()
        if report.new_changes:
            self.core._cache_dirty = True
        return report.new_changes > 0

    def _read_replica(self, files: dict[str, tuple[str, Signature]], report: LoadReport) -> None:
        for rel, (where, sig) in sorted(files.items()):
            info = self.core._replica.get(rel)
            if info is not None and info.sig == sig:
                continue
            path = Path(where)
            if classify(path.name).role is not FileRole.CANONICAL:
                if path.name.startswith(TEMP_PREFIX) and self.lock.can_write():
                    with contextlib.suppress(OSError):  # left by a crash mid-write
                        path.unlink()
                        continue
                self.core._ignored_replica[rel] = sig
                continue
            try:
                raw = path.read_bytes()
            except OSError as exc:
                problem = _("{name}: cannot be read ({reason})").format(
                    name=path.name, reason=exc.strerror
                )
                self.core._replica[rel] = FileInfo(sig, problem=problem)
                continue
            covered = self._covered(rel, raw)
            admitted: list[Change]
            if covered is not None:
                log, admitted, quarantined = covered, [], self._covers[rel].quarantined
            else:
                try:
                    log = parse_log(raw, path.name)
                except LogFileError as exc:
                    # The shared copy or a later save will restore it; say so meanwhile.
                    self.core._replica[rel] = FileInfo(sig, problem=str(exc))
                    continue
                admitted, quarantined = admit(log, self.core._validate, self.core.state.knows)
            # A shared file with the very same bytes needs no second reading (a cold
            # start reads each file of the journal once, not twice).
            self._seen_replica[rel] = (raw, log._replace(changes=()))
            self.core._replica[rel] = FileInfo(
                sig,
                schema=log.schema,
                device=log.device,
                period=log.period,
                quarantined=quarantined,
                segment=log.segment,
            )
            report.new_changes += self.core.state.apply_all(admitted)
            self.core._cache_dirty = True

    def _fetch_shared(self, files: dict[str, tuple[str, Signature]]) -> dict[str, bytes | str]:
        """The bytes (or why they cannot be read) of every log to read in this refresh.

        If one of them is encrypted and this process has no key yet, the passphrase is
        asked for here, before anything is written.
        """
        fetched: dict[str, bytes | str] = {}

        def fetch(rel: str, where: str) -> None:
            try:
                fetched[rel] = Path(where).read_bytes()
            except OSError as exc:
                fetched[rel] = _("{name}: cannot be read ({reason})").format(
                    name=os.path.basename(where), reason=exc.strerror
                )

        encrypted: list[str] = []
        for rel, (where, sig) in files.items():
            info = self.core._shared.get(rel)
            if (info is not None and info.sig == sig) or self.core._ignored.get(rel) == sig:
                continue  # read, or found not to be a log by its name, and unchanged since
            if classify(rel.rsplit("/", 1)[-1]).role in (FileRole.TEMPORARY, FileRole.OTHER):
                continue
            fetch(rel, where)
            raw = fetched[rel]
            if isinstance(raw, bytes) and raw.startswith(ENCRYPTED_MAGIC):
                encrypted.append(rel)
        if encrypted and self.core._keys is None and not self.core._refused:
            from rmpair.store.crypto_format import CryptoError, parse_header

            headers = []
            for rel in encrypted:
                raw = fetched[rel]
                assert isinstance(raw, bytes)
                try:
                    header = parse_header(raw)[0]
                except CryptoError:
                    continue  # reported as damaged when it is read
                if header.journal == self.core.member.journal:
                    headers.append(header)
            if headers:
                # Files read before count too: one altered header must not look like a
                # wrong passphrase.
                self.keys.unlock_with(self.keys.encrypted_headers() + headers)
        if self.core._keys is not None:
            # Files left unread for want of a passphrase are read now that there is one.
            for rel, info in self.core._shared.items():
                if info.locked and rel not in fetched and rel in files:
                    fetch(rel, files[rel][0])
        return fetched

    def _read_shared(
        self,
        files: dict[str, tuple[str, Signature]],
        fetched: dict[str, bytes | str],
        report: LoadReport,
    ) -> list[tuple[str, Path]]:
        """Fold every readable file into the state; return this device's stray copies."""
        own_copies: list[tuple[str, Path]] = []
        seen = set()
        # The copies kept of what was read: each folder is synced once, at the end (a
        # copy lost in a crash is read again from the shared folder).
        synced: set[Path] = set()
        for rel, (where, sig) in sorted(files.items()):
            info = self.core._shared.get(rel)
            if rel not in fetched and info is not None and info.sig == sig:  # unchanged
                seen.add(rel)
                if self._own_stray(rel, info.device, info.canonical_name):
                    own_copies.append((rel, Path(where)))
                continue
            if rel not in fetched and self.core._ignored.get(rel) == sig:
                continue  # not a log by its name (a checkpoint, a sync tool's file): as before
            path = Path(where)
            kind = classify(path.name)
            if kind.role in (FileRole.TEMPORARY, FileRole.OTHER):
                if self.core._ignored.get(rel) != sig:
                    self.core._ignored[rel] = sig
                    self.core._cache_dirty = True
                continue
            seen.add(rel)
            self.core._cache_dirty = True
            raw = fetched.pop(rel, "")  # let go of each file's bytes once it is read
            if isinstance(raw, str):
                self.core._shared[rel] = FileInfo(sig, problem=raw or f"{path.name}: not read")
                continue
            encrypted = raw.startswith(ENCRYPTED_MAGIC)
            same_as_replica = False
            admitted: list[Change]
            try:
                plain = self.keys.plain_shared(raw, path.name)
                twin = self._seen_replica.get(rel)
                covered = self._covered(rel, plain) if twin is None else None
                if twin is not None and twin[0] == plain:
                    log, same_as_replica = twin[1], True  # read a moment ago
                elif covered is not None:
                    log, same_as_replica = covered, True
                else:
                    log = parse_log(plain, path.name)
            except OtherJournal:
                log = None
            except Locked:
                problem = _("encrypted, and this journal was opened without its passphrase")
                self.core._shared[rel] = FileInfo(sig, problem, encrypted=True, locked=True)
                continue
            except LogFileError as exc:
                self.core._shared[rel] = FileInfo(sig, problem=str(exc), encrypted=encrypted)
                continue
            if log is None or log.journal != self.core.member.journal:
                self.core._shared[rel] = FileInfo(
                    sig, problem=_("belongs to another journal; it is left alone"), foreign=True
                )
                continue
            self.core._shared[rel] = FileInfo(
                sig,
                schema=log.schema,
                device=log.device,
                period=log.period,
                encrypted=encrypted,
                segment=log.segment,
            )
            if covered is not None:
                admitted, quarantined = [], self._covers[rel].quarantined
                if self.lock.can_write() and rel not in self.core._replica:
                    with contextlib.suppress(OSError):  # kept at a later read otherwise
                        self.writer.add_to_replica(log, [], plain, sync_folder=False)
                        synced.add(self.core.replica_dir / log.device)
            elif same_as_replica:
                admitted, quarantined = [], self.core._replica[rel].quarantined
            else:
                admitted, quarantined = admit(log, self.core._validate, self.core.state.knows)
            known_duplicates = len(self.core.state.duplicates)
            new = [c for c in admitted if self.core.state.apply(c)]
            altered = self.core.state.duplicates[known_duplicates:]
            if altered:
                why = _("holds another version of a change already read (altered after writing)")
                quarantined += tuple((cid, why) for cid in altered)
            if quarantined:
                self.core._shared[rel] = self.core._shared[rel]._replace(quarantined=quarantined)
            report.new_changes += len(new)
            if new and self.lock.can_write():
                try:
                    self.writer.add_to_replica(
                        log, new, plain if not quarantined else None, sync_folder=False
                    )
                    synced.add(self.core.replica_dir / log.device)
                except OSError as exc:
                    # Read and shown all the same; the local copy is made at a later read.
                    self.core._shared.pop(rel, None)
                    report.problems.append(
                        Problem(
                            f"devices/{rel}",
                            _("no local copy of this file could be kept ({reason})").format(
                                reason=os_error_text(exc)
                            ),
                        )
                    )
            canonical = kind.role is not FileRole.CONFLICT_COPY and rel == log.segment_name()
            if log.device == self.core.device.id and not canonical:
                if self._own_stray(rel, log.device, log.segment_name()):
                    own_copies.append((rel, path))
                else:
                    # This device's entries in another device's folder (a swapped or
                    # misplaced file): read, but never removed from a folder not ours.
                    report.problems.append(
                        Problem(
                            f"devices/{rel}",
                            _(
                                "holds this device's entries but lies in another device's "
                                "folder; it was read and is left alone"
                            ),
                            code=MISPLACED,
                        )
                    )
            elif canonical and log.device != self.core.device.id and not same_as_replica:
                self._check_not_older(rel, log, report)
        for folder in synced:
            fsync_dir(folder)
        for rel in list(self.core._shared):
            if rel not in seen:
                del self.core._shared[rel]
                self.core._cache_dirty = True
        for rel in list(self.core._ignored):
            if rel not in files:
                del self.core._ignored[rel]
                self.core._cache_dirty = True
        return own_copies

    def _adopt_checkpoint(
        self, files: dict[str, tuple[str, Signature]], report: LoadReport
    ) -> None:
        """Start from a checkpoint (see checkpoint.py): the largest that passes the checks,
        since it most likely holds the most changes; only that one is checked in full."""
        candidates = []
        for rel, (where, sig) in files.items():
            folder, _sep, name = rel.rpartition("/")
            if name == CHECKPOINT_FILE and "/" not in folder:
                candidates.append((sig[0], rel, where, folder))
        for _size, rel, where, folder in sorted(candidates, reverse=True):
            try:
                plain = self.keys.plain_shared(Path(where).read_bytes(), CHECKPOINT_FILE)
                found = decode_checkpoint(plain, self.core.member.journal, self.core._validate)
            except (OSError, LogFileError):
                continue  # locked, damaged or another journal's: the logs are read
            except CheckpointError as exc:
                report.problems.append(Problem(f"devices/{rel}", str(exc)))
                continue
            if found is None or found.device != folder:
                continue
            if found.device == self.core.device.id:
                self.core._checkpointed = len(found.known)
            self.core.state = found.state(self.read_logs)
            self._covers = found.covers
            report.new_changes += len(found.known)
            return

    def _covered(self, rel: str, plain: bytes) -> LogFile | None:
        """The header of a log file whose every change the adopted checkpoint holds, if
        ``plain`` are the very bytes it was built from; None to read the file."""
        cover = self._covers.get(rel)
        if cover is None or cover.size != len(plain) or cover.digest != _digest(plain):
            return None
        if rel != f"{cover.device}/{segment_file(cover.period, cover.segment)}":
            return None  # only a device's own segments, under their own names
        log = LogFile(
            self.core.member.journal, cover.device, "", "", "", cover.period, cover.schema, ()
        )
        return log._replace(segment=cover.segment)

    def read_logs(self) -> Iterator[Change]:
        """Every change in this device's copies of the logs, and in shared logs it has
        no copy of: the full log of a state taken from a checkpoint (which keeps only
        the changes it holds)."""
        for rel, info in sorted(self.core._replica.items()):
            with contextlib.suppress(LogFileError):
                if info.problem is None:
                    yield from read_log(self.core.replica_dir / rel).changes
        for rel, info in sorted(self.core._shared.items()):
            if info.problem is None and rel not in self.core._replica:
                with contextlib.suppress(OSError, LogFileError):
                    raw = (self.core.devices_dir / rel).read_bytes()
                    yield from self.keys.parse_shared(raw, rel).changes

    def _own_stray(self, rel: str, device: str, canonical: str) -> bool:
        """A copy of this device's log inside this device's own folder (a sync tool's
        conflict copy): to be folded in and tidied away."""
        own = self.core.device.id
        return device == own and rel.startswith(own + "/") and rel != canonical

    def _check_not_older(self, rel: str, log: LogFile, report: LoadReport) -> None:
        """Say so when a partner's file arrives older than what was read from it before
        (a restored backup, a sync rollback, a replayed copy): nothing is lost, since
        entries once read are kept, but the user should know."""
        replica = self.core.replica_dir / rel
        if not replica.exists():
            return
        try:
            known = {c["id"] for c in read_log(replica).changes}
        except LogFileError:
            return
        missing = known - {c["id"] for c in log.changes}
        if missing:
            report.problems.append(
                Problem(
                    f"devices/{rel}",
                    ngettext(
                        "is older than what this device read from it before ({n} entry "
                        "missing): a restored backup or a sync rollback; nothing is lost, "
                        "and its device writes it again",
                        "is older than what this device read from it before ({n} entries "
                        "missing): a restored backup or a sync rollback; nothing is lost, "
                        "and its device writes it again",
                        len(missing),
                    ).format(n=len(missing)),
                    needs_user=False,
                    code=OLDER_COPY,
                )
            )

    def _check_schema(self) -> None:
        newest = max((i.schema for i in self.core._shared.values()), default=SCHEMA)
        message = _(
            "This journal was written by a newer rmpair (format {schema}); this version "
            "({version}) can only read it. Update rmpair to make changes."
        ).format(schema=newest, version=__version__)
        self.core.read_only_reasons = [r for r in self.core.read_only_reasons if "(format" not in r]
        self.core.schema_reason = message if newest > SCHEMA else None
        if newest > SCHEMA:
            self.core.read_only_reasons.append(message)

    def newer_schema_files(self) -> list[str]:
        """Shared files written in a newer format than this version writes, newest first."""
        newer = [(i.schema, rel) for rel, i in self.core._shared.items() if i.schema > SCHEMA]
        return [f"devices/{rel}" for _schema, rel in sorted(newer, reverse=True)]
