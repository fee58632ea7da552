"""The report's pictures as data, as SVG and as text: nothing here reads the journal.

Two charts tell most of a programme's story: how both sides rated the sessions over
time, and which categories the covered topics came from (a mix of only technology
is one of the method's classic mistakes). ``ratings_chart`` and ``category_chart``
turn plain values into chart data that any front end can draw (the app will);
``svg_*`` draw them as self-contained SVG for the HTML report (generic fonts, no
external resources), and ``text_plot``/``text_bars`` draw them in character cells
(the app, the terminal report, Markdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from rmpair.i18n import _

# Colours that stay apart in colour and in greyscale print; the mentee's line is also
# dashed so a black-and-white printout still tells the two apart.
MENTOR_COLOUR = "#1f6f8b"
MENTEE_COLOUR = "#c0562a"
BAR_COLOUR = "#4c7a3d"
GRID_COLOUR = "#d0d0d0"
TEXT_COLOUR = "#222222"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


@dataclass(frozen=True)
class RatingPoint:
    """One held session's ratings (1-5) by each side; None where a side gave none."""

    session: str
    label: str  # what the x axis shows, e.g. the date
    mentor: int | None
    mentee: int | None
    short: str = ""  # the label where room is scarce (a text plot), e.g. without the year

    @property
    def mean(self) -> float | None:
        given = [r for r in (self.mentor, self.mentee) if r is not None]
        return sum(given) / len(given) if given else None


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a value (or a gap) per x position."""

    key: str
    name: str
    colour: str
    values: tuple[float | None, ...]
    dashed: bool = False


@dataclass(frozen=True)
class LineChart:
    """Values over ordered x positions on a fixed y scale."""

    title: str
    x_labels: tuple[str, ...]
    series: tuple[Series, ...]
    y_min: float
    y_max: float
    y_ticks: tuple[float, ...]
    x_short: tuple[str, ...] = ()  # shorter x labels for a text plot; empty: x_labels

    @property
    def empty(self) -> bool:
        return not any(v is not None for s in self.series for v in s.values)


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: float


@dataclass(frozen=True)
class BarChart:
    """Labelled counts, drawn as horizontal bars."""

    title: str
    bars: tuple[Bar, ...]

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


# -- chart data ---------------------------------------------------------------------


def ratings_chart(points: Sequence[RatingPoint]) -> LineChart:
    """Both sides' session ratings in session order, on the 1-5 scale."""
    return LineChart(
        title=_("Session ratings over time"),
        x_labels=tuple(p.label for p in points),
        series=(
            Series(
                "mentor",
                _("mentor"),
                MENTOR_COLOUR,
                tuple(None if p.mentor is None else float(p.mentor) for p in points),
            ),
            Series(
                "mentee",
                _("mentee"),
                MENTEE_COLOUR,
                tuple(None if p.mentee is None else float(p.mentee) for p in points),
                dashed=True,
            ),
        ),
        y_min=1.0,
        y_max=5.0,
        y_ticks=(1.0, 2.0, 3.0, 4.0, 5.0),
        x_short=tuple(p.short or p.label for p in points),
    )


def category_chart(counts: Sequence[tuple[str, str, int]]) -> BarChart:
    """Covered topics per category, from ``(key, label, count)`` in display order."""
    return BarChart(
        title=_("Topics covered by category"),
        bars=tuple(Bar(key, label, float(count)) for key, label, count in counts),
    )


