"""The command line: a thin Typer shell over the journal facade.

Mistakes a user can make (a wrong folder, an impossible date, an unknown id) end with
one line on stderr and exit code 2, never a traceback. Heavy modules (Textual,
icalendar) are imported inside the commands that need them, so ``rmpair status``
starts about as fast as Typer itself.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from rmpair import __version__
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.journal import Journal


class RmpairError(Exception):
    """A user mistake found by the command line itself (a bad flag value)."""


# Sub-apps, one per noun, each in rmpair/commands/<module>.py with an ``app``. They
# are imported only when used, so adding commands does not slow every start.
SUBCOMMANDS: dict[str, tuple[str, str]] = {}


def register(name: str, target: str, help_text: str) -> None:
    """Make ``rmpair NAME ...`` load ``rmpair.commands.MODULE`` (``MODULE:ATTR``) on demand."""
    SUBCOMMANDS[name] = (target, help_text)


# Setting up the tandem (issue: the ask, prerequisites, agreement, programme plan).
register("invite", "setup:invite_app", _("Print a friendly message asking a junior to mentor you."))
register("check", "setup:check_app", _("Confirm the prerequisites and see which need attention."))
register("agreement", "agreement", _("The agreed expectations: show, edit, sign."))
register("plan", "setup:plan_app", _("Plan the programme's sessions from cadence and end date."))
register("templates", "templates", _("List and show the templates in use."))
# Running the sessions.
register("topic", "topic", _("The topic backlog."))
register("session", "session", _("Sessions: list, show, plan, move, cancel, mark held."))
register("agenda", "session:agenda_app", _("Print a session's agenda and your prep checklist."))
register("prep", "session:prep_app", _("Tick or add items on your prep checklist."))
register("note", "notes:note_app", _("Add a shared or private note to a session."))
register("learned", "notes:learned_app", _("Record what you learned in a session."))
register("action", "notes:action_app", _("Action items: add, list, done."))
register("feedback", "notes:feedback_app", _("Rate a held session (1-5) with a comment."))
# Calendar and other exports.
register("export", "export", _("Export the journal: calendar (.ics), JSON."))
# Looking after the journal folder.
register("doctor", "doctor", _("Check the journal folder and explain what needs you."))


class _Group(TyperGroup):
    """Loads sub-apps lazily, and turns user mistakes into one line on stderr and exit
    code 2 for every command."""

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in SUBCOMMANDS:
            return found
        import importlib

        target, help_text = SUBCOMMANDS[cmd_name]
        module_name, _sep, attr = target.partition(":")
        module = importlib.import_module(f"rmpair.commands.{module_name}")
        command = typer.main.get_command(getattr(module, attr or "app"))
        command.name = cmd_name
        command.help = command.help or help_text
        return command

    def invoke(self, ctx: Any) -> Any:
        from rmpair.errors import ReadOnlyError, UserError

        try:
            return super().invoke(ctx)
        except (RmpairError, UserError, ReadOnlyError) as exc:
            message = str(exc)
        except PermissionError as exc:
            message = _("Permission denied: {path}").format(path=exc.filename)
        typer.echo(f"rmpair: {message}", err=True)
        raise typer.Exit(2)


app = typer.Typer(
    cls=_Group,
    help=_("rmpair: the journal of one reverse-mentoring pair, synced through a shared folder."),
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def fail(message: str) -> NoReturn:
    raise RmpairError(message)


class _Options:
    journal: Path | None = None


options = _Options()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rmpair {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            "-j",
            envvar="RMPAIR_JOURNAL",
            help=_("The journal folder to use (default: the last one used)."),
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version.")),
    ] = False,
) -> None:
    """Without a command, open the app on the last used journal."""
    options.journal = journal
    if ctx.invoked_subcommand is None:
        from rmpair.screens.launch import run_app

        run_app(journal)


@contextmanager
def opened(write: bool = True) -> Iterator[Journal]:
    """The selected journal, closed (lock released, cache written) afterwards."""
    from rmpair.journal import Journal

    journal = Journal.open(options.journal, write=write)
    try:
        yield journal
    finally:
        journal.close()


def print_json(data: Any) -> None:
    import json

    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str))


def parse_date_option(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(_("{flag}: '{value}' is not a date (use YYYY-MM-DD).").format(flag=flag, value=value))


def check_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(_("--tz: '{zone}' is not a known time zone (e.g. Europe/Berlin).").format(zone=name))
    return name


def local_zone_name() -> str:
    """The IANA name of this computer's time zone, or UTC when it cannot be told."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and "/" in env:
        return env
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "zoneinfo/"
        if marker in target:
            return target.split(marker, 1)[1]
    except OSError:
        pass
    return "UTC"


