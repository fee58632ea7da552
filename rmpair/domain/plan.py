"""The programme plan: from a frame (start, cadence, time, length, end) to session slots.

Everything above ``PlanMixin`` is pure: no journal, no files, no clock. Slots are
naive wall-clock date-times in the tandem's zone, so a 10:00 session stays at 10:00
when daylight saving time starts or ends; only a time that does not exist on a day
(inside the spring-forward gap) is moved to the first valid minute after the gap.

Re-planning is a reconciliation: sessions the pair held, cancelled or worked on are
kept exactly as they are, and only future planned sessions nobody touched are
replaced (or left alone when the new plan puts the same session at the same time).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rmpair import fmt
from rmpair.domain.sessions import SessionsMixin
from rmpair.domain.template_schema import MIN_SESSION_MINUTES
from rmpair.domain.template_types import ProgrammeTemplate, TemplateNotFound
from rmpair.errors import UserError
from rmpair.i18n import N_, _, gettext_for, ngettext
from rmpair.model.records import (
    ActionItem,
    AgendaItem,
    Cadence,
    Category,
    Feedback,
    JSONValue,
    Learning,
    Note,
    PrepItem,
    Record,
    Role,
    Session,
    SessionKind,
    SessionStatus,
    Tandem,
    Topic,
    TopicStatus,
)

SERIES = "programme"  # the series id of every session the programme plan creates
PROGRAMME_ID = "programme"
DEFAULT_TIME = dt.time(10, 0)
DEFAULT_MONTHS = 6

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# --------------------------------------------------------------------- dates


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` until ``end`` (at least 1 for a non-empty programme)."""
    months = 0
    while add_months(start, months + 1) <= end:
        months += 1
    return max(1, months)


def programme_month(start: dt.date, day: dt.date) -> int:
    """Which month of the programme ``day`` falls in: 0 for the start day itself,
    1 for the days up to one month later, and so on (a month ends on its last day)."""
    month = 0
    while add_months(start, month) < day:
        month += 1
    return month


def first_weekday(year: int, month: int, weekday: int) -> dt.date:
    """The first ``weekday`` (Monday=0) of a month."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7)


def weekday_name(weekday: int, lang: str | None = None) -> str:
    """A weekday's name (Monday=0) in ``lang``, else in the interface language."""
    return fmt.weekday_name(weekday, lang)


_CADENCE_TEXTS = {
    Cadence.WEEKLY: N_("once a week"),
    Cadence.BIWEEKLY: N_("every two weeks"),
    Cadence.FIRST_WEEKDAY: N_("on the first {weekday} of each month"),
    Cadence.MONTHLY: N_("once a month"),
}


def cadence_text(cadence: Cadence, weekday: int = 0, lang: str | None = None) -> str:
    """The cadence as words that fit "we meet ...": "once a month", "every two weeks".

    ``lang`` writes it in the tandem's language for text that goes to the partner (the
    invitation, the agreement); without it the interface language is used.
    """
    text = gettext_for(lang)(_CADENCE_TEXTS.get(cadence, _CADENCE_TEXTS[Cadence.MONTHLY]))
    return text.format(weekday=weekday_name(weekday, lang))


def cadence_label(cadence: Cadence, weekday: int = 0) -> str:
    """The cadence as the ``--cadence`` value that gives it, e.g. ``first-tuesday``."""
    if cadence is Cadence.FIRST_WEEKDAY:
        return f"first-{WEEKDAY_NAMES[weekday % 7]}"
    return cadence.value


# ----------------------------------------------------------- parsing user input

