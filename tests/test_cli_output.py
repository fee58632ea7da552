"""What a user notices of issue 18: piped lists that keep whole ids and full lines,
compact JSON for programs, text from stdin or $EDITOR, dates as people say them, and
progress only where a person watches stderr."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import select
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from clocks import rmpair_command
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.domain.spoken_dates import parse_day, parse_moment
from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.home import Home

LONG_TITLE = "A topic with a title long enough to wrap at eighty columns in any table at all"


@dataclass
class Cli:
    runner: CliRunner
    folder: Path
    home: Path

    def run(self, *args: str, input: str | None = None) -> str:
        result = self.runner.invoke(app, list(args), input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result.stdout

    def fails(self, *args: str) -> str:
        result = self.runner.invoke(app, list(args))
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        return result.stderr.strip()

    def env(self) -> dict[str, str]:
        return {**os.environ, "RMPAIR_HOME": str(self.home), "RMPAIR_JOURNAL": str(self.folder)}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    folder, home = tmp_path / "j", tmp_path / "alex"
    journal = Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(home),
    )
    journal.close()
    monkeypatch.setenv("RMPAIR_HOME", str(home))
    monkeypatch.setenv("RMPAIR_JOURNAL", str(folder))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")  # as narrow as a pipe used to be
    for name in ("VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    yield Cli(CliRunner(), folder, home)


def editor(tmp_path: Path, script: str) -> str:
    """A fake editor: a real program that edits the file it is given."""
    path = tmp_path / "fake-editor"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


# -- item 9: piped output ----------------------------------------------------------------


def test_piped_lists_are_tab_separated_full_lines_with_whole_ids(cli: Cli) -> None:
    cli.run("topic", "add", LONG_TITLE, "--category", "work")
    topic_id = json.loads(cli.run("topic", "list", "--json"))[0]["id"]
    cli.run("session", "plan", "--at", "2026-11-24 17:30", "--topic", topic_id)
    lines = cli.run("session", "list").splitlines()
    assert lines[0].split("\t")[:3] == ["id", "when", "kind"]
    assert len(lines) == 2, lines  # one line per session: the date is not split
    cells = lines[1].split("\t")
    assert cells[1] == "Tue 2026-11-24 17:30–18:30"
    assert LONG_TITLE in cells[4]
    topics = cli.run("topic", "list", "--status", "all").splitlines()
    assert topics[1].split("\t")[1] == topic_id


def test_a_real_pipe_gets_ids_that_topic_done_takes(cli: Cli) -> None:
    cli.run("topic", "add", LONG_TITLE, "--category", "work")
    listed = subprocess.run(
        rmpair_command("topic", "list"), env=cli.env(), capture_output=True, text=True, check=True
    )
    assert "…" not in listed.stdout
    topic_id = listed.stdout.splitlines()[1].split("\t")[1]
    done = subprocess.run(
        rmpair_command("topic", "done", topic_id), env=cli.env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_search_and_action_lists_are_plain_when_piped(cli: Cli) -> None:
    cli.run("topic", "add", LONG_TITLE, "--category", "work")
    topic_id = json.loads(cli.run("topic", "list", "--json"))[0]["id"]
    hits = cli.run("search", "wrap").splitlines()
    assert hits[0].split("\t") == ["kind", "where", "text", "id"]
    assert hits[1].split("\t")[3] == topic_id and len(hits) == 2  # whole id, no summary
    cli.run("action", "add", LONG_TITLE)
    actions = cli.run("action", "list").splitlines()
    assert actions[1].split("\t")[1:3] == ["[ ]", LONG_TITLE]


def test_json_is_compact_for_a_program(cli: Cli) -> None:
    cli.run("session", "plan", "--at", "2026-11-24 17:30")
    out = cli.run("session", "list", "--json")
    assert out.count("\n") == 1 and '"id":' in out and ": " not in out.split('"title"')[0]
    assert json.loads(out)[0]["start"] == "2026-11-24T17:30"


def read_terminal(leader: int) -> bytes:
    """Everything a program writes to the pseudo-terminal ``leader`` until it closes."""
    seen = b""
    while select.select([leader], [], [], 60)[0]:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def on_a_terminal(cli: Cli, *args: str) -> str:
    """What ``rmpair ARGS`` prints when its stdout is a terminal (a real process)."""
    leader, follower = pty.openpty()
    env = {**cli.env(), "TERM": "xterm", "COLUMNS": "120", "NO_COLOR": "1"}
    process = subprocess.Popen(
        rmpair_command(*args), env=env, stdout=follower, stderr=subprocess.PIPE
    )
    os.close(follower)
    seen = read_terminal(leader)
    _out, err = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0, err
    return seen.decode("utf-8", errors="replace")


def test_a_terminal_still_gets_a_table(cli: Cli) -> None:
    cli.run("session", "plan", "--at", "2026-11-24 17:30")
    table = on_a_terminal(cli, "session", "list")
    header, row = table.replace("\r", "").splitlines()[:2]
    assert "\t" not in table  # columns laid out for the eye, not tab-separated
    assert "\x1b[1m" in header  # a Rich table: the header is bold
    assert "Tue 2026-11-24 17:30–18:30  regular  planned" in row
    assert '\n    "id": ' in on_a_terminal(cli, "session", "list", "--json").replace("\r", "")
    cli.run("topic", "add", LONG_TITLE, "--category", "work")
    found = on_a_terminal(cli, "search", "wrap").replace("\r", "")
    assert "1 hit for 'wrap'." in found and "\t" not in found


# -- item 11: '-' and $EDITOR ------------------------------------------------------------


def test_dash_reads_the_note_from_stdin(cli: Cli) -> None:
    cli.run("session", "plan", "--at", "2026-11-24 17:30")
    cli.run("note", "add", "next", "-", input="Line one\n\nLine two\n")
    notes = json.loads(cli.run("note", "list", "next", "--json"))
    assert [n["text"] for n in notes] == ["Line one\n\nLine two"]


def test_no_text_opens_the_editor(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.run("session", "plan", "--at", "2026-11-24 17:30")
    monkeypatch.setenv("EDITOR", editor(tmp_path, "printf 'Written in the editor' > \"$1\""))
    cli.run("note", "add", "next")
    notes = json.loads(cli.run("note", "list", "next", "--json"))
    assert [n["text"] for n in notes] == ["Written in the editor"]
    cli.run("session", "plan", "--at", "2026-11-10 17:30")
    cli.run("learned", "last")
    assert "Written in the editor" in cli.run("session", "show", "last")


def test_an_empty_editor_cancels(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.run("session", "plan", "--at", "2026-11-24 17:30")
    monkeypatch.setenv("VISUAL", editor(tmp_path, ': > "$1"'))
    assert "nothing was saved" in cli.fails("note", "add", "next")
    assert json.loads(cli.run("note", "list", "next", "--json")) == []


def test_agreement_items_from_the_editor_and_stdin(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.run("agreement", "add", "--title", "Tools", "--text", "-", input="We use the chat.\n")
    # The editor starts from the current wording.
    monkeypatch.setenv("EDITOR", editor(tmp_path, 'printf "%s Daily." "$(cat "$1")" > "$1"'))
    cli.run("agreement", "edit", "tools")
    items = json.loads(cli.run("agreement", "show", "--json"))["items"]
    assert [i["text"] for i in items if i["key"] == "tools"] == ["We use the chat. Daily."]


# -- item 12: dates as people say them ---------------------------------------------------


def test_spoken_times_are_resolved_and_echoed(cli: Cli) -> None:
    # The frozen now is Monday 16 Nov 2026.
    assert "Tue 17 Nov 2026, 10:00" in cli.run("session", "plan", "--at", "tomorrow 10:00")
    assert "Fri 20 Nov 2026, 17:30" in cli.run("session", "plan", "--at", "fri 17:30")
    assert "Mon 30 Nov 2026, 17:30" in cli.run("session", "plan", "--at", "+2w 17:30")
    moved = cli.run("session", "move", "next", "--to", "+3d")
    assert "Thu 19 Nov 2026, 10:00" in moved  # a day alone keeps the time of day
    assert "Due Mon 30 Nov 2026." in cli.run("action", "add", "x", "--due", "+2w")
    # A day alone is planned at the programme's usual time: 10:00 before any plan, then
    # the time the plan set.
    assert "Mon 30 Nov 2026, 10:00" in cli.run("session", "plan", "--at", "+2w")
    cli.run("plan", "--time", "08:15")
    assert "Tue 1 Dec 2026, 08:15" in cli.run("session", "plan", "--at", "2026-12-01")
    assert "Wed 25 Nov 2026, 08:15" in cli.run("session", "plan", "--at", "+9d")
    refused = cli.fails("session", "plan", "--at", "2027-02-30")
    assert "is not a date or a date and time" in refused
    assert "is not a date or a date and time" in cli.fails("session", "plan", "--at", "fri 25:00")


def test_the_grammar() -> None:
    monday = dt.date(2026, 11, 16)
    assert parse_day("today", "--due", monday) == monday
    assert parse_day("Mon", "--due", monday) == dt.date(2026, 11, 23)  # the next one
    assert parse_day("sun", "--due", monday) == dt.date(2026, 11, 22)
    assert parse_day("+10d", "--due", monday) == dt.date(2026, 11, 26)
    assert parse_day("morgen", "--due", monday) == dt.date(2026, 11, 17)
    assert parse_day("2027-01-04", "--due", monday) == dt.date(2027, 1, 4)
    at = parse_moment("2026-11-20T09:05", "--at", "Europe/Berlin", monday)
    assert at == dt.datetime(2026, 11, 20, 9, 5)
    with pytest.raises(UserError, match="does not exist"):
        parse_moment("sun 02:30", "--at", "Europe/Berlin", dt.date(2027, 3, 22))
    with pytest.raises(UserError, match="not a date and time"):
        parse_moment("fri 25:00", "--at", "Europe/Berlin", monday)


# -- item 13: progress on stderr ---------------------------------------------------------


def test_no_progress_when_stderr_is_not_a_terminal(cli: Cli, tmp_path: Path) -> None:
    result = cli.runner.invoke(app, ["demo", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    result = cli.runner.invoke(
        app, ["--journal", str(tmp_path / "demo"), "export", "json", "--output", "-"]
    )
    assert result.exit_code == 0 and result.stderr == ""


def test_progress_shows_when_stderr_is_a_terminal(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "RMPAIR_HOME": str(tmp_path / "home"), "TERM": "xterm"}
    process = subprocess.Popen(
        rmpair_command("demo", str(tmp_path / "demo")),
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    seen = b""
    while True:
        ready, _w, _x = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _err = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    assert b"Writing the sample journal" in seen
    assert b"Writing the sample journal" not in out  # stdout keeps only the result
