"""Cadence, dates and the flags that describe a programme's frame: month arithmetic,
weekday names, and parsing ``--cadence``, ``--time`` and ``--until``. Pure functions, no
journal, so the agreement and the plan can both use them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rmpair import fmt
from rmpair.errors import UserError
from rmpair.i18n import N_, _, gettext_for
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


def first_weekday(year: int, month: int, weekday: int) -> dt.date:
    """The first ``weekday`` (Monday=0) of a month."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7)


def weekday_name(weekday: int, lang: str | None = None) -> str:
    """A weekday's name (Monday=0) in ``lang``, else in the interface language."""
    return fmt.weekday_name(weekday, lang)


_CADENCE_TEXTS = {
    Cadence.WEEKLY: N_("once a week"),
    Cadence.BIWEEKLY: N_("every two weeks"),
    Cadence.FIRST_WEEKDAY: N_("on the first {weekday} of each month"),
    Cadence.MONTHLY: N_("once a month"),
}


def cadence_text(cadence: Cadence, weekday: int = 0, lang: str | None = None) -> str:
    """The cadence as words that fit "we meet ...": "once a month", "every two weeks".

    ``lang`` writes it in the tandem's language for text that goes to the partner (the
    invitation, the agreement); without it the interface language is used.
    """
    text = gettext_for(lang)(_CADENCE_TEXTS.get(cadence, _CADENCE_TEXTS[Cadence.MONTHLY]))
    return text.format(weekday=weekday_name(weekday, lang))


def cadence_label(cadence: Cadence, weekday: int = 0) -> str:
    """The cadence as the ``--cadence`` value that gives it, e.g. ``first-tuesday``."""
    if cadence is Cadence.FIRST_WEEKDAY:
        return f"first-{WEEKDAY_NAMES[weekday % 7]}"
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
_FIRST_RE = re.compile(r"^first-(?:weekday-)?([a-z]+)$")
_DURATION_RE = re.compile(r"^(\d{1,3})-?(months?|m|years?|y)$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_cadence(text: str, flag: str = "--cadence") -> tuple[Cadence, int | None]:
    """A cadence and, for "first Tuesday" rules, its weekday (Monday=0).

    Accepts weekly, biweekly, monthly and ``first-<weekday>`` (also "first Tuesday",
    "first-tue"), in any case.
    """
    word = re.sub(r"[\s_]+", "-", text.strip().casefold())
    if word in _CADENCE_WORDS:
        return _CADENCE_WORDS[word], None
    match = _FIRST_RE.match(word)
    if match:
        name = match.group(1)
        hits = [i for i, day in enumerate(WEEKDAY_NAMES) if len(name) >= 2 and day.startswith(name)]
        if len(hits) == 1:
            return Cadence.FIRST_WEEKDAY, hits[0]
    raise UserError(
        _(
            "{flag}: '{value}' is not a cadence (use weekly, biweekly, monthly or "
            "first-<weekday>, e.g. first-tuesday)."
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


def parse_until(text: str, start: dt.date, flag: str = "--until") -> dt.date:
    """The programme's last day: a date, or a length counted from ``start``.

    Lengths: ``quarter`` (3 months), ``half-year``, ``year``, ``N months``/``Nm``,
    ``N years``/``Ny``.
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
        return add_months(start, months)
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
