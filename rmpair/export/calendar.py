"""The journal as an iCalendar file, so the sessions become blocked time in any calendar.

``Calendar.ics_export`` turns the merged journal into ``rmpair.export.ics`` events: each
programme series (sessions with ``series`` set) becomes one recurring event with
EXDATEs for cancelled dates and RECURRENCE-ID overrides for moved sessions or sessions
with their own agenda; everything else becomes a single event. Every value in the file
(UID, SEQUENCE, DTSTAMP) is derived from the merged journal alone, so both partners'
devices write the same bytes and importing a newer file updates the events instead of
adding copies. What was exported is remembered on this device only (``exports.json``
in the private folder), for the "not yet in your calendar" nudge.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from rmpair import fmt
from rmpair.domain.records import TANDEM_ID, Records
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.records import (
    AgendaItem,
    Cadence,
    Direction,
    PrepItem,
    Role,
    Session,
    SessionKind,
    SessionStatus,
    Tandem,
)
from rmpair.store.merge import DELETED, Change, RecordState

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from rmpair.export.ics_model import Alarm, IcsCalendar, IcsEvent, Recurrence

__all__ = [
    "DEFAULT_ICS_NAME",
    "EXPORTS_FILE",
    "MAX_ALARM_MINUTES",
    "PREP_MINUTES",
    "Calendar",
    "IcsExport",
    "calendar_name",
    "export_key",
]

DEFAULT_ICS_NAME = "rmpair-sessions.ics"
EXPORTS_FILE = "exports.json"
PREP_MINUTES = 30
MAX_ALARM_MINUTES = 7 * 24 * 60

_T = TypeVar("_T")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

# The fields whose values end up in an event; a change to any of them moves DTSTAMP.
# Ticking a checklist item or marking an agenda point covered does not.
_SESSION_CONTENT = (
    "start",
    "tz",
    "minutes",
    "kind",
    "direction",
    "status",
    "title",
    "theme",
    "planned_start",
    "series",
)
_AGENDA_CONTENT = ("session", "title", "minutes", "position", DELETED)
_PREP_CONTENT = ("session", "role", "text", "position", DELETED)
_TANDEM_CONTENT = ("mentor", "mentee", "location", "cadence", "weekday", "tz")
# The fields whose changes raise SEQUENCE: when and whether a session takes place,
# and for a series also what defines its rule and who belongs to it.
_SESSION_TIMING = ("start", "tz", "minutes", "status", DELETED)
_SERIES_MEMBER_TIMING = ("start", "tz", "minutes", "status", "planned_start", "series", DELETED)
_SERIES_TANDEM = ("cadence", "weekday", "tz")


def export_key(session: Session) -> str:
    """How ``exports.json`` records a session: ``"<start iso>|<minutes>"`` (local start).

    The nudge compares this with the session's current value to tell whether the
    calendar still shows it right.
    """
    start = session.start.isoformat() if session.start is not None else ""
    return f"{start}|{session.minutes}"


class IcsExport(NamedTuple):
    """One rendered calendar and what it holds."""

    data: bytes
    calendar: IcsCalendar
    sessions: dict[str, str]  # id -> export_key of each session shown (not cancelled)
    prep_for: tuple[Role, ...]  # whose prep blocks are in it (empty without prep blocks)


# ------------------------------------------------------------------ journal facts


def _stamp_of(hlc: str) -> dt.datetime:
    """The wall-clock second of a clock stamp ("" for none: the epoch, still stable)."""
    return dt.datetime.fromtimestamp(int(hlc[:15] or 0) // 1000, tz=dt.UTC)


def _last_hlc(state: RecordState | None, names: Iterable[str]) -> str:
    """The newest clock stamp among the current values of ``names`` ("" if none)."""
    if state is None:
        return ""
    return max(
        (change["hlc"] for name in names for change in state.heads.get(name, {}).values()),
        default="",
    )


class _History:
    """The merged log, indexed for counting the changes that shaped each event.

    Counting over the *set* of changes gives every device the same number, and the
    number only grows as the journal does, which is what SEQUENCE needs.
    """

    def __init__(self, changes: Iterable[Change]) -> None:
        self._by_record: dict[tuple[str, str], list[Change]] = defaultdict(list)
        # Every session that was ever in a series, so leaving it still counts.
        self.ever_in_series: dict[str, set[str]] = defaultdict(set)
        for change in changes:
            kind = change["kind"]
            if kind not in (Session.KIND, Tandem.KIND):
                continue
            self._by_record[(kind, change["rec"])].append(change)
            series = change["fields"].get("series")
            if kind == Session.KIND and isinstance(series, str) and series:
                self.ever_in_series[series].add(change["rec"])

    def count(self, kind: str, rec: str, names: Sequence[str], *, creates: bool) -> int:
        return sum(
            1
            for change in self._by_record.get((kind, rec), ())
            if (creates or change["op"] != "create") and any(n in change["fields"] for n in names)
        )


@dataclass(frozen=True)
class _View:
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


def _instant(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _zone(name: str) -> ZoneInfo | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _kind_label(kind: SessionKind) -> str:
    labels = {
        SessionKind.KICKOFF: _("Kick-off"),
        SessionKind.REGULAR: _("Regular session"),
        SessionKind.RETROSPECTIVE: _("Retrospective"),
        SessionKind.PROJECT: _("Project session"),
    }
    return labels[kind]


def _role_label(role: Role) -> str:
    return _("mentor") if role is Role.MENTOR else _("mentee")


def calendar_name(tandem: Tandem) -> str:
    """The calendar's display name, e.g. "Reverse mentoring: Sam & Dana"."""
    return _("Reverse mentoring: {mentor} & {mentee}").format(
        mentor=tandem.mentor, mentee=tandem.mentee
    )


