"""``rmpair search``: find a word again in everything the pair wrote down."""

from __future__ import annotations

from typing import Annotated

import typer

from rmpair.cli._common import opened, parse_date_option, print_json, print_rows
from rmpair.i18n import _

app = typer.Typer()


@app.command()
def search(
    text: Annotated[str, typer.Argument(help=_("What to look for (upper or lower case alike)."))],
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            help=_(
                "Only this kind: topic, agenda, note, private, learning or action "
                "(repeat for more)."
            ),
        ),
    ] = None,
    session: Annotated[
        str | None,
        typer.Option("--session", "-s", help=_("Only this session (id, 'next' or 'last').")),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help=_("Only from this date on (YYYY-MM-DD)."))
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help=_("Only up to this date (YYYY-MM-DD)."))
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))] = False,
) -> None:
    """Search topics, agendas, notes (also your private ones), learnings and action items."""
    start = parse_date_option(since, "--since")
    end = parse_date_option(until, "--until")
    with opened(write=False) as journal:
        hits = journal.search.find(
            text,
            kinds=[k.strip().lower() for k in kind or ()],
            session=session,
            since=start,
            until=end,
        )
        if as_json:
            print_json([hit.to_json() for hit in hits])
            return
        if not hits:
            typer.echo(_("Nothing found for '{text}'.").format(text=text))
            return
        from rmpair import fmt
        from rmpair.cli._output import stdout_is_terminal
        from rmpair.domain.search import kind_label
        from rmpair.i18n import ngettext

        person = stdout_is_terminal()
        rows: list[list[str]] = []
        for hit in hits:
            if hit.session_start is not None:
                where = f"{hit.session_title}, {fmt.date(hit.session_start.date())}"
            elif hit.day is not None:
                where = _("added {date}").format(date=fmt.date(hit.day))
            else:
                where = ""
            # A person gets a short id (a unique prefix works); a program the whole one.
            rows.append(
                [kind_label(hit.kind), where, hit.snippet, hit.id[:8] if person else hit.id]
            )
        print_rows([_("kind"), _("where"), _("text"), _("id")], rows)
        if person:
            typer.echo(
                ngettext("{n} hit for '{text}'.", "{n} hits for '{text}'.", len(hits)).format(
                    n=len(hits), text=text
                )
            )
