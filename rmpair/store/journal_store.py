"""The journal on disk: every device's logs in the shared folder, plus this device's replica.

Layout of a journal folder (the shared one)::

    <journal>/devices/<device id>/<YYYY-MM>.json   one TinyDB file per device and month

Only the owning device writes its files. A month's file holds the changes that
device made in that month (UTC), so a save rewrites one bounded file, never the
whole history.

This device keeps, in its own data folder, a *replica*: the union of every change it
has ever read, laid out the same way. Its own files there are the master copy that
it republishes whenever the shared copy is missing, older or damaged; the others
are the last good state of each partner device, used when the partner's file in the
shared folder is damaged or has gone back in time. A cache of the merged state,
keyed by the size, time and inode of every file, spares re-reading unchanged files.

An encrypted journal (see ``crypto.py``) encrypts what this device publishes into the
shared folder and decrypts what it reads there; the replica and the cache stay plain.
The passphrase is asked for only when a new encrypted file must be read or a file
written, and never twice in one process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from rmpair import __version__
from rmpair.clock import SYSTEM_CLOCK, epoch_ms
from rmpair.errors import NotSavedError, ReadOnlyError, os_error_text
from rmpair.i18n import _, ngettext
from rmpair.store.cache import CacheMiss, PartCache
from rmpair.store.files import (
    ENCRYPTED_MAGIC,
    SCHEMA,
    TEMP_PREFIX,
    LogFile,
    LogFileError,
    atomic_write,
    encode_log,
    parse_log,
    private_folder,
    read_log,
)
from rmpair.store.hlc import Clock
from rmpair.store.home import DeviceIdentity, Home, Membership
from rmpair.store.merge import (
    MAX_STAMP_MS,
    MIN_STAMP_MS,
    Change,
    MergedState,
    content_sum,
    sum_problem,
)
from rmpair.store.scan import Signature, scan, signature
from rmpair.store.syncfiles import FileRole, classify

if TYPE_CHECKING:
    from rmpair.store.crypto import Keychain, Passphrase, PassphraseSource
    from rmpair.store.crypto_format import Header, KdfParams

CACHE_VERSION = 3  # quick.CACHE_VERSION must match
# A writer waits for another rmpair on this device: quietly at first, then with a word.
LOCK_NOTICE_S = 1.0
LOCK_WAIT_S = 30.0
QUARANTINED = "quarantined"  # Problem.code of an entry set aside (see schema.py)
UNSHARED = "unshared"  # Problem.code: saved here, not yet written to the shared folder
MISPLACED = "misplaced"  # Problem.code: this device's entries in another device's folder
OLDER_COPY = "older-copy"  # Problem.code: a partner's file older than what was read


def _locked_reason() -> str:
    return _(
        "This journal is encrypted and was opened without its passphrase: it shows what "
        "this device read before, and nothing can be changed."
    )


class Problem(NamedTuple):
    """Something found in the journal folder, with the file it concerns.

    ``needs_user`` is False for things rmpair put right by itself (a republished
    file, a folded conflict copy), which are still worth telling.
    """

    file: str
    message: str
    needs_user: bool = True
    # What kind of problem, for ``rmpair doctor``'s advice ("" for a file problem).
    code: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


class _FileInfo(NamedTuple):
    sig: Signature
    problem: str | None = None
    schema: int = SCHEMA
    device: str = ""
    period: str = ""
    encrypted: bool = False  # an encrypted file of this journal
    locked: bool = False  # encrypted and not read: no passphrase in this process
    foreign: bool = False  # a file of another journal
    # Entries set aside, never applied: (change id, why). See schema.py.
    quarantined: tuple[tuple[str, str], ...] = ()

    def dump(self) -> dict[str, Any]:
        return {
            "sig": list(self.sig),
            "problem": self.problem,
            "schema": self.schema,
            "device": self.device,
            "period": self.period,
            "encrypted": self.encrypted,
            "locked": self.locked,
            "foreign": self.foreign,
            "quarantined": [list(entry) for entry in self.quarantined],
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> _FileInfo:
        sig = data["sig"]
        return cls(
            (int(sig[0]), int(sig[1]), int(sig[2])),
            data.get("problem"),
            int(data.get("schema", SCHEMA)),
            str(data.get("device", "")),
            str(data.get("period", "")),
            bool(data.get("encrypted", False)),
            bool(data.get("locked", False)),
            bool(data.get("foreign", False)),
            tuple((str(e[0]), str(e[1])) for e in data.get("quarantined", ())),
        )


class _OtherJournal(LogFileError):
    """A file of another journal in this journal's folder."""


