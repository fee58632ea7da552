"""A full disk, a read-only folder or a file-size limit: one line, no traceback, and an
edit is either saved or not.

When this device's own copy cannot be written, nothing is saved and the edit never
comes back. When only the shared folder cannot be written, the edit is saved on this
computer, the user is told it is not shared yet, and it is shared by itself later.
Real file systems: a small tmpfs (root only, as CI runs) and a real size limit.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from clocks import rmpair_command
from pairs import log_files

ROOT_ONLY = pytest.mark.skipif(
    os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)"
)


class Device:
    """One computer running ``rmpair`` as a real process."""

    def __init__(self, home: Path, journal: Path) -> None:
        self.env = {
            **os.environ,
            "RMPAIR_HOME": str(home),
            "RMPAIR_JOURNAL": str(journal),
            "NO_COLOR": "1",
        }
        self.journal = journal

    def run(self, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
        def small_files() -> None:
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return subprocess.run(
            rmpair_command(*args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=small_files,
            check=False,
        )

    def titles(self) -> list[str]:
        done = self.run("topic", "list", "--json")
        assert done.returncode == 0, done.stderr
        return [t["title"] for t in json.loads(done.stdout)]

    def init(self) -> None:
        done = self.run(
            "init", str(self.journal), "--me", "Dana", "--role", "mentee", "--partner", "Sam"
        )
        assert done.returncode == 0, done.stderr


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rmpair: "), done.stderr
    return lines[0]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB file system of its own, so that filling it touches nothing else."""
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Take every free byte of ``disk``."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for size in (65536, 4096, 512, 1):  # down to the last byte
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError:
                continue
    return filler


@ROOT_ONLY
def test_a_full_shared_folder_keeps_the_edit_here_and_shares_it_later(
    small_disk: Path, tmp_path: Path
) -> None:
    dana = Device(tmp_path / "home", small_disk / "journal")
    dana.init()
    filler = fill(small_disk)

    done = dana.run("topic", "add", "Prompting", "--category", "technology")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "saved on this computer, not yet shared" in done.stderr
    assert "No space left on device" in done.stderr
    assert dana.titles() == ["Prompting"]  # reading still works, and shows the edit
    doctor = dana.run("doctor")
    assert "Traceback" not in doctor.stderr + doctor.stdout
    assert "not be shared yet" in doctor.stdout

    filler.unlink()
    assert dana.titles() == ["Prompting"]
    shared = [p for d in (small_disk / "journal" / "devices").iterdir() for p in log_files(d)]
    assert any("Prompting" in p.read_text(encoding="utf-8") for p in shared)
    assert "not yet shared" not in dana.run("status").stderr


@ROOT_ONLY
def test_a_full_disk_for_this_devices_copy_saves_nothing(small_disk: Path, tmp_path: Path) -> None:
    dana = Device(small_disk / "home", tmp_path / "journal")
    dana.init()
    filler = fill(small_disk)

    line = one_line_error(dana.run("topic", "add", "Prompting", "--category", "technology"))
    assert "Not saved" in line and "No space left on device" in line
    assert dana.titles() == []
    filler.unlink()
    assert dana.titles() == []  # the edit the user was told failed never comes back
    assert dana.run("topic", "add", "Later", "--category", "work").returncode == 0
    assert dana.titles() == ["Later"]


@ROOT_ONLY
def test_a_read_only_shared_folder_keeps_the_edit_here(small_disk: Path, tmp_path: Path) -> None:
    dana = Device(tmp_path / "home", small_disk / "journal")
    dana.init()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        done = dana.run("topic", "add", "Prompting", "--category", "technology")
        assert done.returncode == 0, done.stderr
        assert "not yet shared" in done.stderr and "Read-only file system" in done.stderr
        assert dana.titles() == ["Prompting"]
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert dana.titles() == ["Prompting"]
    shared = [p for d in (small_disk / "journal" / "devices").iterdir() for p in log_files(d)]
    assert any("Prompting" in p.read_text(encoding="utf-8") for p in shared)


def test_a_file_size_limit_is_one_line_and_saves_nothing(tmp_path: Path) -> None:
    dana = Device(tmp_path / "home", tmp_path / "journal")
    dana.init()
    long_question = "why " * 2000  # the month file outgrows the limit with this topic
    line = one_line_error(
        dana.run(
            "topic",
            "add",
            "Prompting",
            "--category",
            "technology",
            "--question",
            long_question,
            limit=8192,
        )
    )
    assert "File too large" in line
    assert dana.titles() == []
