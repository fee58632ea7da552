"""Two real Syncthing instances move a journal between two rmpair devices on one machine.

The sync design (each device writes only its own files; the journal is the merge of
all of them) is only proven when a real sync engine moves the files, with its own
timing, temporary files and conflict copies. Both instances listen on 127.0.0.1 only,
with discovery, relays, NAT traversal, usage and crash reporting and upgrades off, so
the test makes no network traffic beyond loopback.

Scenario: Alex (mentee, device A) starts the journal, Syncthing delivers it, Sam
(mentor, device B) joins; both edit while connected; B goes offline (the devices are
paused on both sides); both edit the same field and different fields and records, and
Sam restores an old backup of Alex's file (so Syncthing makes a real conflict copy);
B comes back. Afterwards both devices must show the same journal, the concurrent edit
must be a conflict on both, and no conflict copy may remain unexplained.

Every wait polls with a bound; the whole test stays well under three minutes.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from clocks import rmpair_command
from pairs import log_files

from rmpair.journal import Journal
from rmpair.store.home import Home
from rmpair.store.syncfiles import FileRole, classify

pytestmark = pytest.mark.e2e

T = TypeVar("T")
FOLDER_ID = "rmpair-journal"
SYNC_TIMEOUT_S = 45.0  # one sync round; normally takes about a second
CONFLICT_MARK = ".sync-conflict-"


def _syncthing() -> str:
    """The syncthing binary, or fail (in CI) / skip (elsewhere) when it is missing."""
    found = shutil.which("syncthing")
    if found is None:
        message = "syncthing is not installed (Debian: apt-get install -y syncthing)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(what: str, check: Callable[[], T | None], timeout: float = SYNC_TIMEOUT_S) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = check()
            if value:
                return value
        except (OSError, ValueError, KeyError) as exc:  # a service still starting up
            last_error = exc
        if time.monotonic() > end:
            extra = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{extra}")
        time.sleep(0.1)


# A proxy from the environment must never carry loopback traffic elsewhere.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


class Syncthing:
    """One Syncthing instance with its own home, GUI/REST port and sync port."""

    def __init__(self, binary: str, name: str, root: Path, folder: Path) -> None:
        self.binary = binary
        self.name = name
        self.home = root / f"syncthing-{name}"
        self.folder = folder
        self.gui_port = _free_port()
        self.sync_port = _free_port()
        self.api_key = f"rmpair-e2e-{name}-{os.urandom(8).hex()}"
        self.proc: subprocess.Popen[bytes] | None = None
        subprocess.run(
            [binary, "generate", f"--home={self.home}", "--no-default-folder"],
            check=True,
            capture_output=True,
            timeout=30,
            env=self._env(),
        )
        self.tree = ET.parse(self.home / "config.xml")
        own = self.tree.getroot().find("device")
        assert own is not None, "syncthing generate wrote no device"
        self.device_id = own.attrib["id"]

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARS}
        env.update(HOME=str(self.home), STNOUPGRADE="1", STNODEFAULTFOLDER="1")
        return env

    def configure(self, peer: Syncthing) -> None:
        """Loopback only, nothing announced or reported, one folder shared with ``peer``."""
        root = self.tree.getroot()
        options = root.find("options")
        assert options is not None
        settings = {
            "listenAddress": f"tcp://127.0.0.1:{self.sync_port}",
            "globalAnnounceEnabled": "false",
            "localAnnounceEnabled": "false",
            "relaysEnabled": "false",
            "natEnabled": "false",
            "urAccepted": "-1",
            "autoUpgradeIntervalH": "0",
            "crashReportingEnabled": "false",
            "startBrowser": "false",
            "announceLANAddresses": "false",
            "stunKeepaliveStartS": "0",
            "stunKeepaliveMinS": "0",
            "reconnectionIntervalS": "1",
            "minHomeDiskFree": "0",
        }
        for tag, value in settings.items():
            element = options.find(tag)
            if element is None:
                element = ET.SubElement(options, tag)
            element.text = value
        gui = root.find("gui")
        assert gui is not None
        gui.set("tls", "false")
        for tag, value in (("address", f"127.0.0.1:{self.gui_port}"), ("apikey", self.api_key)):
            element = gui.find(tag)
            if element is None:
                element = ET.SubElement(gui, tag)
            element.text = value
        # Start from Syncthing's own defaults so every field has a sane value.
        device = copy.deepcopy(root.find("defaults/device"))
        assert device is not None
        device.set("id", peer.device_id)
        device.set("name", peer.name)
        address = device.find("address")
        assert address is not None
        address.text = f"tcp://127.0.0.1:{peer.sync_port}"
        root.insert(1, device)
        folder = copy.deepcopy(root.find("defaults/folder"))
        assert folder is not None
        folder.set("id", FOLDER_ID)
        folder.set("label", "rmpair journal")
        folder.set("path", str(self.folder))
        folder.set("fsWatcherEnabled", "true")
        folder.set("fsWatcherDelayS", "1")
        folder.set("rescanIntervalS", "5")
        member = folder.find("device")
        assert member is not None
        peer_member = copy.deepcopy(member)
        peer_member.set("id", peer.device_id)
        folder.insert(list(folder).index(member) + 1, peer_member)
        min_free = folder.find("minDiskFree")
        if min_free is not None:
            min_free.text = "0"
        root.insert(0, folder)
        self.tree.write(self.home / "config.xml")

    def start(self) -> None:
        log = open(self.home / "syncthing.log", "wb")  # noqa: SIM115 - lives as long as the process
        try:
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    "serve",
                    f"--home={self.home}",
                    "--no-browser",
                    "--no-restart",
                    "--no-upgrade",
                    "--logflags=3",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env(),
            )
        finally:
            log.close()  # the child holds its own handle

    def api(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.gui_port}{path}",
            method=method,
            headers={"X-API-Key": self.api_key, "Content-Type": "application/json"},
            data=None if body is None else json.dumps(body).encode(),
        )
        with _NO_PROXY.open(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw.strip() else None

    def running(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"syncthing {self.name} exited:\n{self.log_tail()}")
        answer: object = self.api("GET", "/rest/system/ping")
        return answer == {"ping": "pong"}

    def connected(self, peer: Syncthing) -> bool:
        links = self.api("GET", "/rest/system/connections")["connections"]
        return bool(links.get(peer.device_id, {}).get("connected"))

    def scan(self) -> None:
        """Look at the folder now instead of waiting for the file watcher."""
        self.api("POST", f"/rest/db/scan?folder={FOLDER_ID}")

    def settled(self, peer: Syncthing) -> bool:
        """Idle, nothing left to pull, and the peer has everything this side has."""
        status = self.api("GET", f"/rest/db/status?folder={FOLDER_ID}")
        done = self.api("GET", f"/rest/db/completion?folder={FOLDER_ID}&device={peer.device_id}")
        return bool(
            status["state"] == "idle"
            and status["needTotalItems"] == 0
            and done["completion"] == 100
            and done["needItems"] == 0
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.home / "syncthing.log").read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Shut down over REST; kill the process if it does not go within a few seconds."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.api("POST", "/rest/system/shutdown")
            self.proc.wait(timeout=10)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(timeout=10)


# -- rmpair devices --------------------------------------------------------------------


class Device:
    """One rmpair installation: its own RMPAIR_HOME and its own copy of the shared folder."""

    def __init__(
        self, home: Path, folder: Path, syncthing: Syncthing, cwd: Path, passphrase: str | None
    ) -> None:
        self.passphrase = passphrase  # set: the journal is encrypted
        self.cwd = cwd  # where commands run, so a default output file lands in the test's folder
        self.home = home
        self.folder = folder
        self.syncthing = syncthing

    def rmpair(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "RMPAIR_HOME": str(self.home),
            "RMPAIR_JOURNAL": str(self.folder),
            "NO_COLOR": "1",
        }
        if self.passphrase:
            env.update(RMPAIR_PASSPHRASE=self.passphrase, RMPAIR_KEYRING="off")
        # At the suite's frozen time, like the edits this test makes in-process.
        done = subprocess.run(
            rmpair_command(*args),
            capture_output=True,
            text=True,
            env=env,
            cwd=self.cwd,
            timeout=60,
        )
        assert done.returncode in ok, (
            f"rmpair {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
        return done

    def json(self, *args: str, ok: tuple[int, ...] = (0,)) -> Any:
        return json.loads(self.rmpair(*args, "--json", ok=ok).stdout)

    def journal(self, *, write: bool = True) -> Journal:
        return Journal.open(
            self.folder, home=Home(self.home), write=write, passphrase=self.passphrase
        )

    def edit(self, change: Callable[[Journal], object]) -> None:
        """Change the journal through the facade, then let Syncthing see it at once."""
        with self.journal() as journal:
            change(journal)
        self.syncthing.scan()

    def id(self) -> str:
        return Home(self.home).device().id


def tree(folder: Path) -> dict[str, str]:
    """Every file Syncthing syncs in ``folder``, by relative path, with a content hash."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or rel.startswith((".stfolder", ".stversions")):
            continue
        if classify(path.name).role is FileRole.TEMPORARY:
            continue
        found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def conflict_copies(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob(f"*{CONFLICT_MARK}*"))


