"""Check-ins and the closing evaluation: how both sides rate the programme, in their words.

The method asks for a check-in half-way through and for feedback from both sides at
the end: satisfaction, what each learned, what worked, what to change, whether a
relationship formed and whether to go on. The mentee also rates their confidence on
the programme's topics before the first and after the last session, and the junior
notes what the tandem gave them (visibility, network, ...).

Every answer set belongs to one person and has a deterministic id
(``checkin:<role>``, ``closing:<role>``, ``selfassessment:<phase>:<topic>``), so a
second device of the same person edits the same record, and the two partners never
write into each other's answers. Only the fields a person gives are written, which
keeps concurrent edits of different answers free of conflicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rmpair.domain.backlog import Backlog
from rmpair.domain.records import Records
from rmpair.domain.session_times import start_utc
from rmpair.domain.sessions import Sessions
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.codec import JSONValue
from rmpair.model.lifecycle import (
    GAIN_KEYS,
    SCALE,
    TRISTATE,
    Evaluation,
    Phase,
    SelfAssessment,
    Stage,
    assessment_id,
    evaluation_id,
)
from rmpair.model.records import Role, Session, SessionKind, SessionStatus, Topic, TopicStatus


def gain_label(key: str) -> str:
    """The words for one of ``GAIN_KEYS`` (an unknown key is shown as it is)."""
    labels = {
        "visibility": _("visibility"),
        "leadership": _("leadership practice"),
        "network": _("network"),
        "confidence": _("confidence"),
        "voice": _("a voice at a higher level"),
        "sponsor": _("a sponsor"),
    }
    return labels.get(key, key)


def tristate_label(value: str) -> str:
    labels = {"yes": _("yes"), "no": _("no"), "unsure": _("unsure")}
    return labels.get(value, value)


def question(name: str) -> str:
    """The question behind one answer field, as the report and the prompts word it."""
    questions = {
        "satisfaction": _("Satisfaction (1-5)"),
        "learned": _("What I learned"),
        "skills": _("Concrete skills gained"),
        "worked": _("What worked well"),
        "change": _("What we would change"),
        "relationship": _("Did a relationship form?"),
        "wants_to_continue": _("Do I want to continue?"),
        "gains": _("What the tandem gave me"),
    }
    return questions.get(name, name)


def with_colon(label: str) -> str:
    """A question as a label before its answer: a colon, unless it ends in a question mark."""
    return label if label.endswith("?") else label + ":"


def answer_rows(answers: Evaluation) -> list[tuple[str, str]]:
    """The answered questions as (question, answer) pairs, in the order they are asked."""
    rows: list[tuple[str, str]] = []
    if answers.satisfaction:
        rows.append((question("satisfaction"), f"{answers.satisfaction}/5"))
    for name in ("learned", "skills", "worked", "change"):
        value = getattr(answers, name)
        if value:
            rows.append((question(name), value))
    if answers.relationship:
        rows.append((question("relationship"), tristate_label(answers.relationship)))
    if answers.wants_to_continue:
        rows.append((question("wants_to_continue"), tristate_label(answers.wants_to_continue)))
    gained = [gain_label(g) for g in answers.gains]
    if answers.gains_other:
        gained.append(answers.gains_other)
    if gained:
        rows.append((question("gains"), "; ".join(gained)))
    return rows


@dataclass(frozen=True)
class AssessmentRow:
    """One topic's self-assessment: the confidence before and after, and the change."""

    topic: str
    title: str
    category: str
    before: int | None
    after: int | None

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "topic": self.topic,
            "title": self.title,
            "category": self.category,
            "before": self.before,
            "after": self.after,
            "change": self.change,
        }


def parse_phase(text: str, flag: str = "--phase") -> Phase:
    try:
        return Phase(text.strip().lower())
    except ValueError:
        raise UserError(
            _("{flag} must be 'before' or 'after', not '{value}'.").format(flag=flag, value=text)
        ) from None


def check_scale(value: int, flag: str) -> int:
    if value not in SCALE:
        raise UserError(_("{flag} must be 1 to 5, not {value}.").format(flag=flag, value=value))
    return value


def parse_tristate(text: str, flag: str) -> str:
    """``yes``, ``no`` or ``unsure`` (also y, n, ?, maybe), or a UserError naming ``flag``."""
    word = text.strip().casefold()
    aliases = {"y": "yes", "n": "no", "?": "unsure", "maybe": "unsure", "not sure": "unsure"}
    word = aliases.get(word, word)
    if word not in TRISTATE:
        raise UserError(
            _("{flag} must be yes, no or unsure, not '{value}'.").format(flag=flag, value=text)
        )
    return word


