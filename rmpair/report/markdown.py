"""The report as a Markdown document: GitHub-flavoured tables, charts in code blocks."""

from __future__ import annotations

from collections.abc import Sequence

from rmpair.domain.evaluation import answer_rows, with_colon
from rmpair.i18n import _
from rmpair.report.charts import text_bars, text_plot
from rmpair.report.common import (
    _day,
    _generated,
    _moment,
    _rating,
    _signed,
    _source_label,
    _stages,
    _title,
    session_table,
    summary_rows,
)
from rmpair.report.model import ROLES, Report, category_label, role_label, trend_label

MD_PLOT_WIDTH = 72  # the ratings plot in Markdown: fits a code block on a narrow page


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|") or "-"


def _item(text: str) -> str:
    """Text safe as one list item: continuation lines indented under the bullet."""
    return "\n  ".join(text.strip().splitlines())


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    out.append("|" + "|".join(" --- " for _h in headers) + "|")
    out.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return out


def render_markdown(report: Report) -> str:
    """The report as a Markdown document (GitHub-flavoured tables)."""
    out: list[str] = [f"# {_title(report)}", "", _generated(report), ""]
    out += [f"## {_('At a glance')}", ""]
    out += [f"- **{label}:** {value}" for label, value in summary_rows(report)]
    out.append("")

    out += [f"## {_('Sessions')}", ""]
    if report.sessions:
        out += _md_table(*session_table(report))
    else:
        out.append(_("No sessions yet."))
    out.append("")

    chart = report.category_chart()
    out += [f"## {chart.title}", "", "```", *text_bars(chart), "```", ""]
    if report.covered:
        out += [f"- {_cell(t.title)} ({category_label(t.category)})" for t in report.covered]
        out.append("")

    out += [f"## {_('What we learned')}", ""]
    for role in ROLES:
        out += [f"### {report.who(role)}", ""]
        mine = [lr for lr in report.learnings if lr.role is role]
        out += [f"- {_day(lr.day)}: {_item(lr.text)}" for lr in mine] or [_("Nothing recorded.")]
        out.append("")

    out += [f"## {_('Action items')}", ""]
    # "open" as a state (German "offen"): the capitalised msgid "Open" is the verb
    # of the app's footer (German "Öffnen").
    still_open = _("open").capitalize()
    for heading, items in ((_("Done"), report.actions_done), (still_open, report.actions_open)):
        out += [f"### {heading}", ""]
        lines = [
            "- [{mark}] {text} ({owner}{due})".format(
                mark="x" if a.done else " ",
                text=_item(a.text),
                owner=role_label(a.owner),
                due=_(", due {day}").format(day=_day(a.due)) if a.due else "",
            )
            for a in items
        ]
        out += lines or [_("None.")]
        out.append("")

    ratings = report.ratings_chart()
    out += [f"## {ratings.title}", ""]
    if report.ratings:
        # A plot in characters reads in any Markdown viewer; the table has the values.
        out += ["```", *text_plot(ratings, MD_PLOT_WIDTH).lines, "```", ""]
        out += _md_table(
            [_("Date"), _("Mentor"), _("Mentee")],
            [[p.label, _rating(p.mentor), _rating(p.mentee)] for p in report.ratings],
        )
        out.append("")
    out += [
        _("Average: mentor {mentor}, mentee {mentee}; trend: {trend}.").format(
            mentor=_rating(report.averages["mentor"]),
            mentee=_rating(report.averages["mentee"]),
            trend=trend_label(report.trend),
        ),
        "",
    ]

    out += [f"## {_('Self-assessment of the mentee')}", ""]
    if report.assessment:
        out += _md_table(
            [_("Topic"), _("Before"), _("After"), _("Change")],
            [
                [r.title, _rating(r.before), _rating(r.after), _signed(r.change)]
                for r in report.assessment
            ],
        )
    else:
        out.append(_("No self-assessment recorded."))
    out.append("")

    for heading, answers in _stages(report):
        out += [f"## {heading}", ""]
        for role in ROLES:
            out += [f"### {report.who(role)}", ""]
            given = answers.get(role)
            rows = answer_rows(given) if given is not None else []
            out += [f"- **{with_colon(q)}** {_item(a)}" for q, a in rows] or [
                _("Not answered yet.")
            ]
            out.append("")

    out += [f"## {_('Recommendations')}", ""]
    out += [
        f"- {_item(r.text)} ({_source_label(report, r.source)})" for r in report.recommendations
    ] or [_("None yet.")]
    out.append("")

    if report.with_notes:
        out += [f"## {_('Shared notes')}", ""]
        any_notes = False
        for line in report.sessions:
            if not line.notes:
                continue
            any_notes = True
            out += [f"### {_moment(line.start)} {line.title}", ""]
            for note in line.notes:
                out += [f"*{report.who(note.author)}:*", "", note.text.strip(), ""]
        if not any_notes:
            out += [_("No shared notes."), ""]
    return "\n".join(out).rstrip("\n") + "\n"
