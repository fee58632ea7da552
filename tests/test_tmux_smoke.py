"""The real ``rmpair`` in a real terminal: start it in tmux, press keys, read the screen.

Skipped when tmux is missing, except in CI (env ``CI`` set), where it must run.
Runs with NO_COLOR=1: what is checked here must read without colour.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clocks import rmpair_command

from rmpair.demo import MENTEE, MENTOR

WIDTH, HEIGHT = 100, 30


class Tmux:
    """One private tmux server (its own socket) with one session."""

    def __init__(self, socket: str) -> None:
        self.base = ["tmux", "-L", socket]

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "smoke")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear; the screen shows:\n{shown}")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "smoke", *keys)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is needed for the smoke test in CI (apt-get install tmux)")
        pytest.skip("tmux is not installed")
    server = Tmux(f"rmpair-smoke-{os.getpid()}-{tmp_path.name}")
    yield server
    subprocess.run([*server.base, "kill-server"], capture_output=True, check=False)


def test_open_look_around_and_quit(tmux: Tmux, tmp_path: Path) -> None:
    home, demo = tmp_path / "home", tmp_path / "demo"
    env = {**os.environ, "RMPAIR_HOME": str(home)}
    # Away from the source tree: ``-m rmpair`` there would import it, not the installed one.
    subprocess.run(
        rmpair_command("demo", str(demo)),
        env=env,
        check=True,
        timeout=120,
        cwd=tmp_path,
    )
    listed = subprocess.run(
        rmpair_command("topic", "list", "--json"),
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    first_topic = json.loads(listed.stdout)[0]["title"]

    command = shlex.join(
        [
            "env",
            f"RMPAIR_HOME={home}",
            "NO_COLOR=1",
            "TERM=xterm-256color",
            *rmpair_command(),
        ]
    )
    # After rmpair ends the shell says how, and keeps the pane open to read it.
    script = f'{command}; echo "rmpair exited with $?"; sleep 60'
    tmux.run(
        "new-session",
        "-d",
        "-s",
        "smoke",
        "-x",
        str(WIDTH),
        "-y",
        str(HEIGHT),
        "-c",
        str(tmp_path),
        "sh",
        "-c",
        script,
    )
    home_screen = tmux.wait_for("teaches")
    assert f"{MENTOR} (mentor) teaches {MENTEE} (mentee) (you)" in home_screen
    assert "Next session" in home_screen

    tmux.keys("2")
    backlog = tmux.wait_for(">2 Backlog<")  # the current screen is marked in text, not colour
    backlog = tmux.wait_for(first_topic[:30])
    assert "› " in backlog  # so is the cursor row

    tmux.keys("?")
    help_screen = tmux.wait_for("This screen")  # the keys of the screen, listed
    assert "Category filter" in help_screen
    tmux.keys("Escape")
    tmux.keys("C-q")
    tmux.wait_for("rmpair exited with 0")
