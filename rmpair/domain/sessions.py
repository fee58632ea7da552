"""Sessions: planning one with its agenda and prep checklists, and running it.

Both the programme plan and ``rmpair session plan`` create sessions through
``plan_session``, so every session gets its agenda and both roles' checklists from
the same templates. Running a session means ticking the checklists, marking agenda
items covered, and finally marking it held (or cancelled): what was not covered
then travels to the next planned session, or back to the top of the backlog, so
nothing the pair wanted to talk about is lost.

The agenda and the prep checklists themselves are ``agenda.py``; the times and small
results sessions share are ``session_times.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rmpair.domain.agenda import Agenda
from rmpair.domain.backlog import OPEN_STATUSES, Backlog
from rmpair.domain.records import Records
from rmpair.domain.session_items import AGENDA_ROWS, agenda_rows, valid_agenda_rows
from rmpair.domain.session_times import (
    EXTRA_TOPIC_MINUTES,
    MIN_ITEM_MINUTES,
    MIN_TOPIC_MINUTES,
    CarryOver,
    Progress,
    _pick,
    _when,
    action_order,
    end_utc,
    exists_in_zone,
    fit_timeboxes,
    share_minutes,
    start_utc,
)
from rmpair.domain.template_errors import TemplateNotFound
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.records import (
    ActionItem,
    AgendaItem,
    Direction,
    PrepItem,
    Role,
    Session,
    SessionKind,
    SessionStatus,
    Topic,
    TopicStatus,
)

# What ``all_session_topics`` reads of every agenda item.


class Sessions:
    """Commands and queries about sessions."""

    def __init__(self, records: Records, backlog: Backlog, agenda: Agenda) -> None:
        self.records = records
        self.backlog = backlog
        self.agenda = agenda

    def plan_session(
        self,
        start: dt.datetime,
        *,
        kind: SessionKind = SessionKind.REGULAR,
        minutes: int | None = None,
        topics: Sequence[str] = (),
        theme: str = "",
        title: str = "",
        planned_start: dt.datetime | None = None,
        series: str = "",
        direction: Direction | None = None,
    ) -> str:
        """Create a session at ``start`` (wall-clock time in the tandem's zone) with its
        agenda from the kind's template (topics fill the template's topic slot) and a
        prep checklist for each role. Returns the session id.

        The topic slot takes the time the fixed items leave, so the agenda fits the
        session's length; the topics become planned (``plannable_topics`` checks them
        first where a person chose them). In a peer-to-peer tandem the teaching
        direction alternates unless ``direction`` is given.
        """
        tandem = self.records.tandem()
        if tandem is None:
            raise UserError(_("The journal has no tandem yet."))
        if start.tzinfo is not None:
            raise ValueError("plan_session takes a wall-clock time in the tandem's zone")
        store = self.records.templates()
        try:
            template = store.session_kind(kind.value)
            prep_templates = {role: store.prep(role.value, kind.value) for role in Role}
        except TemplateNotFound as exc:
            raise UserError(str(exc)) from None
        length = minutes or tandem.session_minutes
        topic_records = [self.backlog.topic(t) for t in dict.fromkeys(topics)]
        if direction is None:
            direction = self.next_direction(start)
        slot = [item for item in template.agenda if item.slot == "topics"]
        # A session shorter than the template gets every timebox scaled down to fit; a
        # longer one gives the extra time to the topic slot.
        boxes = fit_timeboxes(
            [item.minutes for item in template.agenda],
            length,
            [
                MIN_TOPIC_MINUTES * max(1, len(topic_records))
                if item.slot == "topics"
                else MIN_ITEM_MINUTES
                for item in template.agenda
            ],
        )
        fixed = sum(
            box for item, box in zip(template.agenda, boxes, strict=True) if item.slot != "topics"
        )
        shares = share_minutes(length - fixed, len(topic_records))
        with self.records.batch():
            session = Session(
                id="",
                start=start,
                tz=tandem.tz,
                minutes=length,
                kind=kind,
                direction=direction,
                title=title,
                theme=theme,
                topics=tuple(t.id for t in topic_records),
                planned_start=planned_start,
                series=series,
            )
            session_id = self.records.add(Session.KIND, session.to_fields())
            position = 0.0

            def add_item(text: str, length: int, topic: str = "") -> None:
                nonlocal position
                item = AgendaItem(
                    id="",
                    session=session_id,
                    title=text,
                    minutes=length,
                    position=position,
                    topic=topic,
                )
                self.records.add(AgendaItem.KIND, item.to_fields())
                position += 1

            for n, item in enumerate(template.agenda):
                if item.slot == "topics":
                    if topic_records:
                        for topic, share in zip(topic_records, shares, strict=True):
                            add_item(topic.title, share, topic.id)
                    else:
                        slot_minutes = max(MIN_TOPIC_MINUTES, length - fixed)
                        add_item(theme or item.title, slot_minutes)
                    continue
                if not slot and topic_records and n == len(template.agenda) - 1:
                    # No slot in this kind: the topics go before the closing item.
                    for topic in topic_records:
                        add_item(topic.title, EXTRA_TOPIC_MINUTES, topic.id)
                add_item(item.title, boxes[n])
            for topic in topic_records:
                self.records.update(Topic.KIND, topic.id, {"status": TopicStatus.PLANNED.value})
            for role in Role:
                for n, prep in enumerate(prep_templates[role]):
                    self.records.add(
                        PrepItem.KIND,
                        PrepItem(
                            id="", session=session_id, role=role, text=prep.text, position=float(n)
                        ).to_fields(),
                    )
        return session_id

    def plannable_topics(self, texts: Sequence[str]) -> list[str]:
        """The full ids of topics that may go on a new session: open, and not already on
        the agenda of another planned session. Anything else is a UserError."""
        return list(dict.fromkeys(self._plannable_topic(t).id for t in texts))

    def _plannable_topic(self, text: str) -> Topic:
        topic = self.backlog.topic(text)
        if topic.status is TopicStatus.PLANNED:
            where = self.backlog.topic_sessions().get(topic.id)
            if where is not None:
                raise UserError(
                    _("'{title}' is already on the agenda of session {id} ({when}).").format(
                        title=topic.title, id=where.id, when=_when(where)
                    )
                )
        elif topic.status is not TopicStatus.BACKLOG:
            raise UserError(
                _(
                    "'{title}' is {status}; put it back first with 'rmpair topic edit {id} "
                    "--status backlog'."
                ).format(title=topic.title, status=_(topic.status.value), id=topic.id)
            )
        return topic

    def next_direction(self, start: dt.datetime) -> Direction:
        """Who teaches in a new session at ``start``: mentor to mentee, except that a
        peer-to-peer tandem alternates from the session before it."""
        tandem = self.records.tandem()
        if tandem is None or not tandem.peer_to_peer:
            return Direction.MENTOR_TEACHES
        earlier = [
            s
            for s in self.all()
            if s.status is not SessionStatus.CANCELLED and s.start is not None and s.start < start
        ]
        if not earlier:
            return Direction.MENTOR_TEACHES
        if earlier[-1].direction is Direction.MENTOR_TEACHES:
            return Direction.MENTEE_TEACHES
        return Direction.MENTOR_TEACHES

    # -- queries ---------------------------------------------------------------------

    def all(self) -> list[Session]:
        """All sessions, earliest first."""
        return sorted(self.records.all(Session), key=lambda s: (s.start or dt.datetime.min, s.id))

    def session_title(self, session: Session) -> str:
        """The session's own title, or its kind's name from the templates."""
        if session.title:
            return session.title
        try:
            return self.records.templates().session_kind(session.kind.value).title
        except TemplateNotFound:
            return _(session.kind.value)

    def next_session(self, now: dt.datetime | None = None) -> Session | None:
        """The first planned session that has not ended yet."""
        moment = now or self.records.now()
        ahead = [
            s
            for s in self.records.all(Session)
            if s.status is SessionStatus.PLANNED and s.start is not None and end_utc(s) >= moment
        ]
        return min(ahead, key=lambda s: (start_utc(s), s.id), default=None)

    def last_session(self, now: dt.datetime | None = None) -> Session | None:
        """The latest session that has started and was not cancelled."""
        moment = now or self.records.now()
        begun = [
            s
            for s in self.records.all(Session)
            if s.status is not SessionStatus.CANCELLED
            and s.start is not None
            and start_utc(s) <= moment
        ]
        return max(begun, key=lambda s: (start_utc(s), s.id), default=None)

    def progress(self, now: dt.datetime | None = None) -> Progress:
        """How far the programme has come: the next session's number, and days left."""
        moment = now or self.records.now()
        live = sorted(
            (
                s
                for s in self.records.all(Session)
                if s.status is not SessionStatus.CANCELLED and s.start
            ),
            key=lambda s: (start_utc(s), s.id),
        )
        held = sum(1 for s in live if s.status is SessionStatus.HELD)
        ahead = self.next_session(moment)
        number = next((n for n, s in enumerate(live, 1) if ahead and s.id == ahead.id), held)
        tandem = self.records.tandem()
        days = (tandem.end - self.records.today(moment)).days if tandem and tandem.end else None
        return Progress(number=number, total=len(live), held=held, days_left=days)

    def find_session(self, text: str, now: dt.datetime | None = None) -> Session:
        """A session by id or unique id prefix, or ``next`` / ``last``."""
        wanted = text.strip()
        if wanted.casefold() == "next":
            found = self.next_session(now)
            if found is None:
                raise UserError(
                    _("No planned session ahead; plan one with 'rmpair session plan --at ...'.")
                )
            return found
        if wanted.casefold() == "last":
            found = self.last_session(now)
            if found is None:
                raise UserError(_("No session has taken place yet."))
            return found
        session = self.records.get(Session, self.records.resolve_id(Session, wanted))
        assert session is not None
        return session

    def session_topics(self, session: Session) -> list[str]:
        """The ids of the topics on a session: its agenda's, then any only listed on it."""
        found = [i.topic for i in self.agenda.items(session.id) if i.topic]
        return list(dict.fromkeys([*found, *session.topics]))

    def all_session_topics(self) -> dict[str, list[str]]:
        """``session_topics`` of every session at once, from the row kept beside each
        agenda item (``session_items``) rather than its agenda decoded per session."""
        found: dict[str, list[tuple[float, str, str]]] = {}
        rows = self.records.kept.rows(AGENDA_ROWS, AgendaItem.KIND, agenda_rows, valid_agenda_rows)
        for rec_id, (session, topic, position) in rows.items():
            if topic:
                found.setdefault(session, []).append((position, rec_id, topic))
        return {
            s.id: list(dict.fromkeys([*(t for *_key, t in sorted(found.get(s.id, []))), *s.topics]))
            for s in self.records.all(Session)
        }

    def open_action_items(self, session: Session) -> list[ActionItem]:
        """The open action items to go through at ``session``: for a planned session,
        every open one from before it; for a held or cancelled one, none."""
        if session.status is not SessionStatus.PLANNED:
            return []
        sessions = {s.id: s for s in self.records.all(Session)}
        here = start_utc(session)
        found: list[ActionItem] = []
        for item in self.records.all(ActionItem):
            if item.done or item.session == session.id:
                continue
            origin = sessions.get(item.session)
            if origin is not None and origin.start is not None and start_utc(origin) > here:
                continue
            found.append(item)
        return sorted(found, key=action_order)

    def session_action_items(self, session_id: str) -> list[ActionItem]:
        """The action items recorded in a session."""
        return sorted(self.records.of_session(ActionItem, session_id), key=action_order)

    # -- changing a planned session ---------------------------------------------------

    def _planned(self, session: Session, verb: str) -> None:
        if session.status is not SessionStatus.PLANNED:
            raise UserError(
                _("Session {id} is {status}; it cannot be {verb}.").format(
                    id=session.id, status=_(session.status.value), verb=verb
                )
            )

    def move_session(self, session_id: str, start: dt.datetime) -> Session:
        """Reschedule a planned session; ``planned_start`` keeps where it was first put."""
        session = self.find_session(session_id)
        self._planned(session, _("moved"))
        if not exists_in_zone(start, session.tz):
            raise UserError(
                _("{value} does not exist in {tz}; pick another time.").format(
                    value=start.isoformat(sep=" ", timespec="minutes"), tz=session.tz
                )
            )
        fields: dict[str, object] = {"start": start}
        if session.planned_start is None and session.start is not None:
            fields["planned_start"] = session.start
        self.records.update(Session.KIND, session.id, fields)
        moved = self.records.get(Session, session.id)
        assert moved is not None
        return moved

    def add_topic_to_session(self, session_id: str, topic_id: str) -> str:
        """Put a backlog topic on a planned session's agenda; returns the agenda item's id."""
        session = self.find_session(session_id)
        self._planned(session, _("changed"))
        topic = self._plannable_topic(topic_id)
        with self.records.batch():
            item_id = self.agenda.put_topic_on(session, topic, EXTRA_TOPIC_MINUTES * 3)
            self.records.update(Topic.KIND, topic.id, {"status": TopicStatus.PLANNED.value})
        return item_id

    # -- prep checklists ---------------------------------------------------------------

    # -- held, cancelled, carry-over -----------------------------------------------------

    def _next_planned_after(self, session: Session, now: dt.datetime) -> Session | None:
        """Where carried-over topics go: the first planned session after ``session`` that
        has not ended (a forgotten one in the past is skipped)."""
        here = start_utc(session)
        candidates = [
            s
            for s in self.records.all(Session)
            if s.status is SessionStatus.PLANNED
            and s.id != session.id
            and s.start is not None
            and start_utc(s) > here
            and end_utc(s) >= now
        ]
        return min(candidates, key=lambda s: (start_utc(s), s.id), default=None)

    def hold_session(
        self,
        session_id: str,
        *,
        covered: Sequence[int] = (),
        all_covered: bool = False,
        now: dt.datetime | None = None,
    ) -> CarryOver:
        """Mark a session held: topics of covered agenda items become covered, the rest
        move to the next planned session (or back to the top of the backlog)."""
        moment = now or self.records.now()
        session = self.find_session(session_id, moment)
        self._planned(session, _("marked held"))
        if start_utc(session) > moment:
            raise UserError(
                _(
                    "Session {id} has not started yet ({when}); move it with 'rmpair session "
                    "move' if it took place earlier."
                ).format(id=session.id, when=_when(session))
            )
        items = self.agenda.items(session.id)
        chosen = {_pick(items, n, "agenda").id for n in covered}
        if all_covered:
            chosen = {i.id for i in items}
        with self.records.batch():
            for item in items:
                if item.id in chosen and not item.covered:
                    self.records.update(AgendaItem.KIND, item.id, {"covered": True})
            items = self.agenda.items(session.id)
            done_topics = list(dict.fromkeys(i.topic for i in items if i.topic and i.covered))
            self.records.update(Session.KIND, session.id, {"status": SessionStatus.HELD.value})
            result = self._carry(session, items, set(done_topics), moment)
            for topic_id in done_topics:
                if self.records.get(Topic, topic_id) is not None:
                    self.records.update(Topic.KIND, topic_id, {"status": TopicStatus.COVERED.value})
        return CarryOver(
            session=session.id,
            covered_topics=[t for t in done_topics if self.records.get(Topic, t) is not None],
            moved_topics=result.moved_topics,
            to_session=result.to_session,
            back_to_backlog=result.back_to_backlog,
            open_actions=result.open_actions,
            timebox=result.timebox,
        )

    def cancel_session(self, session_id: str, now: dt.datetime | None = None) -> CarryOver:
        """Cancel a planned session; its topics go on to the next one or back to the top
        of the backlog, and its action items stay open."""
        moment = now or self.records.now()
        session = self.find_session(session_id, moment)
        self._planned(session, _("cancelled"))
        items = self.agenda.items(session.id)
        with self.records.batch():
            self.records.update(Session.KIND, session.id, {"status": SessionStatus.CANCELLED.value})
            covered = {i.topic for i in items if i.topic and i.covered}
            result = self._carry(session, items, covered, moment)
        return result

    def _carry(
        self, session: Session, items: list[AgendaItem], covered: set[str], now: dt.datetime
    ) -> CarryOver:
        minutes: dict[str, int] = {}
        for item in items:
            if item.topic and item.topic not in covered:
                minutes.setdefault(item.topic, item.minutes)
        for topic_id in session.topics:
            if topic_id not in covered:
                minutes.setdefault(topic_id, EXTRA_TOPIC_MINUTES * 3)
        open_topics: list[Topic] = []
        for topic_id in minutes:
            topic = self.records.get(Topic, topic_id)
            if topic is not None and topic.status in OPEN_STATUSES:
                open_topics.append(topic)
        target = self._next_planned_after(session, now)
        if target is not None:
            open_actions = [a.id for a in self.open_action_items(target)]
        else:
            open_actions = [a.id for a in self.records.all(ActionItem) if not a.done]
        if not open_topics:
            return CarryOver(
                session=session.id,
                to_session=target.id if target else None,
                open_actions=open_actions,
                timebox=self.agenda.timebox(target) if target else None,
            )
        if target is None:
            self.backlog.return_to_backlog_top([t.id for t in open_topics])
            return CarryOver(
                session=session.id,
                back_to_backlog=[t.id for t in open_topics],
                open_actions=open_actions,
            )
        for topic in open_topics:
            fresh = self.records.get(Session, target.id)
            assert fresh is not None
            self.agenda.put_topic_on(fresh, topic, minutes[topic.id])
            if topic.status is not TopicStatus.PLANNED:
                self.records.update(Topic.KIND, topic.id, {"status": TopicStatus.PLANNED.value})
        return CarryOver(
            session=session.id,
            moved_topics=[t.id for t in open_topics],
            to_session=target.id,
            open_actions=open_actions,
            timebox=self.agenda.timebox(target),
        )
