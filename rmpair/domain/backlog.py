"""The topic backlog: what the mentee wants to learn, in the order the pair agreed.

Order is a float ``priority`` per topic (lower first, ties broken by id). Moving a
topic writes only that topic's priority, picked between its new neighbours, so two
devices reordering at the same time each change one field and every device sorts
the merged result the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from rmpair.domain.records import Records
from rmpair.domain.template_errors import TemplateNotFound
from rmpair.domain.topic_listing import (
    TOPIC_PLACES,
    TOPIC_ROWS,
    Place,
    Row,
    topic_places,
    topic_rows,
    valid_places,
    valid_rows,
)
from rmpair.errors import UserError
from rmpair.i18n import N_, _, gettext_for
from rmpair.model.records import (
    AgendaItem,
    Category,
    Record,
    Role,
    Session,
    SessionStatus,
    Topic,
    TopicStatus,
)

if TYPE_CHECKING:
    from rmpair.domain.template_types import TopicIdea

R = TypeVar("R", bound=Record)

# Topics still to be talked about: the backlog proper and those put on a session.
OPEN_STATUSES = (TopicStatus.BACKLOG, TopicStatus.PLANNED)
STATUS_ORDER = {status: n for n, status in enumerate(TopicStatus)}


def open_title(topic: Topic) -> str | None:
    """An open topic's title as two titles are compared (None for a closed topic): the
    backlog holds no two open topics of the same title."""
    return topic.title.casefold() if topic.status in OPEN_STATUSES else None


def days_waited(created: dt.date | None, today: dt.date) -> int | None:
    """How many days a topic added on ``created`` has waited by ``today`` (None without
    a date): the one rule for the backlog, its listing and the nudges."""
    return None if created is None else max(0, (today - created).days)


def _waited(created: str | None, today: dt.date) -> str:
    """``days_waited`` as JSON, for a date as a listing's row keeps it (ISO text)."""
    try:
        days = days_waited(None if created is None else dt.date.fromisoformat(created), today)
    except ValueError:
        days = None
    return "null" if days is None else str(days)


def order_key(topic: Topic) -> tuple[float, str]:
    """The backlog order: priority, then id, so equal priorities sort the same everywhere."""
    return (topic.priority, topic.id)


def between(before: float | None, after: float | None) -> float | None:
    """A priority strictly between two neighbours, or None when there is no room."""
    if before is None and after is None:
        return 0.0
    if before is None:
        assert after is not None
        return after - 1.0
    if after is None:
        return before + 1.0
    middle = (before + after) / 2
    return middle if before < middle < after else None


def placement(order: Sequence[Topic], moving: str, to: int) -> dict[str, float]:
    """The priorities to write so that ``moving`` becomes number ``to`` (1-based) in ``order``.

    ``order`` is the backlog in its current order. Usually only the moving topic gets
    a new value; when its neighbours leave no room (equal values, or floats worn thin
    by many moves) the others are renumbered too.
    """
    others = [t for t in order if t.id != moving]
    index = min(max(to, 1), len(others) + 1) - 1
    current = [t.id for t in order].index(moving) if any(t.id == moving for t in order) else -1
    if current == index:
        return {}
    before = others[index - 1].priority if index > 0 else None
    after = others[index].priority if index < len(others) else None
    value = between(before, after)
    if value is not None:
        return {moving: value}
    changes: dict[str, float] = {}
    for n, topic in enumerate(others):
        wanted = float(n if n < index else n + 1)
        if topic.priority != wanted:
            changes[topic.id] = wanted
    changes[moving] = float(index)
    return changes


@dataclass(frozen=True)
class NumberedIdea:
    """A topic idea with its number in the whole catalogue (stable under filters)."""

    number: int
    idea: TopicIdea


