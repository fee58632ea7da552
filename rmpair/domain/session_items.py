"""Which session each prep item and agenda item belongs to, kept beside them.

Home shows the next session's readiness and topics, and ``session list`` the
readiness of every planned session. Both need a few values of every prep item and
agenda item of the journal (thousands after five years) to find the ones of a few
sessions. These rows hold just those values, in the form the listing compares
(a role as its text), so the cache keeps them per bucket of records like the topic
rows (``StateCache.per_bucket``, one file for them all after a first read) and a
query reads them instead of decoding the items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rmpair.model.codec import decode_plain
from rmpair.model.records import AgendaItem, PrepItem, Role

PREP_ROWS = "rows:prep_item:1"  # the numbers change with what a row holds
AGENDA_ROWS = "rows:agenda_item:1"

# session, role (its text), done
PrepRow = tuple[str, str, bool]
# session, topic, position
AgendaRow = tuple[str, str, float]

_ROLES = frozenset(role.value for role in Role)
Maker = Callable[[Iterable[tuple[str, Mapping[str, Any]]]], dict[str, Any]]
Check = Callable[[Mapping[str, Any]], bool]


def _rows(
    cls: type[Any], names: tuple[str, ...], kinds: tuple[type, type, type]
) -> tuple[Maker, Check]:
    """A maker of rows of the fields ``names`` of ``cls`` records given as (id, stored
    values), each value as decoding gives it (``decode_plain``: one that is not valid
    counts as its default) and of the type in ``kinds``; and the check of rows read
    back from the cache (a role must also be one)."""

    def make(items: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
        rows: dict[str, Any] = {}
        for rec_id, values in items:
            shown = decode_plain(cls, values, names)
            rows[rec_id] = tuple(kind(shown[name]) for name, kind in zip(names, kinds, strict=True))
        return rows

    # Three values a row, checked one by one: this runs over every row at each start.
    role = names.index("role") if "role" in names else None
    first, second, third = kinds

    def valid(rows: Mapping[str, Any]) -> bool:
        return all(
            type(row) is tuple
            and len(row) == 3
            and type(row[0]) is first
            and type(row[1]) is second
            and type(row[2]) is third
            and (role is None or row[role] in _ROLES)
            for row in rows.values()
        )

    return make, valid


prep_rows, valid_prep_rows = _rows(PrepItem, ("session", "role", "done"), (str, str, bool))
agenda_rows, valid_agenda_rows = _rows(
    AgendaItem, ("session", "topic", "position"), (str, str, float)
)


# What every save keeps beside the prep and agenda items: name, kind, maker, check.
SESSION_ITEM_ANSWERS = (
    (PREP_ROWS, PrepItem.KIND, prep_rows, valid_prep_rows),
    (AGENDA_ROWS, AgendaItem.KIND, agenda_rows, valid_agenda_rows),
)
