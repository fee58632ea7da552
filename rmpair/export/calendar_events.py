"""How the journal's sessions become calendar events: views, series detection, UIDs.

This is the pure half of the calendar export. It takes plain data (the tandem, each
session with its agenda, checklists, stamp and sequence, and each series' sequence)
and never the journal, so what an event says can be read and tested without a store;
``rmpair.export.calendar`` gathers that data from the journal and writes the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from rmpair import fmt
from rmpair.export.calendar_text import (
    calendar_name,
    event_description,
    event_summary,
    kind_label,
    prep_heading,
    role_label,
    session_what,
)
from rmpair.i18n import _
from rmpair.model.records import (
    AgendaItem,
    Cadence,
    Direction,
    PrepItem,
    Role,
    Session,
    SessionStatus,
    Tandem,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from rmpair.export.ics_model import Alarm, IcsCalendar, IcsEvent, Recurrence

__all__ = [
    "PREP_MINUTES",
    "CalendarEvents",
    "SessionView",
    "session_view",
    "zone_of",
]

PREP_MINUTES = 30

_T = TypeVar("_T")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class SessionView:
    """One session with everything its events need, in the session's own zone."""

    session: Session
    zone: ZoneInfo
    start: dt.datetime  # aware
    planned: dt.datetime  # aware: where the plan put it (its start if never moved)
    summary: str
    description: str
    stamp: dt.datetime
    sequence: int
    prep: Mapping[Role, tuple[PrepItem, ...]]

    @property
    def id(self) -> str:
        return self.session.id

    @property
    def minutes(self) -> int:
        return max(1, self.session.minutes)  # a broken length must not break the file

    @property
    def cancelled(self) -> bool:
        return self.session.status is SessionStatus.CANCELLED

    @property
    def teacher(self) -> Role:
        return Role.MENTEE if self.session.direction is Direction.MENTEE_TEACHES else Role.MENTOR


def session_view(
    tandem: Tandem,
    session: Session,
    fallback: ZoneInfo,
    agenda: Sequence[AgendaItem],
    prep: Sequence[PrepItem],
    *,
    stamp: dt.datetime,
    sequence: int,
) -> SessionView:
    """``session`` (which has a start) as its events see it: in its own zone (else in
    ``fallback``), with its agenda and checklists in order and its text written out."""
    assert session.start is not None
    zone = zone_of(session.tz) or fallback
    items = sorted(agenda, key=lambda a: (a.position, a.id))
    checklists = {
        role: tuple(
            sorted(
                (p for p in prep if p.role is role),
                key=lambda p: (p.position, p.id),
            )
        )
        for role in Role
    }
    planned = session.planned_start or session.start
    return SessionView(
        session=session,
        zone=zone,
        start=session.start.replace(tzinfo=zone),
        planned=planned.replace(tzinfo=zone),
        summary=event_summary(tandem, session),
        description=event_description(tandem, session, items, checklists),
        stamp=stamp,
        sequence=sequence,
        prep=checklists,
    )


