"""The device's lock: one writer at a time among the rmpair processes on this device,
held only for the milliseconds of one read or write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar

from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreBase

# A writer waits for another rmpair on this device: quietly at first, then with a word.
LOCK_NOTICE_S = 1.0
LOCK_WAIT_S = 30.0


class LockingStore(StoreBase):
    """Takes and releases the device's lock around each operation."""

    # Called when a write has waited a second for another rmpair on this device.
    on_wait: ClassVar[Callable[[], object] | None] = None

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
            # Read from the class: the command line sets it on JournalStore, and a
            # function read through an instance would be bound to it.
            on_wait = type(self).on_wait
            if on_wait is not None:
                on_wait()
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

    def close_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
