"""Export the whole journal as JSON, import it into a new journal, export again."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from clocks import rmpair_command

from rmpair.errors import UserError
from rmpair.export.exchange import dumps, export_data, import_into, load
from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.home import Home


def make_pair(tmp_path: Path) -> tuple[Journal, Journal]:
    folder = tmp_path / "shared"
    a = Journal.init(
        folder,
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 12, 1),
        tz="Europe/Berlin",
        home=Home(tmp_path / "a"),
    )
    b = Journal.join(folder, me="Sam", home=Home(tmp_path / "b"))
    return a, b


def test_round_trip_is_byte_identical_including_conflicts(tmp_path: Path) -> None:
    a, b = make_pair(tmp_path)
    topic = a.add(
        "topic",
        {
            "title": "Prompting, «well»",
            "category": "technology",
            "priority": 1.5,
            "question": "Wie geht's?\nZeile 2",
        },
    )
    gone = a.add("topic", {"title": "Deleted later"})
    a.delete("topic", gone)
    session = a.sessions.plan_session(dt.datetime(2027, 1, 12, 17, 30), topics=[topic])
    a.add("note", {"session": session, "author": "mentee", "text": "shared text ✓"})
    b.refresh()
    # Concurrent edits of the same field on both devices: a conflict to keep.
    copy = tmp_path / "copy"
    shutil.copytree(a.folder, copy)
    a.update("topic", topic, {"title": "Prompting A"})
    b2 = Journal.open(copy, home=b.store.home)
    b.close()
    b2.update("topic", topic, {"title": "Prompting B"})
    # ...and an edit concurrent with a delete.
    b2.delete("session", session)
    a.update("session", session, {"minutes": 45})
    for path in (copy / "devices").rglob("*.json"):
        target = a.folder / path.relative_to(copy)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    a.refresh()
    first = export_data(a)
    assert {c["field"] for c in first["conflicts"]} == {"title", "deleted"}
    title = next(c for c in first["conflicts"] if c["field"] == "title")
    assert {title["shown"], *title["others"]} == {"Prompting A", "Prompting B"}
    assert "device" not in first["records"]
    assert gone not in first["records"]["topic"]
    raw = dumps(first)

    restored = import_into(
        tmp_path / "restored", load(raw, "x.json"), me="sam", home=Home(tmp_path / "c")
    )
    try:
        assert dumps(export_data(restored)) == raw
        assert restored.my_role is Role.MENTOR
        assert len(restored.conflicts()) == 2
    finally:
        restored.close()
        a.close()
        b2.close()


def test_export_is_the_same_on_both_devices(tmp_path: Path) -> None:
    a, b = make_pair(tmp_path)
    a.add("topic", {"title": "Async work"})
    b.add("topic", {"title": "Feedback culture"})
    a.refresh()
    b.refresh()
    assert dumps(export_data(a)) == dumps(export_data(b))
    a.close()
    b.close()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "is not a JSON export"),
        (b'{"format": "other"}', "is not an rmpair export"),
        (
            b'{"format": "rmpair-export", "version": 9, "records": {}, "conflicts": []}',
            "export version 9",
        ),
        (
            b'{"format": "rmpair-export", "version": 1, "records": {}, "conflicts": []}',
            "holds no tandem",
        ),
    ],
)
def test_bad_files_are_refused_with_a_reason(raw: bytes, message: str) -> None:
    with pytest.raises(UserError, match=message):
        load(raw, "backup.json")


def test_import_needs_a_person_of_the_tandem(tmp_path: Path) -> None:
    a, b = make_pair(tmp_path)
    data = export_data(a)
    a.close()
    b.close()
    with pytest.raises(UserError, match="'Eve' is not in the exported tandem"):
        import_into(tmp_path / "r", data, me="Eve", home=Home(tmp_path / "c"))


def test_cli_export_import_export_gives_the_same_bytes(tmp_path: Path) -> None:
    import os
    import subprocess

    def run(home: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        env = {**os.environ, "RMPAIR_HOME": str(tmp_path / home)}
        env.pop("RMPAIR_JOURNAL", None)
        return subprocess.run(rmpair_command(*args), env=env, capture_output=True, timeout=120)

    assert run("a", "demo", str(tmp_path / "demo")).returncode == 0
    first = run("a", "export", "json", "-o", "-")
    assert first.returncode == 0, first.stderr
    backup = tmp_path / "backup.json"
    assert run("a", "export", "json", "-o", str(backup)).returncode == 0
    assert backup.read_bytes() == first.stdout
    refused = run("a", "export", "json", "-o", str(tmp_path / "demo" / "x.json"))
    assert refused.returncode == 2 and b"inside the shared journal folder" in refused.stderr
    restored = run(
        "b", "import", "json", str(backup), "--into", str(tmp_path / "new"), "--me", "Dana Keller"
    )
    assert restored.returncode == 0, restored.stderr
    again = run("b", "export", "json", "-o", "-")
    assert again.stdout == first.stdout


def test_evaluations_and_self_assessments_survive_the_round_trip(tmp_path: Path) -> None:
    from rmpair.model.lifecycle import Phase, Stage
    from rmpair.model.records import Category

    a, b = make_pair(tmp_path)
    topic = a.backlog.add_topic("Prompting", category=Category.TECHNOLOGY)
    a.evaluation.record_evaluation(Stage.CHECKIN, satisfaction=3, learned="Async habits")
    a.evaluation.assess(Phase.BEFORE, topic, 2)
    b.evaluation.record_evaluation(
        Stage.CLOSING, satisfaction=5, gains=["network"], gains_other="A sponsor"
    )
    a.refresh()
    raw = dumps(export_data(a))
    restored = import_into(
        tmp_path / "restored", load(raw, "x.json"), me="Dana", home=Home(tmp_path / "c")
    )
    try:
        assert dumps(export_data(restored)) == raw
        checkin = restored.evaluation.of(Stage.CHECKIN, Role.MENTEE)
        closing = restored.evaluation.of(Stage.CLOSING, Role.MENTOR)
        assert checkin is not None and checkin.learned == "Async habits"
        assert closing is not None and closing.gains_other == "A sponsor"
        assert [(r.before, r.after) for r in restored.evaluation.assessment_rows()] == [(2, None)]
    finally:
        restored.close()
        a.close()
        b.close()
