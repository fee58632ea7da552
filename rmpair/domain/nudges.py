"""Nudges against the method's classic failure modes, worked out from the journal.

Each check is a plain function over records and the current time, so it can be
tested on its own and explained: it returns a ``Nudge`` (a key, a one-line message
and a one-line reason from the method) or ``None`` when all is well. The mixin
gathers the records and runs every check; ``rmpair status`` and the app show them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from rmpair import __version__
from rmpair.clock import zone
from rmpair.domain.backlog import OPEN_STATUSES
from rmpair.domain.records import Records
from rmpair.domain.session_times import end_utc, start_utc, was_moved
from rmpair.domain.sessions import Sessions
from rmpair.i18n import _, current_language, ngettext
from rmpair.model.lifecycle import NO, YES, PrerequisiteAnswer
from rmpair.model.records import (
    AgendaItem,
    Cadence,
    Category,
    Learning,
    Role,
    Session,
    SessionStatus,
    Tandem,
    Topic,
)

EXPORTS_FILE = "exports.json"  # written by ``rmpair export ics`` in this device's folder
MIN_MINUTES = 30
CADENCE_DAYS = {
    Cadence.WEEKLY: 7,
    Cadence.BIWEEKLY: 14,
    Cadence.MONTHLY: 30,
    Cadence.FIRST_WEEKDAY: 30,
}
ALIBI_WINDOW, ALIBI_LIMIT = 4, 2
TECH_SHARE, TECH_MIN_TOPICS, TECH_SESSIONS = 0.8, 4, 4
ONE_WAY_SESSIONS, ONE_WAY_MIN_SESSIONS = 3, 2
GAP_FACTOR = 1.5


class Nudge(NamedTuple):
    """A gentle warning: which pitfall, what we see, and why it matters."""

    key: str
    message: str
    why: str

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "message": self.message, "why": self.why}


# -- the checks --------------------------------------------------------------------------


def _precondition_texts() -> dict[str, tuple[str, str, str]]:
    """What to say about each precondition of the method, per prerequisite key: the
    message when someone answered "no", the one while it is not yet confirmed, and the
    one-line why (built per call so they follow the language)."""
    return {
        "voluntary": (
            _("Not both of you said you take part voluntarily."),
            _("Not confirmed yet: both of you take part voluntarily."),
            _(
                "Reverse mentoring only works when both want it; a tandem someone was sent to "
                "soon becomes a box to tick. Talk about it before the next session."
            ),
        ),
        "no-reporting-line": (
            _("The mentee is the mentor's line manager, or one reports to the other."),
            _("Not confirmed yet: neither of you reports to the other."),
            _(
                "Nobody is candid with the person who assesses their work; the method asks for "
                "a pair with no reporting line between them."
            ),
        ),
        "no-competition": (
            _("You compete with each other (for a role, a budget or a project)."),
            _("Not confirmed yet: you do not compete with each other."),
            _(
                "Open sharing needs two people who gain nothing when the other looks bad; "
                "name the competition openly or find another partner."
            ),
        ),
        "protected-space": (
            _("Not both of you agreed that gaps in knowledge are never judged here."),
            _("Not confirmed yet: gaps in knowledge are never judged here."),
            _(
                "Without a protected space nobody asks the basic questions, and those are "
                "where the learning starts."
            ),
        ),
    }


def preconditions(answers: Sequence[PrerequisiteAnswer]) -> list[Nudge]:
    """One warning per precondition of the method (voluntary, no reporting line, no
    competition, a protected space) until it is answered "yes": by both of you, or
    for a fact about the pair (no reporting line) by one of you. A "no" says what is
    wrong; an open one asks for the answer. It goes away once confirmed."""
    # Here, not at the top: the agreement's views (and the programme's dates they
    # import) are needed only when the nudges are worked out, not for kept ones.
    from rmpair.domain.agreement_views import SHARED_PREREQUISITES, prerequisite_status

    given: dict[str, dict[Role, str | None]] = {}
    for answer in answers:
        if answer.answer in (YES, NO):
            given.setdefault(answer.key, {})[answer.role] = answer.answer
    found = []
    for key, (said_no, still_open, why) in _precondition_texts().items():
        status = prerequisite_status(given.get(key, {}), key in SHARED_PREREQUISITES)
        if status == "no":
            found.append(Nudge(f"prerequisite-{key}", said_no, why))
        elif status != "ok":
            found.append(Nudge(f"prerequisite-{key}", still_open, why))
    return found


def _planned_at(session: Session) -> dt.datetime:
    """When the session was first meant to take place (as an instant)."""
    if session.planned_start is None:
        return start_utc(session)
    first = session.planned_start.replace(tzinfo=zone(session.tz)).astimezone(dt.UTC)
    return min(first, start_utc(session))


def alibi(sessions: Sequence[Session], now: dt.datetime) -> Nudge | None:
    """Fires when at least 2 of the last 4 sessions due by now were moved or cancelled."""
    due = [s for s in sessions if s.start is not None and _planned_at(s) <= now]
    recent = sorted(due, key=lambda s: (_planned_at(s), s.id))[-ALIBI_WINDOW:]
    slipped = [s for s in recent if s.status is SessionStatus.CANCELLED or was_moved(s)]
    if len(slipped) < ALIBI_LIMIT:
        return None
    return Nudge(
        "alibi",
        _("{n} of the last {m} sessions were moved or cancelled.").format(
            n=len(slipped), m=len(recent)
        ),
        _(
            "Sessions that keep slipping are how a tandem turns into an alibi; keep the date, "
            "or agree on a new one straight away."
        ),
    )


def short_sessions(sessions: Sequence[Session], now: dt.datetime) -> Nudge | None:
    """Fires when a planned session still ahead is shorter than 30 minutes."""
    short = [
        s
        for s in sessions
        if s.status is SessionStatus.PLANNED
        and s.start is not None
        and end_utc(s) >= now
        and s.minutes < MIN_MINUTES
    ]
    if not short:
        return None
    return Nudge(
        "no-time",
        ngettext(
            "{n} planned session is shorter than {min} minutes.",
            "{n} planned sessions are shorter than {min} minutes.",
            len(short),
        ).format(n=len(short), min=MIN_MINUTES),
        _(
            "Squeezed between meetings there is no time to try things out; the method asks for "
            "30 to 60 minutes of blocked time."
        ),
    )


def squeezed(minutes: int) -> str | None:
    """A note for one session shorter than 30 minutes, shown with its agenda (whose
    timeboxes were scaled down to fit); None for a session of a proper length."""
    if minutes >= MIN_MINUTES:
        return None
    return _(
        "Only {minutes} minutes: the agenda was shrunk to fit. The method's 'no time' pitfall: "
        "block at least {least} minutes so there is room to try things out."
    ).format(minutes=minutes, least=MIN_MINUTES)


def read_exports(path: Path) -> dict[str, str] | None:
    """What the calendar export recorded (session id -> "<start>|<minutes>"), or None
    when nothing was ever exported on this device. A damaged file counts as empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    sessions = data.get("sessions") if isinstance(data, dict) else None
    if not isinstance(sessions, dict):
        return {}
    return {str(k): str(v) for k, v in sessions.items()}


