"""Fault injection with real files: what a crash or a sync tool can do to a journal folder."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store import files as storage
from rmpair.store.files import SCHEMA, TEMP_PREFIX, atomic_write, read_log
from rmpair.store.home import Home
from rmpair.store.journal_store import ReadOnlyError

if TYPE_CHECKING:
    from pairs import TwoDevices

# -- helpers ----------------------------------------------------------------


def titles(journal: Journal) -> set[str]:
    return {fields.get("title", "") for _, fields in journal.store.state.live("topic")}


def ids_in(path: Path) -> set[str]:
    return {c["id"] for c in read_log(path).changes}


def problems_of(journal: Journal, path: Path) -> list[str]:
    """Every problem text about the shared file ``path``."""
    rel = path.relative_to(journal.folder).as_posix()
    return [f"{p.file}: {p.message}" for p in journal.store.problems if p.file == rel]


def temp_leftovers(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob(f"{TEMP_PREFIX}*")]


def with_extra_change(path: Path, title: str) -> tuple[bytes, str]:
    """The bytes of ``path`` plus one more topic made by the same device (a diverged copy)."""
    data = json.loads(path.read_bytes())
    changes = data["changes"]
    last = max(changes.values(), key=lambda c: c["hlc"])
    device = data["meta"]["1"]["device"]
    wall = int(last["hlc"][:15]) + 1
    digest = hashlib.sha256(f"{title}{wall}".encode()).hexdigest()
    rec = f"forged{digest[:6]}"
    extra = {
        "id": f"x{digest[6:26]}",
        "hlc": f"{wall:015d}.000000.{device}",
        "device": device,
        "person": last["person"],
        "kind": "topic",
        "rec": rec,
        "op": "create",
        "fields": {"title": title},
        "prev": [],
    }
    changes[str(max(int(k) for k in changes) + 1)] = extra
    return json.dumps(data).encode(), rec


def keep_only_replica(journal: Journal) -> None:
    """Forget every cache: keep only the membership and the replica of the journal."""
    for entry in journal.store.home.journal_dir(journal.journal_id).iterdir():
        if entry.name in ("replica", "member.json"):
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def place(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# -- (a) a crash before the rename --------------------------------------------


def test_failed_rename_leaves_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "log" / "2026-11.json"
    atomic_write(target, b'{"old": true}')

    def crash(src: str, dst: str) -> None:
        raise OSError(errno.EIO, "power lost")

    with pytest.raises(OSError, match="power lost"):
        atomic_write(target, b'{"new": true}', _replace=crash)
    assert target.read_bytes() == b'{"old": true}'
    assert sorted(p.name for p in target.parent.iterdir()) == ["2026-11.json"]


def test_rename_refused_by_a_scanner_is_retried(tmp_path: Path) -> None:
    target = tmp_path / "2026-11.json"
    atomic_write(target, b"old")
    refusals: list[str] = []

    def busy_twice(src: str, dst: str) -> None:
        if len(refusals) < 2:
            refusals.append(dst)
            raise PermissionError(errno.EACCES, "in use by another process")
        os.replace(src, dst)

    atomic_write(target, b"new", _replace=busy_twice)
    assert target.read_bytes() == b"new"
    assert len(refusals) == 2
    assert temp_leftovers(tmp_path) == []


def fail_once(where: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """Make the next rename of a file below ``where`` fail like a full disk.

    Returns the target and its content at the moment of the failure.
    """
    failed: list[tuple[str, bytes]] = []

    def replace(src: str, dst: str) -> None:
        if not failed and Path(dst).is_relative_to(where):
            failed.append((dst, Path(dst).read_bytes() if Path(dst).exists() else b""))
            raise OSError(errno.ENOSPC, "No space left on device")
        os.replace(src, dst)

    monkeypatch.setitem(storage.atomic_write.__kwdefaults__, "_replace", replace)
    return failed


def test_crash_while_saving_the_local_copy(
    two_devices: TwoDevices, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = two_devices.a
    a.add("topic", {"title": "kept"})
    shared = two_devices.own_file(a)
    before = shared.read_bytes()
    failed = fail_once(a.store.replica_dir, monkeypatch)
    with pytest.raises(OSError):
        a.add("topic", {"title": "never saved"})
    [(replica, at_failure)] = failed
    monkeypatch.undo()
    assert Path(replica).read_bytes() == at_failure  # the local copy is the old one
    assert shared.read_bytes() == before
    assert temp_leftovers(a.folder, a.store.local) == []
    # What the user sees now is what they will see after a restart.
    seen_now = titles(a)
    a = two_devices.reopen(a)
    assert titles(a) == seen_now
    assert "kept" in titles(a)
    a.add("topic", {"title": "after the crash"})
    assert {"kept", "after the crash"} <= titles(a)
    two_devices.deliver(a, two_devices.b)
    two_devices.b.refresh()
    assert titles(two_devices.b) == titles(a)  # the partner sees what Alex sees


def test_failed_publish_is_republished_later(
    two_devices: TwoDevices, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_devices.a, two_devices.b
    shared = two_devices.own_file(a)
    before = shared.read_bytes()
    failed = fail_once(a.folder, monkeypatch)
    # Saved on this device; the user is told it is not shared yet (no error: it is kept).
    a.add("topic", {"title": "saved locally"})
    assert a.store.unshared is not None and "No space left" in a.store.unshared
    assert "saved locally" in titles(a)
    monkeypatch.undo()
    assert failed == [(str(shared), before)]  # the old file was intact when it failed ...
    assert temp_leftovers(a.folder, a.store.local) == []  # ... and no temp file is left
    assert read_log(shared).device == a.device_id  # readable whatever happened next
    a.refresh()
    a = two_devices.reopen(a)
    replica = a.store.replica_dir / a.device_id / shared.name
    # Whatever this device kept must reach the shared folder, or the partner never sees it.
    assert ids_in(replica) <= ids_in(shared), "an entry kept locally is never published"
    two_devices.deliver(a, b)
    b.refresh()
    assert titles(b) == titles(a)


# -- (b)-(e) damaged peer files -----------------------------------------------


def damage_peer_file(pair: TwoDevices, damage: Callable[[bytes], bytes]) -> Path:
    """Sam has an entry Alex already read, then a newer file reaches Alex damaged."""
    a, b = pair.a, pair.b
    b.add("topic", {"title": "Sam's first"})
    pair.deliver(b, a)
    a.refresh()
    assert "Sam's first" in titles(a)
    b.add("topic", {"title": "Sam's second — Zürich 😀"})
    target = pair.peer_file(b, a)
    place(target, damage(pair.own_file(b).read_bytes()))
    return target


def assert_damage_reported(pair: TwoDevices, target: Path, *words: str) -> None:
    pair.a.refresh()
    pair.a.add("topic", {"title": "Alex's own"})
    check_damage_reported(pair, pair.a, target, words)
    check_damage_reported(pair, pair.reopen(pair.a), target, words)
    assert target.exists()  # a peer's file is never deleted


def check_damage_reported(
    pair: TwoDevices, journal: Journal, target: Path, words: tuple[str, ...]
) -> None:
    found = problems_of(journal, target)
    assert found, [str(p) for p in journal.store.problems]
    text = " ".join(found)
    assert pair.b.device_id in text  # which file: devices/<device>/<month>.json
    for word in words:
        assert word in text
    assert any(p.needs_user for p in journal.store.problems)
    assert {"Sam's first", "Alex's own"} <= titles(journal)  # the last good state is used


def _cut_inside(text: str) -> Callable[[bytes], bytes]:
    def cut(raw: bytes) -> bytes:
        at = raw.index(text.encode()) + len(text.encode()) // 2
        return raw[:at]

    return cut


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda raw: raw[:-1], id="last-byte"),
        pytest.param(lambda raw: raw[: raw.rindex(b"}", 0, len(raw) - 3)], id="between-entries"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="half"),
        pytest.param(_cut_inside("Sam's second"), id="inside-a-text"),
        pytest.param(lambda raw: raw[: raw.index("ü".encode()) + 1], id="inside-a-character"),
        pytest.param(lambda raw: raw[:40], id="near-the-start"),
    ],
)
def test_truncated_peer_file(two_devices: TwoDevices, cut: Callable[[bytes], bytes]) -> None:
    target = damage_peer_file(two_devices, cut)
    assert_damage_reported(two_devices, target, "truncated")


def test_garbage_peer_file(two_devices: TwoDevices) -> None:
    garbage = bytes(range(256)) * 8 + b"\x89PNG\r\n\x1a\n\xff\xfe\x00"
    target = damage_peer_file(two_devices, lambda raw: garbage)
    assert_damage_reported(two_devices, target)


def test_zeroed_peer_file(two_devices: TwoDevices) -> None:
    """What some file systems leave after a power cut: the right size, all zeros."""
    target = damage_peer_file(two_devices, lambda raw: b"\x00" * len(raw))
    assert_damage_reported(two_devices, target)


def test_deeply_nested_peer_file_is_a_problem_not_a_crash(two_devices: TwoDevices) -> None:
    target = damage_peer_file(two_devices, lambda raw: b"[" * 200_000)
    assert_damage_reported(two_devices, target)


@pytest.mark.parametrize("content", [b"", b"   \n\t  "], ids=["empty", "whitespace"])
def test_empty_peer_file(two_devices: TwoDevices, content: bytes) -> None:
    target = damage_peer_file(two_devices, lambda raw: content)
    assert_damage_reported(two_devices, target, "empty")


def _edit_json(edit: Callable[[dict[str, Any]], Any]) -> Callable[[bytes], bytes]:
    def damage(raw: bytes) -> bytes:
        data = json.loads(raw)
        result = edit(data)
        return json.dumps(data if result is None else result).encode()

    return damage


def _drop(change: dict[str, Any], key: str) -> None:
    # (dict.pop returns the value, which _edit_json would take for the whole file)
    del change[key]


def _first_change(data: dict[str, Any]) -> dict[str, Any]:
    return data["changes"][min(data["changes"], key=int)]


SHAPES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "top-level-list": lambda d: [d],
    "top-level-string": lambda d: "rmpair-log",
    "no-meta": lambda d: d.pop("meta"),
    "meta-is-a-list": lambda d: d.update(meta=[d["meta"]["1"]]),
    "unknown-format": lambda d: d["meta"]["1"].update(format="something-else"),
    "schema-is-text": lambda d: d["meta"]["1"].update(schema="1"),
    "no-journal": lambda d: d["meta"]["1"].pop("journal"),
    "changes-is-a-list": lambda d: d.update(changes=list(d["changes"].values())),
}
# Damage to one entry: that entry is set aside, the others of the file are read.
ENTRY_SHAPES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "change-is-a-number": lambda d: d["changes"].update({"1": 42}),
    "change-lacks-prev": lambda d: _drop(_first_change(d), "prev"),
    "fields-is-a-list": lambda d: _first_change(d).update(fields=["title"]),
    "bad-clock": lambda d: _first_change(d).update(hlc="yesterday"),
    "other-device": lambda d: _first_change(d).update(device="someoneelse"),
    "unknown-op": lambda d: _first_change(d).update(op="explode"),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_wrong_shape_peer_file(two_devices: TwoDevices, shape: str) -> None:
    target = damage_peer_file(two_devices, _edit_json(SHAPES[shape]))
    assert_damage_reported(two_devices, target)
    assert "Sam's second — Zürich 😀" not in titles(two_devices.a)


@pytest.mark.parametrize("shape", ENTRY_SHAPES)
def test_one_wrong_entry_is_set_aside_and_the_rest_of_the_file_is_read(
    two_devices: TwoDevices, shape: str
) -> None:
    target = damage_peer_file(two_devices, _edit_json(ENTRY_SHAPES[shape]))
    for journal in (two_devices.a, two_devices.reopen(two_devices.a)):
        journal.refresh()
        found = problems_of(journal, target)
        assert found and "set aside, never applied" in " ".join(found), found
        assert two_devices.b.device_id in " ".join(found)
        assert {"Sam's first", "Sam's second — Zürich 😀"} <= titles(journal)
    assert target.exists()  # a peer's file is never deleted


def test_header_period_cannot_write_outside_the_local_copy(two_devices: TwoDevices) -> None:
    """The month in a peer's header names a file in the replica: it must be a month."""
    escape = "../../../../../escaped"  # stays inside tmp_path
    target = damage_peer_file(
        two_devices, _edit_json(lambda d: d["meta"]["1"].update(period=escape))
    )
    two_devices.a.refresh()
    written = [p for p in two_devices.tmp.rglob("escaped*")]
    assert written == [], f"a peer's file made this device write {written}"
    assert problems_of(two_devices.a, target), "the bad header is not reported"


