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
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from rmpair.i18n import _
from rmpair.store.cache import part_name
from rmpair.store.hlc import is_stamp

DELETED = "_del"
OPS = frozenset({"create", "set", "delete", "restore", "resolve"})

Change = dict[str, Any]
"""One stored change: id, hlc, device, person, kind, rec, op, fields, prev."""

_KEYS = ("id", "hlc", "device", "person", "kind", "rec", "op", "fields", "prev")
# Stamps outside these years are not a clock reading but damage: one accepted stamp in
# the year 33658 would carry every later stamp of this device past any calendar.
MIN_STAMP_MS = 946_684_800_000  # 2000-01-01 UTC
MAX_STAMP_MS = 7_258_118_400_000  # 2200-01-01 UTC


def content_sum(change: Mapping[str, Any]) -> str:
    """A checksum of a change's content, stored beside it as ``sum``.

    It binds the change id to what the change says: a copy of the file with one value
    edited but the same id is told apart from the original, and set aside."""
    import hashlib
    import json

    body = {key: change[key] for key in _KEYS}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def sum_problem(change: Mapping[str, Any]) -> str | None:
    """Why a change does not match its stored checksum (None when it does, or when it
    was written by a version that stored none)."""
    stored = change.get("sum")
    if stored is None:
        return None
    if not isinstance(stored, str) or stored != content_sum(change):
        return _("its content does not match its checksum (altered after writing)")
    return None


def change_problem(change: object) -> str | None:
    """Say what is wrong with a change read from a file, or None if it is well-formed."""
    if not isinstance(change, dict):
        return _("a change is not an object")
    for key in _KEYS:
        if key not in change:
            return _("a change lacks '{key}'").format(key=key)
    for key in ("id", "device", "person", "kind", "rec", "op"):
        if not isinstance(change[key], str) or (key != "person" and not change[key]):
            return _("change {id}: '{key}' must be a non-empty text").format(
                id=str(change.get("id"))[:12], key=key
            )
    short = change["id"][:12]
    if not is_stamp(change["hlc"]):
        return _("change {id}: 'hlc' is not a clock stamp").format(id=short)
    if not MIN_STAMP_MS <= int(change["hlc"][:15]) < MAX_STAMP_MS:
        return _("change {id}: its clock stamp is not between the years 2000 and 2200").format(
            id=short
        )
    if not change["hlc"].endswith("." + change["device"]):
        return _("change {id}: clock stamp and device disagree").format(id=short)
    if change["op"] not in OPS:
        return _("change {id}: unknown operation {op}").format(id=short, op=repr(change["op"]))
    fields = change["fields"]
    if not isinstance(fields, dict) or not fields:
        return _("change {id}: 'fields' must be a non-empty object").format(id=short)
    prev = change["prev"]
    if not isinstance(prev, list) or not all(isinstance(p, str) for p in prev):
        return _("change {id}: 'prev' must be a list of change ids").format(id=short)
    return None


def winner_key(change: Change) -> tuple[str, str]:
    return (change["hlc"], change["id"])


class RecordState:
    """The heads of each field of one record, and which (change, field) pairs are replaced."""

    __slots__ = ("_values", "heads", "replaced")

    def __init__(self) -> None:
        self.heads: dict[str, dict[str, Change]] = {}
        self.replaced: set[tuple[str, str]] = set()
        self._values: dict[str, Any] | None = None  # shown values, until the next change

    def apply(self, change: Change) -> None:
        self._values = None
        fields: Mapping[str, Any] = change["fields"]
        cid: str = change["id"]
        replaced = self.replaced
        heads = self.heads
        for name in fields:
            if (cid, name) not in replaced:
                heads.setdefault(name, {})[cid] = change
        for old in change["prev"]:
            for name in fields:
                replaced.add((old, name))
                field_heads = heads.get(name)
                if field_heads is not None:
                    field_heads.pop(old, None)

    def winner(self, name: str) -> Change | None:
        field_heads = self.heads.get(name)
        if not field_heads:
            return None
        return max(field_heads.values(), key=winner_key)

    def head_ids(self) -> set[str]:
        return {cid for field_heads in self.heads.values() for cid in field_heads}

    def delete_heads(self) -> list[Change]:
        return list(self.heads.get(DELETED, {}).values())

    def is_deleted(self) -> bool:
        """Deleted when every delete head is a delete and it saw every current value."""
        dels = self.delete_heads()
        if not dels or any(not c["fields"][DELETED] for c in dels):
            return False
        seen: set[str] = set()
        for c in dels:
            seen.update(c["prev"])
        return all(
            cid in seen
            for name, field_heads in self.heads.items()
            if name != DELETED
            for cid in field_heads
        )

    def exists(self) -> bool:
        return any(name != DELETED and fh for name, fh in self.heads.items())

    def values(self) -> dict[str, Any]:
        """The shown value of every field (a fresh dict; the computation is kept)."""
        if self._values is None:
            self._values = self._compute_values()
        return dict(self._values)

    def _compute_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, field_heads in self.heads.items():
            if name == DELETED or not field_heads:
                continue
            if len(field_heads) == 1:  # the common case: settled, nothing to compare
                (best,) = field_heads.values()
            else:
                best = max(field_heads.values(), key=winner_key)
            out[name] = best["fields"][name]
        return out


