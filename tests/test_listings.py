"""``topic list`` and ``session list`` read the stored fields of the records they list
without decoding them (``Backlog.listing``, ``Sessions.all_session_topics``,
``Backlog.titles``): whatever the journal holds, they list the same records, in the
same order, with the same values as the decoded records give."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pairs import edit_topic, make_two_devices

from rmpair.domain.agenda import Agenda
from rmpair.domain.backlog import Backlog
from rmpair.domain.records import Records
from rmpair.domain.sessions import Sessions
from rmpair.journal import Journal
from rmpair.model.records import AgendaItem, Category, PrepItem, Role, Session, Topic, TopicStatus
from rmpair.store.home import Home

TODAY = dt.date(2026, 11, 16)


def decoded_rows(
    journal: Journal,
    statuses: list[TopicStatus] | None = None,
    category: Category | None = None,
) -> list[dict[str, Any]]:
    """The listing worked out from decoded topics, as ``topic list`` did before."""
    backlog = Backlog(Records(journal.store))
    rank = {t.id: n for n, t in enumerate(backlog.ordered(), start=1)}
    where = backlog.topic_sessions()
    rows = []
    for topic in backlog.topics(statuses=statuses, category=category):
        session = where.get(topic.id)
        rows.append(
            {
                "id": topic.id,
                "rank": rank.get(topic.id),
                "title": topic.title,
                "category": topic.category.value,
                "question": topic.question,
                "proposed_by": topic.proposed_by.value,
                "priority": topic.priority,
                "status": topic.status.value,
                "created": topic.created.isoformat() if topic.created else None,
                "waited_days": backlog.waited_days(topic, today=TODAY),
                "session": session.id if session and topic.status is TopicStatus.PLANNED else None,
            }
        )
    return rows


def listed(
    journal: Journal,
    statuses: list[TopicStatus] | None = None,
    category: Category | None = None,
    *,
    decode_first: bool = False,
) -> list[dict[str, Any]]:
    """The fast listing, by a read model that decoded nothing (or, with
    ``decode_first``, one that decoded the topics already), as ``topic list`` keys it."""
    records = Records(journal.store)
    if decode_first:
        records.all(Topic)
    rows = Backlog(records).listing(TODAY, statuses=statuses, category=category)
    assert all(tuple(row) == KEYS for row in rows)  # the keys in the order printed
    return rows


KEYS = (
    "id",
    "rank",
    "title",
    "category",
    "question",
    "proposed_by",
    "priority",
    "status",
    "created",
    "waited_days",
    "session",
)

# Stored values of every shape a change can carry: the ones rmpair writes, and what
# another version or a hand-edited file may hold (the codec reads them leniently).
TEXT = st.one_of(st.text(max_size=8), st.integers(-5, 5), st.floats(allow_nan=False), st.none())
CHOICE = st.one_of(
    st.sampled_from([*(c.value for c in Category), *(s.value for s in TopicStatus)]),
    st.sampled_from(["mentor", "mentee", "open", "", "Backlog"]),
    st.integers(0, 2),
    st.lists(st.just("work"), max_size=1),
)
NUMBER = st.one_of(st.integers(-3, 3), st.floats(-3, 3, allow_nan=False), st.just("1"), st.none())
DAY = st.one_of(
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)).map(dt.date.isoformat),
    st.sampled_from(["", "2026-13-01", "2026-11-16T09:00:00", "20261116", "2026-W47-1", "soon"]),
    st.integers(0, 3),
    st.none(),
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "title": TEXT,
        "question": TEXT,
        "category": CHOICE,
        "proposed_by": CHOICE,
        "status": st.one_of(CHOICE, st.sampled_from([s.value for s in TopicStatus])),
        "priority": NUMBER,
        "created": DAY,
    },
)
STEPS = st.lists(
    st.tuples(st.sampled_from(["add", "set", "delete"]), st.integers(0, 30), FIELDS),
    min_size=1,
    max_size=16,
)
FILTERS = st.tuples(
    st.one_of(st.none(), st.lists(st.sampled_from(list(TopicStatus)), min_size=1, max_size=2)),
    st.one_of(st.none(), st.sampled_from(list(Category))),
)


def new_journal(tmp: Path) -> Journal:
    return Journal.init(
        tmp / "journal",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        home=Home(tmp / "home"),
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS, filters=st.lists(FILTERS, min_size=1, max_size=3))
def test_the_listing_agrees_with_the_decoded_topics(
    steps: list[tuple[str, int, dict[str, Any]]],
    filters: list[tuple[list[TopicStatus] | None, Category | None]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        journal = new_journal(Path(tmp))
        try:
            session = journal.sessions.plan_session(dt.datetime(2026, 11, 20, 17, 30))
            ids: list[str] = []
            for op, n, fields in steps:
                if op == "add" or not ids:
                    ids.append(journal.add(Topic.KIND, fields))
                    if n % 3 == 0:  # on the planned session's agenda
                        journal.add("agenda_item", {"session": session, "topic": ids[-1]})
                elif journal.store.state.fields(Topic.KIND, ids[n % len(ids)]) is None:
                    continue  # deleted, or added with no field at all
                elif op == "set" and fields:
                    journal.update(Topic.KIND, ids[n % len(ids)], fields)
                elif op == "delete":
                    journal.delete(Topic.KIND, ids[n % len(ids)])
            state = journal.store.state
            assert list(state.shown(Topic.KIND)) == list(state.live(Topic.KIND))
            for statuses, category in [(None, None), *filters]:
                expected = decoded_rows(journal, statuses, category)
                assert listed(journal, statuses, category) == expected
                assert listed(journal, statuses, category, decode_first=True) == expected
        finally:
            journal.close()


def test_the_listing_agrees_with_the_decoded_topics_through_conflicts(tmp_path: Path) -> None:
    """Two devices edit the same topics at once (two heads per field) and one deletes
    what the other edits; the listing shows the values the decoded topics show."""
    pair = make_two_devices(tmp_path)
    a, b = pair.a, pair.b
    try:
        session = a.sessions.plan_session(dt.datetime(2026, 11, 20, 17, 30))
        for n in range(6):
            topic = a.backlog.add_topic(f"Topic {n}", category=Category.WORK)
            if n % 2:
                a.sessions.add_topic_to_session(session, topic)
        pair.deliver(a, b)
        b.refresh()
        ids = [t.id for t in a.all(Topic)]
        a.update(Topic.KIND, ids[0], {"title": "Mine", "priority": 9})
        b.update(Topic.KIND, ids[0], {"title": "Theirs", "status": "covered"})
        a.delete(Topic.KIND, ids[1])
        b.update(Topic.KIND, ids[1], {"question": "Still wanted?"})
        b.update(Topic.KIND, ids[2], {"category": "no such category"})
        pair.deliver(b, a)
        a.refresh()
        assert a.conflicts()
        for statuses in (None, [TopicStatus.BACKLOG, TopicStatus.PLANNED], [TopicStatus.COVERED]):
            expected = decoded_rows(a, statuses)
            assert listed(a, statuses) == expected
            assert listed(a, statuses, decode_first=True) == expected
        # What the command prints for a program is the same listing, as JSON.
        rows = a.backlog.listing(TODAY, statuses=None)
        assert json.dumps(rows) == json.dumps(decoded_rows(a))
    finally:
        a.close()
        b.close()


def sessions_of(records: Records) -> Sessions:
    backlog = Backlog(records)
    return Sessions(records, backlog, Agenda(records))


ITEM = st.fixed_dictionaries(
    {
        "session": st.one_of(st.integers(0, 3), st.sampled_from(["", 7])),
        "topic": st.one_of(st.integers(0, 4), st.sampled_from(["", 3.0, None])),
    },
    optional={"position": NUMBER, "title": TEXT},
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(st.tuples(ITEM, st.booleans()), max_size=14),
    titles=st.lists(TEXT, min_size=1, max_size=5),
)
def test_the_topics_of_every_session_agree_with_the_decoded_agendas(
    items: list[tuple[dict[str, Any], bool]], titles: list[Any]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        journal = new_journal(Path(tmp))
        try:
            start = dt.datetime(2026, 11, 20, 17, 30)
            topics = [journal.add(Topic.KIND, {"title": title}) for title in titles]
            sessions = [
                journal.sessions.plan_session(start + dt.timedelta(days=7 * k)) for k in range(3)
            ]
            journal.update(Session.KIND, sessions[2], {"topics": topics[:2]})
            for fields, deleted in items:
                stored = dict(fields)
                # An index picks a session or topic; other values are stored as they are.
                if isinstance(stored.get("session"), int) and stored["session"] < len(sessions):
                    stored["session"] = sessions[stored["session"]]
                if isinstance(stored.get("topic"), int) and stored["topic"] < len(topics):
                    stored["topic"] = topics[stored["topic"]]
                item = journal.add(AgendaItem.KIND, stored)
                if deleted and journal.store.state.fields(AgendaItem.KIND, item) is not None:
                    journal.delete(AgendaItem.KIND, item)
            decoded = sessions_of(Records(journal.store))
            expected = {s.id: decoded.session_topics(s) for s in decoded.all()}
            assert sessions_of(Records(journal.store)).all_session_topics() == expected
            records = Records(journal.store)
            records.all(AgendaItem)  # decoded first: answers from the decoded view
            assert sessions_of(records).all_session_topics() == expected
            shown = {t.id: t.title for t in Records(journal.store).all(Topic)}
            assert Backlog(Records(journal.store)).titles() == shown
        finally:
            journal.close()


KEPT_STEPS = ("add", "add", "retitle", "status", "priority", "delete", "reopen", "partner")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_rows_kept_beside_the_topics_follow_every_change(data: Any) -> None:
    """``topic list`` and ``topic add`` read each topic's row from what the last save
    kept beside the topics (``topic_listing``), updated change by change within a
    process. Whatever was added, edited or deleted, here, in an earlier process or on
    the partner's device, the listing is the one the decoded topics give, a topic's
    place is its place in the backlog, and an open topic's title cannot be added again."""
    from rmpair.errors import UserError

    with tempfile.TemporaryDirectory() as tmp:
        pair = make_two_devices(Path(tmp))
        try:
            for n in range(data.draw(st.integers(1, 10), label="steps")):
                a = pair.a
                ids = sorted(t.id for t in Records(a.store).all(Topic))
                step = data.draw(st.sampled_from(KEPT_STEPS)) if ids else "add"
                if step == "add":
                    for k in range(data.draw(st.sampled_from([1, 1, 90]), label="adds")):
                        a.backlog.add_topic(f"Topic {n}.{k}", category=Category.WORK)
                elif step == "reopen":
                    pair.reopen(a)
                elif step == "partner":  # Sam renames a topic and drops another
                    pair.deliver(a, pair.b)
                    pair.b.refresh()
                    pair.b.update(Topic.KIND, data.draw(st.sampled_from(ids)), {"title": "Sam's"})
                    pair.b.update(
                        Topic.KIND, data.draw(st.sampled_from(ids)), {"status": "dropped"}
                    )
                    pair.deliver(pair.b, a)
                    if data.draw(st.booleans(), label="read at the next start"):
                        pair.reopen(a)
                    else:
                        a.refresh()
                else:
                    edit_topic(a, step, data.draw(st.sampled_from(ids)), n, data)
                a = pair.a
                expected = decoded_rows(a)
                assert a.backlog.listing(TODAY) == expected
                assert a.backlog.listing_json(TODAY) == json.dumps(
                    expected, ensure_ascii=False, separators=(",", ":")
                )
                ordered = Backlog(Records(a.store)).ordered()
                for place, topic in enumerate(ordered[:3], start=1):
                    assert a.backlog.topic_position(topic.id) == place
                if ordered:
                    try:
                        a.backlog.add_topic(ordered[-1].title.upper(), category=Category.WORK)
                    except UserError:
                        pass
                    else:
                        raise AssertionError("an open topic's title was added again")
        finally:
            pair.a.close()
            pair.b.close()


