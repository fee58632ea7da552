"""The topic backlog: adding (also from the idea catalogue), ordering, closing topics,
and reordering on two devices at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmpair.domain.backlog import between, placement
from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model.records import Category, Role, Topic, TopicStatus
from rmpair.store.home import Home

if TYPE_CHECKING:
    from pairs import TwoDevices

NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


def titles(journal: Journal) -> list[str]:
    return [t.title for t in journal.backlog.ordered()]


def test_add_from_the_catalogue_by_number_and_by_title(journal: Journal) -> None:
    ideas = journal.backlog.topic_ideas()
    work = journal.backlog.topic_ideas(Category.WORK)
    assert work and all(n.idea.category == "work" for n in work)
    # Numbers stay those of the whole catalogue when filtered.
    assert work[0].number == next(n.number for n in ideas if n.idea.category == "work")

    first = journal.backlog.topic(journal.backlog.add_topic(idea=work[0].number, now=NOW))
    assert first.title == work[0].idea.title
    assert first.category is Category.WORK
    assert first.question == work[0].idea.question
    assert first.proposed_by is Role.MENTEE  # me
    assert first.created == dt.date(2026, 11, 10)
    assert first.status is TopicStatus.BACKLOG

    by_title = journal.backlog.topic(journal.backlog.add_topic("speaking UP"))
    assert by_title.category is Category.CULTURE and by_title.question.startswith("What should")

    with pytest.raises(UserError, match="no idea 999"):
        journal.backlog.add_topic(idea=999)


def test_a_topic_of_my_own_needs_a_category_and_gets_a_default_question(
    journal: Journal,
) -> None:
    with pytest.raises(UserError, match="--category is needed"):
        journal.backlog.add_topic("Podcasts for commuting")
    topic_id = journal.backlog.add_topic(
        "Podcasts for commuting", category=Category.CULTURE, proposed_by=Role.MENTOR
    )
    topic = journal.backlog.topic(topic_id)
    assert topic.question == "What should I know about Podcasts for commuting?"
    assert topic.proposed_by is Role.MENTOR
    with pytest.raises(UserError, match="already has 'Podcasts for commuting'"):
        journal.backlog.add_topic("podcasts for commuting", category=Category.WORK)


def test_new_topics_go_to_the_end_and_report_how_long_they_waited(journal: Journal) -> None:
    a = journal.backlog.add_topic("A", category=Category.WORK, now=NOW)
    b = journal.backlog.add_topic("B", category=Category.WORK, now=NOW)
    assert titles(journal) == ["A", "B"]
    later = NOW + dt.timedelta(days=12)
    assert journal.backlog.waited_days(journal.backlog.topic(a), later) == 12
    journal.backlog.set_topic_status(b, TopicStatus.DROPPED)
    assert journal.backlog.waited_days(journal.backlog.topic(b), later) is None


def test_moving_to_a_place_up_down_top(journal: Journal) -> None:
    ids = [journal.backlog.add_topic(t, category=Category.WORK) for t in "ABCDE"]
    assert journal.backlog.move_topic(ids[4], 1) == 1
    assert titles(journal) == ["E", "A", "B", "C", "D"]
    assert journal.backlog.move_topic(ids[0], 4) == 4
    assert titles(journal) == ["E", "B", "C", "A", "D"]
    assert journal.backlog.move_topic(ids[3], 99) == 5  # past the end: the end
    assert titles(journal) == ["E", "B", "C", "A", "D"]
    # Only the moved topic is written when there is room between the neighbours.
    before = {t.id: t.priority for t in journal.all(Topic)}
    journal.backlog.move_topic(ids[2], 2)
    after = {t.id: t.priority for t in journal.all(Topic)}
    assert [k for k in before if before[k] != after[k]] == [ids[2]]


def test_moving_between_equal_priorities_renumbers(journal: Journal) -> None:
    ids = [journal.backlog.add_topic(t, category=Category.WORK) for t in "ABC"]
    for rec in ids:  # e.g. written by an older version or by hand
        journal.update(Topic.KIND, rec, {"priority": 1.0})
    order = titles(journal)
    moving = order[2]
    journal.backlog.move_topic(
        next(t.id for t in journal.backlog.ordered() if t.title == moving), 2
    )
    assert titles(journal) == [order[0], moving, order[1]]


def test_only_backlog_topics_move(journal: Journal) -> None:
    topic = journal.backlog.add_topic("A", category=Category.WORK)
    journal.backlog.set_topic_status(topic, TopicStatus.COVERED)
    with pytest.raises(UserError, match="only topics in the backlog"):
        journal.backlog.move_topic(topic, 1)


@given(
    priorities=st.lists(
        st.sampled_from([0.0, 0.5, 1.0, 1.0, 2.0, -3.0, 1e-300, 7.25]), min_size=1, max_size=9
    ),
    moving=st.integers(min_value=0, max_value=8),
    to=st.integers(min_value=-2, max_value=12),
)
def test_placement_puts_the_topic_exactly_there_and_keeps_the_rest_in_order(
    priorities: list[float], moving: int, to: int
) -> None:
    topics = [Topic(id=f"t{n}", priority=p) for n, p in enumerate(priorities)]
    order = sorted(topics, key=lambda t: (t.priority, t.id))
    mover = order[moving % len(order)]
    changes = placement(order, mover.id, to)
    moved = sorted(
        (Topic(id=t.id, priority=changes.get(t.id, t.priority)) for t in topics),
        key=lambda t: (t.priority, t.id),
    )
    wanted = min(max(to, 1), len(order)) - 1
    assert [t.id for t in moved].index(mover.id) == wanted
    assert [t.id for t in moved if t.id != mover.id] == [t.id for t in order if t.id != mover.id]


def test_between_finds_room_or_says_there_is_none() -> None:
    assert between(None, None) == 0.0
    assert between(None, 2.0) == 1.0
    assert between(2.0, None) == 3.0
    assert between(1.0, 2.0) == 1.5
    assert between(1.0, 1.0) is None
    assert between(1.0, 1.0 + 2e-16) is None


def test_reordering_on_two_devices_at_once_converges(two_devices: TwoDevices) -> None:
    a, b = two_devices.a, two_devices.b
    ids = [a.backlog.add_topic(t, category=Category.WORK) for t in "ABCDEF"]
    two_devices.deliver(a, b)
    b.refresh()
    assert titles(b) == list("ABCDEF")
    # Neither has seen the other's move yet.
    a.backlog.move_topic(ids[4], 1)  # E to the top
    b.backlog.move_topic(ids[5], 2)  # F to second place
    b.backlog.move_topic(ids[1], 6)  # B to the bottom
    a.backlog.move_topic(ids[2], 3)  # C to third place, on A's order
    two_devices.deliver(a, b)
    two_devices.deliver(b, a)
    a.refresh()
    b.refresh()
    assert titles(a) == titles(b)
    final = titles(a)
    assert final[0] == "E" and final[-1] == "B"
    assert set(final) == set("ABCDEF")
    assert a.conflicts() == [] and b.conflicts() == []


def test_both_devices_moving_the_same_topic_agree_on_one_place(two_devices: TwoDevices) -> None:
    a, b = two_devices.a, two_devices.b
    ids = [a.backlog.add_topic(t, category=Category.WORK) for t in "ABCD"]
    two_devices.deliver(a, b)
    b.refresh()
    a.backlog.move_topic(ids[3], 1)
    b.backlog.move_topic(ids[3], 3)
    two_devices.deliver(a, b)
    two_devices.deliver(b, a)
    a.refresh()
    b.refresh()
    assert titles(a) == titles(b)
    assert [c.field for c in a.conflicts()] == ["priority"]


def test_closing_and_reopening_topics(journal: Journal) -> None:
    a = journal.backlog.add_topic("A", category=Category.TECHNOLOGY)
    b = journal.backlog.add_topic("B", category=Category.CULTURE)
    c = journal.backlog.add_topic("C", category=Category.CULTURE)
    journal.backlog.set_topic_status(a, TopicStatus.COVERED)
    journal.backlog.set_topic_status(b, TopicStatus.DROPPED)
    assert titles(journal) == ["C"]
    assert [t.title for t in journal.backlog.topics(statuses=[TopicStatus.COVERED])] == ["A"]
    assert [t.title for t in journal.backlog.topics(category=Category.CULTURE)] == ["C", "B"]
    journal.backlog.edit_topic(b, status=TopicStatus.BACKLOG, title="B again")
    assert titles(journal) == ["C", "B again"]  # back at the end
    with pytest.raises(UserError, match="putting it on a session"):
        journal.backlog.set_topic_status(c, TopicStatus.PLANNED)


def test_dropping_a_planned_topic_takes_it_off_the_agenda(journal: Journal) -> None:
    topic = journal.backlog.add_topic("Async work", category=Category.WORK)
    session = journal.sessions.plan_session(dt.datetime(2026, 12, 1, 17, 30), topics=[topic])
    assert journal.backlog.topic(topic).status is TopicStatus.PLANNED
    assert any(i.topic == topic for i in journal.agenda.items(session))
    assert journal.backlog.set_topic_status(topic, TopicStatus.DROPPED) == [session]
    assert not any(i.topic == topic for i in journal.agenda.items(session))
    found = journal.sessions.find_session(session)
    assert topic not in found.topics


def test_a_reopened_journal_adds_as_one_that_has_read_its_backlog(
    journal: Journal, tmp_path: Path
) -> None:
    """A command's add reads a few fields of each topic instead of decoding them: the
    same refusals and places as an open journal that has every topic decoded."""
    kept = journal.backlog.add_topic("Kept", category=Category.WORK)
    closed = journal.backlog.add_topic("Closed", category=Category.WORK)
    journal.backlog.add_topic("Last", category=Category.WORK)
    journal.backlog.set_topic_status(closed, TopicStatus.COVERED)
    journal.update(Topic.KIND, closed, {"priority": 99.0})  # the highest, though closed
    journal.close()
    again = Journal.open(tmp_path / "j", home=Home(tmp_path / "a"))
    try:
        assert not again.records.decoded(Topic)
        with pytest.raises(UserError, match=f"already has 'Kept' \\({kept}\\)"):
            again.backlog.add_topic("KEPT", category=Category.WORK)
        reopened = again.backlog.add_topic("Closed", category=Category.CULTURE)  # not open
        assert again.backlog.topic(reopened).priority == 100.0
        assert again.backlog.topic_position(reopened) == 3
        assert [t.title for t in again.backlog.ordered()] == ["Kept", "Last", "Closed"]
        with pytest.raises(UserError, match="only topics in the backlog have a place"):
            again.backlog.topic_position(closed)
    finally:
        again.close()
