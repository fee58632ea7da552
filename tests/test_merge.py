"""Unit tests of the per-field merge with hand-made changes."""

from __future__ import annotations

import itertools
from typing import Any

from rmpair.store.merge import DELETED, Change, MergedState, change_problem

A, B = "deva", "devb"


def ch(
    cid: str,
    wall: int,
    device: str,
    fields: dict[str, Any],
    prev: list[str] | None = None,
    *,
    op: str = "set",
    rec: str = "r1",
    kind: str = "topic",
) -> Change:
    change = {
        "id": cid,
        "hlc": f"{1_790_000_000_000 + wall:015d}.000000.{device}",
        "device": device,
        "person": "Alex" if device == A else "Sam",
        "kind": kind,
        "rec": rec,
        "op": op,
        "fields": fields,
        "prev": sorted(prev or []),
    }
    assert change_problem(change) is None
    return change


def merged(*changes: Change) -> MergedState:
    state = MergedState()
    for c in changes:
        state.apply(c)
    return state


def every_order(*changes: Change) -> list[MergedState]:
    return [merged(*order) for order in itertools.permutations(changes)]


def summary(state: MergedState) -> tuple[Any, ...]:
    conflicts = [
        (c.kind, c.rec, c.field, c.winner["id"], tuple(o["id"] for o in c.others))
        for c in state.conflicts()
    ]
    fields = state.fields("topic", "r1")
    shown = None if fields is None else tuple(sorted(fields.items()))
    return shown, tuple(conflicts), tuple(c["id"] for c in state.log())


CREATE = ch("c0", 1, A, {"title": "Git", "question": "How?"}, op="create")


def test_concurrent_edits_of_different_fields_both_survive() -> None:
    ea = ch("ea", 10, A, {"title": "Git rebase"}, ["c0"])
    eb = ch("eb", 11, B, {"question": "Why?"}, ["c0"])
    for state in every_order(CREATE, ea, eb):
        assert state.fields("topic", "r1") == {"title": "Git rebase", "question": "Why?"}
        assert state.conflicts() == []


def test_concurrent_edits_of_one_field_give_one_winner_and_keep_the_other() -> None:
    ea = ch("ea", 10, A, {"title": "from Alex"}, ["c0"])
    eb = ch("eb", 20, B, {"title": "from Sam"}, ["c0"])
    results = {summary(s) for s in every_order(CREATE, ea, eb)}
    assert len(results) == 1  # every delivery order gives the same answer
    for state in every_order(CREATE, ea, eb):
        assert state.fields("topic", "r1") == {"title": "from Sam", "question": "How?"}
        [conflict] = state.conflicts()
        assert (conflict.kind, conflict.rec, conflict.field) == ("topic", "r1", "title")
        assert conflict.winner["id"] == "eb"
        assert [o["fields"]["title"] for o in conflict.others] == ["from Alex"]
        assert not conflict.is_delete


def test_equal_clock_stamps_are_broken_by_change_id() -> None:
    first = ch("e1", 10, A, {"title": "one"}, ["c0"])
    second = dict(ch("e2", 10, A, {"title": "two"}, ["c0"]))
    for state in every_order(CREATE, first, second):
        assert state.fields("topic", "r1")["title"] == "two"


def test_resolving_with_all_heads_as_prev_clears_the_conflict() -> None:
    ea = ch("ea", 10, A, {"title": "from Alex"}, ["c0"])
    eb = ch("eb", 20, B, {"title": "from Sam"}, ["c0"])
    fix = ch("fix", 30, A, {"title": "from Alex"}, ["ea", "eb"], op="resolve")
    for state in every_order(CREATE, ea, eb, fix):
        assert state.conflicts() == []
        assert state.fields("topic", "r1") == {"title": "from Alex", "question": "How?"}


def test_resolving_with_only_one_head_keeps_the_conflict() -> None:
    ea = ch("ea", 10, A, {"title": "from Alex"}, ["c0"])
    eb = ch("eb", 20, B, {"title": "from Sam"}, ["c0"])
    partial = ch("p", 30, A, {"title": "again"}, ["ea"])
    state = merged(CREATE, ea, eb, partial)
    [conflict] = state.conflicts()
    assert {conflict.winner["id"], *(o["id"] for o in conflict.others)} == {"p", "eb"}


