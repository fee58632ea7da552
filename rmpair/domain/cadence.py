"""Cadence, dates and the flags that describe a programme's frame: month arithmetic,
weekday names, and parsing ``--cadence``, ``--time`` and ``--until``. Pure functions, no
journal, so the agreement and the plan can both use them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rmpair.domain.rhythm import weekday_rule
from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.model.records import (
    Cadence,
)

SERIES = "programme"  # the series id of every session the programme plan creates
PROGRAMME_ID = "programme"
DEFAULT_TIME = dt.time(10, 0)
DEFAULT_MONTHS = 6

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# --------------------------------------------------------------------- dates


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` until ``end`` (at least 1 for a non-empty programme)."""
    months = 0
    while add_months(start, months + 1) <= end:
        months += 1
    return max(1, months)


def programme_month(start: dt.date, day: dt.date) -> int:
    """Which month of the programme ``day`` falls in: 0 for the start day itself,
    1 for the days up to one month later, and so on (a month ends on its last day)."""
    month = 0
    while add_months(start, month) < day:
        month += 1
    return month


# The weeks of a month a weekday rule can name: "first" ... "fourth", and "last" (-1).
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


def nth_weekday(year: int, month: int, weekday: int, week: int = 1) -> dt.date:
    """The ``week``-th ``weekday`` (Monday=0) of a month; week -1 is the last one."""
    if week < 0:
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def first_weekday(year: int, month: int, weekday: int) -> dt.date:
    """The first ``weekday`` (Monday=0) of a month."""
    return nth_weekday(year, month, weekday, 1)


def month_rule(
    cadence: Cadence, start: dt.date, weekday: int = 0, week: int = 1
) -> tuple[int, int] | None:
    """The (weekday, week) a monthly cadence meets on, or None for weekly cadences.

    ``monthly`` takes its rule from the start (a programme that starts on the first
    Tuesday meets on every first Tuesday); ``first-weekday`` names it.
    """
    if cadence is Cadence.MONTHLY:
        return weekday_rule(start)
    if cadence is Cadence.FIRST_WEEKDAY:
        return weekday % 7, week
    return None


# A programme counted in months may end up to a week later, on its last month's meeting
# day: six months from Mon 2 Nov meet on the first Monday of May (3 May), not one fewer.
END_GRACE_DAYS = 7


def programme_end(
    start: dt.date, months: int, cadence: Cadence, weekday: int = 0, week: int = 1
) -> dt.date:
    """The last day of a programme ``months`` long, so that its last month keeps its
    session under a monthly weekday rule (see ``END_GRACE_DAYS``)."""
    end = add_months(start, months)
    rule = month_rule(cadence, start, weekday, week)
    if rule is not None:
        last = nth_weekday(end.year, end.month, *rule)
        if end < last <= end + dt.timedelta(days=END_GRACE_DAYS):
            return last
    return end


def cadence_label(cadence: Cadence, weekday: int = 0, week: int = 1) -> str:
    """The cadence as the ``--cadence`` value that gives it, e.g. ``first-tuesday``."""
    if cadence is Cadence.FIRST_WEEKDAY:
        ordinal = next((word for word, n in ORDINALS.items() if n == week), "first")
        return f"{ordinal}-{WEEKDAY_NAMES[weekday % 7]}"
    return cadence.value


# ----------------------------------------------------------- parsing user input

_CADENCE_WORDS = {
    "weekly": Cadence.WEEKLY,
    "every-week": Cadence.WEEKLY,
    "biweekly": Cadence.BIWEEKLY,
    "fortnightly": Cadence.BIWEEKLY,
    "every-two-weeks": Cadence.BIWEEKLY,
    "monthly": Cadence.MONTHLY,
    "every-month": Cadence.MONTHLY,
}
_RULE_RE = re.compile(r"^(first|second|third|fourth|last)-(?:weekday-)?([a-z]+)$")
_DURATION_RE = re.compile(r"^(\d{1,3})-?(months?|m|years?|y)$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


class CadenceChoice(NamedTuple):
    """A parsed ``--cadence``: the cadence and, for weekday rules, which weekday
    (Monday=0) in which week of the month (1-4, or -1 for the last)."""

    cadence: Cadence
    weekday: int | None = None
    week: int = 1


def parse_cadence(text: str, flag: str = "--cadence") -> CadenceChoice:
    """A cadence: weekly, biweekly, monthly, or a weekday rule such as ``first-tuesday``,
    ``last thursday``, ``second-wed`` (any case)."""
    word = re.sub(r"[\s_]+", "-", text.strip().casefold())
    if word in _CADENCE_WORDS:
        return CadenceChoice(_CADENCE_WORDS[word])
    match = _RULE_RE.match(word)
    if match:
        name = match.group(2)
        hits = [i for i, day in enumerate(WEEKDAY_NAMES) if len(name) >= 2 and day.startswith(name)]
        if len(hits) == 1:
            return CadenceChoice(Cadence.FIRST_WEEKDAY, hits[0], ORDINALS[match.group(1)])
    raise UserError(
        _(
            "{flag}: '{value}' is not a cadence (use weekly, biweekly, monthly or a weekday "
            "of the month, e.g. first-tuesday or last-thursday)."
        ).format(flag=flag, value=text)
    )


def parse_time(text: str, flag: str = "--time") -> dt.time:
    """A wall-clock time of day written HH:MM."""
    match = _TIME_RE.match(text.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise UserError(
        _("{flag}: '{value}' is not a time of day (use HH:MM, e.g. 16:30).").format(
            flag=flag, value=text
        )
    )


def parse_until(
    text: str,
    start: dt.date,
    flag: str = "--until",
    *,
    end_of: Callable[[int], dt.date] | None = None,
) -> dt.date:
    """The programme's last day: a date, or a length counted from ``start``.

    Lengths: ``quarter`` (3 months), ``half-year``, ``year``, ``N months``/``Nm``,
    ``N years``/``Ny``; ``end_of`` turns a number of months into the last day
    (``programme_end`` for the cadence), by default the same day that many months on.
    """
    word = re.sub(r"[\s_]+", "-", text.strip().casefold())
    named = {"quarter": 3, "half-year": 6, "halfyear": 6, "year": 12}
    months: int | None = named.get(word)
    if months is None:
        match = _DURATION_RE.match(word)
        if match:
            count = int(match.group(1))
            months = count * 12 if match.group(2).startswith("y") else count
    if months is not None:
        if months < 1:
            raise UserError(
                _("{flag}: '{value}' is too short; a programme runs at least a month.").format(
                    flag=flag, value=text
                )
            )
        if months > 120:
            raise UserError(
                _("{flag}: '{value}' is longer than ten years.").format(flag=flag, value=text)
            )
        return end_of(months) if end_of is not None else add_months(start, months)
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            _(
                "{flag}: '{value}' is not a date or a length (use YYYY-MM-DD, quarter, "
                "6months, year)."
            ).format(flag=flag, value=text)
        ) from None
    if len(text.strip()) != 10:
        raise UserError(
            _("{flag}: '{value}' is not a date (use YYYY-MM-DD).").format(flag=flag, value=text)
        )
    return day


def check_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            _("'{zone}' is not a known time zone (e.g. Europe/Berlin).").format(zone=name)
        ) from None
