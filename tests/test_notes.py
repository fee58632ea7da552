"""Notes (shared and private), learnings, action items and feedback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model.records import Feedback, Role
from rmpair.store.home import Home

if TYPE_CHECKING:
    from pairs import TwoDevices

DEC1 = dt.datetime(2026, 12, 1, 17, 30)
DEC15 = dt.datetime(2026, 12, 15, 17, 30)
AFTER_DEC1 = dt.datetime(2026, 12, 1, 18, 45, tzinfo=dt.UTC)


def every_byte(folder: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()]


def test_a_private_note_never_reaches_the_shared_folder(two_devices: TwoDevices) -> None:
    a, b = two_devices.a, two_devices.b
    session = a.sessions.plan_session(DEC1)
    secret = "Zq7-private: I felt lost with the prompt tool, grüße"
    a.notes.add_note(session, secret, private=True)
    a.notes.add_note(session, "Shared: tried the prompt tool")
    a.close()  # caches and every other file written at close as well
    two_devices.a = a = Journal.open(a.folder, home=a.store.home)
    needle = secret.encode("utf-8")
    files = every_byte(a.folder)
    assert files, "the journal folder has files"
    assert not [p for p, data in files if needle in data]
    assert not [p for p, data in files if "grüße".encode("utf-16-le") in data]
    # It is in this device's private folder, and only there.
    private = a.private_dir / "private"
    assert [p for p, data in every_byte(private) if needle in data]
    listed = sorted((n.text, n.private) for n in a.notes.for_session(session))
    assert listed == [("Shared: tried the prompt tool", False), (secret, True)]
    # The partner gets the shared note and not the private one.
    two_devices.deliver(a, b)
    b.refresh()
    assert [n.text for n in b.notes.for_session(session)] == ["Shared: tried the prompt tool"]
    assert not [p for p, data in every_byte(b.folder) if needle in data]


def test_the_private_file_survives_reopening(journal: Journal, tmp_path: Path) -> None:
    session = journal.sessions.plan_session(DEC1)
    journal.notes.add_note(session, "first", private=True)
    journal.notes.add_note(session, "second", private=True)
    journal.close()
    again = Journal.open(tmp_path / "j", home=Home(tmp_path / "a"))
    try:
        assert sorted(n.text for n in again.notes.for_session(session)) == ["first", "second"]
        other = again.sessions.plan_session(DEC15)
        assert again.notes.for_session(other) == []
    finally:
        again.close()


def test_private_notes_refuse_a_data_folder_inside_the_journal(tmp_path: Path) -> None:
    inside = Journal.init(
        tmp_path / "j",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        home=Home(tmp_path / "j" / "home"),
    )
    try:
        session = inside.sessions.plan_session(DEC1)
        with pytest.raises(UserError, match="would not stay private"):
            inside.notes.add_note(session, "secret", private=True)
    finally:
        inside.close()


def test_notes_need_text_and_a_session(journal: Journal) -> None:
    session = journal.sessions.plan_session(DEC1)
    with pytest.raises(UserError, match="needs some text"):
        journal.notes.add_note(session, "   ")
    with pytest.raises(UserError, match="No session with id 'nope'"):
        journal.notes.add_note("nope", "text")


def test_learnings_once_the_session_has_started(journal: Journal) -> None:
    session = journal.sessions.plan_session(DEC1)
    with pytest.raises(UserError, match="has not started yet"):
        journal.notes.add_learning(session, "too early", now=AFTER_DEC1 - dt.timedelta(days=1))
    journal.notes.add_learning(session, "Async updates save a meeting", now=AFTER_DEC1)
    (learning,) = journal.notes.learnings(session)
    assert learning.role is Role.MENTEE and learning.text == "Async updates save a meeting"
    other = journal.sessions.plan_session(DEC15)
    journal.sessions.cancel_session(other, now=AFTER_DEC1)
    with pytest.raises(UserError, match="was cancelled"):
        journal.notes.add_learning(other, "nothing", now=AFTER_DEC1 + dt.timedelta(days=30))


def test_action_items(journal: Journal) -> None:
    first = journal.sessions.plan_session(DEC1)
    second = journal.sessions.plan_session(DEC15)
    mine = journal.notes.add_action(
        "Try it on the weekly report", session_id=first, due_next_session=True
    )
    theirs = journal.notes.add_action(
        "Send two links", owner=Role.MENTOR, due=dt.date(2026, 12, 4), now=AFTER_DEC1
    )
    item = journal.notes.action_item(mine)
    assert (item.owner, item.due_next_session, item.session) == (Role.MENTEE, True, first)
    due_at = journal.notes.action_due_session(item, AFTER_DEC1)
    assert due_at is not None and due_at.id == second
    # Dated ones first, then "next session".
    assert [a.id for a in journal.notes.action_items()] == [theirs, mine]
    assert journal.notes.complete_action(theirs) is True
    assert journal.notes.complete_action(theirs) is False  # already done
    assert [a.id for a in journal.notes.action_items(open_only=True)] == [mine]
    assert [a.id for a in journal.notes.action_items()] == [mine, theirs]
    with pytest.raises(UserError, match="needs some text"):
        journal.notes.add_action("")


def test_feedback_is_one_record_per_role_and_only_for_held_sessions(
    two_devices: TwoDevices,
) -> None:
    a, b = two_devices.a, two_devices.b
    session = a.sessions.plan_session(DEC1)
    with pytest.raises(UserError, match="feedback is for held sessions"):
        a.notes.give_feedback(session, 4)
    a.sessions.hold_session(session, now=AFTER_DEC1)
    with pytest.raises(UserError, match="--rating must be 1 to 5"):
        a.notes.give_feedback(session, 7)
    assert a.notes.give_feedback(session, 4, "Good") == f"{session}:mentee"
    a.notes.give_feedback(session, 5, "Better on reflection")
    two_devices.deliver(a, b)
    b.refresh()
    b.notes.give_feedback(session, 3, "Ran out of time")
    two_devices.deliver(b, a)
    a.refresh()
    assert [(f.role, f.rating, f.comment) for f in a.notes.feedback(session)] == [
        (Role.MENTOR, 3, "Ran out of time"),
        (Role.MENTEE, 5, "Better on reflection"),
    ]
    assert len(a.all(Feedback)) == 2
