"""``rmpair session``, ``rmpair agenda`` and ``rmpair prep``: planning and running sessions.

Also holds the small helpers the other session-area commands share (number lists,
roles, the JSON form of a session and an action item), so ``topic`` and ``notes``
print the same shapes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rmpair.cli._common import fail, opened, print_json
from rmpair.i18n import _, ngettext

if TYPE_CHECKING:
    from rich.console import Console

    from rmpair.domain.session_times import CarryOver, Timebox
    from rmpair.journal import Journal
    from rmpair.model.records import ActionItem, Role, Session, Topic

app = typer.Typer(
    help=_("Sessions: list, show, plan, move, cancel, mark held."), no_args_is_help=True
)
agenda_app = typer.Typer()
prep_app = typer.Typer()

SessionArg = Annotated[
    str,
    typer.Argument(help=_("A session id (or the start of one), 'next' or 'last'.")),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]


# -- shared helpers -------------------------------------------------------------------


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def parse_numbers(
    values: Sequence[str] | None, flag: str, *, allow_all: bool = False
) -> tuple[list[int], bool]:
    """Item numbers from repeated or comma-separated values; ``all`` where allowed."""
    numbers: list[int] = []
    everything = False
    for value in values or ():
        for part in value.split(","):
            text = part.strip()
            if allow_all and text.casefold() == "all":
                everything = True
                continue
            if not text.isdigit() or int(text) < 1:
                hint = _("a number such as 2, or 'all'") if allow_all else _("a number such as 2")
                fail(
                    _("{flag}: '{value}' is not an item number (use {hint}).").format(
                        flag=flag, value=part, hint=hint
                    )
                )
            numbers.append(int(text))
    return list(dict.fromkeys(numbers)), everything


def parse_role(value: str | None, flag: str) -> Role | None:
    from rmpair.model.records import Role

    if value is None:
        return None
    try:
        return Role(value.strip().lower())
    except ValueError:
        fail(
            _("{flag} must be 'mentor' or 'mentee', not '{value}'.").format(flag=flag, value=value)
        )


def minutes_text(minutes: int) -> str:
    return _("{n} min").format(n=minutes)


def when_text(session: Session, *, compact: bool = False) -> str:
    """``Tue 24 Nov 2026, 17:30–18:30`` (German: ``Di., 24. Nov. 2026, 17:30–18:30``)
    in the session's own zone; ``compact`` is for a column: ``Tue 2026-11-24 17:30–18:30``."""
    from rmpair import fmt
    from rmpair.domain.session_times import local_end

    if session.start is None:
        return "?"
    end = local_end(session)
    if compact:
        return f"{fmt.compact(session.start)}{fmt.RANGE_DASH}{fmt.time(end)}"
    return fmt.time_span(session.start, end)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def over_text(box: Timebox) -> str:
    return _(
        "The agenda's timeboxes add up to {total} min, {over} min more than the session's {length}."
    ).format(total=box.total, over=box.over, length=box.length)


def action_json(journal: Journal, item: ActionItem) -> dict[str, Any]:
    due_session = journal.notes.action_due_session(item)
    today = journal.today()
    return {
        "id": item.id,
        "text": item.text,
        "owner": item.owner.value,
        "due": item.due.isoformat() if item.due else None,
        "due_next_session": item.due_next_session,
        "due_session": due_session.id if due_session else None,
        "done": item.done,
        "overdue": bool(not item.done and item.due is not None and item.due < today),
        "session": item.session or None,
        "created": item.created,
    }


def session_json(journal: Journal, session: Session) -> dict[str, Any]:
    """The summary of a session that ``session list`` and every other view share."""
    from rmpair.domain.nudges import was_moved
    from rmpair.domain.session_times import local_end

    box = journal.agenda.timebox(session)
    ready = journal.agenda.readiness(session.id)
    return {
        "id": session.id,
        "title": journal.sessions.session_title(session),
        "kind": session.kind.value,
        "status": session.status.value,
        "start": _iso(session.start),
        "end": _iso(local_end(session)) if session.start else None,
        "tz": session.tz,
        "minutes": session.minutes,
        "direction": session.direction.value,
        "planned_start": _iso(session.planned_start),
        "moved": was_moved(session),
        "series": session.series or None,
        "theme": session.theme or None,
        "topics": journal.sessions.session_topics(session),
        "agenda_minutes": box.total,
        "over_by": box.over,
        "readiness": {
            role.value: {"done": done, "total": total} for role, (done, total) in ready.items()
        },
    }