def _instant(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def zone_of(name: str) -> ZoneInfo | None:
    """The time zone called ``name``, or None when this computer does not know it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _pick(values: Sequence[_T], preferred: _T | None = None) -> _T:
    """The most frequent value; a tie goes to ``preferred``, else to the one seen first
    (the callers pass values in a fixed order, so every device picks the same)."""
    counts = Counter(values)
    best = max(counts.values())
    tied = [value for value in values if counts[value] == best]
    return preferred if preferred is not None and preferred in tied else tied[0]


def _month_rules(moment: dt.datetime) -> list[tuple[int, int]]:
    """The weekday rules a day fits, as (weekday, week): 25 May 2027 is both the fourth
    and the last Tuesday (week -1)."""
    rules = []
    if moment.day <= 28:
        rules.append((moment.weekday(), (moment.day - 1) // 7 + 1))
    if (moment + dt.timedelta(days=7)).month != moment.month:
        rules.append((moment.weekday(), -1))
    return rules


class _Pattern(NamedTuple):
    """The tandem's cadence as a rule, with a test for "this start is where it belongs"."""

    rule: Recurrence
    matches: Callable[[dt.datetime], bool]


def _series_pattern(tandem: Tandem, planned: Sequence[dt.datetime]) -> _Pattern:
    """The rule for a series from the tandem's cadence and where its sessions were planned.

    The weekday (or day of the month) and the time are the most common among the
    planned starts, so a kick-off on another day or hour stays a single event instead
    of shifting the whole series.
    """
    from rmpair.export.ics_model import Recurrence

    if tandem.cadence in (Cadence.MONTHLY, Cadence.FIRST_WEEKDAY):
        rules = [rule for p in planned for rule in _month_rules(p)]
        preferred = (tandem.weekday, tandem.week)
        if tandem.cadence is Cadence.FIRST_WEEKDAY:
            rules = rules or [preferred]
        days = [p.day for p in planned]
        if tandem.cadence is Cadence.MONTHLY and (
            not rules or days.count(_pick(days)) > rules.count(_pick(rules))
        ):
            # Planned before monthly meant a weekday rule: the same day of each month.
            day = _pick(days)
            time = _pick([p.time() for p in planned if p.day == day])
            return _Pattern(Recurrence("MONTHLY"), lambda p: p.day == day and p.time() == time)
        weekday, week = _pick(rules, preferred)
        time = _pick(
            [p.time() for p in planned if (weekday, week) in _month_rules(p)]
            or [p.time() for p in planned]
        )
        return _Pattern(
            Recurrence("MONTHLY", byday=f"{week}{_WEEKDAYS[weekday]}"),
            lambda p: (weekday, week) in _month_rules(p) and p.time() == time,
        )
    interval = 2 if tandem.cadence is Cadence.BIWEEKLY else 1
    weekday = _pick([p.weekday() for p in planned], tandem.weekday)
    time = _pick([p.time() for p in planned if p.weekday() == weekday])
    return _Pattern(
        Recurrence("WEEKLY", interval=interval, byday=_WEEKDAYS[weekday]),
        lambda p: p.weekday() == weekday and p.time() == time,
    )


def _shared(values: Sequence[str]) -> str | None:
    """The text most values share, or None when each differs (a lone value counts)."""
    best = _pick(values)
    return best if len(values) == 1 or values.count(best) > 1 else None


def _uid_part(text: str) -> str:
    """``text`` if it is plain enough for a UID, else a short stable hash of it."""
    if _PLAIN_NAME.match(text):
        return text
    import hashlib

    return "h" + hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


# --------------------------------------------------------------------- the events


class CalendarEvents:
    """Turns one journal's session views into calendar events.

    ``journal_id`` makes the UIDs unique to the journal; ``series_sequence`` is the
    SEQUENCE of each series by name, counted from the journal's log by the caller.
    """

    def __init__(self, tandem: Tandem, journal_id: str, series_sequence: Mapping[str, int]) -> None:
        self.tandem = tandem
        self.journal_id = journal_id
        self.series_sequence = series_sequence

    def _uid(self, what: str, rec: str) -> str:
        return f"{what}-{_uid_part(rec)}.{self.journal_id}@rmpair"

    def _single(self, view: SessionView, alarm: Alarm | None) -> IcsEvent:
        from rmpair.export.ics_model import IcsEvent

        return IcsEvent(
            uid=self._uid("session", view.id),
            summary=(
                _("Cancelled: {summary}").format(summary=view.summary)
                if view.cancelled
                else view.summary
            ),
            description=view.description,
            start=view.start,
            minutes=view.minutes,
            stamp=view.stamp,
            sequence=view.sequence,
            location=self.tandem.location,
            # A cancelled session keeps its place in calendars, without a reminder.
            alarm=None if view.cancelled else alarm,
            cancelled=view.cancelled,
        )

    def _prep_block(self, view: SessionView, alarm_minutes: int | None) -> IcsEvent:
        from rmpair.export.ics_model import Alarm, IcsEvent

        role = view.teacher
        name = self.tandem.name_of(role)
        what = session_what(view.session) or kind_label(view.session.kind)
        summary = _("Prep time for {name}: {what}").format(name=name, what=what)
        local_start = fmt.date_time(view.start)
        lines = [
            _("Time for {name} ({role}) to prepare the session at {start}: {summary}").format(
                name=name, role=role_label(role), start=local_start, summary=view.summary
            )
        ]
        items = view.prep.get(role, ())
        if items:
            lines.extend(["", prep_heading(self.tandem, role)])
            lines.extend(_("- {text}").format(text=item.text) for item in items)
        start = (_instant(view.start) - dt.timedelta(minutes=PREP_MINUTES)).astimezone(view.zone)
        alarm = None
        if alarm_minutes is not None and not view.cancelled:
            alarm = Alarm(
                alarm_minutes,
                _("Prep time for {name} in {n} minutes").format(name=name, n=alarm_minutes),
            )
        return IcsEvent(
            uid=self._uid("prep", view.id),
            summary=_("Cancelled: {summary}").format(summary=summary)
            if view.cancelled
            else summary,
            description="\n".join(lines),
            start=start,
            minutes=PREP_MINUTES,
            stamp=view.stamp,
            sequence=view.sequence,
            cancelled=view.cancelled,
            alarm=alarm,
        )

    def _series_events(
        self,
        name: str,
        members: Sequence[SessionView],
        zone: ZoneInfo,
        alarm: Alarm | None,
    ) -> tuple[list[IcsEvent], list[SessionView]]:
        """One series' events, and the members that fit no occurrence (single events)."""
        from rmpair.export.ics_model import Slot
        from rmpair.export.ics_recurrence import build_series, occurrences

        in_zone = [v for v in members if v.zone.key == zone.key]
        leftovers = [v for v in members if v.zone.key != zone.key]
        if not in_zone:
            return [], leftovers
        by_plan = sorted(in_zone, key=lambda v: (_instant(v.planned), v.id))
        pattern = _series_pattern(self.tandem, [v.planned.replace(tzinfo=None) for v in by_plan])
        fitting = [v for v in by_plan if pattern.matches(v.planned.replace(tzinfo=None))]
        if not fitting:
            return [], list(members)
        horizon = max(_instant(v.planned) for v in fitting)
        instants = {_instant(o) for o in occurrences(pattern.rule, fitting[0].planned, horizon)}
        on_rule = [v for v in fitting if _instant(v.planned) in instants]
        on_rule_ids = {v.id for v in on_rule}
        leftovers.extend(v for v in in_zone if v.id not in on_rule_ids)
        held = [v for v in on_rule if not v.cancelled]
        if not held:
            # Every date of the series is called off: nothing of it is left to show.
            return [], leftovers
        series_uid = self._uid("series", name)
        sequence = self.series_sequence[name]
        slots = [
            Slot(
                key=v.id,
                start=v.start,
                minutes=v.minutes,
                summary=v.summary,
                description=v.description,
                stamp=v.stamp,
                planned_start=v.planned,
                cancelled=v.cancelled,
                location=self.tandem.location,
            )
            for v in on_rule
        ]
        # The series shows what most of its sessions share; the others become overrides.
        # When no two share a text, the series gets a neutral one, so a client that
        # falls back to it never shows one session's agenda on another date.
        summary = _shared([v.summary for v in held]) or calendar_name(self.tandem)
        description = _shared([v.description for v in held]) or _(
            "A session of your reverse-mentoring programme; each date has its own agenda."
        )
        events = build_series(
            series_uid, slots, pattern.rule, summary, description, sequence, alarm
        )
        by_id = {v.id: v for v in on_rule}
        out: list[IcsEvent] = []
        for event in events:
            if event.rrule is not None or event.recurrence_id is not None:
                out.append(event)  # a master (of the series or a later stretch) or override
                continue
            # Two sessions planned for one date, or a session on a night no rule can
            # name: a single event, under the same UID it would have anywhere else.
            view = by_id[event.uid.removeprefix(series_uid + "-")]
            out.append(replace(event, uid=self._uid("session", view.id), sequence=view.sequence))
        return out, leftovers

    def calendar(
        self,
        views: Sequence[SessionView],
        zone: ZoneInfo,
        *,
        per_session: bool = False,
        prep_blocks: bool = False,
        alarm_minutes: int | None = None,
    ) -> IcsCalendar:
        """The calendar of ``views`` (sorted by start), with the series in ``zone``.

        ``per_session`` writes one event per session instead of a recurring series;
        ``prep_blocks`` adds a block of ``PREP_MINUTES`` before each session for the
        side that teaches; ``alarm_minutes`` adds a reminder to every event.
        """
        from rmpair.export.ics_model import Alarm, IcsCalendar

        alarm = None
        if alarm_minutes is not None:
            alarm = Alarm(
                alarm_minutes,
                _("Reverse mentoring in {n} minutes").format(n=alarm_minutes),
            )
        series_events: list[IcsEvent] = []
        singles: list[SessionView] = []
        if per_session:
            singles = list(views)
        else:
            groups: dict[str, list[SessionView]] = defaultdict(list)
            for view in views:
                if view.session.series:
                    groups[view.session.series].append(view)
                else:
                    singles.append(view)
            for name in sorted(groups):
                events, leftovers = self._series_events(name, groups[name], zone, alarm)
                series_events.extend(events)
                singles.extend(leftovers)
        others = [self._single(view, alarm) for view in singles]
        if prep_blocks:
            others.extend(self._prep_block(view, alarm_minutes) for view in views)
        others.sort(key=lambda e: (_instant(e.start), e.uid))
        return IcsCalendar(name=calendar_name(self.tandem), events=(*series_events, *others))
