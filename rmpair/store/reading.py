"""Reading the journal folder: the replica, then every device's files in the shared
folder, re-read only when their signature changed, and folded into the merged state.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from rmpair import __version__
from rmpair.errors import os_error_text
from rmpair.i18n import _, ngettext
from rmpair.store.crypto_format import MAGIC as ENCRYPTED_MAGIC
from rmpair.store.encryption import Locked, OtherJournal
from rmpair.store.files import SCHEMA, TEMP_PREFIX, LogFile, LogFileError, read_log
from rmpair.store.problems import MISPLACED, OLDER_COPY, FileInfo, LoadReport, Problem, admit
from rmpair.store.scan import Signature, scan
from rmpair.store.syncfiles import FileRole, classify
from rmpair.store.writing import WritingStore


class ReadingStore(WritingStore):
    """Reads the replica and the shared folder into the merged state."""

    def refresh(self) -> bool:
        """Re-read whatever changed in the shared folder; True if the state changed."""
        with self._operation():
            return self._refresh()

    def _refresh(self) -> bool:
        report = LoadReport()
        shared_files = scan(self.devices_dir)
        # Read first, and ask for a passphrase if an encrypted file needs one, so that a
        # wrong one stops everything before a single file is written.
        fetched = self._fetch_shared(shared_files)
        self._read_replica(scan(self.replica_dir), report)
        own_copies = self._read_shared(shared_files, fetched, report)
        if own_copies and self._can_write():
            self._fold(own_copies, report)
        self._republish(shared_files, report)
        if self.state.max_hlc:
            self.clock.observe(self.state.max_hlc)
        for problem in report.problems:
            if problem not in self._notices:
                self._notices.append(problem)
        self._check_schema()
        if report.new_changes:
            self._cache_dirty = True
        return report.new_changes > 0

    def _read_replica(self, files: dict[str, tuple[str, Signature]], report: LoadReport) -> None:
        for rel, (where, sig) in sorted(files.items()):
            info = self._replica.get(rel)
            if info is not None and info.sig == sig:
                continue
            path = Path(where)
            if classify(path.name).role is not FileRole.CANONICAL:
                if path.name.startswith(TEMP_PREFIX) and self._can_write():
                    with contextlib.suppress(OSError):  # left by a crash mid-write
                        path.unlink()
                        continue
                self._ignored_replica[rel] = sig
                continue
            try:
                log = read_log(path)
            except LogFileError as exc:
                # The shared copy or a later save will restore it; say so meanwhile.
                self._replica[rel] = FileInfo(sig, problem=str(exc))
                continue
            admitted, quarantined = admit(log, self._validate)
            self._replica[rel] = FileInfo(
                sig,
                schema=log.schema,
                device=log.device,
                period=log.period,
                quarantined=quarantined,
            )
            report.new_changes += self.state.apply_all(admitted)
            self._cache_dirty = True

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
            info = self._shared.get(rel)
            if info is not None and info.sig == sig:
                continue
            if classify(rel.rsplit("/", 1)[-1]).role in (FileRole.TEMPORARY, FileRole.OTHER):
                continue
            fetch(rel, where)
            raw = fetched[rel]
            if isinstance(raw, bytes) and raw.startswith(ENCRYPTED_MAGIC):
                encrypted.append(rel)
        if encrypted and self._keys is None and not self._refused:
            from rmpair.store.crypto_format import CryptoError, parse_header

            headers = []
            for rel in encrypted:
                raw = fetched[rel]
                assert isinstance(raw, bytes)
                try:
                    header = parse_header(raw)[0]
                except CryptoError:
                    continue  # reported as damaged when it is read
                if header.journal == self.member.journal:
                    headers.append(header)
            if headers:
                # Files read before count too: one altered header must not look like a
                # wrong passphrase.
                self._unlock(self._encrypted_headers() + headers)
        if self._keys is not None:
            # Files left unread for want of a passphrase are read now that there is one.
            for rel, info in self._shared.items():
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
        for rel, (where, sig) in sorted(files.items()):
            info = self._shared.get(rel)
            if rel not in fetched and info is not None and info.sig == sig:  # unchanged
                seen.add(rel)
                if self._own_stray(rel, info.device, info.period):
                    own_copies.append((rel, Path(where)))
                continue
            path = Path(where)
            kind = classify(path.name)
            if kind.role in (FileRole.TEMPORARY, FileRole.OTHER):
                if self._ignored.get(rel) != sig:
                    self._ignored[rel] = sig
                    self._cache_dirty = True
                continue
            seen.add(rel)
            self._cache_dirty = True
            raw = fetched.pop(rel, "")  # let go of each file's bytes once it is read
            if isinstance(raw, str):
                self._shared[rel] = FileInfo(sig, problem=raw or f"{path.name}: not read")
                continue
            encrypted = raw.startswith(ENCRYPTED_MAGIC)
            try:
                log = self._parse_shared(raw, path.name)
            except OtherJournal:
                log = None
            except Locked:
                problem = _("encrypted, and this journal was opened without its passphrase")
                self._shared[rel] = FileInfo(sig, problem, encrypted=True, locked=True)
                continue
            except LogFileError as exc:
                self._shared[rel] = FileInfo(sig, problem=str(exc), encrypted=encrypted)
                continue
            if log is None or log.journal != self.member.journal:
                self._shared[rel] = FileInfo(
                    sig, problem=_("belongs to another journal; it is left alone"), foreign=True
                )
                continue
            self._shared[rel] = FileInfo(
                sig,
                schema=log.schema,
                device=log.device,
                period=log.period,
                encrypted=encrypted,
            )
            admitted, quarantined = admit(log, self._validate)
            known_duplicates = len(self.state.duplicates)
            new = [c for c in admitted if self.state.apply(c)]
            altered = self.state.duplicates[known_duplicates:]
            if altered:
                why = _("holds another version of a change already read (altered after writing)")
                quarantined += tuple((cid, why) for cid in altered)
            if quarantined:
                self._shared[rel] = self._shared[rel]._replace(quarantined=quarantined)
            report.new_changes += len(new)
            if new and self._can_write():
                try:
                    self._add_to_replica(log, new)
                except OSError as exc:
                    # Read and shown all the same; the local copy is made at a later read.
                    self._shared.pop(rel, None)
                    report.problems.append(
                        Problem(
                            f"devices/{rel}",
                            _("no local copy of this file could be kept ({reason})").format(
                                reason=os_error_text(exc)
                            ),
                        )
                    )
            canonical = kind.role is not FileRole.CONFLICT_COPY and rel == (
                f"{log.device}/{log.period}.json"
            )
            if log.device == self.device.id and not canonical:
                if self._own_stray(rel, log.device, log.period):
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
            elif canonical and log.device != self.device.id:
                self._check_not_older(rel, log, report)
        for rel in list(self._shared):
            if rel not in seen:
                del self._shared[rel]
                self._cache_dirty = True
        for rel in list(self._ignored):
            if rel not in files:
                del self._ignored[rel]
                self._cache_dirty = True
        return own_copies

    def _own_stray(self, rel: str, device: str, period: str) -> bool:
        """A copy of this device's log inside this device's own folder (a sync tool's
        conflict copy): to be folded in and tidied away."""
        own = self.device.id
        return device == own and rel.startswith(own + "/") and rel != f"{own}/{period}.json"

    def _check_not_older(self, rel: str, log: LogFile, report: LoadReport) -> None:
        """Say so when a partner's file arrives older than what was read from it before
        (a restored backup, a sync rollback, a replayed copy): nothing is lost, since
        entries once read are kept, but the user should know."""
        replica = self.replica_dir / rel
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
        newest = max((i.schema for i in self._shared.values()), default=SCHEMA)
        message = _(
            "This journal was written by a newer rmpair (format {schema}); this version "
            "({version}) can only read it. Update rmpair to make changes."
        ).format(schema=newest, version=__version__)
        self.read_only_reasons = [r for r in self.read_only_reasons if "(format" not in r]
        self.schema_reason = message if newest > SCHEMA else None
        if newest > SCHEMA:
            self.read_only_reasons.append(message)

    def newer_schema_files(self) -> list[str]:
        """Shared files written in a newer format than this version writes, newest first."""
        newer = [(i.schema, rel) for rel, i in self._shared.items() if i.schema > SCHEMA]
        return [f"devices/{rel}" for _schema, rel in sorted(newer, reverse=True)]
