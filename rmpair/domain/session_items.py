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

from collections.abc import Iterable, Mapping
from typing import Any

from rmpair.model.codec import decode_plain
from rmpair.model.records import AgendaItem, PrepItem, Role

PREP_ROWS = "rows:prep_item:1"  # the numbers change with what a row holds
AGENDA_ROWS = "rows:agenda_item:1"

# session, role (its text), done
PrepRow = tuple[str, str, bool]
# session, topic, position
AgendaRow = tuple[str, str, float]

_PREP_FIELDS = ("session", "role", "done")
_AGENDA_FIELDS = ("session", "topic", "position")
_ROLES = frozenset(role.value for role in Role)


def prep_rows(items: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, PrepRow]:
    """The rows of prep items given as (id, stored values), their values as decoding
    them gives (``decode_plain``: a value that is not valid counts as its default)."""
    rows: dict[str, PrepRow] = {}
    for rec_id, values in items:
        shown = decode_plain(PrepItem, values, _PREP_FIELDS)
        rows[rec_id] = (str(shown["session"]), str(shown["role"]), bool(shown["done"]))
    return rows


def valid_prep_rows(rows: Mapping[str, Any]) -> bool:
    """Whether rows read back from the cache are rows as ``prep_rows`` makes them."""
    return all(
        type(row) is tuple
        and len(row) == 3
        and type(row[0]) is str
        and row[1] in _ROLES
        and type(row[2]) is bool
        for row in rows.values()
    )


def agenda_rows(items: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, AgendaRow]:
    """The rows of agenda items given as (id, stored values), as ``prep_rows`` reads."""
    rows: dict[str, AgendaRow] = {}
    for rec_id, values in items:
        shown = decode_plain(AgendaItem, values, _AGENDA_FIELDS)
        rows[rec_id] = (str(shown["session"]), str(shown["topic"]), float(shown["position"]))
    return rows


def valid_agenda_rows(rows: Mapping[str, Any]) -> bool:
    """Whether rows read back from the cache are rows as ``agenda_rows`` makes them."""
    return all(
        type(row) is tuple
        and len(row) == 3
        and type(row[0]) is str
        and type(row[1]) is str
        and type(row[2]) is float
        for row in rows.values()
    )


# What every save keeps beside the prep and agenda items: name, kind, maker, check.
SESSION_ITEM_ANSWERS = (
    (PREP_ROWS, PrepItem.KIND, prep_rows, valid_prep_rows),
    (AGENDA_ROWS, AgendaItem.KIND, agenda_rows, valid_agenda_rows),
)