class Conflict(NamedTuple):
    """A field two devices set concurrently: the value shown and the ones kept aside."""

    kind: str
    rec: str
    field: str
    winner: Change
    others: tuple[Change, ...]

    @property
    def is_delete(self) -> bool:
        return self.field == DELETED


def _record_conflicts(kind: str, rec_id: str, state: RecordState) -> Iterator[Conflict]:
    for name in sorted(state.heads):
        field_heads = state.heads[name]
        if name == DELETED:
            # A live record with a delete head: someone edited what the other deleted.
            dels = sorted((c for c in field_heads.values() if c["fields"][DELETED]), key=winner_key)
            if dels:
                edits = [c for n, fh in state.heads.items() if n != DELETED for c in fh.values()]
                yield Conflict(kind, rec_id, name, max(edits, key=winner_key), tuple(dels))
        elif len(field_heads) > 1:
            ordered = sorted(field_heads.values(), key=winner_key, reverse=True)
            shown = ordered[0]["fields"][name]
            # Both sides wrote the same value (two people signing the same wording):
            # nothing to choose between, so nothing to show as a conflict.
            if any(c["fields"][name] != shown for c in ordered[1:]):
                yield Conflict(kind, rec_id, name, ordered[0], tuple(ordered[1:]))


Loader = Callable[[str], bytes]