def export_matches(value: str, session: Session) -> bool:
    """Whether an exported "<start iso>|<minutes>" still describes the session."""
    start_text, _sep, minutes_text = value.partition("|")
    try:
        exported = dt.datetime.fromisoformat(start_text.strip())
        minutes = int(minutes_text.strip())
    except ValueError:
        return False
    if exported.tzinfo is not None:
        exported = exported.astimezone(zone(session.tz)).replace(tzinfo=None)
    return exported == session.start and minutes == session.minutes


def not_in_calendar(
    sessions: Sequence[Session], exports: Mapping[str, str] | None, now: dt.datetime
) -> Nudge | None:
    """Fires when a future planned session is missing from (or changed since) the last
    calendar export on this device, or when nothing was ever exported."""
    ahead = [
        s
        for s in sessions
        if s.status is SessionStatus.PLANNED and s.start is not None and start_utc(s) > now
    ]
    if not ahead:
        return None
    why = _(
        "Time that is not blocked in the calendar is the first to go; export the sessions with "
        "'rmpair export ics' and import the file."
    )
    if exports is None:
        return Nudge(
            "not-in-calendar", _("No session has been exported to your calendar yet."), why
        )
    stale = [s for s in ahead if s.id not in exports or not export_matches(exports[s.id], s)]
    if not stale:
        return None
    return Nudge(
        "not-in-calendar",
        ngettext(
            "{n} upcoming session is not in your calendar, or changed since the last export.",
            "{n} upcoming sessions are not in your calendar, or changed since the last export.",
            len(stale),
        ).format(n=len(stale)),
        why,
    )