def agenda_json(journal: Journal, session: Session) -> list[dict[str, Any]]:
    items = journal.agenda.items(session.id)
    out: list[dict[str, Any]] = []
    clock = session.start
    for number, item in enumerate(items, start=1):
        begins = clock
        clock = clock + dt.timedelta(minutes=item.minutes) if clock is not None else None
        out.append(
            {
                "number": number,
                "id": item.id,
                "title": item.title,
                "minutes": item.minutes,
                "start": _iso(begins),
                "end": _iso(clock),
                "topic": item.topic or None,
                "covered": item.covered,
            }
        )
    return out


def prep_json(journal: Journal, session: Session) -> list[dict[str, Any]]:
    return [
        {
            "number": number,
            "id": item.id,
            "role": item.role.value,
            "text": item.text,
            "done": item.done,
            "mine": item.role is journal.my_role,
        }
        for number, item in enumerate(journal.agenda.prep_items(session.id), start=1)
    ]


def readiness_line(journal: Journal, session: Session) -> str:
    ready = journal.agenda.readiness(session.id)
    return "  ".join(
        _("{role} {done}/{total} ready").format(role=_(role.value), done=done, total=total)
        for role, (done, total) in ready.items()
    )


def topic_titles(journal: Journal, ids: Sequence[str]) -> list[str]:
    from rmpair.model.records import Topic

    titles: list[str] = []
    for topic_id in ids:
        topic: Topic | None = journal.get(Topic, topic_id)
        titles.append(topic.title if topic else topic_id)
    return titles


def report_carry(journal: Journal, result: CarryOver) -> None:
    """Tell what moved where after ``held`` or ``cancel``."""
    from rmpair.model.records import Session

    target = journal.get(Session, result.to_session) if result.to_session else None
    if result.covered_topics:
        typer.echo(
            _("Covered: {titles}.").format(
                titles=", ".join(topic_titles(journal, result.covered_topics))
            )
        )
    if result.moved_topics and target is not None:
        typer.echo(
            _("Carried over to session {id} ({when}): {titles}.").format(
                id=target.id,
                when=when_text(target),
                titles=", ".join(topic_titles(journal, result.moved_topics)),
            )
        )
    if result.back_to_backlog:
        typer.echo(
            _(
                "No session is planned, so these went back to the top of the backlog: {titles}."
            ).format(titles=", ".join(topic_titles(journal, result.back_to_backlog)))
        )
    if result.open_actions:
        where = (
            _("they show on the agenda of session {id}.").format(id=target.id)
            if target is not None
            else _("they show on the next session's agenda.")
        )
        typer.echo(
            ngettext(
                "{n} open action item stays open; {where}",
                "{n} open action items stay open; {where}",
                len(result.open_actions),
            ).format(n=len(result.open_actions), where=where)
        )
    if result.timebox is not None and result.timebox.over and result.moved_topics:
        typer.echo(_("Warning: ") + over_text(result.timebox), err=True)


# -- rmpair session ... ------------------------------------------------------------------


@app.command("plan")
def plan(
    at: Annotated[
        str,
        typer.Option("--at", help=_("When, as YYYY-MM-DD HH:MM in the tandem's time zone.")),
    ],
    kind: Annotated[
        str, typer.Option("--kind", help=_("kickoff, regular, retrospective or project."))
    ] = "regular",
    length: Annotated[
        int | None,
        typer.Option(
            "--length", min=10, max=480, help=_("Minutes (default: the tandem's session length).")
        ),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help=_("A backlog topic to put on the agenda (repeatable).")),
    ] = None,
    title: Annotated[str, typer.Option("--title", help=_("A title of its own."))] = "",
) -> None:
    """Plan a session: agenda from the kind's template and the chosen topics, and a prep
    checklist for each of you."""
    from rmpair.domain.session_times import parse_wall_time, start_utc
    from rmpair.model.records import Direction, Session, SessionKind

    try:
        chosen_kind = SessionKind(kind.strip().lower())
    except ValueError:
        fail(
            _("--kind must be kickoff, regular, retrospective or project, not '{value}'.").format(
                value=kind
            )
        )
    with opened() as journal:
        tandem = journal.tandem()
        if tandem is None:
            fail(_("The journal has no tandem yet."))
        start = parse_wall_time(at, "--at", tandem.tz)
        topics = journal.sessions.plannable_topics(topic or ())
        session_id = journal.sessions.plan_session(
            start, kind=chosen_kind, minutes=length, topics=topics, title=title.strip()
        )
        session = journal.get(Session, session_id)
        assert session is not None
        typer.echo(
            _("Planned session {id}: {title}, {when} ({minutes}).").format(
                id=session.id,
                title=journal.sessions.session_title(session),
                when=when_text(session),
                minutes=minutes_text(session.minutes),
            )
        )
        if session.direction is Direction.MENTEE_TEACHES:
            typer.echo(_("This time the mentee teaches and the mentor learns."))
        box = journal.agenda.timebox(session)
        if box.over:
            typer.echo(_("Warning: ") + over_text(box), err=True)
        if session.minutes < 30:
            typer.echo(
                _(
                    "Note: sessions under 30 minutes rarely leave room to learn; "
                    "the method recommends 30 to 60."
                ),
                err=True,
            )
        if start_utc(session) < journal.now():
            typer.echo(_("Note: that time is in the past."), err=True)
        for other in journal.sessions.all():
            if other.id != session.id and _overlaps(other, session):
                typer.echo(
                    _("Note: it overlaps session {id} ({when}).").format(
                        id=other.id, when=when_text(other)
                    ),
                    err=True,
                )


