"""``rmpair invite``, ``check``, ``agreement``, ``plan`` and ``templates`` as a user runs
them: output, exit codes, one-line errors, and JSON keys exactly as documented."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from clocks import FROZEN, rmpair_command
from typer.testing import CliRunner, Result

from rmpair.cli.app import app
from rmpair.domain.cadence import SERIES, add_months, programme_end
from rmpair.domain.invite import human_date
from rmpair.domain.templates import builtin_root
from rmpair.journal import Journal
from rmpair.model.records import Cadence, PrepItem, Session, SessionStatus
from rmpair.store.home import Home

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli" / "setup.md"
START = FROZEN.date() + dt.timedelta(days=10)  # (tests run at the frozen instant)


class Cli:
    """One device: its own RMPAIR_HOME; the journal given by RMPAIR_JOURNAL."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, home: Path, templates: Path) -> None:
        self.monkeypatch = monkeypatch
        self.home = home
        self.templates = templates
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, input: str | None = None) -> Result:
        self.monkeypatch.setenv("RMPAIR_HOME", str(self.home))
        self.monkeypatch.setenv("RMPAIR_TEMPLATES", str(self.templates))
        self.monkeypatch.delenv("RMPAIR_JOURNAL", raising=False)
        result = self.runner.invoke(app, list(args), input=input)
        if ok:
            assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


