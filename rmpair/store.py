"""The journal on disk: every device's logs in the shared folder, plus this device's replica.

Layout of a journal folder (the shared one)::

    <journal>/devices/<device id>/<YYYY-MM>.json   one TinyDB file per device and month

Only the owning device writes its files. A month's file holds the changes that
device made in that month (UTC), so a save rewrites one bounded file, never the
whole history.

This device keeps, in its own data folder, a *replica*: the union of every change it
has ever read, laid out the same way. Its own files there are the master copy that
it republishes whenever the shared copy is missing, older or damaged; the others
are the last good state of each partner device, used when the partner's file in the
shared folder is damaged or has gone back in time. A cache of the merged state,
keyed by the size, time and inode of every file, spares re-reading unchanged files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmpair import __version__
from rmpair.hlc import Clock
from rmpair.home import DeviceIdentity, Home, Membership
from rmpair.i18n import _
from rmpair.merge import Change, MergedState
from rmpair.storage import (
    SCHEMA,
    AtomicJSONStorage,
    LogFile,
    LogFileError,
    atomic_write,
    dump_json,
    encode_log,
    read_log,
)
from rmpair.syncfiles import FileRole, classify

CACHE_VERSION = 1
Signature = tuple[int, int, int]


class ReadOnlyError(Exception):
    """A change was asked for while the journal can only be read; the message says why."""


@dataclass(frozen=True)
class Problem:
    """Something found in the journal folder, with the file it concerns.

    ``needs_user`` is False for things rmpair put right by itself (a republished
    file, a folded conflict copy), which are still worth telling.
    """

    file: str
    message: str
    needs_user: bool = True

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


@dataclass
class _FileInfo:
    sig: Signature
    problem: str | None = None
    schema: int = SCHEMA
    device: str = ""
    period: str = ""

    def dump(self) -> dict[str, Any]:
        return {
            "sig": list(self.sig),
            "problem": self.problem,
            "schema": self.schema,
            "device": self.device,
            "period": self.period,
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> _FileInfo:
        sig = data["sig"]
        return cls(
            (int(sig[0]), int(sig[1]), int(sig[2])),
            data.get("problem"),
            int(data.get("schema", SCHEMA)),
            str(data.get("device", "")),
            str(data.get("period", "")),
        )


@dataclass
class LoadReport:
    """What one scan of the folder found and did."""

    problems: list[Problem] = field(default_factory=list)
    new_changes: int = 0


def _signature(entry: os.DirEntry[str] | Path) -> Signature:
    st = entry.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _scan(root: Path) -> dict[str, tuple[Path, Signature]]:
    """Every file below ``root`` except in hidden folders (sync tools' own stores)."""
    found: dict[str, tuple[Path, Signature]] = {}
    if not root.is_dir():
        return found
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") and entry.is_dir():
                continue  # .stversions, .stfolder, .dropbox.cache: never ours
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file():
                rel = Path(entry.path).relative_to(root).as_posix()
                with contextlib.suppress(OSError):
                    found[rel] = (Path(entry.path), _signature(entry))
    return found


def period_of(stamp: str) -> str:
    """The UTC month a change belongs to, from its clock stamp."""
    ms = int(stamp[:15])
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m")


class JournalStore:
    """Reads the union of all devices' logs and appends this device's changes."""

    def __init__(
        self,
        folder: Path,
        home: Home,
        member: Membership,
        device: DeviceIdentity,
        *,
        write: bool = True,
    ) -> None:
        self.folder = folder
        self.devices_dir = folder / "devices"
        self.home = home
        self.member = member
        self.device = device
        self.local = home.journal_dir(member.journal)
        self.replica_dir = self.local / "replica"
        self.archive_dir = self.local / "archive"
        self.cache_path = self.local / "merge-cache.json"
        self.state = MergedState()
        self.clock = Clock(device.id)
        self._notices: list[Problem] = []
        self.read_only_reasons: list[str] = []
        self._want_write = write
        self._lock: Any = None
        self._shared: dict[str, _FileInfo] = {}
        self._replica: dict[str, _FileInfo] = {}
        self._published: dict[str, Signature] = {}
        self._cache_dirty = False

    # -- opening and closing -------------------------------------------------

    @property
    def writable(self) -> bool:
        return self._want_write and not self.read_only_reasons

    def open(self) -> None:
        self.local.mkdir(parents=True, exist_ok=True)
        if self._want_write:
            self._acquire_lock()
        if not self.folder.is_dir():
            if self.folder.parent.is_dir() and self.writable:
                self.folder.mkdir()
                self._notices.append(
                    Problem(
                        "",
                        _(
                            "The journal folder was missing; it was created again and this "
                            "device's entries were republished into it."
                        ),
                        needs_user=False,
                    )
                )
            else:
                self.read_only_reasons.append(
                    _(
                        "The journal folder {folder} cannot be found (is the drive or "
                        "the sync folder available?)."
                    ).format(folder=self.folder)
                )
        self._load_cache()
        self.refresh()

    def _acquire_lock(self) -> None:
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.local / "lock"), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            self.read_only_reasons.append(
                _(
                    "rmpair is already running for this journal on this device; "
                    "close it to make changes here."
                )
            )
            return
        self._lock = lock

    def close(self) -> None:
        if self.writable and self._cache_dirty:
            self._save_cache()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # -- reading -------------------------------------------------------------

    def refresh(self) -> bool:
        """Re-read whatever changed in the shared folder; True if the state changed."""
        report = LoadReport()
        self._read_replica(_scan(self.replica_dir), report)
        own_copies = self._read_shared(_scan(self.devices_dir), report)
        if self.writable:
            self._fold(own_copies, report)
            self._republish(report)
        if self.state.max_hlc:
            self.clock.observe(self.state.max_hlc)
        for problem in report.problems:
            if problem not in self._notices:
                self._notices.append(problem)
        self._check_schema()
        if report.new_changes:
            self._cache_dirty = True
        return report.new_changes > 0

    @property
    def problems(self) -> list[Problem]:
        """What needs the user's attention first, then what rmpair put right by itself."""
        found = self._notices + self._file_problems()
        return sorted(found, key=lambda p: not p.needs_user)

    def _read_replica(self, files: dict[str, tuple[Path, Signature]], report: LoadReport) -> None:
        for rel, (path, sig) in sorted(files.items()):
            info = self._replica.get(rel)
            if info is not None and info.sig == sig:
                continue
            if classify(path.name).role is not FileRole.CANONICAL:
                continue
            try:
                log = read_log(path)
            except LogFileError as exc:
                # The shared copy or a later save will restore it; say so meanwhile.
                self._replica[rel] = _FileInfo(sig, problem=str(exc))
                continue
            self._replica[rel] = _FileInfo(
                sig, schema=log.schema, device=log.device, period=log.period
            )
            report.new_changes += self.state.apply_all(log.changes)
            self._cache_dirty = True

    def _read_shared(
        self, files: dict[str, tuple[Path, Signature]], report: LoadReport
    ) -> list[tuple[str, Path]]:
        """Fold every readable file into the state; return this device's stray copies."""
        own_copies: list[tuple[str, Path]] = []
        seen = set()
        for rel, (path, sig) in sorted(files.items()):
            kind = classify(path.name)
            if kind.role in (FileRole.TEMPORARY, FileRole.OTHER):
                continue
            seen.add(rel)
            info = self._shared.get(rel)
            if info is not None and info.sig == sig:
                if info.device == self.device.id and rel != f"{info.device}/{info.period}.json":
                    own_copies.append((rel, path))
                continue
            self._cache_dirty = True
            try:
                log = read_log(path)
            except LogFileError as exc:
                self._shared[rel] = _FileInfo(sig, problem=str(exc))
                continue
            if log.journal != self.member.journal:
                self._shared[rel] = _FileInfo(
                    sig, problem=_("belongs to another journal; it is left alone")
                )
                continue
            self._shared[rel] = _FileInfo(
                sig, schema=log.schema, device=log.device, period=log.period
            )
            new = [c for c in log.changes if self.state.apply(c)]
            report.new_changes += len(new)
            if new and self.writable:
                self._add_to_replica(log, new)
            stray = kind.role is FileRole.CONFLICT_COPY or rel != f"{log.device}/{log.period}.json"
            if stray and log.device == self.device.id:
                own_copies.append((rel, path))
        for rel in list(self._shared):
            if rel not in seen:
                del self._shared[rel]
                self._cache_dirty = True
        return own_copies

    def _add_to_replica(self, log: LogFile, new: Sequence[Change]) -> None:
        """Keep the last good state of a device locally: union, never replace."""
        path = self.replica_dir / log.device / f"{log.period}.json"
        existing: tuple[Change, ...] = ()
        with contextlib.suppress(LogFileError):
            if path.exists():
                existing = read_log(path).changes
        merged = {c["id"]: c for c in existing}
        for c in new:
            merged.setdefault(c["id"], c)
        replica = LogFile(
            log.journal,
            log.device,
            log.person,
            log.role,
            log.label,
            log.period,
            min(log.schema, SCHEMA),
            tuple(merged.values()),
        )
        atomic_write(path, encode_log(replica))
        rel = f"{log.device}/{log.period}.json"
        self._replica[rel] = _FileInfo(_signature(path), device=log.device, period=log.period)

    def _fold(self, own_copies: list[tuple[str, Path]], report: LoadReport) -> None:
        """Tidy this device's conflict copies: their entries are in the replica already."""
        for rel, path in own_copies:
            target = self.archive_dir / rel.replace("/", "__")
            try:
                self.archive_dir.mkdir(parents=True, exist_ok=True)
                atomic_write(target, path.read_bytes())
                path.unlink()
            except OSError as exc:
                report.problems.append(
                    Problem(
                        rel,
                        _(
                            "a conflict copy of this device's log could not be tidied up: {error}"
                        ).format(error=exc.strerror),
                    )
                )
                continue
            self._shared.pop(rel, None)
            report.problems.append(
                Problem(
                    rel,
                    _(
                        "a conflict copy of this device's log was folded in (kept in {archive})"
                    ).format(archive=target),
                    needs_user=False,
                )
            )

    def _republish(self, report: LoadReport) -> None:
        """Make the shared copy of each of this device's months equal to the replica."""
        own = self.replica_dir / self.device.id
        if not own.is_dir():
            return
        for path in sorted(own.glob("*.json")):
            period = path.stem
            rel = f"{self.device.id}/{period}.json"
            target = self.devices_dir / rel
            try:
                current = _signature(target)
            except OSError:
                current = None
            if current is not None and self._published.get(period) == current:
                continue
            info = self._shared.get(rel)
            if current is not None and info is not None and info.problem is None:
                try:
                    shared_ids = {c["id"] for c in read_log(target).changes}
                    replica_ids = {c["id"] for c in read_log(path).changes}
                except LogFileError:
                    shared_ids, replica_ids = set(), {""}
                if shared_ids == replica_ids:
                    self._published[period] = current
                    self._cache_dirty = True
                    continue
            why = (
                _("was missing")
                if current is None
                else _("was damaged")
                if info is not None and info.problem
                else _("was older than this device's copy")
            )
            self._publish(path, target, period)
            report.problems.append(
                Problem(
                    f"devices/{rel}",
                    _("this device's file {why}; it was written again from the local copy").format(
                        why=why
                    ),
                    needs_user=False,
                )
            )

    def _publish(self, replica: Path, target: Path, period: str) -> None:
        atomic_write(target, replica.read_bytes())
        sig = _signature(target)
        self._published[period] = sig
        rel = f"{self.device.id}/{period}.json"
        self._shared[rel] = _FileInfo(sig, device=self.device.id, period=period)
        self._cache_dirty = True

    def _file_problems(self) -> list[Problem]:
        out = []
        for rel, info in sorted(self._replica.items()):
            if info.problem is not None:
                out.append(
                    Problem(
                        "",
                        _("This device's own copy {file} is damaged: {problem}").format(
                            file=rel, problem=info.problem
                        ),
                    )
                )
        for rel, info in sorted(self._shared.items()):
            if info.problem is not None:
                suffix = _("the last good copy of these entries is used")
                out.append(Problem(f"devices/{rel}", f"{info.problem} — {suffix}"))
            elif info.device != self.device.id and rel != f"{info.device}/{info.period}.json":
                kind = classify(rel.rsplit("/", 1)[-1])
                device = self.state.fields("device", info.device) or {}
                out.append(
                    Problem(
                        f"devices/{rel}",
                        _(
                            "a {tool} conflict copy of {person}'s log: its entries were read, and "
                            "{person}'s rmpair will tidy it up"
                        ).format(
                            tool=kind.tool or _("sync"), person=device.get("person") or info.device
                        ),
                        needs_user=False,
                    )
                )
        return out

    def _check_schema(self) -> None:
        newest = max((i.schema for i in self._shared.values()), default=SCHEMA)
        message = _(
            "This journal was written by a newer rmpair (format {schema}); this version "
            "({version}) can only read it. Update rmpair to make changes."
        ).format(schema=newest, version=__version__)
        self.read_only_reasons = [r for r in self.read_only_reasons if "(format" not in r]
        if newest > SCHEMA:
            self.read_only_reasons.append(message)

    # -- writing -------------------------------------------------------------

    def append(self, drafts: Iterable[dict[str, Any]]) -> list[Change]:
        """Stamp, store and publish new changes made on this device."""
        if not self.writable:
            raise ReadOnlyError(" ".join(self.read_only_reasons))
        changes: list[Change] = []
        for draft in drafts:
            stamp = self.clock.tick()
            change = dict(draft)
            change["hlc"] = stamp.encode()
            change["device"] = self.device.id
            change["person"] = self.member.person
            changes.append(change)
        if not changes:
            return []
        by_period: dict[str, list[Change]] = {}
        for c in changes:
            by_period.setdefault(period_of(c["hlc"]), []).append(c)
        for period, batch in by_period.items():
            self._append_period(period, batch)
        for c in changes:
            self.state.apply(c)
        self._cache_dirty = True
        return changes

    def _append_period(self, period: str, batch: list[Change]) -> None:
        from tinydb import TinyDB

        path = self.replica_dir / self.device.id / f"{period}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        db = TinyDB(path, storage=AtomicJSONStorage)
        try:
            meta = db.table("meta")
            if len(meta) == 0:
                meta.insert(
                    LogFile(
                        self.member.journal,
                        self.device.id,
                        self.member.person,
                        self.member.role,
                        self.device.label,
                        period,
                        SCHEMA,
                        (),
                    ).meta()
                )
            db.table("changes").insert_multiple(batch)
        finally:
            db.close()
        rel = f"{self.device.id}/{period}.json"
        self._replica[rel] = _FileInfo(_signature(path), device=self.device.id, period=period)
        self._publish(path, self.devices_dir / rel, period)

    # -- the cache -----------------------------------------------------------

    def _load_cache(self) -> None:
        try:
            data = json.loads(self.cache_path.read_bytes())
            if data.get("version") != CACHE_VERSION or data.get("code") != __version__:
                return
            if data.get("journal") != self.member.journal or data.get("device") != self.device.id:
                return
            shared = {k: _FileInfo.load(v) for k, v in data["shared"].items()}
            replica = {k: _FileInfo.load(v) for k, v in data["replica"].items()}
            published = {k: (int(v[0]), int(v[1]), int(v[2])) for k, v in data["published"].items()}
            state = MergedState()
            state.apply_all(data["changes"])
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return  # a missing or stale cache only costs a full read
        self.state, self._shared, self._replica, self._published = state, shared, replica, published

    def _save_cache(self) -> None:
        payload = {
            "version": CACHE_VERSION,
            "code": __version__,
            "journal": self.member.journal,
            "device": self.device.id,
            "shared": {k: v.dump() for k, v in self._shared.items()},
            "replica": {k: v.dump() for k, v in self._replica.items()},
            "published": {k: list(v) for k, v in self._published.items()},
            "changes": list(self.state.changes.values()),
        }
        try:
            atomic_write(self.cache_path, dump_json(payload))
        except OSError:
            return
        self._cache_dirty = False

    def archive_folder(self) -> Path:
        return self.archive_dir

    def remove_local(self) -> None:
        """Forget this journal on this device (used when ``init`` fails half-way)."""
        shutil.rmtree(self.local, ignore_errors=True)
