"""Conflicts: fields two devices set concurrently, as the merge (merge.py) finds them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from rmpair.store.changes import DELETED, Change, RecordState, winner_key


class Conflict(NamedTuple):
    """A field two devices set concurrently: the value shown and the ones kept aside."""

    kind: str
    rec: str
    field: str
    winner: Change
    others: tuple[Change, ...]

    @property
    def is_delete(self) -> bool:
        return self.field == DELETED


def record_conflicts(kind: str, rec_id: str, state: RecordState) -> Iterator[Conflict]:
    for name in sorted(state.heads):
        field_heads = state.heads[name]
        if name == DELETED:
            # A live record with a delete head: someone edited what the other deleted.
            dels = sorted((c for c in field_heads.values() if c["fields"][DELETED]), key=winner_key)
            if dels:
                edits = [c for n, fh in state.heads.items() if n != DELETED for c in fh.values()]
                yield Conflict(kind, rec_id, name, max(edits, key=winner_key), tuple(dels))
        elif len(field_heads) > 1:
            ordered = sorted(field_heads.values(), key=winner_key, reverse=True)
            shown = ordered[0]["fields"][name]
            # Both sides wrote the same value (two people signing the same wording):
            # nothing to choose between, so nothing to show as a conflict.
            if any(c["fields"][name] != shown for c in ordered[1:]):
                yield Conflict(kind, rec_id, name, ordered[0], tuple(ordered[1:]))
