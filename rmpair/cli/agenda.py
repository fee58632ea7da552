"""``rmpair agenda`` and ``rmpair prep``: a session's agenda with its timeboxes, and the
two prep checklists. Both print through the helpers in ``_sessions.py``, as
``session show`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from rmpair.cli._common import console, opened, print_json
from rmpair.cli._sessions import (
    JsonOpt,
    action_json,
    action_line,
    agenda_json,
    parse_numbers,
    prep_json,
    print_agenda,
    readiness_line,
    session_json,
    when_text,
)
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.journal import Journal
    from rmpair.model.records import Session

agenda_app = typer.Typer()
prep_app = typer.Typer()


# -- rmpair agenda -------------------------------------------------------------------------


@agenda_app.command()
def agenda(
    session: Annotated[
        str,
        typer.Argument(help=_("A session id (or the start of one), 'next' or 'last'.")),
    ] = "next",
    cover: Annotated[
        list[str] | None,
        typer.Option("--cover", help=_("Mark agenda item N covered (repeatable, or 1,3).")),
    ] = None,
    uncover: Annotated[
        list[str] | None,
        typer.Option("--uncover", help=_("Mark agenda item N not covered.")),
    ] = None,
    add_topic: Annotated[
        list[str] | None,
        typer.Option("--add-topic", help=_("Put a backlog topic (id) on this agenda.")),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a session's agenda with timeboxes and your prep checklist."""
    to_cover, _all = parse_numbers(cover, "--cover")
    to_uncover, _all = parse_numbers(uncover, "--uncover")
    changing = bool(to_cover or to_uncover or add_topic)
    with opened() as journal:
        found = journal.sessions.find_session(session)
        if changing:
            with journal.batch():
                journal.agenda.mark(found.id, to_cover, True)
                journal.agenda.mark(found.id, to_uncover, False)
                for topic in add_topic or ():
                    journal.sessions.add_topic_to_session(found.id, topic)
            found = journal.sessions.find_session(found.id)
        _show_agenda(journal, found, as_json)


def _show_agenda(journal: Journal, found: Session, as_json: bool) -> None:
    """The agenda view (or its JSON) of one session."""
    mine = [p for p in prep_json(journal, found) if p["mine"]]
    box = journal.agenda.timebox(found)
    done = sum(1 for p in mine if p["done"])
    data: dict[str, Any] = {
        "session": session_json(journal, found),
        "items": agenda_json(journal, found),
        "total_minutes": box.total,
        "length": box.length,
        "over_by": box.over,
        "open_action_items": [
            action_json(journal, a) for a in journal.sessions.open_action_items(found)
        ],
        "action_items": [
            action_json(journal, a) for a in journal.sessions.session_action_items(found.id)
        ],
        "my_role": journal.my_role.value,
        "prep": {
            "role": journal.my_role.value,
            "done": done,
            "total": len(mine),
            "items": mine,
        },
    }
    if as_json:
        print_json(data)
        return
    _print_agenda_view(journal, found, data)


def _print_agenda_view(journal: Journal, session: Session, data: dict[str, Any]) -> None:
    from rich.text import Text

    out = console()
    out.print(
        Text("{title}  [{id}]".format(title=data["session"]["title"], id=session.id), style="bold")
    )
    out.print(
        _("{when} ({tz}), {status}").format(
            when=when_text(session), tz=session.tz, status=_(session.status.value)
        )
    )
    print_agenda(journal, session, data["items"])
    if data["open_action_items"]:
        out.print()
        out.print(Text(_("Open action items to go through"), style="bold"))
        for action in data["open_action_items"]:
            out.print(Text("  " + action_line(action)))
    if data["action_items"]:
        out.print()
        out.print(Text(_("Action items from this session"), style="bold"))
        for action in data["action_items"]:
            out.print(Text("  " + action_line(action)))
    prep = data["prep"]
    out.print()
    out.print(
        Text(
            _("Your checklist as {role} ({done}/{total})").format(
                role=_(prep["role"]), done=prep["done"], total=prep["total"]
            ),
            style="bold",
        )
    )
    for item in prep["items"]:
        mark = "x" if item["done"] else " "
        out.print(Text(f"  {item['number']:>2}. [{mark}] {item['text']}"))
    out.print(readiness_line(journal, session))


# -- rmpair prep ---------------------------------------------------------------------------


@prep_app.command()
def prep(
    session: Annotated[
        str,
        typer.Argument(help=_("A session id (or the start of one), 'next' or 'last'.")),
    ] = "next",
    tick: Annotated[
        list[str] | None,
        typer.Option("--tick", help=_("Tick item N of your checklist (repeatable, or 1,3).")),
    ] = None,
    untick: Annotated[list[str] | None, typer.Option("--untick", help=_("Untick item N."))] = None,
    add: Annotated[
        list[str] | None,
        typer.Option("--add", help=_("Add an item to your checklist for this session.")),
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help=_("Remove item N of your checklist."))
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Both prep checklists of a session; tick, add or remove items of your own."""
    to_tick, _all = parse_numbers(tick, "--tick")
    to_untick, _all = parse_numbers(untick, "--untick")
    to_remove, _all = parse_numbers(remove, "--remove")
    changing = bool(to_tick or to_untick or to_remove or add)
    with opened() as journal:
        found = journal.sessions.find_session(session)
        if changing:
            with journal.batch():
                # Numbers refer to the list as shown before this command.
                journal.agenda.tick_prep(found.id, to_tick, True)
                journal.agenda.tick_prep(found.id, to_untick, False)
                journal.agenda.remove_prep(found.id, to_remove)
                for text in add or ():
                    journal.agenda.add_prep(found.id, text)
        ready = journal.agenda.readiness(found.id)
        data: dict[str, Any] = {
            "session": found.id,
            "my_role": journal.my_role.value,
            "items": prep_json(journal, found),
            "readiness": {
                role.value: {"done": done, "total": total} for role, (done, total) in ready.items()
            },
        }
        if as_json:
            print_json(data)
            return
        from rich.text import Text

        out = console()
        out.print(
            Text(
                _("Prep for {title}, {when}  [{id}]").format(
                    title=journal.sessions.session_title(found), when=when_text(found), id=found.id
                ),
                style="bold",
            )
        )
        tandem = journal.tandem()
        for role in ready:
            done, total = ready[role]
            name = tandem.name_of(role) if tandem else ""
            header = _("{role} ({name}): {done}/{total} ready").format(
                role=_(role.value), name=name, done=done, total=total
            )
            if role is journal.my_role:
                header += "  " + _("(yours)")
            out.print()
            out.print(Text(header, style="bold"))
            for item in data["items"]:
                if item["role"] == role.value:
                    mark = "x" if item["done"] else " "
                    out.print(Text(f"  {item['number']:>2}. [{mark}] {item['text']}"))