def _what(session: Session) -> str:
    """The session's own name for the calendar: its title, theme or (if unusual) kind."""
    if session.title:
        return session.title
    if session.theme:
        return session.theme
    return "" if session.kind is SessionKind.REGULAR else _kind_label(session.kind)


def _summary(tandem: Tandem, session: Session) -> str:
    what = _what(session)
    if not what:
        return calendar_name(tandem)
    return _("Reverse mentoring: {mentor} & {mentee} – {what}").format(
        mentor=tandem.mentor, mentee=tandem.mentee, what=what
    )


def _description(
    tandem: Tandem,
    session: Session,
    agenda: Sequence[AgendaItem],
    prep: Mapping[Role, Sequence[PrepItem]],
) -> str:
    teacher = Role.MENTEE if session.direction is Direction.MENTEE_TEACHES else Role.MENTOR
    learner = teacher.other
    lines = [
        _("{kind}, {minutes} minutes").format(
            kind=_kind_label(session.kind), minutes=session.minutes
        ),
        _("{teacher} ({teacher_role}) teaches, {learner} ({learner_role}) learns.").format(
            teacher=tandem.name_of(teacher),
            teacher_role=_role_label(teacher),
            learner=tandem.name_of(learner),
            learner_role=_role_label(learner),
        ),
    ]
    if session.theme and session.theme != session.title:
        lines.append(_("Theme: {theme}").format(theme=session.theme))
    if agenda:
        lines.extend(["", _("Agenda:")])
        lines.extend(
            _("- {title} ({minutes} min)").format(title=item.title, minutes=item.minutes)
            for item in agenda
        )
    for role in (teacher, learner):
        items = prep.get(role, ())
        if items:
            lines.extend(["", _prep_heading(tandem, role)])
            lines.extend(_("- {text}").format(text=item.text) for item in items)
    return "\n".join(lines)


def _prep_heading(tandem: Tandem, role: Role) -> str:
    return _("Prep checklist for {name} ({role}):").format(
        name=tandem.name_of(role), role=_role_label(role)
    )


