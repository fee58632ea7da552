"""Writing this device's files: its replica first, then the shared copy (republished
whenever it is missing, older or damaged), the local copies of partners' files, and
the tidying of conflict copies.

Only the owning device writes its files; every write is atomic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
from collections.abc import Sequence
from pathlib import Path

from rmpair.errors import NotSavedError, ReadOnlyError, os_error_text
from rmpair.i18n import _
from rmpair.store.base import StoreCore
from rmpair.store.cache import part_name
from rmpair.store.encryption import Keys
from rmpair.store.files import (
    SCHEMA,
    SEGMENT_BYTES,
    LogFile,
    LogFileError,
    atomic_write,
    encode_log,
    read_log,
    segment_file,
)
from rmpair.store.locking import DeviceLock
from rmpair.store.merge import Change
from rmpair.store.problems import UNSHARED, FileInfo, LoadReport, Problem
from rmpair.store.scan import Signature, signature


def period_of(stamp: str) -> str:
    """The UTC month a change belongs to, from its clock stamp."""
    ms = int(stamp[:15])
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m")


class Writer:
    """Writes the replica and publishes this device's files into the shared folder."""

    def __init__(self, core: StoreCore, lock: DeviceLock, keys: Keys) -> None:
        self.core = core
        self.lock = lock
        self.keys = keys

    def add_to_replica(
        self,
        log: LogFile,
        new: Sequence[Change],
        plain: bytes | None = None,
        *,
        sync_folder: bool = True,
    ) -> None:
        """Keep the last good state of a device locally: union, never replace.

        ``plain`` is the file's own bytes (decrypted) when every entry of it was
        applied: when it holds everything the local copy held, those very bytes are
        kept, so that the next cold start finds the two copies identical and reads
        the file once."""
        path = self.core.replica_dir / log.segment_name()
        existing: tuple[Change, ...] = ()
        with contextlib.suppress(LogFileError):
            if path.exists():
                existing = read_log(path).changes
        merged = {c["id"]: c for c in existing}
        for c in new:
            merged.setdefault(c["id"], c)
        rel = log.segment_name()
        if (
            plain is not None
            and not log.rejected
            and log.schema <= SCHEMA
            and len(merged) == len(log.changes)
            and merged.keys() == {c["id"] for c in log.changes}
        ):
            atomic_write(path, plain, private=True, sync_folder=sync_folder)
            self.core._replica[rel] = FileInfo(
                signature(path), device=log.device, period=log.period, segment=log.segment
            )
            return
        replica = LogFile(
            log.journal,
            log.device,
            log.person,
            log.role,
            log.label,
            log.period,
            min(log.schema, SCHEMA),
            tuple(merged.values()),
            segment=log.segment,
        )
        atomic_write(path, encode_log(replica), private=True, sync_folder=sync_folder)
        self.core._replica[rel] = FileInfo(
            signature(path), device=log.device, period=log.period, segment=log.segment
        )

    def fold(self, own_copies: list[tuple[str, Path]], report: LoadReport) -> None:
        """Tidy this device's conflict copies: their entries are in the replica already."""
        for rel, path in own_copies:
            target = self.core.archive_dir / rel.replace("/", "__")
            try:
                self.core.archive_dir.mkdir(parents=True, exist_ok=True)
                atomic_write(target, path.read_bytes(), private=True)
                path.unlink()
            except OSError as exc:
                report.problems.append(
                    Problem(
                        f"devices/{rel}",
                        _(
                            "a conflict copy of this device's log could not be tidied up: {error}"
                        ).format(error=exc.strerror),
                    )
                )
                continue
            self.core._shared.pop(rel, None)
            report.problems.append(
                Problem(
                    f"devices/{rel}",
                    _(
                        "a conflict copy of this device's log was folded in (kept in {archive})"
                    ).format(archive=target),
                    needs_user=False,
                )
            )

    def republish(self, shared_files: dict[str, tuple[str, Signature]], report: LoadReport) -> None:
        """Make the shared copy of each of this device's months equal to the replica."""
        own = self.core.device.id
        encrypt = self.keys.encryption_wanted()
        for rel, info in sorted(self.core._replica.items()):
            if info.device != own or info.problem is not None:
                continue
            current = shared_files.get(rel, (None, None))[1]
            shared = self.core._shared.get(rel)
            # The journal was encrypted since this file was written (here or by the
            # partner's device): write it again, encrypted.
            plain = (
                encrypt and shared is not None and shared.problem is None and not shared.encrypted
            )
            if (
                current is not None
                and self.core._published.get(rel) == (info.sig, current)
                and not plain
            ):
                continue
            replica = self.core.replica_dir / rel
            target = self.core.devices_dir / rel
            if current is not None and shared is not None and shared.problem is None and not plain:
                try:
                    published = self.keys.parse_shared(target.read_bytes(), target.name)
                    same = {c["id"] for c in published.changes} == {
                        c["id"] for c in read_log(replica).changes
                    }
                except (LogFileError, OSError):
                    same = False
                if same:
                    self.core._published[rel] = (info.sig, current)
                    self.core._cache_dirty = True
                    continue
            if not self.keys.can_publish():
                continue
            why = (
                _("was missing")
                if current is None
                else _("was damaged")
                if shared is not None and shared.problem
                else _("was older than this device's copy")
            )
            try:
                self._publish(replica, target, info)
            except OSError as exc:
                self.core._unshared[rel] = os_error_text(exc)
                report.problems.append(
                    Problem(
                        f"devices/{rel}",
                        _(
                            "this device's entries are saved on this computer but could not be "
                            "shared yet ({reason}); rmpair tries again each time it opens"
                        ).format(reason=self.core._unshared[rel]),
                        code=UNSHARED,
                    )
                )
                continue
            message = (
                _("this device's file was encrypted, as the journal now is")
                if plain
                else _("this device's file {why}; it was written again from the local copy").format(
                    why=why
                )
            )
            report.problems.append(Problem(f"devices/{rel}", message, needs_user=False))

    @property
    def unshared(self) -> str | None:
        """Why some of this device's saved entries are not in the shared folder yet (a
        full disk, a read-only folder), or None when everything is shared."""
        return next(iter(self.core._unshared.values()), None)

    def _check_inside(self, folder: Path) -> None:
        """Refuse to write where a link would carry the file out of the journal folder."""
        inside = self.core.folder.resolve()
        where = folder
        while where != self.core.folder and where != where.parent:
            if where.is_symlink():
                raise OSError(
                    errno.ELOOP,
                    _("a link in the journal folder leads elsewhere; nothing is written there"),
                    str(where),
                )
            where = where.parent
        if folder.exists() and not folder.resolve().is_relative_to(inside):
            raise OSError(errno.EXDEV, _("outside the journal folder"), str(folder))

    def _publish(
        self, replica: Path, target: Path, info: FileInfo, data: bytes | None = None
    ) -> None:
        """Write one of this device's log segments into the shared folder: ``data``, the
        bytes just written to the replica, or else the replica as it is on disk."""
        if data is None:
            data = replica.read_bytes()
        encrypt = self.keys.encryption_wanted()
        if encrypt:
            if not self.keys.ensure_writing_key():
                raise ReadOnlyError(" ".join(self.core.read_only_reasons))
            assert self.core._keys is not None
            data = self.core._keys.encrypt(data, self.core.member.journal)
        rel = info.canonical_name
        before = self.core._shared.get(rel)
        self._check_inside(target.parent)
        atomic_write(target, data)
        self.core._unshared.pop(rel, None)
        if encrypt and before is not None and before.problem is None and not before.encrypted:
            self.core.converted += 1
        sig = signature(target)
        self.core._published[rel] = (signature(replica), sig)
        self.core._shared[rel] = FileInfo(
            sig,
            device=self.core.device.id,
            period=info.period,
            encrypted=encrypt,
            segment=info.segment,
        )
        self.core._cache_dirty = True

    def write(self, changes: list[Change]) -> None:
        if not changes:
            return
        by_period: dict[str, list[Change]] = {}
        for c in changes:
            by_period.setdefault(period_of(c["hlc"]), []).append(c)
        for period, group in sorted(by_period.items()):
            self._append_period(period, group)
        self.core._cache_dirty = True

    def _append_period(self, period: str, batch: list[Change]) -> None:
        segment = self._open_segment(period)
        rel = f"{self.core.device.id}/{segment_file(period, segment)}"
        path = self.core.replica_dir / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = self._append_replica(path, period, segment, batch)
        except OSError as exc:
            raise NotSavedError(
                _("Not saved: this device's own copy could not be written ({reason}).").format(
                    reason=os_error_text(exc)
                )
            ) from exc
        info = self.core._replica[rel] = FileInfo(
            signature(path), device=self.core.device.id, period=period, segment=segment
        )
        try:
            self._publish(path, self.core.devices_dir / rel, info, data)
        except OSError as exc:
            # Saved all the same: the next refresh writes the shared copy again (see
            # _republish), so it reaches the partner once the folder can be written.
            self.core._unshared[rel] = os_error_text(exc)

    def _open_segment(self, period: str) -> int:
        """The segment of ``period`` that new changes go to: the month's last one, or a
        new one when that has reached ``SEGMENT_BYTES`` (a month file of a version
        before segments can be far larger: it is left as it is)."""
        own = self.core.device.id
        last, size = 1, 0
        for info in self.core._replica.values():
            if info.device == own and info.period == period and info.segment >= last:
                last, size = info.segment, info.sig[0]
                if info.problem is not None:
                    size = SEGMENT_BYTES  # never append to a damaged copy
        return last + 1 if size >= SEGMENT_BYTES else last

    def _append_replica(self, path: Path, period: str, segment: int, batch: list[Change]) -> bytes:
        from rmpair.store.tinystore import append_to_log

        meta = LogFile(
            self.core.member.journal,
            self.core.device.id,
            self.core.member.person,
            self.core.member.role,
            self.core.device.label,
            period,
            SCHEMA,
            (),
            segment=segment,
        ).meta()
        return append_to_log(path, meta, batch)

    def write_checkpoint(self) -> None:
        """Write this device's checkpoint of the state it has seen (see checkpoint.py),
        once it knows ``CHECKPOINT_EVERY`` changes more than its last one held."""
        from rmpair.store.checkpoint import (
            CHECKPOINT_EVERY,
            CHECKPOINT_FILE,
            Cover,
            encode_checkpoint,
        )

        state = self.core.state
        if len(state) < self.core._checkpointed + CHECKPOINT_EVERY or not self.keys.can_publish():
            return
        covers: dict[str, Cover] = {}
        for rel, info in self.core._replica.items():
            path = self.core.replica_dir / rel
            try:
                raw = path.read_bytes()
                unchanged = info.problem is None and signature(path) == info.sig
            except OSError:
                continue
            if unchanged:  # every change in it was read (or set aside) since
                quarantined = info.quarantined
                shared = self.core._shared.get(rel)
                if shared is not None:
                    quarantined = tuple(dict.fromkeys(quarantined + shared.quarantined))
                covers[rel] = Cover(
                    len(raw),
                    part_name(raw),
                    info.schema,
                    info.device,
                    info.period,
                    info.segment,
                    quarantined,
                )
        member = self.core.member
        data = encode_checkpoint(state, covers, member.journal, self.core.device.id)
        if self.keys.encryption_wanted():
            if not self.keys.ensure_writing_key():
                return
            assert self.core._keys is not None
            data = self.core._keys.encrypt(data, member.journal)
        target = self.core.devices_dir / self.core.device.id / CHECKPOINT_FILE
        try:
            self._check_inside(target.parent)
            atomic_write(target, data)
        except OSError:
            return  # tried again at the next close
        self.core._checkpointed = len(state)
        self.core._ignored[f"{self.core.device.id}/{CHECKPOINT_FILE}"] = signature(target)
        self.core._cache_dirty = True

    def convert_own_files(self) -> None:
        """Encrypt this device's shared files that are still plain; one atomic write each,
        so an interruption leaves every file readable (``converted`` counts them)."""
        with self.lock.operation():
            self._convert_own_files()

    def _convert_own_files(self) -> None:
        if not self.keys.encryption_wanted():
            return
        for rel, info in sorted(self.core._replica.items()):
            if info.device != self.core.device.id or info.problem is not None:
                continue
            shared = self.core._shared.get(rel)
            if shared is not None and shared.encrypted and shared.problem is None:
                continue
            if not self.keys.can_publish():
                raise ReadOnlyError(" ".join(self.core.read_only_reasons))
            self._publish(self.core.replica_dir / rel, self.core.devices_dir / rel, info)
