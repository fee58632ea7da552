"""Whatever arrives from the shared folder is checked before it is applied.

A partner's file may carry a value of the wrong type, a stamp from the year 33658 or
a change edited after it was written. Such an entry is set aside (quarantined): it
stays in the file, is never applied, is named by ``rmpair doctor`` with its file and
device, and a valid version of it is applied as soon as it arrives. The good entries
around it are read as usual, and no command or screen ever crashes on it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pairs import TwoDevices, copy_into, make_two_devices
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.doctor.checks import examine
from rmpair.model.records import Category, Topic
from rmpair.model.schema import (
    change_fits,
    columns_fit,
    field_checks,
    fields_problem,
    record_types,
)
from rmpair.store.changes import _problem as change_shape_problem
from rmpair.store.changes import change_problem
from rmpair.store.merge import content_sum


@pytest.fixture
def pair(two_devices: TwoDevices) -> TwoDevices:
    return two_devices


def sam_file(pair: TwoDevices) -> dict[str, Any]:
    """Sam's current month file as Sam's own device wrote it."""
    data: dict[str, Any] = json.loads(pair.own_file(pair.b).read_text(encoding="utf-8"))
    return data


def last_change(data: dict[str, Any]) -> dict[str, Any]:
    changes = data["changes"]
    return dict(changes[max(changes, key=int)])


def entry(data: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A change of Sam's device, made like Sam's rmpair would, then ``overrides``."""
    base = last_change(data)
    change = {
        **base,
        "id": "x" * 20,
        "op": "create",
        "prev": [],
        "hlc": f"{int(base['hlc'][:15]) + 1000:015d}{base['hlc'][15:]}",
    }
    change.update(overrides)
    change["sum"] = content_sum(change)
    return change


def deliver_to_alex(pair: TwoDevices, data: dict[str, Any]) -> Path:
    """Put ``data`` where Sam's month file lies in Alex's folder, as a sync tool would."""
    name = pair.own_file(pair.b).name
    staging = pair.tmp / f"staged-{os.getpid()}.json"
    staging.write_text(json.dumps(data), encoding="utf-8")
    target = pair.a.folder / "devices" / pair.b.device_id / name
    copy_into(staging, target)
    return target


def with_entries(data: dict[str, Any], *changes: dict[str, Any]) -> dict[str, Any]:
    table = dict(data["changes"])
    for change in changes:
        table[str(len(table) + 1)] = change
    return {**data, "changes": table}


def quarantined(pair: TwoDevices) -> list[str]:
    report = examine(pair.a)
    return [f.message for f in report.findings if f.code == "quarantined-change"]


def test_a_value_of_the_wrong_type_is_set_aside_and_the_rest_still_reads(
    pair: TwoDevices,
) -> None:
    good = pair.b.backlog.add_topic("Git", category=Category.WORK)
    data = sam_file(pair)
    bad = entry(data, kind="topic", rec="t-high", fields={"title": "X", "priority": "high"})
    deliver_to_alex(pair, with_entries(data, bad))
    pair.a.refresh()

    titles = [t.title for t in pair.a.all(Topic)]
    assert titles == ["Git"] and pair.a.backlog.topic(good).title == "Git"
    messages = quarantined(pair)
    assert len(messages) == 1
    assert "priority" in messages[0] and "'high'" in messages[0]
    assert pair.b.device_id in messages[0]
    finding = next(f for f in examine(pair.a).findings if f.code == "quarantined-change")
    assert finding.file == f"devices/{pair.b.device_id}/{pair.own_file(pair.b).name}"

    # A valid version of the same change arrives: it is applied, and doctor is content.
    fixed = entry(data, kind="topic", rec="t-high", fields={"title": "X", "priority": 3.0})
    deliver_to_alex(pair, with_entries(data, fixed))
    pair.a.refresh()
    assert sorted(t.title for t in pair.a.all(Topic)) == ["Git", "X"]
    assert quarantined(pair) == []


def test_the_wrong_value_never_reaches_the_replica_and_survives_a_restart(
    pair: TwoDevices,
) -> None:
    data = sam_file(pair)
    bad = entry(data, kind="tandem", rec="tandem", op="set", fields={"session_minutes": "x"})
    deliver_to_alex(pair, with_entries(data, bad))
    alex = pair.reopen(pair.a)
    assert alex.tandem() is not None and alex.tandem().session_minutes == 60
    replica = alex.store.replica_dir / pair.b.device_id
    assert "session_minutes" not in "".join(p.read_text() for p in replica.glob("*.json"))
    # Sam's good file comes back: the entry is gone for good, and nothing is left over.
    pair.deliver(pair.b, alex)
    alex = pair.reopen(alex)
    assert quarantined(pair) == []
    assert alex.tandem() is not None and alex.tandem().session_minutes == 60