# -- SVG ----------------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros (stable output)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _tick(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def svg_line_chart(chart: LineChart, *, width: int = 640, height: int = 280) -> str:
    """The chart as one ``<svg>`` element: y grid and ticks, a polyline with dots per
    series (a gap where a value is missing), x labels and a legend."""
    left, right, top, bottom = 40.0, 16.0, 36.0, 56.0
    inset = 28.0  # room for the first rotated date label left of the first point
    plot_w, plot_h = width - left - right, height - top - bottom
    count = len(chart.x_labels)
    span = chart.y_max - chart.y_min or 1.0

    def x_at(index: int) -> float:
        if count <= 1:
            return left + plot_w / 2
        return left + inset + (plot_w - 2 * inset) * index / (count - 1)

    def y_at(value: float) -> float:
        return top + plot_h * (1 - (value - chart.y_min) / span)

    title = escape(chart.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT} '
        f'font-size="12" aria-label="{title}">',
        f"<title>{title}</title>",
        f'<text x="{_num(left)}" y="18" font-size="14" font-weight="bold" '
        f'fill="{TEXT_COLOUR}">{title}</text>',
    ]
    for tick in chart.y_ticks:
        y = _num(y_at(tick))
        parts.append(
            f'<line x1="{_num(left)}" y1="{y}" x2="{_num(left + plot_w)}" y2="{y}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_num(left - 8)}" y="{y}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{TEXT_COLOUR}">{_tick(tick)}</text>'
        )
    # Long programmes have many sessions: label at most about a dozen of them.
    step = max(1, -(-count // 12))
    for index, label in enumerate(chart.x_labels):
        if index % step and index != count - 1:
            continue
        x, y = _num(x_at(index)), _num(top + plot_h + 16)
        parts.append(
            f'<text x="{x}" y="{y}" text-anchor="end" font-size="10" fill="{TEXT_COLOUR}" '
            f'transform="rotate(-30 {x} {y})">{escape(label)}</text>'
        )
    if chart.empty:
        parts.append(
            f'<text x="{_num(left + plot_w / 2)}" y="{_num(top + plot_h / 2)}" '
            f'text-anchor="middle" fill="{TEXT_COLOUR}">{escape(_("No ratings yet."))}</text>'
        )
    for series in chart.series:
        dash = ' stroke-dasharray="6 4"' if series.dashed else ""
        parts.append(f'<g class="series series-{escape(series.key)}">')
        run: list[str] = []
        runs: list[list[str]] = []
        for index, value in enumerate(series.values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{_num(x_at(index))},{_num(y_at(value))}")
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" '
                    f'stroke="{series.colour}" stroke-width="2.5"{dash}/>'
                )
        for index, value in enumerate(series.values):
            if value is None:
                continue
            label = escape(f"{series.name} {chart.x_labels[index]}: {_tick(value)}")
            parts.append(
                f'<circle cx="{_num(x_at(index))}" cy="{_num(y_at(value))}" r="4" '
                f'fill="{series.colour}"><title>{label}</title></circle>'
            )
        parts.append("</g>")
    legend_x = left + plot_w
    for n, series in enumerate(reversed(chart.series)):
        right_end = legend_x - n * 110
        dash = ' stroke-dasharray="6 4"' if series.dashed else ""
        parts.append(
            f'<line x1="{_num(right_end - 100)}" y1="14" x2="{_num(right_end - 76)}" y2="14" '
            f'stroke="{series.colour}" stroke-width="2.5"{dash}/>'
        )
        parts.append(
            f'<text x="{_num(right_end - 70)}" y="18" fill="{TEXT_COLOUR}">'
            f"{escape(series.name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_bar_chart(chart: BarChart, *, width: int = 640, bar_height: int = 26) -> str:
    """The chart as one ``<svg>`` element: one labelled horizontal bar per entry."""
    label_w, value_w, top, gap = 170.0, 40.0, 34.0, 8.0
    height = int(top + len(chart.bars) * (bar_height + gap) + 8)
    most = max((b.value for b in chart.bars), default=0.0) or 1.0
    room = width - label_w - value_w - 8
    title = escape(chart.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT} '
        f'font-size="12" aria-label="{title}">',
        f"<title>{title}</title>",
        f'<text x="0" y="18" font-size="14" font-weight="bold" fill="{TEXT_COLOUR}">{title}</text>',
    ]
    for n, bar in enumerate(chart.bars):
        y = top + n * (bar_height + gap)
        length = room * bar.value / most
        middle = _num(y + bar_height / 2)
        parts.append(
            f'<text x="{_num(label_w - 8)}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{TEXT_COLOUR}">{escape(bar.label)}</text>'
        )
        parts.append(
            f'<rect class="bar bar-{escape(bar.key)}" x="{_num(label_w)}" y="{_num(y)}" '
            f'width="{_num(length)}" height="{bar_height}" fill="{BAR_COLOUR}">'
            f"<title>{escape(bar.label)}: {_tick(bar.value)}</title></rect>"
        )
        parts.append(
            f'<text x="{_num(label_w + length + 6)}" y="{middle}" dominant-baseline="middle" '
            f'fill="{TEXT_COLOUR}">{_tick(bar.value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# -- text -----------------------------------------------------------------------------


def text_bars(chart: BarChart, width: int = 30) -> list[str]:
    """One line per bar: the label, a bar of block characters and the value."""
    most = max((b.value for b in chart.bars), default=0.0) or 1.0
    label_w = max((len(b.label) for b in chart.bars), default=0)
    lines: list[str] = []
    for bar in chart.bars:
        cells = round(width * bar.value / most)
        lines.append(
            f"{bar.label:<{label_w}}  {'█' * cells}{' ' if cells else ''}{_tick(bar.value)}"
        )
    return lines


# Markers of the text plot, one per series; where two series meet on one cell, BOTH.
PLOT_MARKERS = ("●", "▲", "■")
PLOT_STEP = 10  # the widest column of a text plot: room for a short date and a gap
BOTH = "◆"


@dataclass(frozen=True)
class TextPlot:
    """A line chart drawn in character cells: ``lines`` to print as they are, where each
    marker character stands for a series (``markers``: character -> series key)."""

    lines: tuple[str, ...]
    markers: dict[str, str]
    shown: int  # how many x positions are drawn (the last ones, when they do not all fit)


def text_plot(chart: LineChart, width: int) -> TextPlot:
    """The chart as a dot plot ``width`` cells wide: one row per y tick (top = highest),
    one column per x position, a marker per value, the x labels that fit below, and a
    legend. Too many positions for the width: the most recent ones are drawn."""
    markers = {PLOT_MARKERS[n % len(PLOT_MARKERS)]: s.key for n, s in enumerate(chart.series)}
    legend = "  ".join(
        f"{PLOT_MARKERS[n % len(PLOT_MARKERS)]} {s.name}" for n, s in enumerate(chart.series)
    )
    if len(chart.series) > 1:
        legend += "  " + _("{marker} both").format(marker=BOTH)
    if chart.empty:
        return TextPlot((_("No ratings yet."),), markers, 0)
    ticks = sorted(chart.y_ticks, reverse=True)
    label_w = max(len(_tick(t)) for t in ticks)
    plot_w = max(width - label_w - 3, 2)
    count = len(chart.x_labels)
    step = max(2, min(PLOT_STEP, plot_w // max(count, 1)))
    shown = min(count, plot_w // step)
    first = count - shown
    rows: dict[float, list[str]] = {t: [" "] * plot_w for t in ticks}
    for n, series in enumerate(chart.series):
        mark = PLOT_MARKERS[n % len(PLOT_MARKERS)]
        for index in range(first, count):
            value = series.values[index]
            if value is None:
                continue
            tick = min(ticks, key=lambda t: (abs(t - value), -t))
            column = (index - first) * step + step // 2
            cells = rows[tick]
            cells[column] = mark if cells[column] == " " else BOTH
    lines = [f"{_tick(t):>{label_w}} │ {''.join(rows[t]).rstrip()}".rstrip() for t in ticks]
    lines.append(" " * label_w + " └" + "─" * (shown * step + 1))
    # Labels below their column, left to right, each only where it does not touch the last.
    axis = [" "] * plot_w
    free = 0
    for index in range(first, count):
        column = (index - first) * step + step // 2
        label = (chart.x_short or chart.x_labels)[index]
        if column < free or column + len(label) > plot_w:
            continue
        axis[column : column + len(label)] = label
        free = column + len(label) + 2
    lines.append(" " * (label_w + 3) + "".join(axis).rstrip())
    if shown < count:
        lines.append(
            _("The last {shown} of {count} sessions; a wider window shows more.").format(
                shown=shown, count=count
            )
        )
    lines.append(legend)
    return TextPlot(tuple(lines), markers, shown)
