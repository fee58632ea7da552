"""An encrypted journal end to end: two devices, wrong passphrases, tampering, converting.

Every device is its own ``Home`` with its own copy of the shared folder; ``deliver``
plays the sync tool. What must hold: the shared folder never shows what the pair
wrote, both devices see everything, and no failure loses or overwrites anything.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clocks import SteppingClock
from pairs import log_files
from typer.testing import CliRunner

from rmpair.encryption import encrypt_journal, encryption_report
from rmpair.errors import ReadOnlyError, UserError
from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store import crypto
from rmpair.store import files as storage
from rmpair.store.crypto import WrongPassphrase, no_passphrase
from rmpair.store.files import ENCRYPTED_MAGIC
from rmpair.store.home import Home

PASSPHRASE = "tandem of two, one secret"
MARKERS = ("QUOKKA-7731", "Grüße-aus-Zürich-😀", "kubectl-rollout-undo-marker")


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes this computer's keyring, nor takes a passphrase from it."""
    monkeypatch.setenv("RMPAIR_KEYRING", "off")
    monkeypatch.delenv("RMPAIR_PASSPHRASE", raising=False)


@pytest.fixture(autouse=True)
def _encrypt_command() -> Iterator[None]:
    """``rmpair encrypt`` as cli.py registers it."""
    from rmpair.cli import app as cli

    added = "encrypt" not in cli.SUBCOMMANDS
    if added:
        cli.register("encrypt", "crypto", "Encrypt the journal's shared folder.")
    yield
    if added:
        del cli.SUBCOMMANDS["encrypt"]


# -- helpers -------------------------------------------------------------------------


class Clock(SteppingClock):
    """A wall clock the test moves forward, so that changes land in chosen months."""

    def __init__(self, day: dt.date) -> None:
        super().__init__(self.morning(day), dt.timedelta(seconds=1))

    @staticmethod
    def morning(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC)

    def set_day(self, day: dt.date) -> None:
        self.set(self.morning(day))


def start_pair(tmp: Path, *, encrypt: bool, clock: Clock | None = None) -> tuple[Journal, Journal]:
    """Alex starts the journal; Sam joins from a copy of the folder (with the passphrase)."""
    a = Journal.init(
        tmp / "shared-a",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 1, 5),
        home=Home(tmp / "home-a"),
        clock=clock,
        encrypt=encrypt,
        passphrase=PASSPHRASE if encrypt else None,
    )
    copy_tree(a.folder, tmp / "shared-b")
    b = Journal.join(
        tmp / "shared-b",
        me="Sam",
        home=Home(tmp / "home-b"),
        clock=clock,
        passphrase=PASSPHRASE if encrypt else None,
    )
    deliver(b, a)
    a.refresh()
    return a, b


def copy_tree(src: Path, dst: Path) -> None:
    for path in sorted((src / "devices").rglob("*.json")):
        place(dst / path.relative_to(src), path.read_bytes())


def place(path: Path, data: bytes) -> None:
    """Deliver a file the way sync tools do: a temporary file, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".syncthing.{path.name}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, path)


def own_files(journal: Journal) -> list[Path]:
    return log_files(journal.folder / "devices" / journal.device_id)


def deliver(owner: Journal, reader: Journal) -> None:
    for path in own_files(owner):
        place(reader.folder / "devices" / owner.device_id / path.name, path.read_bytes())


def reopen(journal: Journal, passphrase: crypto.Passphrase = PASSPHRASE, **kw: bool) -> Journal:
    journal.close()
    return Journal.open(journal.folder, home=journal.store.home, passphrase=passphrase, **kw)


def titles(journal: Journal) -> set[str]:
    return {f.get("title", "") for _id, f in journal.store.state.live("topic")}


def is_encrypted(path: Path) -> bool:
    return path.read_bytes().startswith(ENCRYPTED_MAGIC)


def every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def snapshot(*roots: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``roots`` with its content and modification time."""
    found = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                found[str(path)] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def problems_about(journal: Journal, path: Path) -> list[str]:
    rel = path.relative_to(journal.folder).as_posix()
    return [p.message for p in journal.store.problems if p.file == rel]


