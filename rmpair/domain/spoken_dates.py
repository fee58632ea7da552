"""Dates and times as people say them: ``tomorrow 10:00``, ``fri 17:30``, ``+2w``.

The grammar (documented in the CLI reference) is small on purpose, so that what a
word means never surprises:

* a day: ``today``, ``tomorrow``, a weekday (``mon`` … ``sun``, or in full: the next
  one after today, so ``fri`` on a Friday is a week later), ``+Nd`` (N days on),
  ``+Nw`` (N weeks on), or ``YYYY-MM-DD``; the German words (``heute``, ``morgen``,
  ``mo`` … ``so``) work too;
* then ``HH:MM`` (``YYYY-MM-DDTHH:MM`` too), which a caller with a usual time of day
  lets people leave out: planning a session takes the programme's time, moving one
  keeps its own.

Words are read against "today" from the injected clock in the tandem's zone; the
caller always echoes the absolute result, so a misread word shows at once.
"""

from __future__ import annotations

import datetime as dt
import re

from rmpair.domain.session_times import parse_wall_time
from rmpair.errors import UserError
from rmpair.i18n import _

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("mon", "monday", "mo", "montag"),
        ("tue", "tues", "tuesday", "di", "dienstag"),
        ("wed", "wednesday", "mi", "mittwoch"),
        ("thu", "thur", "thurs", "thursday", "do", "donnerstag"),
        ("fri", "friday", "fr", "freitag"),
        ("sat", "saturday", "sa", "samstag"),
        ("sun", "sunday", "so", "sonntag"),
    )
):
    for _name in _names:
        _WEEKDAYS[_name] = _number

_OFFSETS = {"today": 0, "heute": 0, "tomorrow": 1, "morgen": 1}
_RELATIVE = re.compile(r"\+(\d{1,3})([dwt])")  # t: German "Tage"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_WALL = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_WITH_TIME = re.compile(r"(?P<day>.+?)(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2}))?")


def _day(word: str, today: dt.date) -> dt.date | None:
    """The day a single word names, or None when it is not in the grammar."""
    word = word.strip().casefold().rstrip(".")
    if word in _OFFSETS:
        return today + dt.timedelta(days=_OFFSETS[word])
    if word in _WEEKDAYS:
        ahead = (_WEEKDAYS[word] - today.weekday() - 1) % 7 + 1
        return today + dt.timedelta(days=ahead)
    relative = _RELATIVE.fullmatch(word)
    if relative is not None:
        count = int(relative[1])
        return today + dt.timedelta(days=count * 7 if relative[2] == "w" else count)
    if _ISO_DAY.fullmatch(word):
        try:
            return dt.date.fromisoformat(word)
        except ValueError:
            return None
    return None


def parse_day(text: str, flag: str, today: dt.date) -> dt.date:
    """A day in the grammar; any mistake is a UserError naming ``flag`` and the forms."""
    found = _day(text, today)
    if found is None:
        raise UserError(
            _(
                "{flag}: '{value}' is not a date (use YYYY-MM-DD, today, tomorrow, a weekday "
                "such as fri, +3d or +2w)."
            ).format(flag=flag, value=text)
        )
    return found


def parse_moment(
    text: str, flag: str, tz: str, today: dt.date, default_time: dt.time | None = None
) -> dt.datetime:
    """A wall-clock time in ``tz`` from the grammar: a day and ``HH:MM`` (or the day
    alone, at ``default_time`` where the caller has one).

    ISO input goes through ``parse_wall_time`` unchanged, so its checks (a day that
    does not exist, a time the clocks skip) and messages stay the same.
    """
    value = text.strip()
    if _ISO_WALL.fullmatch(value):
        return parse_wall_time(value, flag, tz)
    if default_time is None:
        wrong = _(
            "{flag}: '{value}' is not a date and time (use YYYY-MM-DD HH:MM, or a day such as "
            "today, tomorrow, fri, +3d or +2w and a time: 'tomorrow 10:00')."
        ).format(flag=flag, value=text)
    else:
        wrong = _(
            "{flag}: '{value}' is not a date or a date and time (use YYYY-MM-DD, a day such "
            "as today, tomorrow, fri, +3d or +2w, and a time if you want one: 'fri 17:30')."
        ).format(flag=flag, value=text)
    match = _WITH_TIME.fullmatch(value)
    if match is None or (match["hour"] is None and default_time is None):
        raise UserError(wrong)
    day = _day(match["day"], today)
    if match["hour"] is None:
        assert default_time is not None
        hour, minute = default_time.hour, default_time.minute
    else:
        hour, minute = int(match["hour"]), int(match["minute"])
    if day is None or hour > 23 or minute > 59:
        raise UserError(wrong)
    return parse_wall_time(f"{day.isoformat()} {hour:02d}:{minute:02d}", flag, tz)