_CADENCE_WORDS = {
    "weekly": Cadence.WEEKLY,
    "every-week": Cadence.WEEKLY,
    "biweekly": Cadence.BIWEEKLY,
    "fortnightly": Cadence.BIWEEKLY,
    "every-two-weeks": Cadence.BIWEEKLY,
    "monthly": Cadence.MONTHLY,
    "every-month": Cadence.MONTHLY,
}
_FIRST_RE = re.compile(r"^first-(?:weekday-)?([a-z]+)$")
_DURATION_RE = re.compile(r"^(\d{1,3})-?(months?|m|years?|y)$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_cadence(text: str, flag: str = "--cadence") -> tuple[Cadence, int | None]:
    """A cadence and, for "first Tuesday" rules, its weekday (Monday=0).

    Accepts weekly, biweekly, monthly and ``first-<weekday>`` (also "first Tuesday",
    "first-tue"), in any case.
    """
    word = re.sub(r"[\s_]+", "-", text.strip().casefold())
    if word in _CADENCE_WORDS:
        return _CADENCE_WORDS[word], None
    match = _FIRST_RE.match(word)
    if match:
        name = match.group(1)
        hits = [i for i, day in enumerate(WEEKDAY_NAMES) if len(name) >= 2 and day.startswith(name)]
        if len(hits) == 1:
            return Cadence.FIRST_WEEKDAY, hits[0]
    raise UserError(
        _(
            "{flag}: '{value}' is not a cadence (use weekly, biweekly, monthly or "
            "first-<weekday>, e.g. first-tuesday)."
        ).format(flag=flag, value=text)
    )


def parse_time(text: str, flag: str = "--time") -> dt.time:
    """A wall-clock time of day written HH:MM."""
    match = _TIME_RE.match(text.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise UserError(
        _("{flag}: '{value}' is not a time of day (use HH:MM, e.g. 16:30).").format(
            flag=flag, value=text
        )
    )


def parse_until(text: str, start: dt.date, flag: str = "--until") -> dt.date:
    """The programme's last day: a date, or a length counted from ``start``.

    Lengths: ``quarter`` (3 months), ``half-year``, ``year``, ``N months``/``Nm``,
    ``N years``/``Ny``.
    """
    word = re.sub(r"[\s_]+", "-", text.strip().casefold())
    named = {"quarter": 3, "half-year": 6, "halfyear": 6, "year": 12}
    months: int | None = named.get(word)
    if months is None:
        match = _DURATION_RE.match(word)
        if match:
            count = int(match.group(1))
            months = count * 12 if match.group(2).startswith("y") else count
    if months is not None:
        if months < 1:
            raise UserError(
                _("{flag}: '{value}' is too short; a programme runs at least a month.").format(
                    flag=flag, value=text
                )
            )
        if months > 120:
            raise UserError(
                _("{flag}: '{value}' is longer than ten years.").format(flag=flag, value=text)
            )
        return add_months(start, months)
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            _(
                "{flag}: '{value}' is not a date or a length (use YYYY-MM-DD, quarter, "
                "6months, year)."
            ).format(flag=flag, value=text)
        ) from None
    if len(text.strip()) != 10:
        raise UserError(
            _("{flag}: '{value}' is not a date (use YYYY-MM-DD).").format(flag=flag, value=text)
        )
    return day


def check_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            _("'{zone}' is not a known time zone (e.g. Europe/Berlin).").format(zone=name)
        ) from None


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

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cadence": self.cadence.value,
            "weekday": self.weekday,
            "cadence_label": cadence_label(self.cadence, self.weekday),
            "cadence_text": cadence_text(self.cadence, self.weekday),
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