def _tech_share(topics: Sequence[Topic]) -> float:
    return sum(1 for t in topics if t.category is Category.TECHNOLOGY) / len(topics)


def technology_only(open_topics: Sequence[Topic], recent_topics: Sequence[Topic]) -> Nudge | None:
    """Fires when at least 4 open topics, or the topics of the last sessions, are 80% or
    more about technology."""
    why = _(
        "It should not shrink to explaining apps: the most valuable insights are often about "
        "culture, expectations and the world of work."
    )
    if len(recent_topics) >= TECH_MIN_TOPICS and _tech_share(recent_topics) >= TECH_SHARE:
        return Nudge(
            "technology-only",
            _("{pct}% of the topics of your last sessions were about technology.").format(
                pct=round(100 * _tech_share(recent_topics))
            ),
            why,
        )
    if len(open_topics) >= TECH_MIN_TOPICS and _tech_share(open_topics) >= TECH_SHARE:
        return Nudge(
            "technology-only",
            _("{pct}% of the topics in your backlog are about technology.").format(
                pct=round(100 * _tech_share(open_topics))
            ),
            why,
        )
    return None


def one_way_street(held: Sequence[Session], learnings: Sequence[Learning]) -> Nudge | None:
    """Fires when, over the last 3 held sessions (at least 2), only one side recorded
    what they learned."""
    recent = sorted(held, key=lambda s: (start_utc(s), s.id))[-ONE_WAY_SESSIONS:]
    if len(recent) < ONE_WAY_MIN_SESSIONS:
        return None
    ids = {s.id for s in recent}
    roles = {lr.role for lr in learnings if lr.session in ids}
    if len(roles) != 1:
        return None
    (only,) = roles
    return Nudge(
        "one-way-street",
        _("Only the {role} recorded learnings in the last {n} sessions.").format(
            role=_(only.value), n=len(recent)
        ),
        _(
            "Both sides learn: the mentor gets context and experience in return. When only "
            "one side notes anything, it has become a lecture; the {other} can note a learning "
            "too."
        ).format(other=_(only.other.value)),
    )


def cadence_gap(tandem: Tandem, sessions: Sequence[Session], now: dt.datetime) -> Nudge | None:
    """Fires when the last held session (or the start) is more than 1.5 cadence intervals
    ago and nothing is planned within the next interval."""
    where = zone(tandem.tz)
    if tandem.end is not None and now.astimezone(where).date() > tandem.end:
        return None
    interval = dt.timedelta(days=CADENCE_DAYS[tandem.cadence])
    held = [start_utc(s) for s in sessions if s.status is SessionStatus.HELD and s.start]
    if held:
        since = max(held)
    elif tandem.start is not None:
        since = dt.datetime.combine(tandem.start, dt.time(0), where).astimezone(dt.UTC)
    else:
        return None
    if now - since <= interval * GAP_FACTOR:
        return None
    soon = [
        s
        for s in sessions
        if s.status is SessionStatus.PLANNED
        and s.start is not None
        and end_utc(s) >= now
        and start_utc(s) <= now + interval
    ]
    if soon:
        return None
    days = (now - since).days
    message = (
        _("No session for {days} days, and none planned in the next {next} days.")
        if held
        else _("No session held in the {days} days since the start, and none planned soon.")
    )
    return Nudge(
        "cadence",
        message.format(days=days, next=interval.days),
        _(
            "Meeting regularly keeps the tandem going; a gap with no date in sight is how it "
            "quietly ends. Plan the next session now."
        ),
    )


