"""Rows derived from every record of a kind, kept up to date instead of worked out again.

A listing or a check over every topic needs a few values of each (its status, its
place, its text), not the decoded records. ``KeptRows`` gives such rows: from the
cache, which keeps them per bucket of records (``StateCache.per_bucket``), and, once
a process has them, updated change by change for the records each change touched,
as the read model's views are (``MergedState.touched``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rmpair.domain.session_items import SESSION_ITEM_ANSWERS
from rmpair.domain.topic_listing import TOPIC_ANSWERS
from rmpair.store.journal_store import JournalStore
from rmpair.store.merge import MergedState

# From the live records (id, stored values) given, their rows by id.
Maker = Callable[[Iterable[tuple[str, dict[str, Any]]]], dict[str, Any]]

# The rows every save keeps (``Journal`` registers them): name, kind, maker, check.
KEPT_ANSWERS = (*TOPIC_ANSWERS, *SESSION_ITEM_ANSWERS)


class KeptRows:
    """Per name, the rows ``make`` gives for every live record of a kind."""

    def __init__(self, store: JournalStore) -> None:
        self.store = store
        # Per name: the state and the kind's version the rows are for, and the rows.
        self._memo: dict[str, tuple[MergedState, int, dict[str, Any]]] = {}

    def rows(
        self, name: str, kind: str, make: Maker, valid: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """The rows of every live record of ``kind`` (a dict to read, not to change).
        A bucket's rows read from the cache that ``valid`` rejects are made anew."""
        state = self.store.state
        memo = self._memo.get(name)
        touched = None if memo is None or memo[0] is not state else state.touched(kind, memo[1])
        if memo is not None and touched is not None:
            rows = memo[2]
            for rec_id in touched:
                values = state.fields(kind, rec_id)
                if values is None:
                    rows.pop(rec_id, None)
                else:
                    rows.update(make([(rec_id, values)]))
        else:
            cache = self.store.cache
            cache.per_bucket(name, kind, make, valid)
            stored = cache.bucket_answer(name)
            rows = stored if stored is not None else make(state.shown(kind))
        self._memo[name] = (state, state.versions.get(kind, 0), rows)
        return rows
