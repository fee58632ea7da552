"""Home's reads from stored fields (domain/glance.py) answer as the services do, on a
journal as it was just written, as reopened, and after the app kept what it read;
and the app starts without the command line."""

from __future__ import annotations

import datetime as dt
import os
import pty
import select
import sys
from collections import Counter
from pathlib import Path

from rmpair.screens.opening import open_for_app

from rmpair.clock import SYSTEM_CLOCK
from rmpair.demo import build_demo
from rmpair.domain import glance
from rmpair.domain.backlog import OPEN_STATUSES
from rmpair.domain.session_items import AGENDA_ROWS, PREP_ROWS
from rmpair.journal import Journal
from rmpair.model.records import ActionItem, PrepItem, Session, Topic
from rmpair.quick import cached_status
from rmpair.store.home import Home

NOW = SYSTEM_CLOCK.now()  # the demo's history ends now (a few sessions lie ahead)
MOMENTS = [NOW + dt.timedelta(days=days) for days in (-40, -3, 0, 2, 9, 40, 400)]


def answers(journal: Journal) -> dict[str, object]:
    """What home reads, through glance, for every session of the journal."""
    sessions = journal.all(Session)
    return {
        "readiness": journal.agenda.readiness_of([s.id for s in sessions]),
        "topics": {s.id: glance.session_topics(journal.records, s) for s in sessions},
        "actions": glance.open_action_items(journal.records),
        "mix": glance.open_topic_mix(journal.records),
        "next": [glance.next_session(journal.records, now) for now in MOMENTS],
    }


def expected(journal: Journal) -> dict[str, object]:
    """The same, from the services over decoded records."""
    sessions = journal.all(Session)
    topics = [t for t in journal.all(Topic) if t.status in OPEN_STATUSES]
    return {
        "readiness": {s.id: journal.agenda.readiness(s.id) for s in sessions},
        "topics": {s.id: journal.sessions.session_topics(s) for s in sessions},
        "actions": journal.notes.action_items(open_only=True),
        "mix": (len(topics), Counter(t.category for t in topics)),
        "next": [
            (journal.sessions.next_session(now), journal.sessions.progress(now)) for now in MOMENTS
        ],
    }


def test_home_reads_as_the_services_do_and_keeps_what_it_read(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    folder = build_demo(tmp_path / "shared", home=home).folder
    journal = Journal.open(folder, home=home)
    journal.notes.add_action("Ask about the release")
    # Some open and some done, some prep ticked: otherwise every answer could be "all".
    assert journal.notes.action_items(open_only=True)
    assert any(p.done for p in journal.all(PrepItem)) and any(
        a.done for a in journal.all(ActionItem)
    )
    wanted = expected(journal)
    journal.close()
    cache = next(home.root.glob("journals/*/cache"))
    stored = {
        f"fields:{cls.KIND}:{','.join(names)}"
        for cls, names in ((ActionItem, ("done",)), (Topic, glance.MIX_FIELDS))
    }
    assert not stored & set(_derived_names(cache))
    # The rows of the prep and agenda items are kept by every save.
    assert {PREP_ROWS, AGENDA_ROWS} <= set(_kept_names(cache))

    # Opened as the app opens it: the cache lacks the fields home reads, so they are
    # worked out from the records, and kept when the app closes, with the stored
    # status, which still holds (nothing changed).
    journal = open_for_app(folder, home, SYSTEM_CLOCK)
    assert answers(journal) == wanted
    journal.close()
    assert stored <= set(_derived_names(cache))
    assert cached_status(folder, home, now=SYSTEM_CLOCK.now()) is not None

    # The next start reads them as stored, and answers the same, also after a change.
    journal = open_for_app(folder, home, SYSTEM_CLOCK)
    assert answers(journal) == wanted
    journal.notes.complete_action(journal.notes.action_items(open_only=True)[0].id)
    assert answers(journal) == expected(journal) != wanted
    journal.close()


def _derived_names(cache: Path) -> list[str]:
    from rmpair.store.cache import PartCache

    head = PartCache(str(cache)).head()
    assert head is not None
    return list(head.get("derived") or {})


def _kept_names(cache: Path) -> list[str]:
    from rmpair.store.cache import PartCache

    head = PartCache(str(cache)).head()
    assert head is not None
    return list(head.get("answers") or {})


def test_the_app_starts_without_the_command_line_and_fails_as_it_does(tmp_path: Path) -> None:
    """``rmpair --journal DIR`` in a terminal opens the app without importing Typer;
    a folder that is not there ends with one line and exit code 2, as the command
    line says it."""
    script = (
        "import sys\n"
        "from rmpair.entry import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print('typer imported:', 'typer' in sys.modules)\n"
    )
    env = {**os.environ, "RMPAIR_HOME": str(tmp_path / "home"), "TERM": "dumb"}
    code, out = _in_terminal(
        [sys.executable, "-c", script, "--journal", str(tmp_path / "nowhere")], env
    )
    assert code == 2
    assert f"rmpair: There is no folder {tmp_path / 'nowhere'}." in out
    assert "typer imported: False" in out
    assert "Traceback" not in out
    # Anything else still goes through the command line.
    code, out = _in_terminal([sys.executable, "-c", script, "--version"], env)
    assert code == 0 and "rmpair " in out and "typer imported: True" in out


def _in_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execve(argv[0], argv, env)
    output = b""
    try:
        while True:
            ready, _w, _x = select.select([fd], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(fd)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")
