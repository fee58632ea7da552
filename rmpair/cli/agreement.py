"""``rmpair agreement``: the pair's written expectations, edited together and signed by both.

The items start as the agreement template filled in with the tandem's frame. Any
change after a signature shows as "changed since signed", with what changed, until
that person signs again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from rmpair.cli._common import opened, print_json
from rmpair.cli.templates import report_problems
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.domain.agreement_views import AgreementView, ItemChange
    from rmpair.journal import Journal

app = typer.Typer(help=_("The agreed expectations: show, edit, sign."), no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]
KeyArg = Annotated[
    str, typer.Argument(help=_("The item's key (or its start), e.g. frequency or conf."))
]


def change_line(change: ItemChange) -> str:
    if change.change == "added":
        return _("      added: {title} [{key}]").format(title=change.title, key=change.key)
    if change.change == "removed":
        return _("      removed: {title} [{key}]").format(title=change.title, key=change.key)
    line = _("      changed: {title} [{key}]").format(title=change.title, key=change.key)
    if change.old_title != change.title:
        line += " " + _("(was titled '{old}')").format(old=change.old_title)
    if change.old_text != change.new_text:
        line += "\n" + _("        was: {text}").format(text=change.old_text)
        line += "\n" + _("        now: {text}").format(text=change.new_text)
    return line


def _local(stamp: object) -> str:
    """The signature's local time ("YYYY-MM-DD HH:MM") in the interface language."""
    import datetime as dt

    from rmpair import fmt

    try:
        return fmt.date_time(dt.datetime.strptime(str(stamp), "%Y-%m-%d %H:%M"))
    except ValueError:
        return str(stamp)


def render(journal: Journal, view: AgreementView) -> None:
    from rmpair.model.records import Role

    tandem = journal.tandem()
    out = [
        _("Tandem agreement: {mentor} (mentor) and {mentee} (mentee)").format(
            mentor=tandem.mentor if tandem else "?", mentee=tandem.mentee if tandem else "?"
        ),
        "",
    ]
    if not view.items:
        out.append(_("  (no items; add one with 'rmpair agreement add')"))
    for n, item in enumerate(view.items, start=1):
        out.append(f"{n:>2}. {item.title} [{item.key}]")
        out.append(f"    {item.text}")
    out.append("")
    out.append(_("Signatures:"))
    for role in Role:
        signature = view.signatures.get(role)
        name = tandem.name_of(role) if tandem else ""
        if signature is None:
            out.append(_("  {role} {name}: not signed yet").format(role=_(role.value), name=name))
            continue
        at = _local(signature.to_json(view.tz)["at_local"])
        if signature.current:
            out.append(
                _("  {role} {name}: signed {at}").format(
                    role=_(role.value), name=signature.signature.person, at=at
                )
            )
            continue
        out.append(
            _("  {role} {name}: signed {at}, but the agreement changed since:").format(
                role=_(role.value), name=signature.signature.person, at=at
            )
        )
        out.extend(change_line(c) for c in signature.changes)
        if signature.reordered:
            out.append(_("      the order of the items changed"))
    out.append("")
    if view.signed_by_both:
        out.append(_("Signed by both of you."))
    elif view.changed_since_signed:
        out.append(
            _(
                "Warning: changed since signed. Whoever signed before signs again with: "
                "rmpair agreement sign"
            )
        )
    else:
        out.append(_("Not signed by both yet. Sign with: rmpair agreement sign"))
    if not view.stored:
        out.append(
            _("(This is the template's wording; it is saved at the first edit or signature.)")
        )
    typer.echo("\n".join(out))


@app.command("show")
def show(as_json: JsonOpt = False) -> None:
    """Show the agreement, who signed it, and what changed since each signature."""
    with opened(write=False) as journal:
        report_problems(journal.templates())
        view = journal.agreement.view()
        if as_json:
            print_json(view.to_json())
        else:
            render(journal, view)


def _after_change(journal: Journal) -> None:
    """Say who has to sign again, now that the wording changed."""
    view = journal.agreement.view()
    stale = [v.signature.person for v in view.signatures.values() if v and not v.current]
    if stale:
        typer.echo(
            _("Changed since signed by {names}: sign again with 'rmpair agreement sign'.").format(
                names=_(" and ").join(stale)
            )
        )


@app.command("sign")
def sign() -> None:
    """Sign the agreement as it reads now (again, after a change)."""
    from rmpair.model.records import Role

    with opened() as journal:
        report_problems(journal.templates())
        signed = journal.agreement.sign_agreement()
        if signed:
            typer.echo(
                _("Signed the agreement as {me} ({role}).").format(
                    me=journal.me, role=_(journal.my_role.value)
                )
            )
        else:
            typer.echo(_("You have already signed the agreement as it reads now."))
        view = journal.agreement.view()
        partner = view.signatures.get(journal.my_role.other)
        tandem = journal.tandem()
        name = tandem.name_of(journal.my_role.other) if tandem else _(Role.MENTOR.value)
        if partner is None:
            typer.echo(_("Waiting for {name} to sign.").format(name=name))
        elif not partner.current:
            typer.echo(
                _("{name} signed an earlier version and needs to sign again.").format(name=name)
            )
        else:
            typer.echo(_("Both of you have signed."))


@app.command("edit")
def edit(
    key: KeyArg,
    text: Annotated[
        str | None,
        typer.Option(
            "--text",
            help=_(
                "The new wording; '-' reads it from stdin. Without --text and --title, "
                "$EDITOR opens on the current wording."
            ),
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help=_("A new title."))] = None,
) -> None:
    """Change an item's wording or title."""
    from rmpair.cli._text import editor_command, read_text

    # Without an editor, nothing given stays the mistake it was ("Give --text, --title").
    if text is None and title is None and editor_command() is not None:
        # Read the current wording first, so the journal is not held while the editor is open.
        with opened(write=False) as journal:
            current = journal.agreement.agreement_item(key).text
        text = read_text(None, current)
    elif text is not None:
        text = read_text(text)
    with opened() as journal:
        report_problems(journal.templates())
        real, changed = journal.agreement.edit_agreement_item(key, text=text, title=title)
        if changed:
            typer.echo(_("Changed '{key}'.").format(key=real))
            _after_change(journal)
        else:
            typer.echo(_("'{key}' already reads like that.").format(key=real))


@app.command("add")
def add(
    title: Annotated[str, typer.Option("--title", help=_("A short title."))],
    text: Annotated[
        str | None,
        typer.Option(
            "--text", help=_("What you agree on; '-' reads it from stdin, none opens $EDITOR.")
        ),
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help=_("Its key (default: made from the title)."))
    ] = None,
) -> None:
    """Add an item at the end of the agreement."""
    from rmpair.cli._text import read_text

    body = read_text(text)
    with opened() as journal:
        report_problems(journal.templates())
        new_key = journal.agreement.add_agreement_item(title, body, key=key)
        typer.echo(_("Added '{key}'.").format(key=new_key))
        _after_change(journal)


@app.command("remove")
def remove(key: KeyArg) -> None:
    """Remove an item from the agreement."""
    with opened() as journal:
        report_problems(journal.templates())
        real = journal.agreement.remove_agreement_item(key)
        typer.echo(_("Removed '{key}'.").format(key=real))
        _after_change(journal)