def merged_content(journal: Journal) -> dict[str, Any]:
    """Every live record's fields and every open conflict, as the merge computes them."""
    state = journal.store.state
    kinds = sorted({change["kind"] for change in state.changes.values()})
    records = {kind: dict(sorted(state.live(kind))) for kind in kinds}
    conflicts = sorted(
        (c.kind, c.rec, c.field, sorted(ch["id"] for ch in (c.winner, *c.others)))
        for c in journal.conflicts()
    )
    return {"records": records, "conflicts": conflicts}


def export_json(device: Device) -> str | None:
    """HOOK(export-json): the device's ``rmpair export json``, or None while it does not exist.

    Once the command exists its output is compared between the two devices as well:
    the same journal must export to the same bytes on either device.
    """
    try:
        from rmpair.commands import export
    except ImportError:
        return None
    commands = export.app.registered_commands
    if "json" not in {c.name or getattr(c.callback, "__name__", "") for c in commands}:
        return None
    return device.rmpair("export", "json", "--output", "-").stdout


# -- the test --------------------------------------------------------------------------


@pytest.fixture(params=["plaintext", "encrypted"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Device, Device]]:
    passphrase = "a pair's own passphrase, never on disk" if request.param == "encrypted" else None
    binary = _syncthing()
    folder_a, folder_b = tmp_path / "alex" / "journal", tmp_path / "sam" / "journal"
    folder_a.mkdir(parents=True)
    folder_b.mkdir(parents=True)
    st_a = Syncthing(binary, "a", tmp_path, folder_a)
    st_b = Syncthing(binary, "b", tmp_path, folder_b)
    st_a.configure(st_b)
    st_b.configure(st_a)
    try:
        # One after the other: started together, both dial at the same moment and the
        # two crossing connections can cancel each other for several rounds.
        for st in (st_a, st_b):
            st.start()
            wait_for(f"syncthing {st.name} to answer", st.running, timeout=30)
        yield (
            Device(tmp_path / "home-alex", folder_a, st_a, tmp_path, passphrase),
            Device(tmp_path / "home-sam", folder_b, st_b, tmp_path, passphrase),
        )
        outcome = getattr(request.node, "rep_call", None)  # set in tests/e2e/conftest.py
        failed = outcome is None or outcome.failed
    except BaseException:
        failed = True
        raise
    finally:
        if failed:
            for st in (st_a, st_b):
                sys.stderr.write(f"--- syncthing {st.name} log ---\n{st.log_tail()}\n")
        st_a.stop()
        st_b.stop()


