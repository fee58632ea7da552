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

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rmpair.hlc import is_stamp

DELETED = "_del"
OPS = frozenset({"create", "set", "delete", "restore", "resolve"})

Change = dict[str, Any]
"""One stored change: id, hlc, device, person, kind, rec, op, fields, prev."""

_KEYS = ("id", "hlc", "device", "person", "kind", "rec", "op", "fields", "prev")


def change_problem(change: object) -> str | None:
    """Say what is wrong with a change read from a file, or None if it is well-formed."""
    if not isinstance(change, dict):
        return "a change is not an object"
    for key in _KEYS:
        if key not in change:
            return f"a change lacks '{key}'"
    for key in ("id", "device", "person", "kind", "rec", "op"):
        if not isinstance(change[key], str) or (key != "person" and not change[key]):
            return f"change {str(change.get('id'))[:12]}: '{key}' must be a non-empty text"
    if not is_stamp(change["hlc"]):
        return f"change {change['id'][:12]}: 'hlc' is not a clock stamp"
    if not change["hlc"].endswith("." + change["device"]):
        return f"change {change['id'][:12]}: clock stamp and device disagree"
    if change["op"] not in OPS:
        return f"change {change['id'][:12]}: unknown operation {change['op']!r}"
    fields = change["fields"]
    if not isinstance(fields, dict) or not fields:
        return f"change {change['id'][:12]}: 'fields' must be a non-empty object"
    prev = change["prev"]
    if not isinstance(prev, list) or not all(isinstance(p, str) for p in prev):
        return f"change {change['id'][:12]}: 'prev' must be a list of change ids"
    return None


def winner_key(change: Change) -> tuple[str, str]:
    return (change["hlc"], change["id"])


class RecordState:
    """The heads of each field of one record, and which (change, field) pairs are replaced."""

    __slots__ = ("heads", "replaced")

    def __init__(self) -> None:
        self.heads: dict[str, dict[str, Change]] = {}
        self.replaced: set[tuple[str, str]] = set()

    def apply(self, change: Change) -> None:
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
        out: dict[str, Any] = {}
        for name, field_heads in self.heads.items():
            if name == DELETED or not field_heads:
                continue
            best = max(field_heads.values(), key=winner_key)
            out[name] = best["fields"][name]
        return out


@dataclass(frozen=True)
class Conflict:
    """A field two devices set concurrently: the value shown and the ones kept aside."""

    kind: str
    rec: str
    field: str
    winner: Change
    others: tuple[Change, ...]

    @property
    def is_delete(self) -> bool:
        return self.field == DELETED


class MergedState:
    """The journal as the union of every change seen, merged per field."""

    def __init__(self) -> None:
        self.changes: dict[str, Change] = {}
        self.records: dict[str, dict[str, RecordState]] = {}
        self.last_by_device: dict[str, str] = {}
        self.duplicates: list[str] = []

    def apply(self, change: Change) -> bool:
        """Add one change; returns False when it was already known."""
        cid = change["id"]
        known = self.changes.get(cid)
        if known is not None:
            if known != change:
                self.duplicates.append(cid)
            return False
        self.changes[cid] = change
        kind_records = self.records.setdefault(change["kind"], {})
        rec = kind_records.get(change["rec"])
        if rec is None:
            rec = kind_records[change["rec"]] = RecordState()
        rec.apply(change)
        device = change["device"]
        stamp = change["hlc"]
        if stamp > self.last_by_device.get(device, ""):
            self.last_by_device[device] = stamp
        return True

    def apply_all(self, changes: Iterable[Change]) -> int:
        return sum(1 for c in changes if self.apply(c))

    @property
    def max_hlc(self) -> str:
        return max(self.last_by_device.values(), default="")

    def record(self, kind: str, rec: str) -> RecordState | None:
        return self.records.get(kind, {}).get(rec)

    def fields(self, kind: str, rec: str) -> dict[str, Any] | None:
        """The shown values of a live record, or None if it is unknown or deleted."""
        state = self.record(kind, rec)
        if state is None or not state.exists() or state.is_deleted():
            return None
        return state.values()

    def live(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for rec_id, state in self.records.get(kind, {}).items():
            if state.exists() and not state.is_deleted():
                yield rec_id, state.values()

    def conflicts(self) -> list[Conflict]:
        """Every open conflict, in a stable order."""
        found: list[Conflict] = []
        for kind in sorted(self.records):
            for rec_id in sorted(self.records[kind]):
                state = self.records[kind][rec_id]
                if not state.exists() or state.is_deleted():
                    continue
                for name in sorted(state.heads):
                    field_heads = state.heads[name]
                    if name == DELETED:
                        dels = [c for c in field_heads.values() if c["fields"][DELETED]]
                        if dels:
                            edits = [
                                c
                                for n, fh in state.heads.items()
                                if n != DELETED
                                for c in fh.values()
                            ]
                            newest = max(edits, key=winner_key)
                            found.append(
                                Conflict(
                                    kind, rec_id, name, newest, tuple(sorted(dels, key=winner_key))
                                )
                            )
                        continue
                    if len(field_heads) > 1:
                        ordered = sorted(field_heads.values(), key=winner_key, reverse=True)
                        found.append(Conflict(kind, rec_id, name, ordered[0], tuple(ordered[1:])))
        return found

    def log(self) -> list[Change]:
        """The merged log: every change from every device, in clock order."""
        return sorted(self.changes.values(), key=winner_key)
