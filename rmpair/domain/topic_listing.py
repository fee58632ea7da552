"""The rows of the topic listing (``rmpair topic list``), kept beside the topics.

Each topic's row holds what the listing sorts and filters by and the JSON text of
what it shows, made once when the topic changes; its place holds what adding a topic
checks (the titles of open topics, the last place in the order), which is far less
to read. The cache keeps both per bucket of topics (``StateCache.per_bucket``), so
listing 10,000 topics loads the rows and joins their text, instead of decoding
10,000 topics and encoding them again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from rmpair.model.codec import decode_plain
from rmpair.model.records import Topic, TopicStatus

TOPIC_ROWS = "rows:topic:1"  # the numbers change with what a row or place holds
TOPIC_PLACES = "places:topic:1"
# The fields a listing shows of every topic, in the order of its JSON keys.
LISTED_FIELDS = ("title", "category", "question", "proposed_by", "priority", "status", "created")

# status, priority, category, created (ISO or None), the JSON of the id ('"id":"…"')
# and of the listed fields (from '"title":' to the created date), without braces.
Row = tuple[str, float, str, str | None, str, str]
# status, priority and the title casefolded (two open topics may not share it).
Place = tuple[str, float, str]
_STATUSES = frozenset(status.value for status in TopicStatus)


# One encoder for every row: ``json.dumps`` with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _text(values: Mapping[str, Any]) -> str:
    return _ENCODER.encode(values)[1:-1]


def topic_rows(topics: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Row]:
    """The rows of topics given as (id, stored values): their values as the listing
    shows them (``decode_plain``: a value that is not valid shows as its default)."""
    rows: dict[str, Row] = {}
    for rec_id, values in topics:
        shown = decode_plain(Topic, values, LISTED_FIELDS)
        created = shown["created"]
        rows[rec_id] = (
            str(shown["status"]),
            float(shown["priority"]),
            str(shown["category"]),
            created if isinstance(created, str) else None,
            _text({"id": rec_id}),
            _text(shown),
        )
    return rows


def valid_rows(rows: Mapping[str, Any]) -> bool:
    """Whether rows read back from the cache are rows as ``topic_rows`` makes them."""
    return _led_by_a_place(rows, 6) and all(
        (row[3] is None or type(row[3]) is str) and type(row[4]) is str and type(row[5]) is str
        for row in rows.values()
    )


def _led_by_a_place(rows: Mapping[str, Any], width: int) -> bool:
    """Whether every row is a tuple of ``width`` values that starts as a place does:
    a topic status, a priority, a text."""
    return all(
        type(row) is tuple
        and len(row) == width
        and row[0] in _STATUSES
        and type(row[1]) is float
        and type(row[2]) is str
        for row in rows.values()
    )


_PLACE_FIELDS = ("status", "priority", "title")


def topic_places(topics: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Place]:
    """The places of topics given as (id, stored values), as ``topic_rows`` reads them."""
    places: dict[str, Place] = {}
    for rec_id, values in topics:
        shown = decode_plain(Topic, values, _PLACE_FIELDS)
        places[rec_id] = (
            str(shown["status"]),
            float(shown["priority"]),
            str(shown["title"]).casefold(),
        )
    return places


def valid_places(places: Mapping[str, Any]) -> bool:
    """Whether places read back from the cache are places as ``topic_places`` makes them."""
    return _led_by_a_place(places, 3)


# What every save keeps beside the topics: name, kind, maker, check of a piece read back.
TOPIC_ANSWERS = (
    (TOPIC_ROWS, Topic.KIND, topic_rows, valid_rows),
    (TOPIC_PLACES, Topic.KIND, topic_places, valid_places),
)
