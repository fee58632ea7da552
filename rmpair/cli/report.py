"""``rmpair report``: the programme's report, in the terminal or as a file to share.

The report is the pair's own record of the programme (see ``rmpair/report.py``). It
never holds private notes; shared notes only with ``--with-notes``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rmpair.cli._files import AllowInJournalOpt
from rmpair.i18n import _

app = typer.Typer()


def output_format(fmt: str | None, output: str | None) -> str | None:
    """The format to write: ``--format``, else the output file's extension; None for the
    terminal view. A file whose extension tells nothing needs ``--format``."""
    from rmpair.cli._common import fail
    from rmpair.report.formats import EXTENSIONS, FORMATS

    if fmt is not None:
        chosen = fmt.strip().lower()
        chosen = {"markdown": "md", "htm": "html"}.get(chosen, chosen)
        if chosen not in FORMATS:
            fail(_("--format must be md, html or json, not '{value}'.").format(value=fmt))
        return chosen
    if output is None:
        return None
    if output == "-":
        return "md"
    target = Path(output).expanduser()
    if target.is_dir():
        return "html"
    found = EXTENSIONS.get(target.suffix.lower())
    if found is None:
        fail(
            _(
                "-o: cannot tell the format from '{name}'; name it .md, .html or .json, or "
                "add --format md|html|json."
            ).format(name=target.name)
        )
    return found


@app.command()
def report(
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="md|html|json",
            help=_(
                "Markdown, HTML (one file with charts, prints well) or JSON. Default: from "
                "the -o file's extension; without -o, a view in the terminal."
            ),
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help=_("Write the report to FILE ('-' for standard output; a folder gets a name)."),
        ),
    ] = None,
    with_notes: Annotated[
        bool,
        typer.Option(
            "--with-notes",
            help=_("Include the shared session notes (private notes are never included)."),
        ),
    ] = False,
    allow_in_journal: AllowInJournalOpt = False,
) -> None:
    """The programme's report: sessions, hours, topics, learnings, action items, ratings,
    self-assessment, both evaluations and recommendations."""
    from rmpair.cli._common import fail, opened
    from rmpair.report.build import build_report
    from rmpair.report.formats import render
    from rmpair.report.terminal import render_rich

    chosen = output_format(fmt, output)
    if output is not None and output != "-" and not output.strip():
        fail(_("--output: give a file name, or '-' for standard output."))
    with opened(write=False) as journal:
        data = build_report(journal, with_notes=with_notes)
        if chosen is None:
            from rmpair.cli._common import console

            console().print(render_rich(data))
            return
        text = render(data, chosen)
        if output is None or output == "-":
            typer.echo(text, nl=False)
            return
        target = journal.calendar.write_export(
            text.encode("utf-8"),
            Path(output),
            allow_in_journal=allow_in_journal,
            default_name=f"rmpair-report.{chosen}",
        )
    typer.echo(_("Wrote the report to {path}.").format(path=target))
