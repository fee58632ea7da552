"""The device's lock: one writer at a time among the rmpair processes on this device,
held only for the milliseconds of one read or write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreCore

# A writer waits for another rmpair on this device: quietly at first, then with a word.
LOCK_NOTICE_S = 1.0
LOCK_WAIT_S = 30.0


class DeviceLock:
    """Takes and releases the device's lock around each operation."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    @contextmanager
    def operation(self) -> Iterator[None]:
        """One read or write of the journal: the device's lock, if this operation took
        it, is released at its end. The app and any number of commands on this device
        can so run side by side; each holds the lock for milliseconds."""
        self.core._operations += 1
        try:
            yield
        finally:
            self.core._operations -= 1
            if self.core._operations == 0:
                self.close_lock()

    def _acquire_lock(self) -> None:
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.core.local / "lock"), mode=0o600)
        try:
            lock.acquire(timeout=LOCK_NOTICE_S)
        except Timeout:
            # Read from the class: the command line sets it on JournalStore, and a
            # function read through an instance would be bound to it.
            on_wait = type(self.core).on_wait
            if on_wait is not None:
                on_wait()
            try:
                lock.acquire(timeout=LOCK_WAIT_S)
            except Timeout:
                self.core._lock_busy = True
                return
        self.core._lock_busy = False
        self.core._lock = lock
        # Another rmpair on this device may have written since this one read the
        # files; the next change must be made on top of what is on disk now.
        self.core._lock_is_new = True

    def can_write(self) -> bool:
        """Whether this operation may write; takes the device's lock on first use."""
        if not self.core._want_write or self.core.read_only_reasons:
            return False
        if self.core._lock is None:
            self._acquire_lock()
        return self.core._lock is not None

    def cannot_write(self) -> ReadOnlyError:
        if self.core._lock_busy:
            return ReadOnlyError(
                _(
                    "Another rmpair on this device has been writing to this journal for "
                    "{n} seconds; nothing was changed. Try again in a moment."
                ).format(n=int(LOCK_NOTICE_S + LOCK_WAIT_S))
            )
        return ReadOnlyError(" ".join(self.core.read_only_reasons))

    def close_lock(self) -> None:
        if self.core._lock is not None:
            self.core._lock.release()
            self.core._lock = None
