"""The TinyDB storage for this device's own log files.

Kept apart from ``storage.py`` so that TinyDB is imported only when something is
written, not on every start.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from rmpair.store.files import atomic_write, dump_json


class AtomicJSONStorage(Storage):
    """TinyDB storage that re-reads the file on every read and replaces it on every write.

    TinyDB's own ``JSONStorage`` keeps a handle open and truncates the file in place,
    which a crash or a sync tool can turn into a half-written journal.
    """

    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError(f"{self.path.name}: not a TinyDB document")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        # Only this device's own data is kept with TinyDB: its copy and private notes.
        atomic_write(self.path, dump_json(data), private=True)

    def close(self) -> None:
        pass
