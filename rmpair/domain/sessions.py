"""Sessions: planning one with its agenda and prep checklists, and running it.

Both the programme plan and ``rmpair session plan`` create sessions through
``plan_session``, so every session gets its agenda and both roles' checklists from
the same templates. Running a session means ticking the checklists, marking agenda
items covered, and finally marking it held (or cancelled): what was not covered
then travels to the next planned session, or back to the top of the backlog, so
nothing the pair wanted to talk about is lost.

Times are wall-clock times in the tandem's zone (``Session.start`` is naive); they
become instants only to compare them with now, through ``zoneinfo``, so a session's
end is right across a DST change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from rmpair.clock import zone
from rmpair.domain.backlog import OPEN_STATUSES, BacklogMixin
from rmpair.domain.template_types import TemplateNotFound
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

MIN_TOPIC_MINUTES = 5
EXTRA_TOPIC_MINUTES = 10  # a topic added to a kind whose template has no topic slot
ROLE_ORDER = {Role.MENTOR: 0, Role.MENTEE: 1}

_WALL_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})")


# -- wall-clock time ------------------------------------------------------------------


def exists_in_zone(value: dt.datetime, tz: str) -> bool:
    """False for a wall-clock time skipped when the clocks go forward."""
    where = zone(tz)
    there = value.replace(tzinfo=where).astimezone(dt.UTC).astimezone(where)
    return there.replace(tzinfo=None) == value


def parse_wall_time(text: str, flag: str, tz: str) -> dt.datetime:
    """A strict ``YYYY-MM-DD HH:MM`` in ``tz``; any mistake is a UserError naming ``flag``."""
    value = text.strip()
    match = _WALL_TIME.fullmatch(value)
    wrong = _("{flag}: '{value}' is not a date and time (use YYYY-MM-DD HH:MM).").format(
        flag=flag, value=text
    )
    if match is None:
        raise UserError(wrong)
    try:
        day = dt.date.fromisoformat(match[1])
        moment = dt.datetime.combine(day, dt.time(int(match[2]), int(match[3])))
    except ValueError:
        raise UserError(wrong) from None
    if not exists_in_zone(moment, tz):
        raise UserError(
            _(
                "{flag}: {value} does not exist in {tz} (the clocks go forward then); "
                "pick another time."
            ).format(flag=flag, value=value, tz=tz)
        )
    return moment


def start_utc(session: Session) -> dt.datetime:
    """The instant a session starts (the earlier one if the wall-clock time repeats)."""
    start = session.start or dt.datetime(1970, 1, 1)
    return start.replace(tzinfo=zone(session.tz)).astimezone(dt.UTC)


def end_utc(session: Session) -> dt.datetime:
    return start_utc(session) + dt.timedelta(minutes=session.minutes)


def local_end(session: Session) -> dt.datetime:
    """The wall-clock end in the session's zone (DST-correct)."""
    return end_utc(session).astimezone(zone(session.tz)).replace(tzinfo=None)


def share_minutes(total: int, count: int) -> list[int]:
    """``total`` minutes split over ``count`` topics, at least a few minutes each."""
    if count <= 0:
        return []
    base, extra = divmod(max(total, 0), count)
    return [max(MIN_TOPIC_MINUTES, base + (1 if n < extra else 0)) for n in range(count)]


@dataclass(frozen=True)
class Timebox:
    """The sum of an agenda's timeboxes against the session's length."""

    total: int
    length: int

    @property
    def over(self) -> int:
        return max(0, self.total - self.length)


@dataclass(frozen=True)
class CarryOver:
    """What marking a session held or cancelled did with its topics and action items."""

    session: str
    covered_topics: list[str] = field(default_factory=list)
    moved_topics: list[str] = field(default_factory=list)
    to_session: str | None = None
    back_to_backlog: list[str] = field(default_factory=list)
    open_actions: list[str] = field(default_factory=list)
    timebox: Timebox | None = None  # of ``to_session`` after the move


