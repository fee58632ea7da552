"""What planning the programme returns: each session of the plan and what re-planning
did with it, and which parts of the frame changed. Pure data for the CLI and the app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rmpair.domain.cadence import (
    cadence_label,
)
from rmpair.domain.planner import (
    Existing,
    Frame,
    to_utc,
)
from rmpair.model.codec import JSONValue
from rmpair.model.records import (
    SessionKind,
    SessionStatus,
    Tandem,
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


def changed_frame(old: Tandem, new: Tandem) -> dict[str, tuple[str, str]]:
    changes: dict[str, tuple[str, str]] = {}
    old_cadence = cadence_label(old.cadence, old.weekday, old.week)
    new_cadence = cadence_label(new.cadence, new.weekday, new.week)
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
