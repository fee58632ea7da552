"""Checkpoints of version 2 (heads in columns): a checkpoint written by the version
before (version 1, every head an object) is still read; damage anywhere in the columns
sets the checkpoint aside, and never stops the open.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmpair.journal import Journal
from rmpair.model import check_change
from rmpair.store.cache import part_name
from rmpair.store.checkpoint import (
    CHECKPOINT_EVERY,
    CHECKPOINT_FILE,
    CheckpointError,
    decode_checkpoint,
    encode_checkpoint,
)
from rmpair.store.home import Home
from rmpair.store.merge import MergedState, content_sum
from tests.test_checkpoint import checkpoint_of, fill, rewrite, seen, start


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RMPAIR_KEYRING", "off")
    monkeypatch.delenv("RMPAIR_PASSPHRASE", raising=False)


def body_of(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_bytes().split(b"\n", 1)[1])
    return doc


def test_a_checkpoint_of_the_version_before_is_still_read(tmp_path: Path) -> None:
    alex = start(tmp_path)
    ids = fill(alex, CHECKPOINT_EVERY)
    alex.close()
    alex = Journal.open(alex.folder, home=alex.store.home)
    alex.update("topic", ids[0], {"title": "After the checkpoint"})
    alex.close()
    path = checkpoint_of(alex)
    assert json.loads(path.read_bytes().split(b"\n", 1)[0])["version"] == 2
    assert "groups" in body_of(path)
    # The same checkpoint as the version before wrote it: every head an object.
    raw = path.read_bytes()
    journal = alex.store.member.journal
    found = decode_checkpoint(raw, journal, check_change)
    assert found is not None
    state = found.state(lambda: iter(()))
    path.write_bytes(encode_checkpoint(state, found.covers, journal, found.device, version=1))
    assert "heads" in body_of(path) and len(path.read_bytes()) > len(raw)

    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert sam.store.state.from_checkpoint
    from_v1 = seen(sam)
    assert from_v1["records"]["topic"][ids[0]]["title"] == "After the checkpoint"
    sam.close()
    shutil.rmtree(tmp_path / "home-b" / "journals")
    for written in (alex.folder / "devices").rglob(CHECKPOINT_FILE):
        written.unlink()
    full = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert not full.store.state.from_checkpoint
    assert seen(full) == from_v1
    full.close()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("hlc", "001704099600000.000000x"),  # not a stamp
        ("hlc", "999999999999999.000000"),  # after the year 2200
        ("at", 10**9),  # a change it does not hold
        ("rec", ""),
        ("prev", [7]),
    ],
)
def test_a_checkpoint_with_a_bad_column_is_set_aside(
    tmp_path: Path, column: str, value: object
) -> None:
    """Even with its checksum made to match."""

    def damage(group: dict[str, Any]) -> None:
        group[column][len(group[column]) // 2] = value

    sam = joined_after(tmp_path, damage)
    assert any("checkpoint set aside" in p.message for p in sam.store.problems)
    sam.close()


def test_the_same_change_shown_twice_is_set_aside(tmp_path: Path) -> None:
    def twice(group: dict[str, Any]) -> None:
        group["at"][1] = group["at"][0]

    joined_after(tmp_path, twice).close()


def joined_after(tmp_path: Path, damage: Callable[[dict[str, Any]], None]) -> Journal:
    """The partner joining a journal whose checkpoint's largest group was changed by
    ``damage`` (its checksum made to match): the logs are read instead, all of them."""
    alex = start(tmp_path)
    fill(alex, CHECKPOINT_EVERY)
    alex.close()
    path = checkpoint_of(alex)
    doc = body_of(path)
    damage(max(doc["groups"], key=lambda g: len(g["at"])))
    rewrite(path, doc, fix_sum=True)
    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert not sam.store.state.from_checkpoint  # the logs were read instead
    assert sam.store.state.count_live("topic") == CHECKPOINT_EVERY
    return sam


def small_checkpoint() -> tuple[bytes, dict[str, Any]]:
    """A version 2 checkpoint of a few topics: one created, then edited, one deleted."""
    changes = []
    for i, (rec, op, fields, prev) in enumerate(
        [
            ("t1", "create", {"title": "One", "priority": 2.0}, []),
            ("t2", "create", {"title": "Two", "category": "culture"}, []),
            ("t1", "set", {"priority": 3.5}, ["c0"]),
            ("t2", "delete", {"_del": True}, ["c1"]),
        ]
    ):
        change = {
            "id": f"c{i}",
            "hlc": f"{1_704_099_600_000 + i:015d}.000000.dev0",
            "device": "dev0",
            "person": "Ada",
            "kind": "topic",
            "rec": rec,
            "op": op,
            "fields": fields,
            "prev": prev,
        }
        changes.append({**change, "sum": content_sum(change)})
    state = MergedState()
    state.apply_all(changes)
    raw = encode_checkpoint(state, {}, "journal1", "dev0")
    return raw, json.loads(raw.split(b"\n", 1)[1])


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**16) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document, as the keys and indices that lead to it."""
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*at, index))
    return found


def put(doc: Any, where: tuple[Any, ...], value: object) -> None:
    """Put ``value`` at ``where`` in ``doc``, if an earlier edit left that place there."""
    node = doc
    for depth, step in enumerate(where):
        if not (
            (isinstance(node, dict) and step in node)
            or (isinstance(node, list) and isinstance(step, int) and step < len(node))
        ):
            return
        if depth == len(where) - 1:
            node[step] = value
            return
        node = node[step]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_damage_to_the_columns_is_caught_never_a_crash(data: st.DataObject) -> None:
    """Whatever value replaces whatever part of a checkpoint (its checksum made to
    match): it is read, or set aside with a reason; nothing else happens."""
    raw, doc = small_checkpoint()
    places = [p for p in paths(doc) if p]
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        put(doc, data.draw(st.sampled_from(places), label="where"), data.draw(JSON, label="value"))
    body = json.dumps(doc).encode()
    head = json.loads(raw.split(b"\n", 1)[0])
    head["sum"] = part_name(body)
    damaged = json.dumps(head).encode() + b"\n" + body
    try:
        found = decode_checkpoint(damaged, "journal1", check_change)
    except CheckpointError:
        return
    assert found is not None
    state = found.state(lambda: iter(()))
    for kind in state.kinds:  # what it holds can be shown
        for rec_id, _values in state.live(kind):
            state.fields(kind, rec_id)


def test_the_small_checkpoint_reads_back() -> None:
    raw, _doc = small_checkpoint()
    found = decode_checkpoint(raw, "journal1", check_change)
    assert found is not None
    state = found.state(lambda: iter(()))
    assert dict(state.live("topic")) == {"t1": {"title": "One", "priority": 3.5}}
