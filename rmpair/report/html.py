"""The report as one self-contained HTML page: inline CSS and SVG charts, laid out to print."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from rmpair.domain.evaluation import answer_rows
from rmpair.i18n import _, base_language, current_language
from rmpair.report.charts import svg_bar_chart, svg_line_chart
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

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #222; background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1.25rem;
  line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #1f6f8b; padding-bottom: .2rem;
  margin-top: 2rem; }
h3 { font-size: 1rem; margin-bottom: .3rem; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid #ddd; }
th { background: #f3f5f6; }
dl.glance { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.glance dt { font-weight: 600; }
dl.glance dd { margin: 0; }
dl.answers dt { font-weight: 600; margin-top: .4rem; }
dl.answers dd { margin: 0 0 0 1rem; white-space: pre-wrap; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.chart { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
.done { color: #4c7a3d; }
.muted { color: #666; }
.note { white-space: pre-wrap; border-left: 3px solid #ccc; padding-left: .6rem; }
ul { padding-left: 1.25rem; }
li { margin: .15rem 0; white-space: pre-wrap; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section, table, svg, .cols > div { break-inside: avoid; page-break-inside: avoid; }
  th { background: none; }
  .cols { gap: 1rem; }
}
@media (max-width: 40rem) { .cols { grid-template-columns: 1fr; } }
"""


