"""The merged state cached between runs, keyed by every file's signature, with the
status that ``rmpair status`` shows without opening the journal (see quick.py).
"""

from __future__ import annotations

from rmpair import __version__
from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreBase
from rmpair.store.cache import CacheMiss
from rmpair.store.merge import MergedState
from rmpair.store.problems import FileInfo

CACHE_VERSION = 3  # quick.CACHE_VERSION must match


class CachingStore(StoreBase):
    """Loads and saves the cache of the merged state."""

    def _load_cache(self) -> None:
        head = self._cache.head()
        if head is None:
            return
        try:
            key = (head["version"], head["code"], head["journal"], head["device"])
            if key != (CACHE_VERSION, __version__, self.member.journal, self.device.id):
                return
            shared = {k: FileInfo.load(v) for k, v in head["shared"].items()}
            replica = {k: FileInfo.load(v) for k, v in head["replica"].items()}
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

    @property
    def cache_dirty(self) -> bool:
        return self._cache_dirty
