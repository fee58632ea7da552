"""The programme plan: from a frame (start, cadence, time, length, end) to session slots.

Everything above ``Plan`` is pure: no journal, no files, no clock. Slots are
naive wall-clock date-times in the tandem's zone, so a 10:00 session stays at 10:00
when daylight saving time starts or ends; only a time that does not exist on a day
(inside the spring-forward gap) is moved to the first valid minute after the gap.

Re-planning is a reconciliation: sessions the pair held, cancelled or worked on are
kept exactly as they are, and only future planned sessions nobody touched are
replaced (or left alone when the new plan puts the same session at the same time).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from rmpair.domain.agreement import Agreement
from rmpair.domain.cadence import (
    DEFAULT_MONTHS,
    DEFAULT_TIME,
    PROGRAMME_ID,
    SERIES,
    check_zone,
    parse_cadence,
    parse_time,
    parse_until,
    programme_end,
)
from rmpair.domain.plan_result import (
    PlanEntry,
    PlanResult,
    changed_frame,
    theme_topic_id,
)
from rmpair.domain.planner import (
    Existing,
    Frame,
    Slot,
    Theme,
    plan_slots,
    reconcile,
)
from rmpair.domain.records import Records
from rmpair.domain.sessions import Sessions
from rmpair.domain.template_errors import TemplateNotFound
from rmpair.domain.template_types import ProgrammeTemplate
from rmpair.errors import UserError
from rmpair.i18n import _, ngettext
from rmpair.model.lifecycle import PlanSlot, ProgrammeRecord
from rmpair.model.records import (
    ActionItem,
    AgendaItem,
    Cadence,
    Category,
    Feedback,
    Learning,
    Note,
    PrepItem,
    Record,
    Role,
    Session,
    SessionStatus,
    Topic,
    TopicStatus,
)


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    import hashlib  # here: it loads OpenSSL, which opening a journal does not need

    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


# Session fields whose change is reported on its own ("moved") or means "not planned".
_VOLATILE_SESSION_FIELDS = ("start", "status")
_REFERENCING_KINDS: tuple[tuple[type[Record], str], ...] = (
    (Note, "note"),
    (Learning, "learning"),
    (ActionItem, "action_item"),
    (Feedback, "feedback"),
)


class Plan:
    """The programme plan: turn the tandem's frame into sessions, and re-plan safely."""

    def __init__(self, records: Records, sessions: Sessions, agreement: Agreement) -> None:
        self.records = records
        self.sessions = sessions
        self.agreement = agreement

    def programme_settings(self) -> ProgrammeRecord | None:
        return self.records.get(ProgrammeRecord, PROGRAMME_ID)

    def usual_time(self) -> dt.time:
        """When a session usually starts: the programme's time, or 10:00 before any plan."""
        settings = self.programme_settings()
        if settings is not None and settings.time:
            try:
                return parse_time(settings.time)
            except UserError:
                pass  # not a time: the default serves until the next plan stores one
        return DEFAULT_TIME

    def programme_template(self, name: str) -> ProgrammeTemplate:
        """A programme template by name, or a UserError naming the ones available."""
        store = self.records.templates()
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
        tandem = self.records.tandem()
        if tandem is None:
            raise UserError(_("The journal has no tandem yet."))
        zone = check_zone(tandem.tz)
        if now is None:
            now = self.records.now()
        if now.tzinfo is not None:  # an instant (the demo's replay): its wall clock here
            now = now.astimezone(zone).replace(tzinfo=None)
        settings = self.programme_settings()
        programme = self.programme_template(template) if template else None
        template_name = programme.name if programme else (settings.template if settings else "")
        start = tandem.start or now.date()

        new_cadence, new_weekday, new_week = tandem.cadence, tandem.weekday, tandem.week
        if cadence is not None:
            choice = parse_cadence(cadence)
            new_cadence, new_week = choice.cadence, choice.week
            new_weekday = choice.weekday if choice.weekday is not None else tandem.weekday
        elif programme is not None:
            new_cadence = Cadence(programme.cadence)

        def end_of(months: int) -> dt.date:
            return programme_end(start, months, new_cadence, new_weekday, new_week)

        if isinstance(until, dt.date):
            end = until
        elif until is not None:
            end = parse_until(until, start, end_of=end_of)
        elif programme is not None:
            end = end_of(programme.months)
        else:
            end = tandem.end or end_of(DEFAULT_MONTHS)
        if isinstance(time, dt.time):
            at = time
        elif time is not None:
            at = parse_time(time)
        else:
            at = self.usual_time()
        length = minutes or (programme.minutes if programme else tandem.session_minutes)
        if length < 1:
            raise UserError(_("--length: a session needs at least one minute."))
        frame = Frame(start, end, new_cadence, new_weekday, at, length, tandem.tz, week=new_week)
        slots, warnings = plan_slots(frame)

        seeded, themes = self._programme_themes(template_name)
        existing = self._existing_sessions()
        outcome = reconcile(
            slots,
            existing,
            today=now.date(),
            start=start,
            minutes=length,
            themes=themes,
            not_before=now,
        )
        warnings.extend(outcome.warnings)
        skipped = [s for s in slots if s.start < now]
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
            tandem,
            cadence=new_cadence,
            weekday=new_weekday,
            week=new_week,
            end=end,
            session_minutes=length,
        )
        frame_changes = changed_frame(tandem, new_tandem)

        created: list[tuple[Slot, str | None]] = [(slot, None) for slot in outcome.create]
        agreement_updated: list[str] = []
        topics_added = [t.id for t in seeded]
        if not dry_run:
            with self.records.batch():
                if frame_changes:
                    self.records.put(new_tandem)
                    agreement_updated = self.agreement.refresh_frame(tandem, new_tandem)
                wanted = ProgrammeRecord(PROGRAMME_ID, template_name, at.strftime("%H:%M"))
                if settings != wanted:
                    self.records.put(wanted)
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
            programme = self.records.templates().programme(name)
        except TemplateNotFound:
            return [], []
        today = self.records.today()
        topics = self.records.all(Topic)
        priority = max((t.priority for t in topics), default=0.0)
        seeded: list[Topic] = []
        themes: list[Theme] = []
        for index, theme in enumerate(programme.themes):
            topic_id = theme_topic_id(programme.name, index)
            state = self.records.store.state.record(Topic.KIND, topic_id)
            current = self.records.get(Topic, topic_id)
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
            if self.records.store.state.record(Topic.KIND, topic.id) is None:
                self.records.add(Topic.KIND, topic.to_fields(), rec_id=topic.id)
                added.append(topic.id)
        return added

    def _release_topics(self, topics: Iterable[str]) -> None:
        """Topics whose planned session the plan removed go back to the backlog, unless the
        new plan put them on another session."""
        planned = {s.id for s in self.records.all(Session) if s.status is SessionStatus.PLANNED}
        on_agenda = {
            str(fields.get("topic"))
            for _id, fields in self.records.store.state.live(AgendaItem.KIND)
            if fields.get("topic") and fields.get("session") in planned
        }
        for topic_id in dict.fromkeys(topics):
            topic = self.records.get(Topic, topic_id)
            if (
                topic is not None
                and topic.status is TopicStatus.PLANNED
                and topic_id not in on_agenda
            ):
                self.records.update(Topic.KIND, topic_id, {"status": TopicStatus.BACKLOG.value})

    def _create_slot(self, slot: Slot, minutes: int) -> str:
        session_id = self.sessions.plan_session(
            slot.start,
            kind=slot.kind,
            minutes=minutes,
            topics=(slot.topic,) if slot.topic else (),
            theme=slot.theme,
            planned_start=slot.start,
            series=SERIES,
        )
        fields_digest, agenda_digest, prep_digest = self._fingerprint(session_id)
        self.records.add(
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
        for rec_id, fields in self.records.store.state.live(kind):
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
        fields = dict(self.records.store.state.fields(Session.KIND, session_id) or {})
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
        mark = self.records.get(PlanSlot, session.id)
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
        folder = self.records.private_dir / "private"
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
                str(fields.get("session", ""))
                for _id, fields in self.records.store.state.live(cls.KIND)
            }
        children = {kind: self._children(kind) for kind in (AgendaItem.KIND, PrepItem.KIND)}
        agenda_topics = {
            session_id: [str(f["topic"]) for _id, f in items if f.get("topic")]
            for session_id, items in children[AgendaItem.KIND].items()
        }
        found: list[Existing] = []
        for session in self.records.all(Session):
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
                self.records.delete(kind, rec_id)
        if self.records.get(PlanSlot, session_id) is not None:
            self.records.delete(PlanSlot.KIND, session_id)
        self.records.delete(Session.KIND, session_id)
