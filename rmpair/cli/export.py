"""``rmpair export``: the journal in formats other programs read (calendar, JSON).

``rmpair export ics`` writes the sessions as an .ics file that any calendar imports,
including a locked-down Outlook. Importing a newer file later updates the same events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rmpair.cli._files import AllowInJournalOpt
from rmpair.i18n import _

app = typer.Typer(
    help=_("Export the journal: calendar (.ics), JSON."),
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def export() -> None:
    """Export the journal: calendar (.ics), JSON."""


@app.command("ics")
def ics(
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help=_(
                "Where to write the calendar; '-' writes it to standard output, a folder "
                "gets rmpair-sessions.ics."
            ),
        ),
    ] = "rmpair-sessions.ics",
    series: Annotated[
        bool,
        typer.Option(
            "--series/--sessions",
            help=_(
                "--series: the programme's regular sessions as one recurring event (default); "
                "--sessions: one event per session."
            ),
        ),
    ] = True,
    prep_blocks: Annotated[
        bool,
        typer.Option(
            "--prep-blocks",
            help=_("Add 30 minutes of prep time before each session for the side that teaches."),
        ),
    ] = False,
    alarm: Annotated[
        int | None,
        typer.Option(
            "--alarm",
            metavar="MINUTES",
            help=_("Add a reminder this many minutes before each event (0 to 10080)."),
        ),
    ] = None,
    allow_in_journal: AllowInJournalOpt = False,
) -> None:
    """Write the sessions as an .ics calendar file to import into any calendar."""
    from rmpair.cli._common import fail, opened
    from rmpair.export.calendar import MAX_ALARM_MINUTES
    from rmpair.model.records import Role

    if alarm is not None and not 0 <= alarm <= MAX_ALARM_MINUTES:
        fail(
            _("--alarm: {value} is not between 0 and {most} minutes.").format(
                value=alarm, most=MAX_ALARM_MINUTES
            )
        )
    to_stdout = output == "-"
    if not to_stdout and not output.strip():
        fail(_("--output: give a file name, or '-' for standard output."))
    from rmpair.cli._progress import progress

    with opened(write=False) as journal:
        with progress(_("Exporting")):
            export = journal.calendar.ics_export(
                per_session=not series, prep_blocks=prep_blocks, alarm_minutes=alarm
            )
        if to_stdout:
            typer.echo(export.data, nl=False)
            journal.calendar.record_ics_export(export)
        else:
            target = journal.calendar.write_ics(
                export, Path(output), allow_in_journal=allow_in_journal
            )
        tandem = journal.tandem()
        me = journal.my_role
    notes: list[str] = []
    if prep_blocks and me not in export.prep_for and tandem is not None:
        names = " & ".join(tandem.name_of(role) for role in export.prep_for)
        notes.append(
            _("Note: the prep blocks are for {names}, who teaches in these sessions.").format(
                names=names or tandem.name_of(Role.MENTOR)
            )
        )
    if not to_stdout:
        typer.echo(
            _("Wrote {events} calendar events for {sessions} sessions to {path}.").format(
                events=len(export.calendar.events), sessions=len(export.sessions), path=target
            )
        )
        typer.echo(
            _(
                "Import it into your calendar; importing a newer export later updates these "
                "events instead of adding copies."
            )
        )
    for note in notes:
        typer.echo(note, err=True)


@app.command("json")
def json_export(
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help=_("Where to write the JSON; '-' writes it to standard output."),
        ),
    ] = "rmpair-journal.json",
    allow_in_journal: AllowInJournalOpt = False,
) -> None:
    """Write the whole journal (every record and open conflict, no private notes) as JSON.

    The same journal always gives the same bytes, on either device; 'rmpair import
    json' makes a new journal from the file.
    """
    import sys

    from rmpair.cli._common import fail, opened
    from rmpair.cli._progress import progress
    from rmpair.export.exchange import dumps, export_data

    if output != "-" and not output.strip():
        fail(_("--output: give a file name, or '-' for standard output."))
    with opened(write=False) as journal:
        with progress(_("Exporting")):
            data = dumps(export_data(journal))
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        # Same checks as every export, and a failed write is one line, not a traceback.
        target = journal.calendar.write_export(
            data,
            Path(output),
            allow_in_journal=allow_in_journal,
            default_name="rmpair-journal.json",
        )
    typer.echo(_("Wrote the journal to {path}.").format(path=target))
