"""The command line: a thin Typer shell over the journal facade.

Mistakes a user can make (a wrong folder, an impossible date, an unknown id) end with
one line on stderr and exit code 2, never a traceback. Heavy modules (Textual,
icalendar) are imported inside the commands that need them, so ``rmpair status``
starts about as fast as Typer itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click import core as click
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup, TyperOption

from rmpair import WEB_SESSION_ENV, __version__
from rmpair.cli import _click_text
from rmpair.cli._common import RmpairError, fail, options
from rmpair.i18n import _
from rmpair.quick import startup_language

startup_language()
_click_text.bind()


# Sub-apps, one per noun, each in rmpair/cli/<module>.py with an ``app``. They
# are imported only when used, so adding commands does not slow every start.
SUBCOMMANDS: dict[str, tuple[str, str]] = {}


def register(name: str, target: str, help_text: str) -> None:
    """Make ``rmpair NAME ...`` load ``rmpair.cli.MODULE`` (``MODULE:ATTR``) on demand."""
    SUBCOMMANDS[name] = (target, help_text)


# The foundation: a journal, its members, where it stands.
register("init", "core:init_app", _("Start a new journal for your tandem."))
register("join", "core:join_app", _("Join the journal your partner started, from this computer."))
register("status", "core:status_app", _("Show the tandem, devices, file problems and conflicts."))
register("demo", "core:demo_app", _("Create a realistic sample journal to look around in."))
# Setting up the tandem (issue: the ask, prerequisites, agreement, programme plan).
register("invite", "setup:invite_app", _("Print a friendly message asking a junior to mentor you."))
register("check", "setup:check_app", _("Confirm the prerequisites and see which need attention."))
register("agreement", "agreement", _("The agreed expectations: show, edit, sign."))
register("plan", "setup:plan_app", _("Plan the programme's sessions from cadence and end date."))
register("templates", "templates", _("List and show the templates in use."))
# Running the sessions.
register("topic", "topic", _("The topic backlog."))
register("session", "session", _("Sessions: list, show, plan, move, cancel, mark held."))
register("agenda", "agenda:agenda_app", _("Print a session's agenda and your prep checklist."))
register("prep", "agenda:prep_app", _("Tick or add items on your prep checklist."))
register("note", "notes:note_app", _("Add a shared or private note to a session."))
register("learned", "notes:learned_app", _("Record what you learned in a session."))
register("action", "notes:action_app", _("Action items: add, list, done."))
register("feedback", "notes:feedback_app", _("Rate a held session (1-5) with a comment."))
register("search", "search", _("Search topics, agendas, notes, learnings and action items."))
# Calendar and other exports.
register("export", "export", _("Export the journal: calendar (.ics), JSON."))
register("import", "exchange:import_app", _("Make a new journal from a JSON export."))
# The end of the programme: check-ins, evaluation, the pair's report.
register(
    "checkin",
    "evaluation:checkin_app",
    _("The mid-point check-in: how it is going for each of you."),
)
register(
    "evaluate", "evaluation:evaluate_app", _("The closing evaluation: feedback from both sides.")
)
register("assess", "assess:assess_app", _("The mentee's confidence per topic, before and after."))
register("report", "report", _("The programme's report: terminal, Markdown, HTML or JSON."))
# Looking after the journal folder.
register("doctor", "doctor", _("Check the journal folder and explain what needs you."))
register("encrypt", "crypto", _("Encrypt the journal's shared folder, or show how far that got."))
# The app in the leader's browser.
register("web", "web", _("Open the app in your browser, on this computer only."))


def _translate_help(command: Any) -> None:
    """Show a command's docstring help in the interface language (tools/i18n.py
    extracts the docstrings of Typer commands)."""
    if command.help:
        command.help = _(command.help)


def unknown_command(name: str, known: list[str]) -> str:
    """The one-line error for a command that does not exist, with the closest names."""
    import difflib

    close = difflib.get_close_matches(name, known, n=3)
    if not close:
        return _("No such command '{name}'; 'rmpair --help' lists them.").format(name=name)
    return _("No such command '{name}'. Did you mean {suggestions}?").format(
        name=name, suggestions=_(" or ").join(f"'{c}'" for c in close)
    )


def _set_journal(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None and not ctx.resilient_parsing:
        options.journal = Path(value)


def _accept_global_options(command: click.Command) -> None:
    """Let ``--journal/-j`` come after the command too (``rmpair status -j DIR``); each
    of a noun's commands gets it as it is built. It runs after the root's own option,
    so the later one wins, as people expect."""
    taken = {opt for param in command.params for opt in param.opts}
    if not taken & {"--journal", "-j"}:
        command.params.append(
            TyperOption(
                param_decls=["--journal", "-j", "global_journal"],
                type=str,
                expose_value=False,
                callback=_set_journal,
                help=_("The journal folder to use (default: the last one used)."),
            )
        )


def _finish(command: click.Command) -> None:
    """What every command of a noun gets once Typer has built it."""
    _translate_help(command)
    _accept_global_options(command)


class _Group(TyperGroup):
    """Loads sub-apps lazily, and turns user mistakes into one line on stderr and exit
    code 2 for every command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from rmpair.cli._completion import completion_options

        super().__init__(*args, **kwargs)
        self.params += completion_options()

    def get_params(self, ctx: Any) -> list[Any]:
        """Without Typer's completion options (added after ``__init__``): ours name the
        shell."""
        from rmpair.cli._completion import TYPER_NAMES

        return [p for p in super().get_params(ctx) if p.name not in TYPER_NAMES]

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """For listings (help, completion of names): a stand-in carrying the help text,
        so that listing commands imports none of them."""
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in SUBCOMMANDS:
            return found
        return TyperCommand(name=cmd_name, help=SUBCOMMANDS[cmd_name][1])

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """For running a command: import its module and build the real command. An
        unknown name ends in one line that suggests the closest names."""
        try:
            name, command, rest = super().resolve_command(ctx, args)
        except UsageError:
            if not args or args[0].startswith("-"):
                raise
            raise RmpairError(unknown_command(args[0], self.list_commands(ctx))) from None
        if name in SUBCOMMANDS:
            command = self.load(name)
        return name, command, rest

    @staticmethod
    def load(cmd_name: str) -> Any:
        import importlib

        from rmpair.cli._lazy import sub_app_command

        target, help_text = SUBCOMMANDS[cmd_name]
        module_name, _sep, attr = target.partition(":")
        module = importlib.import_module(f"rmpair.cli.{module_name}")
        command = sub_app_command(getattr(module, attr or "app"), _finish)
        command.name = cmd_name
        command.help = command.help or help_text
        # Shell completion is offered once, on the root, not on every sub-command.
        command.params = [
            p for p in command.params if p.name not in ("install_completion", "show_completion")
        ]
        return command

    def invoke(self, ctx: Any) -> Any:
        from rmpair.errors import ReadOnlyError, UserError

        try:
            return super().invoke(ctx)
        except (RmpairError, UserError, ReadOnlyError) as exc:
            message = str(exc)
        except OSError as exc:
            # A full disk, a read-only folder, a quota: say what and where, no traceback.
            from rmpair.errors import os_error_text

            message = os_error_text(exc)
        typer.echo(f"rmpair: {message}", err=True)
        raise typer.Exit(2)


app = typer.Typer(
    cls=_Group,
    help=_("rmpair: the journal of one reverse-mentoring pair, synced through a shared folder."),
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    # -h is help everywhere: sub-commands inherit this from the root's context.
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
        # The app served to a browser (rmpair web) talks through pipes, not a terminal.
        served = os.environ.get(WEB_SESSION_ENV) == "1"
        if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
            _without_terminal(ctx, journal)
            return
        if options.launch_app is None:
            fail(_("The app is not available here; run a command, e.g. 'rmpair --help'."))
        options.launch_app(journal, options.clock)


def _without_terminal(ctx: typer.Context, journal: Path | None) -> None:
    """``rmpair`` in a pipe or a script: the full-screen app would draw into the pipe
    and wait for keys that never come, so print the status instead, or the help while
    there is no journal yet."""
    from rmpair.store.home import Home

    if journal is None and Home().last_journal() is None:
        typer.echo(ctx.get_help())
        return
    ctx.invoke(_Group.load("status"))


def main() -> None:
    """Run the command line (entry.py adds the app for ``rmpair`` without a command)."""
    app(prog_name="rmpair")


if __name__ == "__main__":  # pragma: no cover
    main()