# -- (f), (g) files going back in time -------------------------------------------


def test_peer_file_replaced_by_older_copy_loses_nothing(two_devices: TwoDevices) -> None:
    a, b = two_devices.a, two_devices.b
    b.add("topic", {"title": "one"})
    old = two_devices.own_file(b).read_bytes()
    b.add("topic", {"title": "two"})
    two_devices.deliver(b, a)
    a.refresh()
    assert {"one", "two"} <= titles(a)
    target = two_devices.peer_file(b, a)
    place(target, old)
    a.refresh()
    assert {"one", "two"} <= titles(a)
    a = two_devices.reopen(a)  # from the cache
    assert {"one", "two"} <= titles(a)
    a.close()
    keep_only_replica(a)
    a = Journal.open(a.folder, home=a.store.home)  # from the local copy only
    two_devices.a = a
    assert {"one", "two"} <= titles(a)
    assert target.read_bytes() == old  # a peer's file is left alone
    assert [p for p in a.store.problems if p.needs_user] == []


def test_own_file_replaced_by_older_copy_is_republished(two_devices: TwoDevices) -> None:
    a = two_devices.a
    a.add("topic", {"title": "one"})
    shared = two_devices.own_file(a)
    old = shared.read_bytes()
    a.add("topic", {"title": "two"})
    current = ids_in(shared)
    a.close()
    place(shared, old)
    a = two_devices.reopen(a)
    assert ids_in(shared) == current
    assert {"one", "two"} <= titles(a)
    notices = [p for p in a.store.problems if p.file.endswith(shared.name)]
    assert notices and not notices[0].needs_user
    assert "older" in notices[0].message
    # and while running: the sync tool brings the old copy back again
    place(shared, old)
    a.refresh()
    assert ids_in(shared) == current


