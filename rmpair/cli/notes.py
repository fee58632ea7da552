"""``rmpair note``, ``learned``, ``action`` and ``feedback``: what a session leaves behind."""

from __future__ import annotations

from typing import Annotated

import typer

from rmpair.cli._common import console, fail, opened, parse_date_option, print_json, print_rows
from rmpair.cli._sessions import SessionArg, action_json, parse_role, when_text
from rmpair.i18n import _

note_app = typer.Typer(
    help=_("Notes on a session: shared, or private to this device."), no_args_is_help=True
)
learned_app = typer.Typer()
action_app = typer.Typer(help=_("Action items: add, list, done."), no_args_is_help=True)
feedback_app = typer.Typer()

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]
TextArg = Annotated[
    str | None,
    typer.Argument(
        help=_("The text (Markdown is fine); '-' reads it from stdin, none opens $EDITOR.")
    ),
]


# -- notes ---------------------------------------------------------------------------------


@note_app.command("add")
def note_add(
    session: SessionArg,
    text: TextArg = None,
    private: Annotated[
        bool,
        typer.Option(
            "--private", help=_("Keep it on this device only; it never enters the journal.")
        ),
    ] = False,
) -> None:
    """Add a note to a session (shared with your partner unless --private)."""
    from rmpair.cli._text import read_text

    body = read_text(text)
    with opened() as journal:
        found = journal.sessions.find_session(session)
        journal.notes.add_note(found.id, body, private=private)
        if private:
            typer.echo(
                _("Private note added to session {id} (on this device only).").format(id=found.id)
            )
        else:
            typer.echo(_("Note added to session {id}.").format(id=found.id))


@note_app.command("list")
def note_list(session: SessionArg, as_json: JsonOpt = False) -> None:
    """A session's notes: shared ones, and your private ones from this device."""
    with opened() as journal:
        found = journal.sessions.find_session(session)
        notes = journal.notes.for_session(found.id)
        if as_json:
            print_json([n.to_json() for n in notes])
            return
        if not notes:
            typer.echo(_("No notes on session {id} yet.").format(id=found.id))
            return
        from rich.markdown import Markdown
        from rich.text import Text

        from rmpair.domain.invite import local_time

        # Stamps are stored in UTC; people read them in the tandem's zone.
        tandem = journal.tandem()
        tz = tandem.tz if tandem else "UTC"
        out = console()
        out.print(
            Text(
                _("Notes on {title}, {when}").format(
                    title=journal.sessions.session_title(found), when=when_text(found)
                ),
                style="bold",
            )
        )
        for note in notes:
            who = _("private, only on this device") if note.private else _(note.author.value)
            out.print()
            out.print(Text(f"{local_time(note.created, tz)}  ({who})", style="dim"))
            out.print(Markdown(note.text))


# -- learnings -----------------------------------------------------------------------------


@learned_app.command()
def learned(
    session: SessionArg,
    text: Annotated[
        str | None,
        typer.Argument(help=_("What you learned; '-' reads it from stdin, none opens $EDITOR.")),
    ] = None,
) -> None:
    """Record what you learned in a session: both of you should."""
    from rmpair.cli._text import read_text

    body = read_text(text)
    with opened() as journal:
        found = journal.sessions.find_session(session)
        journal.notes.add_learning(found.id, body)
        typer.echo(
            _("Noted what you learned in session {id}, as {role}.").format(
                id=found.id, role=_(journal.my_role.value)
            )
        )


# -- action items --------------------------------------------------------------------------


@action_app.command("add")
def action_add(
    text: Annotated[str, typer.Argument(help=_("What is to be done."))],
    session: Annotated[
        str | None,
        typer.Option("--session", help=_("The session it came from (id, 'next' or 'last').")),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help=_("mentor or mentee (default: you)."))
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help=_(
                "A date (YYYY-MM-DD, or e.g. tomorrow, fri, +2w) or 'next' for the next session."
            ),
        ),
    ] = None,
) -> None:
    """Add an action item; open ones show on the next session's agenda."""
    role = parse_role(owner, "--owner")
    due_next = due is not None and due.strip().lower() == "next"
    with opened() as journal:
        due_date = (
            None
            if due is None or due_next
            else parse_date_option(due.strip(), "--due", journal.today())
        )
        item_id = journal.notes.add_action(
            text, session_id=session, owner=role, due=due_date, due_next_session=due_next
        )
        item = journal.notes.action_item(item_id)
        typer.echo(
            _("Added action item {id} for the {owner}.").format(
                id=item.id, owner=_(item.owner.value)
            )
        )
        if item.due is not None:
            from rmpair import fmt

            # Echo the resolved day, so "fri" or "+2w" read wrongly shows at once.
            typer.echo(_("Due {date}.").format(date=fmt.date(item.due)))


@action_app.command("list")
def action_list(
    open_only: Annotated[bool, typer.Option("--open", help=_("Only open action items."))] = False,
    as_json: JsonOpt = False,
) -> None:
    """Action items, open first, by due date."""
    with opened() as journal:
        items = journal.notes.action_items(open_only=open_only)
        rows = [action_json(journal, a) for a in items]
        if as_json:
            print_json(rows)
            return
        if not rows:
            typer.echo(_("No action items."))
            return
        lines: list[list[str]] = []
        for row in rows:
            if row["due"]:
                due = row["due"] + (" " + _("(overdue)") if row["overdue"] else "")
            elif row["due_next_session"]:
                due = _("next session")
            else:
                due = ""
            lines.append(
                [row["id"], "[x]" if row["done"] else "[ ]", row["text"], _(row["owner"]), due]
            )
        print_rows([_("id"), "", _("action item"), _("owner"), _("due")], lines)


@action_app.command("done")
def action_done(
    action: Annotated[str, typer.Argument(help=_("An action item id (or the start of one)."))],
) -> None:
    """Mark an action item done."""
    with opened() as journal:
        item = journal.notes.action_item(action)
        if journal.notes.complete_action(item.id):
            typer.echo(_("Done: {text}").format(text=item.text))
        else:
            typer.echo(_("Already done: {text}").format(text=item.text))


# -- feedback ------------------------------------------------------------------------------


@feedback_app.command()
def feedback(
    session: SessionArg,
    rating: Annotated[int, typer.Option("--rating", help=_("1 (poor) to 5 (excellent)."))],
    comment: Annotated[str, typer.Option("--comment", help=_("What worked, what to change."))] = "",
) -> None:
    """Rate a held session from 1 to 5; rating again replaces your earlier rating."""
    if not 1 <= rating <= 5:
        fail(_("--rating must be 1 to 5"))
    with opened() as journal:
        found = journal.sessions.find_session(session)
        journal.notes.give_feedback(found.id, rating, comment)
        typer.echo(
            _("Thanks: your feedback on session {id} is saved ({rating}/5).").format(
                id=found.id, rating=rating
            )
        )
