"""Home's reads from stored fields (domain/glance.py) answer as the services do, on a
journal as it was just written, as reopened, and after the app kept what it read;
and the app starts without the command line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rmpair.screens.opening import open_for_app

from rmpair.clock import SYSTEM_CLOCK
from rmpair.demo import build_demo
from rmpair.domain import glance
from rmpair.domain.backlog import OPEN_STATUSES
from rmpair.journal import Journal
from rmpair.model.records import ActionItem, AgendaItem, PrepItem, Session, Topic
from rmpair.quick import cached_status
from rmpair.store.home import Home


def answers(journal: Journal) -> dict[str, object]:
    """What home reads, through glance, for every session of the journal."""
    sessions = journal.all(Session)
    return {
        "readiness": {s.id: glance.readiness(journal.records, s.id) for s in sessions},
        "topics": {s.id: glance.session_topics(journal.records, s) for s in sessions},
        "actions": glance.open_action_items(journal.records),
        "mix": glance.open_topic_mix(journal.records),
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
        for cls, names in (
            (PrepItem, glance.PREP_FIELDS),
            (AgendaItem, glance.AGENDA_FIELDS),
            (ActionItem, ("done",)),
            (Topic, glance.MIX_FIELDS),
        )
    }
    assert not stored & set(_derived_names(cache))

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
