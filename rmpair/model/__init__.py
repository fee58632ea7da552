"""The journal's plain data: records as dataclasses, one codec between records and
stored fields, and the schema every change from the shared folder is checked against.

Imports nothing from the rest of rmpair but the clock, errors and i18n helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any


class _CheckChange:
    """``schema.change_fits``: what is wrong with a change read from a file, or None.
    The schema (about 13 ms of imports) is loaded by the first change checked, so a
    command that reads no file never loads it; each later change costs one lookup."""

    def __call__(self, change: Mapping[str, Any]) -> str | None:
        return _change_fits()(change)

    def columns(
        self, kind: str, recs: Sequence[str], fields: Mapping[str, Sequence[Any]]
    ) -> str | None:
        """``schema.columns_fit``: the same check for many changes of one kind at once
        (a checkpoint's columns), None when every one fits."""
        from rmpair.model.schema import columns_fit

        return columns_fit(kind, recs, fields)


check_change = _CheckChange()


@cache
def _change_fits() -> Callable[[Mapping[str, Any]], str | None]:
    from rmpair.model.schema import change_fits

    return change_fits
