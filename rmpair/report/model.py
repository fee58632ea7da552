"""The report as plain data, and that data as JSON.

``rmpair.report.build`` fills a ``Report`` from the journal; every renderer reads one
and nothing else, so the figures are computed once and every form shows the same.
JSON is data and keeps ISO dates and plain numbers whatever the language; the words for
the model's values (categories, statuses, roles, trends) live here because the data
itself uses them (``Report.who``, the category labels the build stores).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from rmpair.domain.evaluation import AssessmentRow
from rmpair.domain.session_times import wall_iso
from rmpair.i18n import _
from rmpair.model.lifecycle import Evaluation
from rmpair.model.records import Category, Role, SessionStatus
from rmpair.report.charts import BarChart, LineChart, RatingPoint, category_chart, ratings_chart

FORMAT = "rmpair-report"
VERSION = 1
ROLES = (Role.MENTOR, Role.MENTEE)


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
                "start": wall_iso(line.start, report.tz) if line.start else None,
                "planned_start": wall_iso(line.planned_start, report.tz)
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
