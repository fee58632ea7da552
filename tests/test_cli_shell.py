"""The command line around the commands, as a shell user meets it: completion, -h,
global options after the command, typos, no terminal, German help (issue 18)."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from clocks import rmpair_command


def run(
    *args: str, home: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``rmpair ARGS`` with stdin from /dev/null and stdout into a pipe (no terminal)."""
    env = {**os.environ, "RMPAIR_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100"}
    for name in ("RMPAIR_JOURNAL", "RMPAIR_LANG"):
        env.pop(name, None)
    env.update(extra or {})
    return subprocess.run(
        rmpair_command(*args),
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def init(folder: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return run(
        "init", str(folder), "--me", "Dana", "--role", "mentee", "--partner", "Sam", home=home
    )


def complete(words: str, cword: int, home: Path) -> list[str]:
    done = run(
        home=home,
        extra={"_RMPAIR_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_show_completion_prints_the_bash_script(tmp_path: Path) -> None:
    done = run("--show-completion", "bash", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "_RMPAIR_COMPLETE=complete_bash" in done.stdout
    assert "complete -o default -F _rmpair_completion rmpair" in done.stdout


def test_completion_offers_commands_sub_commands_and_options(tmp_path: Path) -> None:
    assert complete("rmpair ses", 1, tmp_path) == ["session"]
    assert "plan" in complete("rmpair session ", 2, tmp_path)
    assert "--json" in complete("rmpair status --", 2, tmp_path)


def test_dash_h_is_help_everywhere(tmp_path: Path) -> None:
    for args in (["-h"], ["session", "-h"], ["session", "list", "-h"]):
        done = run(*args, home=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "Usage:" in done.stdout


def test_journal_option_after_the_command(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    assert init(folder, tmp_path / "dana").returncode == 0
    done = run("status", "--journal", str(folder), home=tmp_path / "dana-2")
    # This "device" never joined: the error proves the folder given after the command
    # was the one opened, not the default.
    assert done.returncode == 2
    assert f"rmpair join {folder}" in done.stderr
    done = run("status", "--json", "-j", str(folder), home=tmp_path / "dana")
    assert done.returncode == 0, done.stderr


def test_a_typo_suggests_the_command_in_one_line(tmp_path: Path) -> None:
    done = run("sesion", home=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "rmpair: No such command 'sesion'. Did you mean 'session'?\n"


def test_without_a_terminal_rmpair_prints_help_then_status(tmp_path: Path) -> None:
    done = run(home=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert "Usage: rmpair" in done.stdout
    assert init(tmp_path / "journal", tmp_path).returncode == 0
    done = run(home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Sam (mentor) and Dana (mentee)" in done.stdout


def test_init_prints_the_real_folder_shell_quoted(tmp_path: Path) -> None:
    folder = tmp_path / "our journal"
    done = init(folder, tmp_path)
    assert done.returncode == 0, done.stderr
    line = f"rmpair join {shlex.quote(str(folder))} --me Sam"
    assert line in done.stdout
    assert shlex.split(line)[2] == str(folder)


def test_german_help_and_errors_are_german_throughout(tmp_path: Path) -> None:
    german = {"RMPAIR_LANG": "de"}
    done = run("--help", home=tmp_path, extra=german)
    assert done.returncode == 0
    for english in ("Usage:", "Options", "Commands", "Show this message and exit.", "[OPTIONS]"):
        assert english not in done.stdout
    for word in ("Aufruf:", "Optionen", "Befehle", "Diese Hilfe zeigen und beenden."):
        assert word in done.stdout
    assert "rmpair [OPTIONEN] BEFEHL [ARGUMENTE]..." in done.stdout
    topic_add = run("topic", "add", "--help", home=tmp_path, extra=german).stdout
    assert "rmpair topic add [OPTIONEN]" in topic_add and "[OPTIONS]" not in topic_add
    done = run("status", "--bogus", home=tmp_path, extra=german)
    assert done.returncode == 2
    assert "Fehler" in done.stderr and "Diese Option gibt es nicht: --bogus" in done.stderr
    done = run("init", home=tmp_path, extra=german)
    assert "Das Argument 'folder' fehlt." in done.stderr


def test_each_command_of_a_noun_takes_the_journal_after_it(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    assert init(folder, tmp_path / "dana").returncode == 0
    added = run(
        "topic", "add", "Prompting", "--category", "technology", "-j", str(folder),
        home=tmp_path / "dana",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = run("topic", "list", "--json", "--journal", str(folder), home=tmp_path / "dana")
    assert listed.returncode == 0 and "Prompting" in listed.stdout, listed.stderr
    assert {"--category", "--journal"} <= set(complete("rmpair topic add --", 3, tmp_path))
    assert {"add", "list", "ideas"} <= set(complete("rmpair topic ", 2, tmp_path))


def test_a_nouns_commands_are_built_once_and_only_when_looked_up() -> None:
    from typer._click import Command
    from typer.core import TyperCommand
    from typer.models import CommandInfo

    from rmpair.cli._lazy import LazyCommands

    built: list[str] = []

    def build(info: CommandInfo) -> Command:
        built.append(str(info.name))
        return TyperCommand(name=info.name)

    names = ["add", "list", "edit"]
    commands = LazyCommands({n: CommandInfo(name=n) for n in names}, build)
    assert list(commands) == names and len(commands) == 3 and built == []
    found = commands.get("list")
    assert found is not None and found.name == "list" and commands["list"] is found
    assert commands.get("nope") is None and "nope" not in commands
    assert built == ["list"]
    assert {name: c.name for name, c in commands.items()} == {n: n for n in names}
    assert built == ["list", "add", "edit"]
