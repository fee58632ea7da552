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

``JournalStore`` composes the store's parts, one module each, every one building on
the one before so that none imports another that imports it: ``base`` (the shared
fields), ``locking``, ``encryption``, ``writing`` (the replica and the shared copies),
``reading`` (the refresh), and ``state_cache`` beside them; ``problems`` holds what
they report.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.encryption import locked_reason
from rmpair.store.files import private_folder
from rmpair.store.merge import MAX_STAMP_MS, MIN_STAMP_MS, Change, MergedState, content_sum
from rmpair.store.problems import Problem, file_problems
from rmpair.store.reading import ReadingStore
from rmpair.store.state_cache import CachingStore


class JournalStore(ReadingStore, CachingStore):
    """Reads the union of all devices' logs and appends this device's changes."""

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
        self._load_cache()
        if hold_lock:
            self.state.load_all()
        with self._operation():
            self.refresh()
            if hold_lock and self.encryption_wanted() and self._can_write():
                # The app asks for the passphrase now, before it takes over the
                # terminal, not at its first write or when the partner's file arrives.
                self._ensure_writing_key()

    def close(self) -> None:
        with self._operation():
            if self._cache_dirty and self._can_write():
                self._save_cache()

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

    # -- encryption ------------------------------------------------------------

    # Here rather than in encryption.py: it re-reads the folder, and reading builds on
    # encryption, not the other way round.
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
        reason = locked_reason()
        self.read_only_reasons = [r for r in self.read_only_reasons if r != reason]
        self.refresh()

    def archive_folder(self) -> Path:
        return self.archive_dir

    def remove_local(self) -> None:
        """Forget this journal on this device (used when ``init`` fails half-way)."""
        shutil.rmtree(self.local, ignore_errors=True)
