"""The fields every part of the journal store shares, set up in one place.

The store is split by concern into parts that each get this core (locking,
encryption, writing, reading, the cache); ``JournalStore`` is the core and composes
the parts, each of which holds only the parts below it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rmpair.clock import SYSTEM_CLOCK, epoch_ms
from rmpair.store.cache import PartCache
from rmpair.store.hlc import Clock
from rmpair.store.home import DeviceIdentity, Home, Membership
from rmpair.store.merge import Change, MergedState
from rmpair.store.problems import FileInfo, Problem
from rmpair.store.scan import Signature

if TYPE_CHECKING:
    from rmpair.store.crypto import Keychain, Passphrase, PassphraseSource


class StoreCore:
    """What the parts of ``JournalStore`` share: where the journal lives, what was read.

    The parts (lock, keys, writer, reader, cache) hold behaviour and read and write
    these fields through the store they are given; only the store composes them.
    """

    # Called when a write has waited a second for another rmpair on this device (the
    # command line sets it on JournalStore to say so on stderr).
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
        self._shared: dict[str, FileInfo] = {}
        self._replica: dict[str, FileInfo] = {}
        # Per own month: (replica signature, shared signature) right after publishing.
        # Either changing means the shared copy may differ from the local one.
        self._published: dict[str, tuple[Signature, Signature]] = {}
        self._ignored: dict[str, Signature] = {}  # temporary and foreign files seen
        self._ignored_replica: dict[str, Signature] = {}
        # The status as of the last full read, stored with the cache so that
        # ``rmpair status`` can answer without opening the journal (see quick.py).
        self.status_snapshot: dict[str, Any] | None = None
        self._cache_dirty = False
        # How many changes this device's last checkpoint held (see checkpoint.py).
        self._checkpointed = 0
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

    @property
    def writable(self) -> bool:
        return self._want_write and not self.read_only_reasons
