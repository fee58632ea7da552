"""The merged state cached between runs, keyed by every file's signature, with the
status that ``rmpair status`` shows without opening the journal (see quick.py).
"""

from __future__ import annotations

import marshal
from typing import Any

from rmpair import __version__
from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreCore
from rmpair.store.bulk import many_objects
from rmpair.store.cache import CacheMiss, part_name
from rmpair.store.merge import MergedState
from rmpair.store.problems import FileInfo
from rmpair.store.scan import Signature, listing_digest

CACHE_VERSION = 4  # quick.CACHE_VERSION must match


class StateCache:
    """Loads and saves the cache of the merged state."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        # The listing of files is cached in groups, one per device and month, so that a
        # save rewrites only the group of the segment it wrote: each group's content as
        # last saved, and its part.
        self._groups: dict[str, tuple[Any, str]] = {}

    def load(self) -> None:
        with many_objects():
            self._load()

    def _load(self) -> None:
        head = self.core._cache.head()
        if head is None:
            return
        try:
            key = (head["version"], head["code"], head["journal"], head["device"])
            if key != (CACHE_VERSION, __version__, self.core.member.journal, self.core.device.id):
                return
            shared: dict[str, FileInfo] = {}
            replica: dict[str, FileInfo] = {}
            published: dict[str, tuple[Signature, Signature]] = {}
            for group, ref in head["listing"].items():
                part = marshal.loads(self.core._cache.part(ref))
                for table, entries in zip((shared, replica), part[:2], strict=True):
                    for rel, dumped in entries.items():
                        table[rel] = FileInfo.load(dumped)
                published.update(part[2])
                self._groups[group] = (part, ref)
            ignored = dict(head["ignored"])
            checkpointed = int(head["checkpointed"])
            state = MergedState.restore(head["state"], self._load_part)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, EOFError, CacheMiss):
            self._groups = {}
            return  # a stale cache only costs a full read
        self.core.state, self.core._shared, self.core._replica, self.core._published = (
            state,
            shared,
            replica,
            published,
        )
        self.core._ignored = ignored
        self.core._checkpointed = checkpointed

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
        groups, listing = self._listing(parts)
        head = {
            "version": CACHE_VERSION,
            "code": __version__,
            "journal": self.core.member.journal,
            "device": self.core.device.id,
            "listing": listing,
            "ignored": self.core._ignored,
            "checkpointed": self.core._checkpointed,
            "state": state_head,
        }
        quick = None
        if self.core.status_snapshot is not None:
            quick = {
                "version": CACHE_VERSION,
                "code": __version__,
                "journal": self.core.member.journal,
                # What a listing of the folders must show for the stored status to hold.
                "expect_shared": listing_digest(
                    {**self.core._ignored, **{k: v.sig for k, v in self.core._shared.items()}}
                ),
                "expect_replica": listing_digest(
                    {
                        **self.core._ignored_replica,
                        **{k: v.sig for k, v in self.core._replica.items()},
                    }
                ),
                "status": self.core.status_snapshot,
            }
        try:
            self.core._cache.save(head, parts, quick)
        except (OSError, ValueError):
            return
        self.core.state.saved(state_head)
        self._groups = groups
        self.core._cache_dirty = False

    def _listing(
        self, parts: dict[str, bytes]
    ) -> tuple[dict[str, tuple[Any, str]], dict[str, str]]:
        """What was read of every file, in groups by device and month; a group whose
        content did not change keeps its part."""
        contents: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {}
        tables = (self.core._shared, self.core._replica)
        for index, table in enumerate(tables):
            for rel, info in table.items():
                contents.setdefault(_group(rel), ({}, {}, {}))[index][rel] = info.dump()
        for rel, sigs in self.core._published.items():
            contents.setdefault(_group(rel), ({}, {}, {}))[2][rel] = sigs
        groups: dict[str, tuple[Any, str]] = {}
        for group, content in contents.items():
            known = self._groups.get(group)
            if known is not None and known[0] == content:
                groups[group] = known
                continue
            blob = marshal.dumps(content)
            ref = part_name(blob)
            parts[ref] = blob
            groups[group] = (content, ref)
        return groups, {group: ref for group, (_content, ref) in groups.items()}

    def renew_status(self) -> None:
        """Save the cache at close although no change arrived, with a fresh status."""
        self.core._cache_dirty = True

    @property
    def cache_dirty(self) -> bool:
        return self.core._cache_dirty


def _group(rel: str) -> str:
    """The group of a file in the cached listing: its device folder and month."""
    folder, _sep, name = rel.rpartition("/")
    return f"{folder}/{name[:7]}"