def _h(text: str) -> str:
    return escape(text, quote=True)


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_h(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_h(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page: inline CSS and SVG, nothing fetched,
    laid out to print well."""
    parts: list[str] = [
        "<!DOCTYPE html>",
        # The language the page is written in (the interface's), not the tandem's.
        f'<html lang="{_h(base_language(current_language()))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="rmpair">',
        f"<title>{_h(_title(report))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<h1 id="title">{_h(_title(report))}</h1>',
        f'<p class="meta">{_h(_generated(report))}</p>',
        "</header>",
        '<section id="glance">',
        f"<h2>{_h(_('At a glance'))}</h2>",
        '<dl class="glance">',
    ]
    parts += [f"<dt>{_h(label)}</dt><dd>{_h(value)}</dd>" for label, value in summary_rows(report)]
    parts += ["</dl>", "</section>"]

    parts += ['<section id="charts">', f"<h2>{_h(_('Pictures'))}</h2>"]
    parts.append(svg_line_chart(report.ratings_chart()))
    parts.append(svg_bar_chart(report.category_chart()))
    parts.append("</section>")

    parts += ['<section id="sessions">', f"<h2>{_h(_('Sessions'))}</h2>"]
    if report.sessions:
        parts.append(_html_table(*session_table(report)))
    else:
        parts.append(f"<p>{_h(_('No sessions yet.'))}</p>")
    parts.append("</section>")

    parts += ['<section id="topics">', f"<h2>{_h(_('Topics covered'))}</h2>"]
    if report.covered:
        parts.append(
            _html_table(
                [_("Topic"), _("Category")],
                [[t.title, category_label(t.category)] for t in report.covered],
            )
        )
    else:
        parts.append(f"<p>{_h(_('No topic covered yet.'))}</p>")
    parts.append("</section>")

    parts += [
        '<section id="learnings">',
        f"<h2>{_h(_('What we learned'))}</h2>",
        '<div class="cols">',
    ]
    for role in ROLES:
        mine = [lr for lr in report.learnings if lr.role is role]
        parts.append(f"<div><h3>{_h(report.who(role))}</h3>")
        if mine:
            parts.append(
                "<ul>"
                + "".join(f"<li>{_h(_day(lr.day))}: {_h(lr.text)}</li>" for lr in mine)
                + "</ul>"
            )
        else:
            parts.append(f'<p class="muted">{_h(_("Nothing recorded."))}</p>')
        parts.append("</div>")
    parts += ["</div>", "</section>"]

    parts += ['<section id="actions">', f"<h2>{_h(_('Action items'))}</h2>", '<div class="cols">']
    # "open" as a state (German "offen"): the capitalised msgid "Open" is the verb
    # of the app's footer (German "Öffnen").
    still_open = _("open").capitalize()
    for heading, items in ((_("Done"), report.actions_done), (still_open, report.actions_open)):
        parts.append(f"<div><h3>{_h(heading)}</h3>")
        if items:
            rows = []
            for a in items:
                due = _(", due {day}").format(day=_day(a.due)) if a.due else ""
                mark = "☑" if a.done else "☐"
                rows.append(
                    f'<li><span class="{"done" if a.done else ""}">{mark}</span> {_h(a.text)} '
                    f'<span class="muted">({_h(role_label(a.owner) + due)})</span></li>'
                )
            parts.append("<ul>" + "".join(rows) + "</ul>")
        else:
            parts.append(f'<p class="muted">{_h(_("None."))}</p>')
        parts.append("</div>")
    parts += ["</div>", "</section>"]

    parts += ['<section id="ratings">', f"<h2>{_h(_('Ratings over time'))}</h2>"]
    if report.ratings:
        parts.append(
            _html_table(
                [_("Date"), _("Mentor"), _("Mentee")],
                [[p.label, _rating(p.mentor), _rating(p.mentee)] for p in report.ratings],
            )
        )
    parts.append(
        "<p>"
        + _h(
            _("Average: mentor {mentor}, mentee {mentee}; trend: {trend}.").format(
                mentor=_rating(report.averages["mentor"]),
                mentee=_rating(report.averages["mentee"]),
                trend=trend_label(report.trend),
            )
        )
        + "</p></section>"
    )

    parts += ['<section id="assessment">', f"<h2>{_h(_('Self-assessment of the mentee'))}</h2>"]
    if report.assessment:
        parts.append(
            _html_table(
                [_("Topic"), _("Before"), _("After"), _("Change")],
                [
                    [r.title, _rating(r.before), _rating(r.after), _signed(r.change)]
                    for r in report.assessment
                ],
            )
        )
    else:
        parts.append(f'<p class="muted">{_h(_("No self-assessment recorded."))}</p>')
    parts.append("</section>")

    for n, (heading, answers) in enumerate(_stages(report)):
        section = "checkin" if n == 0 else "closing"
        parts += [f'<section id="{section}">', f"<h2>{_h(heading)}</h2>", '<div class="cols">']
        for role in ROLES:
            given = answers.get(role)
            answered = answer_rows(given) if given is not None else []
            parts.append(f"<div><h3>{_h(report.who(role))}</h3>")
            if answered:
                parts.append(
                    '<dl class="answers">'
                    + "".join(f"<dt>{_h(q)}</dt><dd>{_h(a)}</dd>" for q, a in answered)
                    + "</dl>"
                )
            else:
                parts.append(f'<p class="muted">{_h(_("Not answered yet."))}</p>')
            parts.append("</div>")
        parts += ["</div>", "</section>"]

    parts += ['<section id="recommendations">', f"<h2>{_h(_('Recommendations'))}</h2>"]
    if report.recommendations:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{_h(r.text)} "
                f'<span class="muted">({_h(_source_label(report, r.source))})</span></li>'
                for r in report.recommendations
            )
            + "</ul>"
        )
    else:
        parts.append(f'<p class="muted">{_h(_("None yet."))}</p>')
    parts.append("</section>")

    if report.with_notes:
        parts += ['<section id="notes">', f"<h2>{_h(_('Shared notes'))}</h2>"]
        any_notes = False
        for line in report.sessions:
            if not line.notes:
                continue
            any_notes = True
            parts.append(f"<h3>{_h(_moment(line.start))} {_h(line.title)}</h3>")
            for note in line.notes:
                parts.append(
                    f'<p class="muted">{_h(report.who(note.author))}</p>'
                    f'<div class="note">{_h(note.text.strip())}</div>'
                )
        if not any_notes:
            parts.append(f'<p class="muted">{_h(_("No shared notes."))}</p>')
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
