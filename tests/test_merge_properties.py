"""Convergence: devices that end up with the same changes show the same journal.

Two levels: the pure merge with hand-made changes (many examples), and real journals on
separate devices and folders, with a simulated sync tool that delivers files late, out
of order, twice, as conflict copies or as older versions (few examples).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pairs import log_files

from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.hlc import Clock
from rmpair.store.home import Home
from rmpair.store.merge import DELETED, Change, Conflict, MergedState

# -- level (a): the pure merge -------------------------------------------------------

KIND = "topic"
FIELDS = ("title", "question")
ACTIONS = ("create", "set", "set", "delete", "resolve", "receive", "receive")


def canonical_conflicts(state: MergedState) -> list[tuple[Any, ...]]:
    return sorted(
        (c.kind, c.rec, c.field, c.winner["id"], tuple(sorted(o["id"] for o in c.others)))
        for c in state.conflicts()
    )


def view(state: MergedState, records: set[str]) -> dict[str, Any]:
    return {
        "fields": {rec: state.fields(KIND, rec) for rec in sorted(records)},
        "live": sorted(rec for rec, _ in state.live(KIND)),
        "conflicts": canonical_conflicts(state),
        "log": [c["id"] for c in state.log()],
    }


@dataclass
class Device:
    name: str
    skew: int
    state: MergedState = field(default_factory=MergedState)
    clock: Clock | None = None

    def __post_init__(self) -> None:
        self.clock = Clock(self.name)


@dataclass
class World:
    devices: list[Device]
    now: int = 1_790_000_000_000
    made: list[Change] = field(default_factory=list)
    records: set[str] = field(default_factory=set)

    def emit(self, dev: Device, rec: str, op: str, fields: dict[str, Any], prev: set[str]) -> None:
        self.now += 7
        assert dev.clock is not None
        dev.clock.observe(dev.state.max_hlc or f"{0:015d}.{0:06d}.x")
        n = len(self.made)
        change = {
            # ids in an order unrelated to time, so ties and sorting are exercised
            "id": hashlib.sha1(str(n).encode()).hexdigest()[:16],
            "hlc": dev.clock.tick(self.now + dev.skew).encode(),
            "device": dev.name,
            "person": dev.name,
            "kind": KIND,
            "rec": rec,
            "op": op,
            "fields": fields,
            "prev": sorted(prev),
        }
        self.made.append(change)
        self.records.add(rec)
        assert dev.state.apply(change)


def heads(state: MergedState, rec: str, names: list[str]) -> set[str]:
    record = state.record(KIND, rec)
    assert record is not None
    return {cid for n in names for cid in record.heads.get(n, {})}


def act(world: World, dev: Device, action: str, data: st.DataObject) -> None:
    """One user action on ``dev``, chosen the way the journal facade makes changes."""
    state = dev.state
    live = sorted(rec for rec, _ in state.live(KIND))
    value = f"{dev.name}:{len(world.made)}"
    if action == "receive":
        others = [c for c in world.made if c["device"] != dev.name]
        if others:
            chosen = data.draw(st.lists(st.sampled_from(others), max_size=len(others)))
            for c in chosen:  # any subset, any order, possibly twice
                state.apply(c)
        return
    if action == "resolve":
        conflicts = state.conflicts()
        if not conflicts:
            return
        conflict = data.draw(st.sampled_from(conflicts))
        chosen = data.draw(st.sampled_from([conflict.winner, *conflict.others]))
        record = state.record(KIND, conflict.rec)
        assert record is not None
        if conflict.is_delete and chosen["fields"].get(DELETED):
            world.emit(dev, conflict.rec, "delete", {DELETED: True}, record.head_ids())
        elif conflict.is_delete:
            prev = heads(state, conflict.rec, [DELETED])
            world.emit(dev, conflict.rec, "restore", {DELETED: False}, prev)
        else:
            prev = heads(state, conflict.rec, [conflict.field])
            fields = {conflict.field: chosen["fields"][conflict.field]}
            world.emit(dev, conflict.rec, "resolve", fields, prev)
        return
    if action == "create" or not live:
        names = data.draw(st.sets(st.sampled_from(FIELDS), min_size=1))
        rec = f"r{len(world.made)}"
        world.emit(dev, rec, "create", {n: f"{value}:{n}" for n in sorted(names)}, set())
        return
    rec = data.draw(st.sampled_from(live))
    if action == "delete":
        record = state.record(KIND, rec)
        assert record is not None
        world.emit(dev, rec, "delete", {DELETED: True}, record.head_ids())
        return
    names = sorted(data.draw(st.sets(st.sampled_from(FIELDS), min_size=1)))
    world.emit(dev, rec, "set", {n: f"{value}:{n}" for n in names}, heads(state, rec, names))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_merge_converges_whatever_the_delivery(data: st.DataObject) -> None:
    count = data.draw(st.integers(2, 3), label="devices")
    skews = data.draw(st.lists(st.integers(-5_000, 5_000), min_size=count, max_size=count))
    world = World([Device(f"dev{i}", skews[i]) for i in range(count)])
    act(world, world.devices[0], "create", data)
    steps = data.draw(st.integers(0, 40), label="steps")
    for _ in range(steps):
        dev = data.draw(st.sampled_from(world.devices))
        act(world, dev, data.draw(st.sampled_from(ACTIONS)), data)

    # Final delivery: everything to everyone, shuffled, partly twice, in groups.
    for dev in world.devices:
        extra = data.draw(st.lists(st.sampled_from(world.made), max_size=8))
        order = data.draw(st.permutations(world.made + extra))
        cuts = sorted(data.draw(st.sets(st.integers(0, len(order)), max_size=4)))
        for start, end in zip([0, *cuts], [*cuts, len(order)], strict=True):
            dev.state.apply_all(order[start:end])
        assert dev.state.apply_all(world.made) == 0  # all known: idempotent

    fresh = MergedState()
    fresh.apply_all(sorted(world.made, key=lambda c: c["id"]))
    expected = view(fresh, world.records)
    assert sorted(expected["log"]) == sorted(c["id"] for c in world.made)
    for dev in world.devices:
        assert view(dev.state, world.records) == expected, dev.name
        assert dev.state.duplicates == []
    event(f"conflicts at the end: {min(len(expected['conflicts']), 3)}")
    event(f"delete conflicts: {any(c[2] == DELETED for c in expected['conflicts'])}")
    for conflict in fresh.conflicts():  # a conflict lists every head, drops none
        others = {o["id"] for o in conflict.others}
        assert conflict.winner["id"] not in others
        if not conflict.is_delete:
            record = fresh.record(KIND, conflict.rec)
            assert record is not None
            assert set(record.heads[conflict.field]) == others | {conflict.winner["id"]}


# -- level (b): real journals, real files, a simulated sync tool ---------------------------

CONFLICT_NAMES = (
    "{m}.sync-conflict-20261122-101010-ABCDEFG.json",
    "{m} (Sam's conflicted copy 2026-11-22).json",
    "{m} (conflicted copy 2026-11-22 101010).json",
    "{m}_conflict-20261122-101010.json",
    "{m}-LAPTOP7.json",
    "{m} (1).json",
    "{m} 2.json",
)
MONTH = re.compile(r"\d{4}-\d{2}\.json")
JOURNAL_ACTIONS = (
    "add",
    "update",
    "update",
    "update",
    "delete",
    "resolve",
    "deliver",
    "deliver",
    "catch-up",
    "reopen",
)


def deliver_bytes(data: bytes, target: Path) -> None:
    """What a sync tool does: write a temporary file, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".syncthing.{target.name}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, target)


