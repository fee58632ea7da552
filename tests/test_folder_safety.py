"""The journal folder and this device's data folder, as a real disk and sync tool leave
them: missing, moved, linked elsewhere, holding a stranger's file, or readable by
others. Each case is a real ``rmpair`` process on real files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clocks import rmpair_command
from pairs import log_files

from rmpair.store.files import TEMP_PREFIX, read_log


class Device:
    def __init__(self, home: Path, journal: Path | None = None) -> None:
        self.home = home
        self.env = {**os.environ, "RMPAIR_HOME": str(home), "NO_COLOR": "1"}
        self.env.pop("RMPAIR_JOURNAL", None)
        if journal is not None:
            self.env["RMPAIR_JOURNAL"] = str(journal)

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            rmpair_command(*args),
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def ok(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def titles(self, *extra: str) -> list[str]:
        return [t["title"] for t in json.loads(self.ok(*extra, "topic", "list", "--json"))]


def start(tmp: Path, folder: Path, name: str = "dana") -> Device:
    device = Device(tmp / f"home-{name}")
    device.ok("init", str(folder), "--me", "Dana", "--role", "mentee", "--partner", "Sam")
    return device


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


# -- 5: a missing or moved journal folder ---------------------------------------------


def test_a_missing_journal_folder_is_never_made_again(tmp_path: Path) -> None:
    folder = tmp_path / "Sync" / "mentoring"
    dana = start(tmp_path, folder)
    dana.ok("topic", "add", "Git", "--category", "technology")
    folder.rename(tmp_path / "Sync" / "elsewhere")  # e.g. the sync folder is not mounted

    line = one_line(dana.run("topic", "add", "Rust", "--category", "technology"))
    assert "cannot be found" in line and str(folder) in line
    assert not folder.exists()
    # Reading still shows what this device knows, and says why nothing can be changed.
    assert dana.titles() == ["Git"]
    assert not folder.exists()
    status = dana.ok("status")
    assert "cannot be found" in status


def test_a_folder_that_does_not_exist_is_named_as_such(tmp_path: Path) -> None:
    dana = start(tmp_path, tmp_path / "j")
    line = one_line(dana.run("--journal", str(tmp_path / "no-such"), "status"))
    assert "There is no folder" in line and "has not joined" not in line


def test_a_moved_journal_opens_even_with_a_strangers_file_sorting_first(
    tmp_path: Path,
) -> None:
    dana = start(tmp_path, tmp_path / "j")
    dana.ok("topic", "add", "Git", "--category", "technology")
    other = start(tmp_path, tmp_path / "other", name="eve")
    other.ok("topic", "add", "Not ours", "--category", "work")
    moved = tmp_path / "moved"
    (tmp_path / "j").rename(moved)
    stranger = next((tmp_path / "other" / "devices").rglob("????-??.json"))
    first = moved / "devices" / "000-stranger" / stranger.name  # sorts before every id
    first.parent.mkdir()
    shutil.copyfile(stranger, first)

    assert dana.titles("--journal", str(moved)) == ["Git"]
    doctor = dana.run("--journal", str(moved), "doctor")
    assert "different journal" in doctor.stdout and "Traceback" not in doctor.stderr


# -- 6: links out of the journal folder ------------------------------------------------


def test_no_write_follows_a_link_out_of_the_journal(tmp_path: Path) -> None:
    folder = tmp_path / "j"
    dana = start(tmp_path, folder)
    own = next(p for p in (folder / "devices").iterdir())
    outside = tmp_path / "outside"
    shutil.move(str(own), outside)
    own.symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())

    done = dana.run("topic", "add", "Git", "--category", "technology")
    assert done.returncode == 0, done.stderr
    assert "not yet shared" in done.stderr
    assert sorted(p.name for p in outside.iterdir()) == before  # nothing written there
    assert all("Git" not in p.read_text(encoding="utf-8") for p in outside.iterdir())
    assert dana.titles() == ["Git"]  # saved on this computer all the same


# -- 8: private data stays private -----------------------------------------------------


def test_this_devices_data_is_for_this_user_alone(tmp_path: Path) -> None:
    dana = start(tmp_path, tmp_path / "j")
    dana.ok("session", "plan", "--at", "2026-11-20 17:00")
    session = json.loads(dana.ok("session", "list", "--json"))[0]["id"]
    dana.ok("note", "add", session, "Only for me", "--private")
    notes = next(dana.home.rglob("private/notes.json"))
    assert stat.S_IMODE(notes.stat().st_mode) == 0o600
    assert stat.S_IMODE(notes.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(dana.home.stat().st_mode) == 0o700
    for path in dana.home.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_data_folder_inside_the_synced_tree_is_warned_about(tmp_path: Path) -> None:
    folder = tmp_path / "j"
    dana = Device(folder / "rmpair-data")
    done = dana.run("init", str(folder), "--me", "Dana", "--role", "mentee", "--partner", "Sam")
    assert done.returncode == 0, done.stderr
    assert "Warning" in done.stderr and "private notes would be shared" in done.stderr
    doctor = dana.run("doctor")
    assert "private notes would be shared" in doctor.stdout

    synced = Device(tmp_path / "Dropbox" / "rmpair-data")
    done = synced.run(
        "init", str(tmp_path / "j2"), "--me", "Dana", "--role", "mentee", "--partner", "Sam"
    )
    assert "Dropbox syncs" in done.stderr


# -- 10: interrupts and prompts --------------------------------------------------------


# From 0.15 s on: earlier, under load, the signal can land while the Python interpreter
# itself is still starting, before rmpair's first line runs (Python reports that one).
@pytest.mark.parametrize("after", [0.15, 0.3, 0.5, 0.8])
def test_ctrl_c_at_any_moment_exits_130_without_a_traceback(tmp_path: Path, after: float) -> None:
    folder = tmp_path / "j"
    dana = start(tmp_path, folder)
    # Without faketime: its wrapper would take the signal for itself. The date does not
    # matter here. A terminal's Ctrl-C goes to the whole foreground process group.
    process = subprocess.Popen(
        [sys.executable, "-m", "rmpair", "topic", "add", "Git", "--category", "technology"],
        env=dana.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(after)
    os.killpg(process.pid, signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert "Traceback" not in err
    assert process.returncode in (0, 130), err  # it may have finished first
    if process.returncode == 130:
        assert "interrupted" in err
    assert not list(tmp_path.rglob(f"{TEMP_PREFIX}*"))  # no half-written file is left
    for log in (p for d in (folder / "devices").iterdir() for p in log_files(d)):
        read_log(log)  # every file whole
    assert dana.titles() in ([], ["Git"])


# A Ctrl-C that lands in a narrow window, made to land there every time: the command
# line runs as usual, but one step raises KeyboardInterrupt as the signal would.
INTERRUPTED_AT = {
    "while the command runs": """