# -- the mixin ----------------------------------------------------------------------------


class Nudges:
    """Runs every check over this journal."""

    def __init__(self, records: Records, sessions: Sessions) -> None:
        self.records = records
        self.sessions = sessions

    def exports_path(self) -> Path:
        return self.records.private_dir / EXPORTS_FILE

    def inputs(self) -> str | None:
        """A key for everything ``current`` and ``valid_until`` read besides the time and
        the calendar export record: the tandem's start, end, cadence and zone, and the
        records of the kinds below as cached (``MergedState.kind_digest``). Equal keys,
        equal nudges at the same moment; None when a kind changed in this process."""
        tandem = self.records.tandem()
        state = self.records.store.state
        kinds = (Session, Topic, AgendaItem, PrerequisiteAnswer, Learning)
        digests = [state.kind_digest(cls.KIND) for cls in kinds]
        if tandem is None or None in digests:
            return None
        when = [str(tandem.start), str(tandem.end), tandem.cadence.value, tandem.tz]
        return json.dumps([__version__, current_language(), *when, *digests])

    def current(self, now: dt.datetime | None = None) -> list[Nudge]:
        """Every pitfall the journal shows signs of right now, in a fixed order."""
        tandem = self.records.tandem()
        if tandem is None:
            return []
        moment = now or self.records.now()
        sessions = self.records.all(Session)
        held = [s for s in sessions if s.status is SessionStatus.HELD and s.start is not None]
        topics = {t.id: t for t in self.records.all(Topic)}
        open_topics = [t for t in topics.values() if t.status in OPEN_STATUSES]
        recent: list[Topic] = []
        for session in sorted(held, key=lambda s: (start_utc(s), s.id))[-TECH_SESSIONS:]:
            recent.extend(topics[t] for t in self.sessions.session_topics(session) if t in topics)
        checks = [
            *preconditions(self.records.all(PrerequisiteAnswer)),
            alibi(sessions, moment),
            short_sessions(sessions, moment),
            not_in_calendar(sessions, read_exports(self.exports_path()), moment),
            technology_only(open_topics, recent),
            one_way_street(held, self.records.all(Learning)),
            cadence_gap(tandem, sessions, moment),
        ]
        return [n for n in checks if n is not None]

    def valid_until(self, now: dt.datetime | None = None) -> dt.datetime:
        """The next moment the nudges may change with no new change in the journal: a
        session starting or ending, a cadence gap growing too long; at most a day away."""
        moment = now or self.records.now()
        limit = moment + dt.timedelta(days=1)
        tandem = self.records.tandem()
        if tandem is None:
            return limit
        interval = dt.timedelta(days=CADENCE_DAYS[tandem.cadence])
        moments: list[dt.datetime] = [limit]
        held: list[dt.datetime] = []
        sessions = self.records.all(Session)
        for session in sessions:
            if session.start is None:
                continue
            moments += [start_utc(session), end_utc(session), _planned_at(session)]
            moments.append(start_utc(session) - interval)
            if session.status is SessionStatus.HELD:
                held.append(start_utc(session))
        since = max(held) if held else None
        if since is None and tandem.start is not None:
            begin = dt.datetime.combine(tandem.start, dt.time(0), zone(tandem.tz))
            since = begin.astimezone(dt.UTC)
        if since is not None:
            moments.append(since + interval * GAP_FACTOR)
            if since <= moment and cadence_gap(tandem, sessions, moment) is not None:
                # The cadence nudge counts the days since: it says one more tomorrow.
                moments.append(since + dt.timedelta(days=(moment - since).days + 1))
        return min(m for m in moments if m > moment)
