"""This device's own folder: identity, settings, and one sub-folder per journal.

Nothing here is shared. It holds the device id, the last used journal, and for each
journal this device's replica of every log it has seen, private notes, the merge
cache and the lock file. ``RMPAIR_HOME`` overrides the platform's data folder, which
is how tests (and people with two identities on one machine) keep devices apart.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, NamedTuple

_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def home_dir() -> Path:
    override = os.environ.get("RMPAIR_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs  # imported here: only needed when no override is set

    return Path(platformdirs.user_data_dir("rmpair", appauthor=False))


def new_id(length: int = 12) -> str:
    """A short random id that is safe in file names on every platform."""
    # 256 is a multiple of the alphabet's 32 letters, so every letter is equally likely.
    return "".join(_ALPHABET[b % 32] for b in os.urandom(length))


def _write_json(path: Path, data: dict[str, Any]) -> None:
    from rmpair.store.files import atomic_write, dump_json  # only writers pay for it

    atomic_write(path, dump_json(data), private=True)


_READ: dict[str, tuple[tuple[int, int, int], dict[str, Any] | None]] = {}


def _read_json(path: Path) -> dict[str, Any] | None:
    """A small settings file as a dict (None if missing or unreadable); each file is
    parsed once per process while its size, time and inode stay the same."""
    import json

    try:
        st = os.stat(path)
        sig = (st.st_size, st.st_mtime_ns, st.st_ino)
        hit = _READ.get(str(path))
        if hit is not None and hit[0] == sig:
            return dict(hit[1]) if hit[1] is not None else None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    result = data if isinstance(data, dict) else None
    _READ[str(path)] = (sig, result)
    return dict(result) if result is not None else None


class DeviceIdentity(NamedTuple):
    id: str
    label: str


class Membership(NamedTuple):
    """That this device belongs to a journal, as whom, and where the folder is."""

    journal: str
    path: Path
    person: str
    role: str


class Home:
    """The local data folder of this device."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else home_dir()

    def device(self) -> DeviceIdentity:
        """This installation's id, created on first use."""
        path = self.root / "device.json"
        data = _read_json(path)
        if data and isinstance(data.get("device"), str) and data["device"]:
            return DeviceIdentity(data["device"], str(data.get("label", "")))
        import platform

        identity = DeviceIdentity(new_id(), platform.node() or "device")
        _write_json(path, {"device": identity.id, "label": identity.label})
        return identity

    def journal_dir(self, journal: str) -> Path:
        return self.root / "journals" / journal

    def membership(self, journal: str) -> Membership | None:
        data = _read_json(self.journal_dir(journal) / "member.json")
        if not data:
            return None
        try:
            return Membership(journal, Path(data["path"]), str(data["person"]), str(data["role"]))
        except (KeyError, TypeError):
            return None

    def save_membership(self, member: Membership) -> None:
        payload = {
            "journal": member.journal,
            "path": str(member.path),
            "person": member.person,
            "role": member.role,
        }
        _write_json(self.journal_dir(member.journal) / "member.json", payload)

    def memberships(self) -> list[Membership]:
        folder = self.root / "journals"
        if not folder.is_dir():
            return []
        found = [self.membership(p.name) for p in sorted(folder.iterdir()) if p.is_dir()]
        return [m for m in found if m is not None]

    def find_by_path(self, path: Path) -> Membership | None:
        wanted = _same_path_key(path)
        for member in self.memberships():
            if _same_path_key(member.path) == wanted:
                return member
        return None

    def kept(self, name: str) -> bytes | None:
        """A file this device keeps to save time (``keep``), or None if there is none.
        Anything here may be missing, old or damaged: the caller checks what it reads."""
        try:
            return (self.root / "cache" / name).read_bytes()
        except OSError:
            return None

    def keep(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name`` for later runs; not being able to is no error,
        since the caller can always work it out again."""
        from rmpair.store.files import atomic_write

        with contextlib.suppress(OSError):
            atomic_write(self.root / "cache" / name, data, private=True, sync_folder=False)

    def last_journal(self) -> Path | None:
        data = _read_json(self.root / "config.json")
        value = data.get("last_journal") if data else None
        return Path(value) if isinstance(value, str) and value else None

    def remember(self, path: Path) -> None:
        data = _read_json(self.root / "config.json") or {}
        if data.get("last_journal") == str(path):
            return
        data["last_journal"] = str(path)
        _write_json(self.root / "config.json", data)


def _same_path_key(path: Path) -> str:
    try:
        return str(path.expanduser().resolve())
    except OSError:
        return str(path.expanduser().absolute())