def slot_dates(start: dt.date, end: dt.date, cadence: Cadence, weekday: int = 0) -> list[dt.date]:
    """Every meeting day from ``start`` to ``end`` (both included) for a cadence.

    Monthly dates are counted from ``start`` each time, so a programme that starts on
    the 31st meets on the last day of shorter months and on the 31st again after.
    """
    days: list[dt.date] = []
    if end < start:
        return days
    if cadence in (Cadence.WEEKLY, Cadence.BIWEEKLY):
        step = dt.timedelta(days=7 if cadence is Cadence.WEEKLY else 14)
        day = start
        while day <= end:
            days.append(day)
            day += step
    elif cadence is Cadence.FIRST_WEEKDAY:
        year, month = start.year, start.month
        while dt.date(year, month, 1) <= end:
            day = first_weekday(year, month, weekday)
            if start <= day <= end:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        count = 0
        day = start
        while day <= end:
            days.append(day)
            count += 1
            day = add_months(start, count)
    return days


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
    for day in slot_dates(frame.start, frame.end, frame.cadence, frame.weekday):
        start, shifted = wall_clock(day, frame.at, zone)
        if shifted:
            moved.append(day.isoformat())
        slots.append(Slot(start))
    if not slots:
        raise UserError(
            _("No {cadence} session fits between {start} and {end}.").format(
                cadence=cadence_label(frame.cadence, frame.weekday),
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
) -> Reconciliation:
    """Fit the slots of a (new) plan around the sessions that already exist.

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
        if slot.start.date() >= today and slot.start.date() not in taken_days
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


# ------------------------------------------------------------- the journal side


@dataclass(frozen=True, slots=True)
class ProgrammeRecord(Record):
    """The programme's settings that the Tandem record has no field for (one per journal)."""

    KIND: ClassVar[str] = "programme"
    template: str = ""
    time: str = ""  # HH:MM, the usual start of a session

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> ProgrammeRecord:
        return cls(
            id=rec_id,
            template=str(fields.get("template") or ""),
            time=str(fields.get("time") or ""),
        )


@dataclass(frozen=True, slots=True)
class PlanSlot(Record):
    """What a session looked like when the plan created it (id = the session's id).

    Re-planning compares these fingerprints with the session now: any difference
    means the pair worked on it, so it is kept.
    """

    KIND: ClassVar[str] = "plan_slot"
    session: str = ""
    fields_digest: str = ""
    agenda_digest: str = ""
    prep_digest: str = ""

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> PlanSlot:
        return cls(
            id=rec_id,
            session=str(fields.get("session") or ""),
            fields_digest=str(fields.get("fields_digest") or ""),
            agenda_digest=str(fields.get("agenda_digest") or ""),
            prep_digest=str(fields.get("prep_digest") or ""),
        )


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


# Session fields whose change is reported on its own ("moved") or means "not planned".
_VOLATILE_SESSION_FIELDS = ("start", "status")
_REFERENCING_KINDS: tuple[tuple[type[Record], str], ...] = (
    (Note, "note"),
    (Learning, "learning"),
    (ActionItem, "action_item"),
    (Feedback, "feedback"),
)


@dataclass(frozen=True)
class PlanEntry:
    """One session of the resulting plan and what re-planning did with it."""

    id: str | None
    start: dt.datetime
    kind: SessionKind
    theme: str
    status: SessionStatus
    change: str  # "new", "unchanged" or "kept"
    reasons: tuple[str, ...] = ()
    in_series: bool = True

    def to_json(self, tz: str) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "start": self.start.isoformat(timespec="minutes"),
            "start_utc": to_utc(self.start, tz).isoformat(timespec="minutes"),
            "kind": self.kind.value,
            "theme": self.theme,
            "status": self.status.value,
            "change": self.change,
            "reasons": list(self.reasons),
            "series": self.in_series,
        }


@dataclass(frozen=True)
class PlanResult:
    """The outcome of ``plan_programme``: the plan, and what changed (or would)."""

    frame: Frame
    template: str
    dry_run: bool
    entries: tuple[PlanEntry, ...]
    removed: tuple[Existing, ...]
    topics_added: tuple[str, ...]
    unplaced: tuple[str, ...]
    agreement_updated: tuple[str, ...]
    frame_changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    today: dt.date | None = None  # the day re-planning took as "now" in the tandem's zone

    @property
    def created(self) -> tuple[PlanEntry, ...]:
        return tuple(e for e in self.entries if e.change == "new")

    @property
    def kept(self) -> tuple[PlanEntry, ...]:
        return tuple(e for e in self.entries if e.change == "kept")

    def to_json(self) -> dict[str, JSONValue]:
        tz = self.frame.tz
        return {
            "dry_run": self.dry_run,
            "today": self.today.isoformat() if self.today else None,
            "template": self.template or None,
            "frame": self.frame.to_json(),
            "frame_changes": [
                {"what": what, "old": old, "new": new}
                for what, (old, new) in self.frame_changes.items()
            ],
            "sessions": [e.to_json(tz) for e in self.entries],
            "created": [e.id for e in self.created],
            "removed": [
                {
                    "id": r.id,
                    "start": r.start.isoformat(timespec="minutes"),
                    "kind": r.kind.value,
                    "theme": r.theme,
                }
                for r in self.removed
            ],
            "kept": [
                {
                    "id": e.id,
                    "start": e.start.isoformat(timespec="minutes"),
                    "reasons": [*e.reasons],
                }
                for e in self.kept
            ],
            "topics_added": list(self.topics_added),
            "unplaced_themes": list(self.unplaced),
            "agreement_updated": list(self.agreement_updated),
            "warnings": list(self.warnings),
        }


def theme_topic_id(template: str, index: int) -> str:
    """The deterministic id of the backlog topic seeded from a programme theme, so two
    devices applying the same template edit one topic instead of making two."""
    return f"theme-{template}-{index + 1}"