def test_a_listing_keeps_the_rows_it_had_to_make_and_the_stored_status(tmp_path: Path) -> None:
    """A cache without the topics' rows (written by an older rmpair, or with the rows'
    files damaged) costs one full listing: the listing keeps the rows it made, and the
    status ``rmpair status`` answers from stays as it was, since no record or file
    changed."""
    import marshal

    from rmpair.domain.topic_listing import TOPIC_ROWS
    from rmpair.store.cache import answer_part_name

    journal = new_journal(tmp_path)
    for n in range(150):
        journal.backlog.add_topic(f"Topic {n}", category=Category.WORK)
    journal.status()
    journal.close()
    cache = Path(journal.store._cache.folder)
    refs = marshal.loads((cache / "head.bin").read_bytes())["state"]["kinds"][Topic.KIND]
    pieces = [cache / answer_part_name(TOPIC_ROWS, ref) for ref in refs]
    assert len(refs) > 2 and all(piece.is_file() for piece in pieces)
    pieces[0].unlink()
    pieces[1].write_bytes(b"damaged")
    # Well formed, the right names, rows that are not rows (a forged or older piece).
    forged = {"nosuchtopic": ("backlog", 1.0, "work", None, 7, "")}
    pieces[2].write_bytes(marshal.dumps((TOPIC_ROWS, refs[2], forged)))
    quick = (cache / "quick.bin").read_bytes()

    journal = Journal.open(tmp_path / "journal", home=Home(tmp_path / "home"))
    rows = journal.backlog.listing(TODAY)
    journal.close()
    assert [row["title"] for row in rows[:2]] == ["Topic 0", "Topic 1"]
    assert len(rows) == 150
    assert all(piece.is_file() for piece in pieces)
    assert marshal.loads(pieces[1].read_bytes())[:2] == (TOPIC_ROWS, refs[1])
    assert "nosuchtopic" not in marshal.loads(pieces[2].read_bytes())[2]
    assert (cache / "quick.bin").read_bytes() == quick

    journal = Journal.open(tmp_path / "journal", home=Home(tmp_path / "home"))
    assert journal.backlog.listing(TODAY) == rows
    journal.close()