@pytest.mark.parametrize("damage", [b"", b'{"changes": {"1": {', b"\x00" * 64])
def test_own_damaged_file_is_republished(two_devices: TwoDevices, damage: bytes) -> None:
    a = two_devices.a
    a.add("topic", {"title": "one"})
    shared = two_devices.own_file(a)
    good = ids_in(shared)
    place(shared, damage)
    a.refresh()
    assert ids_in(shared) == good
    notices = [p for p in a.store.problems if p.file.endswith(shared.name)]
    assert notices and not any(p.needs_user for p in a.store.problems)
    assert "damaged" in notices[0].message


# -- (h) folders deleted ----------------------------------------------------------


def test_shared_devices_folder_deleted_while_running(two_devices: TwoDevices) -> None:
    a = two_devices.a
    a.add("topic", {"title": "mine"})
    two_devices.deliver(two_devices.b, a)
    mine = ids_in(two_devices.own_file(a))
    shutil.rmtree(a.folder / "devices")
    a.refresh()
    assert ids_in(two_devices.own_file(a)) == mine
    assert "mine" in titles(a)
    assert a.store.state.fields("device", two_devices.b.device_id) is not None


def test_journal_folder_gone_while_closed_is_never_made_again(two_devices: TwoDevices) -> None:
    """A sync folder that is not mounted yet must not get this device's files, where the
    partner would never see them: the journal is read-only until the folder is back."""
    a, b = two_devices.a, two_devices.b
    a.add("topic", {"title": "mine"})
    b.add("topic", {"title": "Sam's"})
    two_devices.deliver(b, a)
    a.refresh()
    folder = a.folder
    a.close()
    folder.rename(folder.with_name("unmounted"))
    a = two_devices.reopen(a)
    assert not folder.exists()
    assert {"mine", "Sam's"} <= titles(a)  # what this device knows is still shown
    assert "cannot be found" in " ".join(a.store.read_only_reasons)
    with pytest.raises(ReadOnlyError, match="cannot be found"):
        a.add("topic", {"title": "after"})
    assert not folder.exists()
    folder.with_name("unmounted").rename(folder)
    a = two_devices.reopen(a)
    a.add("topic", {"title": "after"})
    assert {"mine", "Sam's", "after"} <= titles(a)