def _overlaps(a: Session, b: Session) -> bool:
    from rmpair.domain.session_times import end_utc, start_utc
    from rmpair.model.records import SessionStatus

    if SessionStatus.CANCELLED in (a.status, b.status) or a.start is None or b.start is None:
        return False
    return start_utc(a) < end_utc(b) and start_utc(b) < end_utc(a)


@app.command("list")
def list_sessions(
    upcoming: Annotated[
        bool, typer.Option("--upcoming", help=_("Only sessions that have not ended."))
    ] = False,
    past: Annotated[bool, typer.Option("--past", help=_("Only sessions that have ended."))] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the sessions, earliest first."""
    from rmpair.domain.nudges import was_moved
    from rmpair.domain.session_times import end_utc

    if upcoming and past:
        fail(_("Use --upcoming or --past, not both."))
    with opened() as journal:
        now = journal.now()
        found = [
            s
            for s in journal.sessions.all()
            if not (upcoming and s.start is not None and end_utc(s) < now)
            and not (past and (s.start is None or end_utc(s) >= now))
        ]
        if as_json:
            print_json([session_json(journal, s) for s in found])
            return
        if not found:
            typer.echo(_("No sessions yet. Plan one with 'rmpair session plan --at ...'."))
            return
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False)
        for header in (_("id"), _("when"), _("kind"), _("status"), _("topics"), _("prep")):
            table.add_column(header)
        for session in found:
            titles = topic_titles(journal, journal.sessions.session_topics(session))
            status = _(session.status.value)
            if session.status.value == "planned" and was_moved(session):
                status += " " + _("(moved)")
            table.add_row(
                session.id,
                when_text(session, compact=True),
                _(session.kind.value),
                status,
                Text("; ".join(titles) or session.theme or "-"),
                readiness_line(journal, session) if session.status.value == "planned" else "",
            )
        console().print(table)


@app.command("show")
def show(session: SessionArg, as_json: JsonOpt = False) -> None:
    """Everything about one session: agenda, checklists, notes, learnings, action items,
    feedback."""
    with opened() as journal:
        found = journal.sessions.find_session(session)
        data = session_json(journal, found)
        data["agenda"] = agenda_json(journal, found)
        data["prep"] = prep_json(journal, found)
        data["open_action_items"] = [
            action_json(journal, a) for a in journal.sessions.open_action_items(found)
        ]
        data["action_items"] = [
            action_json(journal, a) for a in journal.sessions.session_action_items(found.id)
        ]
        data["notes"] = [n.to_json() for n in journal.notes.for_session(found.id)]
        data["learnings"] = [
            {"id": lr.id, "role": lr.role.value, "text": lr.text, "created": lr.created}
            for lr in journal.notes.learnings(found.id)
        ]
        data["feedback"] = [
            {"role": f.role.value, "rating": f.rating, "comment": f.comment}
            for f in journal.notes.feedback(found.id)
        ]
        if as_json:
            print_json(data)
            return
        _print_session(journal, found, data)


def _print_session(journal: Journal, session: Session, data: dict[str, Any]) -> None:
    from rich.text import Text

    out = console()
    out.print(
        Text(
            "{title}  [{id}]".format(title=data["title"], id=session.id),
            style="bold",
        )
    )
    out.print(
        _("{when} ({tz}), {minutes}, {status}, {direction}").format(
            when=when_text(session),
            tz=session.tz,
            minutes=minutes_text(session.minutes),
            status=_(session.status.value),
            direction=_(session.direction.value),
        )
    )
    if data["moved"] and session.planned_start is not None:
        from rmpair import fmt

        out.print(_("Moved from {when}.").format(when=fmt.date_time(session.planned_start)))
    _print_agenda(journal, session, data["agenda"])
    out.print()
    out.print(Text(_("Prep checklists: ") + readiness_line(journal, session), style="bold"))
    for item in data["prep"]:
        mark = "x" if item["done"] else " "
        out.print(Text(f"  {item['number']:>2}. [{mark}] ({_(item['role'])}) {item['text']}"))
    for title, key in (
        (_("Open action items from before"), "open_action_items"),
        (_("Action items from this session"), "action_items"),
    ):
        if data[key]:
            out.print()
            out.print(Text(title, style="bold"))
            for action in data[key]:
                out.print(Text("  " + _action_line(action)))
    if data["notes"]:
        out.print()
        out.print(Text(_("Notes"), style="bold"))
        for note in data["notes"]:
            label = _("private") if note["private"] else _(note["author"])
            out.print(Text(f"  [{label}] {note['text']}"))
    if data["learnings"]:
        out.print()
        out.print(Text(_("What we learned"), style="bold"))
        for learning in data["learnings"]:
            out.print(Text(f"  {_(learning['role'])}: {learning['text']}"))
    if data["feedback"]:
        out.print()
        out.print(Text(_("Feedback"), style="bold"))
        for feedback in data["feedback"]:
            comment = f" - {feedback['comment']}" if feedback["comment"] else ""
            out.print(Text(f"  {_(feedback['role'])}: {feedback['rating']}/5{comment}"))


def _action_line(action: dict[str, Any]) -> str:
    mark = "x" if action["done"] else " "
    if action["due"]:
        due = _("due {date}").format(date=action["due"])
        if action["overdue"]:
            due += ", " + _("overdue")
    elif action["due_next_session"]:
        due = _("due next session")
    else:
        due = ""
    owner = _(action["owner"])
    tail = f" ({owner}{', ' + due if due else ''})"
    return f"[{mark}] {action['text']}{tail}  {action['id']}"


def _print_agenda(journal: Journal, session: Session, items: list[dict[str, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    box = journal.agenda.timebox(session)
    out.print()
    out.print(
        Text(
            _("Agenda ({total} of {length} min)").format(total=box.total, length=box.length),
            style="bold",
        )
    )
    table = Table(box=None, pad_edge=False, show_header=False)
    for _n in range(4):
        table.add_column()
    for item in items:
        clock = f"{item['start'][11:]}" if item["start"] else ""
        mark = "x" if item["covered"] else " "
        table.add_row(
            f"{item['number']:>2}.",
            clock,
            minutes_text(item["minutes"]),
            Text(f"[{mark}] {item['title']}" + ("  " + _("(topic)") if item["topic"] else "")),
        )
    out.print(table)
    if box.over:
        out.print(Text(_("Warning: ") + over_text(box), style="yellow"))


@app.command("move")
def move(
    session: SessionArg,
    to: Annotated[
        str, typer.Option("--to", help=_("The new time, YYYY-MM-DD HH:MM in the tandem's zone."))
    ],
) -> None:
    """Reschedule a planned session (the originally planned time is kept)."""
    from rmpair.domain.session_times import parse_wall_time

    with opened() as journal:
        found = journal.sessions.find_session(session)
        start = parse_wall_time(to, "--to", found.tz)
        moved = journal.sessions.move_session(found.id, start)
        typer.echo(_("Moved session {id} to {when}.").format(id=moved.id, when=when_text(moved)))


@app.command("cancel")
def cancel(session: SessionArg) -> None:
    """Cancel a planned session; its topics move on and its action items stay open."""
    with opened() as journal:
        result = journal.sessions.cancel_session(session)
        typer.echo(_("Cancelled session {id}.").format(id=result.session))
        report_carry(journal, result)


@app.command("held")
def held(
    session: SessionArg,
    covered: Annotated[
        list[str] | None,
        typer.Option(
            "--covered",
            help=_(
                "Agenda item numbers you covered (repeatable, or 1,3), or 'all'. Topics not "
                "covered carry over to the next session."
            ),
        ),
    ] = None,
) -> None:
    """Mark a session held: covered topics are done, the rest carry over."""
    numbers, everything = parse_numbers(covered, "--covered", allow_all=True)
    with opened() as journal:
        result = journal.sessions.hold_session(session, covered=numbers, all_covered=everything)
        typer.echo(_("Session {id} marked held.").format(id=result.session))
        report_carry(journal, result)
        if not result.covered_topics and (result.moved_topics or result.back_to_backlog):
            typer.echo(
                _(
                    "Note: no topic was marked covered. If you did cover one, mark it with "
                    "'rmpair topic done ID'."
                ),
                err=True,
            )
        typer.echo(
            _(
                "Next: 'rmpair learned {id} TEXT' for what you learned, 'rmpair feedback {id} "
                "--rating N'."
            ).format(id=result.session)
        )


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
    _print_agenda(journal, session, data["items"])
    if data["open_action_items"]:
        out.print()
        out.print(Text(_("Open action items to go through"), style="bold"))
        for action in data["open_action_items"]:
            out.print(Text("  " + _action_line(action)))
    if data["action_items"]:
        out.print()
        out.print(Text(_("Action items from this session"), style="bold"))
        for action in data["action_items"]:
            out.print(Text("  " + _action_line(action)))
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
