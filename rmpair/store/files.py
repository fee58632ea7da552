"""Files: atomic writes, a TinyDB storage built on them, and reading logs defensively.

Sync tools replace files underneath a running program and copy half-written files
to the partner's machine. So every write goes to a temporary file in the same
folder, is flushed and fsynced, then renamed over the target (``os.replace``), and
the folder is fsynced so the rename itself survives a crash. Reads open the file
afresh each time, so a file swapped in by a sync tool is never written through a
stale handle.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from rmpair.i18n import _
from rmpair.store.crypto_format import MAGIC as ENCRYPTED_MAGIC
from rmpair.store.merge import Change, change_problem

TEMP_PREFIX = ".rmpair-tmp-"
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
SCHEMA = 1
LOG_FORMAT = "rmpair-log"
# A device's log for a month is cut into segments of about this size: a save rewrites
# the last segment only, so what one edit writes does not grow with the month's
# activity. The first segment keeps the month's name (<YYYY-MM>.json, all that
# versions before segments wrote); later ones are <YYYY-MM>.<n>.json.
SEGMENT_BYTES = 16 * 1024
_MAX_SEGMENT = 999_999


def segment_file(period: str, segment: int) -> str:
    """The file name of a month's log segment."""
    return f"{period}.json" if segment == 1 else f"{period}.{segment}.json"