def test_devices_folder_deleted_while_closed(two_devices: TwoDevices) -> None:
    a, b = two_devices.a, two_devices.b
    a.add("topic", {"title": "mine"})
    b.add("topic", {"title": "Sam's"})
    two_devices.deliver(b, a)
    a.refresh()
    mine = ids_in(two_devices.own_file(a))
    a.close()
    shutil.rmtree(a.folder / "devices")
    a = two_devices.reopen(a)
    assert ids_in(two_devices.own_file(a)) == mine
    assert {"mine", "Sam's"} <= titles(a)
    assert [p for p in a.store.problems if p.needs_user] == []
    a.add("topic", {"title": "after"})
    assert "after" in titles(a)


# -- (i) conflict copies ------------------------------------------------------------

SCHEMES = {
    "syncthing": "{m}.sync-conflict-20261122-101010-ABCDEFG.json",
    "dropbox": "{m} (Sam's conflicted copy 2026-11-22).json",
    "nextcloud": "{m} (conflicted copy 2026-11-22 101010).json",
    "nextcloud-new": "{m}_conflict-20261122-101010.json",
    "onedrive": "{m}-LAPTOP7.json",
    "google-drive": "{m} (1).json",
    "icloud": "{m} 2.json",
}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_conflict_copy_of_own_file_is_folded(two_devices: TwoDevices, scheme: str) -> None:
    a, b = two_devices.a, two_devices.b
    a.add("topic", {"title": "before"})
    shared = two_devices.own_file(a)
    data, rec = with_extra_change(shared, "only in the copy")
    copy = shared.with_name(SCHEMES[scheme].format(m=shared.stem))
    place(copy, data)
    a.refresh()
    assert a.store.state.fields("topic", rec) == {"title": "only in the copy"}
    assert not copy.exists()
    archived = [p for p in a.store.archive_dir.rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in archived] == [data]
    notices = [p for p in a.store.problems if p.file.endswith(copy.name)]
    assert notices and not notices[0].needs_user
    # the copy is gone from the shared folder, so the entry must reach the partner
    # through this device's canonical file
    assert rec in {c["rec"] for c in read_log(shared).changes}, "folded entry not republished"
    two_devices.deliver(a, b)
    b.refresh()
    assert b.store.state.fields("topic", rec) == {"title": "only in the copy"}
    a = two_devices.reopen(a)
    assert a.store.state.fields("topic", rec) == {"title": "only in the copy"}
    assert not copy.exists()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_conflict_copy_of_peer_file_is_read_and_kept(two_devices: TwoDevices, scheme: str) -> None:
    a, b = two_devices.a, two_devices.b
    b.add("topic", {"title": "Sam's"})
    two_devices.deliver(b, a)
    data, rec = with_extra_change(two_devices.own_file(b), "Sam's other laptop")
    copy = two_devices.peer_file(b, a)
    copy = copy.with_name(SCHEMES[scheme].format(m=copy.stem))
    place(copy, data)
    a.refresh()
    assert a.store.state.fields("topic", rec) == {"title": "Sam's other laptop"}
    assert "Sam's" in titles(a)
    notes = problems_of(a, copy)
    assert notes and "Sam" in notes[0]
    assert not any(p.needs_user for p in a.store.problems)
    assert copy.read_bytes() == data  # never deleted, never changed
    a = two_devices.reopen(a)
    assert copy.read_bytes() == data
    copy.unlink()  # Sam's rmpair tidied it up; the entry stays known
    a.refresh()
    assert a.store.state.fields("topic", rec) == {"title": "Sam's other laptop"}
    assert problems_of(a, copy) == []


