"""The merged state cached between runs, keyed by every file's signature, with the
status that ``rmpair status`` shows without opening the journal (see quick.py).
"""

from __future__ import annotations

from rmpair import __version__
from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreCore
from rmpair.store.cache import CacheMiss
from rmpair.store.merge import MergedState
from rmpair.store.problems import FileInfo

CACHE_VERSION = 4  # quick.CACHE_VERSION must match


class StateCache:
    """Loads and saves the cache of the merged state."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def load(self) -> None:
        head = self.core._cache.head()
        if head is None:
            return
        try:
            key = (head["version"], head["code"], head["journal"], head["device"])
            if key != (CACHE_VERSION, __version__, self.core.member.journal, self.core.device.id):
                return
            shared = {k: FileInfo.load(v) for k, v in head["shared"].items()}
            replica = {k: FileInfo.load(v) for k, v in head["replica"].items()}
            published = dict(head["published"])
            ignored = dict(head["ignored"])
            state = MergedState.restore(head["state"], self._load_part)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return  # a stale cache only costs a full read
        self.core.state, self.core._shared, self.core._replica, self.core._published = (
            state,
            shared,
            replica,
            published,
        )
        self.core._ignored = ignored

    def _load_part(self, name: str) -> bytes:
        try:
            return self.core._cache.part(name)
        except CacheMiss:
            self.core._cache.clear()
            raise ReadOnlyError(
                _(
                    "This device's cache of the journal was damaged and has been cleared; "
                    "run the command again."
                )
            ) from None

    def save(self) -> None:
        state_head, parts = self.core.state.snapshot()
        head = {
            "version": CACHE_VERSION,
            "code": __version__,
            "journal": self.core.member.journal,
            "device": self.core.device.id,
            "shared": {k: v.dump() for k, v in self.core._shared.items()},
            "replica": {k: v.dump() for k, v in self.core._replica.items()},
            "published": self.core._published,
            "ignored": self.core._ignored,
            "state": state_head,
        }
        quick = None
        if self.core.status_snapshot is not None:
            quick = {
                "version": CACHE_VERSION,
                "code": __version__,
                "journal": self.core.member.journal,
                # What a listing of the folders must show for the stored status to hold.
                "expect_shared": {
                    **self.core._ignored,
                    **{k: v.sig for k, v in self.core._shared.items()},
                },
                "expect_replica": {
                    **self.core._ignored_replica,
                    **{k: v.sig for k, v in self.core._replica.items()},
                },
                "status": self.core.status_snapshot,
            }
        try:
            self.core._cache.save(head, parts, quick)
        except (OSError, ValueError):
            return
        self.core.state.saved(state_head)
        self.core._cache_dirty = False

    def renew_status(self) -> None:
        """Save the cache at close although no change arrived, with a fresh status."""
        self.core._cache_dirty = True

    @property
    def cache_dirty(self) -> bool:
        return self.core._cache_dirty
