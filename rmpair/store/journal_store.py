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

``JournalStore`` holds the shared fields (``base.StoreCore``) and composes the store's
parts, one module each, each given the parts below it so that none imports another
that imports it: ``locking``, ``encryption`` (keys), ``writing`` (the replica and the
shared copies), ``reading`` (the refresh), and ``state_cache``; ``problems`` holds
what they report.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreCore
from rmpair.store.encryption import Keys, locked_reason
from rmpair.store.files import private_folder
from rmpair.store.home import DeviceIdentity, Home, Membership
from rmpair.store.locking import DeviceLock
from rmpair.store.merge import MAX_STAMP_MS, MIN_STAMP_MS, Change, MergedState, content_sum
from rmpair.store.problems import Problem, file_problems
from rmpair.store.reading import Reader
from rmpair.store.state_cache import StateCache
from rmpair.store.writing import Writer

if TYPE_CHECKING:
    from rmpair.store.crypto import Passphrase
    from rmpair.store.crypto_format import KdfParams


class JournalStore(StoreCore):
    """Reads the union of all devices' logs and appends this device's changes.

    It is the core every part works on, and composes the parts: ``lock`` (one writer
    per device), ``keys`` (encryption), ``writer`` (the replica and the shared copies),
    ``reader`` (the refresh) and ``cache``. Each part gets the parts it uses.
    """

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
        super().__init__(
            folder,
            home,
            member,
            device,
            write=write,
            passphrase=passphrase,
            validate=validate,
        )
        self.lock = DeviceLock(self)
        self.keys = Keys(self, self.lock)
        self.writer = Writer(self, self.lock, self.keys)
        self.reader = Reader(self, self.lock, self.keys, self.writer)
        self.cache = StateCache(self)

    # -- what the journal asks of its parts ----------------------------------

    def refresh(self) -> bool:
        """Pick up what changed in the shared folder; True when something new arrived."""
        return self.reader.refresh()

    @property
    def unshared(self) -> str | None:
        """Why some of this device's changes are not in the shared folder yet, or None."""
        return self.writer.unshared

    @property
    def cache_dirty(self) -> bool:
        return self.cache.cache_dirty

    def renew_status(self) -> None:
        self.cache.renew_status()

    def newer_schema_files(self) -> list[str]:
        return self.reader.newer_schema_files()

    # Encryption (see crypto.py and docs/encryption.md).

    @property
    def locked(self) -> bool:
        return self.keys.locked

    @property
    def unlocked(self) -> bool:
        return self.keys.unlocked

    @property
    def needs_passphrase(self) -> bool:
        return self.keys.needs_passphrase

    def encryption_wanted(self) -> bool:
        return self.keys.encryption_wanted()

    def encryption_recorded(self) -> bool:
        return self.keys.encryption_recorded()

    def encryption_params(self) -> KdfParams | None:
        return self.keys.encryption_params()

    def files_by_device(self) -> dict[str, tuple[list[str], list[str]]]:
        return self.keys.files_by_device()

    def start_encryption(self, passphrase: str | None = None) -> None:
        self.keys.start_encryption(passphrase)

    def convert_own_files(self) -> None:
        self.writer.convert_own_files()

    # -- opening and closing -------------------------------------------------

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
        self.cache.load()
        self.state.read_logs = self.reader.read_logs
        if hold_lock:
            self.state.load_all()
        with self.lock.operation():
            self.reader.refresh()
            if hold_lock and self.keys.encryption_wanted() and self.lock.can_write():
                # The app asks for the passphrase now, before it takes over the
                # terminal, not at its first write or when the partner's file arrives.
                self.keys.ensure_writing_key()

    def close(self) -> None:
        with self.lock.operation():
            if self._cache_dirty and self.lock.can_write():
                if self.writable and self.folder.is_dir():
                    self.writer.write_checkpoint()
                self.cache.save()
            elif self.cache.derived_pending and self.lock.can_write():
                self.cache.save_derived()  # what a query worked out, kept once

    def lasting_problems(self) -> list[Problem]:
        """Problems that follow from the files as they are (not this run's repairs)."""
        return sorted(
            file_problems(self._replica, self._shared, self.device.id, self.state),
            key=lambda p: not p.needs_user,
        )

    @property
    def problems(self) -> list[Problem]:
        """What needs the user's attention first, then what rmpair put right by itself."""
        found = self._notices + file_problems(
            self._replica, self._shared, self.device.id, self.state
        )
        return sorted(found, key=lambda p: not p.needs_user)

    # -- writing -------------------------------------------------------------

    def append(self, drafts: Iterable[dict[str, Any]]) -> list[Change]:
        """Stamp, store and publish new changes made on this device.

        Inside ``batch()`` the changes are applied at once but written when the batch
        ends, so one command that makes many changes costs one write per month file.
        """
        with self.lock.operation():
            return self._append(drafts)

    def _append(self, drafts: Iterable[dict[str, Any]]) -> list[Change]:
        if not self.lock.can_write():
            raise self.lock.cannot_write()
        if self._lock_is_new:
            self._lock_is_new = False
            self.reader.refresh_locked()
        if self.keys.encryption_wanted() and not self.keys.ensure_writing_key():
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
        with self.lock.operation():
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
            self.writer.write(changes)
        except BaseException:
            self._reload()
            raise

    def _reload(self) -> None:
        self.state = MergedState()
        self._shared, self._replica = {}, {}
        self.reader.refresh()

    # -- encryption ------------------------------------------------------------

    # Here rather than in encryption.py: it re-reads the folder, and reading builds on
    # encryption, not the other way round.
    def unlock(self, passphrase: str) -> None:
        """Give the passphrase after opening without one (the app's passphrase dialog):
        ``WrongPassphrase`` if it opens none of the encrypted files, else the files left
        unread are read and the journal can be changed again."""
        from rmpair.store.crypto import Keychain, wrong_passphrase

        keys = Keychain(passphrase)
        headers = self.keys.encrypted_headers()
        if headers and not keys.opens_any(headers):
            raise wrong_passphrase()
        self._keys = keys
        self._refused = False
        reason = locked_reason()
        self.read_only_reasons = [r for r in self.read_only_reasons if r != reason]
        self.reader.refresh()

    def archive_folder(self) -> Path:
        return self.archive_dir

    def remove_local(self) -> None:
        """Forget this journal on this device (used when ``init`` fails half-way)."""
        shutil.rmtree(self.local, ignore_errors=True)
