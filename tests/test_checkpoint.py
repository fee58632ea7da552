"""Checkpoints and log segments on real journals: a device that has never read the
journal starts from the partner's checkpoint and sees what a full read shows; a bad
checkpoint is set aside and said so; an encrypted journal's checkpoint is encrypted;
and a long month is written in small segments that an edit does not rewrite.

The merge-level property (checkpoint plus tail equals full replay) is in
test_merge_properties.py.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from rmpair.journal import Journal
from rmpair.model.records import Category, Role
from rmpair.store.checkpoint import CHECKPOINT_EVERY, CHECKPOINT_FILE
from rmpair.store.files import ENCRYPTED_MAGIC, SEGMENT_BYTES
from rmpair.store.home import Home

PASSPHRASE = "tandem of two, one secret"


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RMPAIR_KEYRING", "off")
    monkeypatch.delenv("RMPAIR_PASSPHRASE", raising=False)


def start(tmp: Path, *, encrypt: bool = False) -> Journal:
    return Journal.init(
        tmp / "shared",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 1, 5),
        home=Home(tmp / "home-a"),
        encrypt=encrypt,
        passphrase=PASSPHRASE if encrypt else None,
    )


def fill(journal: Journal, count: int, prefix: str = "Topic") -> list[str]:
    with journal.batch():
        return [journal.add("topic", {"title": f"{prefix} {i}"}) for i in range(count)]


def seen(journal: Journal) -> dict[str, object]:
    """What a user sees of the journal: every live record, and the conflicts."""
    state = journal.store.state
    return {
        "records": {kind: dict(state.live(kind)) for kind in sorted(state.kinds)},
        "conflicts": [(c.kind, c.rec, c.field, c.winner["id"]) for c in state.conflicts()],
        "log": [c["id"] for c in state.log()],
    }


def checkpoint_of(journal: Journal) -> Path:
    return journal.folder / "devices" / journal.device_id / CHECKPOINT_FILE


def forge(doc: dict[str, Any], rec: str, field: str, value: object) -> None:
    """Change what a checkpoint (version 2: heads in columns) says a record's field is."""
    for group in doc["groups"]:
        if field in group["fields"] and rec in group["rec"]:
            column = group["values"][group["fields"].index(field)]
            column[group["rec"].index(rec)] = value
            return
    raise AssertionError(f"no head of {rec} {field}")


def rewrite(path: Path, doc: dict[str, Any], *, fix_sum: bool) -> None:
    """Write ``doc`` as the checkpoint's body; with ``fix_sum``, with a matching checksum
    (as someone who knows the format would)."""
    from rmpair.store.cache import part_name

    header, _body = path.read_bytes().split(b"\n", 1)
    body = json.dumps(doc).encode()
    if fix_sum:
        head = json.loads(header)
        head["sum"] = part_name(body)
        header = json.dumps(head).encode()
    path.write_bytes(header + b"\n" + body)


def test_a_new_device_starts_from_the_partners_checkpoint(tmp_path: Path) -> None:
    alex = start(tmp_path)
    ids = fill(alex, CHECKPOINT_EVERY)
    alex.close()  # the checkpoint is written when the journal is closed
    assert checkpoint_of(alex).exists()
    alex = Journal.open(alex.folder, home=alex.store.home)
    alex.update("topic", ids[0], {"title": "After the checkpoint"})  # the tail
    alex.delete("topic", ids[1])
    alex.close()

    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert sam.store.state.from_checkpoint  # started from the checkpoint
    from_checkpoint = seen(sam)
    assert from_checkpoint["records"]["topic"][ids[0]]["title"] == "After the checkpoint"
    assert ids[1] not in from_checkpoint["records"]["topic"]
    sam.close()

    # The same device reading every file, with no checkpoint to start from.
    shutil.rmtree(tmp_path / "home-b" / "journals")
    for path in (alex.folder / "devices").rglob(CHECKPOINT_FILE):
        path.unlink()
    full = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert not full.store.state.from_checkpoint
    assert seen(full) == from_checkpoint
    full.close()


def test_a_checkpoint_with_an_altered_value_is_set_aside(tmp_path: Path) -> None:
    alex = start(tmp_path)
    ids = fill(alex, CHECKPOINT_EVERY)
    alex.close()
    path = checkpoint_of(alex)
    doc = json.loads(path.read_bytes().split(b"\n", 1)[1])
    forge(doc, ids[0], "title", "Forged")
    rewrite(path, doc, fix_sum=False)  # the checksum no longer matches

    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert not sam.store.state.from_checkpoint  # the logs were read instead
    assert sam.store.state.fields("topic", ids[0]) == {"title": "Topic 0"}
    assert any(
        CHECKPOINT_FILE in p.file and "checkpoint set aside" in p.message
        for p in sam.store.problems
    )
    sam.close()


