"""The records of the programme's start and end: prerequisite answers and signatures
under the agreement, the plan's own records, the check-in and closing evaluations and
the mentee's self-assessment. Plain dataclasses like ``records.py``; each decodes
leniently, because the schema already turned away what does not fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from rmpair.model.codec import JSONValue, decode
from rmpair.model.records import Record, Role

YES, NO = "yes", "no"


@dataclass(frozen=True, slots=True)
class PrerequisiteAnswer(Record):
    """One person's yes/no to one prerequisite; id ``<key>:<role>`` (one per role)."""

    KIND: ClassVar[str] = "prerequisite"
    key: str = ""
    role: Role = Role.MENTEE
    answer: str = field(default="", metadata={"choices": (YES, NO)})
    at: str = ""  # UTC, ISO 8601


@dataclass(frozen=True, slots=True)
class Signature(Record):
    """One role's signature under the agreement (id = the role), with what was signed.

    ``items`` keeps the signed wording, so a later change can be shown as a diff;
    ``digest`` is the stable hash of exactly those items in their order.
    """

    KIND: ClassVar[str] = "signature"
    role: Role = Role.MENTEE
    person: str = ""
    at: str = ""
    digest: str = ""
    items: tuple[tuple[str, str, str], ...] = ()  # (key, title, text) in order

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Signature:
        try:
            role = Role(str(fields.get("role")))
        except ValueError:
            role = Role.MENTEE
        raw = fields.get("items")
        items: list[tuple[str, str, str]] = []
        if isinstance(raw, list):
            for entry in raw:
                if isinstance(entry, dict):
                    items.append(
                        (
                            str(entry.get("key", "")),
                            str(entry.get("title", "")),
                            str(entry.get("text", "")),
                        )
                    )
        return cls(
            id=rec_id,
            role=role,
            person=str(fields.get("person") or ""),
            at=str(fields.get("at") or ""),
            digest=str(fields.get("digest") or ""),
            items=tuple(items),
        )

    def to_fields(self) -> dict[str, JSONValue]:
        return {
            "role": self.role.value,
            "person": self.person,
            "at": self.at,
            "digest": self.digest,
            "items": [{"key": k, "title": t, "text": x} for k, t, x in self.items],
        }


SCALE = range(1, 6)  # satisfaction and confidence: 1 (low) to 5 (high)


class Stage(StrEnum):
    """When a set of answers is given: half-way through, or at the end."""

    CHECKIN = "checkin"
    CLOSING = "closing"


class Phase(StrEnum):
    """The mentee's self-assessment: before the first session or after the last."""

    BEFORE = "before"
    AFTER = "after"


TRISTATE = ("yes", "no", "unsure")


# What the junior can gain from mentoring a senior (METHOD.md, "Evaluation at the end").
GAIN_KEYS = ("visibility", "leadership", "network", "confidence", "voice", "sponsor")


@dataclass(frozen=True, slots=True)
class Evaluation(Record):
    """One person's answers at the check-in or the closing evaluation.

    The id is ``<stage>:<role>``. Unanswered questions stay empty (satisfaction 0).
    ``gains`` and ``gains_other`` are the junior's: what the tandem gave the mentor.
    """

    KIND: ClassVar[str] = "evaluation"
    stage: Stage = Stage.CHECKIN
    role: Role = Role.MENTEE
    satisfaction: int = field(default=0, metadata={"choices": SCALE})
    learned: str = ""
    skills: str = ""
    worked: str = ""
    change: str = ""
    # yes / no / unsure, or "" (not answered)
    relationship: str = field(default="", metadata={"choices": TRISTATE})
    wants_to_continue: str = field(default="", metadata={"choices": TRISTATE})
    gains: tuple[str, ...] = ()
    gains_other: str = ""

    @classmethod
    def from_fields(cls, rec_id: str, fields: Mapping[str, JSONValue]) -> Evaluation:
        """As the codec reads it, except that a missing stage or role comes from the id."""
        stage, _sep, role = rec_id.partition(":")
        known = {
            **fields,
            "stage": fields.get("stage") or stage,
            "role": fields.get("role") or role,
        }
        return decode(cls, rec_id, known)

    @property
    def answered(self) -> bool:
        """Whether any question has an answer."""
        return bool(
            self.satisfaction
            or self.learned
            or self.skills
            or self.worked
            or self.change
            or self.relationship
            or self.wants_to_continue
            or self.gains
            or self.gains_other
        )

    def to_json(self, name: str = "") -> dict[str, JSONValue]:
        """The answers with the documented keys (``docs/cli/report.md``)."""
        return {
            "stage": self.stage.value,
            "role": self.role.value,
            "name": name,
            "satisfaction": self.satisfaction or None,
            "learned": self.learned,
            "skills": self.skills,
            "worked": self.worked,
            "change": self.change,
            "relationship": self.relationship or None,
            "wants_to_continue": self.wants_to_continue or None,
            "gains": list(self.gains),
            "gains_other": self.gains_other,
        }


@dataclass(frozen=True, slots=True)
class SelfAssessment(Record):
    """The mentee's confidence (1-5) on one topic, before or after the programme.

    The id is ``selfassessment:<phase>:<topic id>``: one value per topic and phase.
    """

    KIND: ClassVar[str] = "self_assessment"
    phase: Phase = Phase.BEFORE
    topic: str = ""
    confidence: int = field(default=0, metadata={"choices": SCALE})
    role: Role = Role.MENTEE


def evaluation_id(stage: Stage, role: Role) -> str:
    return f"{stage.value}:{role.value}"


def assessment_id(phase: Phase, topic: str) -> str:
    return f"selfassessment:{phase.value}:{topic}"


@dataclass(frozen=True, slots=True)
class ProgrammeRecord(Record):
    """The programme's settings that the Tandem record has no field for (one per journal)."""

    KIND: ClassVar[str] = "programme"
    template: str = ""
    time: str = ""  # HH:MM, the usual start of a session


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