def fail_on_write(where: Path, number: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the ``number``-th rename of a file below ``where`` and every later one fail,
    like a disk that is full from then on."""
    seen: list[str] = []

    def replace(src: str, dst: str) -> None:
        if Path(dst).is_relative_to(where):
            seen.append(dst)
            if len(seen) >= number:
                raise OSError(errno.ENOSPC, "No space left on device")
        os.replace(src, dst)

    monkeypatch.setitem(storage.atomic_write.__kwdefaults__, "_replace", replace)
    return seen


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Journal, Journal]]:
    a, b = start_pair(tmp_path, encrypt=True)
    yield a, b
    a.close()  # tests close what they reopen; closing twice is harmless
    b.close()


# -- round trip -----------------------------------------------------------------------


def test_two_devices_read_everything_and_the_shared_folder_shows_nothing(
    tmp_path: Path,
) -> None:
    a, b = start_pair(tmp_path, encrypt=True)
    a.add("topic", {"title": MARKERS[0], "question": MARKERS[1]})
    b.add("topic", {"title": "from Sam", "question": MARKERS[2]})
    b.add("note", {"text": f"private-ish {MARKERS[1]}"})
    deliver(a, b)
    deliver(b, a)
    a.refresh()
    b.refresh()
    assert titles(a) == titles(b) == {MARKERS[0], "from Sam"}
    for journal in (a, b):
        assert not [p for p in journal.store.problems if p.needs_user]
        assert journal.store.read_only_reasons == []
        files = list((journal.folder / "devices").rglob("*.json"))
        assert files and all(is_encrypted(p) for p in files)
        shared = every_byte(journal.folder)
        for text in (*MARKERS, "Alex", "Sam", "mentee", "topic", "rmpair-log"):
            assert text.encode() not in shared, f"{text!r} readable in the shared folder"
    # This device's own data folder stays plain (it never leaves the device).
    assert MARKERS[0].encode() in every_byte(b.store.replica_dir)
    report = encryption_report(a)
    assert report["encrypted"] and report["complete"]
    assert {d["device"] for d in report["devices"]} == {a.device_id, b.device_id}
    a.close()
    b.close()
    # Later processes read it again (with the passphrase), and keep writing encrypted.
    b = Journal.open(b.folder, home=b.store.home, passphrase=PASSPHRASE)
    b.add("topic", {"title": "after a restart"})
    assert all(is_encrypted(p) for p in own_files(b))
    b.close()


def test_the_key_is_derived_once_per_process(pair: tuple[Journal, Journal]) -> None:
    a, b = pair
    runs = crypto.kdf_runs
    for n in range(3):
        a.add("topic", {"title": f"round {n}"})
        deliver(a, b)
        b = reopen(b)
        assert f"round {n}" in titles(b)
        b.add("topic", {"title": f"answer {n}"})
    b.close()
    assert crypto.kdf_runs == runs  # the same salt and passphrase: derived at init only


def test_the_passphrase_is_asked_only_when_needed_and_once(
    pair: tuple[Journal, Journal],
) -> None:
    a, b = pair
    b.close()
    asked: list[crypto.PassphraseRequest] = []

    def source(request: crypto.PassphraseRequest) -> str:
        asked.append(request)
        return PASSPHRASE

    # A command: nothing new to read, so no key is needed until it writes.
    b = Journal.open(b.folder, home=b.store.home, passphrase=source)
    assert asked == [] and b.store.needs_passphrase
    b.add("topic", {"title": "Sam writes"})
    assert [(r.journal, r.new, r.attempt) for r in asked] == [(b.journal_id, False, 1)]
    b.close()
    # The app (holding the lock): asked when it opens, before it takes over the terminal.
    asked.clear()
    b = Journal.open(b.folder, home=b.store.home, passphrase=source, hold_lock=True)
    assert len(asked) == 1 and not b.store.needs_passphrase
    a.add("topic", {"title": "Alex writes"})
    deliver(a, b)
    b.refresh()
    b.add("topic", {"title": "Sam answers"})
    assert len(asked) == 1 and "Alex writes" in titles(b)
    b.close()


# -- wrong passphrase ---------------------------------------------------------------------


def test_joining_with_a_wrong_passphrase_changes_nothing(tmp_path: Path) -> None:
    a = Journal.init(
        tmp_path / "shared-a",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 1, 5),
        home=Home(tmp_path / "home-a"),
        encrypt=True,
        passphrase=PASSPHRASE,
    )
    a.add("topic", {"title": MARKERS[0]})
    copy_tree(a.folder, tmp_path / "shared-b")
    before = snapshot(tmp_path / "shared-b")
    home_b = Home(tmp_path / "home-b")
    with pytest.raises(WrongPassphrase, match=r"Wrong passphrase.*Nothing was changed"):
        Journal.join(tmp_path / "shared-b", me="Sam", home=home_b, passphrase="not our secret")
    with pytest.raises(UserError, match="encrypted; joining it needs its passphrase"):
        Journal.join(tmp_path / "shared-b", me="Sam", home=home_b, passphrase=no_passphrase)
    assert snapshot(tmp_path / "shared-b") == before
    assert home_b.memberships() == []
    assert not (tmp_path / "home-b" / "journals" / a.journal_id).exists()
    b = Journal.join(tmp_path / "shared-b", me="Sam", home=home_b, passphrase=PASSPHRASE)
    assert MARKERS[0] in titles(b)
    a.close()
    b.close()


def test_opening_with_a_wrong_passphrase_changes_nothing(pair: tuple[Journal, Journal]) -> None:
    a, b = pair
    a.add("topic", {"title": "new from Alex"})
    deliver(a, b)
    b.close()
    before = snapshot(b.folder, b.store.local)
    with pytest.raises(WrongPassphrase, match="Wrong passphrase"):
        Journal.open(b.folder, home=b.store.home, passphrase="not our secret", hold_lock=True)
    assert snapshot(b.folder, b.store.local) == before
    # The lock it took is released: the right passphrase opens it for writing.
    b = Journal.open(b.folder, home=b.store.home, passphrase=PASSPHRASE, hold_lock=True)
    assert "new from Alex" in titles(b)
    assert b.store.read_only_reasons == []
    b.add("topic", {"title": "Sam again"})
    b.close()


def test_a_wrong_passphrase_at_the_first_write_writes_nothing(
    pair: tuple[Journal, Journal],
) -> None:
    """Nothing new to read needs no key; the first write asks, and a wrong one stops it."""
    _a, b = pair
    b.close()
    before = snapshot(b.folder, b.store.local)
    b = Journal.open(b.folder, home=b.store.home, passphrase="not our secret")
    with pytest.raises(WrongPassphrase):
        b.add("topic", {"title": "never written"})
    with pytest.raises(ReadOnlyError, match="encrypted"):  # and not asked again
        b.add("topic", {"title": "never written either"})
    b.close()
    assert snapshot(b.folder, b.store.local) == before


# -- damage and tampering ---------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(lambda raw: 3, id="magic"),
        pytest.param(lambda raw: len(ENCRYPTED_MAGIC) + 2, id="cost"),
        pytest.param(lambda raw: len(ENCRYPTED_MAGIC) + 10, id="salt"),
        pytest.param(lambda raw: len(ENCRYPTED_MAGIC) + 30, id="check"),
        pytest.param(lambda raw: len(ENCRYPTED_MAGIC) + 42, id="journal-id"),
        pytest.param(lambda raw: len(raw) // 2, id="ciphertext"),
        pytest.param(lambda raw: len(raw) - 1, id="tag"),
    ],
)
def test_a_tampered_byte_is_reported_like_a_damaged_file(
    pair: tuple[Journal, Journal], where: Callable[[bytes], int]
) -> None:
    a, b = pair
    a.add("topic", {"title": "Alex's first"})
    deliver(a, b)
    b.refresh()
    a.add("topic", {"title": "Alex's second"})
    [source] = own_files(a)
    raw = bytearray(source.read_bytes())
    raw[where(bytes(raw))] ^= 0x20
    target = b.folder / "devices" / a.device_id / source.name
    place(target, bytes(raw))
    b = reopen(b)  # a new process: the key comes from Sam's own files, not the altered one
    for journal in (b, reopen(b)):
        found = problems_about(journal, target)
        assert found, [str(p) for p in journal.store.problems]
        assert any(p.needs_user for p in journal.store.problems)
        assert "Alex's first" in titles(journal)  # the last good state
        assert "Alex's second" not in titles(journal)
        assert journal.store.read_only_reasons == []
        b = journal
    b.add("topic", {"title": "Sam goes on"})  # still usable
    assert target.read_bytes() == bytes(raw)  # a partner's file is never rewritten
    b.close()


def test_truncated_encrypted_file_is_reported(pair: tuple[Journal, Journal]) -> None:
    a, b = pair
    a.add("topic", {"title": "cut short"})
    [source] = own_files(a)
    target = b.folder / "devices" / a.device_id / source.name
    place(target, source.read_bytes()[:-40])
    b.refresh()
    found = " ".join(problems_about(b, target))
    assert "damaged or altered" in found and "last good copy" in found


def test_own_damaged_file_is_written_again_encrypted(pair: tuple[Journal, Journal]) -> None:
    a, _b = pair
    a.add("topic", {"title": MARKERS[0]})
    [own] = own_files(a)
    raw = bytearray(own.read_bytes())
    raw[-5] ^= 1
    own.write_bytes(bytes(raw))
    a.refresh()
    assert is_encrypted(own) and own.read_bytes() != bytes(raw)
    assert MARKERS[0].encode() not in own.read_bytes()
    assert not [p for p in a.store.problems if p.needs_user]


def test_an_encrypted_file_of_another_journal_is_left_alone(
    pair: tuple[Journal, Journal], tmp_path: Path
) -> None:
    a, _b = pair
    other = Journal.init(
        tmp_path / "other",
        me="Kim",
        role=Role.MENTOR,
        partner="Lou",
        start=dt.date(2026, 1, 5),
        home=Home(tmp_path / "home-c"),
        encrypt=True,
        passphrase=PASSPHRASE,
    )
    [foreign] = own_files(other)
    other.close()
    target = a.folder / "devices" / other.device_id / foreign.name
    place(target, foreign.read_bytes())
    a.refresh()
    assert "another journal" in " ".join(problems_about(a, target))
    assert "Kim" not in {d.person for d in a.devices()}


# -- no passphrase --------------------------------------------------------------------------


def test_without_the_passphrase_it_is_read_only_and_nothing_is_overwritten(
    pair: tuple[Journal, Journal],
) -> None:
    a, b = pair
    b.add("topic", {"title": "Sam's own"})
    a.add("topic", {"title": "arrives later"})
    deliver(a, b)
    b.close()
    before = snapshot(b.folder, b.store.local)
    b = Journal.open(b.folder, home=b.store.home, passphrase=no_passphrase)
    target = b.folder / "devices" / a.device_id / own_files(a)[-1].name
    assert "opened without its passphrase" in " ".join(problems_about(b, target))
    assert "encrypted" in " ".join(b.store.read_only_reasons)
    assert b.store.locked
    assert "Sam's own" in titles(b) and "arrives later" not in titles(b)
    with pytest.raises(ReadOnlyError, match="encrypted"):
        b.add("topic", {"title": "refused"})
    b.close()
    assert snapshot(b.folder, b.store.local) == before
    # The app's way: open without, then give the passphrase (after a wrong try).
    b = Journal.open(b.folder, home=b.store.home, passphrase=no_passphrase, hold_lock=True)
    assert b.store.needs_passphrase
    with pytest.raises(WrongPassphrase):
        b.store.unlock("not our secret")
    assert b.store.locked
    b.store.unlock(PASSPHRASE)
    assert not b.store.needs_passphrase and not b.store.locked
    assert "arrives later" in titles(b)
    assert b.store.read_only_reasons == [] and problems_about(b, target) == []
    b.add("topic", {"title": "now writable"})
    b.close()


# -- converting a journal --------------------------------------------------------------------


def test_converting_survives_an_interruption_and_a_second_run_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(dt.date(2026, 1, 5))
    a, b = start_pair(tmp_path, encrypt=False, clock=clock)
    for month, marker in zip((1, 2, 3, 4), (*MARKERS, "fourth month"), strict=True):
        clock.set_day(dt.date(2026, month, 10))
        a.add("topic", {"title": marker})
    b.add("topic", {"title": "Sam's plain topic"})
    everything = titles(a)
    assert len(own_files(a)) == 4
    deliver(a, b)

    # The disk is full from the third write into the shared folder on. The writes: April
    # (with the record that the journal is encrypted), then January, February, March;
    # the files that failed are tried once more before the command gives up.
    writes = fail_on_write(a.folder, 3, monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        encrypt_journal(a, PASSPHRASE)
    monkeypatch.undo()
    assert len(writes) >= 3
    states = {p.name: is_encrypted(p) for p in own_files(a)}
    assert sorted(states) == ["2026-01.json", "2026-02.json", "2026-03.json", "2026-04.json"]
    assert sorted(states.values()) == [False, False, True, True]  # half done, all readable
    a.close()

    # Readable during: this device, read-only, and the partner's device.
    a = Journal.open(a.folder, home=a.store.home, write=False, passphrase=PASSPHRASE)
    assert titles(a) >= everything
    assert states == {p.name: is_encrypted(p) for p in own_files(a)}  # reading wrote nothing
    a.close()
    deliver(a, b)
    b = reopen(b)
    assert titles(b) >= everything | {"Sam's plain topic"}

    # A second `rmpair encrypt` finishes the job.
    env = {
        "RMPAIR_HOME": str(tmp_path / "home-a"),
        "RMPAIR_JOURNAL": str(a.folder),
        "RMPAIR_PASSPHRASE": PASSPHRASE,
    }
    result = CliRunner().invoke(_app(), ["encrypt"], env=env)
    assert result.exit_code == 0, result.output
    assert "2 of this device's files were encrypted" in result.output
    assert all(is_encrypted(p) for p in own_files(a))
    for marker in (*MARKERS, "Alex"):
        assert marker.encode() not in every_byte(a.folder / "devices" / a.device_id)
    a = Journal.open(a.folder, home=a.store.home, passphrase=PASSPHRASE)
    assert titles(a) >= everything
    [mine] = [d for d in encryption_report(a)["devices"] if d["this_device"]]
    assert mine["plain_files"] == [] and mine["encrypted_files"] == 4
    a.close()
    b.close()


def test_the_partner_converts_its_own_files_on_next_open(tmp_path: Path) -> None:
    a, b = start_pair(tmp_path, encrypt=False)
    b.add("topic", {"title": MARKERS[0]})
    deliver(b, a)
    a.refresh()
    assert not a.store.needs_passphrase and not b.store.needs_passphrase
    assert encrypt_journal(a, PASSPHRASE) == 1
    assert all(is_encrypted(p) for p in own_files(a))
    assert not any(is_encrypted(p) for p in own_files(b))  # Sam's device has not opened it
    report = encryption_report(a)
    assert report["encrypted"] and not report["complete"]
    [sams] = [d for d in report["devices"] if d["device"] == b.device_id]
    assert sams["plain_files"] and not sams["this_device"]

    deliver(a, b)
    b.close()
    # Without the passphrase nothing happens to Sam's files ...
    before = snapshot(b.folder)
    locked = Journal.open(b.folder, home=b.store.home, passphrase=no_passphrase)
    assert locked.store.locked
    locked.close()
    assert snapshot(b.folder) == before
    # ... with it, Sam's device encrypts its own files.
    b = Journal.open(b.folder, home=b.store.home, passphrase=PASSPHRASE)
    assert all(is_encrypted(p) for p in own_files(b))
    notices = [p for p in b.store.problems if "encrypted, as the journal now is" in p.message]
    assert notices and not any(p.needs_user for p in b.store.problems)
    done = snapshot(b.folder, b.store.replica_dir)
    encrypt_journal(b)  # `rmpair encrypt` on Sam's device now: nothing left to do
    assert snapshot(b.folder, b.store.replica_dir) == done
    assert MARKERS[0].encode() not in every_byte(b.folder)
    deliver(b, a)
    a.refresh()
    assert MARKERS[0] in titles(a)
    assert encryption_report(a)["complete"] and encryption_report(b)["complete"]
    a.close()
    b.close()


def test_devices_that_converted_at_the_same_time_read_each_other(tmp_path: Path) -> None:
    a, b = start_pair(tmp_path, encrypt=False)
    encrypt_journal(a, PASSPHRASE)
    encrypt_journal(b, PASSPHRASE)  # before any sync: a second salt
    a.add("topic", {"title": "Alex's"})
    b.add("topic", {"title": "Sam's"})
    salt_a = crypto.read_header(own_files(a)[0])
    salt_b = crypto.read_header(own_files(b)[0])
    assert salt_a is not None and salt_b is not None and salt_a.salt != salt_b.salt
    deliver(a, b)
    deliver(b, a)
    a.refresh()
    b.refresh()
    assert titles(a) == titles(b) == {"Alex's", "Sam's"}
    for journal in (a, b):
        assert not [p for p in journal.store.problems if p.needs_user]
    a = reopen(a)
    assert titles(a) == {"Alex's", "Sam's"}
    a.add("topic", {"title": "later"})
    header = crypto.read_header(own_files(a)[0])
    assert header is not None and header.salt == salt_a.salt  # keeps its own salt
    a.close()
    b.close()


def test_a_plain_journal_never_loads_the_crypto_libraries(tmp_path: Path) -> None:
    script = f"""
import datetime as dt, sys
from pathlib import Path
from rmpair.store.home import Home
from rmpair.journal import Journal
from rmpair.model.records import Role
tmp = Path({str(tmp_path)!r})
j = Journal.init(tmp / "j", me="A", role=Role.MENTOR, partner="B",
                 start=dt.date(2026, 1, 5), home=Home(tmp / "h"))
j.add("topic", {{"title": "plain"}})
j.close()
j = Journal.open(tmp / "j", home=Home(tmp / "h"))
j.add("topic", {{"title": "plain again"}})
j.close()
print(sorted(m for m in sys.modules if m.split(".")[0] in ("cryptography", "keyring")
             or m == "rmpair.store.crypto"))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout


# -- the command line ---------------------------------------------------------------------


def _app() -> object:
    from rmpair.cli.app import app

    return app


def test_cli_without_passphrase_or_terminal_says_what_to_do(tmp_path: Path) -> None:
    a = Journal.init(
        tmp_path / "shared",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 1, 5),
        home=Home(tmp_path / "home-a"),
        encrypt=True,
        passphrase=PASSPHRASE,
    )
    a.close()
    runner = CliRunner()
    env = {"RMPAIR_HOME": str(tmp_path / "home-b")}
    join = ["join", str(a.folder), "--me", "Sam"]
    result = runner.invoke(_app(), join, env=env)
    assert result.exit_code == 2
    assert (
        "This journal is encrypted; set RMPAIR_PASSPHRASE or run rmpair in a terminal"
        in result.output
    )
    assert "Traceback" not in result.output
    result = runner.invoke(_app(), join, env={**env, "RMPAIR_PASSPHRASE": "not our secret"})
    assert result.exit_code == 2 and "is not this journal's passphrase" in result.output
    result = runner.invoke(_app(), join, env={**env, "RMPAIR_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0, result.output
    assert "Joined as Sam" in result.output


def test_cli_init_encrypt_and_status(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"RMPAIR_HOME": str(tmp_path / "home"), "RMPAIR_JOURNAL": str(tmp_path / "j")}
    init = ["init", str(tmp_path / "j"), "--me", "Alex", "--role", "mentee", "--partner", "Sam"]
    result = runner.invoke(_app(), [*init, "--encrypt"], env=env)
    assert result.exit_code == 2
    assert "Encrypting needs a passphrase" in result.output
    assert not (tmp_path / "j").exists() and not (tmp_path / "home" / "journals").exists()
    result = runner.invoke(_app(), [*init, "--encrypt"], env={**env, "RMPAIR_PASSPHRASE": "short"})
    assert result.exit_code == 2 and "at least 8 characters" in result.output
    result = runner.invoke(
        _app(), [*init, "--encrypt"], env={**env, "RMPAIR_PASSPHRASE": PASSPHRASE}
    )
    assert result.exit_code == 0, result.output
    assert "The journal is encrypted" in result.output
    assert "does not store it" in result.output  # taken from RMPAIR_PASSPHRASE
    files = list((tmp_path / "j" / "devices").rglob("*.json"))
    assert files and all(is_encrypted(p) for p in files)
    assert b"Alex" not in every_byte(tmp_path / "j")

    result = runner.invoke(_app(), ["encrypt", "--status", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"encrypted", "complete", "unlocked", "kdf", "cipher", "devices"}
    assert report["encrypted"] and report["complete"] and not report["unlocked"]
    assert report["kdf"] == {"name": "scrypt", "n": 2**15, "r": 8, "p": 3}
    assert report["cipher"] == "AES-256-GCM"
    [device] = report["devices"]
    assert set(device) == {
        "device",
        "person",
        "role",
        "label",
        "this_device",
        "encrypted_files",
        "plain_files",
    }
    assert device["person"] == "Alex" and device["this_device"]
    assert device["encrypted_files"] == 1 and device["plain_files"] == []

    result = runner.invoke(_app(), ["encrypt", "--status"], env=env)
    assert result.exit_code == 0
    assert "This journal is encrypted." in result.output
    assert "scrypt (N=32768, r=8, p=3); cipher: AES-256-GCM" in result.output
    result = runner.invoke(_app(), ["encrypt"], env={**env, "RMPAIR_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0
    assert "nothing was left to encrypt" in result.output
    result = runner.invoke(_app(), ["encrypt"], env={**env, "RMPAIR_PASSPHRASE": "not ours!"})
    assert result.exit_code == 2 and "is not this journal's passphrase" in result.output


def test_cli_encrypt_status_of_a_plain_journal(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"RMPAIR_HOME": str(tmp_path / "home"), "RMPAIR_JOURNAL": str(tmp_path / "j")}
    init = ["init", str(tmp_path / "j"), "--me", "Alex", "--role", "mentee", "--partner", "Sam"]
    assert runner.invoke(_app(), init, env=env).exit_code == 0
    result = runner.invoke(_app(), ["encrypt", "--status", "--json"], env=env)
    report = json.loads(result.output)
    assert not report["encrypted"] and not report["complete"]
    assert report["kdf"] is None and report["cipher"] is None
    assert len(report["devices"][0]["plain_files"]) == 1
    result = runner.invoke(_app(), ["encrypt", "--status"], env=env)
    assert "This journal is not encrypted" in result.output
    assert "Alex on" in result.output and "1 file, not encrypted" in result.output


# -- a real terminal and keyring -------------------------------------------------------------

TERMINAL_SCRIPT = """
import json, sys
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)

    def _load(self):
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service, username):
        return self._load().get(service + "/" + username)

    def set_password(self, service, username, password):
        data = self._load()
        data[service + "/" + username] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service, username):
        pass


keyring.set_keyring(FileKeyring(sys.argv[1]))
from rmpair.cli import app as cli

cli.register("encrypt", "crypto", "")
sys.argv = ["rmpair", *sys.argv[2:]]
cli.main()
"""


def run_in_terminal(args: list[str], env: dict[str, str], answers: list[str]) -> tuple[int, str]:
    """Run rmpair with a pseudo-terminal as its terminal, typing ``answers`` at prompts."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execve(sys.executable, [sys.executable, "-c", TERMINAL_SCRIPT, *args], env)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _w, _x = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            # Click prints "Prompt:", then getpass switches echo off (dropping anything
            # typed so far) and prints " ": only then is it time to type.
            if pending and output.endswith(b": "):
                os.write(fd, pending.pop(0).encode() + b"\n")
        else:
            os.kill(pid, 9)
    finally:
        os.close(fd)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_passphrase_is_typed_once_per_device_and_kept_in_its_keyring(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "shared"
    base = {k: v for k, v in os.environ.items() if not k.startswith("RMPAIR_")}
    base.update(NO_COLOR="1", TERM="dumb")
    alex = {**base, "RMPAIR_HOME": str(tmp_path / "home-a")}
    sam = {**base, "RMPAIR_HOME": str(tmp_path / "home-b")}
    keys_a, keys_b = tmp_path / "keyring-a.json", tmp_path / "keyring-b.json"

    init = ["init", str(folder), "--me", "Alex", "--role", "mentee", "--partner", "Sam"]
    code, out = run_in_terminal(
        [str(keys_a), *init, "--encrypt"], alex, ["short", "short", PASSPHRASE, PASSPHRASE]
    )
    assert code == 0, out
    assert "at least 8 characters" in out and "kept in this computer's keyring" in out
    assert PASSPHRASE not in out  # typed, never shown
    alex_journal = Journal.open(folder, home=Home(tmp_path / "home-a"), passphrase=PASSPHRASE)
    journal_id = alex_journal.journal_id
    alex_journal.close()
    assert json.loads(keys_a.read_text()) == {f"rmpair/{journal_id}": PASSPHRASE}

    code, out = run_in_terminal(
        [str(keys_b), "join", str(folder), "--me", "Sam"], sam, ["wrong passphrase", PASSPHRASE]
    )
    assert code == 0, out
    assert "does not open this journal; try again" in out and "Joined as Sam" in out
    assert json.loads(keys_b.read_text()) == {f"rmpair/{journal_id}": PASSPHRASE}

    # Alex writes something new; Sam's next command needs the key and asks nobody.
    alex_journal = Journal.open(folder, home=Home(tmp_path / "home-a"), passphrase=PASSPHRASE)
    alex_journal.add("topic", {"title": "new"})
    alex_journal.close()
    command = [sys.executable, "-c", TERMINAL_SCRIPT]
    done = subprocess.run(
        [*command, str(keys_b), "status", "--json"],
        env=sam,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["topic"] == 1
    # Another device without the keyring entry and without a terminal is told what to do.
    shutil.rmtree(tmp_path / "home-b")
    done = subprocess.run(
        [*command, str(tmp_path / "empty-keyring.json"), "join", str(folder), "--me", "Sam"],
        env=sam,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "set RMPAIR_PASSPHRASE or run rmpair in a terminal" in done.stderr


# -- the app's start -------------------------------------------------------------------


def test_the_app_opens_an_encrypted_journal_asking_once_before_it_starts(
    pair: tuple[Journal, Journal],
) -> None:
    """The app opens a journal lazily, as a command does; an encrypted one is opened as
    before, everything read and the passphrase asked once, before the app starts."""
    from rmpair.screens.opening import open_for_app

    a, b = pair
    a.add("topic", {"title": "Alex writes"})
    deliver(a, b)  # something new to read, which needs the key
    folder, home = b.folder, b.store.home
    b.close()
    asked: list[crypto.PassphraseRequest] = []

    def source(request: crypto.PassphraseRequest) -> str:
        asked.append(request)
        return PASSPHRASE

    b = open_for_app(folder, home, b.clock, passphrase=source)
    assert len(asked) == 1 and not b.store.needs_passphrase and not b.store.locked
    assert "Alex writes" in titles(b)
    b.add("topic", {"title": "Sam answers"})
    assert len(asked) == 1
    b.close()


def test_the_app_opens_a_plain_journal_without_asking(tmp_path: Path) -> None:
    from rmpair.screens.opening import open_for_app

    a, b = start_pair(tmp_path, encrypt=False)
    a.close()
    folder, home, clock = b.folder, b.store.home, b.clock
    b.close()

    def source(request: crypto.PassphraseRequest) -> str:
        raise AssertionError("asked for a passphrase")

    b = open_for_app(folder, home, clock, passphrase=source)
    b.add("topic", {"title": "Sam writes"})
    assert "Sam writes" in titles(b)
    b.close()
