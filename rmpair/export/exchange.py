"""The whole journal as one JSON document, and a new journal made from one.

The export is the pair's own copy of everything they wrote: every live record of
every kind with its current values, and every open conflict with all the values it
keeps. It leaves out what belongs to the machinery, not to the pair: device records,
change ids and clock stamps (a restored journal gets its own), and private notes
(they never left their device). Keys are sorted and the layout is fixed, so the
same journal always exports to the same bytes, and export, import, export gives
identical files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rmpair.clock import SYSTEM_CLOCK, Clock, today_in
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.journal import Journal
from rmpair.store.home import Home
from rmpair.store.merge import DELETED

FORMAT = "rmpair-export"
VERSION = 1
# Records about the installations that wrote the journal, not about the tandem.
MACHINERY_KINDS = frozenset({"device"})

JSON = dict[str, Any]


def export_data(journal: Journal) -> JSON:
    """The merged journal as a plain JSON-ready dictionary (see the module docstring)."""
    state = journal.store.state
    records: dict[str, dict[str, JSON]] = {}
    conflicts: list[JSON] = []
    for kind in sorted(state.kinds):
        if kind in MACHINERY_KINDS:
            continue
        live = {rec_id: fields for rec_id, fields in state.live(kind)}
        if live:
            records[kind] = {rec_id: live[rec_id] for rec_id in sorted(live)}
    for conflict in state.conflicts():
        if conflict.kind in MACHINERY_KINDS:
            continue
        if conflict.is_delete:
            conflicts.append({"kind": conflict.kind, "record": conflict.rec, "field": "deleted"})
            continue
        conflicts.append(
            {
                "kind": conflict.kind,
                "record": conflict.rec,
                "field": conflict.field,
                "shown": conflict.winner["fields"][conflict.field],
                "others": [c["fields"][conflict.field] for c in conflict.others],
            }
        )
    return {"format": FORMAT, "version": VERSION, "records": records, "conflicts": conflicts}


def dumps(data: JSON) -> bytes:
    """The canonical bytes of an export: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def load(raw: bytes, name: str) -> JSON:
    """Read and check an export file; a UserError says what is wrong with it."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(
            _("{file} is not a JSON export: {problem}").format(file=name, problem=exc)
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(_("{file} is not an rmpair export.").format(file=name))
    if data.get("version") != VERSION:
        raise UserError(
            _("{file} was written by another rmpair version (export version {version}).").format(
                file=name, version=data.get("version")
            )
        )
    records, conflicts = data.get("records"), data.get("conflicts")
    if not isinstance(records, dict) or not isinstance(conflicts, list):
        raise UserError(_("{file}: 'records' or 'conflicts' is missing.").format(file=name))
    for kind, recs in records.items():
        if not isinstance(recs, dict) or not all(isinstance(f, dict) for f in recs.values()):
            raise UserError(
                _("{file}: the records of '{kind}' are malformed.").format(file=name, kind=kind)
            )
    tandem = records.get("tandem", {}).get("tandem")
    if not isinstance(tandem, dict):
        raise UserError(_("{file} holds no tandem.").format(file=name))
    return data


def import_into(
    folder: Path,
    data: JSON,
    *,
    me: str,
    home: Home | None = None,
    clock: Clock | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Start a new journal in ``folder`` holding exactly the exported records and conflicts.

    ``me`` must be the tandem's mentor or mentee; this device becomes that person's.
    ``progress(done, total)`` hears after each record, for a progress bar.
    """
    from rmpair.model.records import Role, Tandem

    tandem = Tandem.from_fields("tandem", data["records"]["tandem"]["tandem"])
    role = next((r for r in Role if tandem.name_of(r).casefold() == me.strip().casefold()), None)
    if role is None:
        raise UserError(
            _("'{me}' is not in the exported tandem ({mentor}, {mentee}).").format(
                me=me, mentor=tandem.mentor, mentee=tandem.mentee
            )
        )
    journal = Journal.init(
        folder,
        me=tandem.name_of(role),
        role=role,
        partner=tandem.name_of(role.other),
        start=tandem.start or today_in(clock or SYSTEM_CLOCK, tandem.tz),
        home=home,
        clock=clock,
    )
    conflicted: dict[tuple[str, str, str], JSON] = {}
    deleted_conflicts: set[tuple[str, str]] = set()
    for item in data["conflicts"]:
        if item.get("field") == "deleted":
            deleted_conflicts.add((item["kind"], item["record"]))
        else:
            conflicted[(item["kind"], item["record"], item["field"])] = item
    total = sum(len(recs) for recs in data["records"].values())
    done = 0
    with journal.batch():
        for kind, recs in data["records"].items():
            for rec_id, fields in recs.items():
                _restore_record(journal, kind, rec_id, fields, conflicted)
                done += 1
                if progress is not None:
                    progress(done, total)
        for kind, rec_id in sorted(deleted_conflicts):
            _restore_delete_conflict(journal, kind, rec_id)
    return journal


def _restore_record(
    journal: Journal,
    kind: str,
    rec_id: str,
    fields: JSON,
    conflicted: dict[tuple[str, str, str], JSON],
) -> None:
    """Write one record so that its merged values and conflicts equal the export's."""
    state = journal.store.state
    existing = state.record(kind, rec_id)
    # What was there before the import (the tandem ``init`` wrote) is replaced.
    replaced = sorted(existing.head_ids()) if existing is not None else []
    # The values kept aside in a conflict go in first, each concurrent with the others
    # (no prev); the full record comes last, so that, as in the original, it is shown.
    for (c_kind, c_rec, name), item in sorted(conflicted.items()):
        if (c_kind, c_rec) == (kind, rec_id):
            for other in item["others"]:
                journal.store.append(
                    [journal.records.draft("set", kind, rec_id, {name: other}, [])]
                )
    journal.store.append([journal.records.draft("create", kind, rec_id, fields, replaced)])


def _restore_delete_conflict(journal: Journal, kind: str, rec_id: str) -> None:
    """A record one side deleted while the other edited: a delete that saw none of the
    current values leaves the record alive with the conflict showing, as before."""
    journal.store.append([journal.records.draft("delete", kind, rec_id, {DELETED: True}, [])])
