"""The journal as an iCalendar file, so the sessions become blocked time in any calendar.

``Calendar.ics_export`` turns the merged journal into ``rmpair.export.ics`` events: each
programme series (sessions with ``series`` set) becomes one recurring event with
EXDATEs for cancelled dates and RECURRENCE-ID overrides for moved sessions or sessions
with their own agenda; everything else becomes a single event. Every value in the file
(UID, SEQUENCE, DTSTAMP) is derived from the merged journal alone, so both partners'
devices write the same bytes and importing a newer file updates the events instead of
adding copies. What was exported is remembered on this device only (``exports.json``
in the private folder), for the "not yet in your calendar" nudge.

This module reads the journal (stamps, the change log for SEQUENCE) and writes files;
how sessions become events is ``rmpair.export.calendar_events``, which sees only the
plain data gathered here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from rmpair.domain.records import TANDEM_ID, Records
from rmpair.errors import UserError
from rmpair.export.calendar_events import CalendarEvents, SessionView, session_view, zone_of
from rmpair.i18n import _
from rmpair.model.records import (
    AgendaItem,
    Direction,
    PrepItem,
    Role,
    Session,
    SessionStatus,
    Tandem,
)
from rmpair.store.merge import DELETED, Change, RecordState

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from rmpair.export.ics_model import IcsCalendar

__all__ = [
    "DEFAULT_ICS_NAME",
    "EXPORTS_FILE",
    "MAX_ALARM_MINUTES",
    "Calendar",
    "IcsExport",
    "export_key",
]

DEFAULT_ICS_NAME = "rmpair-sessions.ics"
EXPORTS_FILE = "exports.json"
MAX_ALARM_MINUTES = 7 * 24 * 60

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

    def series_sequence(self, name: str) -> int:
        """SEQUENCE of the series ``name``: what shaped its rule and who belongs to it."""
        return self.count(Tandem.KIND, TANDEM_ID, _SERIES_TANDEM, creates=True) + sum(
            self.count(Session.KIND, rec, _SERIES_MEMBER_TIMING, creates=True)
            for rec in sorted(self.ever_in_series.get(name, ()))
        )


# --------------------------------------------------------------------- the service


class Calendar:
    """The calendar export: journal -> .ics bytes -> a file outside the shared folder."""

    def __init__(self, records: Records) -> None:
        self.records = records

    # -- building ------------------------------------------------------------

    def _views(self, tandem: Tandem, fallback: ZoneInfo, history: _History) -> list[SessionView]:
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
        views: list[SessionView] = []
        for session in self.records.all(Session):
            if session.start is None:
                continue  # nothing to put in a calendar
            hlc = max(
                tandem_hlc,
                parts_hlc[session.id],
                _last_hlc(state.record(Session.KIND, session.id), _SESSION_CONTENT),
            )
            views.append(
                session_view(
                    tandem,
                    session,
                    fallback,
                    agenda[session.id],
                    prep[session.id],
                    stamp=_stamp_of(hlc),
                    sequence=history.count(
                        Session.KIND, session.id, _SESSION_TIMING, creates=False
                    ),
                )
            )
        views.sort(key=lambda v: (v.start.astimezone(dt.UTC), v.id))
        return views

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
        tandem = self.records.tandem()
        if tandem is None:
            raise UserError(_("The journal has no tandem yet."))
        if alarm_minutes is not None and not 0 <= alarm_minutes <= MAX_ALARM_MINUTES:
            raise UserError(
                _("An alarm must be between 0 and {most} minutes before the start.").format(
                    most=MAX_ALARM_MINUTES
                )
            )
        zone = zone_of(tandem.tz)
        if zone is None:
            raise UserError(
                _(
                    "The tandem's time zone '{zone}' is unknown on this computer; "
                    "install or update the tzdata package."
                ).format(zone=tandem.tz)
            )
        history = _History(self.records.store.state.changes.values())
        views = self._views(tandem, zone, history)
        series = sorted({v.session.series for v in views if v.session.series})
        events = CalendarEvents(
            tandem,
            self.records.journal_id,
            {name: history.series_sequence(name) for name in series},
        )
        return events.calendar(
            views,
            zone,
            per_session=per_session,
            prep_blocks=prep_blocks,
            alarm_minutes=alarm_minutes,
        )

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
