"""The journal's plain data: records as dataclasses, one codec between records and
stored fields, and the schema every change from the shared folder is checked against.

Imports nothing from the rest of rmpair but the clock, errors and i18n helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any


def check_change(change: Mapping[str, Any]) -> str | None:
    """``schema.change_fits``: what is wrong with a change read from a file, or None.
    The schema (about 13 ms of imports) is loaded by the first change checked, so a
    command that reads no file never loads it; each later change costs one lookup."""
    return _change_fits()(change)


@cache
def _change_fits() -> Callable[[Mapping[str, Any]], str | None]:
    from rmpair.model.schema import change_fits

    return change_fits
