"""A programme's rhythm in words ("once a month, on the first Monday"), and the monthly
rule a start day stands for.

Apart from cadence.py, with no record types, so that ``rmpair status``, which names
the rhythm on every run, does not import the model (about 30 ms). Cadences are passed
as their stored text ("monthly", "first-weekday"); the model's ``Cadence`` is one.
"""

from __future__ import annotations

import datetime as dt

from rmpair import fmt
from rmpair.i18n import N_, gettext_for

_CADENCE_TEXTS = {
    "weekly": N_("once a week"),
    "biweekly": N_("every two weeks"),
    "monthly": N_("once a month"),
}
# "first-weekday" rules by week, and the same rule when ``monthly`` took it from the start.
_RULE_TEXTS = {
    1: N_("on the first {weekday} of each month"),
    2: N_("on the second {weekday} of each month"),
    3: N_("on the third {weekday} of each month"),
    4: N_("on the fourth {weekday} of each month"),
    -1: N_("on the last {weekday} of each month"),
}
_MONTHLY_TEXTS = {
    1: N_("once a month, on the first {weekday}"),
    2: N_("once a month, on the second {weekday}"),
    3: N_("once a month, on the third {weekday}"),
    4: N_("once a month, on the fourth {weekday}"),
    -1: N_("once a month, on the last {weekday}"),
}


def weekday_rule(day: dt.date) -> tuple[int, int]:
    """The monthly weekday rule ``day`` stands for, as (weekday, week): Mon 7 Dec 2026 is
    the first Monday. A weekend day stands for the Monday after it (the Friday before
    at the end of a month), and a day in the month's fifth week for the last such
    weekday (most months have no fifth)."""
    if day.weekday() >= 5:
        monday = day + dt.timedelta(days=7 - day.weekday())
        day = monday if monday.month == day.month else day - dt.timedelta(days=day.weekday() - 4)
    week = (day.day - 1) // 7 + 1
    return day.weekday(), (-1 if week > 4 else week)


def cadence_text(
    cadence: str,
    weekday: int = 0,
    lang: str | None = None,
    *,
    week: int = 1,
    start: dt.date | None = None,
) -> str:
    """The cadence as words that fit "we meet ...": "once a month, on the first Monday",
    "every two weeks".

    ``lang`` writes it in the tandem's language for text that goes to the partner (the
    invitation, the agreement); without it the interface language is used. ``start``
    names the weekday a ``monthly`` programme meets on (it follows from the start).
    """
    text = gettext_for(lang)
    if cadence == "first-weekday":
        return text(_RULE_TEXTS.get(week, _RULE_TEXTS[1])).format(
            weekday=fmt.weekday_name(weekday, lang)
        )
    if cadence == "monthly" and start is not None:
        day, nth = weekday_rule(start)
        return text(_MONTHLY_TEXTS[nth]).format(weekday=fmt.weekday_name(day, lang))
    return text(_CADENCE_TEXTS.get(cadence, _CADENCE_TEXTS["monthly"]))
