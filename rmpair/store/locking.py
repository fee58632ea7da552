"""The device's lock: one writer at a time among the rmpair processes on this device,
held only for the milliseconds of one read or write.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreCore

# A writer waits for another rmpair on this device: quietly at first, then with a word.
LOCK_NOTICE_S = 1.0
LOCK_WAIT_S = 30.0


# How often a waiting writer tries the lock again.
POLL_S = 0.05


class _Lock(Protocol):
    def acquire(self, timeout: float) -> bool: ...

    def release(self) -> None: ...


class _Flock:
    """An exclusive ``flock`` on the device's lock file, as ``filelock.FileLock`` takes
    it on Unix (so older versions of rmpair and this one exclude each other), without
    importing filelock: its version 4 loads logging, hashlib (OpenSSL), decimal and
    more, about a third of a minimal Typer command's start, in every command that
    writes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        tries = max(1, math.ceil(timeout / POLL_S) + 1)
        for attempt in range(tries):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if attempt + 1 < tries:
                    time.sleep(POLL_S)  # waiting, not reading the time: no clock here
                continue
            except BaseException:
                os.close(fd)
                raise
            self.fd = fd
            return True
        os.close(fd)
        return False

    def release(self) -> None:
        if self.fd is not None:
            import fcntl

            fd, self.fd = self.fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


class _PortableLock:
    """filelock's lock, where there is no ``flock`` (Windows)."""

    def __init__(self, path: str) -> None:
        from filelock import FileLock

        self.lock = FileLock(path, mode=0o600)

    def acquire(self, timeout: float) -> bool:
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=timeout)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        self.lock.release()


def device_lock(path: str) -> _Lock:
    """The lock on the file ``path``: ``acquire(timeout)`` says whether it was taken."""
    return _Flock(path) if os.name == "posix" else _PortableLock(path)


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
        lock = device_lock(str(self.core.local / "lock"))
        if not lock.acquire(timeout=LOCK_NOTICE_S):
            # Read from the class: the command line sets it on JournalStore, and a
            # function read through an instance would be bound to it.
            on_wait = type(self.core).on_wait
            if on_wait is not None:
                on_wait()
            if not lock.acquire(timeout=LOCK_WAIT_S):
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