def assert_loopback_only(st: Syncthing) -> None:
    """The running configuration, not just the file we wrote, keeps traffic on loopback."""
    options = st.api("GET", "/rest/config/options")
    assert options["listenAddresses"] == [f"tcp://127.0.0.1:{st.sync_port}"]
    for key in ("globalAnnounceEnabled", "localAnnounceEnabled", "relaysEnabled", "natEnabled"):
        assert options[key] is False, key
    assert options["urAccepted"] == -1
    assert options["autoUpgradeIntervalH"] == 0
    assert options["crashReportingEnabled"] is False
    listeners = st.api("GET", "/rest/system/status")["connectionServiceStatus"]
    assert list(listeners) == [f"tcp://127.0.0.1:{st.sync_port}"]
    devices = st.api("GET", "/rest/config/devices")
    addresses = {a for d in devices for a in d["addresses"] if a != "dynamic"}
    assert all(a.startswith("tcp://127.0.0.1:") for a in addresses), addresses


def wait_in_sync(a: Device, b: Device, what: str) -> dict[str, str]:
    """Both folders hold the same files and both instances say they are done."""

    def check() -> dict[str, str] | None:
        files_a, files_b = tree(a.folder), tree(b.folder)
        if not files_a or files_a != files_b:
            return None
        if not (a.syncthing.settled(b.syncthing) and b.syncthing.settled(a.syncthing)):
            return None
        return files_a if tree(a.folder) == files_a else None

    return wait_for(f"both folders in sync ({what})", check)