class PlanMixin(SessionsMixin):
    """The programme plan: turn the tandem's frame into sessions, and re-plan safely."""

    def programme_settings(self) -> ProgrammeRecord | None:
        return self.get(ProgrammeRecord, PROGRAMME_ID)

    def programme_template(self, name: str) -> ProgrammeTemplate:
        """A programme template by name, or a UserError naming the ones available."""
        store = self.templates()
        try:
            return store.programme(name)
        except TemplateNotFound:
            names = ", ".join(p.name for p in store.programmes())
            raise UserError(
                _("No programme template named '{name}' (available: {names}).").format(
                    name=name, names=names
                )
            ) from None

    def plan_programme(
        self,
        template: str | None = None,
        cadence: str | None = None,
        until: str | dt.date | None = None,
        time: str | dt.time | None = None,
        dry_run: bool = False,
        *,
        minutes: int | None = None,
        now: dt.datetime | None = None,
    ) -> PlanResult:
        """Plan (or re-plan) the programme's sessions and return what changed.

        ``template`` applies a programme template: its cadence, length and duration
        become the frame unless given here, and its themes are seeded into the backlog
        and onto the sessions of their month. Without it, the tandem's frame and the
        template chosen earlier (if any) are used. ``cadence`` and ``until`` are
        parsed like the CLI flags; a changed frame is stored on the Tandem record.
        ``now`` (wall-clock in the tandem's zone) decides which sessions are future.
        """
        tandem = self.tandem()
        if tandem is None:
            raise UserError(_("The journal has no tandem yet."))
        zone = check_zone(tandem.tz)
        if now is None:
            now = self.now().astimezone(zone).replace(tzinfo=None)
        settings = self.programme_settings()
        programme = self.programme_template(template) if template else None
        template_name = programme.name if programme else (settings.template if settings else "")
        start = tandem.start or now.date()

        new_cadence, new_weekday = tandem.cadence, tandem.weekday
        if cadence is not None:
            parsed, weekday = parse_cadence(cadence)
            new_cadence = parsed
            new_weekday = weekday if weekday is not None else tandem.weekday
        elif programme is not None:
            new_cadence = Cadence(programme.cadence)
        if isinstance(until, dt.date):
            end = until
        elif until is not None:
            end = parse_until(until, start)
        elif programme is not None:
            end = add_months(start, programme.months)
        else:
            end = tandem.end or add_months(start, DEFAULT_MONTHS)
        if isinstance(time, dt.time):
            at = time
        elif time is not None:
            at = parse_time(time)
        elif settings is not None and settings.time:
            at = parse_time(settings.time)
        else:
            at = DEFAULT_TIME
        length = minutes or (programme.minutes if programme else tandem.session_minutes)
        if length < 1:
            raise UserError(_("--length: a session needs at least one minute."))
        frame = Frame(start, end, new_cadence, new_weekday, at, length, tandem.tz)
        slots, warnings = plan_slots(frame)

        seeded, themes = self._programme_themes(template_name)
        existing = self._existing_sessions()
        outcome = reconcile(
            slots, existing, today=now.date(), start=start, minutes=length, themes=themes
        )
        warnings.extend(outcome.warnings)
        skipped = [s for s in slots if s.start.date() < now.date()]
        if skipped and not any(e.in_series for e in existing):
            warnings.append(
                ngettext(
                    "The programme started on {start}; the session date before today was "
                    "not planned.",
                    "The programme started on {start}; the {n} session dates before today "
                    "were not planned.",
                    len(skipped),
                ).format(start=start.isoformat(), n=len(skipped))
            )
        new_tandem = replace(
            tandem, cadence=new_cadence, weekday=new_weekday, end=end, session_minutes=length
        )
        frame_changes = _frame_changes(tandem, new_tandem)

        created: list[tuple[Slot, str | None]] = [(slot, None) for slot in outcome.create]
        agreement_updated: list[str] = []
        topics_added = [t.id for t in seeded]
        if not dry_run:
            from rmpair.domain.agreement import refresh_agreement_frame

            with self.batch():
                if frame_changes:
                    self.put(new_tandem)
                    agreement_updated = refresh_agreement_frame(self, tandem, new_tandem)
                wanted = ProgrammeRecord(PROGRAMME_ID, template_name, at.strftime("%H:%M"))
                if settings != wanted:
                    self.put(wanted)
                topics_added = self._seed_topics(seeded)
                for session in outcome.remove:
                    self._remove_planned(session.id)
                created = [(slot, self._create_slot(slot, length)) for slot in outcome.create]
                self._release_topics(t for s in outcome.remove for t in s.topics)

        entries = [
            PlanEntry(
                s.id, s.start, s.kind, s.theme, s.status, "kept", reasons, in_series=s.in_series
            )
            for s, reasons in outcome.kept
        ]
        entries += [
            PlanEntry(s.id, s.start, s.kind, s.theme, s.status, "unchanged")
            for s in outcome.unchanged
        ]
        entries += [
            PlanEntry(session_id, slot.start, slot.kind, slot.theme, SessionStatus.PLANNED, "new")
            for slot, session_id in created
        ]
        entries.sort(key=lambda e: (e.start, e.id or ""))
        return PlanResult(
            frame=frame,
            template=template_name,
            dry_run=dry_run,
            entries=tuple(entries),
            removed=outcome.remove,
            topics_added=tuple(topics_added),
            unplaced=tuple(t.title for t in outcome.unplaced),
            agreement_updated=tuple(agreement_updated),
            frame_changes=frame_changes,
            warnings=tuple(warnings),
            today=now.date(),
        )

    # -- helpers ---------------------------------------------------------------

    def _programme_themes(self, name: str) -> tuple[list[Topic], list[Theme]]:
        """The template's themes as topics to seed (only those never stored) and as
        themes to place (leaving out topics the pair dropped or deleted)."""
        if not name:
            return [], []
        try:
            programme = self.templates().programme(name)
        except TemplateNotFound:
            return [], []
        today = self.today()
        topics = self.all(Topic)
        priority = max((t.priority for t in topics), default=0.0)
        seeded: list[Topic] = []
        themes: list[Theme] = []
        for index, theme in enumerate(programme.themes):
            topic_id = theme_topic_id(programme.name, index)
            state = self.store.state.record(Topic.KIND, topic_id)
            current = self.get(Topic, topic_id)
            if state is None:
                priority += 1.0
                seeded.append(
                    Topic(
                        id=topic_id,
                        title=theme.title,
                        category=Category(theme.category),
                        question=theme.question,
                        proposed_by=Role.MENTEE,
                        priority=priority,
                        status=TopicStatus.BACKLOG,
                        created=today,
                    )
                )
            elif current is None or current.status not in (
                TopicStatus.BACKLOG,
                TopicStatus.PLANNED,
            ):
                continue  # deleted, dropped or already covered: the pair moved on from it
            title = current.title if current is not None else theme.title
            themes.append(Theme(title, theme.month, topic_id))
        return seeded, themes

    def _seed_topics(self, seeded: Sequence[Topic]) -> list[str]:
        added: list[str] = []
        for topic in seeded:
            if self.store.state.record(Topic.KIND, topic.id) is None:
                self.add(Topic.KIND, topic.to_fields(), rec_id=topic.id)
                added.append(topic.id)
        return added

    def _release_topics(self, topics: Iterable[str]) -> None:
        """Topics whose planned session the plan removed go back to the backlog, unless the
        new plan put them on another session."""
        planned = {s.id for s in self.all(Session) if s.status is SessionStatus.PLANNED}
        on_agenda = {
            str(fields.get("topic"))
            for _id, fields in self.store.state.live(AgendaItem.KIND)
            if fields.get("topic") and fields.get("session") in planned
        }
        for topic_id in dict.fromkeys(topics):
            topic = self.get(Topic, topic_id)
            if (
                topic is not None
                and topic.status is TopicStatus.PLANNED
                and topic_id not in on_agenda
            ):
                self.update(Topic.KIND, topic_id, {"status": TopicStatus.BACKLOG.value})

    def _create_slot(self, slot: Slot, minutes: int) -> str:
        session_id = self.plan_session(
            slot.start,
            kind=slot.kind,
            minutes=minutes,
            topics=(slot.topic,) if slot.topic else (),
            theme=slot.theme,
            planned_start=slot.start,
            series=SERIES,
        )
        fields_digest, agenda_digest, prep_digest = self._fingerprint(session_id)
        self.add(
            PlanSlot.KIND,
            PlanSlot(
                id=session_id,
                session=session_id,
                fields_digest=fields_digest,
                agenda_digest=agenda_digest,
                prep_digest=prep_digest,
            ).to_fields(),
            rec_id=session_id,
        )
        return session_id

    def _children(self, kind: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """The live records of ``kind`` (agenda or prep items) by session, in id order."""
        found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for rec_id, fields in self.store.state.live(kind):
            found.setdefault(str(fields.get("session", "")), []).append((rec_id, fields))
        for items in found.values():
            items.sort(key=lambda pair: pair[0])
        return found

    def _fingerprint(
        self, session_id: str, children: Mapping[str, Mapping[str, list[Any]]] | None = None
    ) -> tuple[str, str, str]:
        """Digests of a session's own fields (less start and status), agenda and checklists."""
        if children is None:
            children = {kind: self._children(kind) for kind in (AgendaItem.KIND, PrepItem.KIND)}
        fields = dict(self.store.state.fields(Session.KIND, session_id) or {})
        for name in _VOLATILE_SESSION_FIELDS:
            fields.pop(name, None)
        return (
            _digest(fields),
            _digest(children[AgendaItem.KIND].get(session_id, [])),
            _digest(children[PrepItem.KIND].get(session_id, [])),
        )

    def _touches(
        self,
        session: Session,
        references: Mapping[str, set[str]],
        children: Mapping[str, Mapping[str, list[Any]]],
    ) -> tuple[str, ...]:
        """Why a planned session counts as worked on (empty: untouched)."""
        reasons: list[str] = []
        if session.planned_start is None or session.start != session.planned_start:
            reasons.append("moved")
        mark = self.get(PlanSlot, session.id)
        if mark is None:
            reasons.append("manual")
        else:
            fields_digest, agenda_digest, prep_digest = self._fingerprint(session.id, children)
            if fields_digest != mark.fields_digest:
                reasons.append("edited")
            if agenda_digest != mark.agenda_digest:
                reasons.append("agenda")
            if prep_digest != mark.prep_digest:
                reasons.append("prep")
        for _cls, reason in _REFERENCING_KINDS:
            if session.id in references.get(reason, set()):
                reasons.append(reason)
        if self._has_private_notes(session.id):
            reasons.append("private_note")
        return tuple(reasons)

    def _has_private_notes(self, session_id: str) -> bool:
        """Private notes live only on this device; any file there naming the session counts."""
        folder = self.private_dir / "private"
        if not folder.is_dir():
            return False
        needle = session_id.encode("utf-8")
        for path in folder.rglob("*"):
            try:
                if path.is_file() and needle in path.read_bytes():
                    return True
            except OSError:
                continue
        return False

    def _existing_sessions(self) -> list[Existing]:
        references: dict[str, set[str]] = {}
        for cls, reason in _REFERENCING_KINDS:
            references[reason] = {
                str(fields.get("session", "")) for _id, fields in self.store.state.live(cls.KIND)
            }
        children = {kind: self._children(kind) for kind in (AgendaItem.KIND, PrepItem.KIND)}
        agenda_topics = {
            session_id: [str(f["topic"]) for _id, f in items if f.get("topic")]
            for session_id, items in children[AgendaItem.KIND].items()
        }
        found: list[Existing] = []
        for session in self.all(Session):
            if session.start is None:
                continue
            in_series = session.series == SERIES
            if not in_series and session.status is SessionStatus.CANCELLED:
                continue
            touched: tuple[str, ...] = ()
            if in_series and session.status is SessionStatus.PLANNED:
                touched = self._touches(session, references, children)
            found.append(
                Existing(
                    id=session.id,
                    start=session.start,
                    kind=session.kind,
                    status=session.status,
                    minutes=session.minutes,
                    planned_start=session.planned_start,
                    theme=session.theme,
                    topics=tuple(
                        dict.fromkeys([*session.topics, *agenda_topics.get(session.id, [])])
                    ),
                    in_series=in_series,
                    touched=touched,
                )
            )
        return found

    def _remove_planned(self, session_id: str) -> None:
        """Delete an untouched planned session with its agenda, checklists and fingerprint."""
        for kind in (AgendaItem.KIND, PrepItem.KIND):
            for rec_id, _fields in self._children(kind).get(session_id, []):
                self.delete(kind, rec_id)
        if self.get(PlanSlot, session_id) is not None:
            self.delete(PlanSlot.KIND, session_id)
        self.delete(Session.KIND, session_id)


def _frame_changes(old: Tandem, new: Tandem) -> dict[str, tuple[str, str]]:
    changes: dict[str, tuple[str, str]] = {}
    old_cadence = cadence_label(old.cadence, old.weekday)
    new_cadence = cadence_label(new.cadence, new.weekday)
    if old_cadence != new_cadence:
        changes["cadence"] = (old_cadence, new_cadence)
    if old.end != new.end:
        changes["end"] = (
            old.end.isoformat() if old.end else "",
            new.end.isoformat() if new.end else "",
        )
    if old.session_minutes != new.session_minutes:
        changes["minutes"] = (str(old.session_minutes), str(new.session_minutes))
    return changes