class _Locked(LogFileError):
    """An encrypted file while this process has no passphrase."""


class LoadReport:
    """What one scan of the folder found and did."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.new_changes = 0


def _device_record_encrypted(fields: dict[str, Any]) -> bool:
    return fields.get("encrypted") is True


def period_of(stamp: str) -> str:
    """The UTC month a change belongs to, from its clock stamp."""
    ms = int(stamp[:15])
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m")


class JournalStore:
    """Reads the union of all devices' logs and appends this device's changes."""

    # Called when a write has waited a second for another rmpair on this device.
    on_wait: ClassVar[Callable[[], object] | None] = None

    def __init__(
        self,
        folder: Path,
        home: Home,
        member: Membership,
        device: DeviceIdentity,
        *,
        write: bool = True,
        passphrase: Passphrase = None,
        validate: Callable[[Change], str | None] | None = None,
    ) -> None:
        self.folder = folder
        # Says what is wrong with a well-formed change's content (the domain's schema);
        # such a change is quarantined, never applied.
        self._validate = validate
        self.devices_dir = folder / "devices"
        self.home = home
        self.member = member
        self.device = device
        self.local = home.journal_dir(member.journal)
        self.replica_dir = self.local / "replica"
        self.archive_dir = self.local / "archive"
        self._cache = PartCache(str(self.local / "cache"))
        self.state = MergedState()
        self.clock = Clock(device.id)
        self._notices: list[Problem] = []
        self.read_only_reasons: list[str] = []
        # The one of those reasons that a newer format causes (``rmpair doctor`` names it).
        self.schema_reason: str | None = None
        self._want_write = write
        self._lock: Any = None
        self._shared: dict[str, _FileInfo] = {}
        self._replica: dict[str, _FileInfo] = {}
        # Per own month: (replica signature, shared signature) right after publishing.
        # Either changing means the shared copy may differ from the local one.
        self._published: dict[str, tuple[Signature, Signature]] = {}
        self._ignored: dict[str, Signature] = {}  # temporary and foreign files seen
        self._ignored_replica: dict[str, Signature] = {}
        # The status as of the last full read, stored with the cache so that
        # ``rmpair status`` can answer without opening the journal (see quick.py).
        self.status_snapshot: dict[str, Any] | None = None
        self._cache_dirty = False
        self._lock_is_new = False
        self._lock_busy = False  # the last wait for the lock ran out
        self._operations = 0  # nesting of _operation(): the lock goes with the outermost
        self._pending: list[Change] | None = None
        # Where stamps take their physical time; the demo replays years of history.
        self.now_ms: Callable[[], int] = partial(epoch_ms, SYSTEM_CLOCK)
        # Encryption: what was given to find the passphrase, the keys it gave, whether
        # this process went on without them, and whether writes encrypt from now on.
        self._passphrase: Passphrase = passphrase
        self._source: PassphraseSource | None = None
        self._keys: Keychain | None = None
        self._refused = False
        self._encrypt_on = False
        self.converted = 0  # this device's plain shared files encrypted by this process
        # This device's files that could not be written to the shared folder, and why.
        self._unshared: dict[str, str] = {}

    # -- opening and closing -------------------------------------------------

    @property
    def writable(self) -> bool:
        return self._want_write and not self.read_only_reasons

    def open(self, *, hold_lock: bool = False) -> None:
        """Read the journal. ``hold_lock`` (the app) makes sure now that this process
        can write later: an encrypted journal's passphrase is asked before the app takes
        over the terminal. The device's lock itself is only ever held while writing."""
        private_folder(self.local)
        if not self.folder.is_dir():
            # Never made again here: a synced folder that is not mounted yet would get
            # this device's files, and the partner would never see them.
            self.read_only_reasons.append(
                _(
                    "The journal folder {folder} cannot be found (is the drive or the sync "
                    "folder available?); nothing is changed until it is back."
                ).format(folder=self.folder)
            )
        self._load_cache()
        if hold_lock:
            self.state.load_all()
        with self._operation():
            self.refresh()
            if hold_lock and self.encryption_wanted() and self._can_write():
                # The app asks for the passphrase now, before it takes over the
                # terminal, not at its first write or when the partner's file arrives.
                self._ensure_writing_key()

    @contextmanager
    def _operation(self) -> Iterator[None]:
        """One read or write of the journal: the device's lock, if this operation took
        it, is released at its end. The app and any number of commands on this device
        can so run side by side; each holds the lock for milliseconds."""
        self._operations += 1
        try:
            yield
        finally:
            self._operations -= 1
            if self._operations == 0:
                self.close_lock()

    def _acquire_lock(self) -> None:
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.local / "lock"), mode=0o600)
        try:
            lock.acquire(timeout=LOCK_NOTICE_S)
        except Timeout:
            if JournalStore.on_wait is not None:
                JournalStore.on_wait()
            try:
                lock.acquire(timeout=LOCK_WAIT_S)
            except Timeout:
                self._lock_busy = True
                return
        self._lock_busy = False
        self._lock = lock
        # Another rmpair on this device may have written since this one read the
        # files; the next change must be made on top of what is on disk now.
        self._lock_is_new = True

    def _can_write(self) -> bool:
        """Whether this operation may write; takes the device's lock on first use."""
        if not self._want_write or self.read_only_reasons:
            return False
        if self._lock is None:
            self._acquire_lock()
        return self._lock is not None

    def _cannot_write(self) -> ReadOnlyError:
        if self._lock_busy:
            return ReadOnlyError(
                _(
                    "Another rmpair on this device has been writing to this journal for "
                    "{n} seconds; nothing was changed. Try again in a moment."
                ).format(n=int(LOCK_NOTICE_S + LOCK_WAIT_S))
            )
        return ReadOnlyError(" ".join(self.read_only_reasons))

    def close(self) -> None:
        with self._operation():
            if self._cache_dirty and self._can_write():
                self._save_cache()

    def close_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # -- reading -------------------------------------------------------------

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

    @property
    def cache_dirty(self) -> bool:
        return self._cache_dirty

    def lasting_problems(self) -> list[Problem]:
        """Problems that follow from the files as they are (not this run's repairs)."""
        return sorted(self._file_problems(), key=lambda p: not p.needs_user)

    @property
    def problems(self) -> list[Problem]:
        """What needs the user's attention first, then what rmpair put right by itself."""
        found = self._notices + self._file_problems()
        return sorted(found, key=lambda p: not p.needs_user)

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
                self._replica[rel] = _FileInfo(sig, problem=str(exc))
                continue
            admitted, quarantined = self._admit(log)
            self._replica[rel] = _FileInfo(
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

    def _parse_shared(self, raw: bytes, name: str) -> LogFile:
        """A shared file's log, decrypted if it is encrypted."""
        if not raw.startswith(ENCRYPTED_MAGIC):
            return parse_log(raw, name)
        from rmpair.store.crypto_format import CryptoError, parse_header

        try:
            header = parse_header(raw)[0]
            if header.journal != self.member.journal:
                raise _OtherJournal(name)
            if self._keys is None:
                raise _Locked(name)
            plain = self._keys.decrypt(raw)
        except CryptoError as exc:
            raise LogFileError(f"{name}: {exc}") from None
        return parse_log(plain, name)

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
                self._shared[rel] = _FileInfo(sig, problem=raw or f"{path.name}: not read")
                continue
            encrypted = raw.startswith(ENCRYPTED_MAGIC)
            try:
                log = self._parse_shared(raw, path.name)
            except _OtherJournal:
                log = None
            except _Locked:
                problem = _("encrypted, and this journal was opened without its passphrase")
                self._shared[rel] = _FileInfo(sig, problem, encrypted=True, locked=True)
                continue
            except LogFileError as exc:
                self._shared[rel] = _FileInfo(sig, problem=str(exc), encrypted=encrypted)
                continue
            if log is None or log.journal != self.member.journal:
                self._shared[rel] = _FileInfo(
                    sig, problem=_("belongs to another journal; it is left alone"), foreign=True
                )
                continue
            self._shared[rel] = _FileInfo(
                sig,
                schema=log.schema,
                device=log.device,
                period=log.period,
                encrypted=encrypted,
            )
            admitted, quarantined = self._admit(log)
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

    def _admit(self, log: LogFile) -> tuple[list[Change], tuple[tuple[str, str], ...]]:
        """The changes of ``log`` that may be applied, and those set aside with why.

        A change must match the checksum it was written with (when it has one) and fit
        its kind's schema; anything else stays in the file, unapplied, and is listed by
        ``rmpair doctor``. A valid version arriving later is applied as usual.
        """
        admitted: list[Change] = []
        quarantined = list(log.rejected)
        for change in log.changes:
            problem = sum_problem(change)
            if problem is None and self._validate is not None:
                problem = self._validate(change)
            if problem is None:
                admitted.append(change)
            else:
                quarantined.append((str(change["id"])[:40], problem))
        return admitted, tuple(quarantined)

    def _add_to_replica(self, log: LogFile, new: Sequence[Change]) -> None:
        """Keep the last good state of a device locally: union, never replace."""
        path = self.replica_dir / log.device / f"{log.period}.json"
        existing: tuple[Change, ...] = ()
        with contextlib.suppress(LogFileError):
            if path.exists():
                existing = read_log(path).changes
        merged = {c["id"]: c for c in existing}
        for c in new:
            merged.setdefault(c["id"], c)
        replica = LogFile(
            log.journal,
            log.device,
            log.person,
            log.role,
            log.label,
            log.period,
            min(log.schema, SCHEMA),
            tuple(merged.values()),
        )
        atomic_write(path, encode_log(replica), private=True)
        rel = f"{log.device}/{log.period}.json"
        self._replica[rel] = _FileInfo(signature(path), device=log.device, period=log.period)

    def _fold(self, own_copies: list[tuple[str, Path]], report: LoadReport) -> None:
        """Tidy this device's conflict copies: their entries are in the replica already."""
        for rel, path in own_copies:
            target = self.archive_dir / rel.replace("/", "__")
            try:
                self.archive_dir.mkdir(parents=True, exist_ok=True)
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
            self._shared.pop(rel, None)
            report.problems.append(
                Problem(
                    f"devices/{rel}",
                    _(
                        "a conflict copy of this device's log was folded in (kept in {archive})"
                    ).format(archive=target),
                    needs_user=False,
                )
            )

    def _republish(
        self, shared_files: dict[str, tuple[str, Signature]], report: LoadReport
    ) -> None:
        """Make the shared copy of each of this device's months equal to the replica."""
        own = self.device.id
        encrypt = self.encryption_wanted()
        for rel, info in sorted(self._replica.items()):
            if info.device != own or info.problem is not None:
                continue
            period = info.period
            current = shared_files.get(rel, (None, None))[1]
            shared = self._shared.get(rel)
            # The journal was encrypted since this file was written (here or by the
            # partner's device): write it again, encrypted.
            plain = (
                encrypt and shared is not None and shared.problem is None and not shared.encrypted
            )
            if (
                current is not None
                and self._published.get(period) == (info.sig, current)
                and not plain
            ):
                continue
            replica = self.replica_dir / rel
            target = self.devices_dir / rel
            if current is not None and shared is not None and shared.problem is None and not plain:
                try:
                    published = self._parse_shared(target.read_bytes(), target.name)
                    same = {c["id"] for c in published.changes} == {
                        c["id"] for c in read_log(replica).changes
                    }
                except (LogFileError, OSError):
                    same = False
                if same:
                    self._published[period] = (info.sig, current)
                    self._cache_dirty = True
                    continue
            if not self._can_publish():
                continue
            why = (
                _("was missing")
                if current is None
                else _("was damaged")
                if shared is not None and shared.problem
                else _("was older than this device's copy")
            )
            try:
                self._publish(replica, target, period)
            except OSError as exc:
                self._unshared[rel] = os_error_text(exc)
                report.problems.append(
                    Problem(
                        f"devices/{rel}",
                        _(
                            "this device's entries are saved on this computer but could not be "
                            "shared yet ({reason}); rmpair tries again each time it opens"
                        ).format(reason=self._unshared[rel]),
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
        return next(iter(self._unshared.values()), None)

    def _check_inside(self, folder: Path) -> None:
        """Refuse to write where a link would carry the file out of the journal folder."""
        inside = self.folder.resolve()
        where = folder
        while where != self.folder and where != where.parent:
            if where.is_symlink():
                raise OSError(
                    errno.ELOOP,
                    _("a link in the journal folder leads elsewhere; nothing is written there"),
                    str(where),
                )
            where = where.parent
        if folder.exists() and not folder.resolve().is_relative_to(inside):
            raise OSError(errno.EXDEV, _("outside the journal folder"), str(folder))

    def _publish(self, replica: Path, target: Path, period: str) -> None:
        data = replica.read_bytes()
        encrypt = self.encryption_wanted()
        if encrypt:
            if not self._ensure_writing_key():
                raise ReadOnlyError(" ".join(self.read_only_reasons))
            assert self._keys is not None
            data = self._keys.encrypt(data, self.member.journal)
        rel = f"{self.device.id}/{period}.json"
        before = self._shared.get(rel)
        self._check_inside(target.parent)
        atomic_write(target, data)
        self._unshared.pop(rel, None)
        if encrypt and before is not None and before.problem is None and not before.encrypted:
            self.converted += 1
        sig = signature(target)
        self._published[period] = (signature(replica), sig)
        self._shared[rel] = _FileInfo(sig, device=self.device.id, period=period, encrypted=encrypt)
        self._cache_dirty = True

    def _file_problems(self) -> list[Problem]:
        out = []
        for rel, info in sorted(self._replica.items()):
            if info.problem is not None:
                out.append(
                    Problem(
                        "",
                        _("This device's own copy {file} is damaged: {problem}").format(
                            file=rel, problem=info.problem
                        ),
                    )
                )
        told: set[str] = set()
        for rel, info in sorted(self._shared.items()):
            for cid, why in info.quarantined:
                told.add(cid)
                out.append(
                    Problem(
                        f"devices/{rel}",
                        _(
                            "entry {id} of device {device} is set aside, never applied: {why}"
                        ).format(id=cid, device=info.device or "?", why=why),
                        code=QUARANTINED,
                    )
                )
        for rel, info in sorted(self._replica.items()):
            for cid, why in info.quarantined:
                if cid not in told:
                    out.append(
                        Problem(
                            "",
                            _(
                                "This device's copy {file}: entry {id} is set aside, never "
                                "applied: {why}"
                            ).format(file=rel, id=cid, why=why),
                            code=QUARANTINED,
                        )
                    )
        for rel, info in sorted(self._shared.items()):
            if info.problem is not None:
                suffix = _("the last good copy of these entries is used")
                out.append(Problem(f"devices/{rel}", f"{info.problem} — {suffix}"))
            elif info.device != self.device.id and rel != f"{info.device}/{info.period}.json":
                kind = classify(rel.rsplit("/", 1)[-1])
                device = self.state.fields("device", info.device) or {}
                out.append(
                    Problem(
                        f"devices/{rel}",
                        _(
                            "a {tool} conflict copy of {person}'s log: its entries were read, and "
                            "{person}'s rmpair will tidy it up"
                        ).format(
                            tool=kind.tool or _("sync"), person=device.get("person") or info.device
                        ),
                        needs_user=False,
                    )
                )
        return out

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

    # -- writing -------------------------------------------------------------

    def append(self, drafts: Iterable[dict[str, Any]]) -> list[Change]:
        """Stamp, store and publish new changes made on this device.

        Inside ``batch()`` the changes are applied at once but written when the batch
        ends, so one command that makes many changes costs one write per month file.
        """
        with self._operation():
            return self._append(drafts)

    def _append(self, drafts: Iterable[dict[str, Any]]) -> list[Change]:
        if not self._can_write():
            raise self._cannot_write()
        if self._lock_is_new:
            self._lock_is_new = False
            self._refresh()
        if self.encryption_wanted() and not self._ensure_writing_key():
            raise ReadOnlyError(" ".join(self.read_only_reasons))
        physical = self.now_ms()
        if not MIN_STAMP_MS <= physical < MAX_STAMP_MS:
            raise ReadOnlyError(
                _(
                    "This computer's clock is far off (not between the years 2000 and 2200); "
                    "set it right before making changes: every entry is stamped with it."
                )
            )
        changes: list[Change] = []
        for draft in drafts:
            change = dict(draft)
            change["hlc"] = self.clock.tick(physical).encode()
            change["device"] = self.device.id
            change["person"] = self.member.person
            change["sum"] = content_sum(change)
            changes.append(change)
        if self._pending is not None:
            # Shown at once; written when the batch ends, or forgotten if it fails.
            for change in changes:
                self.state.apply(change, fresh=True)
            self._pending.extend(changes)
        else:
            self._write_or_reload(changes)
            for change in changes:
                self.state.apply(change, fresh=True)
        return changes

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group the changes of one command into one write (nested batches join the outer)."""
        if self._pending is not None:
            yield
            return
        with self._operation():
            self._pending = []
            try:
                yield
            except BaseException:
                # Nothing of a failed command is written; forget what it applied in memory.
                self._pending = None
                self._reload()
                raise
            pending, self._pending = self._pending, None
            self._write_or_reload(pending)

    def _write_or_reload(self, changes: list[Change]) -> None:
        """Write, or on failure make the state match the disk again before raising.

        A change must never be shown (or cached) unless it is in this device's files.
        """
        try:
            self._write(changes)
        except BaseException:
            self._reload()
            raise

    def _reload(self) -> None:
        self.state = MergedState()
        self._shared, self._replica = {}, {}
        self.refresh()

    def _write(self, changes: list[Change]) -> None:
        if not changes:
            return
        by_period: dict[str, list[Change]] = {}
        for c in changes:
            by_period.setdefault(period_of(c["hlc"]), []).append(c)
        for period, group in sorted(by_period.items()):
            self._append_period(period, group)
        self._cache_dirty = True

    def _append_period(self, period: str, batch: list[Change]) -> None:

        path = self.replica_dir / self.device.id / f"{period}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._append_replica(path, period, batch)
        except OSError as exc:
            raise NotSavedError(
                _("Not saved: this device's own copy could not be written ({reason}).").format(
                    reason=os_error_text(exc)
                )
            ) from exc
        rel = f"{self.device.id}/{period}.json"
        self._replica[rel] = _FileInfo(signature(path), device=self.device.id, period=period)
        try:
            self._publish(path, self.devices_dir / rel, period)
        except OSError as exc:
            # Saved all the same: the next refresh writes the shared copy again (see
            # _republish), so it reaches the partner once the folder can be written.
            self._unshared[rel] = os_error_text(exc)

    def _append_replica(self, path: Path, period: str, batch: list[Change]) -> None:
        from tinydb import TinyDB

        from rmpair.store.tinystore import AtomicJSONStorage

        db = TinyDB(path, storage=AtomicJSONStorage)
        try:
            meta = db.table("meta")
            if len(meta) == 0:
                meta.insert(
                    LogFile(
                        self.member.journal,
                        self.device.id,
                        self.member.person,
                        self.member.role,
                        self.device.label,
                        period,
                        SCHEMA,
                        (),
                    ).meta()
                )
            db.table("changes").insert_multiple(batch)
        finally:
            db.close()

    # -- encryption ------------------------------------------------------------

    @property
    def unlocked(self) -> bool:
        """Whether this process holds the journal's key."""
        return self._keys is not None

    @property
    def locked(self) -> bool:
        """Whether the journal is encrypted and this process went on without its key
        (read-only; ``unlock`` lifts it)."""
        return self._refused and self._keys is None

    @property
    def needs_passphrase(self) -> bool:
        """Whether the journal is encrypted and this process has no key yet: the next
        write (or new file from the partner) asks the passphrase source."""
        return self._keys is None and self.encryption_wanted()

    def encryption_wanted(self) -> bool:
        """Whether what this device publishes must be encrypted: it was started here,
        a device recorded it in the journal, or some file of the journal already is."""
        if self._encrypt_on or any(i.encrypted for i in self._shared.values()):
            return True
        return self.encryption_recorded()

    def encryption_recorded(self) -> bool:
        """Whether a device recorded in the journal that it is encrypted."""
        return any(_device_record_encrypted(f) for _id, f in self.state.live("device"))

    def _source_of_passphrase(self) -> PassphraseSource:
        if self._source is None:
            from rmpair.store.crypto import source_of

            self._source = source_of(self._passphrase)
        return self._source

    def _encrypted_headers(self) -> list[Header]:
        """The headers of the journal's encrypted files on disk, this device's first."""
        from rmpair.store.crypto import read_header

        found: list[tuple[bool, str, Header]] = []
        for rel, info in self._shared.items():
            if not info.encrypted:
                continue
            header = read_header(self.devices_dir / rel)
            if header is not None and header.journal == self.member.journal:
                found.append((info.device != self.device.id, rel, header))
        return [header for _other, _rel, header in sorted(found, key=lambda f: f[:2])]

    def _unlock(self, headers: list[Header]) -> None:
        """Ask the passphrase source until a passphrase opens one of ``headers`` (any
        passphrase if there are none: it is being chosen)."""
        from rmpair.store.crypto import (
            MAX_ATTEMPTS,
            Keychain,
            PassphraseRequest,
            check_new_passphrase,
            wrong_passphrase,
        )

        source = self._source_of_passphrase()
        try:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                request = PassphraseRequest(self.member.journal, self.folder, not headers, attempt)
                passphrase = source(request)
                if passphrase is None:
                    self._refuse()
                    return
                if request.new:
                    check_new_passphrase(passphrase)
                keys = Keychain(passphrase)
                if request.new or keys.opens_any(headers):
                    self._keys = keys
                    accepted = getattr(source, "accepted", None)
                    if callable(accepted):
                        accepted(request, passphrase)
                    return
            raise wrong_passphrase()
        except BaseException:
            # Never ask twice in one process (a failed command re-reads the folder).
            self._refuse()
            raise

    def _refuse(self) -> None:
        self._refused = True
        reason = _locked_reason()
        if reason not in self.read_only_reasons:
            self.read_only_reasons.append(reason)

    def _ensure_writing_key(self) -> bool:
        """Have the key this device encrypts with; False (read-only) if there is none."""
        if self._keys is None:
            if self._refused:
                return False
            self._unlock(self._encrypted_headers())
            if self._keys is None:
                return False
        if self._keys.writing is None:
            self._keys.choose_writing(self._encrypted_headers())
        return True

    def _can_publish(self) -> bool:
        if not self._can_write():
            return False
        return not self.encryption_wanted() or self._ensure_writing_key()

    def unlock(self, passphrase: str) -> None:
        """Give the passphrase after opening without one (the app's passphrase dialog):
        ``WrongPassphrase`` if it opens none of the encrypted files, else the files left
        unread are read and the journal can be changed again."""
        from rmpair.store.crypto import Keychain, wrong_passphrase

        keys = Keychain(passphrase)
        headers = self._encrypted_headers()
        if headers and not keys.opens_any(headers):
            raise wrong_passphrase()
        self._keys = keys
        self._refused = False
        reason = _locked_reason()
        self.read_only_reasons = [r for r in self.read_only_reasons if r != reason]
        self.refresh()

    def start_encryption(self, passphrase: str | None = None) -> None:
        """From now on, encrypt every file this device writes into the shared folder.

        ``passphrase`` None asks the passphrase source. If some files are encrypted
        already (a second run, or the partner's device), the passphrase must open them,
        and their salt is reused.
        """
        with self._operation():
            self._start_encryption(passphrase)

    def _start_encryption(self, passphrase: str | None = None) -> None:
        if not self._can_write():
            raise ReadOnlyError(" ".join(self.read_only_reasons))
        headers = self._encrypted_headers()
        if passphrase is not None:
            from rmpair.store.crypto import Keychain, check_new_passphrase, wrong_passphrase

            keys = Keychain(passphrase)
            if headers and not keys.opens_any(headers):
                raise wrong_passphrase()
            if not headers:
                check_new_passphrase(passphrase)
            if self._keys is None or self._keys.passphrase != passphrase:
                self._keys = keys
        elif self._keys is None:
            self._unlock(headers)
            if self._keys is None:
                raise ReadOnlyError(" ".join(self.read_only_reasons))
        assert self._keys is not None
        self._keys.choose_writing(headers)
        self._encrypt_on = True

    def convert_own_files(self) -> None:
        """Encrypt this device's shared files that are still plain; one atomic write each,
        so an interruption leaves every file readable (``converted`` counts them)."""
        with self._operation():
            self._convert_own_files()

    def _convert_own_files(self) -> None:
        if not self.encryption_wanted():
            return
        for rel, info in sorted(self._replica.items()):
            if info.device != self.device.id or info.problem is not None:
                continue
            shared = self._shared.get(rel)
            if shared is not None and shared.encrypted and shared.problem is None:
                continue
            if not self._can_publish():
                raise ReadOnlyError(" ".join(self.read_only_reasons))
            self._publish(self.replica_dir / rel, self.devices_dir / rel, info.period)

    def files_by_device(self) -> dict[str, tuple[list[str], list[str]]]:
        """Per device: its files in the shared folder that are encrypted, and those not."""
        out: dict[str, tuple[list[str], list[str]]] = {}
        for rel, info in sorted(self._shared.items()):
            if info.foreign:
                continue
            device = info.device or rel.split("/", 1)[0]
            encrypted, plain = out.setdefault(device, ([], []))
            (encrypted if info.encrypted else plain).append(f"devices/{rel}")
        return out

    def encryption_params(self) -> KdfParams | None:
        """The key derivation settings of the journal's encrypted files (None: none yet)."""
        if self._keys is not None and self._keys.writing is not None:
            return self._keys.writing.params
        headers = self._encrypted_headers()
        return headers[0].params if headers else None

    # -- the cache -----------------------------------------------------------

    def _load_cache(self) -> None:
        head = self._cache.head()
        if head is None:
            return
        try:
            key = (head["version"], head["code"], head["journal"], head["device"])
            if key != (CACHE_VERSION, __version__, self.member.journal, self.device.id):
                return
            shared = {k: _FileInfo.load(v) for k, v in head["shared"].items()}
            replica = {k: _FileInfo.load(v) for k, v in head["replica"].items()}
            published = dict(head["published"])
            ignored = dict(head["ignored"])
            state = MergedState.restore(head["state"], self._load_part)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return  # a stale cache only costs a full read
        self.state, self._shared, self._replica, self._published = (
            state,
            shared,
            replica,
            published,
        )
        self._ignored = ignored

    def _load_part(self, name: str) -> bytes:
        try:
            return self._cache.part(name)
        except CacheMiss:
            self._cache.clear()
            raise ReadOnlyError(
                _(
                    "This device's cache of the journal was damaged and has been cleared; "
                    "run the command again."
                )
            ) from None

    def _save_cache(self) -> None:
        state_head, parts = self.state.snapshot()
        head = {
            "version": CACHE_VERSION,
            "code": __version__,
            "journal": self.member.journal,
            "device": self.device.id,
            "shared": {k: v.dump() for k, v in self._shared.items()},
            "replica": {k: v.dump() for k, v in self._replica.items()},
            "published": self._published,
            "ignored": self._ignored,
            "state": state_head,
        }
        quick = None
        if self.status_snapshot is not None:
            quick = {
                "version": CACHE_VERSION,
                "code": __version__,
                "journal": self.member.journal,
                # What a listing of the folders must show for the stored status to hold.
                "expect_shared": {**self._ignored, **{k: v.sig for k, v in self._shared.items()}},
                "expect_replica": {
                    **self._ignored_replica,
                    **{k: v.sig for k, v in self._replica.items()},
                },
                "status": self.status_snapshot,
            }
        try:
            self._cache.save(head, parts, quick)
        except (OSError, ValueError):
            return
        self.state.saved(state_head)
        self._cache_dirty = False

    def renew_status(self) -> None:
        """Save the cache at close although no change arrived, with a fresh status."""
        self._cache_dirty = True

    def archive_folder(self) -> Path:
        return self.archive_dir

    def remove_local(self) -> None:
        """Forget this journal on this device (used when ``init`` fails half-way)."""
        shutil.rmtree(self.local, ignore_errors=True)
