"""The rows kept beside prep and agenda items (``session_items``): made from whatever
the items hold, they read as the decoded items do; a row read back from the cache that
``prep_rows``/``agenda_rows`` could not have made is rejected (and made again)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmpair.domain.session_items import (
    agenda_rows,
    prep_rows,
    valid_agenda_rows,
    valid_prep_rows,
)
from rmpair.model.records import AgendaItem, PrepItem

# Stored values as a partner's file may hold them: right, wrong or missing.
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False),
    st.sampled_from(["mentor", "mentee", "boss", "", "s1", "2026-11-20"]),
    st.lists(st.integers(), max_size=2),
)


def stored(names: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names))


ROWS = {
    "prep": (PrepItem, prep_rows, valid_prep_rows, ("session", "role", "done", "text")),
    "agenda": (AgendaItem, agenda_rows, valid_agenda_rows, ("session", "topic", "position")),
}


def shown(item: Any) -> tuple[Any, ...]:
    if isinstance(item, PrepItem):
        return (item.session, item.role.value, item.done)
    return (item.session, item.topic, item.position)


@pytest.mark.parametrize("which", sorted(ROWS))
@given(data=st.data())
def test_rows_read_as_the_decoded_items(which: str, data: st.DataObject) -> None:
    cls, make, valid, names = ROWS[which]
    items = data.draw(st.lists(stored(names), max_size=6))
    given_items = [(f"r{n}", values) for n, values in enumerate(items)]
    rows = make(given_items)
    assert valid(rows)
    for rec_id, values in given_items:
        assert rows[rec_id] == shown(cls.from_fields(rec_id, values))


def test_rows_not_as_made_are_rejected() -> None:
    assert valid_prep_rows({"p": ("s1", "mentee", False)})
    for row in (("s1", "boss", False), ("s1", "mentor", 1), ("s1", "mentor"), ["s1", "mentor", 0]):
        assert not valid_prep_rows({"p": row}), row
    assert valid_agenda_rows({"a": ("s1", "t1", 2.0)})
    for bad in (("s1", "t1", 2), ("s1", None, 2.0), (1, "t1", 2.0), ("s1", "t1")):
        assert not valid_agenda_rows({"a": bad}), bad
