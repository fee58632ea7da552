"""Where the journal stands, as ``rmpair status`` and the app's home show it: the
devices that wrote into it, file problems, conflicts, counts and nudges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from rmpair.domain.device_seen import DeviceSeen as DeviceSeen  # re-exported
from rmpair.domain.nudges import Nudge
from rmpair.domain.records import Records
from rmpair.model.codec import JSONValue
from rmpair.model.records import Device, Tandem
from rmpair.store.merge import Change, Conflict
from rmpair.store.problems import Problem


def devices_seen(records: Records) -> list[DeviceSeen]:
    """Every device that wrote into the journal, and when it last did."""
    state = records.store.state
    seen: list[DeviceSeen] = []
    for device in records.all(Device):
        last = state.last_by_device.get(device.id)
        when = dt.datetime.fromtimestamp(int(last[:15]) / 1000, tz=dt.UTC) if last else None
        seen.append(DeviceSeen(device.id, device.person, device.role.value, device.label, when))
    return sorted(seen, key=lambda d: (d.person.casefold(), d.device))


class Status(NamedTuple):
    """Where the journal stands: who, which devices, what needs attention."""

    journal: str
    folder: Path
    tandem: Tandem | None
    devices: list[DeviceSeen]
    problems: list[Problem]
    conflicts: list[Conflict]
    read_only: list[str]
    counts: dict[str, int]
    nudges: tuple[Nudge, ...] = ()

    def to_json(self) -> dict[str, JSONValue]:
        tandem = None
        if self.tandem is not None:
            tandem = {"id": self.tandem.id, **self.tandem.to_fields()}
        return {
            "journal": self.journal,
            "tandem": tandem,
            "devices": [d.to_json() for d in self.devices],
            "problems": [
                {"file": p.file, "message": p.message, "needs_user": p.needs_user}
                for p in self.problems
            ],
            "conflicts": [conflict_json(c) for c in self.conflicts],
            "read_only": self.read_only,
            "counts": self.counts,
            "nudges": [n.to_json() for n in self.nudges],
        }


def stamp_time(change: Change) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(change["hlc"][:15]) / 1000, tz=dt.UTC)


def _change_json(change: Change, field_name: str) -> dict[str, JSONValue]:
    return {
        "change": change["id"],
        "value": change["fields"].get(field_name),
        "device": change["device"],
        "person": change["person"],
        "at": stamp_time(change).isoformat(),
    }


def conflict_json(conflict: Conflict) -> dict[str, JSONValue]:
    """A conflict as JSON: the value shown and the values kept aside."""
    return {
        "kind": conflict.kind,
        "record": conflict.rec,
        "field": "deleted" if conflict.is_delete else conflict.field,
        "shown": _change_json(conflict.winner, conflict.field),
        "others": [_change_json(c, conflict.field) for c in conflict.others],
    }
