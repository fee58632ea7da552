"""Building the report from the journal: every figure computed once into a ``Report``.

The method ends a programme with results that both sides share and value; a report
makes that easy. ``build_report`` reads the merged journal once and computes every
figure (sessions held, cancelled and moved, hours, topics by category, both learning
logs, action items, ratings over time, the self-assessment, both evaluations and the
recommendations) into a plain ``Report`` (``rmpair.report.model``). The renderers
only format it: ``markdown``, ``html``, JSON (``model.to_json``) and ``terminal``.

Private notes never reach a report: they live only on their device, and nothing in
this module reads them (shared notes come from the journal, and only when asked for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rmpair import fmt
from rmpair.i18n import _, ngettext
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
from rmpair.report.charts import RatingPoint
from rmpair.report.model import (
    ROLES,
    ActionLine,
    Counts,
    LearningLine,
    NoteLine,
    Recommendation,
    Report,
    SessionLine,
    TopicLine,
    category_label,
    role_label,
)

if TYPE_CHECKING:
    from rmpair.journal import Journal

# Thresholds of the derived recommendations.
# The fitted line must climb or drop this many rating points from the first rated
# session to the last to count as rising or falling.
TREND_POINTS = 0.5
MOSTLY_TECH, TECH_MIN_COVERED = 2 / 3, 3
SLIP_SHARE, SLIP_MIN = 1 / 3, 2
ONE_WAY_RATIO = 1 / 3
SHORT_MINUTES = 30


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
    return _with_recommendations(report, journal)


def _with_recommendations(report: Report, journal: Journal) -> Report:
    """The report with its recommendations: first any precondition of the method the pair
    answered "no" to (they undermine everything else), then what the figures suggest."""
    from dataclasses import replace

    from rmpair.domain.nudges import preconditions
    from rmpair.model.lifecycle import PrerequisiteAnswer

    warnings = tuple(
        Recommendation(n.key, f"{n.message} {n.why}", "derived")
        for n in preconditions(journal.all(PrerequisiteAnswer))
    )
    return replace(report, recommendations=warnings + tuple(recommendations(report)))


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
