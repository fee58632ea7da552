"""Checkpoints: the merged state a device has seen, so that a new device or a cold
cache does not replay every change of a long journal.

A device writes ``devices/<device>/checkpoint.state`` (its own folder, atomically,
encrypted in an encrypted journal) every ``CHECKPOINT_EVERY`` changes it has learnt.
It holds every record's heads (the changes whose values are shown or in conflict),
the id and checksum of every change the state was built from, and, for each log file
those changes came from, its size and digest. The name does not end in ``.json``, so
versions before checkpoints leave it alone. Version 2 keeps the heads in columns
(checkpoint_columns.py); version 1, every head as an object, is still read.

A checkpoint is read only when there is no cache, and it is untrusted like any
file: its shape, every head change (shape, checksum, schema) and the ids are checked,
and a checkpoint that fails is set aside and reported, and the logs are read in full.
A log file whose bytes match the digest the checkpoint lists is not read again; any
other file is read as usual, and its changes are merged into the checkpoint's state
like any change. Merging is a function of the set of changes, so the checkpoint plus
what it does not cover gives the same journal as reading every file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from rmpair.i18n import _
from rmpair.store.changes import (
    MAX_STAMP_MS,
    MIN_STAMP_MS,
    Change,
    RecordState,
    change_problem,
)
from rmpair.store.checkpoint_columns import Bad, decode_groups, encode_heads
from rmpair.store.hlc import is_stamp
from rmpair.store.merge import MergedState

CHECKPOINT_FILE = "checkpoint.state"
CHECKPOINT_FORMAT = "rmpair-checkpoint"
CHECKPOINT_VERSION = 2  # 1: every head as an object; 2: heads in columns (checkpoint_columns)
# A device writes a new checkpoint once it knows this many changes more than its last
# one held; writing one costs about as much as the state it holds (see storage.md).
CHECKPOINT_EVERY = 5000
_REL = re.compile(r"[A-Za-z0-9_-]{1,64}/[^/\x00]{1,200}")


class CheckpointError(Exception):
    """A checkpoint that cannot be used; the message says why."""


class Cover(NamedTuple):
    """A log file whose every change the checkpoint holds (or set aside)."""

    size: int
    digest: str
    schema: int
    device: str
    period: str
    segment: int
    quarantined: tuple[tuple[str, str], ...]


class Checkpoint(NamedTuple):
    device: str
    records: dict[str, dict[str, RecordState]]
    known: dict[str, str | None]
    last_by_device: dict[str, str]
    covers: dict[str, Cover]

    def state(self, read_logs: Callable[[], Iterable[Change]]) -> MergedState:
        return MergedState.adopt(self.records, self.known, self.last_by_device, read_logs)


def encode_checkpoint(
    state: MergedState,
    covers: dict[str, Cover],
    journal: str,
    device: str,
    version: int = CHECKPOINT_VERSION,
) -> bytes:
    """The checkpoint of ``state``, built from the files in ``covers`` (``version`` 1
    only to check that what older versions wrote is still read)."""
    known = state._known()
    heads: dict[str, tuple[Change, list[str]]] = {}
    empty: list[list[str]] = []
    pending: list[list[str]] = []
    for kind in sorted(state.kinds):
        for rec_id, record in state.kind(kind).items():
            if not any(record.heads.values()):
                empty.append([kind, rec_id])
            for name, field_heads in record.heads.items():
                for cid, change in field_heads.items():
                    heads.setdefault(cid, (change, []))[1].append(name)
            # Only what can still matter: a replaced change not seen yet.
            pending.extend(
                [kind, rec_id, old, name] for old, name in record.replaced if old not in known
            )
    body: dict[str, Any] = {
        "empty": empty,
        "pending": pending,
        "ids": list(known),
        "sums": list(known.values()),
        "last_by_device": dict(state.last_by_device),
        "covers": {rel: [*cover[:6], [list(q) for q in cover[6]]] for rel, cover in covers.items()},
    }
    if version == 1:
        body["heads"] = [[change, names] for change, names in heads.values()]
    else:
        body["groups"], body["loose"] = encode_heads(heads.values(), known)
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = {
        "format": CHECKPOINT_FORMAT,
        "version": version,
        "journal": journal,
        "device": device,
        "sum": _checksum(data),
    }
    return json.dumps(header).encode("utf-8") + b"\n" + data


def _checksum(data: bytes) -> str:
    from rmpair.store.cache import part_name

    return part_name(data)


def _fail(why: str) -> CheckpointError:
    return CheckpointError(
        _("checkpoint set aside, the logs are read instead: {why}").format(why=why)
    )


def _texts(value: object, size: int) -> bool:
    return isinstance(value, list) and len(value) == size and all(isinstance(v, str) for v in value)


def decode_checkpoint(
    raw: bytes, journal: str, validate: Callable[[Change], str | None] | None
) -> Checkpoint | None:
    """Read and check a checkpoint's (plain) bytes: ``None`` for one of a newer version,
    ``CheckpointError`` saying what is wrong with a bad one.

    The file is a header line, then the body, which the header's checksum covers: an
    edit or damage anywhere sets the whole checkpoint aside (it plays the part the
    checksum of each change plays in a log, for every change in it at once)."""
    first, _sep, data = raw.partition(b"\n")
    try:
        doc = json.loads(first)
    except (ValueError, RecursionError):
        raise _fail(_("not valid JSON")) from None
    if not isinstance(doc, dict) or doc.get("format") != CHECKPOINT_FORMAT:
        raise _fail(_("unknown format"))
    version = doc.get("version")
    if type(version) is not int or version < 1:
        raise _fail(_("unknown format"))
    if version > CHECKPOINT_VERSION:
        return None  # a newer version's: the logs are read as usual
    if doc.get("journal") != journal:
        raise _fail(_("belongs to another journal"))
    if doc.get("sum") != _checksum(data):
        raise _fail(_("its content does not match its checksum (altered after writing)"))
    device = doc.get("device")
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        raise _fail(_("not valid JSON")) from None
    if not isinstance(body, dict):
        raise _fail(_("wrong shape"))
    doc = {**body, "device": device}
    ids, sums = doc.get("ids"), doc.get("sums")
    if not isinstance(device, str) or not isinstance(ids, list) or not isinstance(sums, list):
        raise _fail(_("wrong shape"))
    if len(ids) != len(sums):
        raise _fail(_("wrong shape"))
    if not set(map(type, ids)) <= {str} or not set(map(type, sums)) <= {str, type(None)}:
        raise _fail(_("wrong shape"))
    known: dict[str, str | None] = dict(zip(ids, sums, strict=True))
    if len(known) != len(ids):
        raise _fail(_("wrong shape"))
    records = _records(doc, known, validate, version)
    last = doc.get("last_by_device")
    if not isinstance(last, dict) or not all(
        isinstance(dev, str)
        and is_stamp(stamp)
        and stamp.endswith("." + dev)
        and MIN_STAMP_MS <= int(stamp[:15]) < MAX_STAMP_MS
        for dev, stamp in last.items()
    ):
        raise _fail(_("wrong shape"))
    return Checkpoint(device, records, known, dict(last), _covers(doc.get("covers")))


def _records(
    doc: dict[str, Any],
    known: dict[str, str | None],
    validate: Callable[[Change], str | None] | None,
    version: int,
) -> dict[str, dict[str, RecordState]]:
    records: dict[str, dict[str, RecordState]] = {}
    heads = doc.get("heads" if version == 1 else "loose")
    empty, pending = doc.get("empty"), doc.get("pending")
    if not isinstance(heads, list) or not isinstance(empty, list) or not isinstance(pending, list):
        raise _fail(_("wrong shape"))
    read: list[str] = []
    if version >= 2:
        try:
            read = decode_groups(doc.get("groups"), doc["ids"], doc["sums"], records, validate)
        except Bad as exc:
            raise _fail(str(exc)) from None
    for entry in heads:
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[1], list):
            raise _fail(_("wrong shape"))
        change, names = entry
        problem = change_problem(change)
        if problem is None and validate is not None:
            problem = validate(change)
        if problem is not None:
            raise _fail(problem)
        cid = change["id"]
        read.append(cid)
        if cid not in known or known[cid] != change.get("sum"):
            raise _fail(_("a change it shows is not among the changes it holds"))
        if not names or not all(isinstance(n, str) and n in change["fields"] for n in names):
            raise _fail(_("wrong shape"))
        record = records.setdefault(change["kind"], {}).setdefault(change["rec"], RecordState())
        for name in names:
            record.heads.setdefault(name, {})[cid] = change
    if len(set(read)) != len(read):
        raise _fail(_("wrong shape"))  # one change shown twice
    for entry in empty:
        if not _texts(entry, 2):
            raise _fail(_("wrong shape"))
        records.setdefault(entry[0], {}).setdefault(entry[1], RecordState())
    for entry in pending:
        if not _texts(entry, 4):
            raise _fail(_("wrong shape"))
        kind, rec_id, old, name = entry
        records.setdefault(kind, {}).setdefault(rec_id, RecordState()).replaced.add((old, name))
    return records


def _covers(data: object) -> dict[str, Cover]:
    if not isinstance(data, dict):
        raise _fail(_("wrong shape"))
    covers: dict[str, Cover] = {}
    for rel, entry in data.items():
        if (
            not isinstance(rel, str)
            or not _REL.fullmatch(rel)
            or ".." in rel
            or not isinstance(entry, list)
            or len(entry) != 7
        ):
            raise _fail(_("wrong shape"))
        size, digest, schema, device, period, segment, quarantined = entry
        if not (
            type(size) is int
            and isinstance(digest, str)
            and type(schema) is int
            and isinstance(device, str)
            and isinstance(period, str)
            and type(segment) is int
            and isinstance(quarantined, list)
            and all(_texts(q, 2) for q in quarantined)
        ):
            raise _fail(_("wrong shape"))
        covers[rel] = Cover(
            size, digest, schema, device, period, segment, tuple((q[0], q[1]) for q in quarantined)
        )
    return covers
