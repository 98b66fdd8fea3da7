"""Server-drawn SVG charts: the coordinates are computed here, in Python, and drawn by the
templates in core/templates/core/charts/ (`{% load charts %}`: `line_chart`, `bar_chart`,
`heatmap`). No JavaScript and no inline style (the CSP allows neither): colours are classes.

Every chart carries its own data table (`Table`), shown beside it for screen readers and for
anyone who wants the numbers. The drawing scales with its viewBox; the sizes below are chosen
so text stays readable at a 390 px wide phone screen.

Values are shares (0..1, drawn as percentages) unless a chart is told otherwise.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

WIDTH = 360  # viewBox width: about 1:1 on a phone, scaled up on wider screens
FONT = 11  # text size in viewBox units
LINE_HEIGHT = 14


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Tick:
    at: float  # x or y in viewBox units
    label: str


@dataclass
class Dot:
    x: float
    y: float
    title: str


@dataclass
class Line:
    name: str
    css: str  # "actual", "expected", "rate", … (a class: the stylesheet colours it)
    points: str  # "x,y x,y …" for <polyline>
    dots: list[Dot] = field(default_factory=list)
    dashed: bool = False


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    table: Table
    label: str
    marker: Tick | None = None  # a vertical line, e.g. today


def _share(value) -> float | None:
    return None if value is None else max(0.0, min(1.0, float(value)))


def percent(value) -> str:
    return "—" if value is None else f"{round(float(value) * 100)}%"


def line_chart(
    *,
    label: str,
    x_labels: list[str],
    series: list[tuple[str, str, list[float | None]]],
    table: Table,
    marker_index: int | None = None,
    dotted: tuple[str, ...] = (),
    dashed: tuple[str, ...] = (),
    height: int = 170,
) -> LineChart:
    """Lines of shares over evenly spaced x positions (weeks). `series` is (name, css class,
    values); a value None has no point (a week not yet come, or no data: the line joins the
    points either side of it); the series named in
    `dotted` mark each point with a dot (one <circle> per value)."""
    left, right, top, bottom = 34, 10, 10, 22
    n = max(len(x_labels), 1)
    plot_w = WIDTH - left - right
    plot_h = height - top - bottom
    step = plot_w / (n - 1) if n > 1 else 0

    def x_of(i: int) -> float:
        return round(left + (i * step if n > 1 else plot_w / 2), 1)

    def y_of(v: float) -> float:
        return round(top + plot_h * (1 - v), 1)

    lines = []
    for name, css, values in series:
        coords, dots = [], []
        for i, raw in enumerate(values):
            v = _share(raw)
            if v is None:
                continue
            x, y = x_of(i), y_of(v)
            coords.append(f"{x},{y}")
            if css in dotted:
                dots.append(Dot(x, y, f"{name} · {x_labels[i]}: {percent(v)}"))
        lines.append(Line(name, css, " ".join(coords), dots, css in dashed))
    # label at most ~7 weeks so they never overlap at phone width
    every = max(1, -(-n // 7))
    x_ticks = [Tick(x_of(i), text) for i, text in enumerate(x_labels) if i % every == 0]
    y_ticks = [Tick(y_of(p / 100), f"{p}%") for p in (0, 50, 100)]
    marker = None
    if marker_index is not None and 0 <= marker_index < n:
        marker = Tick(x_of(marker_index), x_labels[marker_index])
    return LineChart(
        WIDTH, height, left, WIDTH - right, top, top + plot_h, lines, x_ticks, y_ticks, table,
        label, marker,
    )  # fmt: skip


@dataclass
class HBar:
    label_lines: list[tuple[float, str]]  # (y, text): the whole label, wrapped
    y: float
    width: float
    value_text: str
    value_x: float
    css: str
    marker_x: float | None = None  # e.g. the expected pace


@dataclass
class BarChart:
    width: int
    height: int
    left: int
    right: int
    bar_height: int
    plot_width: float
    bars: list[HBar]
    table: Table
    label: str
    grid: list[Tick]


def wrap(text: str, width: int = 52) -> list[str]:
    """A label in lines that fit the chart's width, never cut."""
    return textwrap.wrap(str(text), width=width, break_long_words=False) or [""]


def bar_chart(
    *,
    label: str,
    rows: list[tuple[str, float, str]],
    table: Table,
    markers: list[float | None] | None = None,
) -> BarChart:
    """Horizontal bars of shares, full width, each with its whole label above it (wrapped when
    long): `rows` are (label, share, css class). `markers` (optional, one per row) draw a tick,
    e.g. where the bar is expected to be."""
    left, right, bar_h, gap = 4, 44, 14, 8
    plot_w = WIDTH - left - right
    bars, y = [], 4
    for i, (text, value, css) in enumerate(rows):
        lines = []
        for line in wrap(text):
            y += LINE_HEIGHT
            lines.append((y - 3, line))
        share = _share(value) or 0.0
        marker = (markers or [None] * len(rows))[i]
        bars.append(
            HBar(
                label_lines=lines,
                y=y,
                width=round(plot_w * share, 1),
                value_text=percent(share),
                value_x=round(left + plot_w + 4, 1),
                css=css,
                marker_x=None if marker is None else round(left + plot_w * _share(marker), 1),
            )
        )
        y += bar_h + gap
    grid = [Tick(round(left + plot_w * p / 100, 1), f"{p}%") for p in (0, 50, 100)]
    return BarChart(WIDTH, max(y, 20), left, right, bar_h, plot_w, bars, table, label, grid)


@dataclass
class HeatCell:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str
    text: str


@dataclass
class HeatRow:
    label_y: float
    label: str
    cells: list[HeatCell]


@dataclass
class Heatmap:
    width: int
    height: int
    rows: list[HeatRow]
    columns: list[Tick]
    table: Table
    label: str


def heat_class(value: float | None) -> str:
    """Worse is red, better is green: h0 (under 25 %) … h3 (75 % and more); "none" for no data."""
    if value is None:
        return "none"
    if value < 0.25:
        return "h0"
    if value < 0.5:
        return "h1"
    if value < 0.75:
        return "h2"
    return "h3"


def heatmap(
    *,
    label: str,
    columns: list[str],
    rows: list[tuple[str, list[float | None]]],
    table: Table,
) -> Heatmap:
    """Rows × columns of shares (units × weeks), each row's whole name above its cells so the
    cells can use the full width."""
    n = max(len(columns), 1)
    left, top, cell_h, gap = 4, 16, 18, 2
    cell_w = (WIDTH - left) / n
    out, y = [], top
    for name, values in rows:
        y += LINE_HEIGHT
        label_y = y - 3
        cells = []
        for i, v in enumerate(values):
            cells.append(
                HeatCell(
                    x=round(left + i * cell_w, 1),
                    y=y,
                    width=round(cell_w - gap, 1),
                    height=cell_h,
                    css=heat_class(v),
                    title=f"{name} · {columns[i]}: {percent(v)}",
                    text="" if v is None else str(round(v * 100)),
                )
            )
        out.append(HeatRow(label_y, name, cells))
        y += cell_h + gap
    ticks = [Tick(round(left + (i + 0.5) * cell_w, 1), text) for i, text in enumerate(columns)]
    return Heatmap(WIDTH, y + 2, out, ticks, table, label)
