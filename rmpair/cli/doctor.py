"""``rmpair doctor``: check the journal folder and say what, if anything, needs you."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from rmpair.i18n import _, ngettext

if TYPE_CHECKING:
    from rmpair.doctor.report import Report

app = typer.Typer(add_completion=False)


@app.command()
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))] = False,
) -> None:
    """Check the journal folder and explain what needs you.

    Exits with 1 when something needs you (a warning or a problem), 0 otherwise.
    """
    from rmpair.cli._common import opened, print_json
    from rmpair.doctor.checks import examine

    with opened() as journal:
        report = examine(journal)
    if as_json:
        print_json(report.to_json())
    else:
        _render(report)
    if report.needs_user:
        raise typer.Exit(1)


def _render(report: Report) -> None:
    from rmpair.doctor.report import Severity

    labels = {
        Severity.PROBLEM: _("Problem"),
        Severity.WARNING: _("Warning"),
        Severity.INFO: _("Note"),
    }
    out: list[str] = []
    if report.sync_tool:
        out.append(
            _("Checked {folder} (shared with {tool}).").format(
                folder=report.folder, tool=report.sync_tool
            )
        )
    else:
        out.append(_("Checked {folder}.").format(folder=report.folder))
    for finding in report.findings:
        out.append("")
        out.append(f"{labels[finding.severity]}: {finding.message}")
        if finding.file and finding.file not in finding.message:
            out.append("  " + _("File: {file}").format(file=finding.file))
        if finding.advice:
            out.append("  " + _("What to do: {advice}").format(advice=finding.advice))
    out.append("")
    needing = sum(1 for f in report.findings if f.severity is not Severity.INFO)
    if needing:
        out.append(
            ngettext("{n} thing needs you.", "{n} things need you.", needing).format(n=needing)
        )
    else:
        out.append(_("All good: nothing needs you."))
    typer.echo("\n".join(out))
