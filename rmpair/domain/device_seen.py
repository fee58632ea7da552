"""A device that has written into the journal (``rmpair status`` and the app's home
list them). Its own module: home reads the stored status into these without loading
the status's modules (the nudges, the sessions' lifecycle)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from rmpair.model.codec import JSONValue


class DeviceSeen(NamedTuple):
    """A device that has written into the journal, and when it last did."""

    device: str
    person: str
    role: str
    label: str
    last_change: dt.datetime | None

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "device": self.device,
            "person": self.person,
            "role": self.role,
            "label": self.label,
            "last_change": self.last_change.isoformat() if self.last_change else None,
        }
