"""Finding a word again: one search over everything the pair wrote down.

Topics, agenda items, shared notes, this device's private notes, learnings and
action items are matched case-insensitively. Each hit says what kind of thing it is,
where it belongs (the session's title and date) and a short snippet around the match,
so the CLI and the app can list hits without looking anything else up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rmpair.domain.notes import Notes
from rmpair.domain.records import Records
from rmpair.domain.sessions import Sessions
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.records import ActionItem, AgendaItem, Learning, Note, Session, Topic

# The kinds a hit can be, in the order results are listed within one date.
KINDS: tuple[str, ...] = ("topic", "agenda", "note", "private", "learning", "action")
SNIPPET_WIDTH = 60


@dataclass(frozen=True)
class SearchHit:
    """One match: what it is, where it belongs and the text around the match.

    ``day`` is the session's date in its own zone, or for a topic the day it was
    added; the date filters compare against it.
    """

    kind: str
    id: str
    snippet: str
    day: dt.date | None
    session: str = ""
    session_title: str = ""
    session_start: dt.datetime | None = None  # wall-clock time in the session's zone
    topic: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "snippet": self.snippet,
            "date": self.day.isoformat() if self.day else None,
            "session": self.session or None,
            "session_title": self.session_title or None,
            "session_start": self.session_start.isoformat() if self.session_start else None,
            "topic": self.topic or None,
        }


def snippet(text: str, query: str, width: int = SNIPPET_WIDTH) -> str:
    """``text`` on one line, cut to about ``width`` characters around the first match,
    with "…" where something was left out."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    found = re.search(re.escape(" ".join(query.split())), line, re.IGNORECASE)
    at = found.start() if found else 0
    start = max(0, min(at - width // 3, len(line) - width))
    part = line[start : start + width]
    return ("…" if start else "") + part + ("…" if start + width < len(line) else "")


class Search:
    """Case-insensitive search over what the pair wrote, with filters by kind,
    session and date."""

    def __init__(self, records: Records, sessions: Sessions, notes: Notes) -> None:
        self.records = records
        self.sessions = sessions
        self.notes = notes

    def find(
        self,
        text: str,
        *,
        kinds: Sequence[str] = (),
        session: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[SearchHit]:
        """Every hit for ``text``, newest date first; ``kinds`` empty means all kinds,
        ``session`` is an id, id prefix, ``next`` or ``last``."""
        query = " ".join(text.split()).casefold()
        if not query:
            raise UserError(_("Search for what? Give some text."))
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise UserError(
                _("Unknown kind '{kind}' (choose from: {kinds}).").format(
                    kind=unknown[0], kinds=", ".join(KINDS)
                )
            )
        wanted = set(kinds or KINDS)
        only = self.sessions.find_session(session).id if session else None
        by_id = {s.id: s for s in self.records.all(Session)}
        hits = [
            hit
            for hit in self._candidates(wanted, by_id, query, text)
            if (only is None or hit.session == only)
            and (since is None or (hit.day is not None and hit.day >= since))
            and (until is None or (hit.day is not None and hit.day <= until))
        ]
        hits.sort(key=lambda h: (h.day or dt.date.min, -KINDS.index(h.kind)), reverse=True)
        return hits

    def _candidates(
        self, wanted: set[str], by_id: dict[str, Session], query: str, raw: str
    ) -> Iterable[SearchHit]:
        """Hits of every wanted kind, before the session and date filters."""

        def matches(*texts: str) -> str | None:
            for candidate in texts:
                if query in " ".join(candidate.split()).casefold():
                    return candidate
            return None

        def at(kind: str, rec_id: str, found: str, session_id: str, topic: str = "") -> SearchHit:
            session = by_id.get(session_id)
            start = session.start if session else None
            return SearchHit(
                kind=kind,
                id=rec_id,
                snippet=snippet(found, raw),
                day=start.date() if start else None,
                session=session_id if session else "",
                session_title=self.sessions.session_title(session) if session else "",
                session_start=start,
                topic=topic,
            )

        if "topic" in wanted:
            for topic in self.records.all(Topic):
                found = matches(topic.title, topic.question)
                if found is not None:
                    yield SearchHit(
                        "topic", topic.id, snippet(found, raw), topic.created, topic=topic.id
                    )
        if "agenda" in wanted:
            for item in self.records.all(AgendaItem):
                found = matches(item.title)
                if found is not None:
                    yield at("agenda", item.id, found, item.session, item.topic)
        if "note" in wanted:
            for note in self.records.all(Note):
                found = matches(note.text)
                if found is not None:
                    yield at("note", note.id, found, note.session)
        if "private" in wanted:
            for private in self.notes.private_notes().all():
                found = matches(private.text)
                if found is not None:
                    yield at("private", private.id, found, private.session)
        if "learning" in wanted:
            for learning in self.records.all(Learning):
                found = matches(learning.text)
                if found is not None:
                    yield at("learning", learning.id, found, learning.session)
        if "action" in wanted:
            for action in self.records.all(ActionItem):
                found = matches(action.text)
                if found is not None:
                    yield at("action", action.id, found, action.session)


def kind_label(kind: str) -> str:
    """A hit's kind as people call it, in the interface language."""
    labels = {
        "topic": _("topic"),
        "agenda": _("agenda item"),
        "note": _("shared note"),
        "private": _("private note"),
        "learning": _("learning"),
        "action": _("action item"),
    }
    return labels.get(kind, kind)