class MergedState:
    """The journal as the union of every change seen, merged per field.

    A state restored from the local cache decodes lazily: the records of one kind
    when a query first asks for that kind, the set of known change ids when a change
    read from a file must be checked for duplicates, and the full log only when it is
    exported. So a status query on a five-year journal touches a few records, and a
    save re-encodes only the kinds it changed.
    """

    def __init__(self) -> None:
        self._records: dict[str, dict[str, RecordState]] = {}
        self._load: Loader | None = None
        self._kind_refs: dict[str, str] = {}  # kinds in the cache, not decoded yet
        self._clean: dict[str, str] = {}  # decoded kinds unchanged since the cache
        self._counts: dict[str, int] = {}  # live counts of kinds not decoded yet
        self._id_refs: list[str] = []
        self._log_refs: list[str] = []
        self._ids: set[str] | None = set()
        self._log: dict[str, Change] | None = {}
        self._new: list[Change] = []  # changes not in any cached part yet
        self.last_by_device: dict[str, str] = {}
        self.duplicates: list[str] = []
        self.versions: dict[str, int] = {}  # per kind, grows with every change; keys caches
        # Per kind, the record each change applied here touched: entry ``v`` is the
        # change that took the kind from version ``v`` to ``v + 1`` (see ``touched``).
        self._touched: dict[str, list[str]] = {}
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
            ref = self._kind_refs.pop(kind, None)
            recs = self._records[kind] = {} if ref is None else _decode_kind(self._part(ref))
            if ref is not None:
                self._clean[kind] = ref
            self._counts.pop(kind, None)
        return recs

    def load_all(self) -> None:
        """Decode every part now: a process that stays open for long (the app) does not
        depend on cache parts that other processes on this device may sweep later."""
        for kind in list(self._kind_refs):
            self.kind(kind)
        self._known_ids()
        _ = self.changes

    @property
    def kinds(self) -> set[str]:
        """Every record kind the journal holds (decoded or not)."""
        return set(self._records) | set(self._kind_refs)

    def _known_ids(self) -> set[str]:
        if self._ids is None:
            ids: set[str] = set()
            for ref in self._id_refs:
                ids.update(self._part(ref))
            ids.update(c["id"] for c in self._new)
            self._ids = ids
        return self._ids

    @property
    def changes(self) -> dict[str, Change]:
        """Every change known, by id (decodes the whole log when restored from cache)."""
        if self._log is None:
            log: dict[str, Change] = {}
            for ref in self._log_refs:
                for change in self._part(ref):
                    log[change["id"]] = change
            for change in self._new:
                log[change["id"]] = change
            self._log = log
        return self._log

    def __len__(self) -> int:
        return len(self._known_ids())

    # -- merging -------------------------------------------------------------

    def apply(self, change: Change, *, fresh: bool = False) -> bool:
        """Add one change; returns False when it was already known.

        ``fresh`` marks a change this device has just made under a new random id:
        it cannot be a duplicate, so the set of known ids need not be decoded.
        """
        cid = change["id"]
        if not fresh:
            ids = self._known_ids()
            if cid in ids:
                known = self.changes.get(cid)
                if known is not None and known != change:
                    self.duplicates.append(cid)
                return False
        if self._ids is not None:
            self._ids.add(cid)
        if self._log is not None:
            self._log[cid] = change
        self._new.append(change)
        kind = change["kind"]
        self.versions[kind] = self.versions.get(kind, 0) + 1
        self._touched.setdefault(kind, []).append(change["rec"])
        kind_records = self.kind(kind)
        self._clean.pop(kind, None)
        rec = kind_records.get(change["rec"])
        if rec is None:
            rec = kind_records[change["rec"]] = RecordState()
        rec.apply(change)
        if DELETED in rec.heads or any(len(fh) > 1 for fh in rec.heads.values()):
            self.suspects.add((kind, change["rec"]))
        device = change["device"]
        stamp = change["hlc"]
        if stamp > self.last_by_device.get(device, ""):
            self.last_by_device[device] = stamp
        return True

    def apply_all(self, changes: Iterable[Change]) -> int:
        return sum(1 for c in changes if self.apply(c))

    # -- queries -------------------------------------------------------------

    @property
    def max_hlc(self) -> str:
        return max(self.last_by_device.values(), default="")

    def touched(self, kind: str, since: int) -> list[str]:
        """The ids of the records of ``kind`` that changes after the kind's version
        ``since`` touched, each once, in the order they were first touched; a read model
        that was built at ``since`` updates only these (``versions[kind]`` is now)."""
        return list(dict.fromkeys(self._touched.get(kind, ())[since:]))

    def record(self, kind: str, rec: str) -> RecordState | None:
        return self.kind(kind).get(rec)

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

    def count_live(self, kind: str) -> int:
        if kind in self._counts:
            return self._counts[kind]
        return sum(1 for s in self.kind(kind).values() if s.exists() and not s.is_deleted())

    def conflicts(self) -> list[Conflict]:
        """Every open conflict, in a stable order."""
        found: list[Conflict] = []
        for kind, rec_id in sorted(self.suspects):
            state = self.kind(kind).get(rec_id)
            if state is not None and state.exists() and not state.is_deleted():
                found.extend(_record_conflicts(kind, rec_id, state))
        return found

    def log(self) -> list[Change]:
        """The merged log: every change from every device, in clock order."""
        return sorted(self.changes.values(), key=winner_key)

    # -- the local cache -----------------------------------------------------

    def snapshot(self) -> tuple[dict[str, Any], dict[str, bytes]]:
        """The state as a small head plus the parts it names (see ``rmpair.store.cache``).

        Parts that did not change keep their names, so a save writes only what it
        touched: the kinds it changed and one new piece of log.
        """
        parts: dict[str, bytes] = {}

        def put(data: Any) -> str:
            blob = marshal.dumps(data)
            name = part_name(blob)
            parts[name] = blob
            return name

        kinds = dict(self._kind_refs)
        counts = dict(self._counts)
        for kind, recs in self._records.items():
            kinds[kind] = self._clean.get(kind) or put(_encode_kind(recs))
            counts[kind] = self.count_live(kind)
        log_refs, id_refs = list(self._log_refs), list(self._id_refs)
        if self._new:
            log_refs.append(put(self._new))
            id_refs.append(put([c["id"] for c in self._new]))
        if len(log_refs) > 16:  # keep the number of pieces bounded
            log_refs = [put(list(self.changes.values()))]
            id_refs = [put(list(self._known_ids()))]
        head = {
            "kinds": kinds,
            "counts": counts,
            "ids": id_refs,
            "log": log_refs,
            "last_by_device": dict(self.last_by_device),
            "suspects": {key for key in self.suspects if self._still_suspect(*key)},
        }
        return head, parts

    def saved(self, head: dict[str, Any]) -> None:
        """Adopt the part names of a snapshot that was written successfully."""
        self._log_refs, self._id_refs = list(head["log"]), list(head["ids"])
        self._new = []
        self._clean = {kind: head["kinds"][kind] for kind in self._records}

    def _still_suspect(self, kind: str, rec_id: str) -> bool:
        if kind not in self._records:
            return True  # not decoded, so unchanged since it was last checked
        state = self._records[kind].get(rec_id)
        return state is not None and (
            state.exists()
            and not state.is_deleted()
            and any(True for _ in _record_conflicts(kind, rec_id, state))
        )

    @classmethod
    def restore(cls, head: dict[str, Any], load: Loader) -> MergedState:
        """A state from a snapshot's head; ``load`` fetches a part when it is first needed."""
        merged = cls()
        merged._load = load
        merged._kind_refs = dict(head["kinds"])
        merged._counts = dict(head["counts"])
        merged._id_refs = list(head["ids"])
        merged._log_refs = list(head["log"])
        merged._ids, merged._log = None, None
        merged.last_by_device = dict(head["last_by_device"])
        merged.suspects = set(head["suspects"])
        return merged


def _encode_kind(recs: dict[str, RecordState]) -> dict[str, Any]:
    return {rec_id: (s.heads, s.replaced) for rec_id, s in recs.items()}


def _decode_kind(data: dict[str, Any]) -> dict[str, RecordState]:
    out: dict[str, RecordState] = {}
    for rec_id, (heads, replaced) in data.items():
        state = RecordState()
        state.heads, state.replaced = heads, replaced
        out[rec_id] = state
    return out
