"""The deterministic merge of all devices' change logs.

A change sets one or more fields of one record and names, in ``prev``, the changes
whose values it replaces (the heads it saw). For each field the *heads* are the
changes that no other change replaces. One head means the field is settled; two or
more mean the devices edited it concurrently: the head with the highest clock stamp
is shown and the others are listed as a conflict, never dropped. Deleting is setting
the pseudo-field ``_del``; a record stays alive while any of its heads was not seen
by the delete, so an edit made concurrently with a delete keeps the record.

``MergedState.apply`` is order-independent and idempotent, so every device that has
the same set of changes computes the same state, however the files arrived.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rmpair.store.bulk import many_objects
from rmpair.store.cache import bucket_count, bucket_of, kind_digest, part_name
from rmpair.store.changes import (
    DELETED,
    MAX_STAMP_MS,
    MIN_STAMP_MS,
    OPS,
    Change,
    RecordState,
    change_problem,
    content_sum,
    decode_kind,
    encode_kind,
    is_live,
    sum_problem,
    survey,
    winner_key,
)
from rmpair.store.conflicts import Conflict, record_conflicts

# Re-exported: the store and the domain import these from here.
__all__ = [
    "DELETED",
    "MAX_STAMP_MS",
    "MIN_STAMP_MS",
    "OPS",
    "Change",
    "Conflict",
    "MergedState",
    "RecordState",
    "change_problem",
    "content_sum",
    "sum_problem",
    "winner_key",
]


Loader = Callable[[str], bytes]


class MergedState:
    """The journal as the union of every change seen, merged per field.

    A state restored from the local cache decodes lazily: the records of one kind
    when a query first asks for that kind, the known change ids (with their checksums)
    when a change read from a file must be checked for duplicates, and the full log
    only when it is exported. So a status query on a five-year journal touches a few
    records, and a save re-encodes only the buckets of records it changed and one
    small piece of log.
    """

    def __init__(self) -> None:
        self._records: dict[str, dict[str, RecordState]] = {}
        self._load: Loader | None = None
        self._kind_refs: dict[str, list[str]] = {}  # kinds in the cache, not decoded yet
        # Of those, the buckets decoded so far by index: a change or a lookup of one
        # record decodes its bucket only (a topic added to 10,000 decodes 64 or so).
        self._some: dict[str, dict[int, dict[str, RecordState]]] = {}
        # Decoded kinds: the parts of their buckets as last saved, the buckets changed
        # since, and which records each bucket holds (filled when first needed).
        self._buckets: dict[str, list[str]] = {}
        self._dirty: dict[str, set[int]] = {}
        self._members: dict[str, list[set[str]]] = {}
        self._counts: dict[str, int] = {}  # live counts of kinds not decoded yet
        self._live: dict[str, int] = {}  # live counts of decoded kinds, kept per change
        # The log as cached: pieces of (log part, ids part, number of changes).
        self._pieces: list[tuple[str, str, int]] = []
        self._sums: dict[str, str | None] | None = {}  # every known id: its checksum
        self._log: dict[str, Change] | None = {}
        self._new: list[Change] = []  # changes not in any cached part yet
        # A state taken from a checkpoint holds no log of the changes it was built
        # from: it is read from the log files when needed (``read_logs``).
        self.from_checkpoint = False
        self.read_logs: Callable[[], Iterable[Change]] | None = None
        self._base: tuple[list[str], list[str | None]] | None = None
        self.last_by_device: dict[str, str] = {}
        self.duplicates: list[str] = []
        self.versions: dict[str, int] = {}  # per kind, grows with every change; keys caches
        # Per kind, the record each change applied here touched: entry ``i`` is the
        # change that took the kind from version ``base + i`` to ``base + i + 1``, where
        # ``base`` is the kind's version when this state first applied one (a state
        # restored or adopted from a checkpoint starts above 0); see ``touched``.
        self._touched: dict[str, tuple[int, list[str]]] = {}
        # Records that may hold a conflict (two heads on a field, or a delete head):
        # listing conflicts looks only at these instead of walking the journal.
        self.suspects: set[tuple[str, str]] = set()

    # -- lazy parts ----------------------------------------------------------

    def _part(self, ref: str) -> Any:
        assert self._load is not None
        return marshal.loads(self._load(ref))

    def kind(self, kind: str) -> dict[str, RecordState]:
        """The records of one kind, decoded on first use."""
        recs = self._records.get(kind)
        if recs is None:
            refs = self._kind_refs.pop(kind, None)
            recs = self._records[kind] = {}
            some = self._some.pop(kind, {})
            if refs is not None:
                members: list[set[str]] = []
                with many_objects():
                    buckets = [
                        some[index] if index in some else decode_kind(self._part(ref))
                        for index, ref in enumerate(refs)
                    ]
                for bucket in buckets:
                    members.append(set(bucket))
                    recs.update(bucket)
                self._buckets[kind] = list(refs)  # buckets changed while partly decoded
                self._members[kind] = members  # stay in ``_dirty``
            count = self._counts.pop(kind, None)
            if count is not None:
                self._live[kind] = count
            elif refs is None:
                self._live[kind] = 0  # a kind this state has not seen yet
        return recs

    def _bucket(self, kind: str, rec_id: str) -> dict[str, RecordState]:
        """Where ``rec_id`` of ``kind`` is or goes: the kind's records if it is decoded
        whole (or not cached), else the one cached bucket that holds it."""
        refs = self._kind_refs.get(kind)
        if not refs:
            return self.kind(kind)
        index = bucket_of(rec_id, len(refs))
        some = self._some.setdefault(kind, {})
        if index not in some:
            some[index] = decode_kind(self._part(refs[index]))
        return some[index]

    def load_all(self) -> None:
        """Decode every part now: a process that stays open for long (the app) does not
        depend on cache parts that other processes on this device may sweep later."""
        for kind in list(self._kind_refs):
            self.kind(kind)
        self._known()
        _ = self.changes

    @property
    def kinds(self) -> set[str]:
        """Every record kind the journal holds (decoded or not)."""
        return set(self._records) | set(self._kind_refs)

    def _known(self) -> dict[str, str | None]:
        if self._sums is None:
            sums: dict[str, str | None] = {}
            for _log_ref, ids_ref, _size in self._pieces:
                ids, checksums = self._part(ids_ref)
                sums.update(zip(ids, checksums, strict=True))
            for change in self._new:
                sums[change["id"]] = change.get("sum")
            self._sums = sums
        return self._sums

    @property
    def changes(self) -> dict[str, Change]:
        """Every change known, by id (decodes the whole log when restored from cache)."""
        if self._log is None:
            log: dict[str, Change] = {}
            if self.from_checkpoint and self.read_logs is not None:
                known = self._known()  # what the checkpoint held: not what was set aside
                for change in self.read_logs():
                    if known.get(change["id"], "-") == change.get("sum"):
                        log[change["id"]] = change
            for log_ref, _ids_ref, _size in self._pieces:
                for change in self._part(log_ref) if log_ref else ():
                    log[change["id"]] = change
            for change in self._new:
                log[change["id"]] = change
            self._log = log
        return self._log

    def __len__(self) -> int:
        if self._sums is not None:
            return len(self._sums)
        # Each change is in one piece of the cached log or among the new ones.
        return sum(size for _log, _ids, size in self._pieces) + len(self._new)

    def knows(self, change: Change) -> bool:
        """Whether this very change (same id, same content) was applied already, as far
        as can be told without decoding the cached log: such a change need not be
        checked again before ``apply`` drops it."""
        if self._log is None:
            return False
        known = self._log.get(change["id"])
        return known is not None and known == change

    # -- merging -------------------------------------------------------------

    def apply(self, change: Change, *, fresh: bool = False) -> bool:
        """Add one change; returns False when it was already known.

        ``fresh`` marks a change this device has just made under a new random id:
        it cannot be a duplicate, so the set of known ids need not be decoded.
        """
        cid = change["id"]
        if not fresh:
            sums = self._known()
            if cid in sums:
                if self._altered(change, sums[cid]):
                    self.duplicates.append(cid)
                return False
        if self._sums is not None:
            self._sums[cid] = change.get("sum")
        if self._log is not None:
            self._log[cid] = change
        self._new.append(change)
        kind = change["kind"]
        rec_id = change["rec"]
        version = self.versions.get(kind, 0)
        self.versions[kind] = version + 1
        self._touched.setdefault(kind, (version, []))[1].append(rec_id)
        kind_records = self._bucket(kind, rec_id)
        rec = kind_records.get(rec_id)
        was_live = rec is not None and is_live(rec)
        if rec is None:
            rec = kind_records[rec_id] = RecordState()
            members = self._members.get(kind)
            if members is not None:
                members[bucket_of(rec_id, len(members))].add(rec_id)
        buckets = self._buckets.get(kind) or self._kind_refs.get(kind)
        if buckets:
            self._dirty.setdefault(kind, set()).add(bucket_of(rec_id, len(buckets)))
        rec.apply(change)
        for counts in (self._live, self._counts):
            if kind in counts:
                counts[kind] += is_live(rec) - was_live
        heads = rec.heads
        if DELETED in heads or any(len(fh) > 1 for fh in heads.values()):
            self.suspects.add((kind, rec_id))
        device = change["device"]
        stamp = change["hlc"]
        if stamp > self.last_by_device.get(device, ""):
            self.last_by_device[device] = stamp
        return True

    def _altered(self, change: Change, known_sum: str | None) -> bool:
        """Whether ``change`` holds other content than the known change of its id.

        Both were checked against their checksums before being applied, so equal
        checksums mean equal content; only changes stored without one (older
        versions) are compared with the log itself."""
        if self._log is not None:
            return self._log.get(change["id"]) != change
        stored = change.get("sum")
        if known_sum is not None and stored is not None:
            return bool(stored != known_sum)
        return self.changes.get(change["id"]) != change

    def apply_all(self, changes: Iterable[Change]) -> int:
        return sum(1 for c in changes if self.apply(c))

    # -- queries -------------------------------------------------------------

    @property
    def max_hlc(self) -> str:
        return max(self.last_by_device.values(), default="")

    def touched(self, kind: str, since: int) -> list[str] | None:
        """The ids of the records of ``kind`` that changes after the kind's version
        ``since`` touched, each once, in the order they were first touched; a read model
        that was built at ``since`` updates only these (``versions[kind]`` is now).

        None when this state cannot say (``since`` is older than the first change it
        applied of that kind): the caller decodes the kind again."""
        if since >= self.versions.get(kind, 0):
            return []
        base, recs = self._touched.get(kind, (self.versions.get(kind, 0), []))
        if since < base:
            return None
        return list(dict.fromkeys(recs[since - base :]))

    def kind_digest(self, kind: str) -> str | None:
        """A name for the records of ``kind`` as this state holds them, while they are
        the ones last restored from or saved to the cache: the names of their parts,
        which are their content's hashes (equal names, equal records). None when the
        kind changed since, or was never cached: derived answers are then worked out."""
        refs = self.kind_refs(kind)
        return None if refs is None else kind_digest(kind, refs)

    def kind_refs(self, kind: str) -> list[str] | None:
        """The cache parts holding ``kind``'s records (one per bucket, in order), or
        None when the kind changed since it was last restored or saved."""
        if kind in self._kind_refs:
            refs = None if self._dirty.get(kind) else self._kind_refs[kind]
        elif not self._records.get(kind):
            refs = []  # no record of this kind at all
        else:
            dirty = self._dirty.get(kind) or kind not in self._buckets
            refs = None if dirty else self._buckets[kind]
        return None if refs is None else list(refs)

    def record(self, kind: str, rec: str) -> RecordState | None:
        return self._bucket(kind, rec).get(rec)

    def fields(self, kind: str, rec: str) -> dict[str, Any] | None:
        """The shown values of a live record, or None if it is unknown or deleted."""
        state = self.record(kind, rec)
        if state is None or not state.exists() or state.is_deleted():
            return None
        return state.values()

    def live(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for rec_id, state in self.kind(kind).items():
            if state.exists() and not state.is_deleted():
                yield rec_id, state.values()

    def shown(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """``live`` without copying the values (do not change them): for a pass over
        thousands of records that only reads them."""
        for rec_id, state in self.kind(kind).items():
            values = state.shown_values()
            if DELETED in state.heads:
                if not state.exists() or state.is_deleted():
                    continue
            elif not values:  # no field set: it does not exist
                continue
            yield rec_id, values

    def count_live(self, kind: str) -> int:
        """How many records of ``kind`` are alive; kept up to date change by change, so a
        save does not walk every record of the kinds it touched."""
        if kind in self._counts:
            return self._counts[kind]
        count = self._live.get(kind)
        if count is None:
            count = self._live[kind] = sum(1 for s in self.kind(kind).values() if is_live(s))
        return count

    def conflicts(self) -> list[Conflict]:
        """Every open conflict, in a stable order."""
        found: list[Conflict] = []
        for kind, rec_id in sorted(self.suspects):
            state = self.record(kind, rec_id)
            if state is not None and state.exists() and not state.is_deleted():
                found.extend(record_conflicts(kind, rec_id, state))
        return found

    def log(self) -> list[Change]:
        """The merged log: every change from every device, in clock order."""
        return sorted(self.changes.values(), key=winner_key)

    # -- the local cache -----------------------------------------------------

    def snapshot(self) -> tuple[dict[str, Any], dict[str, bytes]]:
        """The state as a small head plus the parts it names (see ``rmpair.store.cache``).

        Parts that did not change keep their names, so a save writes only what it
        touched: the buckets of the records it changed, and one small piece of log
        (pieces are merged like a binary counter, so there are few of them and each
        change is rewritten a logarithmic number of times).
        """
        parts: dict[str, bytes] = {}

        def put(data: Any) -> str:
            blob = marshal.dumps(data)
            name = part_name(blob)
            parts[name] = blob
            return name

        kinds = {}
        for kind, refs in self._kind_refs.items():  # partly decoded: its changed buckets
            dirty, some = self._dirty.get(kind, set()), self._some.get(kind, {})
            kinds[kind] = [
                put(encode_kind(some[b])) if b in dirty else ref for b, ref in enumerate(refs)
            ]
        counts = dict(self._counts)
        for kind, recs in self._records.items():
            kinds[kind] = self._kind_parts(kind, recs, put)
            counts[kind] = self.count_live(kind)
        pieces = list(self._pieces)
        if self._base is not None:  # the changes of a checkpoint: their log stays in files
            pieces.insert(0, ("", put(self._base), len(self._base[0])))
        if self._new:
            pieces.append(self._piece(self._new, put))
        while len(pieces) > 1 and pieces[-2][0] and pieces[-2][2] <= 2 * pieces[-1][2]:
            last, before = pieces.pop(), pieces.pop()
            merged = [*self._part_or(before[0], parts), *self._part_or(last[0], parts)]
            pieces.append(self._piece(merged, put))
        head = {
            "kinds": kinds,
            "counts": counts,
            "log": [list(piece) for piece in pieces],
            "from_checkpoint": self.from_checkpoint,
            "last_by_device": dict(self.last_by_device),
            "suspects": {key for key in self.suspects if self._still_suspect(*key)},
        }
        return head, parts

    def _part_or(self, ref: str, parts: dict[str, bytes]) -> Any:
        return marshal.loads(parts[ref]) if ref in parts else self._part(ref)

    @staticmethod
    def _piece(changes: list[Change], put: Callable[[Any], str]) -> tuple[str, str, int]:
        ids = [c["id"] for c in changes]
        sums = [c.get("sum") for c in changes]
        return (put(changes), put((ids, sums)), len(changes))

    def _kind_parts(
        self, kind: str, recs: dict[str, RecordState], put: Callable[[Any], str]
    ) -> list[str]:
        old = self._buckets.get(kind)
        count = bucket_count(len(recs), len(old) if old else 0)
        if old is not None and len(old) == count:
            dirty = self._dirty.get(kind, set())
            if not dirty:
                return old
            members = self._members_of(kind, recs, count)
            return [
                put(encode_kind({r: recs[r] for r in members[b]})) if b in dirty else ref
                for b, ref in enumerate(old)
            ]
        members = self._members[kind] = [set() for _ in range(count)]
        for rec_id in recs:
            members[bucket_of(rec_id, count)].add(rec_id)
        return [put(encode_kind({r: recs[r] for r in group})) for group in members]

    def _members_of(self, kind: str, recs: dict[str, RecordState], count: int) -> list[set[str]]:
        members = self._members.get(kind)
        if members is None or len(members) != count:
            members = self._members[kind] = [set() for _ in range(count)]
            for rec_id in recs:
                members[bucket_of(rec_id, count)].add(rec_id)
        return members

    def saved(self, head: dict[str, Any]) -> None:
        """Adopt the part names of a snapshot that was written successfully."""
        self._pieces = [(str(p[0]), str(p[1]), int(p[2])) for p in head["log"]]
        self._new, self._base = [], None
        self._buckets = {kind: list(head["kinds"][kind]) for kind in self._records}
        self._kind_refs = {kind: list(head["kinds"][kind]) for kind in self._kind_refs}
        self._dirty = {}

    def _still_suspect(self, kind: str, rec_id: str) -> bool:
        if kind not in self._records and not self._dirty.get(kind):
            return True  # not decoded, so unchanged since it was last checked
        state = self.record(kind, rec_id)
        return state is not None and (
            state.exists()
            and not state.is_deleted()
            and any(True for _ in record_conflicts(kind, rec_id, state))
        )

    @classmethod
    def restore(cls, head: dict[str, Any], load: Loader) -> MergedState:
        """A state from a snapshot's head; ``load`` fetches a part when it is first needed."""
        merged = cls()
        merged._load = load
        merged._kind_refs = {str(k): [str(r) for r in refs] for k, refs in head["kinds"].items()}
        merged._counts = dict(head["counts"])
        merged._pieces = [(str(p[0]), str(p[1]), int(p[2])) for p in head["log"]]
        merged._sums, merged._log = None, None
        merged.last_by_device = dict(head["last_by_device"])
        merged.suspects = set(head["suspects"])
        merged.from_checkpoint = bool(head["from_checkpoint"])
        return merged

    @classmethod
    def adopt(
        cls,
        records: dict[str, dict[str, RecordState]],
        known: dict[str, str | None],
        last_by_device: dict[str, str],
        read_logs: Callable[[], Iterable[Change]] | None,
    ) -> MergedState:
        """The state a checkpoint describes (see ``checkpoint.py``): its records, every
        change id it holds with its checksum; the changes themselves stay in the log
        files until the full log is asked for (``read_logs``)."""
        merged = cls()
        merged._records, merged._sums, merged._log = records, dict(known), None
        merged._base = (list(known), list(known.values()))
        merged.from_checkpoint, merged.read_logs = True, read_logs
        merged.last_by_device = dict(last_by_device)
        for kind, recs in records.items():
            merged.versions[kind] = 1
            suspects, merged._live[kind] = survey(recs)
            merged.suspects.update((kind, rec_id) for rec_id in suspects)
        return merged
