"""The pair's own report of their programme: computed from the journal, rendered four ways.

The method ends a programme with results that both sides share and value; a report
makes that easy. ``build_report`` reads the merged journal once and computes every
figure (sessions held, cancelled and moved, hours, topics by category, both learning
logs, action items, ratings over time, the self-assessment, both evaluations and the
recommendations) into a plain ``Report``. The renderers only format it: Markdown,
one self-contained HTML file with inline SVG charts, JSON, and a Rich renderable for
the terminal.

The human forms write dates and numbers the way the interface language does
(``rmpair.fmt``: "3. Dez. 2026", "7,5 Stunden"); JSON is data and keeps ISO dates and
plain numbers whatever the language.

Private notes never reach a report: they live only on their device, and nothing in
this module reads them (shared notes come from the journal, and only when asked for).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from rmpair import fmt
from rmpair.domain.evaluation import AssessmentRow, answer_rows, with_colon
from rmpair.i18n import _, base_language, current_language, ngettext
from rmpair.model.lifecycle import Evaluation, Stage
from rmpair.model.records import (
    Category,
    Feedback,
    Learning,
    Note,
    Role,
    Session,
    SessionStatus,
    Topic,
    TopicStatus,
)
from rmpair.report.charts import (
    BarChart,
    LineChart,
    RatingPoint,
    category_chart,
    ratings_chart,
    svg_bar_chart,
    svg_line_chart,
    text_bars,
    text_plot,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.text import Text

    from rmpair.journal import Journal

FORMAT = "rmpair-report"
VERSION = 1
FORMATS = ("md", "html", "json")
EXTENSIONS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}
ROLES = (Role.MENTOR, Role.MENTEE)

# Thresholds of the derived recommendations.
# The fitted line must climb or drop this many rating points from the first rated
# session to the last to count as rising or falling.
TREND_POINTS = 0.5
MOSTLY_TECH, TECH_MIN_COVERED = 2 / 3, 3
SLIP_SHARE, SLIP_MIN = 1 / 3, 2
ONE_WAY_RATIO = 1 / 3
SHORT_MINUTES = 30
MD_PLOT_WIDTH = 72  # the ratings plot in Markdown: fits a code block on a narrow page


def category_label(category: Category | str) -> str:
    labels = {
        "technology": _("Technology"),
        "work": _("World of work"),
        "culture": _("Culture & diversity"),
        "project": _("Project"),
    }
    key = category.value if isinstance(category, Category) else category
    return labels.get(key, key)


def status_label(status: SessionStatus) -> str:
    labels = {
        SessionStatus.PLANNED: _("planned"),
        SessionStatus.HELD: _("held"),
        SessionStatus.CANCELLED: _("cancelled"),
    }
    return labels[status]


def role_label(role: Role) -> str:
    return _("mentor") if role is Role.MENTOR else _("mentee")


def trend_label(trend: str | None) -> str:
    labels = {"up": _("rising"), "down": _("falling"), "flat": _("steady")}
    return labels.get(trend or "", _("not enough ratings yet"))


# -- the report as data -----------------------------------------------------------------


@dataclass(frozen=True)
class SessionLine:
    """One session as the report lists it."""

    id: str
    start: dt.datetime | None
    title: str
    kind: str
    status: SessionStatus
    moved: bool
    planned_start: dt.datetime | None
    minutes: int
    topics: tuple[str, ...]  # titles
    ratings: dict[Role, int | None]
    comments: dict[Role, str]
    notes: tuple[NoteLine, ...] | None  # None: shared notes were not asked for


@dataclass(frozen=True)
class NoteLine:
    """A shared note (only in a report made ``with_notes``)."""

    author: Role
    created: str
    text: str


@dataclass(frozen=True)
class LearningLine:
    session: str
    day: dt.date | None
    role: Role
    text: str


@dataclass(frozen=True)
class ActionLine:
    id: str
    text: str
    owner: Role
    due: dt.date | None
    done: bool
    session: str


@dataclass(frozen=True)
class TopicLine:
    id: str
    title: str
    category: Category


@dataclass(frozen=True)
class Counts:
    """How the programme went in numbers."""

    total: int
    held: int
    cancelled: int
    planned: int
    moved: int
    minutes_held: int

    @property
    def hours_held(self) -> float:
        return round(self.minutes_held / 60, 1)


@dataclass(frozen=True)
class Recommendation:
    """One recommendation: ``source`` is ``mentor`` or ``mentee`` for what a person
    wrote under "what we would change", ``derived`` for what the figures suggest."""

    key: str
    text: str
    source: str


@dataclass(frozen=True)
class Report:
    """Everything the report shows, computed once from the journal."""

    generated: dt.date
    names: dict[Role, str]
    start: dt.date | None
    end: dt.date | None
    tz: str
    lang: str
    peer_to_peer: bool
    first_session: dt.date | None
    last_held: dt.date | None
    counts: Counts
    sessions: tuple[SessionLine, ...]
    categories: tuple[tuple[str, str, int], ...]  # (key, label, covered topics)
    covered: tuple[TopicLine, ...]
    open_topics: int
    learnings: tuple[LearningLine, ...]
    actions: tuple[ActionLine, ...]
    ratings: tuple[RatingPoint, ...]
    averages: dict[str, float | None]  # mentor, mentee, all
    slope: float | None
    trend: str | None  # up, down, flat; None with fewer than two rated sessions
    assessment: tuple[AssessmentRow, ...]
    checkins: dict[Role, Evaluation | None]
    closing: dict[Role, Evaluation | None]
    recommendations: tuple[Recommendation, ...]
    with_notes: bool

    @property
    def actions_done(self) -> tuple[ActionLine, ...]:
        return tuple(a for a in self.actions if a.done)

    @property
    def actions_open(self) -> tuple[ActionLine, ...]:
        return tuple(a for a in self.actions if not a.done)

    @property
    def technology_share(self) -> float | None:
        if not self.covered:
            return None
        tech = sum(1 for t in self.covered if t.category is Category.TECHNOLOGY)
        return tech / len(self.covered)

    def who(self, role: Role) -> str:
        """``Sam (mentor)``."""
        return _("{name} ({role})").format(name=self.names[role], role=role_label(role))

    def ratings_chart(self) -> LineChart:
        """The ratings over time as chart data (for the app, the HTML and the terminal)."""
        return ratings_chart(self.ratings)

    def category_chart(self) -> BarChart:
        """The covered topics per category as chart data."""
        return category_chart(self.categories)


def _moved(session: Session) -> bool:
    """Moved: its start is no longer where it was first planned."""
    return session.planned_start is not None and session.start != session.planned_start


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def rating_trend(points: Sequence[RatingPoint]) -> tuple[float | None, str | None]:
    """The least-squares slope of the per-session mean rating (points per session) and
    whether the ratings rose, fell or held steady over the programme (the fitted line
    moves at least ``TREND_POINTS`` from the first rated session to the last);
    (None, None) below two rated sessions."""
    ys = [p.mean for p in points]
    pairs = [(float(x), y) for x, y in enumerate(ys) if y is not None]
    if len(pairs) < 2:
        return None, None
    mean_x = sum(x for x, _y in pairs) / len(pairs)
    mean_y = sum(y for _x, y in pairs) / len(pairs)
    spread = sum((x - mean_x) ** 2 for x, _y in pairs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in pairs) / spread
    rise = slope * (pairs[-1][0] - pairs[0][0])
    slope = round(slope, 3)
    if rise >= TREND_POINTS - 1e-9:
        return slope, "up"
    if rise <= -TREND_POINTS + 1e-9:
        return slope, "down"
    return slope, "flat"


def build_report(
    journal: Journal, *, with_notes: bool = False, now: dt.datetime | None = None
) -> Report:
    """Compute the report from the merged journal; shared notes only ``with_notes``."""
    from rmpair.errors import UserError

    tandem = journal.tandem()
    if tandem is None:
        raise UserError(_("The journal has no tandem yet."))
    names = {role: tandem.name_of(role) for role in ROLES}
    sessions = journal.sessions.all()
    topics = {t.id: t for t in journal.all(Topic)}
    feedback = journal.by_session(Feedback)
    shared_notes = journal.by_session(Note) if with_notes else {}

    lines: list[SessionLine] = []
    for session in sessions:
        given = {f.role: f for f in feedback.get(session.id, ())}
        notes: tuple[NoteLine, ...] | None = None
        if with_notes:
            notes = tuple(
                NoteLine(n.author, n.created, n.text)
                for n in sorted(shared_notes.get(session.id, ()), key=lambda n: (n.created, n.id))
            )
        lines.append(
            SessionLine(
                id=session.id,
                start=session.start,
                title=journal.sessions.session_title(session),
                kind=session.kind.value,
                status=session.status,
                moved=_moved(session),
                planned_start=session.planned_start,
                minutes=session.minutes,
                topics=tuple(
                    topics[t].title for t in journal.sessions.session_topics(session) if t in topics
                ),
                ratings={
                    r: (given[r].rating if r in given and given[r].rating else None) for r in ROLES
                },
                comments={r: given[r].comment if r in given else "" for r in ROLES},
                notes=notes,
            )
        )
    held = [s for s in sessions if s.status is SessionStatus.HELD]
    counts = Counts(
        total=len(sessions),
        held=len(held),
        cancelled=sum(1 for s in sessions if s.status is SessionStatus.CANCELLED),
        planned=sum(1 for s in sessions if s.status is SessionStatus.PLANNED),
        moved=sum(1 for s in sessions if _moved(s)),
        minutes_held=sum(s.minutes for s in held),
    )
    covered = tuple(
        TopicLine(t.id, t.title, t.category)
        for t in sorted(topics.values(), key=lambda t: (t.priority, t.id))
        if t.status is TopicStatus.COVERED
    )
    categories = tuple(
        (c.value, category_label(c), sum(1 for t in covered if t.category is c)) for c in Category
    )
    starts = {s.id: s.start for s in sessions}
    days = {s.id: s.start.date() for s in sessions if s.start is not None}
    learnings = tuple(
        LearningLine(
            lr.session,
            days.get(lr.session),
            lr.role,
            lr.text,
        )
        for lr in sorted(
            journal.all(Learning),
            key=lambda lr: (starts.get(lr.session) or dt.datetime.min, lr.created, lr.id),
        )
    )
    actions = tuple(
        ActionLine(a.id, a.text, a.owner, a.due, a.done, a.session)
        for a in journal.notes.action_items()
    )
    # Without the year the plot's dates are shorter, and still clear within one year.
    held_days = [
        line.start.date() for line in lines if line.start and line.status is SessionStatus.HELD
    ]
    within_a_year = bool(held_days) and (max(held_days) - min(held_days)).days < 330
    points = tuple(
        RatingPoint(
            line.id,
            # The chart's x label, read by people; JSON takes the ISO date from the session.
            fmt.date(line.start.date(), weekday=False) if line.start else "?",
            line.ratings[Role.MENTOR],
            line.ratings[Role.MENTEE],
            fmt.day_month(line.start.date()) if line.start and within_a_year else "",
        )
        for line in lines
        if line.status is SessionStatus.HELD
    )
    mentor_ratings = [float(p.mentor) for p in points if p.mentor is not None]
    mentee_ratings = [float(p.mentee) for p in points if p.mentee is not None]
    slope, trend = rating_trend(points)
    begun = [s.start for s in sessions if s.status is not SessionStatus.CANCELLED and s.start]
    report = Report(
        generated=journal.today(now),
        names=names,
        start=tandem.start,
        end=tandem.end,
        tz=tandem.tz,
        lang=tandem.lang,
        peer_to_peer=tandem.peer_to_peer,
        first_session=min(begun).date() if begun else None,
        last_held=max(s.start for s in held if s.start).date()
        if any(s.start for s in held)
        else None,
        counts=counts,
        sessions=tuple(lines),
        categories=categories,
        covered=covered,
        open_topics=sum(
            1 for t in topics.values() if t.status in (TopicStatus.BACKLOG, TopicStatus.PLANNED)
        ),
        learnings=learnings,
        actions=actions,
        ratings=points,
        averages={
            "mentor": _mean(mentor_ratings),
            "mentee": _mean(mentee_ratings),
            "all": _mean(mentor_ratings + mentee_ratings),
        },
        slope=slope,
        trend=trend,
        assessment=tuple(journal.evaluation.assessment_rows()),
        checkins=journal.evaluation.evaluations(Stage.CHECKIN),
        closing=journal.evaluation.evaluations(Stage.CLOSING),
        recommendations=(),
        with_notes=with_notes,
    )
    return _with_recommendations(report)


def _with_recommendations(report: Report) -> Report:
    from dataclasses import replace

    return replace(report, recommendations=tuple(recommendations(report)))


def recommendations(report: Report) -> list[Recommendation]:
    """What the pair said they would change, then what the figures suggest."""
    found: list[Recommendation] = []
    for role in ROLES:
        answers = report.closing.get(role)
        if answers is not None and answers.change:
            found.append(Recommendation(f"change-{role.value}", answers.change, role.value))
    counts = report.counts
    share = report.technology_share
    if share is not None and len(report.covered) >= TECH_MIN_COVERED and share >= MOSTLY_TECH:
        found.append(
            Recommendation(
                "technology-only",
                _(
                    "{pct}% of the covered topics were about technology. Next time, make room "
                    "for the world of work and culture: that is where the most valuable "
                    "insights often are."
                ).format(pct=fmt.number(round(100 * share))),
                "derived",
            )
        )
    due = counts.held + counts.cancelled
    slipped = counts.cancelled + sum(
        1 for s in report.sessions if s.moved and s.status is SessionStatus.HELD
    )
    if due and slipped >= SLIP_MIN and slipped >= SLIP_SHARE * due - 1e-9:
        found.append(
            Recommendation(
                "alibi",
                _(
                    "{n} of {m} sessions were cancelled or moved. Protect the dates: block "
                    "them in both calendars and agree on a new date straight away when one "
                    "has to go."
                ).format(n=slipped, m=due),
                "derived",
            )
        )
    by_role = {role: sum(1 for lr in report.learnings if lr.role is role) for role in ROLES}
    fewer = min(ROLES, key=lambda r: by_role[r])
    more = fewer.other
    if counts.held >= 2 and by_role[more] and by_role[fewer] <= ONE_WAY_RATIO * by_role[more]:
        found.append(
            Recommendation(
                "one-way-street",
                _(
                    "The {more} recorded {n} learnings, the {fewer} {m}. Both sides learn in "
                    "a tandem: the {fewer} could note what they take away too."
                ).format(
                    more=role_label(more),
                    fewer=role_label(fewer),
                    n=by_role[more],
                    m=by_role[fewer],
                ),
                "derived",
            )
        )
    short = [s for s in report.sessions if s.status is SessionStatus.HELD]
    short = [s for s in short if s.minutes < SHORT_MINUTES]
    if short:
        found.append(
            Recommendation(
                "no-time",
                ngettext(
                    "{n} session was shorter than {min} minutes. Block 30 to 60 minutes: "
                    "there is no room to try things out between two meetings.",
                    "{n} sessions were shorter than {min} minutes. Block 30 to 60 minutes: "
                    "there is no room to try things out between two meetings.",
                    len(short),
                ).format(n=len(short), min=SHORT_MINUTES),
                "derived",
            )
        )
    if report.trend == "down":
        found.append(
            Recommendation(
                "ratings-falling",
                _(
                    "The session ratings fell over the programme. Talk openly about what "
                    "changed and what would make the sessions worth your time again."
                ),
                "derived",
            )
        )
    if report.actions_open:
        found.append(
            Recommendation(
                "open-actions",
                ngettext(
                    "{n} action item is still open: decide who takes it on, or drop it on purpose.",
                    "{n} action items are still open: decide who takes them on, or drop "
                    "them on purpose.",
                    len(report.actions_open),
                ).format(n=len(report.actions_open)),
                "derived",
            )
        )
    ended = report.end is not None and report.generated >= report.end
    for role in ROLES:
        answers = report.closing.get(role)
        if ended and (answers is None or not answers.answered):
            found.append(
                Recommendation(
                    f"closing-missing-{role.value}",
                    _(
                        "The {role} has not given the closing evaluation yet ('rmpair "
                        "evaluate'). Feedback from both sides is what closes a programme."
                    ).format(role=role_label(role)),
                    "derived",
                )
            )
    wishes = {
        role: (report.closing.get(role) or Evaluation("")).wants_to_continue for role in ROLES
    }
    if all(w == "yes" for w in wishes.values()):
        found.append(
            Recommendation(
                "continue",
                _(
                    "You both want to continue: agree on a new end date and plan the next "
                    "sessions ('rmpair plan')."
                ),
                "derived",
            )
        )
    elif "no" in wishes.values():
        found.append(
            Recommendation(
                "close-well",
                _(
                    "Not both of you want to go on: close the programme on a good note, "
                    "thank each other, and keep the contact."
                ),
                "derived",
            )
        )
    if ended and counts.held:
        found.append(
            Recommendation(
                "share-results",
                _(
                    "Share the results: pass the recommendations to the people who can act "
                    "on them, so the programme leaves a mark."
                ),
                "derived",
            )
        )
    return found


# -- shared formatting ------------------------------------------------------------------


def _day(value: dt.date | None) -> str:
    """A date in prose or a list: "3 Dec 2026", "3. Dez. 2026"."""
    return fmt.date(value, weekday=False) if value is not None else "-"


def _when(value: dt.datetime | None) -> str:
    """A date and time in a table column: "Wed 2026-12-02 17:00" lines up and sorts."""
    return fmt.compact(value) if value is not None else "-"


def _moment(value: dt.datetime | None) -> str:
    """A date and time in a heading: "Wed 2 Dec 2026, 17:00", "Mi., 2. Dez. 2026, 17:00"."""
    return fmt.date_time(value) if value is not None else "-"


def _decimal(value: float, most: int = 2) -> str:
    """A figure with the decimals it has, up to ``most``, and the language's marks:
    7.5 -> "7,5" in German, 8.0 -> "8" (a whole number shows no ".0")."""
    for decimals in range(most):
        if round(value, decimals) == round(value, most):
            return fmt.number(value, decimals=decimals)
    return fmt.number(value, decimals=most)


def _rating(value: int | float | None) -> str:
    """A rating or an average of ratings; "-" where there is none."""
    if value is None:
        return "-"
    return _decimal(value) if isinstance(value, float) else str(value)


def _session_status(line: SessionLine) -> str:
    text = status_label(line.status)
    if line.moved:
        text = _("{status}, moved from {when}").format(status=text, when=_when(line.planned_start))
    return text


def summary_rows(report: Report) -> list[tuple[str, str]]:
    """The figures at a glance, as (label, value) pairs."""
    counts = report.counts
    mix = ", ".join(f"{label} {count}" for _key, label, count in report.categories)
    return [
        (
            _("Programme"),
            _("{start} to {end} (first session {first}, last held {last})").format(
                start=_day(report.start),
                end=_day(report.end),
                first=_day(report.first_session),
                last=_day(report.last_held),
            ),
        ),
        (
            _("Sessions held"),
            _("{held} of {total} ({cancelled} cancelled, {planned} still planned)").format(
                held=counts.held,
                total=counts.total,
                cancelled=counts.cancelled,
                planned=counts.planned,
            ),
        ),
        (_("Sessions moved"), str(counts.moved)),
        (
            _("Time invested"),
            # "1 hour" but "1.5 hours": only exactly one takes the singular.
            ngettext(
                "{hours} hour ({minutes} minutes in held sessions)",
                "{hours} hours ({minutes} minutes in held sessions)",
                1 if counts.hours_held == 1 else 2,
            ).format(hours=_decimal(counts.hours_held), minutes=fmt.number(counts.minutes_held)),
        ),
        (_("Topics covered"), f"{len(report.covered)} ({mix})"),
        (
            _("Action items"),
            _("{done} done, {open} open").format(
                done=len(report.actions_done), open=len(report.actions_open)
            ),
        ),
        (
            _("Average rating"),
            _("mentor {mentor}, mentee {mentee} (trend: {trend})").format(
                mentor=_rating(report.averages["mentor"]),
                mentee=_rating(report.averages["mentee"]),
                trend=trend_label(report.trend),
            ),
        ),
    ]


def _title(report: Report) -> str:
    return _("Reverse mentoring: {mentor} and {mentee}").format(
        mentor=report.who(Role.MENTOR), mentee=report.who(Role.MENTEE)
    )


def _generated(report: Report) -> str:
    return _("Report of {day}; times in {tz}.").format(day=_day(report.generated), tz=report.tz)


def _stages(report: Report) -> list[tuple[str, dict[Role, Evaluation | None]]]:
    return [(_("Mid-point check-in"), report.checkins), (_("Closing evaluation"), report.closing)]


def _source_label(report: Report, source: str) -> str:
    if source == "derived":
        return _("from the figures")
    return _("from {who}").format(who=report.who(Role(source)))


# -- JSON -------------------------------------------------------------------------------


def to_json(report: Report) -> dict[str, Any]:
    """The report as JSON with the keys documented in ``docs/cli/report.md``."""

    def evaluation(role: Role, answers: Evaluation | None) -> dict[str, Any] | None:
        if answers is None or not answers.answered:
            return None
        return answers.to_json(report.names[role])

    counts = report.counts
    # The points' labels are for people; the data keeps the ISO date of each session.
    days = {line.id: line.start.date().isoformat() for line in report.sessions if line.start}
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated": report.generated.isoformat(),
        "with_notes": report.with_notes,
        "tandem": {
            "mentor": report.names[Role.MENTOR],
            "mentee": report.names[Role.MENTEE],
            "tz": report.tz,
            "peer_to_peer": report.peer_to_peer,
        },
        "programme": {
            "start": report.start.isoformat() if report.start else None,
            "end": report.end.isoformat() if report.end else None,
            "first_session": report.first_session.isoformat() if report.first_session else None,
            "last_held": report.last_held.isoformat() if report.last_held else None,
        },
        "sessions": {
            "total": counts.total,
            "held": counts.held,
            "cancelled": counts.cancelled,
            "planned": counts.planned,
            "moved": counts.moved,
            "minutes_held": counts.minutes_held,
            "hours_held": counts.hours_held,
        },
        "session_log": [
            {
                "id": line.id,
                "start": line.start.isoformat(timespec="minutes") if line.start else None,
                "planned_start": line.planned_start.isoformat(timespec="minutes")
                if line.planned_start
                else None,
                "title": line.title,
                "kind": line.kind,
                "status": line.status.value,
                "moved": line.moved,
                "minutes": line.minutes,
                "topics": list(line.topics),
                "feedback": {
                    role.value: None
                    if line.ratings[role] is None and not line.comments[role]
                    else {"rating": line.ratings[role], "comment": line.comments[role]}
                    for role in ROLES
                },
                "notes": None
                if line.notes is None
                else [
                    {"author": n.author.value, "created": n.created, "text": n.text}
                    for n in line.notes
                ],
            }
            for line in report.sessions
        ],
        "topics": {
            "covered_by_category": {key: count for key, _label, count in report.categories},
            "covered": [
                {"id": t.id, "title": t.title, "category": t.category.value} for t in report.covered
            ],
            "technology_share": None
            if report.technology_share is None
            else round(report.technology_share, 3),
            "open": report.open_topics,
        },
        "learnings": [
            {
                "session": lr.session,
                "date": lr.day.isoformat() if lr.day else None,
                "role": lr.role.value,
                "text": lr.text,
            }
            for lr in report.learnings
        ],
        "action_items": {
            state: [
                {
                    "id": a.id,
                    "text": a.text,
                    "owner": a.owner.value,
                    "due": a.due.isoformat() if a.due else None,
                    "session": a.session or None,
                }
                for a in items
            ]
            for state, items in (("done", report.actions_done), ("open", report.actions_open))
        },
        "ratings": {
            "points": [
                {
                    "session": p.session,
                    "date": days.get(p.session, "?"),
                    "mentor": p.mentor,
                    "mentee": p.mentee,
                }
                for p in report.ratings
            ],
            "average": dict(report.averages),
            "slope": report.slope,
            "trend": report.trend,
        },
        "self_assessment": [row.to_json() for row in report.assessment],
        "checkin": {role.value: evaluation(role, report.checkins.get(role)) for role in ROLES},
        "closing": {role.value: evaluation(role, report.closing.get(role)) for role in ROLES},
        "recommendations": [
            {"key": r.key, "text": r.text, "source": r.source} for r in report.recommendations
        ],
    }


def render_json(report: Report) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2) + "\n"


# -- Markdown ---------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|") or "-"


def _item(text: str) -> str:
    """Text safe as one list item: continuation lines indented under the bullet."""
    return "\n  ".join(text.strip().splitlines())


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    out.append("|" + "|".join(" --- " for _h in headers) + "|")
    out.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return out


def session_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """The session list as headers and text cells, shared by the Markdown and HTML forms."""
    headers = [_("When"), _("Session"), _("Status"), _("Minutes"), _("Topics"), _("Ratings")]
    rows = [
        [
            _when(line.start),
            line.title,
            _session_status(line),
            str(line.minutes),
            "; ".join(line.topics),
            _("mentor {mentor}, mentee {mentee}").format(
                mentor=_rating(line.ratings[Role.MENTOR]),
                mentee=_rating(line.ratings[Role.MENTEE]),
            )
            if line.status is SessionStatus.HELD
            else "",
        ]
        for line in report.sessions
    ]
    return headers, rows


def render_markdown(report: Report) -> str:
    """The report as a Markdown document (GitHub-flavoured tables)."""
    out: list[str] = [f"# {_title(report)}", "", _generated(report), ""]
    out += [f"## {_('At a glance')}", ""]
    out += [f"- **{label}:** {value}" for label, value in summary_rows(report)]
    out.append("")

    out += [f"## {_('Sessions')}", ""]
    if report.sessions:
        out += _md_table(*session_table(report))
    else:
        out.append(_("No sessions yet."))
    out.append("")

    chart = report.category_chart()
    out += [f"## {chart.title}", "", "```", *text_bars(chart), "```", ""]
    if report.covered:
        out += [f"- {_cell(t.title)} ({category_label(t.category)})" for t in report.covered]
        out.append("")

    out += [f"## {_('What we learned')}", ""]
    for role in ROLES:
        out += [f"### {report.who(role)}", ""]
        mine = [lr for lr in report.learnings if lr.role is role]
        out += [f"- {_day(lr.day)}: {_item(lr.text)}" for lr in mine] or [_("Nothing recorded.")]
        out.append("")

    out += [f"## {_('Action items')}", ""]
    for heading, items in ((_("Done"), report.actions_done), (_("Open"), report.actions_open)):
        out += [f"### {heading}", ""]
        lines = [
            "- [{mark}] {text} ({owner}{due})".format(
                mark="x" if a.done else " ",
                text=_item(a.text),
                owner=role_label(a.owner),
                due=_(", due {day}").format(day=_day(a.due)) if a.due else "",
            )
            for a in items
        ]
        out += lines or [_("None.")]
        out.append("")

    ratings = report.ratings_chart()
    out += [f"## {ratings.title}", ""]
    if report.ratings:
        # A plot in characters reads in any Markdown viewer; the table has the values.
        out += ["```", *text_plot(ratings, MD_PLOT_WIDTH).lines, "```", ""]
        out += _md_table(
            [_("Date"), _("Mentor"), _("Mentee")],
            [[p.label, _rating(p.mentor), _rating(p.mentee)] for p in report.ratings],
        )
        out.append("")
    out += [
        _("Average: mentor {mentor}, mentee {mentee}; trend: {trend}.").format(
            mentor=_rating(report.averages["mentor"]),
            mentee=_rating(report.averages["mentee"]),
            trend=trend_label(report.trend),
        ),
        "",
    ]

    out += [f"## {_('Self-assessment of the mentee')}", ""]
    if report.assessment:
        out += _md_table(
            [_("Topic"), _("Before"), _("After"), _("Change")],
            [
                [r.title, _rating(r.before), _rating(r.after), _signed(r.change)]
                for r in report.assessment
            ],
        )
    else:
        out.append(_("No self-assessment recorded."))
    out.append("")

    for heading, answers in _stages(report):
        out += [f"## {heading}", ""]
        for role in ROLES:
            out += [f"### {report.who(role)}", ""]
            given = answers.get(role)
            rows = answer_rows(given) if given is not None else []
            out += [f"- **{with_colon(q)}** {_item(a)}" for q, a in rows] or [
                _("Not answered yet.")
            ]
            out.append("")

    out += [f"## {_('Recommendations')}", ""]
    out += [
        f"- {_item(r.text)} ({_source_label(report, r.source)})" for r in report.recommendations
    ] or [_("None yet.")]
    out.append("")

    if report.with_notes:
        out += [f"## {_('Shared notes')}", ""]
        any_notes = False
        for line in report.sessions:
            if not line.notes:
                continue
            any_notes = True
            out += [f"### {_moment(line.start)} {line.title}", ""]
            for note in line.notes:
                out += [f"*{report.who(note.author)}:*", "", note.text.strip(), ""]
        if not any_notes:
            out += [_("No shared notes."), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _signed(value: int | None) -> str:
    if value is None:
        return "-"
    return f"+{value}" if value > 0 else str(value)


# -- HTML -------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #222; background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1.25rem;
  line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #1f6f8b; padding-bottom: .2rem;
  margin-top: 2rem; }
h3 { font-size: 1rem; margin-bottom: .3rem; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid #ddd; }
th { background: #f3f5f6; }
dl.glance { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.glance dt { font-weight: 600; }
dl.glance dd { margin: 0; }
dl.answers dt { font-weight: 600; margin-top: .4rem; }
dl.answers dd { margin: 0 0 0 1rem; white-space: pre-wrap; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.chart { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
.done { color: #4c7a3d; }
.muted { color: #666; }
.note { white-space: pre-wrap; border-left: 3px solid #ccc; padding-left: .6rem; }
ul { padding-left: 1.25rem; }
li { margin: .15rem 0; white-space: pre-wrap; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section, table, svg, .cols > div { break-inside: avoid; page-break-inside: avoid; }
  th { background: none; }
  .cols { gap: 1rem; }
}
@media (max-width: 40rem) { .cols { grid-template-columns: 1fr; } }
"""


