"""What one change is, how a change read from a file is checked (its shape,
``change_problem``, and its checksum, ``content_sum`` and ``sum_problem``), and how
the changes of one record merge (``RecordState``).

Every change read from the shared folder or the replica passes these checks before
it is merged; on a long journal they run for every change of a first read, so they
avoid all work that does not decide the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from rmpair.i18n import _
from rmpair.store.hlc import is_stamp, stamp_re

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
    body = {key: change[key] for key in _KEYS}
    digest: str = _blake2b()(_encoder()(body).encode("utf-8"), digest_size=12).hexdigest()
    return digest


@cache
def _encoder() -> Callable[[Any], str]:
    """The canonical JSON of a change's content (the same text ``json.dumps`` gives
    with these settings), made once rather than for every change."""
    import json  # loaded only when a change is written or read

    return json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


@cache
def _blake2b() -> Any:
    try:  # the built-in BLAKE2; hashlib would load OpenSSL
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - other Python implementations
        from hashlib import blake2b
    return blake2b


def sum_problem(change: Mapping[str, Any]) -> str | None:
    """Why a change does not match its stored checksum (None when it does, or when it
    was written by a version that stored none)."""
    stored = change.get("sum")
    if stored is None:
        return None
    if not isinstance(stored, str) or stored != content_sum(change):
        return _("its content does not match its checksum (altered after writing)")
    return None


_KEYSET = frozenset(_KEYS)


def change_problem(change: object) -> str | None:
    """Say what is wrong with a change read from a file, or None if it is well-formed."""
    if _well_formed(change):
        return None
    return _problem(change)


def _well_formed(change: object) -> bool:
    """The checks of ``_problem`` as one expression, for the common case of a good
    change: a first read or a checkpoint checks tens of thousands, and the messages
    are worked out only for a change that fails here."""
    if type(change) is not dict or not change.keys() >= _KEYSET:
        return False
    cid, hlc, device, kind, rec = (
        change["id"],
        change["hlc"],
        change["device"],
        change["kind"],
        change["rec"],
    )
    op, fields, prev = change["op"], change["fields"], change["prev"]
    return (
        type(cid) is str
        and type(device) is str
        and type(kind) is str
        and type(rec) is str
        and type(op) is str
        and type(change["person"]) is str
        and cid != ""
        and device != ""
        and kind != ""
        and rec != ""
        and op in OPS
        and type(hlc) is str
        and stamp_re().match(hlc) is not None
        and MIN_STAMP_MS <= int(hlc[:15]) < MAX_STAMP_MS
        and hlc.endswith("." + device)
        and type(fields) is dict
        and len(fields) > 0
        and type(prev) is list
        and (not prev or all([type(p) is str for p in prev]))
    )


def _problem(change: object) -> str | None:
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
        if not self.heads.get(DELETED):
            return False  # most records: never deleted
        dels = self.delete_heads()
        if any(not c["fields"][DELETED] for c in dels):
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
        heads = self.heads
        if DELETED not in heads:
            return any(heads.values())
        return any(name != DELETED and fh for name, fh in heads.items())

    def values(self) -> dict[str, Any]:
        """The shown value of every field (a fresh dict; the computation is kept)."""
        if self._values is None:
            self._values = self._compute_values()
        return dict(self._values)

    def shown_values(self) -> dict[str, Any]:
        """``values`` without the copy: the kept dict itself (do not change it)."""
        if self._values is None:
            self._values = self._compute_values()
        return self._values

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


def is_live(state: RecordState) -> bool:
    return state.exists() and not state.is_deleted()


def survey(recs: Mapping[str, RecordState]) -> tuple[list[str], int]:
    """The records that may hold a conflict (a field with two heads, or a delete head)
    and how many records are alive, in one pass over records that were only ever added
    to (a checkpoint's: no field without a head)."""
    suspects: list[str] = []
    live = 0
    for rec_id, state in recs.items():
        heads = state.heads
        if DELETED in heads or max(map(len, heads.values()), default=0) > 1:
            suspects.append(rec_id)
            live += is_live(state)
        elif heads:  # one head per field and no delete: alive
            live += 1
    return suspects, live


def encode_kind(recs: dict[str, RecordState]) -> dict[str, Any]:
    """Records as the cache keeps them (a bucket's part; see merge.py)."""
    return {rec_id: (s.heads, s.replaced) for rec_id, s in recs.items()}


def decode_kind(data: dict[str, Any]) -> dict[str, RecordState]:
    out: dict[str, RecordState] = {}
    for rec_id, (heads, replaced) in data.items():
        state = RecordState()
        state.heads, state.replaced = heads, replaced
        out[rec_id] = state
    return out