# -- (j) temporary files of sync tools -----------------------------------------------

TEMP_NAMES = [
    ".syncthing.{m}.json.tmp",
    "~syncthing~{m}.json.tmp",
    "{m}.json.part",
    ".~lock.{m}.json#",
    ".dropbox",
    "{m}.json.icloud",
    ".{m}.json.icloud",
    TEMP_PREFIX + "{m}.json.0a1b2c3d",
]


def test_sync_temp_files_are_ignored_silently(two_devices: TwoDevices) -> None:
    a, b = two_devices.a, two_devices.b
    b.add("topic", {"title": "Sam's"})
    two_devices.deliver(b, a)
    month = two_devices.own_file(a).stem
    garbage = b"\xff\xfe{not json"
    planted = []
    for owner in (a, b):
        for pattern in TEMP_NAMES:
            path = a.folder / "devices" / owner.device_id / pattern.format(m=month)
            place(path, garbage)
            planted.append(path)
    for hidden in (".dropbox.cache", ".stversions", ".stfolder"):
        path = a.folder / "devices" / hidden / b.device_id / f"{month}.json"
        place(path, garbage)
        planted.append(path)
    a.refresh()
    check_nothing_said(a, planted)
    check_nothing_said(two_devices.reopen(a), planted)
    assert all(p.read_bytes() == garbage for p in planted)


def check_nothing_said(journal: Journal, planted: list[Path]) -> None:
    said = [str(p) for p in journal.store.problems]
    assert not [p for p in journal.store.problems if p.needs_user], said
    for path in planted:
        assert not any(path.name in text for text in said), said
    assert "Sam's" in titles(journal)


# -- (k), (l) files this version must not write over ---------------------------------