PREP = st.fixed_dictionaries(
    {"session": st.one_of(st.integers(0, 3), st.sampled_from(["", 7, 2.0, None]))},
    optional={
        "role": st.one_of(CHOICE, st.sampled_from(["mentor", "mentee"])),
        "done": st.one_of(st.booleans(), st.integers(0, 1), st.sampled_from(["true", 1.0, None])),
        "position": NUMBER,
    },
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(st.tuples(PREP, st.booleans()), max_size=14), edit=st.booleans())
def test_the_readiness_of_many_sessions_agrees_with_each_decoded_checklist(
    items: list[tuple[dict[str, Any], bool]], edit: bool
) -> None:
    """``session list`` counts the prep of the planned sessions from three stored fields
    of each prep item (``Agenda.readiness_of``): whatever the items hold, the counts are
    those of each session's decoded checklist, before and after a save kept them."""
    with tempfile.TemporaryDirectory() as tmp:
        journal = new_journal(Path(tmp))
        try:
            start = dt.datetime(2026, 11, 20, 17, 30)
            sessions = [
                journal.sessions.plan_session(start + dt.timedelta(days=7 * k)) for k in range(3)
            ]
            for fields, deleted in items:
                stored = dict(fields)
                if isinstance(stored.get("session"), int) and stored["session"] < len(sessions):
                    stored["session"] = sessions[stored["session"]]
                item = journal.add(PrepItem.KIND, stored)
                if deleted and journal.store.state.fields(PrepItem.KIND, item) is not None:
                    journal.delete(PrepItem.KIND, item)
            wanted = [*sessions, "7", "", "unknown"]
            for reopen in (False, True, True):
                if reopen:  # the fields are kept in the cache, then read from it
                    folder, home = journal.folder, journal.store.home
                    journal.close()
                    journal = Journal.open(folder, home=home)
                    if edit:
                        first = Agenda(Records(journal.store)).prep_items(sessions[0])
                        journal.update(PrepItem.KIND, first[0].id, {"done": True})
                expected = {s: Agenda(Records(journal.store)).readiness(s) for s in wanted}
                assert Agenda(Records(journal.store)).readiness_of(wanted) == expected
                records = Records(journal.store)
                records.all(PrepItem)  # decoded first: answers from the decoded view
                assert Agenda(records).readiness_of(wanted) == expected
        finally:
            journal.close()


