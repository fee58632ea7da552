"""What a session leaves behind: notes, learnings, action items and feedback.

Shared notes and learnings are one record per entry, so two people writing at the
same time never edit the same record and the merge keeps both. Private notes are
the exception: they are kept in a small TinyDB file in this device's own folder and
never enter the shared journal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rmpair.domain.records import Records
from rmpair.domain.session_times import action_order, start_utc
from rmpair.domain.sessions import Sessions
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.records import (
    ActionItem,
    Feedback,
    Learning,
    Note,
    Role,
    Session,
    SessionStatus,
)
from rmpair.store.home import new_id

PRIVATE_FOLDER = "private"
PRIVATE_NOTES = "notes.json"


def stamp(now: dt.datetime) -> str:
    """When something was written: an ISO instant in UTC, to the second."""
    return now.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class NoteView:
    """A note as listed: shared (from the journal) or private (this device only)."""

    id: str
    session: str
    author: Role
    text: str
    created: str
    private: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session": self.session,
            "author": self.author.value,
            "text": self.text,
            "created": self.created,
            "private": self.private,
        }


class PrivateNotes:
    """This device's private notes for one journal, in ``<private_dir>/private/``.

    The file is written atomically (``AtomicJSONStorage``) so a crash leaves either
    the old or the new notes, never half of them.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / PRIVATE_NOTES

    def _db(self) -> Any:
        from tinydb import TinyDB

        from rmpair.store.tinystore import AtomicJSONStorage

        return TinyDB(self.path, storage=AtomicJSONStorage)

    def add(self, session: str, author: Role, text: str, created: str) -> str:
        note_id = new_id(10)
        db = self._db()
        try:
            db.table("notes").insert(
                {
                    "id": note_id,
                    "session": session,
                    "author": author.value,
                    "text": text,
                    "created": created,
                }
            )
        finally:
            db.close()
        return note_id

    def for_session(self, session: str) -> list[NoteView]:
        """This device's private notes on one session."""
        return [note for note in self.all() if note.session == session]

    def all(self) -> list[NoteView]:
        """Every private note on this device, for any session (search reads them all)."""
        if not self.path.exists():
            return []
        db = self._db()
        try:
            rows = db.table("notes").all()
        except ValueError as exc:
            raise UserError(
                _("Your private notes file {file} cannot be read: {error}").format(
                    file=self.path, error=exc
                )
            ) from None
        finally:
            db.close()
        return [
            NoteView(
                id=str(row.get("id", "")),
                session=str(row.get("session", "")),
                author=Role(row["author"]) if row.get("author") in set(Role) else Role.MENTEE,
                text=str(row.get("text", "")),
                created=str(row.get("created", "")),
                private=True,
            )
            for row in rows
        ]


