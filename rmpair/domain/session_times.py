"""What sessions share without the journal: wall-clock times in the tandem's zone and
their instants, how a topic slot's minutes are shared, and the small results that
session commands return (timebox, carry-over, progress).

Times are wall-clock times in the tandem's zone (``Session.start`` is naive); they
become instants only to compare them with now, through ``zoneinfo``, so a session's
end is right across a DST change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple, TypeVar

from rmpair.clock import zone
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.records import (
    ActionItem,
    AgendaItem,
    PrepItem,
    Role,
    Session,
)

MIN_TOPIC_MINUTES = 5


EXTRA_TOPIC_MINUTES = 10  # a topic added to a kind whose template has no topic slot


ROLE_ORDER = {Role.MENTOR: 0, Role.MENTEE: 1}


_WALL_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})")


def exists_in_zone(value: dt.datetime, tz: str) -> bool:
    """False for a wall-clock time skipped when the clocks go forward."""
    where = zone(tz)
    there = value.replace(tzinfo=where).astimezone(dt.UTC).astimezone(where)
    return there.replace(tzinfo=None) == value


def parse_wall_time(text: str, flag: str, tz: str) -> dt.datetime:
    """A strict ``YYYY-MM-DD HH:MM`` in ``tz``; any mistake is a UserError naming ``flag``."""
    value = text.strip()
    match = _WALL_TIME.fullmatch(value)
    wrong = _("{flag}: '{value}' is not a date and time (use YYYY-MM-DD HH:MM).").format(
        flag=flag, value=text
    )
    if match is None:
        raise UserError(wrong)
    try:
        day = dt.date.fromisoformat(match[1])
        moment = dt.datetime.combine(day, dt.time(int(match[2]), int(match[3])))
    except ValueError:
        raise UserError(wrong) from None
    if not exists_in_zone(moment, tz):
        raise UserError(
            _(
                "{flag}: {value} does not exist in {tz} (the clocks go forward then); "
                "pick another time."
            ).format(flag=flag, value=value, tz=tz)
        )
    return moment


def start_utc(session: Session) -> dt.datetime:
    """The instant a session starts (the earlier one if the wall-clock time repeats)."""
    return _instant(session.start or dt.datetime(1970, 1, 1), session.tz)


@lru_cache(maxsize=4096)
def _instant(start: dt.datetime, tz: str) -> dt.datetime:
    # Kept: the status asks for every session's start and end several times (nudges,
    # how long they hold), which a five-year journal makes thousands of zone lookups.
    return start.replace(tzinfo=zone(tz)).astimezone(dt.UTC)


def end_utc(session: Session) -> dt.datetime:
    return start_utc(session) + dt.timedelta(minutes=session.minutes)


def was_moved(session: Session) -> bool:
    """Moved to another day than the one it was planned for (kept here, not with the
    nudges that use it too, so that listing sessions does not load the nudges)."""
    return (
        session.planned_start is not None
        and session.start is not None
        and session.planned_start.date() != session.start.date()
    )


def local_end(session: Session) -> dt.datetime:
    """The wall-clock end in the session's zone (DST-correct): computed on the instant,
    so 02:30 + 60 min on the night the clocks go back is 02:30 again, the second time
    (``fold=1``; see ``ambiguous``)."""
    return end_utc(session).astimezone(zone(session.tz)).replace(tzinfo=None)


def ambiguous(value: dt.datetime, tz: str) -> bool:
    """Whether a wall-clock time in ``tz`` names two instants (the hour repeated when
    the clocks go back) or none (skipped when they go forward)."""
    where = zone(tz)
    return value.replace(tzinfo=where, fold=0).utcoffset() != (
        value.replace(tzinfo=where, fold=1).utcoffset()
    )


def utc_offset(value: dt.datetime, tz: str) -> dt.timedelta:
    """The UTC offset of a wall-clock time in ``tz``; ``value.fold`` picks the pass
    through a repeated hour (0, the first, is how a session's start is read)."""
    offset = value.replace(tzinfo=zone(tz)).utcoffset()
    assert offset is not None
    return offset


def wall_iso(value: dt.datetime, tz: str) -> str:
    """A wall-clock time in ``tz`` for JSON: ``2027-10-31T01:30``, and with its UTC
    offset, ``2027-10-31T02:30+02:00``, exactly where the time alone is ``ambiguous``."""
    if not ambiguous(value, tz):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    return value.replace(tzinfo=zone(tz)).isoformat(timespec="minutes")


MIN_ITEM_MINUTES = 2  # a fixed agenda item squeezed into a short session keeps this much


def fit_timeboxes(minutes: Sequence[int], length: int, floors: Sequence[int]) -> list[int]:
    """The template's timeboxes scaled down so they add up to ``length``, each keeping at
    least its floor; unchanged when they already fit.

    A 25-minute session then gets a 25-minute agenda with every item in proportion,
    instead of the 60-minute template's first half and an overrun. Only when the floors
    alone are longer than the session does the agenda stay over.
    """
    total = sum(minutes)
    if total <= length or total <= 0:
        return list(minutes)
    exact = [m * length / total for m in minutes]
    fitted = [max(floor, int(x)) for x, floor in zip(exact, floors, strict=True)]
    spare = length - sum(fitted)
    # Rounding down leaves a few minutes: they go to the items that lost most to it.
    for i in sorted(range(len(exact)), key=lambda i: int(exact[i]) - exact[i]):
        if spare <= 0:
            break
        fitted[i] += 1
        spare -= 1
    # Floors may push the sum over: take minutes back from the items with most to spare.
    while spare < 0:
        i = max(range(len(fitted)), key=lambda i: fitted[i] - floors[i])
        if fitted[i] <= floors[i]:
            break
        fitted[i] -= 1
        spare += 1
    return fitted


def share_minutes(total: int, count: int) -> list[int]:
    """``total`` minutes split over ``count`` topics, at least a few minutes each."""
    if count <= 0:
        return []
    base, extra = divmod(max(total, 0), count)
    return [max(MIN_TOPIC_MINUTES, base + (1 if n < extra else 0)) for n in range(count)]


class Timebox(NamedTuple):
    """The sum of an agenda's timeboxes against the session's length (a named tuple:
    a frozen dataclass costs about a millisecond to make when the module is imported)."""

    total: int
    length: int

    @property
    def over(self) -> int:
        return max(0, self.total - self.length)


@dataclass(frozen=True)
class CarryOver:
    """What marking a session held or cancelled did with its topics and action items."""

    session: str
    covered_topics: list[str] = field(default_factory=list)
    moved_topics: list[str] = field(default_factory=list)
    to_session: str | None = None
    back_to_backlog: list[str] = field(default_factory=list)
    open_actions: list[str] = field(default_factory=list)
    timebox: Timebox | None = None  # of ``to_session`` after the move


class Progress(NamedTuple):
    """Where the programme stands, as in "session 3 of 6, 74 days left"."""

    number: int  # the next session's place among those not cancelled (or how many were held)
    total: int  # sessions not cancelled
    held: int
    days_left: int | None  # until the tandem's end date (negative once past); None without one


def action_order(item: ActionItem) -> tuple[bool, str, str, str]:
    """Open before done; dated ones by due date, then "next session" ones, then the rest."""
    if item.due is not None:
        due = "0" + item.due.isoformat()
    else:
        due = "1" if item.due_next_session else "2"
    return (item.done, due, item.created, item.id)


def _when(session: Session) -> str:
    from rmpair import fmt

    return fmt.date_time(session.start) if session.start else "?"


_Numbered = TypeVar("_Numbered", AgendaItem, PrepItem)


def _pick(items: Sequence[_Numbered], number: int, what: str) -> _Numbered:
    """The item with a 1-based number as listed, or a UserError saying what exists."""
    if 1 <= number <= len(items):
        return items[number - 1]
    if what == "agenda":
        if not items:
            raise UserError(_("This session's agenda is empty."))
        raise UserError(
            _("The agenda has no item {n}; its items are 1 to {last}.").format(
                n=number, last=len(items)
            )
        )
    if not items:
        raise UserError(_("This session's checklist is empty."))
    raise UserError(
        _("The checklist has no item {n}; its items are 1 to {last}.").format(
            n=number, last=len(items)
        )
    )