class Backlog:
    """Commands and queries about the topic backlog."""

    def __init__(self, records: Records) -> None:
        self.records = records

    # -- queries ---------------------------------------------------------------

    def topics(
        self,
        *,
        statuses: Sequence[TopicStatus] | None = None,
        category: Category | None = None,
    ) -> list[Topic]:
        """Topics grouped by status (backlog, planned, covered, dropped), each in order."""
        found = [
            t
            for t in self.records.all(Topic)
            if (statuses is None or t.status in statuses)
            and (category is None or t.category is category)
        ]
        return sorted(found, key=lambda t: (STATUS_ORDER[t.status], *order_key(t)))

    def ordered(self) -> list[Topic]:
        """The topics waiting for a session, first one first."""
        return sorted(
            (t for t in self.records.all(Topic) if t.status is TopicStatus.BACKLOG), key=order_key
        )

    def topic(self, text: str) -> Topic:
        """A topic by id or unique id prefix."""
        found = self.records.get(Topic, self.records.resolve_id(Topic, text))
        assert found is not None
        return found

    def listing(
        self,
        today: dt.date,
        *,
        statuses: Sequence[TopicStatus] | None = None,
        category: Category | None = None,
    ) -> list[dict[str, Any]]:
        """``topics`` as plain values, for a listing: per topic, in this order, its
        ``id``, its ``rank`` in the backlog (or None), the fields ``LISTED_FIELDS`` as
        ``plain`` gives them, ``waited_days`` (see ``waited_days``) and the ``session`` it
        is planned for (or None). The same topics in the same order with the same
        values as ``topics`` gives."""
        return list(json.loads(self.listing_json(today, statuses=statuses, category=category)))

    def listing_json(
        self,
        today: dt.date,
        *,
        statuses: Sequence[TopicStatus] | None = None,
        category: Category | None = None,
    ) -> str:
        """``listing`` as compact JSON, joined from the text each topic's row keeps
        (``topic_listing``): no topic is decoded, nor its fields encoded again."""
        rows = self._rows()
        wanted = None if statuses is None else {s.value for s in statuses}
        shown = None if category is None else category.value
        order = {status.value: n for status, n in STATUS_ORDER.items()}
        backlog = order[TopicStatus.BACKLOG.value]
        # Every topic in listing order: the backlog first, so its ranks are counted on
        # the way, whatever the filters keep.
        every = sorted([(order[row[0]], row[1], rec_id) for rec_id, row in rows.items()])
        planned = TopicStatus.PLANNED.value
        any_planned = any(row[0] == planned for row in rows.values())
        where = {t: s.id for t, s in self.topic_sessions().items()} if any_planned else {}
        waiting = {s.value for s in OPEN_STATUSES}
        waited: dict[str | None, str] = {}  # per date added: most topics share theirs
        texts: list[str] = []
        rank = 0
        for status_order, _priority, rec_id in every:
            status, _p, listed_category, created, id_text, fields_text = rows[rec_id]
            if status_order == backlog:
                rank += 1
            if (wanted is not None and status not in wanted) or (
                shown is not None and listed_category != shown
            ):
                continue
            days = "null"
            if status in waiting:
                days = waited.get(created) or waited.setdefault(created, _waited(created, today))
            session = json.dumps(where.get(rec_id)) if status == planned else "null"
            texts.append(
                f'{{{id_text},"rank":{rank if status_order == backlog else "null"},'
                f'{fields_text},"waited_days":{days},"session":{session}}}'
            )
        return "[" + ",".join(texts) + "]"

    def _rows(self) -> dict[str, Row]:
        """Every topic's row (``topic_listing``), kept, not worked out per call."""
        return self.records.kept.rows(TOPIC_ROWS, Topic.KIND, topic_rows, valid_rows)

    def _places(self) -> dict[str, Place]:
        """Every topic's place (``topic_listing``), kept, not worked out per call."""
        return self.records.kept.rows(TOPIC_PLACES, Topic.KIND, topic_places, valid_places)

    def titles(self) -> dict[str, str]:
        """Every topic's title by id, from that one stored field of each topic."""
        return {
            rec_id: row["title"]
            for rec_id, row in self.records.fields_of(Topic, ("title",)).items()
        }

    def topic_sessions(self) -> dict[str, Session]:
        """For each planned topic, the planned session whose agenda holds it."""
        sessions = {s.id: s for s in self.records.all(Session) if s.status is SessionStatus.PLANNED}
        found: dict[str, Session] = {}
        for item in self.records.all(AgendaItem):
            session = sessions.get(item.session)
            if session is None or not item.topic:
                continue
            known = found.get(item.topic)
            if known is None or (session.start or dt.datetime.max) < (
                known.start or dt.datetime.max
            ):
                found[item.topic] = session
        return found

    def waited_days(
        self, topic: Topic, now: dt.datetime | None = None, *, today: dt.date | None = None
    ) -> int | None:
        """How many days an open topic has waited since it was added (``today``, when
        given, spares a listing working out the day once per topic)."""
        if topic.status not in OPEN_STATUSES:
            return None
        return days_waited(topic.created, today or self.records.today(now))

    def topic_ideas(self, category: Category | None = None) -> list[NumberedIdea]:
        """The catalogue of topic ideas, numbered across all categories."""
        try:
            ideas = self.records.templates().topic_ideas()
        except TemplateNotFound as exc:
            raise UserError(str(exc)) from None
        return [
            NumberedIdea(n, idea)
            for n, idea in enumerate(ideas, start=1)
            if category is None or idea.category == category.value
        ]

    # -- commands --------------------------------------------------------------

    def _bottom_priority(self) -> float:
        last = max((t.priority for t in self.records.all(Topic)), default=None)
        return 0.0 if last is None else last + 1.0

    def _top_priority(self) -> float:
        values = [t.priority for t in self.records.all(Topic) if t.status in OPEN_STATUSES]
        return min(values) - 1.0 if values else 0.0

    def add_topic(
        self,
        title: str = "",
        *,
        category: Category | None = None,
        question: str = "",
        proposed_by: Role | None = None,
        idea: int | None = None,
        now: dt.datetime | None = None,
    ) -> str:
        """Add a topic at the end of the backlog; returns its id.

        ``idea`` takes title, category and question from the catalogue (explicit
        values win). A title that matches an idea also borrows what is missing.
        """
        chosen: TopicIdea | None = None
        if idea is not None:
            ideas = self.topic_ideas()
            if not 1 <= idea <= len(ideas):
                raise UserError(
                    _(
                        "--idea: there is no idea {n}; 'rmpair topic ideas' lists 1 to {last}."
                    ).format(n=idea, last=len(ideas))
                )
            chosen = ideas[idea - 1].idea
        elif title.strip():
            wanted = title.strip().casefold()
            chosen = next(
                (n.idea for n in self.topic_ideas() if n.idea.title.casefold() == wanted), None
            )
        title = title.strip() or (chosen.title if chosen else "")
        if not title:
            raise UserError(_("A topic needs a title (or --idea N)."))
        if category is None:
            if chosen is None:
                raise UserError(
                    _(
                        "--category is needed for a topic of your own: technology, work, culture "
                        "or project."
                    )
                )
            category = Category(chosen.category)
        question = question.strip() or (chosen.question if chosen else "")
        if not question:
            # Stored for both of you, so in the tandem's language, like the templates.
            write = gettext_for(self.records.templates().lang)
            question = write(N_("What should I know about {topic}?")).format(topic=title)
        if self.records.decoded(Topic):  # indexed, kept up to date change by change
            same = [t.id for t in self.records.lookup(Topic, open_title, title.casefold())]
            priority = self._bottom_priority()
        else:  # each topic's kept place, not every topic decoded
            rows = self._places()
            wanted_title, waiting = title.casefold(), {s.value for s in OPEN_STATUSES}
            same = [i for i, row in rows.items() if row[2] == wanted_title and row[0] in waiting]
            last = max((row[1] for row in rows.values()), default=None)
            priority = 0.0 if last is None else last + 1.0
        if same:
            existing = self.topic(same[0])
            raise UserError(
                _("The backlog already has '{title}' ({id}).").format(
                    title=existing.title, id=existing.id
                )
            )
        topic = Topic(
            id="",
            title=title,
            category=category,
            question=question,
            proposed_by=proposed_by or self.records.my_role,
            priority=priority,
            status=TopicStatus.BACKLOG,
            created=self.records.today(now),
        )
        return self.records.add(Topic.KIND, topic.to_fields())

    def edit_topic(
        self,
        topic_id: str,
        *,
        title: str | None = None,
        category: Category | None = None,
        question: str | None = None,
        proposed_by: Role | None = None,
        status: TopicStatus | None = None,
    ) -> bool:
        """Change what is given; returns whether anything changed."""
        topic = self.topic(topic_id)
        fields: dict[str, object] = {}
        if title is not None:
            if not title.strip():
                raise UserError(_("--title cannot be empty."))
            fields["title"] = title.strip()
        if category is not None:
            fields["category"] = category.value
        if question is not None:
            fields["question"] = question.strip()
        if proposed_by is not None:
            fields["proposed_by"] = proposed_by.value
        with self.records.batch():
            changed = self.records.update(Topic.KIND, topic.id, fields) if fields else False
            if status is not None and status is not topic.status:
                self.set_topic_status(topic.id, status)
                changed = True
        return changed

    def move_topic(self, topic_id: str, to: int) -> int:
        """Put a backlog topic at position ``to`` (1 = next up); returns where it ended up."""
        topic = self.topic(topic_id)
        if topic.status is not TopicStatus.BACKLOG:
            raise UserError(
                _(
                    "'{title}' is {status}; only topics in the backlog have a place in its order."
                ).format(title=topic.title, status=_(topic.status.value))
            )
        order = self.ordered()
        changes = placement(order, topic.id, to)
        with self.records.batch():
            for rec_id, value in changes.items():
                self.records.update(Topic.KIND, rec_id, {"priority": value})
        return [t.id for t in self.ordered()].index(topic.id) + 1

    def topic_position(self, topic_id: str) -> int:
        """The 1-based place of a backlog topic."""
        # The place without sorting or decoding the backlog: topics before it in the order.
        rows, backlog = self._places(), TopicStatus.BACKLOG.value
        mine = rows.get(topic_id)
        if mine is None or mine[0] != backlog:
            topic = self.topic(topic_id)
            raise UserError(
                _(
                    "'{title}' is {status}; only topics in the backlog have a place in its order."
                ).format(title=topic.title, status=_(topic.status.value))
            )
        key = (mine[1], topic_id)
        return 1 + sum(1 for i, row in rows.items() if row[0] == backlog and (row[1], i) < key)

    def set_topic_status(self, topic_id: str, status: TopicStatus) -> list[str]:
        """Mark a topic covered, dropped or back in the backlog.

        A topic that leaves the open ones is taken off the agendas of planned
        sessions; returns the ids of those sessions.
        """
        topic = self.topic(topic_id)
        if status is TopicStatus.PLANNED:
            raise UserError(_("A topic becomes planned by putting it on a session."))
        touched: list[str] = []
        with self.records.batch():
            fields: dict[str, object] = {"status": status.value}
            if status is TopicStatus.BACKLOG and topic.status is not TopicStatus.BACKLOG:
                fields["priority"] = self._bottom_priority()
            if status is not TopicStatus.COVERED:
                touched = self._take_off_planned_agendas(topic.id)
            self.records.update(Topic.KIND, topic.id, fields)
        return touched

    def _take_off_planned_agendas(self, topic_id: str) -> list[str]:
        planned = {s.id: s for s in self.records.all(Session) if s.status is SessionStatus.PLANNED}
        touched: set[str] = set()
        for item in self.records.all(AgendaItem):
            if item.topic == topic_id and item.session in planned and not item.covered:
                self.records.delete(AgendaItem.KIND, item.id)
                touched.add(item.session)
        for session_id in touched:
            session = planned[session_id]
            if topic_id in session.topics:
                remaining = [t for t in session.topics if t != topic_id]
                self.records.update(Session.KIND, session_id, {"topics": remaining})
        return sorted(touched)

    def return_to_backlog_top(self, topic_ids: Sequence[str]) -> None:
        """Put topics back at the head of the backlog, keeping their relative order."""
        top = self._top_priority()
        count = len(topic_ids)
        with self.records.batch():
            for n, topic_id in enumerate(topic_ids):
                self.records.update(
                    Topic.KIND,
                    topic_id,
                    {"status": TopicStatus.BACKLOG.value, "priority": top - (count - 1 - n)},
                )
