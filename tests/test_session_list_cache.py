"""``session list`` counts the prep of the planned sessions from rows kept in the cache
beside the prep items (``Agenda.readiness_of``, ``session_items``, kept by every save
per bucket of items, ``StateCache.per_bucket``). Whatever happened since (an edit, the
partner's change, a damaged or forged piece), the listing is the one a full read of
the journal prints."""

from __future__ import annotations

import datetime as dt
import marshal
import shutil
from pathlib import Path
from typing import Any

import pytest
from pairs import make_two_devices
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.domain.session_items import PREP_ROWS
from rmpair.journal import Journal
from rmpair.model.records import PrepItem, Topic
from rmpair.store.cache import answer_part_name
from rmpair.store.home import Home


def run(home: Path, folder: Path, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["--journal", str(folder), *args], env={"RMPAIR_HOME": str(home)}
    )
    assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def cache_dir(home: Path) -> Path:
    (found,) = home.glob("journals/*/cache")
    return found


def head(home: Path) -> dict[str, Any]:
    data = marshal.loads((cache_dir(home) / "head.bin").read_bytes())
    assert isinstance(data, dict)
    return data


def full_read(home: Path, folder: Path, tmp: Path) -> str:
    """The listing from a copy of this device's folder without its cache."""
    copy = tmp / f"full-{len(list(tmp.glob('full-*')))}"
    shutil.copytree(home, copy)
    shutil.rmtree(cache_dir(copy))
    return run(copy, folder, "session", "list")


def mine(journal: Journal, session: str, count: int) -> list[int]:
    """The numbers of the first ``count`` items of ``journal``'s own checklist."""
    items = journal.agenda.prep_items(session)
    own = [n for n, item in enumerate(items, 1) if item.role is journal.records.my_role]
    return own[:count]


def test_the_listing_is_the_full_reads_after_edits_and_the_partners_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RMPAIR_JOURNAL", raising=False)
    pair = make_two_devices(tmp_path)
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(17, 30))
    topic = pair.a.add(Topic.KIND, {"title": "Code review"})
    planned = [
        pair.a.sessions.plan_session(start + dt.timedelta(days=7 * k), topics=[topic] if k else [])
        for k in range(3)
    ]
    pair.a.agenda.tick_prep(planned[0], mine(pair.a, planned[0], 1))
    pair.deliver(pair.a, pair.b)
    pair.b.refresh()
    home_a, folder_a = pair.a.store.home.root, pair.a.folder
    pair.a.close()

    run(home_a, folder_a, "status")  # stores the status that ``rmpair status`` reuses
    assert (cache_dir(home_a) / "quick.bin").exists()
    assert PREP_ROWS in head(home_a)["answers"]  # kept by the saves that wrote the items
    first = run(home_a, folder_a, "session", "list")
    assert (cache_dir(home_a) / "quick.bin").exists()  # a listing keeps the stored status
    assert (
        run(home_a, folder_a, "session", "list") == first == full_read(home_a, folder_a, tmp_path)
    )
    assert "mentee 1/" in first

    # An edit on this device: the rows of its bucket are made again.
    journal = Journal.open(folder_a, home=Home(home_a))
    journal.agenda.tick_prep(planned[1], mine(journal, planned[1], 2))
    journal.close()
    edited = run(home_a, folder_a, "session", "list")
    assert edited != first and edited == full_read(home_a, folder_a, tmp_path)
    assert run(home_a, folder_a, "session", "list") == edited

    # The partner ticks the mentor's checklist; this device reads it as it opens.
    pair.b.agenda.tick_prep(planned[2], mine(pair.b, planned[2], 1))
    pair.deliver(pair.b, pair.a)
    partnered = run(home_a, folder_a, "session", "list")
    assert partnered != edited and "mentor 1/" in partnered
    assert partnered == full_read(home_a, folder_a, tmp_path)
    assert run(home_a, folder_a, "session", "list") == partnered
    pair.b.close()

    # Damaged pieces (not marshal) and forged ones (well named, of the wrong shape)
    # are made again from their bucket, never trusted, never a crash.
    cache = cache_dir(home_a)
    data = head(home_a)
    pack = data.get("packs", {}).pop(PREP_ROWS, None)
    if pack is not None:  # the pieces from their own files, not from a pack
        (cache / "head.bin").write_bytes(marshal.dumps(data))
    refs = data["state"]["kinds"][PrepItem.KIND]
    for ref in refs:
        (cache / answer_part_name(PREP_ROWS, ref)).write_bytes(b"\x00 not marshal")
    assert run(home_a, folder_a, "session", "list") == partnered
    forgeries = (
        {"x": ("only one value",)},
        ["not", "a", "dict"],
        {"y": (planned[0], "boss", True)},
        {"z": (planned[0], "mentor", 1)},  # a tick that is not a flag
    )
    for forged in forgeries:
        for ref in refs:
            blob = marshal.dumps((PREP_ROWS, ref, forged))
            (cache / answer_part_name(PREP_ROWS, ref)).write_bytes(blob)
        assert run(home_a, folder_a, "session", "list") == partnered