def test_edit_concurrent_with_delete_keeps_the_record_and_shows_a_delete_conflict() -> None:
    edit = ch("edit", 10, A, {"title": "renamed"}, ["c0"])
    delete = ch("del", 20, B, {DELETED: True}, ["c0"], op="delete")
    for state in every_order(CREATE, edit, delete):
        assert state.fields("topic", "r1") == {"title": "renamed", "question": "How?"}
        [conflict] = state.conflicts()
        assert conflict.field == DELETED and conflict.is_delete
        assert conflict.winner["id"] == "edit"
        assert [o["id"] for o in conflict.others] == ["del"]
        assert dict(state.live("topic")) == {"r1": {"title": "renamed", "question": "How?"}}


def test_delete_conflict_resolved_either_way() -> None:
    edit = ch("edit", 10, A, {"title": "renamed"}, ["c0"])
    delete = ch("del", 20, B, {DELETED: True}, ["c0"], op="delete")
    keep = ch("keep", 30, A, {DELETED: False}, ["del"], op="restore")
    for state in every_order(CREATE, edit, delete, keep):
        assert state.conflicts() == []
        assert state.fields("topic", "r1") == {"title": "renamed", "question": "How?"}
    drop = ch("drop", 30, B, {DELETED: True}, ["c0", "del", "edit"], op="delete")
    for state in every_order(CREATE, edit, delete, drop):
        assert state.conflicts() == []
        assert state.fields("topic", "r1") is None


def test_sequential_delete_deletes() -> None:
    edit = ch("edit", 10, A, {"title": "renamed"}, ["c0"])
    delete = ch("del", 20, B, {DELETED: True}, ["c0", "edit"], op="delete")
    for state in every_order(CREATE, edit, delete):
        assert state.fields("topic", "r1") is None
        assert list(state.live("topic")) == []
        assert state.conflicts() == []
        assert len(state.log()) == 3  # deleting keeps the history


def test_delete_arriving_before_the_create_still_deletes() -> None:
    delete = ch("del", 20, B, {DELETED: True}, ["c0"], op="delete")
    state = merged(delete)
    assert state.fields("topic", "r1") is None
    state.apply(CREATE)
    assert state.fields("topic", "r1") is None
    assert state.conflicts() == []


def test_duplicate_delivery_is_idempotent() -> None:
    ea = ch("ea", 10, A, {"title": "from Alex"}, ["c0"])
    eb = ch("eb", 20, B, {"title": "from Sam"}, ["c0"])
    once = merged(CREATE, ea, eb)
    state = MergedState()
    assert state.apply_all([CREATE, ea, CREATE, eb, ea]) == 3
    assert state.apply(dict(eb)) is False
    assert state.duplicates == []
    assert summary(state) == summary(once)
    assert len(state.log()) == 3


def test_same_id_with_other_content_is_reported_not_merged() -> None:
    ea = ch("ea", 10, A, {"title": "from Alex"}, ["c0"])
    forged = dict(ea, fields={"title": "tampered"})
    state = merged(CREATE, ea, forged)
    assert state.fields("topic", "r1")["title"] == "from Alex"
    assert state.duplicates == ["ea"]


def test_log_is_in_clock_order_whatever_the_delivery_order() -> None:
    ea = ch("ea", 10, A, {"title": "x"}, ["c0"])
    eb = ch("eb", 5, B, {"question": "y"}, ["c0"])
    for state in every_order(ea, CREATE, eb):
        assert [c["id"] for c in state.log()] == ["c0", "eb", "ea"]
        assert state.last_by_device == {A: ea["hlc"], B: eb["hlc"]}


def test_concurrent_edits_to_the_same_value_are_not_a_conflict() -> None:
    from rmpair.store.merge import MergedState

    def change(cid: str, device: str, wall: int, value: str, prev: list[str]) -> dict:
        return {
            "id": cid,
            "hlc": f"{wall:015d}.000000.{device}",
            "device": device,
            "person": device,
            "kind": "topic",
            "rec": "t",
            "op": "set",
            "fields": {"title": value},
            "prev": prev,
        }

    state = MergedState()
    state.apply(change("c0", "a", 1, "Prompting", []))
    state.apply(change("c1", "a", 2, "Prompting well", ["c0"]))
    state.apply(change("c2", "b", 3, "Prompting well", ["c0"]))
    assert state.conflicts() == []
    assert state.fields("topic", "t") == {"title": "Prompting well"}
    state.apply(change("c3", "b", 4, "Prompting badly", ["c0"]))
    assert [c.field for c in state.conflicts()] == ["title"]
