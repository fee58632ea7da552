"""What is kept up to date change by change must equal what a full recompute gives.

The store and the read model keep derived answers (live counts, the listing of files,
the status's nudges) instead of working them out again on every run; each property here
drives them through random changes, saves and reloads, and compares with the answer
computed from scratch, so the shortcut cannot drift from the truth.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_merge_properties import ACTIONS, KIND, Device, World, act

from rmpair.store.merge import MergedState


def reloaded(state: MergedState, parts: dict[str, bytes]) -> MergedState:
    """``state`` saved to a cache and read back, as the next process sees it."""
    head, new_parts = state.snapshot()
    parts.update(new_parts)
    state.saved(head)
    return MergedState.restore(head, parts.__getitem__)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_live_counts_kept_per_change_match_a_recount(data: st.DataObject) -> None:
    world = World([Device(f"dev{i}", 0) for i in range(2)])
    act(world, world.devices[0], "create", data)
    parts: dict[str, bytes] = {}
    for _ in range(data.draw(st.integers(0, 40), label="steps")):
        dev = data.draw(st.sampled_from(world.devices))
        choice = data.draw(st.sampled_from((*ACTIONS, "reload", "count")))
        if choice == "reload":  # the next process: counts come from the cache head
            dev.state = reloaded(dev.state, parts)
        elif choice == "count":
            dev.state.count_live(KIND)
        else:
            act(world, dev, choice, data)
        for device in world.devices:
            expected = sum(1 for _ in device.state.live(KIND))
            assert device.state.count_live(KIND) == expected
            assert device.state.count_live("unknown kind") == 0


def test_a_restored_state_counts_what_its_head_says_until_a_change_arrives() -> None:
    state = MergedState()
    base: dict[str, Any] = {"device": "d", "person": "p", "kind": KIND, "op": "create"}
    for n in range(3):
        change = {**base, "id": f"c{n}", "hlc": f"{n:015d}.000000.d", "rec": f"r{n}"}
        state.apply({**change, "fields": {"title": "t"}, "prev": []})
    parts: dict[str, bytes] = {}
    restored = reloaded(state, parts)
    assert restored.count_live(KIND) == 3
    record = restored.record(KIND, "r0")
    assert record is not None
    delete = {**base, "id": "d0", "hlc": f"{9:015d}.000000.d", "rec": "r0", "op": "delete"}
    restored.apply({**delete, "fields": {"_del": True}, "prev": sorted(record.head_ids())})
    assert restored.count_live(KIND) == 2 == sum(1 for _ in restored.live(KIND))


# -- the status's nudges, kept while nothing they read changed -----------------------------

STEPS = ("location", "location", "cadence", "topic", "session", "answer", "time", "reopen")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_kept_nudges_are_the_nudges_worked_out_again(tmp_path_factory: Any, data: Any) -> None:
    """``rmpair status`` reuses the stored nudges when no record they read changed (the
    partner set the tandem's location); whatever happened, they are the nudges a full
    recompute gives, and the stored status never claims to hold longer than they do."""
    import datetime as dt

    from test_nudges import NOW, session

    from rmpair.clock import FixedClock
    from rmpair.journal import Journal
    from rmpair.model.lifecycle import PrerequisiteAnswer
    from rmpair.model.records import Cadence, Category, Role, SessionStatus
    from rmpair.store.home import Home

    base = tmp_path_factory.mktemp("kept")
    clock = FixedClock(NOW)
    home = Home(base / "a")
    journal = Journal.init(
        base / "j", me="Alex", role=Role.MENTEE, partner="Sam", start=dt.date(2026, 9, 1),
        tz="Europe/Berlin", home=home, clock=clock,
    )  # fmt: skip
    kept = 0
    try:
        for n in range(data.draw(st.integers(1, 14), label="steps")):
            step = data.draw(st.sampled_from(STEPS))
            if step == "location":
                journal.update("tandem", "tandem", {"location": f"Room {n}"})
            elif step == "cadence":
                cadence = data.draw(st.sampled_from(list(Cadence)))
                journal.update("tandem", "tandem", {"cadence": cadence.value})
            elif step == "topic":
                category = data.draw(st.sampled_from(list(Category)))
                journal.backlog.add_topic(f"Topic {n}", category=category)
            elif step == "session":
                days = data.draw(st.integers(-60, 20))
                status = data.draw(st.sampled_from(list(SessionStatus)))
                journal.put(session(n, days, status, minutes=data.draw(st.sampled_from([20, 60]))))
            elif step == "answer":
                key = data.draw(st.sampled_from(["voluntary", "no-reporting-line"]))
                journal.put(PrerequisiteAnswer(f"{key}:mentor", key, Role.MENTOR, "yes", ""))
            elif step == "time":
                clock.advance(dt.timedelta(hours=data.draw(st.integers(1, 24 * 40))))
            if step == "reopen" or data.draw(st.booleans()):  # the next command, as a process
                journal.close()  # stores the status, nudges and what they were worked out from
                journal = Journal.open(base / "j", home=home, clock=clock)
            now = clock.now()
            report = journal.status_report()
            expected = [n.to_json() for n in journal.nudges.current(now)]
            assert report["status"]["nudges"] == expected
            until = dt.datetime.fromisoformat(report["valid_until"])
            assert now < until <= journal.nudges.valid_until(now)
            kept += report["nudges_since"] != now.isoformat()
        event(f"kept nudges: {min(kept, 2)}")
    finally:
        journal.close()


def test_a_change_to_the_tandems_location_keeps_the_nudges(tmp_path: Any) -> None:
    import datetime as dt

    from test_nudges import NOW

    from rmpair.clock import FixedClock
    from rmpair.journal import Journal
    from rmpair.model.records import Role
    from rmpair.store.home import Home

    clock, home = FixedClock(NOW), Home(tmp_path / "a")
    journal = Journal.init(
        tmp_path / "j", me="Alex", role=Role.MENTEE, partner="Sam", start=dt.date(2026, 9, 1),
        home=home, clock=clock,
    )  # fmt: skip
    journal.close()
    for step in ("worked out", "kept"):
        clock.advance(dt.timedelta(hours=1))
        journal = Journal.open(tmp_path / "j", home=home, clock=clock)
        journal.update("tandem", "tandem", {"location": f"Room {step}"})
        report = journal.status_report()
        assert report["status"]["nudges"] == [n.to_json() for n in journal.nudges.current()]
        assert report["status"]["nudges"]  # the preconditions are not confirmed yet
        kept = report["nudges_since"] != clock.now().isoformat()
        assert kept == (step == "kept")
        journal.close()


# -- a kind decoded one cache bucket at a time ------------------------------------------------

PARTIAL_STEPS = ("create", "create_many", "set", "set", "concurrent", "delete", "restore")
PARTIAL_LOOKS = ("reload", "reload", "record", "count", "conflicts", "whole", "none")


def made(n: int, rec: str, op: str, fields: dict[str, Any], prev: list[str]) -> dict[str, Any]:
    return {
        "id": f"c{n:05d}", "hlc": f"{1_790_000_000_000 + n:015d}.000000.d", "device": "d",
        "person": "p", "kind": KIND, "rec": rec, "op": op, "fields": fields, "prev": prev,
    }  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_kind_decoded_bucket_by_bucket_is_the_kind_decoded_whole(data: st.DataObject) -> None:
    """Changes applied to a state restored from the cache decode only the bucket of the
    record they touch; lookups, counts, conflicts, saves and reloads in any order give
    what a state that always held every record gives."""
    from test_merge_properties import canonical_conflicts

    reference, subject = MergedState(), MergedState()
    parts: dict[str, bytes] = {}
    ids: list[str] = []
    for n in range(data.draw(st.integers(1, 30), label="steps")):
        step = data.draw(st.sampled_from(PARTIAL_STEPS)) if ids else "create_many"
        changes: list[dict[str, Any]] = []
        if step in ("create", "create_many"):
            for k in range(70 if step == "create_many" else 1):  # > one bucket of 64
                rec = f"r{n}-{k}"
                ids.append(rec)
                changes.append(made(len(ids) * 1000 + n, rec, "create", {"title": rec}, []))
        else:
            rec = data.draw(st.sampled_from(ids))
            record = reference.record(KIND, rec)
            assert record is not None
            seen = sorted(record.head_ids())
            if step == "delete":
                changes.append(made(n, rec, "delete", {"_del": True}, seen))
            elif step == "restore":
                changes.append(made(n, rec, "restore", {"_del": False}, seen))
            else:  # "concurrent" saw nothing: a conflict with the value there
                prev = seen if step == "set" else []
                changes.append(made(n, rec, "set", {"title": f"t{n}"}, prev))
        for change in changes:
            assert reference.apply(change) == subject.apply(change)
        look = data.draw(st.sampled_from(PARTIAL_LOOKS))
        if look == "reload":
            subject = reloaded(subject, parts)
        elif look == "record":
            rec = data.draw(st.sampled_from(ids))
            assert subject.fields(KIND, rec) == reference.fields(KIND, rec)
        elif look == "count":
            assert subject.count_live(KIND) == reference.count_live(KIND)
        elif look == "conflicts":
            assert canonical_conflicts(subject) == canonical_conflicts(reference)
        elif look == "whole":
            assert {r: s.values() for r, s in subject.kind(KIND).items()} == {
                r: s.values() for r, s in reference.kind(KIND).items()
            }
    for state in (subject, reloaded(subject, parts)):
        assert {rec: state.fields(KIND, rec) for rec in ids} == {
            rec: reference.fields(KIND, rec) for rec in ids
        }
        assert state.count_live(KIND) == reference.count_live(KIND)
        assert canonical_conflicts(state) == canonical_conflicts(reference)
        assert dict(sorted(state.live(KIND))) == dict(sorted(reference.live(KIND)))


@given(name=st.from_regex(r"\A\d{4}-\d{2}(\.[1-9]\d{0,5})?\.json\Z"))
def test_a_logs_own_name_is_never_a_temporary_file(name: str) -> None:
    """``classify`` tries the canonical pattern first; that is the same answer only
    because no temporary pattern matches a canonical name."""
    from rmpair.store.syncfiles import CANONICAL, _compiled, classify

    temporary, _canonical, _conflicts = _compiled()
    assert re.match(CANONICAL, name)
    assert not any(pattern.match(name) for pattern in temporary)
    assert classify(name).role == "canonical"


# -- fields of every topic, kept in the cache beside the topics -----------------------------

TOPIC_STEPS = ("add", "add", "retitle", "status", "priority", "delete", "reopen", "reopen")
FIELDS = ("title", "status", "priority")  # a few fields of every topic, as a query reads them


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_stored_fields_of_topics_are_the_fields_worked_out_again(
    tmp_path_factory: Any, data: Any
) -> None:
    """``fields_of`` reads a few fields of every topic from a part the last save kept
    beside the topics; whatever was added, edited or deleted, in this process or an
    earlier one, they are the topics' own fields."""
    import datetime as dt

    from pairs import edit_topic
    from test_nudges import NOW

    from rmpair.clock import FixedClock
    from rmpair.journal import Journal
    from rmpair.model.records import Category, Role, Topic
    from rmpair.store.home import Home

    base = tmp_path_factory.mktemp("fields")
    clock, home = FixedClock(NOW), Home(base / "a")
    journal = Journal.init(
        base / "j", me="Alex", role=Role.MENTEE, partner="Sam", start=dt.date(2026, 9, 1),
        home=home, clock=clock,
    )  # fmt: skip
    kept = 0
    try:
        for n in range(data.draw(st.integers(1, 12), label="steps")):
            ids = sorted(journal.records.fields_of(Topic, FIELDS))
            step = data.draw(st.sampled_from(TOPIC_STEPS)) if ids else "add"
            if step == "add":
                for k in range(data.draw(st.sampled_from([1, 1, 70]))):
                    journal.backlog.add_topic(f"Topic {n}.{k}", category=Category.WORK)
            elif step == "reopen":
                journal.close(keep_status=False)
                journal = Journal.open(base / "j", home=home, clock=clock)
            else:
                edit_topic(journal, step, data.draw(st.sampled_from(ids)), n, data)
            cache = journal.store.cache
            kept += any(name.startswith("fields:topic") for name in cache._derived)
            rows = journal.records.fields_of(Topic, FIELDS)
            state = journal.store.state
            expected = {
                rec: {name: getattr(Topic.from_fields(rec, fields), name) for name in FIELDS}
                for rec, fields in state.live(Topic.KIND)
            }
            assert rows == expected
        event(f"rows kept in the cache: {min(kept, 2)}")
    finally:
        journal.close()


def test_stored_fields_of_topics_follow_the_partners_change(tmp_path: Any) -> None:
    """The part kept beside the topics answers only for the topics it was made from: a
    partner's rename read at the next start makes the rows be worked out again."""
    from pairs import make_two_devices

    from rmpair.model.records import Category, Topic

    pair = make_two_devices(tmp_path)
    try:
        first = pair.a.backlog.add_topic("Code review", category=Category.WORK)
        pair.a.backlog.add_topic("Release notes", category=Category.WORK)
        assert pair.a.records.fields_of(Topic, FIELDS)[first]["title"] == "Code review"
        pair.a = pair.reopen(pair.a)  # the rows are now in the cache
        assert any(name.startswith("fields:topic") for name in pair.a.store.cache._derived)
        pair.deliver(pair.a, pair.b)
        pair.b.refresh()
        pair.b.update(Topic.KIND, first, {"title": "Reviews, renamed"})
        pair.deliver(pair.b, pair.a)
        pair.a = pair.reopen(pair.a)  # reads Sam's rename as it opens
        rows = pair.a.records.fields_of(Topic, FIELDS)
        assert rows[first]["title"] == "Reviews, renamed"
        assert pair.a.backlog.add_topic("Code review", category=Category.WORK)
    finally:
        pair.a.close()
        pair.b.close()


def test_what_one_add_writes_to_the_cache_does_not_grow_with_the_backlog(tmp_path: Any) -> None:
    """The rows ``topic add`` reads are kept per bucket of topics: an add rewrites the
    bucket it lands in, not the rows of the whole backlog (which at 10,000 topics took
    one add from 40 KiB to 450 KiB written). A bucket holds between half and all of
    its most, and a new topic's random id picks it: one add can write twice what
    another writes, so six adds are summed."""
    import datetime as dt

    from rmpair.journal import Journal
    from rmpair.model.records import Category, Role
    from rmpair.store.home import Home

    written: dict[int, int] = {}
    for count in (300, 3000):
        home = Home(tmp_path / f"home-{count}")
        folder = tmp_path / f"j-{count}"
        journal = Journal.init(
            folder, me="Alex", role=Role.MENTEE, partner="Sam", start=dt.date(2026, 9, 1),
            home=home,
        )  # fmt: skip
        with journal.batch():
            for i in range(count):
                journal.add("topic", {"title": f"Topic {i}", "priority": float(i)})
        journal.backlog.add_topic("First of this run", category=Category.WORK)
        journal.close()  # the rows are now kept in the cache
        cache = journal.store.local / "cache"
        written[count] = 0
        for more in range(6):
            before = {p.name for p in cache.iterdir()}
            journal = Journal.open(folder, home=home)
            journal.backlog.add_topic(f"One more {more}", category=Category.WORK)
            journal.close()
            written[count] += sum(p.stat().st_size for p in cache.iterdir() if p.name not in before)
    # Ten times the topics: about the same bytes (the head lists more buckets).
    assert written[3000] < 2 * written[300], written


def test_the_cached_listing_of_a_long_journal_is_a_part_per_device_and_year(
    tmp_path: Any,
) -> None:
    """Opening a journal reads every part of the cached listing of its files: at a part
    per month that grew by one a month per device, at a part per year it stays a few."""
    import datetime as dt
    import marshal

    from rmpair.clock import FixedClock
    from rmpair.journal import Journal
    from rmpair.model.records import Category, Role
    from rmpair.store.cache import PartCache
    from rmpair.store.home import Home

    home, folder = Home(tmp_path / "home"), tmp_path / "journal"
    start = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)
    Journal.init(
        folder, me="Alex", role=Role.MENTEE, partner="Sam", start=start.date(), home=home,
        clock=FixedClock(start),
    ).close()  # fmt: skip
    months = 27
    for month in range(months):
        now = start.replace(year=2025 + month // 12, month=1 + month % 12)
        journal = Journal.open(folder, home=home, clock=FixedClock(now))
        journal.backlog.add_topic(f"Topic of month {month}", category=Category.WORK)
        journal.close()
    journal = Journal.open(folder, home=home, clock=FixedClock(now))
    assert len(journal.backlog.topics()) == months
    cache = PartCache(str(journal.store.local / "cache"))
    journal.close()
    head = cache.head()
    assert head is not None
    groups = head["listing"]
    assert sorted({group[-4:] for group in groups}) == ["2025", "2026", "2027"]
    assert len(groups) == 3  # one device, three years
    files = set()
    for ref in groups.values():
        shared, replica, _published = marshal.loads(cache.part(ref))
        files |= set(shared) | set(replica)
    assert len([f for f in files if f.endswith(".json")]) >= months
