"""A session's agenda and the prep checklist of each role: reading them, ticking items,
adding prep, and putting a topic on an agenda. Sessions (``sessions.py``) build on
it when they plan, hold or cancel a meeting.
"""

from __future__ import annotations

from collections.abc import Sequence

from rmpair.domain.records import Records
from rmpair.domain.session_items import PREP_ROWS, prep_rows, valid_prep_rows
from rmpair.domain.session_times import (
    ROLE_ORDER,
    Timebox,
    _pick,
)
from rmpair.domain.template_errors import TemplateNotFound
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.records import (
    AgendaItem,
    PrepItem,
    Role,
    Session,
    Topic,
)


class Agenda:
    """The agenda and prep checklists of the journal's sessions."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def items(self, session_id: str) -> list[AgendaItem]:
        """A session's agenda in order."""
        return sorted(
            self.records.of_session(AgendaItem, session_id),
            key=lambda i: (i.position, i.id),
        )

    def timebox(self, session: Session) -> Timebox:
        return Timebox(sum(i.minutes for i in self.items(session.id)), session.minutes)

    def prep_items(self, session_id: str, role: Role | None = None) -> list[PrepItem]:
        """Both checklists of a session, the mentor's first; numbers follow this order."""
        return sorted(
            (
                p
                for p in self.records.of_session(PrepItem, session_id)
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

    def readiness_of(self, session_ids: Sequence[str]) -> dict[str, dict[Role, tuple[int, int]]]:
        """``readiness`` of several sessions at once, from a row kept beside each prep
        item (``session_items``: its session, role and whether it is done) instead of
        every prep item of the journal decoded: listing five years of sessions shows
        the readiness of the planned ones, and home the next one's."""
        wanted = set(session_ids)
        counts: dict[str, dict[str, list[int]]] = {
            session_id: {role.value: [0, 0] for role in Role} for session_id in wanted
        }
        rows = self.records.kept.rows(PREP_ROWS, PrepItem.KIND, prep_rows, valid_prep_rows)
        for session, role, done in rows.values():
            found = counts.get(session)
            if found is not None:
                tally = found[role]
                tally[0] += 1 if done else 0
                tally[1] += 1
        return {
            session_id: {role: (found[role.value][0], found[role.value][1]) for role in Role}
            for session_id, found in counts.items()
        }

    def mark(self, session_id: str, numbers: Sequence[int], covered: bool = True) -> None:
        """Mark agenda items (1-based, as listed) covered or not."""
        items = self.items(session_id)
        chosen = [_pick(items, n, "agenda") for n in numbers]
        with self.records.batch():
            for item in chosen:
                self.records.update(AgendaItem.KIND, item.id, {"covered": covered})

    def put_topic_on(self, session: Session, topic: Topic, minutes: int) -> str:
        """Add ``topic`` to ``session``'s agenda, taking over the still generic topic
        slot if there is one, else after the other topics."""
        items = self.items(session.id)
        existing = next((i for i in items if i.topic == topic.id), None)
        if existing is not None:
            return existing.id
        placeholder = self._generic_slot(session, items)
        if placeholder is not None:
            position, minutes = placeholder.position, placeholder.minutes
            self.records.delete(AgendaItem.KIND, placeholder.id)
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
        item_id = self.records.add(AgendaItem.KIND, item.to_fields())
        if topic.id not in session.topics:
            self.records.update(Session.KIND, session.id, {"topics": [*session.topics, topic.id]})
        return item_id

    def _generic_slot(self, session: Session, items: list[AgendaItem]) -> AgendaItem | None:
        try:
            template = self.records.templates().session_kind(session.kind.value)
        except TemplateNotFound:
            return None
        titles = {i.title for i in template.agenda if i.slot == "topics"}
        return next((i for i in items if not i.topic and i.title in titles), None)

    def tick_prep(self, session_id: str, numbers: Sequence[int], done: bool = True) -> None:
        """Tick (or untick) items of my own checklist, numbered as ``prep_items`` lists them."""
        items = self.prep_items(session_id)
        chosen = [_pick(items, n, "checklist") for n in numbers]
        self._only_mine(items, chosen, numbers)
        with self.records.batch():
            for item in chosen:
                self.records.update(PrepItem.KIND, item.id, {"done": done})

    def remove_prep(self, session_id: str, numbers: Sequence[int]) -> None:
        items = self.prep_items(session_id)
        chosen = [_pick(items, n, "checklist") for n in numbers]
        self._only_mine(items, chosen, numbers)
        with self.records.batch():
            for item in {i.id: i for i in chosen}.values():
                self.records.delete(PrepItem.KIND, item.id)

    def add_prep(self, session_id: str, text: str) -> str:
        """Add an item to the end of my own checklist for a session."""
        if not text.strip():
            raise UserError(_("--add: the item needs some text."))
        mine = self.prep_items(session_id, self.records.my_role)
        position = max((p.position for p in mine), default=-1.0) + 1.0
        item = PrepItem(
            id="",
            session=session_id,
            role=self.records.my_role,
            text=text.strip(),
            position=position,
        )
        return self.records.add(PrepItem.KIND, item.to_fields())

    def _only_mine(
        self, items: list[PrepItem], chosen: list[PrepItem], numbers: Sequence[int]
    ) -> None:
        for item, number in zip(chosen, numbers, strict=True):
            if item.role is not self.records.my_role:
                tandem = self.records.tandem()
                name = tandem.name_of(item.role) if tandem else _(item.role.value)
                raise UserError(
                    _("Item {n} is on the {role}'s checklist; only {name} can tick it.").format(
                        n=number, role=_(item.role.value), name=name
                    )
                )
