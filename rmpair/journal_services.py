"""The facade's services that most commands never use, made when first asked for.

``Journal`` makes the read model and the services every status and edit needs (backlog,
agenda, sessions, nudges) when it opens; these are ``cached_property``s of it instead,
so importing the facade does not import the plan, the calendar, notes, search and the
evaluation (``rmpair status`` and ``topic add`` run in a fraction of the time those
imports took). Each takes the journal's parts it is built from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rmpair.domain.agreement import Agreement
    from rmpair.domain.backlog import Backlog
    from rmpair.domain.evaluation import Evaluations
    from rmpair.domain.notes import Notes
    from rmpair.domain.plan import Plan
    from rmpair.domain.records import Records
    from rmpair.domain.search import Search
    from rmpair.domain.sessions import Sessions
    from rmpair.export.calendar import Calendar


class Parts(Protocol):
    """What the services below are built from (``Journal`` has all of it)."""

    @property
    def records(self) -> Records: ...
    @property
    def backlog(self) -> Backlog: ...
    @property
    def sessions(self) -> Sessions: ...
    @property
    def agreement(self) -> Agreement: ...
    @property
    def notes(self) -> Notes: ...


def agreement(journal: Parts) -> Agreement:
    from rmpair.domain.agreement import Agreement

    return Agreement(journal.records)


def plan(journal: Parts) -> Plan:
    from rmpair.domain.plan import Plan

    return Plan(journal.records, journal.sessions, journal.agreement)


def notes(journal: Parts) -> Notes:
    from rmpair.domain.notes import Notes

    return Notes(journal.records, journal.sessions)


def search(journal: Parts) -> Search:
    from rmpair.domain.search import Search

    return Search(journal.records, journal.sessions, journal.notes)


def evaluation(journal: Parts) -> Evaluations:
    from rmpair.domain.evaluation import Evaluations

    return Evaluations(journal.records, journal.sessions, journal.backlog)


def calendar(journal: Parts) -> Calendar:
    from rmpair.export.calendar import Calendar

    return Calendar(journal.records)