def _pick(values: Sequence[_T], preferred: _T | None = None) -> _T:
    """The most frequent value; a tie goes to ``preferred``, else to the one seen first
    (the callers pass values in a fixed order, so every device picks the same)."""
    counts = Counter(values)
    best = max(counts.values())
    tied = [value for value in values if counts[value] == best]
    return preferred if preferred is not None and preferred in tied else tied[0]


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

    if tandem.cadence is Cadence.MONTHLY:
        day = _pick([p.day for p in planned])
        time = _pick([p.time() for p in planned if p.day == day])
        return _Pattern(Recurrence("MONTHLY"), lambda p: p.day == day and p.time() == time)
    if tandem.cadence is Cadence.FIRST_WEEKDAY:
        firsts = [p for p in planned if p.day <= 7] or list(planned)
        weekday = _pick([p.weekday() for p in firsts], tandem.weekday)
        time = _pick([p.time() for p in firsts if p.weekday() == weekday])
        return _Pattern(
            Recurrence("MONTHLY", byday=f"1{_WEEKDAYS[weekday]}"),
            lambda p: p.day <= 7 and p.weekday() == weekday and p.time() == time,
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


# --------------------------------------------------------------------- the mixin


class Calendar:
    """The calendar export: journal -> .ics bytes -> a file outside the shared folder."""

    def __init__(self, records: Records) -> None:
        self.records = records

    # -- building ------------------------------------------------------------

    def _uid(self, what: str, rec: str) -> str:
        return f"{what}-{_uid_part(rec)}.{self.records.journal_id}@rmpair"

    def _views(self, tandem: Tandem, fallback: ZoneInfo, history: _History) -> list[_View]:
        state = self.records.store.state
        tandem_hlc = _last_hlc(state.record(Tandem.KIND, TANDEM_ID), _TANDEM_CONTENT)
        agenda: dict[str, list[AgendaItem]] = defaultdict(list)
        prep: dict[str, list[PrepItem]] = defaultdict(list)
        parts_hlc: dict[str, str] = defaultdict(str)
        # Deleted items count for the stamp too: removing an agenda point changes the text.
        for kind, names in ((AgendaItem.KIND, _AGENDA_CONTENT), (PrepItem.KIND, _PREP_CONTENT)):
            for rec_id, rec_state in state.kind(kind).items():
                values = rec_state.values()
                session_id = values.get("session")
                if not isinstance(session_id, str):
                    continue
                parts_hlc[session_id] = max(parts_hlc[session_id], _last_hlc(rec_state, names))
                if not rec_state.exists() or rec_state.is_deleted():
                    continue
                if kind == AgendaItem.KIND:
                    agenda[session_id].append(AgendaItem.from_fields(rec_id, values))
                else:
                    prep[session_id].append(PrepItem.from_fields(rec_id, values))
        views: list[_View] = []
        for session in self.records.all(Session):
            if session.start is None:
                continue  # nothing to put in a calendar
            zone = _zone(session.tz) or fallback
            items = sorted(agenda[session.id], key=lambda a: (a.position, a.id))
            checklists = {
                role: tuple(
                    sorted(
                        (p for p in prep[session.id] if p.role is role),
                        key=lambda p: (p.position, p.id),
                    )
                )
                for role in Role
            }
            planned = session.planned_start or session.start
            hlc = max(
                tandem_hlc,
                parts_hlc[session.id],
                _last_hlc(state.record(Session.KIND, session.id), _SESSION_CONTENT),
            )
            views.append(
                _View(
                    session=session,
                    zone=zone,
                    start=session.start.replace(tzinfo=zone),
                    planned=planned.replace(tzinfo=zone),
                    summary=_summary(tandem, session),
                    description=_description(tandem, session, items, checklists),
                    stamp=_stamp_of(hlc),
                    sequence=history.count(
                        Session.KIND, session.id, _SESSION_TIMING, creates=False
                    ),
                    prep=checklists,
                )
            )
        views.sort(key=lambda v: (_instant(v.start), v.id))
        return views

    def _single(self, tandem: Tandem, view: _View, alarm: Alarm | None) -> IcsEvent:
        from rmpair.export.ics_model import IcsEvent

        if view.cancelled:
            return IcsEvent(
                uid=self._uid("session", view.id),
                summary=_("Cancelled: {summary}").format(summary=view.summary),
                description=view.description,
                start=view.start,
                minutes=view.minutes,
                stamp=view.stamp,
                sequence=view.sequence,
                location=tandem.location,
                cancelled=True,
            )
        return IcsEvent(
            uid=self._uid("session", view.id),
            summary=view.summary,
            description=view.description,
            start=view.start,
            minutes=view.minutes,
            stamp=view.stamp,
            sequence=view.sequence,
            location=tandem.location,
            alarm=alarm,
        )

    def _prep_block(self, tandem: Tandem, view: _View, alarm_minutes: int | None) -> IcsEvent:
        from rmpair.export.ics_model import Alarm, IcsEvent

        role = view.teacher
        name = tandem.name_of(role)
        what = _what(view.session) or _kind_label(view.session.kind)
        summary = _("Prep time for {name}: {what}").format(name=name, what=what)
        local_start = fmt.date_time(view.start)
        lines = [
            _("Time for {name} ({role}) to prepare the session at {start}: {summary}").format(
                name=name, role=_role_label(role), start=local_start, summary=view.summary
            )
        ]
        items = view.prep.get(role, ())
        if items:
            lines.extend(["", _prep_heading(tandem, role)])
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
        tandem: Tandem,
        name: str,
        members: Sequence[_View],
        zone: ZoneInfo,
        history: _History,
        alarm: Alarm | None,
    ) -> tuple[list[IcsEvent], list[_View]]:
        """One series' events, and the members that fit no occurrence (single events)."""
        from rmpair.export.ics_model import Slot
        from rmpair.export.ics_recurrence import build_series, occurrences

        in_zone = [v for v in members if v.zone.key == zone.key]
        leftovers = [v for v in members if v.zone.key != zone.key]
        if not in_zone:
            return [], leftovers
        by_plan = sorted(in_zone, key=lambda v: (_instant(v.planned), v.id))
        pattern = _series_pattern(tandem, [v.planned.replace(tzinfo=None) for v in by_plan])
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
        sequence = history.count(Tandem.KIND, TANDEM_ID, _SERIES_TANDEM, creates=True) + sum(
            history.count(Session.KIND, rec, _SERIES_MEMBER_TIMING, creates=True)
            for rec in sorted(history.ever_in_series.get(name, ()))
        )
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
                location=tandem.location,
            )
            for v in on_rule
        ]
        # The series shows what most of its sessions share; the others become overrides.
        # When no two share a text, the series gets a neutral one, so a client that
        # falls back to it never shows one session's agenda on another date.
        summary = _shared([v.summary for v in held]) or calendar_name(tandem)
        description = _shared([v.description for v in held]) or _(
            "A session of your reverse-mentoring programme; each date has its own agenda."
        )
        events = build_series(
            series_uid, slots, pattern.rule, summary, description, sequence, alarm
        )
        by_id = {v.id: v for v in on_rule}
        out: list[IcsEvent] = []
        for event in events:
            if event.uid == series_uid:
                out.append(event)
                continue
            # Two sessions planned for one date: the second is a single event, under the
            # same UID it would have anywhere else.
            view = by_id[event.uid.removeprefix(series_uid + "-")]
            out.append(replace(event, uid=self._uid("session", view.id), sequence=view.sequence))
        return out, leftovers

    def ics_calendar(
        self,
        *,
        per_session: bool = False,
        prep_blocks: bool = False,
        alarm_minutes: int | None = None,
    ) -> IcsCalendar:
        """The journal's sessions as a calendar (see the module docstring).

        ``per_session`` writes one event per session instead of a recurring series;
        ``prep_blocks`` adds a block of ``PREP_MINUTES`` before each session for the
        side that teaches; ``alarm_minutes`` adds a reminder to every event.
        """
        from rmpair.export.ics_model import Alarm, IcsCalendar

        tandem = self.records.tandem()
        if tandem is None:
            raise UserError(_("The journal has no tandem yet."))
        if alarm_minutes is not None and not 0 <= alarm_minutes <= MAX_ALARM_MINUTES:
            raise UserError(
                _("An alarm must be between 0 and {most} minutes before the start.").format(
                    most=MAX_ALARM_MINUTES
                )
            )
        zone = _zone(tandem.tz)
        if zone is None:
            raise UserError(
                _(
                    "The tandem's time zone '{zone}' is unknown on this computer; "
                    "install or update the tzdata package."
                ).format(zone=tandem.tz)
            )
        history = _History(self.records.store.state.changes.values())
        views = self._views(tandem, zone, history)
        alarm = None
        if alarm_minutes is not None:
            alarm = Alarm(
                alarm_minutes,
                _("Reverse mentoring in {n} minutes").format(n=alarm_minutes),
            )
        series_events: list[IcsEvent] = []
        singles: list[_View] = []
        if per_session:
            singles = list(views)
        else:
            groups: dict[str, list[_View]] = defaultdict(list)
            for view in views:
                if view.session.series:
                    groups[view.session.series].append(view)
                else:
                    singles.append(view)
            for name in sorted(groups):
                events, leftovers = self._series_events(
                    tandem, name, groups[name], zone, history, alarm
                )
                series_events.extend(events)
                singles.extend(leftovers)
        others = [self._single(tandem, view, alarm) for view in singles]
        if prep_blocks:
            others.extend(self._prep_block(tandem, view, alarm_minutes) for view in views)
        others.sort(key=lambda e: (_instant(e.start), e.uid))
        return IcsCalendar(name=calendar_name(tandem), events=(*series_events, *others))

    def ics_export(
        self,
        *,
        per_session: bool = False,
        prep_blocks: bool = False,
        alarm_minutes: int | None = None,
    ) -> IcsExport:
        """Build and render the calendar; fails with a UserError when there is nothing
        to put in it."""
        from rmpair.export.ics import render

        try:
            calendar = self.ics_calendar(
                per_session=per_session, prep_blocks=prep_blocks, alarm_minutes=alarm_minutes
            )
            if not calendar.events:
                if any(s.start is not None for s in self.records.all(Session)):
                    raise UserError(_("Every session is cancelled; there is nothing to export."))
                raise UserError(
                    _("There are no sessions to export yet; plan them first (rmpair plan).")
                )
            data = render(calendar)
        except ValueError as exc:  # data no calendar could read the same way
            raise UserError(
                _("The calendar cannot be written: {problem}").format(problem=exc)
            ) from exc
        shown = {
            s.id: export_key(s)
            for s in self.records.all(Session)
            if s.start is not None and s.status is not SessionStatus.CANCELLED
        }
        prep_for: tuple[Role, ...] = ()
        if prep_blocks:
            teachers = {
                Role.MENTEE if s.direction is Direction.MENTEE_TEACHES else Role.MENTOR
                for s in self.records.all(Session)
                if s.start is not None
            }
            prep_for = tuple(role for role in Role if role in teachers)
        return IcsExport(data, calendar, dict(sorted(shown.items())), prep_for)

    # -- writing -------------------------------------------------------------

    def ics_target(
        self, path: Path, *, allow_in_journal: bool = False, default_name: str = DEFAULT_ICS_NAME
    ) -> Path:
        """Where an export to ``path`` goes; refuses the shared journal folder.

        A file there would travel to the partner with every sync and be stale as soon
        as either of you changes something (and a JSON backup would sit in the cloud
        folder in plain text). A folder gets ``default_name``.
        """
        target = path.expanduser()
        if target.is_dir():
            target = target / default_name
        target = target.absolute()
        if not target.parent.is_dir():
            raise UserError(_("The folder {folder} does not exist.").format(folder=target.parent))
        if not allow_in_journal and _inside(target, self.records.folder):
            raise UserError(
                _(
                    "{path} is inside the shared journal folder: the sync would carry the "
                    "file to your partner, where it goes stale with the next change. "
                    "Write it elsewhere, or pass --allow-in-journal."
                ).format(path=target)
            )
        return target

    def write_ics(self, export: IcsExport, path: Path, *, allow_in_journal: bool = False) -> Path:
        """Write ``export`` atomically to ``path`` (see ``ics_target``) and remember it."""
        target = self.write_export(export.data, path, allow_in_journal=allow_in_journal)
        self.record_ics_export(export)
        return target

    def write_export(
        self,
        data: bytes,
        path: Path,
        *,
        allow_in_journal: bool = False,
        default_name: str = DEFAULT_ICS_NAME,
    ) -> Path:
        """Write an export (calendar, report, backup) atomically to ``path``, never into the
        shared folder unless allowed (see ``ics_target``); returns where it went."""
        from rmpair.store.files import atomic_write

        target = self.ics_target(path, allow_in_journal=allow_in_journal, default_name=default_name)
        try:
            atomic_write(target, data)
        except OSError as exc:
            raise UserError(
                _("Could not write {path}: {reason}").format(
                    path=target, reason=exc.strerror or exc
                )
            ) from exc
        return target

    def record_ics_export(self, export: IcsExport, *, at: dt.datetime | None = None) -> Path:
        """Remember on this device which sessions the calendar now shows, and when.

        Written to the private folder (never the shared one) as
        ``{"sessions": {id: "<start iso>|<minutes>"}, "at": "<UTC ISO time>"}``.
        """
        import json

        from rmpair.store.files import atomic_write

        when = (at or self.records.now()).astimezone(dt.UTC).replace(microsecond=0)
        data = {"sessions": export.sessions, "at": when.isoformat()}
        path = self.records.private_dir / EXPORTS_FILE
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write(path, text.encode("utf-8"), private=True)
        return path


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` lies in ``folder``, however either is spelled (symlinks, case)."""
    try:
        root = folder.resolve()
        target = path.resolve()
    except OSError:
        return False
    if target == root or target.is_relative_to(root):
        return True
    if not root.is_dir():
        return False
    # Case-insensitive file systems and other aliases: compare the folders themselves.
    for parent in target.parents:
        try:
            if os.path.samefile(parent, root):
                return True
        except OSError:
            continue
    return False
