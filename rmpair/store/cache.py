"""This device's cache of the merged journal: a small head and content-addressed parts.

The cache only saves time: it can be deleted at any moment and is rebuilt from the
logs. The head names the parts it needs; each part's file name is the hash of its
content, so a part is written once, checked when read, and a half-written or stale
part can never be mistaken for a good one. Parts are read only when a query needs
them, which keeps ``rmpair status`` on a five-year journal from reading five years.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from typing import Any
from zlib import crc32

HEAD = "head.bin"
QUICK = "quick.bin"  # what `rmpair status` needs, kept apart so it reads little
SWEEP_AFTER_S = 24 * 3600  # an unused part is removed only after this long
ANSWER = ".ans"  # a piece of an answer kept per bucket (see ``answer_part_name``)


_QUICK_READ: dict[tuple[str, int, int, int], dict[str, Any] | None] = {}


class CacheMiss(Exception):
    """A part is missing or damaged: the caller falls back to reading the logs."""


try:  # the built-in BLAKE2; importing hashlib would load OpenSSL on every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b


# A cached kind is cut into buckets by record id, so that a save re-encodes only the
# buckets it touched; about this many records go into one bucket.
BUCKET_RECORDS = 64


def bucket_count(records: int, current: int = 0) -> int:
    """How many buckets a kind of ``records`` records is cut into: a power of two,
    kept while it fits within a factor of four, so records are not moved back and forth."""
    wanted = 1
    while wanted * BUCKET_RECORDS < records:
        wanted *= 2
    if current and wanted <= current <= wanted * 4:
        return current
    return wanted


def bucket_of(rec_id: str, buckets: int) -> int:
    return crc32(rec_id.encode("utf-8")) & (buckets - 1)


def part_name(data: bytes) -> str:
    return blake2b(data, digest_size=12).hexdigest() + ".bin"


def answer_part_name(answer: str, ref: str) -> str:
    """Where the piece of the answer ``answer`` made from the bucket part ``ref`` is
    kept. The piece is a function of the bucket's content (which ``ref`` names) and
    of the answer (whose name carries a version), so its name is one too, and the
    head need not list it; the piece holds both names and is checked against them."""
    return blake2b(f"{answer}\n{ref}".encode(), digest_size=12).hexdigest() + ANSWER


def kind_digest(kind: str, refs: list[str]) -> str:
    """A name for the records of ``kind`` saved in the parts ``refs``: parts are named
    by their content's hash, so equal names mean equal records."""
    return part_name("\n".join([kind, *refs]).encode("utf-8"))


def _write(path: str, data: bytes) -> None:
    # No fsync: after a crash the hash check rejects a damaged part, and the head is
    # replaced by rename only after its parts exist.
    tmp = f"{path}.tmp{os.getpid()}"
    # This device's own data: for this user alone (see storage.private_folder).
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


class PartCache:
    """The cache folder of one journal on this device."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def head(self) -> dict[str, Any] | None:
        try:
            with open(os.path.join(self.folder, HEAD), "rb") as handle:
                data = marshal.load(handle)
        except (OSError, EOFError, ValueError, TypeError):
            return None
        return data if isinstance(data, dict) else None

    def part(self, name: str) -> bytes:
        try:
            with open(os.path.join(self.folder, name), "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CacheMiss(name) from exc
        if part_name(data) != name:
            raise CacheMiss(name)
        return data

    def answer_piece(self, answer: str, ref: str) -> Any:
        """The piece of ``answer`` for the bucket part ``ref``, or None when it is
        missing or is not that piece (damaged, or half written before a crash)."""
        try:
            with open(os.path.join(self.folder, answer_part_name(answer, ref)), "rb") as handle:
                data = marshal.loads(handle.read())  # ``load`` reads a file object by bits
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if type(data) is tuple and len(data) == 3 and data[:2] == (answer, ref):
            return data[2]
        return None

    def quick(self) -> dict[str, Any] | None:
        """The quick-status file; read once per process while it stays the same file
        (the language is taken from it first, then the status itself)."""
        path = os.path.join(self.folder, QUICK)
        try:
            st = os.stat(path)
            key = (path, st.st_size, st.st_mtime_ns, st.st_ino)
            if key in _QUICK_READ:
                return _QUICK_READ[key]
            with open(path, "rb") as handle:
                data = marshal.load(handle)
        except (OSError, EOFError, ValueError, TypeError):
            return None
        result = data if isinstance(data, dict) else None
        _QUICK_READ.clear()
        _QUICK_READ[key] = result
        return result

    def save(
        self, head: dict[str, Any], parts: dict[str, bytes], quick: dict[str, Any] | None = None
    ) -> None:
        """Write new parts, then the head that names them, then drop unnamed parts."""
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        for name, data in parts.items():
            path = os.path.join(self.folder, name)
            # A piece of an answer is not named by its content: one made anew replaces
            # a damaged one of the same name.
            if name.endswith(ANSWER) or not os.path.exists(path):
                _write(path, data)
        for name in referenced(head):
            # Kept parts are marked as in use now, so no other process sweeps them.
            with contextlib.suppress(OSError):
                os.utime(os.path.join(self.folder, name))
        quick_path = os.path.join(self.folder, QUICK)
        with contextlib.suppress(OSError):
            os.unlink(quick_path)  # never leave a quick answer that the new head contradicts
        _write(os.path.join(self.folder, HEAD), marshal.dumps(head))
        if quick is not None:
            _write(quick_path, marshal.dumps(quick))
        keep = set(referenced(head)) | {HEAD, QUICK}
        # Another rmpair on this device (the app, a command in another terminal) may
        # still read parts its own, older head names: only parts left unused for a
        # while are swept.
        # Ages are measured on the file system's clock: the head was written just now.
        swept_before = os.stat(os.path.join(self.folder, HEAD)).st_mtime - SWEEP_AFTER_S
        for entry in os.scandir(self.folder):
            if entry.name not in keep:
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < swept_before:
                        os.unlink(entry.path)

    def save_head(self, head: dict[str, Any], parts: dict[str, bytes]) -> None:
        """Write parts, then a head naming them, keeping the quick-status file: for a
        head that holds the same state as the one it replaces (more derived answers).
        The parts are written even if a file has their name: it may be a damaged one."""
        for name, data in parts.items():
            _write(os.path.join(self.folder, name), data)
        _write(os.path.join(self.folder, HEAD), marshal.dumps(head))

    def discard(self, name: str) -> None:
        """Remove a part found damaged (it is only ever a shortcut)."""
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(self.folder, name))

    def clear(self) -> None:
        if os.path.isdir(self.folder):
            for entry in os.scandir(self.folder):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def referenced(head: dict[str, Any]) -> list[str]:
    state = head.get("state", {})
    names: list[Any] = [ref for refs in state.get("kinds", {}).values() for ref in refs]
    for piece in state.get("log", []):
        names.extend(piece[:2])
    names.extend(head.get("listing", {}).values())
    for entry in head.get("derived", {}).values():  # (kind, {bucket part: answer part})
        if isinstance(entry, list | tuple) and len(entry) == 2 and isinstance(entry[1], dict):
            names.extend(entry[1].values())
    packs = head.get("packs", {})
    names.extend(packs.values() if isinstance(packs, dict) else ())
    kinds, answers = state.get("kinds", {}), head.get("answers", {})
    for answer, kind in answers.items() if isinstance(answers, dict) else ():  # per bucket
        refs = kinds.get(kind, []) if isinstance(kinds, dict) else []
        names.extend(answer_part_name(str(answer), ref) for ref in refs if isinstance(ref, str))
    return [n for n in names if isinstance(n, str)]
