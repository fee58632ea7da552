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


class StagedStorage(Storage):
    """A TinyDB storage over a document in memory: TinyDB lays out tables and document
    ids as always, and the caller encodes and writes the result once."""

    def __init__(self, document: dict[str, dict[str, Any]] | None = None, **_: Any) -> None:
        self.document = document

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self.document

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.document = data

    def close(self) -> None:
        pass


def append_to_log(path: Path, meta: dict[str, Any], changes: list[dict[str, Any]]) -> bytes:
    """Add ``changes`` to the log at ``path`` (made with ``meta`` if new) and return the
    bytes written: the file is read once, encoded once and replaced once, and the same
    bytes go on to the shared folder without being read back."""
    from tinydb import TinyDB

    db = TinyDB(storage=StagedStorage, document=AtomicJSONStorage(path).read())
    header = db.table("meta")
    if len(header) == 0:
        header.insert(meta)
    db.table("changes").insert_multiple(changes)
    storage = db.storage
    assert isinstance(storage, StagedStorage)
    data = dump_json(storage.document)
    atomic_write(path, data, private=True)
    return data
