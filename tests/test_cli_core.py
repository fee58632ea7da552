"""The foundation's commands as a user runs them: init, join, status, demo.

Each test runs the real command line in a subprocess with its own device folder
(``RMPAIR_HOME``), so two "computers" are two environments over one journal folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from clocks import rmpair_command


class Device:
    """One computer: its own RMPAIR_HOME, running ``python -m rmpair``."""

    def __init__(self, home: Path) -> None:
        self.env = {**os.environ, "RMPAIR_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120"}
        self.env.pop("RMPAIR_JOURNAL", None)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            rmpair_command(*args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def status(self, *extra: str) -> dict:
        return json.loads(self.run(*extra, "status", "--json").stdout)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Device, Device, Path]:
    folder = tmp_path / "shared" / "mentoring"
    dana, sam = Device(tmp_path / "dana"), Device(tmp_path / "sam")
    dana.run(
        "init",
        str(folder),
        "--me",
        "Dana",
        "--role",
        "mentee",
        "--partner",
        "Sam",
        "--start",
        "2026-12-01",
        "--months",
        "6",
        "--cadence",
        "biweekly",
        "--length",
        "45",
        "--tz",
        "Europe/Berlin",
    )
    sam.run("join", str(folder), "--me", "sam")
    return dana, sam, folder


def test_init_and_join_make_one_tandem_seen_from_both_devices(
    pair: tuple[Device, Device, Path],
) -> None:
    dana, sam, _folder = pair
    for device in (dana, sam):
        status = device.status()
        tandem = status["tandem"]
        assert (tandem["mentor"], tandem["mentee"]) == ("Sam", "Dana")
        assert (tandem["start"], tandem["end"]) == ("2026-12-01", "2027-06-01")
        assert (tandem["cadence"], tandem["session_minutes"], tandem["tz"]) == (
            "biweekly",
            45,
            "Europe/Berlin",
        )
        assert sorted(d["person"] for d in status["devices"]) == ["Dana", "Sam"]
        assert all(d["last_change"] for d in status["devices"])
        assert status["conflicts"] == [] and status["problems"] == []
    # Both devices compute the same journal.
    assert dana.status() == sam.status()


def test_status_text_names_people_devices_and_health(pair: tuple[Device, Device, Path]) -> None:
    dana, _sam, folder = pair
    out = dana.run("status").stdout
    assert "Sam (mentor) and Dana (mentee)" in out
    assert f"Journal: {folder}" in out
    assert "You: Dana (mentee)" in out
    assert "Files: no problems found." in out and "Conflicts: none." in out


def test_quick_status_matches_a_full_read_and_never_goes_stale(
    pair: tuple[Device, Device, Path], tmp_path: Path
) -> None:
    from rmpair.journal import Journal
    from rmpair.store.home import Home

    dana, _sam, folder = pair
    cache = next((tmp_path / "dana" / "journals").glob("*/cache"))
    quick = dana.run("status").stdout  # answered from the cache head
    assert (cache / "head.bin").exists()
    shutil.rmtree(cache)
    full = dana.run("status").stdout  # no cache: the journal is read in full
    assert quick == full
    # The partner changes something; the very next status must show it.
    sam_journal = Journal.open(folder, home=Home(tmp_path / "sam"))
    sam_journal.update("tandem", "tandem", {"location": "Café Nord"})
    sam_journal.close()
    assert dana.status()["tandem"]["location"] == "Café Nord"
    # A file replaced by the sync tool with the same size keeps no stale answer either.
    own = next(p for p in (folder / "devices").rglob("*.json") if "sam" not in str(p))
    os.utime(own, ns=(1, 1))
    assert dana.status()["tandem"]["location"] == "Café Nord"


def test_status_sees_a_conflict_made_on_two_devices(pair: tuple[Device, Device, Path]) -> None:
    dana, sam, folder = pair
    from rmpair.journal import Journal
    from rmpair.store.home import Home

    # Both edit the tandem's location while the other's change has not arrived yet:
    # simulate the sync delay by letting each write into its own copy of the folder.
    copy = folder.parent / "sam-copy"
    shutil.copytree(folder, copy)
    a = Journal.open(folder, home=Home(Path(dana.env["RMPAIR_HOME"])))
    a.update("tandem", "tandem", {"location": "Room 4.12"})
    a.close()
    b = Journal.open(copy, home=Home(Path(sam.env["RMPAIR_HOME"])))
    b.update("tandem", "tandem", {"location": "Video call"})
    b.close()
    for path in (copy / "devices").rglob("*.json"):  # the sync catches up
        target = folder / path.relative_to(copy)
        if not target.exists() or path.stat().st_size > target.stat().st_size:
            shutil.copy2(path, target)
    sam.run("--journal", str(folder), "status")
    for device in (dana, sam):
        conflicts = device.status("--journal", str(folder))["conflicts"]
        assert len(conflicts) == 1
        (conflict,) = conflicts
        values = {conflict["shown"]["value"], *(o["value"] for o in conflict["others"])}
        assert values == {"Room 4.12", "Video call"}
    assert "Open conflicts (1)" in dana.run("status").stdout


def test_last_used_journal_is_remembered_and_env_var_selects(
    pair: tuple[Device, Device, Path], tmp_path: Path
) -> None:
    dana, _sam, folder = pair
    other = tmp_path / "second"
    dana.run("init", str(other), "--me", "Dana", "--role", "mentee", "--partner", "Kim")
    assert dana.status()["tandem"]["mentor"] == "Kim"  # the newest is remembered
    assert dana.status("--journal", str(folder))["tandem"]["mentor"] == "Sam"
    assert dana.status()["tandem"]["mentor"] == "Sam"  # and now that one
    env_pick = subprocess.run(
        rmpair_command("status", "--json"),
        env={**dana.env, "RMPAIR_JOURNAL": str(other)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(env_pick.stdout)["tandem"]["mentor"] == "Kim"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-02-30"], "--start: '2026-02-30' is not a date"),
        (["--role", "boss"], "--role must be 'mentor' or 'mentee'"),
        (["--cadence", "daily"], "--cadence must be weekly, biweekly or monthly"),
        (["--tz", "Mars/Olympus"], "--tz: 'Mars/Olympus' is not a known time zone"),
        (["--partner", "dana"], "--me and --partner must be two different people"),
    ],
)
def test_init_mistakes_give_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    device = Device(tmp_path / "home")
    base = {"--me": "Dana", "--role": "mentee", "--partner": "Sam"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    flat = [part for pair_ in base.items() for part in pair_]
    result = device.run("init", str(tmp_path / "j"), *flat, ok=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "j" / "devices").exists()  # nothing half-created


def test_user_mistakes_elsewhere_are_one_line(
    tmp_path: Path, pair: tuple[Device, Device, Path]
) -> None:
    dana, _sam, folder = pair
    stranger = Device(tmp_path / "stranger")
    cases = [
        (stranger.run("status", ok=False), "No journal yet"),
        (stranger.run("join", str(folder), "--me", "Eve", ok=False), "'Eve' is not in this tandem"),
        (
            stranger.run("join", str(tmp_path / "empty"), "--me", "Eve", ok=False),
            "No journal found",
        ),
        (stranger.run("--journal", str(folder), "status", ok=False), "has not joined"),
        (
            dana.run(
                "init", str(folder), "--me", "A", "--role", "mentor", "--partner", "B", ok=False
            ),
            "already holds a journal",
        ),
    ]
    for result, message in cases:
        assert result.returncode == 2, result
        assert message in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_demo_builds_a_browsable_journal(tmp_path: Path) -> None:
    device = Device(tmp_path / "home")
    out = device.run("demo", str(tmp_path / "demo")).stdout
    assert "changes by 2 devices" in out
    status = device.status()
    assert status["tandem"]["mentee"] == "Dana Keller"
    assert status["counts"]["session"] >= 6 and status["counts"]["topic"] >= 10
    assert len(status["devices"]) == 2
    again = device.run("demo", str(tmp_path / "demo"), ok=False)
    assert again.returncode == 2 and "already holds a journal" in again.stderr


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    device = Device(tmp_path / "home")
    assert device.run("--version").stdout.startswith("rmpair ")
