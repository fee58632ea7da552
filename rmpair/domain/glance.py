"""What the app's home shows at a glance, from a few stored fields of each record.

Home asks, every time the app starts, for the next session's readiness and topics,
the open action items and the backlog's mix. The services answer these by decoding
every prep item, agenda item, action item and topic of the journal (five years of
them take longer than starting Textual). Here the same answers come from the fields
they need (``Records.fields_of``, kept beside the cache by each save that asked for
them, and the rows ``session_items`` keeps), and only the few records shown are
decoded. Each function gives what the
service method named in its docstring gives.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from rmpair.domain.backlog import OPEN_STATUSES
from rmpair.domain.records import Records
from rmpair.domain.session_items import AGENDA_ROWS, agenda_rows, valid_agenda_rows
from rmpair.domain.session_times import Progress, action_order, start_utc
from rmpair.model.records import (
    ActionItem,
    AgendaItem,
    Category,
    Session,
    SessionStatus,
    Topic,
)

MIX_FIELDS = ("status", "category")
SESSION_FIELDS = ("status", "start", "tz", "minutes")


def session_topics(records: Records, session: Session) -> list[str]:
    """``Sessions.session_topics``: the topics on the session's agenda in order, then
    any only listed on it (from the rows kept beside the agenda items)."""
    rows = records.kept.rows(AGENDA_ROWS, AgendaItem.KIND, agenda_rows, valid_agenda_rows)
    on_agenda = sorted(
        (position, rec_id, topic)
        for rec_id, (on, topic, position) in rows.items()
        if on == session.id and topic
    )
    return list(dict.fromkeys([*(topic for *_key, topic in on_agenda), *session.topics]))


def open_action_items(records: Records) -> list[ActionItem]:
    """``Notes.action_items(open_only=True)``: decodes only the open ones."""
    found = []
    for rec_id, row in records.fields_of(ActionItem, ("done",)).items():
        if not row["done"]:
            item = records.get(ActionItem, rec_id)
            if item is not None:
                found.append(item)
    return sorted(found, key=action_order)


def open_topic_mix(records: Records) -> tuple[int, Counter[Category]]:
    """How many topics are open (in the backlog or planned), and how many per category."""
    rows = [
        row
        for row in records.fields_of(Topic, MIX_FIELDS).values()
        if row["status"] in OPEN_STATUSES
    ]
    return len(rows), Counter(row["category"] for row in rows)


def next_session(records: Records, now: dt.datetime) -> tuple[Session | None, Progress]:
    """``Sessions.next_session(now)`` and ``Sessions.progress(now)``: the first planned
    session that has not ended, and how far the programme has come, from four fields
    of each session; only the next session is decoded."""
    rows = records.fields_of(Session, SESSION_FIELDS)
    live: list[tuple[dt.datetime, str, SessionStatus, int]] = []
    for rec_id, row in rows.items():
        status, start = row["status"], row["start"]
        if status is not SessionStatus.CANCELLED and start:
            live.append((instant(start, row["tz"]), rec_id, status, row["minutes"]))
    live.sort()
    ahead = [
        (begins, rec_id)
        for begins, rec_id, status, minutes in live
        if status is SessionStatus.PLANNED and begins + dt.timedelta(minutes=minutes) >= now
    ]
    upcoming = records.get(Session, min(ahead)[1]) if ahead else None
    held = sum(1 for entry in live if entry[2] is SessionStatus.HELD)
    number = next(
        (n for n, entry in enumerate(live, 1) if upcoming and entry[1] == upcoming.id), held
    )
    tandem = records.tandem()
    days = (tandem.end - records.today(now)).days if tandem and tandem.end else None
    return upcoming, Progress(number=number, total=len(live), held=held, days_left=days)


def instant(start: dt.datetime, tz: str) -> dt.datetime:
    """When a session starting at wall-clock ``start`` in ``tz`` starts (``start_utc``)."""
    return start_utc(Session(id="", start=start, tz=tz))