def test_rows_made_for_many_buckets_at_once_are_kept_in_one_part(tmp_path: Path) -> None:
    """A save that makes the rows of many buckets (a bulk import, a first read) keeps
    them in one part, not a file per bucket; the listing reads them from there, and a
    damaged part only makes the rows be worked out (and kept) again."""
    import marshal

    from rmpair.domain.topic_listing import TOPIC_ROWS

    journal = new_journal(tmp_path)
    with journal.batch():
        for n in range(900):
            journal.add("topic", {"title": f"Bulk {n}", "priority": float(n)})
    journal.close()
    cache = Path(journal.store._cache.folder)
    head = marshal.loads((cache / "head.bin").read_bytes())
    pack = cache / head["packs"][TOPIC_ROWS]
    assert len(head["state"]["kinds"][Topic.KIND]) > 8
    assert not list(cache.glob("*.ans"))  # no file per bucket

    journal = Journal.open(tmp_path / "journal", home=Home(tmp_path / "home"))
    expected = decoded_rows(journal)
    assert journal.backlog.listing(TODAY) == expected
    journal.close()
    pack.write_bytes(b"damaged")
    journal = Journal.open(tmp_path / "journal", home=Home(tmp_path / "home"))
    assert journal.backlog.listing(TODAY) == expected
    journal.close()
    head = marshal.loads((cache / "head.bin").read_bytes())
    assert (cache / head["packs"][TOPIC_ROWS]).read_bytes() != b"damaged"
    pack = cache / head["packs"][TOPIC_ROWS]
    pack.write_bytes(b"damaged again")  # then a command that writes makes the same part
    journal = Journal.open(tmp_path / "journal", home=Home(tmp_path / "home"))
    journal.update("tandem", "tandem", {"location": "Room 2"})
    assert journal.backlog.listing(TODAY) == expected
    journal.close()
    assert pack.read_bytes() != b"damaged again"
    journal = Journal.open(tmp_path / "journal", home=Home(tmp_path / "home"))
    journal.backlog.add_topic("One more", category=Category.WORK)
    assert journal.backlog.listing(TODAY)[-1]["title"] == "One more"
    journal.close()
