"""Rows of a few fields of every record of a kind, as the cache keeps them between runs
(``Records.fields_of``, ``StateCache.derived``): stored values, decoded on the way in."""

from __future__ import annotations

from typing import Any

from rmpair.model.codec import decode_rows
from rmpair.model.records import Record


def stored_rows(
    cls: type[Record], names: tuple[str, ...], stored: Any
) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    """The rows ``Records._plain`` stored, decoded, with the stored values (None, {}:
    nothing stored, or not as it makes them)."""
    if not isinstance(stored, dict):
        return {}, None
    try:
        rows = decode_rows(cls, names, stored)
    except (TypeError, ValueError, KeyError):
        return {}, None
    return rows, dict(stored)