def parse_gains(values: Sequence[str], flag: str = "--gain") -> tuple[str, ...]:
    """Gain keys from repeated or comma-separated values, in ``GAIN_KEYS`` order."""
    chosen: set[str] = set()
    for value in values:
        for part in value.split(","):
            word = part.strip().casefold()
            if not word:
                continue
            if word not in GAIN_KEYS:
                raise UserError(
                    _("{flag}: '{value}' is not one of: {keys}.").format(
                        flag=flag, value=part.strip(), keys=", ".join(GAIN_KEYS)
                    )
                )
            chosen.add(word)
    return tuple(k for k in GAIN_KEYS if k in chosen)


class Evaluations:
    """The mid-point check-in, the closing evaluation and the mentee's self-assessment."""

    def __init__(self, records: Records, sessions: Sessions, backlog: Backlog) -> None:
        self.records = records
        self.sessions = sessions
        self.backlog = backlog

    # -- when ------------------------------------------------------------------------

    def programme_midpoint(self) -> dt.date | None:
        """The day half-way between the programme's start and end (None without both)."""
        tandem = self.records.tandem()
        if tandem is None or tandem.start is None or tandem.end is None:
            return None
        if tandem.end <= tandem.start:
            return tandem.start
        return tandem.start + (tandem.end - tandem.start) // 2

    def _halfway_by_sessions(self, now: dt.datetime) -> bool:
        """Without programme dates: half of the sessions that are not cancelled began."""
        sessions = [
            s
            for s in self.records.all(Session)
            if s.status is not SessionStatus.CANCELLED and s.start is not None
        ]
        begun = sum(1 for s in sessions if start_utc(s) <= now)
        return len(sessions) >= 2 and 2 * begun >= len(sessions)

    def checkin_due(self, now: dt.datetime | None = None, role: Role | None = None) -> bool:
        """Whether the mid-point check-in is due for ``role`` (default: me): the
        programme is half-way through, not over, and that person has not answered yet."""
        moment = now or self.records.now()
        tandem = self.records.tandem()
        if tandem is None:
            return False
        who = role or self.records.my_role
        mine = self.of(Stage.CHECKIN, who)
        if mine is not None and mine.answered:
            return False
        today = self.records.today(moment)
        if tandem.end is not None and today > tandem.end:
            return False
        midpoint = self.programme_midpoint()
        if midpoint is not None:
            return today >= midpoint
        return self._halfway_by_sessions(moment)

    def closing_due(self, now: dt.datetime | None = None, role: Role | None = None) -> bool:
        """Whether ``role`` (default: me) still owes the closing evaluation: the
        retrospective has begun or the programme's end has passed."""
        moment = now or self.records.now()
        tandem = self.records.tandem()
        if tandem is None:
            return False
        mine = self.of(Stage.CLOSING, role or self.records.my_role)
        if mine is not None and mine.answered:
            return False
        if tandem.end is not None and self.records.today(moment) >= tandem.end:
            return True
        return any(
            s.kind is SessionKind.RETROSPECTIVE
            and s.status is not SessionStatus.CANCELLED
            and s.start is not None
            and start_utc(s) <= moment
            for s in self.records.all(Session)
        )

    # -- check-in and closing evaluation ---------------------------------------------

    def of(self, stage: Stage, role: Role) -> Evaluation | None:
        return self.records.get(Evaluation, evaluation_id(stage, role))

    def evaluations(self, stage: Stage) -> dict[Role, Evaluation | None]:
        """Both people's answers at ``stage``, the mentor's first."""
        return {role: self.of(stage, role) for role in (Role.MENTOR, Role.MENTEE)}

    def record_evaluation(
        self,
        stage: Stage,
        *,
        satisfaction: int | None = None,
        learned: str | None = None,
        skills: str | None = None,
        worked: str | None = None,
        change: str | None = None,
        relationship: str | None = None,
        wants_to_continue: str | None = None,
        gains: Sequence[str] | None = None,
        gains_other: str | None = None,
    ) -> bool:
        """Save my answers at ``stage``; ``None`` leaves an answer as it is, ``""``
        clears it. Returns whether anything changed."""
        fields: dict[str, JSONValue] = {}
        if satisfaction is not None:
            fields["satisfaction"] = check_scale(satisfaction, "--satisfaction")
        for name, value in (
            ("learned", learned),
            ("skills", skills),
            ("worked", worked),
            ("change", change),
        ):
            if value is not None:
                fields[name] = value.strip()
        if relationship is not None:
            fields["relationship"] = (
                parse_tristate(relationship, "--relationship") if relationship.strip() else ""
            )
        if wants_to_continue is not None:
            fields["wants_to_continue"] = (
                parse_tristate(wants_to_continue, "--continue") if wants_to_continue.strip() else ""
            )
        if gains is not None or gains_other is not None:
            if self.records.my_role is not Role.MENTOR:
                raise UserError(
                    _(
                        "--gain and --gain-other are for the mentor: what the junior gained "
                        "from the tandem."
                    )
                )
            if gains is not None:
                fields["gains"] = list(parse_gains(gains))
            if gains_other is not None:
                fields["gains_other"] = gains_other.strip()
        if not fields:
            return False
        rec_id = evaluation_id(stage, self.records.my_role)
        if self.records.store.state.fields(Evaluation.KIND, rec_id) is None:
            # Only what was given, so a second device's first answers do not clash.
            self.records.add(
                Evaluation.KIND,
                {"stage": stage.value, "role": self.records.my_role.value, **fields},
                rec_id=rec_id,
            )
            return True
        return self.records.update(Evaluation.KIND, rec_id, fields)

    # -- self-assessment -------------------------------------------------------------

    def self_assessments(self) -> list[SelfAssessment]:
        return sorted(
            self.records.all(SelfAssessment), key=lambda a: (a.topic, a.phase.value, a.id)
        )

    def require_assessor(self) -> None:
        """Raise a UserError unless this person is the mentee (who self-assesses)."""
        if self.records.my_role is not Role.MENTEE:
            raise UserError(
                _(
                    "The self-assessment is the mentee's: how confident they feel on the "
                    "programme's topics before and after."
                )
            )

    def assess(self, phase: Phase, topic: str, confidence: int) -> bool:
        """The mentee's confidence (1-5) on a topic before or after the programme;
        giving it again replaces it. Returns whether anything changed."""
        self.require_assessor()
        check_scale(confidence, "--confidence")
        found = self.backlog.topic(topic)
        rec_id = assessment_id(phase, found.id)
        record = SelfAssessment(
            id=rec_id, phase=phase, topic=found.id, confidence=confidence, role=Role.MENTEE
        )
        if self.records.store.state.fields(SelfAssessment.KIND, rec_id) is None:
            self.records.add(SelfAssessment.KIND, record.to_fields(), rec_id=rec_id)
            return True
        return self.records.update(SelfAssessment.KIND, rec_id, {"confidence": confidence})

    def assessment_topics(self) -> list[Topic]:
        """The topics worth a self-assessment: every topic on a session that was not
        cancelled, in the order they come up, then the programme's themes; without any
        of those, every topic not dropped. Topics already assessed always stay."""
        topics = {t.id: t for t in self.records.all(Topic)}
        ordered: list[str] = []
        for session in self.sessions.all():
            if session.status is SessionStatus.CANCELLED:
                continue
            ordered.extend(t for t in self.sessions.session_topics(session) if t in topics)
        themes = sorted(
            (t for t in topics.values() if t.id.startswith("theme-")),
            key=lambda t: (t.priority, t.id),
        )
        ordered.extend(t.id for t in themes if t.status is not TopicStatus.DROPPED)
        if not ordered:
            ordered = [
                t.id
                for t in sorted(topics.values(), key=lambda t: (t.priority, t.id))
                if t.status is not TopicStatus.DROPPED
            ]
        ordered.extend(a.topic for a in self.records.all(SelfAssessment) if a.topic in topics)
        return [topics[t] for t in dict.fromkeys(ordered)]

    def assessment_rows(self, *, include_unrated: bool = False) -> list[AssessmentRow]:
        """Every assessed topic with its confidence before and after, in topic order;
        ``include_unrated`` adds the topics worth assessing that have no value yet."""
        values: dict[str, dict[Phase, int]] = {}
        for record in self.records.all(SelfAssessment):
            if record.confidence:
                values.setdefault(record.topic, {})[record.phase] = record.confidence
        rows: list[AssessmentRow] = []
        for topic in self.assessment_topics():
            given = values.pop(topic.id, None)
            if given or include_unrated:
                given = given or {}
                rows.append(
                    AssessmentRow(
                        topic.id,
                        topic.title,
                        topic.category.value,
                        given.get(Phase.BEFORE),
                        given.get(Phase.AFTER),
                    )
                )
        for topic_id in sorted(values):  # topics deleted since: keep what was said
            given = values[topic_id]
            rows.append(
                AssessmentRow(
                    topic_id, topic_id, "", given.get(Phase.BEFORE), given.get(Phase.AFTER)
                )
            )
        return rows
