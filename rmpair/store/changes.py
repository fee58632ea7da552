"""What one change is, and how a change read from a file is checked: its shape
(``change_problem``) and its checksum (``content_sum``, ``sum_problem``).

Every change read from the shared folder or the replica passes these checks before
it is merged; on a long journal they run for every change of a first read, so they
avoid all work that does not decide the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from rmpair.i18n import _
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