def test_garbage_in_a_checkpoint_is_set_aside(tmp_path: Path) -> None:
    alex = start(tmp_path)
    fill(alex, CHECKPOINT_EVERY)
    alex.close()
    path = checkpoint_of(alex)
    header = path.read_bytes().split(b"\n", 1)[0]
    path.write_bytes(header + b'\n{"heads": 7')
    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert sam.store.state.count_live("topic") == CHECKPOINT_EVERY
    assert any("checkpoint set aside" in p.message for p in sam.store.problems)
    sam.close()


def test_an_encrypted_journals_checkpoint_is_encrypted(tmp_path: Path) -> None:
    alex = start(tmp_path, encrypt=True)
    fill(alex, CHECKPOINT_EVERY, prefix="QUOKKA-7731")
    alex.close()
    data = checkpoint_of(alex).read_bytes()
    assert data.startswith(ENCRYPTED_MAGIC)
    assert b"QUOKKA" not in data
    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"), passphrase=PASSPHRASE)
    assert sam.store.state.from_checkpoint
    assert sam.store.state.count_live("topic") == CHECKPOINT_EVERY
    sam.close()


def test_a_long_month_is_written_in_segments(tmp_path: Path) -> None:
    alex = start(tmp_path)
    for i in range(120):
        alex.add("topic", {"title": f"A topic with a title long enough to count {i}"})
    folder = alex.folder / "devices" / alex.device_id
    segments = sorted(p.name for p in folder.glob("*.json"))
    assert len(segments) > 1, segments
    sizes = [(folder / name).stat().st_size for name in segments]
    # Each segment stops growing once it reaches the size; the first may hold more
    # when a version before segments wrote it, never here.
    assert max(sizes) < SEGMENT_BYTES + 4096, sizes
    alex.close()
    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert sam.store.state.count_live("topic") == 120
    assert not [p for p in sam.store.problems if p.needs_user]
    sam.close()


def test_a_month_file_of_an_older_version_is_kept_and_read(tmp_path: Path) -> None:
    alex = start(tmp_path)
    folder = alex.folder / "devices" / alex.device_id
    fill(alex, 200)  # one batch: one file, far over the segment size
    (month,) = folder.glob("*.json")
    before = month.read_bytes()
    assert len(before) > SEGMENT_BYTES
    alex.add("topic", {"title": "One more"})
    assert month.read_bytes() == before  # the next edit went to a new segment
    assert len(list(folder.glob("*.json"))) == 2
    alex.close()
    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert sam.store.state.count_live("topic") == 201
    sam.close()


def test_a_checkpoint_holding_a_change_that_breaks_the_schema_is_set_aside(
    tmp_path: Path,
) -> None:
    """Even with its checksum made to match: every change it shows is checked."""
    alex = start(tmp_path)
    ids = fill(alex, CHECKPOINT_EVERY)
    alex.close()
    path = checkpoint_of(alex)
    doc = json.loads(path.read_bytes().split(b"\n", 1)[1])
    forge(doc, ids[0], "title", ["not", "a", "title"])
    rewrite(path, doc, fix_sum=True)

    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    assert not sam.store.state.from_checkpoint
    assert sam.store.state.fields("topic", ids[0]) == {"title": "Topic 0"}
    assert any("checkpoint set aside" in p.message for p in sam.store.problems)
    sam.close()


def test_a_device_that_started_from_a_checkpoint_sees_its_own_next_edits(tmp_path: Path) -> None:
    alex = start(tmp_path)
    ids = fill(alex, CHECKPOINT_EVERY)
    alex.close()
    alex = Journal.open(alex.folder, home=alex.store.home)
    alex.update("topic", ids[0], {"title": "A tail after the checkpoint"})
    alex.close()

    sam = Journal.join(alex.folder, me="Sam", home=Home(tmp_path / "home-b"))
    try:
        assert sam.store.state.from_checkpoint
        topics = {t.id: t.title for t in sam.backlog.topics()}
        assert topics[ids[0]] == "A tail after the checkpoint"
        # Edits made after that read show at once in the same process (the read model
        # follows a state that began at the checkpoint's version, not at zero).
        new = sam.backlog.add_topic("Written by Sam", category=Category.CULTURE)
        sam.update("topic", ids[2], {"title": "Renamed by Sam"})
        titles = {t.id: t.title for t in sam.backlog.topics()}
        assert titles[new] == "Written by Sam"
        assert titles[ids[2]] == "Renamed by Sam"
        assert len(titles) == len(topics) + 1
    finally:
        sam.close()
