"""``session list`` counts the prep of the planned sessions from fields kept in the cache
beside the prep items (``Agenda.readiness_of``, ``StateCache.derived``), and a command
that only reads keeps what it worked out (``StateCache.save_derived``). Whatever
happened since (an edit, the partner's change, a damaged or forged part), the listing
is the one a full read of the journal prints."""

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
from rmpair.journal import Journal
from rmpair.model.records import Topic
from rmpair.store.cache import part_name
from rmpair.store.home import Home

PREP_FIELDS = "fields:prep_item:session,role,done"


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
    assert PREP_FIELDS not in head(home_a).get("derived", {})
    first = run(home_a, folder_a, "session", "list")
    # Worked out once and kept by a command that changed nothing, without dropping
    # the stored status (nothing it holds changed).
    assert PREP_FIELDS in head(home_a)["derived"]
    assert (cache_dir(home_a) / "quick.bin").exists()
    assert (
        run(home_a, folder_a, "session", "list") == first == full_read(home_a, folder_a, tmp_path)
    )
    assert "mentee 1/" in first

    # An edit on this device: the kept fields no longer answer for the prep items.
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

    # Damaged parts (their content no longer matches their name) and forged ones (well
    # named, of the wrong shape) are worked out again, never trusted, never a crash.
    cache = cache_dir(home_a)
    kind, answers = head(home_a)["derived"][PREP_FIELDS]
    for part in set(answers.values()):
        (cache / part).write_bytes(b"\x00 not marshal")
    assert run(home_a, folder_a, "session", "list") == partnered
    for part in set(head(home_a)["derived"][PREP_FIELDS][1].values()):
        assert part_name((cache / part).read_bytes()) == part  # written again, sound
    for forged in ({"x": ("only one value",)}, ["not", "a", "dict"], {"y": (1, 2, 3, 4)}):
        blob = marshal.dumps(forged)
        (cache / part_name(blob)).write_bytes(blob)
        data = head(home_a)
        data["derived"][PREP_FIELDS] = (kind, {ref: part_name(blob) for ref in answers})
        (cache / "head.bin").write_bytes(marshal.dumps(data))
        assert run(home_a, folder_a, "session", "list") == partnered
