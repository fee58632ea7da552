"""Sessions: planning one with its agenda and prep checklists, and running it.

Both the programme plan and ``rmpair session plan`` create sessions through
``plan_session``, so every session gets its agenda and both roles' checklists from
the same templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rmpair.base import JournalBase
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model import (
    AgendaItem,
    Direction,
    PrepItem,
    Role,
    Session,
    SessionKind,
    Topic,
)
from rmpair.template_store import TemplateStore


class SessionsMixin(JournalBase):
    """Commands and queries about sessions."""

    def templates(self) -> TemplateStore:
        """The templates in the tandem's language (the user's folder overrides)."""
        tandem = self.tandem()
        return TemplateStore(lang=tandem.lang if tandem else "en")

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
        prep checklist for each role. Returns the session id."""
        tandem = self.tandem()
        if tandem is None:
            raise UserError(_("The journal has no tandem yet."))
        if start.tzinfo is not None:
            raise ValueError("plan_session takes a wall-clock time in the tandem's zone")
        store = self.templates()
        template = store.session_kind(kind.value)
        length = minutes or tandem.session_minutes
        topic_records = [self.get(Topic, t) for t in topics]
        with self.batch():
            session = Session(
                id="",
                start=start,
                tz=tandem.tz,
                minutes=length,
                kind=kind,
                direction=direction or Direction.MENTOR_TEACHES,
                title=title,
                theme=theme,
                topics=tuple(topics),
                planned_start=planned_start,
                series=series,
            )
            session_id = self.add(Session.KIND, session.to_fields())
            position = 0.0
            for item in template.agenda:
                if item.slot == "topics" and topic_records:
                    share = max(5, item.minutes // len(topic_records))
                    for topic in topic_records:
                        if topic is None:
                            continue
                        self.add(
                            AgendaItem.KIND,
                            AgendaItem(
                                id="",
                                session=session_id,
                                title=topic.title,
                                minutes=share,
                                position=position,
                                topic=topic.id,
                            ).to_fields(),
                        )
                        position += 1
                    continue
                title_text = theme if item.slot == "topics" and theme else item.title
                self.add(
                    AgendaItem.KIND,
                    AgendaItem(
                        id="",
                        session=session_id,
                        title=title_text,
                        minutes=item.minutes,
                        position=position,
                    ).to_fields(),
                )
                position += 1
            for role in Role:
                for n, prep in enumerate(store.prep(role.value, kind.value)):
                    self.add(
                        PrepItem.KIND,
                        PrepItem(
                            id="", session=session_id, role=role, text=prep.text, position=float(n)
                        ).to_fields(),
                    )
        return session_id

    def sessions(self) -> list[Session]:
        """All sessions, earliest first."""
        return sorted(self.all(Session), key=lambda s: (s.start or dt.datetime.min, s.id))
