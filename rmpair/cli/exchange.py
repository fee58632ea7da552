"""``rmpair import json``: a new journal from a JSON export (a backup, or a move)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rmpair.i18n import _

import_app = typer.Typer(no_args_is_help=True, add_completion=False)


@import_app.callback()
def import_group() -> None:
    """Make a new journal from an export."""


@import_app.command("json")
def import_json(
    file: Annotated[Path, typer.Argument(help=_("The file 'rmpair export json' wrote."))],
    into: Annotated[
        Path, typer.Option("--into", metavar="DIR", help=_("Folder for the new journal."))
    ],
    me: Annotated[str, typer.Option("--me", help=_("Your name in the exported tandem."))],
) -> None:
    """Start a new journal in DIR holding exactly what the export holds."""
    from rmpair.cli._common import fail, options
    from rmpair.export.exchange import import_into, load

    try:
        raw = file.read_bytes()
    except OSError as exc:
        fail(_("Cannot read {file}: {reason}").format(file=file, reason=exc.strerror or exc))
    from rmpair.cli._progress import progress

    with progress(_("Importing")) as step:
        journal = import_into(into, load(raw, file.name), me=me, clock=options.clock, progress=step)
    try:
        typer.echo(
            _("Restored the journal into {folder} as {me} ({role}).").format(
                folder=journal.folder, me=journal.me, role=_(journal.my_role.value)
            )
        )
    finally:
        journal.close()
