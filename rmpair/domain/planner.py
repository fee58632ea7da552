"""Planning the programme's sessions from its frame, and reconciling a new plan with
the sessions already there. Pure: no journal, no files, no clock.

Slots are naive wall-clock date-times in the tandem's zone, so a 10:00 session stays at
10:00 when daylight saving time starts or ends; only a time that does not exist on a day
(inside the spring-forward gap) is moved to the first valid minute after the gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from rmpair import fmt
from rmpair.domain.cadence import (
    DEFAULT_TIME,
    cadence_label,
    check_zone,
    month_rule,
    nth_weekday,
    programme_month,
)
from rmpair.domain.rhythm import cadence_text
from rmpair.domain.template_schema import MIN_SESSION_MINUTES
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.codec import JSONValue
from rmpair.model.records import Cadence, SessionKind, SessionStatus

# ------------------------------------------------------------------- the frame


@dataclass(frozen=True)
class Frame:
    """What the programme plan is made from; ``start``..``end`` both count."""

    start: dt.date
    end: dt.date
    cadence: Cadence = Cadence.MONTHLY
    weekday: int = 0  # for Cadence.FIRST_WEEKDAY; Monday=0
    at: dt.time = DEFAULT_TIME
    minutes: int = 60
    tz: str = "UTC"
    # No session on a Saturday, Sunday or 1 January unless turned off (tests of DST nights).
    avoid_days_off: bool = True
    week: int = 1  # for Cadence.FIRST_WEEKDAY: 1-4, or -1 for the last

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cadence": self.cadence.value,
            "weekday": self.weekday,
            "week": self.week,
            "cadence_label": cadence_label(self.cadence, self.weekday, self.week),
            "cadence_text": cadence_text(
                self.cadence, self.weekday, week=self.week, start=self.start
            ),
            "time": self.at.strftime("%H:%M"),
            "minutes": self.minutes,
            "tz": self.tz,
        }


@dataclass(frozen=True)
class Slot:
    """One planned session: local start, kind, and the programme theme it carries."""

    start: dt.datetime  # naive wall-clock time in the frame's zone
    kind: SessionKind = SessionKind.REGULAR
    theme: str = ""
    topic: str = ""  # the backlog topic behind the theme, if any


@dataclass(frozen=True)
class Theme:
    """A programme theme to place; ``month`` pins it to a month of the programme."""

    title: str
    month: int | None = None
    topic: str = ""


def slot_dates(
    start: dt.date, end: dt.date, cadence: Cadence, weekday: int = 0, week: int = 1
) -> list[dt.date]:
    """Every meeting day from ``start`` to ``end`` (both included) for a cadence.

    Weekly cadences step from ``start``. Monthly ones meet on a weekday of the month:
    the one ``first-weekday`` names (``weekday``, ``week``), or for ``monthly`` the one
    the start falls on (from Tue 2 Mar: every first Tuesday), so no month's date drifts
    onto a weekend. A ``monthly`` programme always opens on its start day.
    """
    days: list[dt.date] = []
    if end < start:
        return days
    rule = month_rule(cadence, start, weekday, week)
    if rule is None:
        step = dt.timedelta(days=7 if cadence is Cadence.WEEKLY else 14)
        day = start
        while day <= end:
            days.append(day)
            day += step
        return days
    year, month = start.year, start.month
    if cadence is Cadence.MONTHLY:
        days.append(start)  # the start is the first month's meeting day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while dt.date(year, month, 1) <= end:
        day = nth_weekday(year, month, *rule)
        if start <= day <= end:
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def is_day_off(day: dt.date) -> bool:
    """Saturdays, Sundays and 1 January: days a planned session would only be skipped."""
    return day.weekday() >= 5 or (day.month, day.day) == (1, 1)


def off_day_shifts(
    days: Sequence[dt.date], start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """Where each meeting day lands once moved off a weekend or 1 January: the next
    working day, or the one before when the next is past the end or already a
    meeting day. A day with no free working day near it stays where it is."""
    taken = set(days)
    moved: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if not is_day_off(day):
            moved.append((day, day))
            continue
        new = day
        for step in (1, -1):
            candidate = day + dt.timedelta(days=step)
            while is_day_off(candidate):
                candidate += dt.timedelta(days=step)
            if (
                start <= candidate <= end
                and candidate not in taken
                and abs((candidate - day).days) < 4
            ):
                new = candidate
                break
        taken.discard(day)
        taken.add(new)
        moved.append((day, new))
    return moved


def wall_clock(day: dt.date, at: dt.time, zone: ZoneInfo) -> tuple[dt.datetime, bool]:
    """``day`` at ``at`` in ``zone``, and whether it had to move out of a DST gap.

    A time that the clocks skip (02:30 on a spring-forward night) is taken with the
    offset before the gap, which lands the same number of minutes after it (03:30);
    that is also how RFC 5545 calendars read such a time. A repeated time (autumn)
    keeps its first occurrence.
    """
    naive = dt.datetime.combine(day, at)
    back = naive.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    return back, back != naive


def to_utc(local: dt.datetime, tz: str) -> dt.datetime:
    """A naive wall-clock time in ``tz`` as an aware UTC date-time."""
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


def frame_warnings(frame: Frame) -> list[str]:
    """What in the frame works against the method; warnings, never errors."""
    warnings: list[str] = []
    if frame.minutes < MIN_SESSION_MINUTES:
        warnings.append(
            _(
                "Sessions of {minutes} minutes are short: the method asks for at least "
                "{least} minutes of blocked time, not a gap between meetings."
            ).format(minutes=frame.minutes, least=MIN_SESSION_MINUTES)
        )
    return warnings


def plan_slots(frame: Frame) -> tuple[list[Slot], list[str]]:
    """The full programme as slots, kick-off first and retrospective last, plus warnings.

    Raises UserError when the end lies before the start or no session fits at all.
    """
    if frame.end < frame.start:
        raise UserError(
            _("The end date {end} is before the start {start}.").format(
                end=frame.end.isoformat(), start=frame.start.isoformat()
            )
        )
    if frame.minutes < 1:
        raise UserError(_("A session needs at least one minute."))
    zone = check_zone(frame.tz)
    warnings = frame_warnings(frame)
    slots: list[Slot] = []
    moved: list[str] = []
    dates = slot_dates(frame.start, frame.end, frame.cadence, frame.weekday, frame.week)
    days = (
        off_day_shifts(dates, frame.start, frame.end)
        if frame.avoid_days_off
        else [(day, day) for day in dates]
    )
    shifts = [(old, new) for old, new in days if old != new]
    if shifts:
        warnings.append(
            _("Moved off a weekend or 1 January: {days}.").format(
                days=", ".join(
                    _("{old} to {new}").format(old=fmt.date(old), new=fmt.date(new))
                    for old, new in shifts
                )
            )
        )
    for _planned, day in days:
        start, shifted = wall_clock(day, frame.at, zone)
        if shifted:
            moved.append(day.isoformat())
        slots.append(Slot(start))
    if not slots:
        raise UserError(
            _("No {cadence} session fits between {start} and {end}.").format(
                cadence=cadence_label(frame.cadence, frame.weekday, frame.week),
                start=frame.start.isoformat(),
                end=frame.end.isoformat(),
            )
        )
    if moved:
        warnings.append(
            _(
                "{time} does not exist on {days} in {zone} (the clocks skip it); "
                "those sessions start just after the gap."
            ).format(time=frame.at.strftime("%H:%M"), days=", ".join(moved), zone=frame.tz)
        )
    if len(slots) == 1:
        warnings.append(_("Only one session fits before the end date."))
    slots = [replace(slot, kind=positional_kind(i, len(slots))) for i, slot in enumerate(slots)]
    return slots, warnings


def positional_kind(index: int, count: int) -> SessionKind:
    """Kick-off first, retrospective last, regular in between."""
    if index == 0:
        return SessionKind.KICKOFF
    if index == count - 1:
        return SessionKind.RETROSPECTIVE
    return SessionKind.REGULAR


# -------------------------------------------------------------- re-planning


@dataclass(frozen=True)
class Existing:
    """A session already in the journal, as re-planning sees it."""

    id: str
    start: dt.datetime
    kind: SessionKind = SessionKind.REGULAR
    status: SessionStatus = SessionStatus.PLANNED
    minutes: int = 60
    planned_start: dt.datetime | None = None
    theme: str = ""
    topics: tuple[str, ...] = ()
    in_series: bool = True
    touched: tuple[str, ...] = ()  # why the pair's work is in it: "note", "prep", ...


@dataclass(frozen=True)
class Reconciliation:
    """What re-planning does: create slots, keep or remove existing sessions."""

    create: tuple[Slot, ...]
    unchanged: tuple[Existing, ...]
    remove: tuple[Existing, ...]
    kept: tuple[tuple[Existing, tuple[str, ...]], ...]
    unplaced: tuple[Theme, ...]
    warnings: tuple[str, ...]


def keep_reasons(session: Existing, today: dt.date) -> tuple[str, ...]:
    """Why re-planning must leave ``session`` alone; empty when it may be replaced."""
    if not session.in_series:
        return ("one-off",)
    if session.status is SessionStatus.HELD:
        return ("held",)
    if session.status is SessionStatus.CANCELLED:
        return ("cancelled",)
    if session.touched:
        return session.touched
    if session.start.date() < today:
        return ("past",)
    return ()


def reconcile(
    slots: Sequence[Slot],
    existing: Iterable[Existing],
    *,
    today: dt.date,
    start: dt.date,
    minutes: int,
    themes: Sequence[Theme] = (),
    not_before: dt.datetime | None = None,
) -> Reconciliation:
    """Fit the slots of a (new) plan around the sessions that already exist.

    ``not_before`` (wall-clock time) leaves out today's slots that have already
    begun: a kick-off planned for this morning at noon would start in the past.

    Sessions held, cancelled, in the past, outside the programme series or worked on
    (``touched``) stay. Their days are taken, so no second session lands on the day
    of one the pair moved or cancelled. Future slots on free days are filled: an
    untouched planned session at exactly that slot with the same kind, theme and
    length stays as it is, every other untouched planned session is removed, and
    the rest of the slots become new sessions. The first new session is the kick-off
    unless one exists, the last new one the retrospective unless one exists. Themes
    not already covered by a kept session go to the regular sessions of their month.
    """
    kept: list[tuple[Existing, tuple[str, ...]]] = []
    replaceable: list[Existing] = []
    for session in sorted(existing, key=lambda s: (s.start, s.id)):
        reasons = keep_reasons(session, today)
        if reasons:
            kept.append((session, reasons))
        else:
            replaceable.append(session)
    live = [s for s, _r in kept if s.status is not SessionStatus.CANCELLED]
    taken_days = {s.start.date() for s, _r in kept} | {
        s.planned_start.date() for s, _r in kept if s.planned_start is not None
    }
    free = [
        replace(slot, kind=SessionKind.REGULAR, theme="", topic="")
        for slot in slots
        if slot.start.date() >= today
        and (not_before is None or slot.start >= not_before)
        and slot.start.date() not in taken_days
    ]
    warnings: list[str] = []
    if free:
        has_kickoff = any(s.kind is SessionKind.KICKOFF for s in live)
        if not has_kickoff and all(free[0].start < s.start for s in live):
            free[0] = replace(free[0], kind=SessionKind.KICKOFF)
        retros = [s for s in live if s.kind is SessionKind.RETROSPECTIVE]
        if not retros and (len(free) > 1 or free[0].kind is SessionKind.REGULAR):
            free[-1] = replace(free[-1], kind=SessionKind.RETROSPECTIVE)
        for retro in retros:
            if any(slot.start > retro.start for slot in free):
                warnings.append(
                    _(
                        "The retrospective on {date} is no longer the last session; move it "
                        "or change its kind."
                    ).format(date=retro.start.date().isoformat())
                )
    if slots:
        end = slots[-1].start.date()
        for session, reasons in kept:
            if (
                session.in_series
                and session.status is SessionStatus.PLANNED
                and session.start.date() > end
                and "past" not in reasons
            ):
                warnings.append(
                    _(
                        "The session on {date} is after the programme's last session; it stays "
                        "because you worked on it."
                    ).format(date=session.start.date().isoformat())
                )
    free, unplaced = place_themes(free, themes, live, start)
    unchanged: list[Existing] = []
    create: list[Slot] = []
    pool = list(replaceable)
    for slot in free:
        wanted_topics = (slot.topic,) if slot.topic else ()
        match = next(
            (
                s
                for s in pool
                if s.start == slot.start
                and s.planned_start == slot.start
                and s.kind is slot.kind
                and s.theme == slot.theme
                and s.topics == wanted_topics
                and s.minutes == minutes
            ),
            None,
        )
        if match is None:
            create.append(slot)
        else:
            pool.remove(match)
            unchanged.append(match)
    return Reconciliation(
        create=tuple(create),
        unchanged=tuple(unchanged),
        remove=tuple(pool),
        kept=tuple(kept),
        unplaced=tuple(unplaced),
        warnings=tuple(warnings),
    )


def place_themes(
    slots: Sequence[Slot], themes: Sequence[Theme], kept: Sequence[Existing], start: dt.date
) -> tuple[list[Slot], list[Theme]]:
    """Give the themes to the sessions, in order, and return the ones left over.

    A theme pinned to month m goes to the first free regular session in month m, or
    later if that month has none (so a theme is never dropped for a cancelled or
    missing session while later sessions are free); unpinned themes fill the regular
    sessions left. The kick-off gets no theme, and the retrospective only a theme of
    the final month that no regular session took. A theme a kept session already
    carries (by topic or title) is not placed again. Regular sessions link the
    theme's topic; the retrospective carries only the title, since its agenda has no
    place for a topic.
    """
    taken_topics = {t for s in kept for t in s.topics}
    taken_titles = {s.theme for s in kept if s.theme}
    waiting = [t for t in themes if t.topic not in taken_topics and t.title not in taken_titles]
    final_month = max((t.month for t in themes if t.month is not None), default=0)
    placed = list(slots)
    used: set[int] = set()

    def give(index: int, theme_index: int) -> None:
        theme = waiting[theme_index]
        slot = placed[index]
        topic = theme.topic if slot.kind is SessionKind.REGULAR else ""
        placed[index] = replace(slot, theme=theme.title, topic=topic)
        used.add(theme_index)

    for index, slot in enumerate(placed):
        if slot.kind is SessionKind.KICKOFF:
            continue
        month = max(1, programme_month(start, slot.start.date()))
        for theme_index, theme in enumerate(waiting):
            if theme_index in used or theme.month is None or theme.month > month:
                continue
            if slot.kind is SessionKind.RETROSPECTIVE and theme.month != final_month:
                continue
            give(index, theme_index)
            break
    for index, slot in enumerate(placed):
        if slot.kind is not SessionKind.REGULAR or slot.theme:
            continue
        for theme_index, theme in enumerate(waiting):
            if theme_index not in used and theme.month is None:
                give(index, theme_index)
                break
    return placed, [t for i, t in enumerate(waiting) if i not in used]