@dataclass
class Laptop:
    journal: Journal
    home: Home
    folder: Path
    versions: dict[str, list[bytes]] = field(default_factory=dict)  # own month file -> versions
    made: set[str] = field(default_factory=set)

    @property
    def device(self) -> str:
        return self.journal.device_id

    def own_dir(self) -> Path:
        return self.folder / "devices" / self.device

    def snapshot(self) -> None:
        """Keep every version of this device's files, to deliver old ones later."""
        state = self.journal.store.state
        self.made |= {cid for cid, c in state.changes.items() if c["device"] == self.device}
        for path in log_files(self.own_dir()):
            kept = self.versions.setdefault(path.name, [])
            data = path.read_bytes()
            if data not in kept:
                kept.append(data)

    def reopen(self) -> None:
        self.journal.close()
        self.journal = Journal.open(self.folder, home=self.home)


def setup_laptops(base: Path, count: int) -> list[Laptop]:
    first = Journal.init(
        base / "shared-0",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        home=Home(base / "home-0"),
    )
    laptops = [Laptop(first, Home(base / "home-0"), base / "shared-0")]
    for i, person in enumerate(["Sam", "Alex"][: count - 1], start=1):
        folder = base / f"shared-{i}"
        for path in sorted((laptops[0].folder / "devices").rglob("*.json")):
            deliver_bytes(path.read_bytes(), folder / path.relative_to(laptops[0].folder))
        home = Home(base / f"home-{i}")
        laptops.append(Laptop(Journal.join(folder, me=person, home=home), home, folder))
    for laptop in laptops:
        laptop.snapshot()
    return laptops