def _h(text: str) -> str:
    return escape(text, quote=True)


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_h(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_h(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page: inline CSS and SVG, nothing fetched,
    laid out to print well."""
    parts: list[str] = [
        "<!DOCTYPE html>",
        # The language the page is written in (the interface's), not the tandem's.
        f'<html lang="{_h(base_language(current_language()))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="rmpair">',
        f"<title>{_h(_title(report))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<h1 id="title">{_h(_title(report))}</h1>',
        f'<p class="meta">{_h(_generated(report))}</p>',
        "</header>",
        '<section id="glance">',
        f"<h2>{_h(_('At a glance'))}</h2>",
        '<dl class="glance">',
    ]
    parts += [f"<dt>{_h(label)}</dt><dd>{_h(value)}</dd>" for label, value in summary_rows(report)]
    parts += ["</dl>", "</section>"]

    parts += ['<section id="charts">', f"<h2>{_h(_('Pictures'))}</h2>"]
    parts.append(svg_line_chart(report.ratings_chart()))
    parts.append(svg_bar_chart(report.category_chart()))
    parts.append("</section>")

    parts += ['<section id="sessions">', f"<h2>{_h(_('Sessions'))}</h2>"]
    if report.sessions:
        parts.append(_html_table(*session_table(report)))
    else:
        parts.append(f"<p>{_h(_('No sessions yet.'))}</p>")
    parts.append("</section>")

    parts += ['<section id="topics">', f"<h2>{_h(_('Topics covered'))}</h2>"]
    if report.covered:
        parts.append(
            _html_table(
                [_("Topic"), _("Category")],
                [[t.title, category_label(t.category)] for t in report.covered],
            )
        )
    else:
        parts.append(f"<p>{_h(_('No topic covered yet.'))}</p>")
    parts.append("</section>")

    parts += [
        '<section id="learnings">',
        f"<h2>{_h(_('What we learned'))}</h2>",
        '<div class="cols">',
    ]
    for role in ROLES:
        mine = [lr for lr in report.learnings if lr.role is role]
        parts.append(f"<div><h3>{_h(report.who(role))}</h3>")
        if mine:
            parts.append(
                "<ul>"
                + "".join(f"<li>{_h(_day(lr.day))}: {_h(lr.text)}</li>" for lr in mine)
                + "</ul>"
            )
        else:
            parts.append(f'<p class="muted">{_h(_("Nothing recorded."))}</p>')
        parts.append("</div>")
    parts += ["</div>", "</section>"]

    parts += ['<section id="actions">', f"<h2>{_h(_('Action items'))}</h2>", '<div class="cols">']
    for heading, items in ((_("Done"), report.actions_done), (_("Open"), report.actions_open)):
        parts.append(f"<div><h3>{_h(heading)}</h3>")
        if items:
            rows = []
            for a in items:
                due = _(", due {day}").format(day=_day(a.due)) if a.due else ""
                mark = "☑" if a.done else "☐"
                rows.append(
                    f'<li><span class="{"done" if a.done else ""}">{mark}</span> {_h(a.text)} '
                    f'<span class="muted">({_h(role_label(a.owner) + due)})</span></li>'
                )
            parts.append("<ul>" + "".join(rows) + "</ul>")
        else:
            parts.append(f'<p class="muted">{_h(_("None."))}</p>')
        parts.append("</div>")
    parts += ["</div>", "</section>"]

    parts += ['<section id="ratings">', f"<h2>{_h(_('Ratings over time'))}</h2>"]
    if report.ratings:
        parts.append(
            _html_table(
                [_("Date"), _("Mentor"), _("Mentee")],
                [[p.label, _rating(p.mentor), _rating(p.mentee)] for p in report.ratings],
            )
        )
    parts.append(
        "<p>"
        + _h(
            _("Average: mentor {mentor}, mentee {mentee}; trend: {trend}.").format(
                mentor=_rating(report.averages["mentor"]),
                mentee=_rating(report.averages["mentee"]),
                trend=trend_label(report.trend),
            )
        )
        + "</p></section>"
    )

    parts += ['<section id="assessment">', f"<h2>{_h(_('Self-assessment of the mentee'))}</h2>"]
    if report.assessment:
        parts.append(
            _html_table(
                [_("Topic"), _("Before"), _("After"), _("Change")],
                [
                    [r.title, _rating(r.before), _rating(r.after), _signed(r.change)]
                    for r in report.assessment
                ],
            )
        )
    else:
        parts.append(f'<p class="muted">{_h(_("No self-assessment recorded."))}</p>')
    parts.append("</section>")

    for n, (heading, answers) in enumerate(_stages(report)):
        section = "checkin" if n == 0 else "closing"
        parts += [f'<section id="{section}">', f"<h2>{_h(heading)}</h2>", '<div class="cols">']
        for role in ROLES:
            given = answers.get(role)
            answered = answer_rows(given) if given is not None else []
            parts.append(f"<div><h3>{_h(report.who(role))}</h3>")
            if answered:
                parts.append(
                    '<dl class="answers">'
                    + "".join(f"<dt>{_h(q)}</dt><dd>{_h(a)}</dd>" for q, a in answered)
                    + "</dl>"
                )
            else:
                parts.append(f'<p class="muted">{_h(_("Not answered yet."))}</p>')
            parts.append("</div>")
        parts += ["</div>", "</section>"]

    parts += ['<section id="recommendations">', f"<h2>{_h(_('Recommendations'))}</h2>"]
    if report.recommendations:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{_h(r.text)} "
                f'<span class="muted">({_h(_source_label(report, r.source))})</span></li>'
                for r in report.recommendations
            )
            + "</ul>"
        )
    else:
        parts.append(f'<p class="muted">{_h(_("None yet."))}</p>')
    parts.append("</section>")

    if report.with_notes:
        parts += ['<section id="notes">', f"<h2>{_h(_('Shared notes'))}</h2>"]
        any_notes = False
        for line in report.sessions:
            if not line.notes:
                continue
            any_notes = True
            parts.append(f"<h3>{_h(_moment(line.start))} {_h(line.title)}</h3>")
            for note in line.notes:
                parts.append(
                    f'<p class="muted">{_h(report.who(note.author))}</p>'
                    f'<div class="note">{_h(note.text.strip())}</div>'
                )
        if not any_notes:
            parts.append(f'<p class="muted">{_h(_("No shared notes."))}</p>')
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


# -- terminal ---------------------------------------------------------------------------


def render_rich(report: Report) -> RenderableType:
    """The report for the terminal: the figures at a glance, the charts drawn in
    characters, then every other section."""
    from rich.console import Group

    return Group(render_rich_head(report), render_rich_charts(report), render_rich_body(report))


def _heading(text: str) -> Text:
    from rich.text import Text

    return Text("\n" + text, style="bold underline")


def render_rich_head(report: Report) -> RenderableType:
    """The title and the figures at a glance (the app shows its charts below them)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    glance = Table.grid(padding=(0, 2))
    glance.add_column(style="bold")
    glance.add_column()
    for label, value in summary_rows(report):
        glance.add_row(Text(label), Text(value))
    return Group(
        Text(_title(report), style="bold"),
        Text(_generated(report), style="dim"),
        _heading(_("At a glance")),
        glance,
    )


class _Plot:
    """The ratings chart as a dot plot as wide as the console it is printed on."""

    def __init__(self, chart: LineChart) -> None:
        self.chart = chart

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        for line in text_plot(self.chart, options.max_width).lines:
            yield Text(line)


def render_rich_charts(report: Report) -> RenderableType:
    """Topics by category as bars, the ratings over time as a plot, and the averages."""
    from rich.console import Group
    from rich.text import Text

    chart = report.category_chart()
    items: list[RenderableType] = [_heading(chart.title)]
    items += [Text(line) for line in text_bars(chart)]
    ratings = report.ratings_chart()
    items += [_heading(ratings.title), _Plot(ratings)]
    items.append(
        Text(
            _("Average: mentor {mentor}, mentee {mentee}; trend: {trend}.").format(
                mentor=_rating(report.averages["mentor"]),
                mentee=_rating(report.averages["mentee"]),
                trend=trend_label(report.trend),
            )
        )
    )
    return Group(*items)


def render_rich_body(report: Report) -> RenderableType:
    """Every section after the charts: sessions, learnings, action items, the
    self-assessment, both evaluations, recommendations and (if asked) shared notes."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    heading = _heading
    items: list[RenderableType] = [heading(_("Sessions"))]
    if report.sessions:
        table = Table(box=None, pad_edge=False)
        # The start stays on one line ("Thu 2026-12-03 10:00"): a date broken over two
        # lines no longer lines up with the others.
        table.add_column(_("When"), no_wrap=True)
        for header in (
            _("Session"),
            _("Status"),
            _("Min"),
            _("Topics"),
            _("Rated (mentor / mentee)"),
        ):
            # A narrow terminal may wrap a heading, but never cut one of its words.
            table.add_column(header, min_width=max(len(word) for word in header.split()))
        for line in report.sessions:
            rated = ""
            if line.status is SessionStatus.HELD:
                rated = f"{_rating(line.ratings[Role.MENTOR])}/{_rating(line.ratings[Role.MENTEE])}"
            table.add_row(
                _when(line.start),
                Text(line.title),
                _session_status(line),
                str(line.minutes),
                Text("; ".join(line.topics)),
                rated,
            )
        items.append(table)
    else:
        items.append(Text(_("No sessions yet.")))

    items.append(heading(_("What we learned")))
    for role in ROLES:
        items.append(Text(report.who(role), style="bold"))
        mine = [lr for lr in report.learnings if lr.role is role]
        items += [Text(f"  {_day(lr.day)}  {lr.text}") for lr in mine] or [
            Text("  " + _("Nothing recorded."), style="dim")
        ]

    items.append(heading(_("Action items")))
    for a in (*report.actions_open, *report.actions_done):
        mark = "[x]" if a.done else "[ ]"
        due = _(", due {day}").format(day=_day(a.due)) if a.due else ""
        items.append(Text(f"  {mark} {a.text} ({role_label(a.owner)}{due})"))
    if not report.actions:
        items.append(Text("  " + _("None."), style="dim"))

    items.append(heading(_("Self-assessment of the mentee")))
    if report.assessment:
        table = Table(box=None, pad_edge=False)
        for header in (_("Topic"), _("Before"), _("After"), _("Change")):
            table.add_column(header, min_width=max(len(word) for word in header.split()))
        for row in report.assessment:
            table.add_row(
                Text(row.title), _rating(row.before), _rating(row.after), _signed(row.change)
            )
        items.append(table)
    else:
        items.append(Text("  " + _("No self-assessment recorded."), style="dim"))

    for title, answers in _stages(report):
        items.append(heading(title))
        for role in ROLES:
            items.append(Text(report.who(role), style="bold"))
            given = answers.get(role)
            rows = answer_rows(given) if given is not None else []
            items += [Text(f"  {with_colon(q)} {a}") for q, a in rows] or [
                Text("  " + _("Not answered yet."), style="dim")
            ]

    items.append(heading(_("Recommendations")))
    items += [
        Text(f"  - {r.text} ({_source_label(report, r.source)})") for r in report.recommendations
    ] or [Text("  " + _("None yet."), style="dim")]

    if report.with_notes:
        items.append(heading(_("Shared notes")))
        for line in report.sessions:
            for note in line.notes or ():
                items.append(
                    Text(
                        f"{_moment(line.start)} {line.title}, {report.who(note.author)}",
                        style="dim",
                    )
                )
                items.append(Text("  " + note.text.strip()))
    return Group(*items)


def render(report: Report, fmt: str) -> str:
    """The report in one of ``FORMATS``."""
    if fmt == "md":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    if fmt == "json":
        return render_json(report)
    raise ValueError(f"unknown report format {fmt!r}")