@dataclass(frozen=True)
class Progress:
    """Where the programme stands, as in "session 3 of 6, 74 days left"."""

    number: int  # the next session's place among those not cancelled (or how many were held)
    total: int  # sessions not cancelled
    held: int
    days_left: int | None  # until the tandem's end date (negative once past); None without one


class SessionsMixin(BacklogMixin):
    """Commands and queries about sessions."""

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
        tandem = self.tandem()
        if tandem is None:
            raise UserError(_("The journal has no tandem yet."))
        if start.tzinfo is not None:
            raise ValueError("plan_session takes a wall-clock time in the tandem's zone")
        store = self.templates()
        try:
            template = store.session_kind(kind.value)
            prep_templates = {role: store.prep(role.value, kind.value) for role in Role}
        except TemplateNotFound as exc:
            raise UserError(str(exc)) from None
        length = minutes or tandem.session_minutes
        topic_records = [self.topic(t) for t in dict.fromkeys(topics)]
        if direction is None:
            direction = self.next_direction(start)
        slot = [item for item in template.agenda if item.slot == "topics"]
        fixed = sum(item.minutes for item in template.agenda if item.slot != "topics")
        shares = share_minutes(length - fixed, len(topic_records))
        with self.batch():
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
            session_id = self.add(Session.KIND, session.to_fields())
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
                self.add(AgendaItem.KIND, item.to_fields())
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
                add_item(item.title, item.minutes)
            for topic in topic_records:
                self.update(Topic.KIND, topic.id, {"status": TopicStatus.PLANNED.value})
            for role in Role:
                for n, prep in enumerate(prep_templates[role]):
                    self.add(
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
        topic = self.topic(text)
        if topic.status is TopicStatus.PLANNED:
            where = self.topic_sessions().get(topic.id)
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
        tandem = self.tandem()
        if tandem is None or not tandem.peer_to_peer:
            return Direction.MENTOR_TEACHES
        earlier = [
            s
            for s in self.sessions()
            if s.status is not SessionStatus.CANCELLED and s.start is not None and s.start < start
        ]
        if not earlier:
            return Direction.MENTOR_TEACHES
        if earlier[-1].direction is Direction.MENTOR_TEACHES:
            return Direction.MENTEE_TEACHES
        return Direction.MENTOR_TEACHES

    # -- queries ---------------------------------------------------------------------

    def sessions(self) -> list[Session]:
        """All sessions, earliest first."""
        return sorted(self.all(Session), key=lambda s: (s.start or dt.datetime.min, s.id))

    def session_title(self, session: Session) -> str:
        """The session's own title, or its kind's name from the templates."""
        if session.title:
            return session.title
        try:
            return self.templates().session_kind(session.kind.value).title
        except TemplateNotFound:
            return _(session.kind.value)

    def next_session(self, now: dt.datetime | None = None) -> Session | None:
        """The first planned session that has not ended yet."""
        moment = now or self.now()
        ahead = [
            s
            for s in self.all(Session)
            if s.status is SessionStatus.PLANNED and s.start is not None and end_utc(s) >= moment
        ]
        return min(ahead, key=lambda s: (start_utc(s), s.id), default=None)

    def last_session(self, now: dt.datetime | None = None) -> Session | None:
        """The latest session that has started and was not cancelled."""
        moment = now or self.now()
        begun = [
            s
            for s in self.all(Session)
            if s.status is not SessionStatus.CANCELLED
            and s.start is not None
            and start_utc(s) <= moment
        ]
        return max(begun, key=lambda s: (start_utc(s), s.id), default=None)

    def progress(self, now: dt.datetime | None = None) -> Progress:
        """How far the programme has come: the next session's number, and days left."""
        moment = now or self.now()
        live = sorted(
            (s for s in self.all(Session) if s.status is not SessionStatus.CANCELLED and s.start),
            key=lambda s: (start_utc(s), s.id),
        )
        held = sum(1 for s in live if s.status is SessionStatus.HELD)
        ahead = self.next_session(moment)
        number = next((n for n, s in enumerate(live, 1) if ahead and s.id == ahead.id), held)
        tandem = self.tandem()
        days = (tandem.end - self.today(moment)).days if tandem and tandem.end else None
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
        session = self.get(Session, self.resolve_id(Session, wanted))
        assert session is not None
        return session

    def agenda_items(self, session_id: str) -> list[AgendaItem]:
        """A session's agenda in order."""
        return sorted(
            self.by_session(AgendaItem).get(session_id, ()),
            key=lambda i: (i.position, i.id),
        )

    def timebox(self, session: Session) -> Timebox:
        return Timebox(sum(i.minutes for i in self.agenda_items(session.id)), session.minutes)

    def session_topics(self, session: Session) -> list[str]:
        """The ids of the topics on a session: its agenda's, then any only listed on it."""
        found = [i.topic for i in self.agenda_items(session.id) if i.topic]
        return list(dict.fromkeys([*found, *session.topics]))

    def prep_items(self, session_id: str, role: Role | None = None) -> list[PrepItem]:
        """Both checklists of a session, the mentor's first; numbers follow this order."""
        return sorted(
            (
                p
                for p in self.by_session(PrepItem).get(session_id, ())
                if role is None or p.role is role
            ),
            key=lambda p: (ROLE_ORDER[p.role], p.position, p.id),
        )

    def readiness(self, session_id: str) -> dict[Role, tuple[int, int]]:
        """Per role: items ticked and items on the checklist."""
        items = self.prep_items(session_id)
        return {
            role: (
                sum(1 for p in items if p.role is role and p.done),
                sum(1 for p in items if p.role is role),
            )
            for role in Role
        }

    def open_action_items(self, session: Session) -> list[ActionItem]:
        """The open action items to go through at ``session``: for a planned session,
        every open one from before it; for a held or cancelled one, none."""
        if session.status is not SessionStatus.PLANNED:
            return []
        sessions = {s.id: s for s in self.all(Session)}
        here = start_utc(session)
        found: list[ActionItem] = []
        for item in self.all(ActionItem):
            if item.done or item.session == session.id:
                continue
            origin = sessions.get(item.session)
            if origin is not None and origin.start is not None and start_utc(origin) > here:
                continue
            found.append(item)
        return sorted(found, key=action_order)

    def session_action_items(self, session_id: str) -> list[ActionItem]:
        """The action items recorded in a session."""
        return sorted(self.by_session(ActionItem).get(session_id, ()), key=action_order)

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
        self.update(Session.KIND, session.id, fields)
        moved = self.get(Session, session.id)
        assert moved is not None
        return moved

    def mark_agenda(self, session_id: str, numbers: Sequence[int], covered: bool = True) -> None:
        """Mark agenda items (1-based, as listed) covered or not."""
        items = self.agenda_items(session_id)
        chosen = [_pick(items, n, "agenda") for n in numbers]
        with self.batch():
            for item in chosen:
                self.update(AgendaItem.KIND, item.id, {"covered": covered})

    def add_topic_to_session(self, session_id: str, topic_id: str) -> str:
        """Put a backlog topic on a planned session's agenda; returns the agenda item's id."""
        session = self.find_session(session_id)
        self._planned(session, _("changed"))
        topic = self._plannable_topic(topic_id)
        with self.batch():
            item_id = self._put_topic_on(session, topic, EXTRA_TOPIC_MINUTES * 3)
            self.update(Topic.KIND, topic.id, {"status": TopicStatus.PLANNED.value})
        return item_id

    def _put_topic_on(self, session: Session, topic: Topic, minutes: int) -> str:
        """Add ``topic`` to ``session``'s agenda, taking over the still generic topic
        slot if there is one, else after the other topics."""
        items = self.agenda_items(session.id)
        existing = next((i for i in items if i.topic == topic.id), None)
        if existing is not None:
            return existing.id
        placeholder = self._generic_slot(session, items)
        if placeholder is not None:
            position, minutes = placeholder.position, placeholder.minutes
            self.delete(AgendaItem.KIND, placeholder.id)
        else:
            topical = [n for n, i in enumerate(items) if i.topic]
            after = topical[-1] if topical else (0 if items else -1)
            before_pos = items[after].position if after >= 0 else None
            next_pos = items[after + 1].position if after + 1 < len(items) else None
            if before_pos is None:
                position = 0.0
            elif next_pos is None:
                position = before_pos + 1.0
            else:
                position = (before_pos + next_pos) / 2
        item = AgendaItem(
            id="",
            session=session.id,
            title=topic.title,
            minutes=minutes,
            position=position,
            topic=topic.id,
        )
        item_id = self.add(AgendaItem.KIND, item.to_fields())
        if topic.id not in session.topics:
            self.update(Session.KIND, session.id, {"topics": [*session.topics, topic.id]})
        return item_id

    def _generic_slot(self, session: Session, items: list[AgendaItem]) -> AgendaItem | None:
        try:
            template = self.templates().session_kind(session.kind.value)
        except TemplateNotFound:
            return None
        titles = {i.title for i in template.agenda if i.slot == "topics"}
        return next((i for i in items if not i.topic and i.title in titles), None)

    # -- prep checklists ---------------------------------------------------------------

    def tick_prep(self, session_id: str, numbers: Sequence[int], done: bool = True) -> None:
        """Tick (or untick) items of my own checklist, numbered as ``prep_items`` lists them."""
        items = self.prep_items(session_id)
        chosen = [_pick(items, n, "checklist") for n in numbers]
        self._only_mine(items, chosen, numbers)
        with self.batch():
            for item in chosen:
                self.update(PrepItem.KIND, item.id, {"done": done})

    def remove_prep(self, session_id: str, numbers: Sequence[int]) -> None:
        items = self.prep_items(session_id)
        chosen = [_pick(items, n, "checklist") for n in numbers]
        self._only_mine(items, chosen, numbers)
        with self.batch():
            for item in {i.id: i for i in chosen}.values():
                self.delete(PrepItem.KIND, item.id)

    def add_prep(self, session_id: str, text: str) -> str:
        """Add an item to the end of my own checklist for a session."""
        if not text.strip():
            raise UserError(_("--add: the item needs some text."))
        mine = self.prep_items(session_id, self.my_role)
        position = max((p.position for p in mine), default=-1.0) + 1.0
        item = PrepItem(
            id="", session=session_id, role=self.my_role, text=text.strip(), position=position
        )
        return self.add(PrepItem.KIND, item.to_fields())

    def _only_mine(
        self, items: list[PrepItem], chosen: list[PrepItem], numbers: Sequence[int]
    ) -> None:
        for item, number in zip(chosen, numbers, strict=True):
            if item.role is not self.my_role:
                tandem = self.tandem()
                name = tandem.name_of(item.role) if tandem else _(item.role.value)
                raise UserError(
                    _("Item {n} is on the {role}'s checklist; only {name} can tick it.").format(
                        n=number, role=_(item.role.value), name=name
                    )
                )

    # -- held, cancelled, carry-over -----------------------------------------------------

    def _next_planned_after(self, session: Session, now: dt.datetime) -> Session | None:
        """Where carried-over topics go: the first planned session after ``session`` that
        has not ended (a forgotten one in the past is skipped)."""
        here = start_utc(session)
        candidates = [
            s
            for s in self.all(Session)
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
        moment = now or self.now()
        session = self.find_session(session_id, moment)
        self._planned(session, _("marked held"))
        if start_utc(session) > moment:
            raise UserError(
                _(
                    "Session {id} has not started yet ({when}); move it with 'rmpair session "
                    "move' if it took place earlier."
                ).format(id=session.id, when=_when(session))
            )
        items = self.agenda_items(session.id)
        chosen = {_pick(items, n, "agenda").id for n in covered}
        if all_covered:
            chosen = {i.id for i in items}
        with self.batch():
            for item in items:
                if item.id in chosen and not item.covered:
                    self.update(AgendaItem.KIND, item.id, {"covered": True})
            items = self.agenda_items(session.id)
            done_topics = list(dict.fromkeys(i.topic for i in items if i.topic and i.covered))
            self.update(Session.KIND, session.id, {"status": SessionStatus.HELD.value})
            result = self._carry(session, items, set(done_topics), moment)
            for topic_id in done_topics:
                if self.get(Topic, topic_id) is not None:
                    self.update(Topic.KIND, topic_id, {"status": TopicStatus.COVERED.value})
        return CarryOver(
            session=session.id,
            covered_topics=[t for t in done_topics if self.get(Topic, t) is not None],
            moved_topics=result.moved_topics,
            to_session=result.to_session,
            back_to_backlog=result.back_to_backlog,
            open_actions=result.open_actions,
            timebox=result.timebox,
        )

    def cancel_session(self, session_id: str, now: dt.datetime | None = None) -> CarryOver:
        """Cancel a planned session; its topics go on to the next one or back to the top
        of the backlog, and its action items stay open."""
        moment = now or self.now()
        session = self.find_session(session_id, moment)
        self._planned(session, _("cancelled"))
        items = self.agenda_items(session.id)
        with self.batch():
            self.update(Session.KIND, session.id, {"status": SessionStatus.CANCELLED.value})
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
            topic = self.get(Topic, topic_id)
            if topic is not None and topic.status in OPEN_STATUSES:
                open_topics.append(topic)
        target = self._next_planned_after(session, now)
        if target is not None:
            open_actions = [a.id for a in self.open_action_items(target)]
        else:
            open_actions = [a.id for a in self.all(ActionItem) if not a.done]
        if not open_topics:
            return CarryOver(
                session=session.id,
                to_session=target.id if target else None,
                open_actions=open_actions,
                timebox=self.timebox(target) if target else None,
            )
        if target is None:
            self.return_to_backlog_top([t.id for t in open_topics])
            return CarryOver(
                session=session.id,
                back_to_backlog=[t.id for t in open_topics],
                open_actions=open_actions,
            )
        for topic in open_topics:
            fresh = self.get(Session, target.id)
            assert fresh is not None
            self._put_topic_on(fresh, topic, minutes[topic.id])
            if topic.status is not TopicStatus.PLANNED:
                self.update(Topic.KIND, topic.id, {"status": TopicStatus.PLANNED.value})
        return CarryOver(
            session=session.id,
            moved_topics=[t.id for t in open_topics],
            to_session=target.id,
            open_actions=open_actions,
            timebox=self.timebox(target),
        )


def action_order(item: ActionItem) -> tuple[bool, str, str, str]:
    """Open before done; dated ones by due date, then "next session" ones, then the rest."""
    if item.due is not None:
        due = "0" + item.due.isoformat()
    else:
        due = "1" if item.due_next_session else "2"
    return (item.done, due, item.created, item.id)


def _when(session: Session) -> str:
    from rmpair import fmt

    return fmt.date_time(session.start) if session.start else "?"


_Numbered = TypeVar("_Numbered", AgendaItem, PrepItem)


def _pick(items: Sequence[_Numbered], number: int, what: str) -> _Numbered:
    """The item with a 1-based number as listed, or a UserError saying what exists."""
    if 1 <= number <= len(items):
        return items[number - 1]
    if what == "agenda":
        if not items:
            raise UserError(_("This session's agenda is empty."))
        raise UserError(
            _("The agenda has no item {n}; its items are 1 to {last}.").format(
                n=number, last=len(items)
            )
        )
    if not items:
        raise UserError(_("This session's checklist is empty."))
    raise UserError(
        _("The checklist has no item {n}; its items are 1 to {last}.").format(
            n=number, last=len(items)
        )
    )