def test_two_syncthings_carry_a_journal_between_two_devices(pair: tuple[Device, Device]) -> None:
    started = time.monotonic()
    alex, sam = pair
    st_a, st_b = alex.syncthing, sam.syncthing
    for st in (st_a, st_b):
        assert_loopback_only(st)
    wait_for("the two instances to connect", lambda: st_a.connected(st_b))

    # Alex starts the journal; Sam joins once Syncthing has delivered it.
    today = dt.date.today()
    alex.rmpair(
        "init",
        str(alex.folder),
        "--me",
        "Alex",
        "--role",
        "mentee",
        "--partner",
        "Sam",
        "--start",
        today.isoformat(),
        "--tz",
        "Europe/Berlin",
        *(["--encrypt"] if alex.passphrase else []),
    )
    st_a.scan()
    alex_files = wait_in_sync(alex, sam, "the new journal")
    assert any(rel.startswith(f"devices/{alex.id()}/") for rel in alex_files)
    sam.rmpair("join", str(sam.folder), "--me", "Sam")
    st_b.scan()
    wait_in_sync(alex, sam, "Sam's device registration")

    # Both edit while connected.
    ids: dict[str, str] = {}
    alex.edit(lambda j: ids.update(t1=j.add("topic", {"title": "How do you use AI at work?"})))
    sam.edit(lambda j: ids.update(t2=j.add("topic", {"title": "What juniors want from a lead"})))
    wait_in_sync(alex, sam, "the first topics")
    for device in (alex, sam):
        with device.journal(write=False) as journal:
            titles = {f.get("title") for _id, f in journal.store.state.live("topic")}
        assert titles == {"How do you use AI at work?", "What juniors want from a lead"}
    alex_file = log_files(alex.folder / "devices" / alex.id())[-1]
    backup = alex_file.read_bytes()  # Sam's backup of the shared folder, taken now

    # Sam's laptop goes offline: Sam's Syncthing pauses Alex's device (and so refuses
    # Alex's calls); when it resumes it calls Alex at once.
    st_b.api("POST", f"/rest/system/pause?device={st_a.device_id}")
    wait_for("the link to drop", lambda: not st_a.connected(st_b) and not st_b.connected(st_a))

    # The same field on both sides, and different fields and records.
    alex.edit(lambda j: j.update("tandem", "tandem", {"location": "Alex's office, room 4.12"}))
    sam.edit(lambda j: j.update("tandem", "tandem", {"location": "Video call"}))
    alex.edit(lambda j: j.update("tandem", "tandem", {"session_minutes": 90}))
    alex.edit(lambda j: ids.update(t3=j.add("topic", {"title": "Onboarding seen from day one"})))
    sam.edit(lambda j: j.update("topic", ids["t1"], {"question": "Which assistant, for what?"}))
    sam.edit(
        lambda j: ids.update(
            a1=j.add("action_item", {"text": "Send Alex the prompt examples", "owner": "mentor"})
        )
    )
    # Sam restores last week's backup of the shared folder: Alex's file goes back in
    # time on Sam's side while Alex's own copy moved on, so Syncthing sees two
    # concurrent versions and keeps one of them as a conflict copy.
    same_month = alex_file.exists() and alex_file.name == f"{dt.datetime.now(dt.UTC):%Y-%m}.json"
    restored = sam.folder / alex_file.relative_to(alex.folder)
    restored.write_bytes(backup)
    st_b.scan()
    wait_for(
        "both instances to notice the offline edits",
        lambda: all(
            st.api("GET", f"/rest/db/status?folder={FOLDER_ID}")["state"] == "idle"
            for st in (st_a, st_b)
        ),
    )

    assert not st_a.connected(st_b) and not st_b.connected(st_a), "B was not offline"
    assert restored.read_bytes() == backup, "Alex's offline edits reached Sam's folder"

    # Sam's laptop comes back.
    st_b.api("POST", f"/rest/system/resume?device={st_a.device_id}")
    wait_for("the link to come back", lambda: st_a.connected(st_b) and st_b.connected(st_a))
    wait_in_sync(alex, sam, "after reconnecting")
    if same_month:
        assert conflict_copies(alex.folder), "Syncthing made no conflict copy of Alex's file"

    # Before Alex's rmpair has run, Sam's doctor explains Alex's conflict copy.
    copies = conflict_copies(sam.folder)
    report = sam.json("doctor")
    listed = {f["file"] for f in report["findings"] if f["code"] == "conflict-copy-partner"}
    for rel in copies:
        assert rel.startswith(f"devices/{alex.id()}/"), rel
        assert rel in listed, (rel, report)

    # Alex's rmpair folds its own conflict copy and writes its file again.
    report = alex.json("doctor")
    folded = {f["file"] for f in report["findings"] if f["code"] == "conflict-copy-folded"}
    assert set(copies) <= folded, (copies, report)
    st_a.scan()
    wait_in_sync(alex, sam, "after Alex's rmpair tidied up")

    # Both devices read until neither finds anything new, then compare.
    status_a, status_b = alex.json("status"), sam.json("status")
    status_a, status_b = alex.json("status"), sam.json("status")
    assert status_a == status_b
    assert status_a["problems"] == []
    [conflict] = status_a["conflicts"]
    assert (conflict["kind"], conflict["record"], conflict["field"]) == (
        "tandem",
        "tandem",
        "location",
    )
    values = {conflict["shown"]["value"], *(o["value"] for o in conflict["others"])}
    assert values == {"Alex's office, room 4.12", "Video call"}
    assert status_a["counts"]["topic"] == 3
    assert status_a["counts"]["action_item"] == 1
    assert status_a["tandem"]["session_minutes"] == 90
    assert {d["person"] for d in status_a["devices"]} == {"Alex", "Sam"}

    # Every record's fields, as each device merged them, are the same.
    with alex.journal(write=False) as ja, sam.journal(write=False) as jb:
        content_a, content_b = merged_content(ja), merged_content(jb)
    assert content_a == content_b
    topics = content_a["records"]["topic"]
    assert topics[ids["t1"]]["question"] == "Which assistant, for what?"
    assert topics[ids["t3"]]["title"] == "Onboarding seen from day one"
    assert content_a["records"]["action_item"][ids["a1"]]["text"] == "Send Alex the prompt examples"
    export_a, export_b = export_json(alex), export_json(sam)
    assert export_a == export_b
    if export_a is not None:
        assert "Video call" in export_a and "Send Alex the prompt examples" in export_a

    # No conflict copy is left unexplained: rmpair folded its own, and any still there
    # belongs to the other device and is listed by this device's doctor.
    for device, other in ((alex, sam), (sam, alex)):
        report = device.json("doctor")
        assert report["needs_user"] is False, report
        assert report["sync_tool"] == "Syncthing"
        listed = {f["file"] for f in report["findings"] if f["code"] == "conflict-copy-partner"}
        for rel in conflict_copies(device.folder):
            assert rel.startswith(f"devices/{other.id()}/") and rel in listed, (rel, report)
    assert conflict_copies(alex.folder) == conflict_copies(sam.folder) == []
    if alex.passphrase:
        # What the pair wrote travelled, but never readable by the sync tool or its cloud.
        for device in (alex, sam):
            for path in device.folder.rglob("*"):
                if path.is_file():
                    data = path.read_bytes()
                    for text in ("Video call", "Send Alex the prompt examples", "Alex"):
                        assert text.encode() not in data, (path, text)
    assert time.monotonic() - started < 150