def interrupted(self, ctx):
    raise KeyboardInterrupt
cli._Group.invoke = interrupted
""",
    # Typer catches it while it reads the command line, and exits 130 without a word.
    "while the command line is read": """
def interrupted(self, *args, **kwargs):
    raise KeyboardInterrupt
cli._Group.make_context = interrupted
""",
    # Python 3.11 passes one that lands while a class is made (a dataclass as its
    # module is imported) on as a RuntimeError caused by it.
    "while a class is made": """
class Interrupting:
    def __set_name__(self, owner, name):
        raise KeyboardInterrupt
def interrupted(self, ctx):
    class Made:
        field = Interrupting()
cli._Group.invoke = interrupted
""",
}


@pytest.mark.parametrize("where", list(INTERRUPTED_AT))
def test_ctrl_c_in_a_narrow_window_still_says_interrupted(tmp_path: Path, where: str) -> None:
    dana = start(tmp_path, tmp_path / "j")
    script = (
        "import sys\nimport rmpair.cli.app as cli\n"
        + INTERRUPTED_AT[where]
        + "from rmpair.entry import main\nsys.argv = ['rmpair', 'status']\nmain()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=dana.env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "rmpair: interrupted.\n"


def test_the_answers_given_before_the_input_ends_are_kept(tmp_path: Path) -> None:
    dana = start(tmp_path, tmp_path / "j")
    done = dana.run("check", "--ask", "--json", input="y\nn\n")
    assert done.returncode == 0, done.stderr
    assert "Aborted" not in done.stderr and "answers ran out" in done.stderr
    checks = json.loads(dana.ok("check", "--json"))
    mine = [c["answers"]["mentee"] for c in checks["items"]]
    assert mine[:2] == ["yes", "no"] and set(mine[2:]) == {None}
