"""The programme's report: the figures at a glance, two charts, then everything else.

The pictures people would rather look at than read come first: how both sides rated
the sessions over time, and which categories the covered topics came from. They are
drawn in character cells to the window's width from the chart data of
``rmpair.report.charts``, the same data the HTML report draws as SVG. The report is built
on the journal's thread (it reads every record) and shown when it is ready. Private
notes are never in it; shared notes only after ``n``. ``w`` saves it as a file.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text
from rmpair.screens.base import Context, JournalScreen, start_worker, with_nav
from rmpair.screens.forms import Field, FormScreen, Work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from rmpair.domain.evaluation import parse_gains, question, tristate_label
from rmpair.errors import ReadOnlyError, UserError
from rmpair.i18n import N_, _
from rmpair.model.lifecycle import GAIN_KEYS, TRISTATE, Evaluation, Stage
from rmpair.model.records import Role
from rmpair.report.build import build_report
from rmpair.report.charts import (
    BOTH,
    MENTEE_COLOUR,
    MENTOR_COLOUR,
    BarChart,
    LineChart,
    text_bars,
    text_plot,
)
from rmpair.report.formats import EXTENSIONS, render
from rmpair.report.model import Report
from rmpair.report.terminal import render_rich_body, render_rich_head

if TYPE_CHECKING:
    from rmpair.journal import Journal

SERIES_STYLES = {"mentor": f"bold {MENTOR_COLOUR}", "mentee": f"bold {MENTEE_COLOUR}"}
BAR_ROOM = 40  # the longest bar, in cells, on a wide window
DEFAULT_NAME = "rmpair-report"


class ChartView(Widget):
    """One chart drawn in text, as wide as the widget (it redraws on resize)."""

    DEFAULT_CSS = """
    ChartView { height: auto; padding: 0 1; margin-bottom: 1; }
    """

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.chart: LineChart | BarChart | None = None

    def set_chart(self, chart: LineChart | BarChart) -> None:
        self.chart = chart
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        """The chart's title and drawing for ``width`` cells."""
        chart = self.chart
        if chart is None:
            return []
        lines = [Text(chart.title, style="bold")]
        if isinstance(chart, BarChart):
            labels = max((len(bar.label) for bar in chart.bars), default=0)
            room = max(min(BAR_ROOM, width - labels - 6), 4)
            lines += [Text(line) for line in text_bars(chart, room)]
            return lines
        plot = text_plot(chart, width)
        styles = {mark: SERIES_STYLES.get(key, "bold") for mark, key in plot.markers.items()}
        styles[BOTH] = "bold"
        for line in plot.lines:
            text = Text(line)
            for index, char in enumerate(line):
                if char in styles:
                    text.stylize(styles[char], index, index + 1)
            lines.append(text)
        return lines

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.content_size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))


def report_file(path_text: str, fmt: str) -> Path:
    """Where to save: the path given, its extension following the chosen format, so the
    file opens in the right program ("report.html" saved as Markdown is "report.md",
    "report" and "report.v2" get ".md" added)."""
    path = Path(path_text.strip() or f"{DEFAULT_NAME}.{fmt}").expanduser()
    if path.is_dir():
        return path / f"{DEFAULT_NAME}.{fmt}"
    if EXTENSIONS.get(path.suffix.lower()) == fmt:
        return path
    if path.suffix.lower() in EXTENSIONS:
        return path.with_suffix(f".{fmt}")
    return path.with_name(f"{path.name}.{fmt}")


def evaluation_fields(answers: Evaluation, *, mentor: bool) -> list[Field]:
    """The questions of a check-in or closing evaluation, filled with ``answers``."""
    unset = ("–", "")
    scale = (unset, *((str(n), str(n)) for n in range(1, 6)))
    tristate = (unset, *((tristate_label(v), v) for v in TRISTATE))
    fields = [
        Field("satisfaction", question("satisfaction"), str(answers.satisfaction or ""), scale),
        *(
            Field(name, question(name), getattr(answers, name), multiline=True)
            for name in ("learned", "skills", "worked", "change")
        ),
        Field("relationship", question("relationship"), answers.relationship, tristate),
        Field(
            "wants_to_continue", question("wants_to_continue"), answers.wants_to_continue, tristate
        ),
    ]
    if mentor:  # what the junior gained: the method counts it as a result too
        fields += [
            Field(
                "gains",
                question("gains"),
                ", ".join(answers.gains),
                placeholder=", ".join(GAIN_KEYS),
            ),
            Field("gains_other", _("Anything else you gained?"), answers.gains_other),
        ]
    return fields


def evaluation_work(stage: Stage, values: dict[str, str], *, mentor: bool) -> Work[bool]:
    """The form's answers as a journal change (a wrong gain is reported in the form)."""
    satisfaction = values["satisfaction"]
    answers: dict[str, Any] = {
        "satisfaction": int(satisfaction) if satisfaction else None,
        **{
            name: values[name] for name in ("learned", "skills", "worked", "change", "relationship")
        },
        "wants_to_continue": values["wants_to_continue"],
    }
    if mentor:
        answers["gains"] = parse_gains([values["gains"]], question("gains"))
        answers["gains_other"] = values["gains_other"]
    return lambda journal: journal.evaluation.record_evaluation(stage, **answers)


