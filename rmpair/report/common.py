"""What the human forms of the report share: dates, figures and the words around them.

Markdown, HTML and the terminal write dates and numbers the way the interface language
does (``rmpair.fmt``: "3. Dez. 2026", "7,5 Stunden") and label the same figures the
same way, so those words live here once. The ``_`` helpers are private to the report
package: its renderers use them, nothing outside does.
"""

from __future__ import annotations

import datetime as dt

from rmpair import fmt
from rmpair.i18n import _, ngettext
from rmpair.model.lifecycle import Evaluation
from rmpair.model.records import Role, SessionStatus
from rmpair.report.model import Report, SessionLine, status_label, trend_label


def _day(value: dt.date | None) -> str:
    """A date in prose or a list: "3 Dec 2026", "3. Dez. 2026"."""
    return fmt.date(value, weekday=False) if value is not None else "-"


def _when(value: dt.datetime | None) -> str:
    """A date and time in a table column: "Wed 2026-12-02 17:00" lines up and sorts."""
    return fmt.compact(value) if value is not None else "-"


def _moment(value: dt.datetime | None) -> str:
    """A date and time in a heading: "Wed 2 Dec 2026, 17:00", "Mi., 2. Dez. 2026, 17:00"."""
    return fmt.date_time(value) if value is not None else "-"


def _decimal(value: float, most: int = 2) -> str:
    """A figure with the decimals it has, up to ``most``, and the language's marks:
    7.5 -> "7,5" in German, 8.0 -> "8" (a whole number shows no ".0")."""
    for decimals in range(most):
        if round(value, decimals) == round(value, most):
            return fmt.number(value, decimals=decimals)
    return fmt.number(value, decimals=most)


def _rating(value: int | float | None) -> str:
    """A rating or an average of ratings; "-" where there is none."""
    if value is None:
        return "-"
    return _decimal(value) if isinstance(value, float) else str(value)


def _session_status(line: SessionLine) -> str:
    text = status_label(line.status)
    if line.moved:
        text = _("{status}, moved from {when}").format(status=text, when=_when(line.planned_start))
    return text


def summary_rows(report: Report) -> list[tuple[str, str]]:
    """The figures at a glance, as (label, value) pairs."""
    counts = report.counts
    mix = ", ".join(f"{label} {count}" for _key, label, count in report.categories)
    return [
        (
            _("Programme"),
            _("{start} to {end} (first session {first}, last held {last})").format(
                start=_day(report.start),
                end=_day(report.end),
                first=_day(report.first_session),
                last=_day(report.last_held),
            ),
        ),
        (
            _("Sessions held"),
            _("{held} of {total} ({cancelled} cancelled, {planned} still planned)").format(
                held=counts.held,
                total=counts.total,
                cancelled=counts.cancelled,
                planned=counts.planned,
            ),
        ),
        (_("Sessions moved"), str(counts.moved)),
        (
            _("Time invested"),
            # "1 hour" but "1.5 hours": only exactly one takes the singular.
            ngettext(
                "{hours} hour ({minutes} minutes in held sessions)",
                "{hours} hours ({minutes} minutes in held sessions)",
                1 if counts.hours_held == 1 else 2,
            ).format(hours=_decimal(counts.hours_held), minutes=fmt.number(counts.minutes_held)),
        ),
        (_("Topics covered"), f"{len(report.covered)} ({mix})"),
        (
            _("Action items"),
            _("{done} done, {open} open").format(
                done=len(report.actions_done), open=len(report.actions_open)
            ),
        ),
        (
            _("Average rating"),
            _("mentor {mentor}, mentee {mentee} (trend: {trend})").format(
                mentor=_rating(report.averages["mentor"]),
                mentee=_rating(report.averages["mentee"]),
                trend=trend_label(report.trend),
            ),
        ),
    ]


def _title(report: Report) -> str:
    return _("Reverse mentoring: {mentor} and {mentee}").format(
        mentor=report.who(Role.MENTOR), mentee=report.who(Role.MENTEE)
    )


def _generated(report: Report) -> str:
    return _("Report of {day}; times in {tz}.").format(day=_day(report.generated), tz=report.tz)


def _stages(report: Report) -> list[tuple[str, dict[Role, Evaluation | None]]]:
    return [(_("Mid-point check-in"), report.checkins), (_("Closing evaluation"), report.closing)]


def _source_label(report: Report, source: str) -> str:
    if source == "derived":
        return _("from the figures")
    return _("from {who}").format(who=report.who(Role(source)))


def session_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """The session list as headers and text cells, shared by the Markdown and HTML forms."""
    headers = [_("When"), _("Session"), _("Status"), _("Minutes"), _("Topics"), _("Ratings")]
    rows = [
        [
            _when(line.start),
            line.title,
            _session_status(line),
            str(line.minutes),
            "; ".join(line.topics),
            _("mentor {mentor}, mentee {mentee}").format(
                mentor=_rating(line.ratings[Role.MENTOR]),
                mentee=_rating(line.ratings[Role.MENTEE]),
            )
            if line.status is SessionStatus.HELD
            else "",
        ]
        for line in report.sessions
    ]
    return headers, rows


def _signed(value: int | None) -> str:
    if value is None:
        return "-"
    return f"+{value}" if value > 0 else str(value)