def test_a_stamp_far_in_the_future_never_blocks_writing(pair: TwoDevices) -> None:
    data = sam_file(pair)
    base = last_change(data)
    future = entry(
        data,
        kind="topic",
        rec="t-future",
        fields={"title": "From the future"},
        hlc="999999999999999" + base["hlc"][15:],
    )
    deliver_to_alex(pair, with_entries(data, future))
    alex = pair.reopen(pair.a)
    topic = alex.backlog.add_topic("Rust", category=Category.TECHNOLOGY)
    alex = pair.reopen(alex)
    assert [t.title for t in alex.all(Topic)] == ["Rust"] and alex.backlog.topic(topic)
    assert any("between the years 2000 and 2200" in m for m in quarantined(pair))
    # The new change was stamped with this computer's clock, not the future one.
    assert [p.name for p in pair.own_files(alex)] == ["2026-11.json"]


def test_a_change_edited_after_writing_is_told_apart_from_the_original(
    pair: TwoDevices,
) -> None:
    topic = pair.b.backlog.add_topic("Git", category=Category.WORK)
    data = sam_file(pair)
    original = last_change(data)
    altered = {**original, "fields": {**original["fields"], "title": "Gin"}}  # same id, sum
    table = {k: (altered if v["id"] == original["id"] else v) for k, v in data["changes"].items()}
    target = deliver_to_alex(pair, {**data, "changes": table})
    pair.a.refresh()
    assert pair.a.get(Topic, topic) is None  # neither version is silently taken
    messages = quarantined(pair)
    assert len(messages) == 1 and "checksum" in messages[0]
    assert target.name in next(
        f.file for f in examine(pair.a).findings if f.code == "quarantined-change"
    )
    # Sam's real file arrives: both devices show the same title.
    pair.deliver(pair.b, pair.a)
    pair.a.refresh()
    assert pair.a.backlog.topic(topic).title == pair.b.backlog.topic(topic).title == "Git"
    assert quarantined(pair) == []


def test_an_older_change_without_checksum_that_differs_is_reported_too(
    pair: TwoDevices,
) -> None:
    data = sam_file(pair)
    first = entry(data, kind="topic", rec="t-old", fields={"title": "Kept"})
    del first["sum"]  # as a version before checksums wrote it
    deliver_to_alex(pair, with_entries(data, first))
    pair.a.refresh()
    second = {**first, "fields": {"title": "Changed"}}
    deliver_to_alex(pair, with_entries(data, second))
    pair.a.refresh()
    assert [t.title for t in pair.a.all(Topic)] == ["Kept"]
    assert any("another version of a change" in m for m in quarantined(pair))


# -- garbage for every kind and field -------------------------------------------------

JSON_GARBAGE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", "0000-01-01", "9999-12-31T23:59", "2027-02-30", "high", "-1"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
FIELDS = sorted((kind, name) for kind, cls in record_types().items() for name in field_checks(cls))


@settings(max_examples=400, deadline=None)
@given(where=st.sampled_from(FIELDS), value=JSON_GARBAGE)
def test_a_value_that_passes_the_schema_always_makes_a_record(
    where: tuple[str, str], value: Any
) -> None:
    kind, name = where
    change = {"kind": kind, "rec": "r1", "fields": {name: value}}
    if change_fits(change) is None:
        record = record_types()[kind].from_fields("r1", {name: value})
        json.dumps(record.to_fields())  # and it stores again as plain JSON


@settings(max_examples=400, deadline=None)
@given(
    where=st.sampled_from(FIELDS),
    values=st.lists(
        JSON_GARBAGE | st.integers() | st.sampled_from([1.5, 3, 10**400, "culture"]),
        min_size=1,
        max_size=4,
    ),
    recs=st.lists(st.text(min_size=1, max_size=3) | st.just("r" * 201), min_size=4, max_size=4),
)
def test_a_checkpoints_columns_are_judged_as_each_change_would_be(
    where: tuple[str, str], values: list[Any], recs: list[str]
) -> None:
    """A checkpoint's changes are checked a column at a time: a column passes exactly
    when every change made of it would, and a value too large for a float is refused,
    not a crash."""
    kind, name = where
    recs = recs[: len(values)]
    rows = [
        {"kind": kind, "rec": r, "fields": {name: v}} for r, v in zip(recs, values, strict=True)
    ]
    every = all(change_fits(row) is None for row in rows)
    assert (columns_fit(kind, recs, {name: values}) is None) == every


GOOD_CHANGE: dict[str, Any] = {
    "id": "c1" * 10,
    "hlc": "001767225600000.000003.devicea",
    "device": "devicea",
    "person": "Alex",
    "kind": "topic",
    "rec": "t1",
    "op": "create",
    "fields": {"title": "Prompting", "priority": 1.0},
    "prev": ["c0" * 10],
}
SHAPE_KEYS = [*GOOD_CHANGE, "_del", "title", "priority"]  # the last three: in fields


