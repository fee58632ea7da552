"""``rmpair session``: planning and running sessions (plan, list, show, move, cancel,
held). The helpers it shares with ``agenda``, ``topic`` and ``notes`` are in
``_sessions.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rmpair.cli._common import console, fail, opened, options, print_json, print_rows
from rmpair.cli._sessions import (
    JsonOpt,
    SessionArg,
    action_json,
    action_line,
    agenda_json,
    minutes_text,
    over_text,
    parse_numbers,
    prep_json,
    print_agenda,
    readiness_line,
    session_json,
    when_text,
)
from rmpair.i18n import _, ngettext

if TYPE_CHECKING:
    from rmpair.domain.session_times import CarryOver
    from rmpair.journal import Journal
    from rmpair.model.records import Session, Topic

app = typer.Typer(
    help=_("Sessions: list, show, plan, move, cancel, mark held."), no_args_is_help=True
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
        typer.Option(
            "--at",
            help=_(
                "When, in the tandem's time zone: YYYY-MM-DD HH:MM, or e.g. 'tomorrow 10:00', "
                "'fri 17:30', or a day alone ('+2w') at the programme's usual time."
            ),
        ),
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
    from rmpair.clock import today_in
    from rmpair.domain.session_times import start_utc
    from rmpair.domain.spoken_dates import parse_moment
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
        today = today_in(options.clock, tandem.tz)
        # A day alone ("+2w", "fri") means the programme's usual time of day.
        start = parse_moment(at, "--at", tandem.tz, today, journal.plan.usual_time())
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
    from rmpair.domain.session_times import end_utc, was_moved

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
        lines: list[list[str]] = []
        on_agenda = journal.sessions.all_session_topics()
        topic_title = journal.backlog.titles()
        ready = journal.agenda.readiness_of([s.id for s in found if s.status.value == "planned"])
        for session in found:
            titles = [topic_title.get(t, t) for t in on_agenda[session.id]]
            status = _(session.status.value)
            if session.status.value == "planned" and was_moved(session):
                status += " " + _("(moved)")
            lines.append(
                [
                    session.id,
                    when_text(session, compact=True),
                    _(session.kind.value),
                    status,
                    "; ".join(titles) or session.theme or "-",
                    readiness_line(journal, session, ready[session.id])
                    if session.status.value == "planned"
                    else "",
                ]
            )
        headers = [_("id"), _("when"), _("kind"), _("status"), _("topics"), _("prep")]
        print_rows(headers, lines)


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
    print_agenda(journal, session, data["agenda"])
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
                out.print(Text("  " + action_line(action)))
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


@app.command("move")
def move(
    session: SessionArg,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help=_(
                "The new time in the tandem's zone: YYYY-MM-DD HH:MM, or e.g. 'fri 17:30', "
                "or a day alone ('+1w') to keep the time of day."
            ),
        ),
    ],
) -> None:
    """Reschedule a planned session (the originally planned time is kept)."""
    from rmpair.clock import today_in
    from rmpair.domain.spoken_dates import parse_moment

    with opened() as journal:
        found = journal.sessions.find_session(session)
        # A day alone ("fri", "+1w") keeps the session's time of day.
        keep = found.start.time() if found.start is not None else None
        start = parse_moment(to, "--to", found.tz, today_in(options.clock, found.tz), keep)
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
