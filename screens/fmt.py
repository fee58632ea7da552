"""Short texts the screens share: times, countdowns and the markers that replace colour.

Every state has a text marker ("✓", "!", "(you)"), so the app reads the same with
NO_COLOR or on a monochrome terminal.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rmpair.i18n import _, ngettext

if TYPE_CHECKING:  # the home screen's first paint imports this module, not the journal
    from rmpair.model.records import ActionItem, Role, Session, Tandem

DONE = "✓"
OPEN = " "
WARN = "!"


def check(done: bool) -> str:
    """A checkbox in text: "[✓]" or "[ ]"."""
    return f"[{DONE if done else OPEN}]"


def when(session: Session) -> str:
    """``Tue 24 Nov 2026, 17:30–18:30`` (German: ``Di., 24. Nov. 2026, 17:30–18:30``)
    in the session's own zone."""
    from rmpair import fmt
    from rmpair.domain.session_times import local_end

    if session.start is None:
        return "?"
    return fmt.time_span(session.start, local_end(session))


def when_column(session: Session) -> str:
    """``Tue 2026-11-24 17:30–18:30``: for a table, where the dates line up and sort."""
    from rmpair import fmt
    from rmpair.domain.session_times import local_end

    if session.start is None:
        return "?"
    return f"{fmt.compact(session.start)}{fmt.RANGE_DASH}{fmt.time(local_end(session))}"


def countdown(session: Session, now: dt.datetime) -> str:
    """How far away a session is: "in 3 days", "in 2 h", "now", "5 days ago"."""
    from rmpair.domain.session_times import start_utc

    if session.start is None:
        return ""
    return countdown_to(start_utc(session), session.minutes, now)


def countdown_to(start: dt.datetime, minutes: int, now: dt.datetime) -> str:
    """``countdown`` for a session starting at the instant ``start``."""
    end = start + dt.timedelta(minutes=minutes)
    if start <= now < end:
        return _("now")
    ahead = start > now
    seconds = abs((start - now).total_seconds()) if ahead else (now - end).total_seconds()
    days, hours, mins = int(seconds // 86400), int(seconds // 3600), int(seconds // 60)
    if days >= 1:
        text = ngettext("{n} day", "{n} days", days).format(n=days)
    elif hours >= 1:
        text = _("{n} h").format(n=hours)
    else:
        text = _("{n} min").format(n=max(mins, 1))
    return _("in {time}").format(time=text) if ahead else _("{time} ago").format(time=text)


def person(tandem: Tandem | None, role: Role, me: Role) -> str:
    """ "Sam (mentor)", with "(you)" for this device's person."""
    name = tandem.name_of(role) if tandem else ""
    text = _("{name} ({role})").format(name=name, role=_(role.value)) if name else _(role.value)
    return text + " " + _("(you)") if role is me else text


def readiness(done: int, total: int) -> str:
    """ "3/4" with a tick when the checklist is complete."""
    mark = " " + DONE if total and done == total else ""
    return f"{done}/{total}{mark}"


def action_line(item: ActionItem, today: dt.date) -> str:
    """An action item as one line: box, text, owner and when it is due."""
    if item.due is not None:
        from rmpair import fmt

        due = _("due {date}").format(date=fmt.date(item.due, weekday=False))
        if not item.done and item.due < today:
            due = f"{WARN} " + due + ", " + _("overdue")
    elif item.due_next_session:
        due = _("due next session")
    else:
        due = ""
    owner = _(item.owner.value)
    tail = f"{owner}, {due}" if due else owner
    return f"{check(item.done)} {item.text} ({tail})"


def local_stamp(stamp: str, tz: str) -> str:
    """A stored UTC stamp as wall-clock time in the tandem's zone, written the
    language's way ("19 Nov 2026, 18:40")."""
    from rmpair import fmt
    from rmpair.domain.invite import local_time

    shown = local_time(stamp, tz) if stamp else ""
    try:
        return fmt.date_time(dt.datetime.strptime(shown, "%Y-%m-%d %H:%M"), weekday=False)
    except ValueError:  # not a stamp we wrote: show it as it is
        return shown


def short(text: str, width: int) -> str:
    """One line of at most ``width`` terminal cells (an emoji takes two, so counting
    characters would overrun the line)."""
    from rich.cells import cell_len, set_cell_size

    line = " ".join(text.split())
    return line if cell_len(line) <= width else set_cell_size(line, max(width - 1, 0)) + "…"
