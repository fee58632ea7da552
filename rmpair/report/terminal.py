"""The report for the terminal as Rich renderables, the charts drawn in characters.

The CLI's ``rmpair report`` prints ``render_rich``; the app's report screen shows the
head and the body around charts it draws itself. Rich is imported only inside the
functions, as it was before the renderers had a module of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rmpair.domain.evaluation import answer_rows, with_colon
from rmpair.i18n import _
from rmpair.model.records import Role, SessionStatus
from rmpair.report.charts import LineChart, text_bars, text_plot
from rmpair.report.common import (
    _day,
    _generated,
    _moment,
    _rating,
    _session_status,
    _signed,
    _source_label,
    _stages,
    _title,
    _when,
    summary_rows,
)
from rmpair.report.model import ROLES, Report, role_label, trend_label

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.text import Text


def render_rich(report: Report) -> RenderableType:
    """The report for the terminal: the figures at a glance, the charts drawn in
    characters, then every other section."""
    from rich.console import Group

    return Group(render_rich_head(report), render_rich_charts(report), render_rich_body(report))


def _heading(text: str) -> Text:
    from rich.text import Text

    return Text("\n" + text, style="bold underline")


def render_rich_head(report: Report) -> RenderableType:
    """The title and the figures at a glance (the app shows its charts below them)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    glance = Table.grid(padding=(0, 2))
    glance.add_column(style="bold")
    glance.add_column()
    for label, value in summary_rows(report):
        glance.add_row(Text(label), Text(value))
    return Group(
        Text(_title(report), style="bold"),
        Text(_generated(report), style="dim"),
        _heading(_("At a glance")),
        glance,
    )


class _Plot:
    """The ratings chart as a dot plot as wide as the console it is printed on."""

    def __init__(self, chart: LineChart) -> None:
        self.chart = chart

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        for line in text_plot(self.chart, options.max_width).lines:
            yield Text(line)


def render_rich_charts(report: Report) -> RenderableType:
    """Topics by category as bars, the ratings over time as a plot, and the averages."""
    from rich.console import Group
    from rich.text import Text

    chart = report.category_chart()
    items: list[RenderableType] = [_heading(chart.title)]
    items += [Text(line) for line in text_bars(chart)]
    ratings = report.ratings_chart()
    items += [_heading(ratings.title), _Plot(ratings)]
    items.append(
        Text(
            _("Average: mentor {mentor}, mentee {mentee}; trend: {trend}.").format(
                mentor=_rating(report.averages["mentor"]),
                mentee=_rating(report.averages["mentee"]),
                trend=trend_label(report.trend),
            )
        )
    )
    return Group(*items)


def render_rich_body(report: Report) -> RenderableType:
    """Every section after the charts: sessions, learnings, action items, the
    self-assessment, both evaluations, recommendations and (if asked) shared notes."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    heading = _heading
    items: list[RenderableType] = [heading(_("Sessions"))]
    if report.sessions:
        table = Table(box=None, pad_edge=False)
        # The start stays on one line ("Thu 2026-12-03 10:00"): a date broken over two
        # lines no longer lines up with the others.
        table.add_column(_("When"), no_wrap=True)
        for header in (
            _("Session"),
            _("Status"),
            _("Min"),
            _("Topics"),
            _("Rated (mentor / mentee)"),
        ):
            # A narrow terminal may wrap a heading, but never cut one of its words.
            table.add_column(header, min_width=max(len(word) for word in header.split()))
        for line in report.sessions:
            rated = ""
            if line.status is SessionStatus.HELD:
                rated = f"{_rating(line.ratings[Role.MENTOR])}/{_rating(line.ratings[Role.MENTEE])}"
            table.add_row(
                _when(line.start),
                Text(line.title),
                _session_status(line),
                str(line.minutes),
                Text("; ".join(line.topics)),
                rated,
            )
        items.append(table)
    else:
        items.append(Text(_("No sessions yet.")))

    items.append(heading(_("What we learned")))
    for role in ROLES:
        items.append(Text(report.who(role), style="bold"))
        mine = [lr for lr in report.learnings if lr.role is role]
        items += [Text(f"  {_day(lr.day)}  {lr.text}") for lr in mine] or [
            Text("  " + _("Nothing recorded."), style="dim")
        ]

    items.append(heading(_("Action items")))
    for a in (*report.actions_open, *report.actions_done):
        mark = "[x]" if a.done else "[ ]"
        due = _(", due {day}").format(day=_day(a.due)) if a.due else ""
        items.append(Text(f"  {mark} {a.text} ({role_label(a.owner)}{due})"))
    if not report.actions:
        items.append(Text("  " + _("None."), style="dim"))

    items.append(heading(_("Self-assessment of the mentee")))
    if report.assessment:
        table = Table(box=None, pad_edge=False)
        for header in (_("Topic"), _("Before"), _("After"), _("Change")):
            table.add_column(header, min_width=max(len(word) for word in header.split()))
        for row in report.assessment:
            table.add_row(
                Text(row.title), _rating(row.before), _rating(row.after), _signed(row.change)
            )
        items.append(table)
    else:
        items.append(Text("  " + _("No self-assessment recorded."), style="dim"))

    for title, answers in _stages(report):
        items.append(heading(title))
        for role in ROLES:
            items.append(Text(report.who(role), style="bold"))
            given = answers.get(role)
            rows = answer_rows(given) if given is not None else []
            items += [Text(f"  {with_colon(q)} {a}") for q, a in rows] or [
                Text("  " + _("Not answered yet."), style="dim")
            ]

    items.append(heading(_("Recommendations")))
    items += [
        Text(f"  - {r.text} ({_source_label(report, r.source)})") for r in report.recommendations
    ] or [Text("  " + _("None yet."), style="dim")]

    if report.with_notes:
        items.append(heading(_("Shared notes")))
        for line in report.sessions:
            for note in line.notes or ():
                items.append(
                    Text(
                        f"{_moment(line.start)} {line.title}, {report.who(note.author)}",
                        style="dim",
                    )
                )
                items.append(Text("  " + note.text.strip()))
    return Group(*items)
