"""The merged state cached between runs, keyed by every file's signature, with the
status that ``rmpair status`` shows without opening the journal (see quick.py).
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from typing import Any

from rmpair import __version__
from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreCore
from rmpair.store.bulk import many_objects
from rmpair.store.cache import CacheMiss, kind_digest, part_name
from rmpair.store.merge import MergedState
from rmpair.store.problems import FileInfo
from rmpair.store.scan import Signature, listing_digest

CACHE_VERSION = 4  # quick.CACHE_VERSION must match


class StateCache:
    """Loads and saves the cache of the merged state."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        # The listing of files is cached in groups, one per device and month, so that a
        # save rewrites only the group of the segment it wrote: each group's entries as
        # last saved (``FileInfo``s, not their dumps: comparing them is cheap, dumping
        # hundreds per save was not), and its part.
        self._groups: dict[str, tuple[Any, str]] = {}
        # Answers derived from the records of one kind, saved beside them: per name,
        # (kind, ``kind_digest`` of the records they were derived from, part); and the
        # makers registered in this process that give them anew (see ``derived``).
        self._derived: dict[str, tuple[str, str, str]] = {}
        self._makers: dict[str, tuple[str, Callable[[], Any]]] = {}

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
                entries: tuple[dict[str, Any], dict[str, Any], dict[str, Any]] = (
                    {},
                    {},
                    dict(part[2]),
                )
                for index, dumps in enumerate(part[:2]):
                    for rel, dumped in dumps.items():
                        entries[index][rel] = FileInfo.load(dumped)
                shared.update(entries[0])
                replica.update(entries[1])
                published.update(part[2])
                self._groups[group] = (entries, ref)
            derived = {
                str(name): (str(entry[0]), str(entry[1]), str(entry[2]))
                for name, entry in head.get("derived", {}).items()
            }
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
        self.core._ignored, self._derived = ignored, derived
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

    def derived(self, name: str, kind: str, make: Callable[[], Any]) -> Any | None:
        """The answer ``name`` saved for the records of ``kind`` as they are now, or
        None; ``make`` gives it for the records as they are at each save, which keeps
        it beside them. Only kept while the kind's parts are the ones it was made from,
        so it can never answer for other records (a query over 10,000 topics loads one
        small part instead of decoding them)."""
        self._makers[name] = (kind, make)
        entry = self._derived.get(name)
        if entry is None or entry[:2] != (kind, self.core.state.kind_digest(kind)):
            return None
        try:
            return marshal.loads(self.core._cache.part(entry[2]))
        except (CacheMiss, ValueError, EOFError, TypeError):
            return None

    def _derive(self, kinds: dict[str, list[str]], parts: dict[str, bytes]) -> dict[str, Any]:
        derived: dict[str, tuple[str, str, str]] = {}
        for name, entry in self._derived.items():  # still about the same records: kept
            refs = kinds.get(entry[0])
            if refs is not None and kind_digest(entry[0], refs) == entry[1]:
                derived[name] = entry
        for name, (kind, make) in self._makers.items():
            refs = kinds.get(kind)
            if refs is None or (name in derived and derived[name][1] == kind_digest(kind, refs)):
                continue
            blob = marshal.dumps(make())
            parts[part_name(blob)] = blob
            derived[name] = (kind, kind_digest(kind, refs), part_name(blob))
        return derived

    def save(self) -> None:
        state_head, parts = self.core.state.snapshot()
        derived = self._derive(state_head["kinds"], parts)
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
            "derived": derived,
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
        self._groups, self._derived = groups, derived
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
                contents.setdefault(_group(rel), ({}, {}, {}))[index][rel] = info
        for rel, sigs in self.core._published.items():
            contents.setdefault(_group(rel), ({}, {}, {}))[2][rel] = sigs
        groups: dict[str, tuple[Any, str]] = {}
        for group, content in contents.items():
            known = self._groups.get(group)
            if known is not None and known[0] == content:
                groups[group] = known
                continue
            shared, replica, published = content
            dumped = (
                {rel: info.dump() for rel, info in shared.items()},
                {rel: info.dump() for rel, info in replica.items()},
                published,
            )
            blob = marshal.dumps(dumped)
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