def one_line_error(result: Result, needle: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("rmpair: "), result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def documented_keys(command: str) -> set[str]:
    """The key paths in the table after "JSON keys (`<command>`):" in the docs."""
    lines = DOCS.read_text("utf-8").splitlines()
    marker = f"JSON keys (`{command}`):"
    start = next(i for i, line in enumerate(lines) if line.strip() == marker)
    keys: set[str] = set()
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        match = re.match(r"^\| `([^`]+)` \|", line)
        if match:
            keys.add(match.group(1))
    assert keys, f"no keys documented for {command}"
    return keys


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value; list items of objects appear as ``name[].key``."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= key_paths(inner, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


@pytest.fixture
def dana(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    return Cli(monkeypatch, tmp_path / "dana", tmp_path / "templates")


@pytest.fixture
def sam(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    return Cli(monkeypatch, tmp_path / "sam", tmp_path / "templates")


@pytest.fixture
def journal_dir(tmp_path: Path, dana: Cli, sam: Cli) -> Path:
    """Dana (mentee) starts a journal; Sam (mentor) joins it from a second device."""
    folder = tmp_path / "shared"
    dana(
        "init",
        str(folder),
        "--me",
        "Dana",
        "--role",
        "mentee",
        "--partner",
        "Sam",
        "--start",
        START.isoformat(),
        "--tz",
        "Europe/Berlin",
    )
    sam("join", str(folder), "--me", "Sam")
    return folder


# ------------------------------------------------------------------- invite


def test_invite_without_a_journal_uses_flags(dana: Cli) -> None:
    result = dana(
        "invite",
        "--topic",
        "AI assistants",
        "--to",
        "Sam",
        "--me",
        "Dana",
        "--cadence",
        "biweekly",
        "--length",
        "45",
        "--months",
        "3",
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "Subject: I'd like to learn from you"
    assert lines[1] == "" and lines[2] == "Hi Sam,"
    assert "What should I know about AI assistants?" in result.stdout
    assert "every two weeks, for 45 minutes" in result.stdout
    end = human_date(add_months(dt.date.today(), 3))
    assert f"for 3 months, until {end}" in result.stdout
    assert lines[-1] == "Dana"
    assert "{" not in result.stdout


def test_invite_defaults_before_anything_exists(dana: Cli) -> None:
    result = dana("invite")
    assert "Hi there," in result.stdout
    assert "once a month, for 60 minutes" in result.stdout
    assert "for 6 months" in result.stdout
    assert result.stdout.rstrip().endswith("[your name]")
    assert result.stderr == ""


def test_invite_with_a_journal_takes_the_tandem(dana: Cli, journal_dir: Path) -> None:
    result = dana("invite", "--topic", "prompting")
    assert "Hi Sam," in result.stdout
    assert result.stdout.rstrip().endswith("Dana")
    # Monthly from Thu 26 Nov 2026 is every fourth Thursday: 27 May 2027 keeps May's session.
    end = human_date(programme_end(START, 6, Cadence.MONTHLY))
    assert end == "27 May 2027"
    assert f"until {end}" in result.stdout
    assert "once a month, on the fourth Thursday" in result.stdout
    first_tuesday = dana("invite", "--cadence", "first tuesday")
    assert "on the first Tuesday of each month" in first_tuesday.stdout


def test_invite_mistakes(dana: Cli) -> None:
    one_line_error(dana("invite", "--cadence", "hourly", ok=False), "--cadence")


def test_invite_runs_as_a_program(tmp_path: Path) -> None:
    env = {"RMPAIR_HOME": str(tmp_path / "h"), "RMPAIR_TEMPLATES": str(tmp_path / "t")}
    import os

    done = subprocess.run(
        rmpair_command("invite", "--to", "Sam"),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Subject: ")


# -------------------------------------------------------------------- check


def test_check_records_answers_and_warns(dana: Cli, sam: Cli, journal_dir: Path) -> None:
    result = dana("check", "-a", "voluntary=yes", "--answer", "time-committed=no")
    assert "Warning:" in result.stdout and "need attention" in result.stdout
    assert "time-committed (mentee said no)" in result.stdout
    assert "Sessions squeezed between meetings" in result.stdout  # the why
    data = sam.json("check", "-a", "no-reporting-line=yes", "-a", "voluntary=yes")
    items = {i["key"]: i for i in data["items"]}
    assert items["voluntary"]["answers"] == {"mentor": "yes", "mentee": "yes"}
    assert items["voluntary"]["status"] == "ok"
    assert items["no-reporting-line"]["status"] == "ok"  # either may confirm it
    assert items["time-committed"]["status"] == "no"
    assert data["me"] == {"person": "Sam", "role": "mentor"}
    assert "time-committed" in data["attention"] and not data["all_confirmed"]
    assert key_paths(data) == documented_keys("rmpair check --json")


def test_a_no_to_hierarchy_or_voluntariness_warns_until_it_is_a_yes(
    dana: Cli, sam: Cli, journal_dir: Path
) -> None:
    dana("check", "-a", "no-reporting-line=no", "-a", "voluntary=no")
    status = dana("status").stdout
    assert "The mentee is the mentor's line manager, or one reports to the other." in status
    assert "Nobody is candid with the person who assesses their work" in status  # the why
    assert "Not both of you said you take part voluntarily." in status
    keys = [n["key"] for n in sam.json("status")["nudges"]]
    assert keys[:2] == ["prerequisite-voluntary", "prerequisite-no-reporting-line"]
    report = dana("report", "--format", "md").stdout
    assert "The mentee is the mentor's line manager" in report
    data = json.loads(dana("report", "--format", "json").stdout)
    recommendations = [r["key"] for r in data["recommendations"]]
    assert "prerequisite-voluntary" in recommendations
    # Changing the answers to yes takes the warnings away everywhere.
    dana("check", "-a", "no-reporting-line=yes", "-a", "voluntary=yes")
    assert "line manager" not in dana("status").stdout
    assert "line manager" not in dana("report", "--format", "md").stdout


def test_check_all_confirmed(dana: Cli, sam: Cli, journal_dir: Path) -> None:
    keys = [i["key"] for i in dana.json("check")["items"]]
    answers = [arg for key in keys for arg in ("-a", f"{key}=yes")]
    dana(*["check", *answers])
    result = sam(*["check", *answers])
    assert "All prerequisites are confirmed by both of you." in result.stdout
    assert "Warning" not in result.stdout


def test_check_ask_prompts_for_open_questions(dana: Cli, journal_dir: Path) -> None:
    dana("check", "-a", "voluntary=yes")
    count = len(dana.json("check")["items"]) - 1
    result = dana("check", "--ask", input="n\n" + "y\n" * (count - 1))
    assert result.exit_code == 0
    items = {i["key"]: i for i in dana.json("check")["items"]}
    assert all(i["answers"]["mentee"] is not None for i in items.values())
    assert items["no-reporting-line"]["answers"]["mentee"] == "no"


def test_check_mistakes(dana: Cli, journal_dir: Path) -> None:
    one_line_error(dana("check", "-a", "voluntary", ok=False), "KEY=yes")
    one_line_error(dana("check", "-a", "boss=no", ok=False), "no prerequisite 'boss'")


def test_check_needs_a_journal(dana: Cli) -> None:
    one_line_error(dana("check", ok=False), "No journal yet")


# ---------------------------------------------------------------- agreement


def test_agreement_sign_edit_and_json(dana: Cli, sam: Cli, journal_dir: Path) -> None:
    shown = dana("agreement", "show")
    assert "How often" in shown.stdout and "not signed yet" in shown.stdout
    assert "Not signed by both yet" in shown.stdout
    assert "Signed the agreement as Dana (mentee)" in dana("agreement", "sign").stdout
    assert "already signed" in dana("agreement", "sign").stdout
    assert "Both of you have signed." in sam("agreement", "sign").stdout
    assert "Signed by both of you." in dana("agreement", "show").stdout

    changed = sam("agreement", "edit", "freq", "--text", "We meet on Thursdays.")
    assert "Changed 'frequency'" in changed.stdout
    assert "Changed since signed by Sam and Dana" in changed.stdout
    assert (
        "Added 'coffee'"
        in sam("agreement", "add", "--title", "Coffee", "--text", "Late pays.").stdout
    )
    assert "Removed 'mode'" in dana("agreement", "remove", "mode").stdout

    shown = dana("agreement", "show")
    assert "changed since signed" in shown.stdout
    assert "changed: How often [frequency]" in shown.stdout
    assert "was: We meet once a month, on the fourth Thursday." in shown.stdout
    assert "now: We meet on Thursdays." in shown.stdout
    assert "added: Coffee [coffee]" in shown.stdout
    assert "removed: How we meet [mode]" in shown.stdout

    data = sam.json("agreement", "show")
    assert data["changed_since_signed"] and not data["signed_by_both"]
    mentor = data["signatures"]["mentor"]
    assert {(c["change"], c["key"]) for c in mentor["changes"]} == {
        ("changed", "frequency"),
        ("added", "coffee"),
        ("removed", "mode"),
    }
    assert key_paths(data) == documented_keys("rmpair agreement show --json")


def test_agreement_mistakes(dana: Cli, journal_dir: Path) -> None:
    one_line_error(dana("agreement", "edit", "nope", "--text", "x", ok=False), "nope")
    one_line_error(dana("agreement", "remove", "nope", ok=False), "keys: learning-goals")
    one_line_error(dana("agreement", "edit", "mode", ok=False), "--text")
    one_line_error(dana("agreement", "edit", "e", "--text", "x", ok=False), "several")


# --------------------------------------------------------------------- plan


def open_journal(folder: Path, home: Path) -> Journal:
    return Journal.open(folder, home=Home(home))


def test_plan_and_replan(dana: Cli, journal_dir: Path, tmp_path: Path) -> None:
    result = dana("plan", "--template", "engineering-6m", "--time", "17:00")
    assert "Programme 'engineering-6m'" in result.stdout
    assert "Developer experience" in result.stdout
    assert "7 new, 0 removed" in result.stdout
    assert re.search(r"\d{4}-\d{2}-\d{2} 17:00\s+kickoff", result.stdout)

    # Work on the second session: tick a prep item; the fourth one is held early.
    journal = open_journal(journal_dir, tmp_path / "dana")
    try:
        sessions = sorted(
            (s for s in journal.all(Session) if s.series == SERIES),
            key=lambda s: s.start or dt.datetime.min,
        )
        prep = next(p for p in journal.all(PrepItem) if p.session == sessions[1].id)
        journal.update(PrepItem.KIND, prep.id, {"done": True})
        journal.update(Session.KIND, sessions[3].id, {"status": SessionStatus.HELD.value})
    finally:
        journal.close()

    preview = dana("plan", "--cadence", "biweekly", "--dry-run")
    assert preview.stdout.startswith("Dry run: nothing was saved.")
    assert "Would remove" in preview.stdout
    assert "kept: prep checklist changed" in preview.stdout
    assert "cadence: monthly -> biweekly" in preview.stdout

    data = dana.json("plan", "--cadence", "biweekly", "--length", "25")
    assert not data["dry_run"] and data["template"] == "engineering-6m"
    assert data["frame"]["cadence"] == "biweekly" and data["frame"]["time"] == "17:00"
    kept = {k["id"]: k["reasons"] for k in data["kept"]}
    assert kept == {sessions[1].id: ["prep"], sessions[3].id: ["held"]}
    assert data["removed"] and data["created"]
    assert {c["what"] for c in data["frame_changes"]} == {"cadence", "minutes"}
    assert any("25 minutes" in w for w in data["warnings"])
    assert key_paths(data) == documented_keys("rmpair plan --json")

    status = dana.json("status")
    assert status["tandem"]["cadence"] == "biweekly"
    again = dana.json("plan")
    assert again["created"] == [] and again["removed"] == []


def test_plan_says_which_dates_it_moved_off_a_weekend(dana: Cli, journal_dir: Path) -> None:
    monthly = dana.json("plan", "--dry-run")
    # Monthly from Thu 26 Nov is every fourth Thursday: never a weekend, so nothing moves.
    days = [dt.date.fromisoformat(s["start"][:10]) for s in monthly["sessions"]]
    assert {d.weekday() for d in days} == {3} and len({(d.year, d.month) for d in days}) == 7
    assert monthly["frame"]["cadence_text"] == "once a month, on the fourth Thursday"
    assert not any("Moved off" in w for w in monthly["warnings"])
    assert "once a month, on the fourth Thursday, 60 min per session" in dana("status").stdout
    # The first Friday of January 2027 is New Year's Day: the plan takes the Monday.
    result = dana("plan", "--cadence", "first-friday")
    assert "Moved off a weekend or 1 January: Fri 1 Jan 2027 to Mon 4 Jan 2027." in (result.stderr)
    starts = [dt.date.fromisoformat(s["start"][:10]) for s in dana.json("plan")["sessions"]]
    assert starts and all(d.weekday() < 5 and (d.month, d.day) != (1, 1) for d in starts)
    assert "on the first Friday of each month" in dana("status").stdout
    dana("plan", "--cadence", "last-thursday")
    assert "on the last Thursday of each month" in dana("status").stdout


def test_plan_warns_on_stderr(dana: Cli, journal_dir: Path) -> None:
    result = dana("plan", "--length", "20", "--dry-run")
    assert "Note: Sessions of 20 minutes are short" in result.stderr
    assert "Note:" not in result.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--cadence", "daily"), "--cadence: 'daily'"),
        (("--until", "2027-02-30"), "--until: '2027-02-30'"),
        (("--until", "someday"), "--until"),
        (("--time", "25:00"), "--time: '25:00'"),
        (("--template", "nonsense"), "No programme template named 'nonsense'"),
        (("--until", "2000-01-01"), "before the start"),
    ],
)
def test_plan_mistakes(dana: Cli, journal_dir: Path, args: tuple[str, ...], needle: str) -> None:
    one_line_error(dana("plan", *args, ok=False), needle)


# ----------------------------------------------------------------- templates


def test_templates_list_and_show(dana: Cli) -> None:
    result = dana("templates", "list")
    assert re.search(r"^invite\s+invite\s+built-in\s+Invitation", result.stdout, re.M)
    assert "programme-engineering-6m" in result.stdout
    data = dana.json("templates", "list")
    names = {t["name"] for t in data["templates"]}
    assert {"invite", "agreement", "prerequisites", "programme-quarter"} <= names
    assert all(t["source"] == "built-in" for t in data["templates"])

    builtin = (builtin_root() / "en" / "programme-engineering-6m.toml").read_text("utf-8")
    assert dana("templates", "show", "engineering-6m").stdout == builtin
    assert dana("templates", "show", "programme-engineering-6m").stdout == builtin
    shown = dana.json("templates", "show", "regular")
    assert shown["name"] == "session-regular" and "[[agenda]]" in shown["text"]
    assert key_paths(shown) == documented_keys("rmpair templates show NAME --json")
    one_line_error(dana("templates", "show", "nope", ok=False), "No template named 'nope'")


def test_broken_user_template_is_reported_not_fatal(dana: Cli, journal_dir: Path) -> None:
    dana.templates.mkdir(parents=True, exist_ok=True)
    broken = dana.templates / "invite.toml"
    text = (builtin_root() / "en" / "invite.toml").read_text("utf-8")
    broken.write_text(text.replace("subject =", "subjekt ="), "utf-8")
    (dana.templates / "programme-mine.toml").write_text(
        'kind = "programme"\ntitle = "Mine"\nmonths = 2\ncadence = "weekly"\nminutes = 45\n'
        '[[theme]]\ntitle = "Prompting"\ncategory = "technology"\nquestion = "How?"\n',
        "utf-8",
    )

    result = dana("templates", "list")
    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if "invite.toml" in line]
    assert warning and "key 'subject'" in warning[0] and str(broken) in warning[0]
    assert re.search(r"^invite\s+invite\s+built-in", result.stdout, re.M)
    assert re.search(r"^programme-mine\s+programme\s+yours\s+Mine", result.stdout, re.M)

    data = dana.json("templates", "list")
    assert [p["key"] for p in data["problems"]] == ["subject"]
    assert data["user_dir"] == str(dana.templates)
    assert key_paths(data) == documented_keys("rmpair templates list --json")

    # Commands that use the template warn too, and work with the built-in one.
    invite = dana("invite")
    assert invite.stdout.startswith("Subject: I'd like to learn from you")
    assert "key 'subject'" in invite.stderr
    planned = dana.json("plan", "--template", "mine", "--dry-run")
    assert planned["frame"]["cadence"] == "weekly" and planned["frame"]["minutes"] == 45