@settings(max_examples=600, deadline=None)
@given(
    key=st.sampled_from(SHAPE_KEYS),
    value=JSON_GARBAGE | st.sampled_from(["devicea", "001767225600000.000003.deviceb"]),
    drop=st.booleans(),
)
def test_the_quick_acceptance_of_changes_never_lets_through_what_the_checks_refuse(
    key: str, value: Any, drop: bool
) -> None:
    """A first read checks tens of thousands of changes with a quick path that only says
    yes or "look closer": any change with one key damaged or missing is judged by it
    exactly as by the field-by-field checks that write the message."""
    change = {**GOOD_CHANGE, "fields": dict(GOOD_CHANGE["fields"])}
    if key in ("_del", "title", "priority"):
        change["fields"][key] = value
    elif drop:
        del change[key]
    else:
        change[key] = value
    thorough = change_shape_problem(change)
    assert (change_problem(change) is None) == (thorough is None)
    if thorough is None:
        fields = {k: v for k, v in change["fields"].items() if k != "_del"}
        expected = fields_problem(change["kind"], fields)
        if "_del" in change["fields"] and not isinstance(change["fields"]["_del"], bool):
            expected = "the deleted mark"
        if len(change["rec"]) > 200 or not change["rec"].isprintable():
            expected = "the record id"
        assert (change_fits(change) is None) == (expected is None)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(where=st.sampled_from(FIELDS), value=JSON_GARBAGE)
def test_garbage_from_the_partner_never_crashes_a_command(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    where: tuple[str, str],
    value: Any,
) -> None:
    kind, name = where
    pair = make_two_devices(tmp_path_factory.mktemp("garbage"))
    try:
        session = pair.b.sessions.plan_session(dt.datetime(2026, 11, 20, 17))
        data = sam_file(pair)
        rec = "tandem" if kind == "tandem" else session if kind == "session" else "g1"
        op = "set" if rec in ("tandem", session) else "create"
        bad = entry(data, kind=kind, rec=rec, op=op, fields={name: value})
        deliver_to_alex(pair, with_entries(data, bad))
        pair.a.close()
    finally:
        pair.b.close()
    monkeypatch.setenv("RMPAIR_HOME", str(pair.a.store.home.root))
    monkeypatch.setenv("RMPAIR_JOURNAL", str(pair.a.folder))
    runner = CliRunner()
    for command in (
        ["status"],
        ["topic", "list", "--json"],
        ["session", "list", "--json"],
        ["action", "list", "--json"],
        ["agreement", "show"],
        ["report", "--format", "json", "-o", str(pair.tmp / "report.json")],
        ["export", "ics", "-o", str(pair.tmp / "cal.ics")],
        ["doctor"],
    ):
        result = runner.invoke(app, command)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command,
            kind,
            name,
            value,
            result.output,
        )
        assert "Traceback" not in result.output


def test_everything_rmpair_itself_writes_fits_the_schema(tmp_path: Path) -> None:
    """The schema must never set aside what a real pair writes: a demo journal, plus
    the kinds the demo has none of (prerequisites, agreement, signatures, check-ins,
    evaluations, self-assessments), written through the facade."""
    from rmpair.demo import build_demo
    from rmpair.journal import Journal
    from rmpair.model.lifecycle import Phase, Stage
    from rmpair.store.home import Home

    home = Home(tmp_path / "home")
    build_demo(tmp_path / "demo", home=home)
    journal = Journal.open(tmp_path / "demo", home=home)
    try:
        journal.agreement.answer_prerequisites({"voluntary": True, "no-reporting-line": False})
        journal.agreement.view()
        journal.agreement.add_agreement_item("Coffee", "Whoever is late pays.")
        journal.agreement.sign_agreement()
        for stage in Stage:
            journal.evaluation.record_evaluation(stage, satisfaction=4, learned="Prompting")
        topic = journal.evaluation.assessment_topics()[0].id
        for phase in Phase:
            journal.evaluation.assess(phase, topic, 3)
        kinds = {c["kind"] for c in journal.store.state.log()}
        assert set(record_types()) <= kinds  # every kind the journal knows was written
        misfits = [(c["kind"], change_fits(c)) for c in journal.store.state.log()]
        assert [m for m in misfits if m[1] is not None] == []
        assert [p for p in journal.store.problems if p.code] == []
    finally:
        journal.close()


# -- files in the wrong place, and files from the past ----------------------------------


