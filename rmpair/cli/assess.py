"""``rmpair assess``: the mentee's confidence per topic before the first and after the
last session. Without ``--confidence`` it only shows; ``--ask`` asks for each topic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from rmpair.cli._common import console, fail, opened, print_json, print_table
from rmpair.cli._prompts import ask_question, parse_scale
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.journal import Journal

assess_app = typer.Typer()

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]


@assess_app.command()
def assess(
    phase: Annotated[
        str | None,
        typer.Option(
            "--phase",
            metavar="before|after",
            help=_("Before the first session, or after the last."),
        ),
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option("--topic", metavar="ID", help=_("The topic (id or the start of one).")),
    ] = None,
    confidence: Annotated[
        int | None,
        typer.Option(
            "--confidence", metavar="N", help=_("How confident you feel on it, 1 (low) to 5.")
        ),
    ] = None,
    ask: Annotated[
        bool,
        typer.Option("--ask", help=_("Ask for your confidence on each of the programme's topics.")),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The mentee's self-assessment: confidence per topic before and after the programme.

    Without --confidence or --ask it shows the table: each topic worth assessing (the
    programme's themes and the sessions' topics) with the values before and after.
    """
    from rmpair.domain.evaluation import check_scale, parse_phase
    from rmpair.model.lifecycle import Phase
    from rmpair.model.records import SessionStatus

    chosen: Phase | None = parse_phase(phase) if phase is not None else None
    if confidence is not None:
        check_scale(confidence, "--confidence")
        if chosen is None or topic is None:
            fail(_("--confidence needs --phase before|after and --topic ID."))
    if ask and chosen is None:
        fail(_("--ask needs --phase before|after."))
    with opened(write=confidence is not None or ask) as journal:
        changed = False
        with journal.batch():
            if confidence is not None and chosen is not None and topic is not None:
                changed = journal.evaluation.assess(chosen, topic, confidence)
            if ask and chosen is not None:
                journal.evaluation.require_assessor()  # before asking anything
                rows = {
                    r.topic: r for r in journal.evaluation.assessment_rows(include_unrated=True)
                }
                targets = (
                    [journal.backlog.topic(topic)]
                    if topic
                    else journal.evaluation.assessment_topics()
                )
                if not targets:
                    fail(_("No topics yet: add some with 'rmpair topic add'."))
                for found in targets:
                    row = rows.get(found.id)
                    old = None
                    if row is not None:
                        old = row.before if chosen is Phase.BEFORE else row.after
                    value = ask_question(
                        _("{title}: confidence 1-5").format(title=found.title),
                        str(old) if old else "",
                        parse_scale("--confidence"),
                    )
                    if value is not None:
                        changed = journal.evaluation.assess(chosen, found.id, value) or changed
        rows_out = journal.evaluation.assessment_rows(include_unrated=True)
        sessions = journal.sessions.all()
        held = sum(1 for s in sessions if s.status is SessionStatus.HELD)
        ahead = sum(1 for s in sessions if s.status is SessionStatus.PLANNED)
        notes: list[str] = []
        if changed and chosen is Phase.BEFORE and held > 1:
            notes.append(
                _(
                    "Note: {n} sessions are already held; 'before' is how confident you were "
                    "at the start."
                ).format(n=held)
            )
        if changed and chosen is Phase.AFTER and ahead:
            notes.append(
                _(
                    "Note: {n} sessions are still planned; you can give 'after' again once "
                    "the last one is held."
                ).format(n=ahead)
            )
        if as_json:
            print_json(
                {
                    "changed": changed,
                    "my_role": journal.my_role.value,
                    "topics": [r.to_json() for r in rows_out],
                }
            )
        else:
            if changed:
                typer.echo(_("Your self-assessment is saved."), err=True)
            _print_assessment(journal, rows_out)
    for note in notes:
        typer.echo(note, err=True)


def _print_assessment(journal: Journal, rows: list[Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    from rmpair.report.model import category_label

    out = console()
    tandem = journal.tandem()
    name = tandem.mentee if tandem else ""
    out.print(
        Text(
            _("Self-assessment of {name} (mentee): confidence 1-5").format(name=name),
            style="bold",
        )
    )
    if not rows:
        out.print(_("No topics yet: add some with 'rmpair topic add'."))
        return
    table = Table(box=None, pad_edge=False)
    for header in (_("id"), _("topic"), _("category"), _("before"), _("after"), _("change")):
        table.add_column(header)
    for row in rows:
        change = row.change
        table.add_row(
            row.topic,
            Text(row.title),
            category_label(row.category) if row.category else "",
            str(row.before) if row.before else "-",
            str(row.after) if row.after else "-",
            "-" if change is None else (f"+{change}" if change > 0 else str(change)),
        )
    print_table(table, out)
