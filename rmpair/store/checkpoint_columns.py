"""The heads of a checkpoint of version 2, in columns (see checkpoint.py, storage.md).

Version 1 wrote each head change as a JSON object with its keys; reading one back
meant decoding and checking 60,000 objects one by one, the most of a cold open of a
long journal. Version 2 groups the heads that share a kind, an operation, a device,
a person, the same field names and the fields they are heads of, and writes each
group as columns: the change's place in the checkpoint's list of ids (which gives
its id and checksum), its clock stamp without the device, its record, its ``prev``,
and one column per field. A group is checked as a whole: its constants once, each
column at once (a type and a range over the column, one pattern over the stamps,
the schema per distinct value). A head that fits no group (keys a newer version
added, no checksum, a stamp in an unusual form) is written as in version 1 and
checked alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, repeat
from typing import Any, TypeGuard

from rmpair.i18n import _
from rmpair.store.changes import MAX_STAMP_MS, MIN_STAMP_MS, OPS, Change, RecordState

_KEYS = frozenset(("id", "hlc", "device", "person", "kind", "rec", "op", "fields", "prev", "sum"))
_STAMP = re.compile(r"([0-9]{15}\.[0-9]{6})\.([A-Za-z0-9_-]{1,64})")
_DEVICE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_STAMP_LEN = 22  # 15 digits, a dot, 6 digits
_LOW = f"{MIN_STAMP_MS:015d}"
_HIGH = f"{MAX_STAMP_MS:015d}"
ColumnCheck = Callable[[str, Sequence[str], Mapping[str, Sequence[Any]]], str | None]


class Bad(Exception):
    """Columns that cannot be read; the message says why."""


def _fits_group(change: Change, cid: str, known: Mapping[str, str | None]) -> bool:
    """Whether a head can be written in a group (else it is written whole)."""
    if change.keys() != _KEYS or type(change["sum"]) is not str or known.get(cid) != change["sum"]:
        return False
    hlc, device = change["hlc"], change["device"]
    if type(hlc) is not str or type(device) is not str:
        return False
    match = _STAMP.fullmatch(hlc)
    return match is not None and match.group(2) == device


def encode_heads(
    heads: Iterable[tuple[Change, list[str]]], known: Mapping[str, str | None]
) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """The groups of the heads, and the heads that fit none (as version 1 writes them)."""
    index = {cid: i for i, cid in enumerate(known)}
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    loose: list[list[Any]] = []
    for change, names in heads:
        cid = change["id"]
        if not _fits_group(change, cid, known):
            loose.append([change, names])
            continue
        fields = tuple(change["fields"])
        only = None if set(names) == set(fields) else tuple(sorted(set(names)))
        key = (change["kind"], change["op"], change["device"], change["person"], fields, only)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "kind": key[0],
                "op": key[1],
                "device": key[2],
                "person": key[3],
                "fields": list(fields),
                "heads": None if only is None else list(only),
                "at": [],
                "hlc": [],
                "rec": [],
                "prev": [],
                "values": [[] for _name in fields],
            }
        group["at"].append(index[cid])
        group["hlc"].append(change["hlc"][:_STAMP_LEN])
        group["rec"].append(change["rec"])
        group["prev"].append(change["prev"])
        for column, value in zip(group["values"], change["fields"].values(), strict=True):
            column.append(value)
    return list(groups.values()), loose


def _texts(values: object, *, empty: bool = False) -> TypeGuard[list[str]]:
    """A list of texts (none empty unless ``empty``)."""
    if type(values) is not list or not set(map(type, values)) <= {str}:
        return False
    return empty or not values or min(map(len, values)) > 0


def decode_groups(
    groups: object,
    ids: list[str],
    sums: list[str | None],
    records: dict[str, dict[str, RecordState]],
    validate: Callable[[Change], str | None] | None,
) -> list[str]:
    """Check every group and add its changes to ``records``; the ids of the changes
    read. Raises ``Bad`` naming what is wrong."""
    if type(groups) is not list:
        raise Bad(_("wrong shape"))
    columns: ColumnCheck | None = getattr(validate, "columns", None)
    read: list[str] = []
    for group in groups:
        kind, names, changes = _group(group, ids, sums, validate, columns)
        kind_records = records.setdefault(kind, {})
        for change in changes:
            cid = change["id"]
            record = kind_records.get(change["rec"])
            if record is None:  # the record's first head read: as it is made
                record = kind_records[change["rec"]] = RecordState()
                record.heads = {name: {cid: change} for name in names}
                continue
            heads = record.heads
            for name in names:
                field_heads = heads.get(name)
                if field_heads is None:
                    heads[name] = {cid: change}
                else:
                    field_heads[cid] = change
        read.extend(change["id"] for change in changes)
    return read


def _group(
    group: object,
    ids: list[str],
    sums: list[str | None],
    validate: Callable[[Change], str | None] | None,
    columns: ColumnCheck | None,
) -> tuple[str, list[str], list[Change]]:
    """The kind of a group's changes, the fields they are heads of, and the changes."""
    if type(group) is not dict:
        raise Bad(_("wrong shape"))
    kind, op, device, person = (
        group.get("kind"),
        group.get("op"),
        group.get("device"),
        group.get("person"),
    )
    fields, only = group.get("fields"), group.get("heads")
    if not (
        type(kind) is str
        and kind
        and type(op) is str
        and op in OPS
        and type(device) is str
        and _DEVICE.fullmatch(device)
        and type(person) is str
        and _texts(fields, empty=True)
        and fields
        and len(set(fields)) == len(fields)
        and (only is None or (_texts(only, empty=True) and only and set(only) <= set(fields)))
    ):
        raise Bad(_("wrong shape"))
    at, hlc, rec, prev, values = (group.get(k) for k in ("at", "hlc", "rec", "prev", "values"))
    if type(at) is not list or not at or set(map(type, at)) != {int}:
        raise Bad(_("wrong shape"))
    size = len(at)
    if min(at) < 0 or max(at) >= len(ids):
        raise Bad(_("a change it shows is not among the changes it holds"))
    if not (
        _texts(hlc)
        and len(hlc) == size
        and set(map(len, hlc)) == {_STAMP_LEN}
        and _texts(rec)
        and len(rec) == size
        and type(prev) is list
        and len(prev) == size
        and set(map(type, prev)) == {list}
        and set(map(type, chain.from_iterable(prev))) <= {str}
        and type(values) is list
        and len(values) == len(fields)
        and all(type(v) is list and len(v) == size for v in values)
    ):
        raise Bad(_("wrong shape"))
    stamps = re.fullmatch(r"(?:[0-9]{15}\.[0-9]{6}\n)*[0-9]{15}\.[0-9]{6}", "\n".join(hlc))
    if stamps is None:
        raise Bad(_("change {id}: 'hlc' is not a clock stamp").format(id=ids[at[0]][:12]))
    if min(hlc)[:15] < _LOW or max(hlc)[:15] >= _HIGH:
        raise Bad(
            _("change {id}: its clock stamp is not between the years 2000 and 2200").format(
                id=ids[at[0]][:12]
            )
        )
    checksums = [sums[i] for i in at]
    if None in checksums:
        raise Bad(_("wrong shape"))
    if validate is not None and columns is not None:
        problem = columns(kind, rec, dict(zip(fields, values, strict=True)))
        if problem is not None:
            raise Bad(problem)
    # Built a column at a time where it can be (each change's fields, its stamp).
    values_of = map(dict, map(zip, repeat(fields), zip(*values, strict=True)))
    full_hlc = map(str.__add__, hlc, repeat("." + device))
    changes = [
        {
            "id": ids[i],
            "kind": kind,
            "rec": rec_id,
            "op": op,
            "fields": row,
            "prev": before,
            "hlc": stamp,
            "device": device,
            "person": person,
            "sum": checksum,
        }
        for i, rec_id, row, before, stamp, checksum in zip(
            at, rec, values_of, prev, full_hlc, checksums, strict=True
        )
    ]
    if validate is not None and columns is None:
        for change in changes:
            problem = validate(change)
            if problem is not None:
                raise Bad(problem)
    return kind, only or fields, changes
