"""What the session-area commands share: number lists, roles, when a session is, the
JSON form of a session, its agenda, prep checklist and an action item, and the agenda
table.

It sits below ``session``, ``agenda``, ``topic`` and ``notes``, so they print the same
shapes without importing one another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rmpair.cli._common import console, fail, print_table
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.domain.session_times import Timebox
    from rmpair.journal import Journal
    from rmpair.model.records import ActionItem, Role, Session

SessionArg = Annotated[
    str,
    typer.Argument(help=_("A session id (or the start of one), 'next' or 'last'.")),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]


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
    in the session's own zone; ``compact`` is for a column: ``Tue 2026-11-24 17:30–18:30``.

    A time the clock shows twice that night (or skips) gets its UTC offset, so a session
    from 02:30 to 02:30 the second time reads "02:30 (UTC+02:00)–02:30 (UTC+01:00)".
    """
    from rmpair import fmt
    from rmpair.domain.session_times import ambiguous, local_end, utc_offset

    if session.start is None:
        return "?"
    end = local_end(session)
    start_note, end_note = (
        f"({fmt.utc_offset(utc_offset(moment, session.tz))})"
        if ambiguous(moment, session.tz)
        else ""
        for moment in (session.start, end)
    )
    if compact:
        first = fmt.compact(session.start) + (f" {start_note}" if start_note else "")
        last = fmt.time(end) + (f" {end_note}" if end_note else "")
        return f"{first}{fmt.RANGE_DASH}{last}"
    return fmt.time_span(session.start, end, start_note=start_note, end_note=end_note)


def _iso(value: dt.datetime | None, tz: str) -> str | None:
    """A wall-clock time for JSON, with its UTC offset where the time alone is
    ambiguous (see ``wall_iso``)."""
    from rmpair.domain.session_times import wall_iso

    return wall_iso(value, tz) if value is not None else None


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
    from rmpair.domain.session_times import local_end, was_moved

    box = journal.agenda.timebox(session)
    ready = journal.agenda.readiness(session.id)
    return {
        "id": session.id,
        "title": journal.sessions.session_title(session),
        "kind": session.kind.value,
        "status": session.status.value,
        "start": _iso(session.start, session.tz),
        "end": _iso(local_end(session), session.tz) if session.start else None,
        "tz": session.tz,
        "minutes": session.minutes,
        "direction": session.direction.value,
        "planned_start": _iso(session.planned_start, session.tz),
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
    from rmpair.clock import zone
    from rmpair.domain.session_times import start_utc

    items = journal.agenda.items(session.id)
    out: list[dict[str, Any]] = []
    # Timeboxes are elapsed minutes: count them on the instant, then read the clock.
    where = zone(session.tz)
    clock = start_utc(session) if session.start is not None else None

    def local(instant: dt.datetime | None) -> str | None:
        if instant is None:
            return None
        return _iso(instant.astimezone(where).replace(tzinfo=None), session.tz)

    for number, item in enumerate(items, start=1):
        begins = clock
        clock = clock + dt.timedelta(minutes=item.minutes) if clock is not None else None
        out.append(
            {
                "number": number,
                "id": item.id,
                "title": item.title,
                "minutes": item.minutes,
                "start": local(begins),
                "end": local(clock),
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


def readiness_line(
    journal: Journal, session: Session, ready: dict[Role, tuple[int, int]] | None = None
) -> str:
    """Both roles' prep: ``ready`` if given (``Agenda.readiness_of``), else read now."""
    if ready is None:
        ready = journal.agenda.readiness(session.id)
    return "  ".join(
        _("{role} {done}/{total} ready").format(role=_(role.value), done=done, total=total)
        for role, (done, total) in ready.items()
    )


def action_line(action: dict[str, Any]) -> str:
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


def _clock(iso: str | None) -> str:
    """An agenda item's start from its JSON: "17:35", or "02:35 (UTC+02:00)" where the
    clock shows that time twice that night."""
    from rmpair import fmt

    if not iso:
        return ""
    moment = dt.datetime.fromisoformat(iso)
    offset = moment.utcoffset()
    return fmt.time(moment) + (f" ({fmt.utc_offset(offset)})" if offset is not None else "")


def print_agenda(journal: Journal, session: Session, items: list[dict[str, Any]]) -> None:
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
        clock = _clock(item["start"])
        mark = "x" if item["covered"] else " "
        table.add_row(
            f"{item['number']:>2}.",
            clock,
            minutes_text(item["minutes"]),
            Text(f"[{mark}] {item['title']}" + ("  " + _("(topic)") if item["topic"] else "")),
        )
    print_table(table, out)
    if box.over:
        out.print(Text(_("Warning: ") + over_text(box), style="yellow"))
    from rmpair.domain.nudges import squeezed
    from rmpair.model.records import SessionStatus

    note = squeezed(session.minutes)
    if note and session.status is SessionStatus.PLANNED:
        out.print(Text(note, style="yellow"))