class ReportScreen(JournalScreen):
    """The report of the programme so far, with its charts."""

    NAME = "report"
    BINDINGS = with_nav(
        [
            Binding("w", "save", N_("Save as file")),
            Binding("c", "evaluate('checkin')", N_("Mid-point check-in")),
            Binding("e", "evaluate('closing')", N_("Closing evaluation")),
            Binding("n", "notes", N_("Shared notes on/off")),
        ]
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.with_notes = False
        self.report: Report | None = None
        self.builds = 0  # numbers the report builds; only the newest one is shown

    def body(self) -> ComposeResult:
        with VerticalScroll(id="report"):
            yield Static(_("Building the report…"), id="report-head", classes="section")
            yield ChartView(id="ratings-chart")
            yield ChartView(id="categories-chart")
            yield Static(id="report-body", classes="section")

    def on_mount(self) -> None:
        self.query_one("#report", VerticalScroll).focus()

    def show(self) -> None:
        with_notes, now = self.with_notes, self.ctx.now()
        self.builds += 1
        start_worker(self, partial(self._build, with_notes, now, self.builds), "report")

    async def _build(self, with_notes: bool, now: dt.datetime, build_number: int) -> None:
        def build(journal: Journal) -> Report:
            return build_report(journal, with_notes=with_notes, now=now)

        try:
            report = await self.ctx.jobs.run(self.journal, build)
        except (UserError, ReadOnlyError, OSError) as exc:
            self.query_one("#report-head", Static).update(Text(str(exc)))
            return
        if build_number == self.builds:  # an older build finished late: the newer one shows
            self.fill(report)

    def fill(self, report: Report) -> None:
        self.report = report
        self.query_one("#report-head", Static).update(render_rich_head(report))
        self.query_one("#ratings-chart", ChartView).set_chart(report.ratings_chart())
        self.query_one("#categories-chart", ChartView).set_chart(report.category_chart())
        body: RenderableType = render_rich_body(report)
        self.query_one("#report-body", Static).update(Group(body))

    def action_notes(self) -> None:
        self.with_notes = not self.with_notes
        self.app.notify(
            _("Shared notes are shown; private notes never are.")
            if self.with_notes
            else _("Shared notes are hidden.")
        )
        self.show()

    def action_evaluate(self, stage_name: str) -> None:
        """Answer (or change) my own check-in or closing evaluation; the partner answers
        on their device, and both appear in the report."""
        stage = Stage(stage_name)
        with self.ctx.jobs.lock:
            mine = self.journal.evaluation.of(stage, self.journal.my_role)
            mentor = self.journal.my_role is Role.MENTOR
        form: FormScreen[bool] = FormScreen(
            self.ctx,
            _("Mid-point check-in") if stage is Stage.CHECKIN else _("Closing evaluation"),
            evaluation_fields(mine or Evaluation(id="", stage=stage), mentor=mentor),
            partial(evaluation_work, stage, mentor=mentor),
            intro=_("Your own answers; your partner gives theirs on their device."),
        )

        def saved(changed: bool | None) -> None:
            if changed is not None:
                self.app.notify(_("Your answers are saved.") if changed else _("Nothing changed."))

        self.app.push_screen(form, saved)

    def action_save(self) -> None:
        def build(values: dict[str, str]) -> Work[str]:
            fmt = values["format"]
            path = report_file(values["path"], fmt)
            with_notes = values["notes"] == "with"
            now = self.ctx.now()

            def save(journal: Journal) -> str:
                text = render(build_report(journal, with_notes=with_notes, now=now), fmt)
                target = journal.calendar.write_export(
                    text.encode("utf-8"), path, default_name=f"{DEFAULT_NAME}.{fmt}"
                )
                return _("Wrote the report to {path}.").format(path=target)

            return save

        form: FormScreen[str] = FormScreen(
            self.ctx,
            _("Save the report as a file"),
            [
                Field("path", _("File"), str(Path.home() / f"{DEFAULT_NAME}.html")),
                Field(
                    "format",
                    _("Format"),
                    "html",
                    (
                        (_("HTML: one file with the charts, prints well"), "html"),
                        (_("Markdown"), "md"),
                        (_("JSON"), "json"),
                    ),
                ),
                Field(
                    "notes",
                    _("Shared notes"),
                    "with" if self.with_notes else "without",
                    (
                        (_("without the shared notes"), "without"),
                        (_("with the shared notes (never the private ones)"), "with"),
                    ),
                ),
            ],
            build,
            intro=_("The file stays on this computer; share it with your partner as you like."),
            save_label=_("Save"),
        )

        def saved(text: str | None) -> None:
            if text:
                self.app.notify(text, timeout=8)

        self.app.push_screen(form, saved)