@dataclass
class Sim:
    """The laptops, and what makes every choice reproducible whatever the random ids."""

    laptops: list[Laptop]
    recs: list[str] = field(default_factory=list)  # topics in the order they were made
    peer_copies: set[Path] = field(default_factory=set)
    step: int = 0

    def live(self, journal: Journal) -> list[str]:
        live = {rec for rec, _ in journal.store.state.live("topic")}
        return [rec for rec in self.recs if rec in live]

    def conflicts(self, journal: Journal) -> list[Conflict]:
        order = {rec: i for i, rec in enumerate(self.recs)}
        return sorted(journal.conflicts(), key=lambda c: (order.get(c.rec, -1), c.field))


def stable(change: Change) -> str:
    """Values are unique per step, so they order the changes of a conflict stably."""
    return json.dumps(change["fields"], sort_keys=True)


def journal_act(sim: Sim, me: Laptop, action: str, data: st.DataObject) -> None:
    journal = me.journal
    sim.step += 1
    value = f"L{sim.laptops.index(me)} step {sim.step}"
    live = sim.live(journal)
    if action == "reopen":
        me.reopen()
    elif action == "catch-up":  # everything the others have published so far, then refresh
        for source in sim.laptops:
            if source is not me:
                for name, versions in sorted(source.versions.items()):
                    deliver_bytes(versions[-1], me.folder / "devices" / source.device / name)
        journal.refresh()
    elif action == "deliver":
        others = [laptop for laptop in sim.laptops if laptop is not me]
        source = me if data.draw(st.integers(0, 3)) == 0 else data.draw(st.sampled_from(others))
        name = data.draw(st.sampled_from(sorted(source.versions)))
        versions = source.versions[name]
        version = -1
        if len(versions) > 1 and data.draw(st.integers(0, 3)) == 0:
            version = data.draw(st.integers(0, len(versions) - 2))  # an older version
        as_copy = None
        if data.draw(st.integers(0, 3)) == 0:
            as_copy = data.draw(st.sampled_from(CONFLICT_NAMES))
        file_name = name if as_copy is None else as_copy.format(m=name[:-5])
        target = me.folder / "devices" / source.device / file_name
        event(
            f"delivered {'own' if source is me else 'peer'} "
            f"{'latest' if version == -1 else 'older'} "
            f"{'canonical' if as_copy is None else 'conflict copy'}"
        )
        deliver_bytes(versions[version], target)
        if as_copy is not None and source is not me:
            sim.peer_copies.add(target)
        if data.draw(st.booleans()):
            journal.refresh()
    elif action == "resolve":
        conflicts = sim.conflicts(journal)
        if conflicts:
            conflict = data.draw(st.sampled_from(conflicts))
            candidates = sorted([conflict.winner, *conflict.others], key=stable)
            journal.resolve(conflict, data.draw(st.sampled_from(candidates))["id"])
    elif action == "add" or not live:
        sim.recs.append(journal.add("topic", {"title": f"t {value}", "question": f"q {value}"}))
    elif action == "delete":
        journal.delete("topic", data.draw(st.sampled_from(live)))
    else:
        names = data.draw(st.sets(st.sampled_from(["title", "question"]), min_size=1))
        rec = data.draw(st.sampled_from(live))
        journal.update("topic", rec, {n: f"{n} {value}" for n in sorted(names)})
    me.snapshot()


