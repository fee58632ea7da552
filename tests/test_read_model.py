"""The read model follows every change without decoding the journal again: what it
answers after any sequence of edits, deletes, the partner's changes and failed
commands is what a fresh read of the merged state answers."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pairs import TwoDevices, make_two_devices

from rmpair.domain.backlog import open_title
from rmpair.domain.records import Records
from rmpair.journal import Journal
from rmpair.model.records import Category, Note, Tandem, Topic

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "add",
                "edit",
                "cover",
                "delete",
                "partner-edit",
                "partner-add",
                "note",
                "drop-note",
                "failed",
            ]
        ),
        st.integers(min_value=0, max_value=50),
    ),
    min_size=1,
    max_size=14,
)


def fresh_read(journal: Journal) -> tuple[list[Topic], list[Note], Tandem | None]:
    """What the merged state holds, decoded from scratch."""
    state = journal.store.state
    topics = [Topic.from_fields(rec, fields) for rec, fields in state.live(Topic.KIND)]
    notes = [Note.from_fields(rec, fields) for rec, fields in state.live(Note.KIND)]
    tandem = state.fields(Tandem.KIND, "tandem")
    return topics, notes, None if tandem is None else Tandem.from_fields("tandem", tandem)


def by_id(topic: Topic) -> str:
    return topic.id


def same_title(one: Topic, other: Topic) -> bool:
    return open_title(one) == open_title(other)


FIELDS = ("title", "status", "priority")


def agrees(journal: Journal, sessions: list[str], kept: Records | None = None) -> None:
    topics, notes, tandem = fresh_read(journal)
    # A few fields of every topic, as the decoded records have them: from a read model
    # that decoded nothing (fresh, and kept across the changes), and from a decoded one.
    fields = {t.id: {name: getattr(t, name) for name in FIELDS} for t in topics}
    assert Records(journal.store).fields_of(Topic, FIELDS) == fields
    if kept is not None:
        assert kept.fields_of(Topic, FIELDS) == fields
    assert journal.records.fields_of(Topic, FIELDS) == fields
    assert journal.all(Topic) == topics
    assert journal.all(Note) == notes
    assert journal.tandem() == tandem
    for topic in topics:
        assert journal.get(Topic, topic.id) == topic
        same = journal.records.lookup(Topic, open_title, open_title(topic))
        assert journal.resolve_id(Topic, topic.id) == topic.id
        prefix = topic.id[:3]
        if sum(t.id.startswith(prefix) for t in topics) == 1:
            assert Records(journal.store).resolve_id(Topic, prefix) == topic.id
            assert journal.resolve_id(Topic, prefix) == topic.id
        wanted = [t for t in topics if same_title(t, topic)]
        assert sorted(same, key=by_id) == sorted(wanted, key=by_id)
    unread = Records(journal.store)  # nothing decoded yet: answers from the stored ids
    for session in sessions:
        mine = [n for n in notes if n.session == session]
        assert unread.of_session(Note, session) == mine
        assert journal.records.of_session(Note, session) == mine
        assert journal.by_session(Note).get(session, []) == mine


def apply(pair: TwoDevices, op: str, n: int, sessions: list[str]) -> None:
    a, b = pair.a, pair.b
    topics = a.all(Topic)
    if op == "add":
        a.backlog.add_topic(f"Topic {n} {len(topics)}", category=Category.WORK)
    elif op == "edit" and topics:
        a.update(Topic.KIND, topics[n % len(topics)].id, {"title": f"Edited {n}"})
    elif op == "cover" and topics:
        a.update(Topic.KIND, topics[n % len(topics)].id, {"status": "covered", "priority": n})
    elif op == "delete" and topics:
        a.delete(Topic.KIND, topics[n % len(topics)].id)
    elif op in ("partner-edit", "partner-add"):
        pair.deliver(a, b)
        b.refresh()
        theirs = b.all(Topic)
        if op == "partner-edit" and theirs:
            b.update(Topic.KIND, theirs[n % len(theirs)].id, {"title": f"Theirs {n}"})
            b.update("tandem", "tandem", {"location": f"Room {n}"})
        else:
            b.backlog.add_topic(f"Their topic {n} {len(theirs)}", category=Category.CULTURE)
        pair.deliver(b, a)
        a.refresh()
    elif op == "note":
        a.notes.add_note(sessions[n % len(sessions)], f"Note {n}")
    elif op == "drop-note":
        notes = a.all(Note)
        if notes:
            a.delete(Note.KIND, notes[n % len(notes)].id)
    elif op == "failed":
        # A command that fails half-way: nothing is written, the state is read again.
        try:
            with a.batch():
                a.backlog.add_topic(f"Never kept {n}", category=Category.WORK)
                agrees(a, sessions)
                raise RuntimeError("the command failed")
        except RuntimeError:
            pass


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS)
def test_the_read_model_always_agrees_with_a_fresh_read(ops: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pair = make_two_devices(Path(tmp))
        try:
            start = dt.datetime(2026, 11, 20, 17, 30)
            sessions = [
                pair.a.sessions.plan_session(start + dt.timedelta(days=7 * k)) for k in range(2)
            ]
            kept = Records(pair.a.store)  # decodes no topic: its answers follow the changes
            agrees(pair.a, sessions, kept)
            for op, n in ops:
                apply(pair, op, n, sessions)
                agrees(pair.a, sessions, kept)
        finally:
            pair.a.close()
            pair.b.close()


def test_a_change_decodes_only_the_records_it_touched(journal: Journal) -> None:
    """Adding to a long backlog keeps every other topic as it was decoded (the same
    objects), so a save does not cost a decode of the whole kind."""
    with journal.batch():
        for n in range(30):
            journal.backlog.add_topic(f"Question {n}", category=Category.WORK)
    before = {t.id: t for t in journal.all(Topic)}
    changed = next(iter(before))
    journal.update(Topic.KIND, changed, {"title": "Renamed"})
    journal.backlog.add_topic("One more", category=Category.CULTURE)
    after = {t.id: t for t in journal.all(Topic)}
    assert len(after) == 31 and after[changed].title == "Renamed"
    assert all(after[i] is before[i] for i in before if i != changed)