@pytest.mark.parametrize("encrypt", [False, True], ids=["plain", "encrypted"])
def test_this_devices_file_in_the_partners_folder_is_read_and_left_alone(
    tmp_path: Path, encrypt: bool
) -> None:
    from test_encrypted_journal import deliver as hand_over
    from test_encrypted_journal import own_files, start_pair
    from test_encrypted_journal import titles as titles_of

    alex, sam = start_pair(tmp_path, encrypt=encrypt)
    try:
        sam.add("topic", {"title": "Sam's"})
        hand_over(sam, alex)
        alex.refresh()
        alex.add("topic", {"title": "Alex's"})
        # A sync mix-up puts Alex's own file where Sam's file belongs, in Alex's folder.
        mine = own_files(alex)[-1]
        swapped = alex.folder / "devices" / sam.device_id / mine.name
        swapped.write_bytes(mine.read_bytes())
        alex.refresh()
        assert swapped.exists()  # never deleted: it lies in Sam's folder
        assert {"Sam's", "Alex's"} <= titles_of(alex)  # Sam's entries from the local copy
        findings = {f.code: f for f in examine(alex).findings}
        assert "misplaced-copy" in findings
        assert findings["misplaced-copy"].file == swapped.relative_to(alex.folder).as_posix()
    finally:
        alex.close()
        sam.close()


def test_an_older_copy_of_the_partners_file_is_told_and_loses_nothing(
    pair: TwoDevices,
) -> None:
    pair.b.backlog.add_topic("First", category=Category.WORK)
    old = pair.own_file(pair.b).read_bytes()
    pair.b.backlog.add_topic("Second", category=Category.WORK)
    pair.deliver(pair.b, pair.a)
    pair.a.refresh()
    staged = pair.tmp / "old.json"
    staged.write_bytes(old)
    copy_into(staged, pair.a.folder / "devices" / pair.b.device_id / pair.own_file(pair.b).name)
    pair.a.refresh()
    assert sorted(t.title for t in pair.a.all(Topic)) == ["First", "Second"]
    told = [p for p in pair.a.store.problems if p.code == "older-copy"]
    assert told and "1 entry missing" in told[0].message


@pytest.mark.usefixtures("quick_pilot")
async def test_garbage_from_the_partner_never_crashes_a_screen(pair: TwoDevices) -> None:
    from clocks import FROZEN
    from rmpair.screens.app import RmpairApp

    from rmpair.clock import FixedClock

    session = pair.b.sessions.plan_session(dt.datetime(2026, 11, 20, 17))
    data = sam_file(pair)
    garbage = [
        entry(data, kind="topic", rec="g1", fields={"title": ["x"], "priority": "high"}),
        entry(data, kind="session", rec=session, op="set", id="y" * 20, fields={"minutes": -5}),
        entry(data, kind="tandem", rec="tandem", op="set", id="z" * 20, fields={"tz": 3}),
        entry(data, kind="feedback", rec="f1", id="w" * 20, fields={"rating": 99}),
    ]
    deliver_to_alex(pair, with_entries(data, *garbage))
    pair.a.refresh()
    app = RmpairApp(pair.a, home=pair.a.store.home, clock=FixedClock(FROZEN), watch_interval=None)
    async with app.run_test(size=(100, 32)) as pilot:
        for key in ("1", "2", "3", "4", "5", "6", "1"):
            await pilot.press(key)
            await app.settle()
            await pilot.pause()
        assert app.is_running
        home = str(app.screen.query_one("#home-text").render())
        assert "Sam" in home


@pytest.mark.parametrize("field", ["valid_until", "nudges_since"])
def test_a_stored_status_with_a_time_without_offset_is_not_used(tmp_path: Path, field: str) -> None:
    """The stored status is read from this device's disk: a time in it without its UTC
    offset cannot be compared with an aware now; it is treated as stale, not raised."""
    from rmpair.quick import kept_nudges, status_expired
    from rmpair.store.cache import QUICK

    now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    report: dict[str, Any] = {
        "valid_until": "2026-12-08T12:00:00+00:00",
        "nudges_since": "2026-12-06T12:00:00+00:00",
        "nudge_inputs": "x",
        "status": {"nudges": []},
    }
    report[field] = "2026-12-07T10:00:00"
    cache = tmp_path / "cache"
    cache.mkdir()
    import marshal

    (cache / QUICK).write_bytes(marshal.dumps({"status": report}))
    if field == "valid_until":
        assert status_expired(report, tmp_path, now)
    assert kept_nudges(tmp_path, "x", now) is None


def test_a_home_snapshot_with_broken_markup_is_not_shown() -> None:
    """The home snapshot is read from disk at the app's start: text that is not valid
    markup makes the app draw home anew, it does not stop the app."""
    from rmpair.screens.start import sections_of

    assert sections_of({"texts": {"next": "[/oops]"}}) is None
    assert sections_of({"texts": {"next": "[b]fine[/b]"}}) is not None