def journal_view(journal: Journal) -> dict[str, Any]:
    state = journal.store.state
    return {
        kind: sorted(state.live(kind), key=lambda item: item[0])
        for kind in ("topic", "device", "tandem")
    } | {
        "conflicts": journal.status().to_json()["conflicts"],
        "log": sorted(c["id"] for c in state.log()),
    }


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_journals_converge_through_a_messy_sync(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    base = tmp_path_factory.mktemp("sync")
    laptops = setup_laptops(base, data.draw(st.integers(2, 3), label="devices"))
    sim = Sim(laptops)
    try:
        for _ in range(data.draw(st.integers(1, 40), label="steps")):
            me = data.draw(st.sampled_from(laptops))
            journal_act(sim, me, data.draw(st.sampled_from(JOURNAL_ACTIONS)), data)

        # Final full delivery: every device's current files into every folder.
        for laptop in laptops:
            laptop.journal.refresh()  # puts back its own files if an old copy came in
            laptop.snapshot()
        for source in laptops:
            for path in log_files(source.own_dir()):
                for target in laptops:
                    if target is not source:
                        where = target.folder / "devices" / source.device / path.name
                        deliver_bytes(path.read_bytes(), where)
        for laptop in laptops:
            laptop.journal.refresh()

        made = set().union(*(laptop.made for laptop in laptops))
        views = [journal_view(laptop.journal) for laptop in laptops]
        event(f"journal conflicts at the end: {min(len(views[0]['conflicts']), 3)}")
        assert set(views[0]["log"]) >= made, "changes were lost"
        for other in views[1:]:
            assert other == views[0]
        for laptop in laptops:
            left = [p.name for p in laptop.own_dir().iterdir() if not MONTH.fullmatch(p.name)]
            assert left == [], "a conflict copy of the device's own file was not folded"
            problems = [str(p) for p in laptop.journal.store.problems if p.needs_user]
            assert problems == []
        assert all(p.exists() for p in sim.peer_copies), "a peer's conflict copy was deleted"
    finally:
        for laptop in laptops:
            laptop.journal.close()
        shutil.rmtree(base, ignore_errors=True)


# -- checkpoints: a checkpoint plus the changes it does not hold is a full replay --------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_checkpoint_plus_tail_is_a_full_replay(data: st.DataObject) -> None:
    """Whatever the checkpoint's writer knew (older or newer than what the reader gets
    besides), and in whatever order the rest arrives, even twice: the same journal; from
    a checkpoint of either version."""
    from rmpair.store.checkpoint import decode_checkpoint, encode_checkpoint
    from rmpair.store.merge import content_sum

    count = data.draw(st.integers(2, 3), label="devices")
    world = World([Device(f"dev{i}", 0) for i in range(count)])
    act(world, world.devices[0], "create", data)
    for _ in range(data.draw(st.integers(0, 40), label="steps")):
        dev = data.draw(st.sampled_from(world.devices))
        act(world, dev, data.draw(st.sampled_from(ACTIONS)), data)
    made = [{**c, "sum": content_sum(c)} for c in world.made]
    # A few carry a key a newer version added (a checkpoint keeps them whole).
    newer = {c["id"] for c in data.draw(st.lists(st.sampled_from(made), max_size=2))}
    made = [{**c, "newer": True} if c["id"] in newer else c for c in made]
    # Set aside (quarantined) wherever they are read: never applied, on either side.
    bad = {c["id"] for c in data.draw(st.lists(st.sampled_from(made), max_size=3))}

    def validate(change: Change) -> str | None:
        return "set aside" if change["id"] in bad else None

    # What the checkpoint's writer had read: any subset, in any order.
    held = data.draw(st.lists(st.sampled_from(made), unique_by=lambda c: c["id"]))
    writer = MergedState()
    writer.apply_all(c for c in held if validate(c) is None)
    # Version 2 (heads in columns) as written now, version 1 as older versions wrote it.
    version = data.draw(st.sampled_from([1, 2]), label="version")
    raw = encode_checkpoint(writer, {}, "journal1", "dev0", version=version)
    checkpoint = decode_checkpoint(raw, "journal1", validate)
    assert checkpoint is not None
    reader = checkpoint.state(lambda: iter(held))  # the log files it was built from
    # The reader gets the rest, and part of what the checkpoint holds, in any order.
    rest = [c for c in made if c["id"] not in {h["id"] for h in held}]
    again = data.draw(st.lists(st.sampled_from(made), max_size=10))
    for change in data.draw(st.permutations(rest + again)):
        if validate(change) is None:
            reader.apply(change)

    replay = MergedState()
    replay.apply_all(c for c in sorted(made, key=lambda c: c["id"]) if validate(c) is None)
    assert view(reader, world.records) == view(replay, world.records)
    # The live count, kept change by change from what the checkpoint counted.
    assert reader.count_live(KIND) == replay.count_live(KIND) == len(view(replay, set())["live"])
    assert reader.duplicates == []
    assert len(reader) == len(replay)
    event(f"conflicts: {min(len(replay.conflicts()), 3)}")
    event(f"held by the checkpoint: {'none' if not held else 'all' if not rest else 'part'}")