def newer_schema(raw: bytes) -> bytes:
    data = json.loads(raw)
    data["meta"]["1"]["schema"] = SCHEMA + 1
    data["changes"]["999"] = {"id": "future", "shape": "unknown to this version"}
    return json.dumps(data).encode()


def test_newer_schema_makes_the_journal_read_only(two_devices: TwoDevices) -> None:
    a, b = two_devices.a, two_devices.b
    a.add("topic", {"title": "mine"})
    b.add("topic", {"title": "from the future"})
    target = two_devices.peer_file(b, a)
    place(target, newer_schema(two_devices.own_file(b).read_bytes()))
    own = two_devices.own_file(a)
    own_before = own.read_bytes()
    a.refresh()
    check_read_only(a)
    check_read_only(two_devices.reopen(a))
    assert own.read_bytes() == own_before
    assert target.exists()


def check_read_only(journal: Journal) -> None:
    reasons = journal.store.read_only_reasons
    assert reasons and "newer" in " ".join(reasons)
    assert journal.status().to_json()["read_only"] == reasons
    assert {"mine", "from the future"} <= titles(journal)
    with pytest.raises(ReadOnlyError, match="newer"):
        journal.add("topic", {"title": "refused"})
    [rec] = [r for r, f in journal.store.state.live("topic") if f["title"] == "mine"]
    with pytest.raises(ReadOnlyError):
        journal.update("topic", rec, {"title": "changed"})
    assert "refused" not in titles(journal)


def test_file_of_another_journal_is_reported_and_left_alone(two_devices: TwoDevices) -> None:
    a = two_devices.a
    other = Journal.init(
        two_devices.tmp / "other-journal",
        me="Kim",
        role=Role.MENTOR,
        partner="Lou",
        start=dt.date(2026, 11, 3),
        home=Home(two_devices.tmp / "home-c"),
    )
    other.add("topic", {"title": "another tandem's"})
    foreign = sorted((other.folder / "devices").rglob("*.json"))[0]
    other.close()
    target = a.folder / "devices" / foreign.parent.name / foreign.name
    place(target, foreign.read_bytes())
    tandem_before = a.tandem()
    a.refresh()

    def check(journal: Journal) -> None:
        notes = problems_of(journal, target)
        assert notes and "another journal" in " ".join(notes)
        assert "another tandem's" not in titles(journal)
        assert journal.tandem() == tandem_before
        assert target.read_bytes() == foreign.read_bytes()

    check(a)
    check(two_devices.reopen(a))


# -- (m) a second program on the same device -------------------------------------------


def test_two_open_journals_on_one_device_both_write(two_devices: TwoDevices) -> None:
    """The app stays open while commands run in another terminal: each takes the
    device's lock only while it writes, and sees the other's entries."""
    a = two_devices.a
    a.add("topic", {"title": "first"})
    second = Journal.open(a.folder, home=Home(a.store.home.root))
    try:
        assert "first" in titles(second)
        second.add("topic", {"title": "from the second"})
        assert second.store.read_only_reasons == []
        a.add("topic", {"title": "from the first again"})
        second.refresh()
        assert {"first", "from the second", "from the first again"} <= titles(second)
    finally:
        second.close()
    a.refresh()
    assert {"first", "from the second", "from the first again"} <= titles(a)
    a.close()
    third = Journal.open(a.folder, home=Home(a.store.home.root))
    two_devices.a = third
    assert {"first", "from the second", "from the first again"} <= titles(third)
    # Nothing was lost on the way: every entry is in this device's files once.
    ids = [c["id"] for c in read_log(two_devices.own_file(third)).changes]
    assert len(ids) == len(set(ids))


def test_two_programs_on_one_device_one_after_the_other(two_devices: TwoDevices) -> None:
    """A command started while another one was running must not hide that one's entries."""
    a, b = two_devices.a, two_devices.b
    home, folder = a.store.home, a.folder
    a.close()
    first = Journal.open(folder, home=Home(home.root))
    second = Journal.open(folder, home=Home(home.root))  # e.g. waiting in an editor
    try:
        first.add("topic", {"title": "from the first"})
        first.close()
        second.add("topic", {"title": "from the second"})
        second.refresh()
        assert {"from the first", "from the second"} <= titles(second)
    finally:
        first.close()
        second.close()
    a = two_devices.a = Journal.open(folder, home=home)
    assert {"from the first", "from the second"} <= titles(a)
    two_devices.deliver(a, b)
    b.refresh()
    assert {"from the first", "from the second"} <= titles(b)