class Notes:
    """Commands and queries about notes, learnings, action items and feedback."""

    def __init__(self, records: Records, sessions: Sessions) -> None:
        self.records = records
        self.sessions = sessions

    # -- notes -----------------------------------------------------------------------

    def private_notes(self) -> PrivateNotes:
        folder = (self.records.private_dir / PRIVATE_FOLDER).absolute()
        shared = self.records.folder.absolute()
        if folder == shared or shared in folder.parents:
            # RMPAIR_HOME inside the synced folder would publish "private" notes.
            raise UserError(
                _(
                    "This device's data folder is inside the shared journal folder, so private "
                    "notes would not stay private; set RMPAIR_HOME to a folder outside it."
                )
            )
        return PrivateNotes(folder)

    def add_note(
        self, session_id: str, text: str, *, private: bool = False, now: dt.datetime | None = None
    ) -> str:
        """A note on a session; a private one stays on this device."""
        session = self.sessions.find_session(session_id, now)
        body = text.strip()
        if not body:
            raise UserError(_("A note needs some text."))
        if private:
            return self.private_notes().add(
                session.id, self.records.my_role, body, stamp(now or self.records.now())
            )
        note = Note(
            id="",
            session=session.id,
            author=self.records.my_role,
            text=body,
            created=stamp(now or self.records.now()),
        )
        return self.records.add(Note.KIND, note.to_fields())

    def for_session(self, session_id: str) -> list[NoteView]:
        """A session's shared notes and this device's private ones, oldest first."""
        shared = [
            NoteView(n.id, n.session, n.author, n.text, n.created, private=False)
            for n in self.records.of_session(Note, session_id)
        ]
        private = self.private_notes().for_session(session_id)
        return sorted([*shared, *private], key=lambda n: (n.created, n.id))

    # -- learnings -------------------------------------------------------------------

    def add_learning(self, session_id: str, text: str, now: dt.datetime | None = None) -> str:
        """Record what I learned in a session that has taken place (or is under way)."""
        moment = now or self.records.now()
        session = self.sessions.find_session(session_id, moment)
        if session.status is SessionStatus.CANCELLED:
            raise UserError(_("Session {id} was cancelled.").format(id=session.id))
        if start_utc(session) > moment:
            raise UserError(
                _("Session {id} has not started yet; record learnings once it has.").format(
                    id=session.id
                )
            )
        body = text.strip()
        if not body:
            raise UserError(_("A learning needs some text."))
        learning = Learning(
            id="", session=session.id, role=self.records.my_role, text=body, created=stamp(moment)
        )
        return self.records.add(Learning.KIND, learning.to_fields())

    def learnings(self, session_id: str | None = None) -> list[Learning]:
        found = [
            lr
            for lr in self.records.all(Learning)
            if session_id is None or lr.session == session_id
        ]
        return sorted(found, key=lambda lr: (lr.created, lr.id))

    # -- action items ----------------------------------------------------------------

    def add_action(
        self,
        text: str,
        *,
        session_id: str | None = None,
        owner: Role | None = None,
        due: dt.date | None = None,
        due_next_session: bool = False,
        now: dt.datetime | None = None,
    ) -> str:
        """A next step with an owner (default: me) and a due date or "next session"."""
        body = text.strip()
        if not body:
            raise UserError(_("An action item needs some text."))
        session = self.sessions.find_session(session_id, now).id if session_id else ""
        item = ActionItem(
            id="",
            session=session,
            text=body,
            owner=owner or self.records.my_role,
            due=due,
            due_next_session=due_next_session and due is None,
            created=stamp(now or self.records.now()),
        )
        return self.records.add(ActionItem.KIND, item.to_fields())

    def action_items(self, *, open_only: bool = False) -> list[ActionItem]:
        found = [a for a in self.records.all(ActionItem) if not (open_only and a.done)]
        return sorted(found, key=action_order)

    def action_item(self, text: str) -> ActionItem:
        found = self.records.get(ActionItem, self.records.resolve_id(ActionItem, text))
        assert found is not None
        return found

    def complete_action(self, action_id: str, done: bool = True) -> bool:
        """Mark an action item done; returns False if it already was."""
        item = self.action_item(action_id)
        return self.records.update(ActionItem.KIND, item.id, {"done": done})

    def action_due_session(
        self, item: ActionItem, now: dt.datetime | None = None
    ) -> Session | None:
        """For an item due "next session": the planned session after the one it came from."""
        if not item.due_next_session:
            return None
        origin = self.records.get(Session, item.session) if item.session else None
        moment = now or self.records.now()
        after = start_utc(origin) if origin is not None else moment
        ahead = [
            s
            for s in self.records.all(Session)
            if s.status is SessionStatus.PLANNED
            and s.start is not None
            and s.id != item.session
            and start_utc(s) > after
        ]
        return min(ahead, key=lambda s: (start_utc(s), s.id), default=None)

    # -- feedback --------------------------------------------------------------------

    def give_feedback(self, session_id: str, rating: int, comment: str = "") -> str:
        """My rating (1-5) of a held session; giving it again replaces mine."""
        if not 1 <= rating <= 5:
            raise UserError(_("--rating must be 1 to 5"))
        session = self.sessions.find_session(session_id)
        if session.status is not SessionStatus.HELD:
            raise UserError(
                _(
                    "Session {id} is {status}; feedback is for held sessions (mark it with "
                    "'rmpair session held {id}')."
                ).format(id=session.id, status=_(session.status.value))
            )
        rec_id = f"{session.id}:{self.records.my_role.value}"
        feedback = Feedback(
            id=rec_id,
            session=session.id,
            role=self.records.my_role,
            rating=rating,
            comment=comment.strip(),
        )
        return self.records.put(feedback)

    def feedback(self, session_id: str) -> list[Feedback]:
        found = [f for f in self.records.all(Feedback) if f.session == session_id]
        return sorted(found, key=lambda f: (f.role.value != Role.MENTOR.value, f.id))
