"""Dates, times and numbers written the way each language writes them.

German: "Di., 3. Dez. 2026, 10:00", "3. Dezember 2026", "1.234,5".
English: "Tue 3 Dec 2026, 10:00", "3 December 2026", "1,234.5".

The names and patterns are tables of our own, not the process locale: ``setlocale``
changes the whole process and is not thread-safe, and the C locale that most
terminals and CI machines run would give English anyway. Every function takes the
language (``en``, ``de``, ``de_formal``), defaulting to the interface language of
``rmpair.i18n``. Times are 24-hour in both languages. Nothing here converts between
zones: the caller passes the wall-clock time it wants shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rmpair.i18n import DEFAULT_LANGUAGE, base_language, current_language, normalize_language


@dataclass(frozen=True)
class _Style:
    """How one language writes dates and numbers."""

    weekdays: tuple[str, ...]  # Monday first, as ``date.weekday()`` counts
    weekdays_short: tuple[str, ...]
    months: tuple[str, ...]  # January first
    months_short: tuple[str, ...]
    date: str  # with the weekday: {weekday} {day} {month} {year}
    date_plain: str  # without it
    long_date: str  # as in a letter: {day} {month} {year} with the full month
    date_time: str  # {date} and {time}
    decimal: str
    group: str
    percent: str  # {n} and the sign


_STYLES: dict[str, _Style] = {
    "en": _Style(
        weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        weekdays_short=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        months_short=(
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ),
        date="{weekday} {day} {month} {year}",
        date_plain="{day} {month} {year}",
        long_date="{day} {month} {year}",
        date_time="{date}, {time}",
        decimal=".",
        group=",",
        percent="{n}%",
    ),
    # Abbreviations as the Duden writes them: a full stop where letters are left out,
    # none for the short months that are written in full (März, Mai, Juni, Juli).
    "de": _Style(
        weekdays=(
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
            "Sonntag",
        ),
        weekdays_short=("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
        months=(
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ),
        months_short=(
            "Jan.",
            "Feb.",
            "März",
            "Apr.",
            "Mai",
            "Juni",
            "Juli",
            "Aug.",
            "Sept.",
            "Okt.",
            "Nov.",
            "Dez.",
        ),
        date="{weekday}, {day}. {month} {year}",
        date_plain="{day}. {month} {year}",
        long_date="{day}. {month} {year}",
        date_time="{date}, {time}",
        decimal=",",
        group=".",
        # DIN 5008: a (narrow, non-breaking) space between number and per cent sign.
        percent="{n}\u202f%",
    ),
}

RANGE_DASH = "\u2013"  # en dash, in both languages: 10:00–11:00


def _style(lang: str | None) -> _Style:
    code = normalize_language(lang) if lang else current_language()
    return _STYLES.get(base_language(code or DEFAULT_LANGUAGE), _STYLES[DEFAULT_LANGUAGE])


def weekday_name(weekday: int, lang: str | None = None) -> str:
    """The full name of a weekday (Monday = 0): "Dienstag", "Tuesday"."""
    return _style(lang).weekdays[weekday % 7]


def weekday_short(weekday: int, lang: str | None = None) -> str:
    """The short name of a weekday (Monday = 0): "Di.", "Tue"."""
    return _style(lang).weekdays_short[weekday % 7]


def month_name(month: int, lang: str | None = None) -> str:
    """The full name of a month (January = 1): "Dezember", "December"."""
    return _style(lang).months[(month - 1) % 12]


def month_short(month: int, lang: str | None = None) -> str:
    """The short name of a month (January = 1): "Dez.", "Dec"."""
    return _style(lang).months_short[(month - 1) % 12]


def date(day: dt.date, lang: str | None = None, *, weekday: bool = True) -> str:
    """A date for lists and headings: "Di., 3. Dez. 2026" / "Tue 3 Dec 2026"."""
    style = _style(lang)
    pattern = style.date if weekday else style.date_plain
    return pattern.format(
        weekday=style.weekdays_short[day.weekday()],
        day=day.day,
        month=style.months_short[day.month - 1],
        year=day.year,
    )


def day_month(day: dt.date, lang: str | None = None) -> str:
    """A date in a narrow column, where the year goes without saying: "3 Dec" / "3. Dez."."""
    style = _style(lang)
    return style.date_plain.replace(" {year}", "").format(
        day=day.day, month=style.months_short[day.month - 1]
    )


def long_date(day: dt.date, lang: str | None = None) -> str:
    """A date as written in a message or letter: "3. Dezember 2026" / "3 December 2026"."""
    style = _style(lang)
    return style.long_date.format(day=day.day, month=style.months[day.month - 1], year=day.year)


def time(moment: dt.time | dt.datetime) -> str:
    """A 24-hour clock time: "09:30" (the same in both languages)."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def date_time(moment: dt.datetime, lang: str | None = None, *, weekday: bool = True) -> str:
    """A date and time: "Di., 3. Dez. 2026, 10:00" / "Tue 3 Dec 2026, 10:00"."""
    style = _style(lang)
    return style.date_time.format(
        date=date(moment.date(), lang, weekday=weekday), time=time(moment)
    )


def time_span(
    start: dt.datetime,
    end: dt.datetime,
    lang: str | None = None,
    *,
    start_note: str = "",
    end_note: str = "",
) -> str:
    """A session's time: "Di., 3. Dez. 2026, 10:00–11:00"; both dates when it ends on
    another day. A note follows its time: "02:30 (UTC+02:00)–02:30 (UTC+01:00)"."""
    first = date_time(start, lang) + (f" {start_note}" if start_note else "")
    last = time(end) if end.date() == start.date() else date_time(end, lang)
    last += f" {end_note}" if end_note else ""
    if end.date() == start.date():
        return f"{first}{RANGE_DASH}{last}"
    return f"{first} {RANGE_DASH} {last}"


def utc_offset(offset: dt.timedelta) -> str:
    """A UTC offset as people read it: "UTC+02:00", "UTC+12:45", "UTC-05:00"."""
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def compact(moment: dt.datetime, lang: str | None = None) -> str:
    """A date and time for a column of a table, where ISO dates line up and sort:
    "Wed 2026-12-02 17:00" / "Mi. 2026-12-02 17:00" (DIN 5008 allows the ISO form)."""
    weekday = _style(lang).weekdays_short[moment.weekday()]
    return f"{weekday} {moment.date().isoformat()} {time(moment)}"


def number(value: float, lang: str | None = None, *, decimals: int = 0) -> str:
    """A number with the language's digit grouping and decimal mark: "1.234,5"."""
    style = _style(lang)
    text = f"{value:,.{decimals}f}"  # Python's own: "," groups, "." marks decimals
    return text.replace(",", "\0").replace(".", style.decimal).replace("\0", style.group)


def percent(value: float, lang: str | None = None, *, decimals: int = 0) -> str:
    """A share as per cent (0.42 -> "42 %" in German, "42%" in English)."""
    return _style(lang).percent.format(n=number(value * 100, lang, decimals=decimals))