# -- init / join -----------------------------------------------------------------


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help=_("Folder for the journal (ideally inside a synced folder)."))
    ],
    me: Annotated[str, typer.Option("--me", help=_("Your name."))],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help=_("Your role: mentor (the junior who teaches) or mentee (the senior who learns)."),
        ),
    ],
    partner: Annotated[str, typer.Option("--partner", help=_("Your partner's name."))],
    start: Annotated[
        str | None,
        typer.Option("--start", help=_("First day of the programme, YYYY-MM-DD (default: today).")),
    ] = None,
    months: Annotated[
        int, typer.Option("--months", min=1, max=36, help=_("Length of the programme in months."))
    ] = 6,
    cadence: Annotated[
        str, typer.Option("--cadence", help=_("weekly, biweekly or monthly."))
    ] = "monthly",
    length: Annotated[
        int, typer.Option("--length", min=10, max=480, help=_("Minutes per session."))
    ] = 60,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help=_("Time zone of the sessions (default: this computer's).")),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help=_("Language of the journal: en or de."))
    ] = "en",
) -> None:
    """Start a new journal for your tandem."""
    from rmpair.journal import Journal
    from rmpair.model import Cadence, Role

    try:
        chosen_role = Role(role.lower())
    except ValueError:
        fail(_("--role must be 'mentor' or 'mentee', not '{value}'.").format(value=role))
    try:
        chosen_cadence = Cadence(cadence.lower())
    except ValueError:
        fail(
            _("--cadence must be weekly, biweekly or monthly, not '{value}'.").format(value=cadence)
        )
    if lang not in ("en", "de"):
        fail(_("--lang must be 'en' or 'de'."))
    if me.strip().casefold() == partner.strip().casefold():
        fail(_("--me and --partner must be two different people."))
    start_day = parse_date_option(start, "--start") or dt.date.today()
    zone = check_zone(tz) if tz else local_zone_name()
    journal = Journal.init(
        folder,
        me=me.strip(),
        role=chosen_role,
        partner=partner.strip(),
        start=start_day,
        months=months,
        cadence=chosen_cadence,
        minutes=length,
        tz=zone,
        lang=lang,
    )
    try:
        typer.echo(_("Started the journal in {folder}.").format(folder=journal.folder))
        typer.echo(
            _('{partner} joins from their computer with: rmpair join DIR --me "{partner}"').format(
                partner=partner.strip()
            )
        )
        if length < 30:
            typer.echo(
                _(
                    "Note: sessions under 30 minutes rarely leave room to learn; "
                    "the method recommends 30 to 60."
                ),
                err=True,
            )
    finally:
        journal.close()


@app.command()
def join(
    folder: Annotated[
        Path, typer.Argument(help=_("The shared journal folder your partner started."))
    ],
    me: Annotated[str, typer.Option("--me", help=_("Your name, as your partner entered it."))],
) -> None:
    """Join the journal your partner started, from this computer."""
    from rmpair.journal import Journal

    journal = Journal.join(folder, me=me.strip())
    try:
        tandem = journal.tandem()
        partner = tandem.name_of(journal.my_role.other) if tandem else "?"
        typer.echo(
            _("Joined as {me} ({role}); your partner is {partner}.").format(
                me=journal.me, role=_(journal.my_role.value), partner=partner
            )
        )
    finally:
        journal.close()