# Windows refuses to replace a file another process (a sync client, a virus scanner)
# holds open; these errors usually clear within moments.
_RETRY_ERRNOS = {errno.EACCES, errno.EPERM, errno.EBUSY}
_RETRY_DELAYS = (0.02, 0.05, 0.1, 0.2, 0.4)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def private_folder(folder: Path) -> None:
    """Make ``folder`` (and its missing parents) readable by this user alone: this
    device's own data holds private notes and must never be readable by others."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # not ours, or a file system without modes
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)


def atomic_write(
    path: Path,
    data: bytes,
    *,
    private: bool = False,
    sync_folder: bool = True,
    _replace: Callable[[str, str], None] = os.replace,
) -> None:
    """Write ``data`` to ``path`` so that readers see either the old or the new file.

    ``private`` files (this device's own data folder) are made for this user alone:
    the file 0600 in a folder 0700. ``sync_folder=False`` leaves the folder's fsync to
    the caller, who writes many files into it and syncs it once."""
    folder = path.parent
    if private:
        private_folder(folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{TEMP_PREFIX}{path.name}.{os.urandom(4).hex()}"
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        with open(os.open(tmp, flags, 0o600 if private else 0o666), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        for delay in (*_RETRY_DELAYS, None):
            try:
                _replace(str(tmp), str(path))
                break
            except OSError as exc:
                if delay is None or exc.errno not in _RETRY_ERRNOS:
                    raise
                time.sleep(delay)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if sync_folder:
        fsync_dir(folder)


def dump_json(data: Any) -> bytes:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )


class LogFileError(Exception):
    """A log file could not be used; the message says what is wrong in plain words."""


class LogFile(NamedTuple):
    """A device's log for one month, as read from disk."""

    journal: str
    device: str
    person: str
    role: str
    label: str
    period: str
    schema: int
    changes: tuple[Change, ...]
    # Entries that are not changes this version can apply: (change id or entry, why).
    # They stay in the file and are never applied (see ``schema.py``).
    rejected: tuple[tuple[str, str], ...] = ()
    segment: int = 1  # which segment of the month's log (see SEGMENT_BYTES)

    def segment_name(self) -> str:
        """Where this log belongs, relative to the devices folder."""
        return f"{self.device}/{segment_file(self.period, self.segment)}"

    def meta(self) -> dict[str, Any]:
        extra: dict[str, Any] = {} if self.segment == 1 else {"segment": self.segment}
        return {
            **extra,
            "format": LOG_FORMAT,
            "schema": self.schema,
            "journal": self.journal,
            "device": self.device,
            "person": self.person,
            "role": self.role,
            "label": self.label,
            "period": self.period,
        }


def encode_log(log: LogFile) -> bytes:
    """The TinyDB layout of a log: a ``meta`` table and a ``changes`` table."""
    ordered = sorted(log.changes, key=lambda c: (c["hlc"], c["id"]))
    return dump_json(
        {
            "meta": {"1": log.meta()},
            "changes": {str(i): c for i, c in enumerate(ordered, start=1)},
        }
    )


def parse_log(raw: bytes, name: str) -> LogFile:
    """Read and check a log file's bytes; raise ``LogFileError`` saying what is wrong."""
    import json

    if not raw.strip():
        raise LogFileError(_("{name}: the file is empty").format(name=name))
    if raw.startswith(ENCRYPTED_MAGIC):
        raise LogFileError(
            _("{name}: encrypted; it is read with the journal's passphrase").format(name=name)
        )
    truncated = LogFileError(_("{name}: the file ends too early (truncated)").format(name=name))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3:  # a character cut in half at the very end
            raise truncated from None
        raise LogFileError(
            _("{name}: the file is not text (garbage bytes)").format(name=name)
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # Every log is one JSON object; an error at its very end, inside a string that
        # never closes, or an object that never closes means the file was cut short.
        body = text.rstrip()
        at_end = exc.pos >= len(body) - 1 or exc.msg.startswith("Unterminated string")
        if at_end or not body.endswith("}"):
            raise truncated from None
        raise LogFileError(
            _("{name}: not valid JSON at line {line}, column {column}").format(
                name=name, line=exc.lineno, column=exc.colno
            )
        ) from None
    except RecursionError:
        raise LogFileError(
            _("{name}: nested too deeply to be an rmpair log").format(name=name)
        ) from None
    if not isinstance(data, dict):
        raise LogFileError(
            _("{name}: not an rmpair log (top level is not an object)").format(name=name)
        )
    meta_table = data.get("meta")
    changes_table = data.get("changes", {})
    if not isinstance(meta_table, dict) or not meta_table:
        raise LogFileError(_("{name}: not an rmpair log (no 'meta' table)").format(name=name))
    meta = next(iter(meta_table.values()))
    if not isinstance(meta, dict) or meta.get("format") != LOG_FORMAT:
        raise LogFileError(_("{name}: not an rmpair log (unknown format)").format(name=name))
    schema = meta.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise LogFileError(_("{name}: the schema version is missing or invalid").format(name=name))
    for key, pattern in (("journal", _ID), ("device", _ID), ("period", _PERIOD)):
        # These become folder and file names in this device's replica: check them.
        value = meta.get(key)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise LogFileError(
                _("{name}: the header's '{key}' is missing or malformed").format(name=name, key=key)
            )
    segment = meta.get("segment", 1)
    if type(segment) is not int or not 1 <= segment <= _MAX_SEGMENT:
        raise LogFileError(
            _("{name}: the header's '{key}' is missing or malformed").format(
                name=name, key="segment"
            )
        )
    if not isinstance(changes_table, dict):
        raise LogFileError(_("{name}: 'changes' is not a table").format(name=name))
    changes: list[Change] = []
    rejected: list[tuple[str, str]] = []
    for doc_id, change in changes_table.items():
        problem = change_problem(change)
        if problem is None and change["device"] != meta["device"]:
            problem = _("change {id} belongs to another device").format(id=change["id"][:12])
        if problem is not None:
            if schema > SCHEMA:
                continue  # a newer version may store things we cannot read; skip them
            # One bad entry must not hide the good ones around it: it is set aside.
            entry = change.get("id") if isinstance(change, dict) else None
            rejected.append((entry if isinstance(entry, str) else f"#{doc_id}", problem))
            continue
        changes.append(change)
    return LogFile(
        journal=meta["journal"],
        device=meta["device"],
        person=str(meta.get("person", "")),
        role=str(meta.get("role", "")),
        label=str(meta.get("label", "")),
        period=meta["period"],
        schema=schema,
        changes=tuple(changes),
        rejected=tuple(rejected),
        segment=segment,
    )


def read_log(path: Path) -> LogFile:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LogFileError(
            _("{name}: cannot be read ({reason})").format(name=path.name, reason=exc.strerror)
        ) from None
    return parse_log(raw, path.name)


def journal_of(path: Path) -> str:
    """The journal a log file belongs to; an encrypted file names it in its plain header."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LogFileError(
            _("{name}: cannot be read ({reason})").format(name=path.name, reason=exc.strerror)
        ) from None
    if raw.startswith(ENCRYPTED_MAGIC):
        from rmpair.store.crypto_format import CryptoError, parse_header

        try:
            return parse_header(raw)[0].journal
        except CryptoError as exc:
            raise LogFileError(f"{path.name}: {exc}") from None
    return parse_log(raw, path.name).journal