# -- status ------------------------------------------------------------------------


def _when(iso: str | None) -> str:
    if not iso:
        return _("never")
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def render_status(report: dict[str, Any]) -> None:
    """Plain lines, no Rich: status is the command people run most, so it starts fast."""
    status, me = report["status"], report["me"]
    out: list[str] = []
    tandem = status["tandem"]
    if tandem is not None:
        out.append(
            _("{mentor} (mentor) and {mentee} (mentee)").format(
                mentor=tandem["mentor"], mentee=tandem["mentee"]
            )
        )
        out.append(
            _("{cadence}, {minutes} min per session, {start} to {end} ({tz})").format(
                cadence=_(tandem["cadence"]),
                minutes=tandem["session_minutes"],
                start=tandem["start"],
                end=tandem["end"],
                tz=tandem["tz"],
            )
        )
    out.append(_("Journal: {folder}").format(folder=report["folder"]))
    out.append(
        _("You: {me} ({role}) on device {device}").format(
            me=me["person"], role=_(me["role"]), device=me["device"]
        )
    )
    out.append("")
    out.append(_("Devices:"))
    for device in status["devices"]:
        out.append(
            _("  {person} ({role}) on {label} [{device}]: last change {when}").format(
                person=device["person"],
                role=_(device["role"]),
                label=device["label"] or "?",
                device=device["device"],
                when=_when(device["last_change"]),
            )
        )
    for reason in status["read_only"]:
        out.append(_("Read-only: {reason}").format(reason=reason))
    out.append("")
    problems = status["problems"]
    needs_user = [p for p in problems if p["needs_user"]]
    fixed = [p for p in problems if not p["needs_user"]]

    def line(problem: dict[str, Any]) -> str:
        return f"{problem['file']}: {problem['message']}" if problem["file"] else problem["message"]

    if needs_user:
        out.append(_("Problems ({n}):").format(n=len(needs_user)))
        out.extend(f"  ! {line(p)}" for p in needs_user)
    if fixed:
        out.append(_("Put right by rmpair ({n}):").format(n=len(fixed)))
        out.extend(f"  - {line(p)}" for p in fixed)
    if not problems:
        out.append(_("Files: no problems found."))
    conflicts = status["conflicts"]
    if conflicts:
        out.append(
            _("Open conflicts ({n}): both values are kept until you choose.").format(
                n=len(conflicts)
            )
        )
        out.extend(f"  ~ {c['kind']} {c['record']}: {c['field']}" for c in conflicts)
    else:
        out.append(_("Conflicts: none."))
    typer.echo("\n".join(out))


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))] = False,
) -> None:
    """Show the tandem, the devices seen, file problems and open conflicts."""
    from rmpair.quick import cached_status

    report = cached_status(options.journal)
    if report is None:
        with opened() as journal:
            report = journal.status_report()
    if as_json:
        print_json(report["status"])
    else:
        render_status(report)


# -- demo ----------------------------------------------------------------------------


@app.command()
def demo(
    folder: Annotated[
        Path | None,
        typer.Argument(help=_("Where to create the sample journal (default: ./rmpair-demo).")),
    ] = None,
    years: Annotated[
        float | None,
        typer.Option(
            "--years",
            min=0.1,
            max=20,
            help=_("Make a long history of weekly sessions (for benchmarks)."),
        ),
    ] = None,
) -> None:
    """Create a realistic sample journal to look around in."""
    from rmpair.demo import build_demo

    target = folder or Path("rmpair-demo")
    summary = build_demo(target, years=years)
    typer.echo(
        _("Sample journal in {folder}: {changes} changes by {devices} devices.").format(
            folder=summary.folder, changes=summary.changes, devices=summary.devices
        )
    )


def main() -> None:
    """Entry point of the ``rmpair`` console script."""
    app(prog_name="rmpair")


if __name__ == "__main__":  # pragma: no cover
    main()
