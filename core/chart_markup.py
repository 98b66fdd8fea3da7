"""The markup of a line chart and of a chart's data table, written directly rather than through
the template engine: a page of burn-ups (This week draws one per key result) renders each in
a fraction of the time. The output is the markup the templates drew, character for character
(tests/core/test_chart_markup.py compares the two)."""

from __future__ import annotations

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.charts import LineChart, Table


def _v(value) -> str:
    """A value as the template engine prints it: localized, escaped."""
    return conditional_escape(localize(value))


def table_markup(table: Table) -> SafeString:
    """The chart's numbers as a table, closed under "Show the numbers"."""
    head = "".join(
        f'<th scope="col"{"" if i == 0 else " class=" + chr(34) + "num" + chr(34)}>{_v(h)}</th>'
        for i, h in enumerate(table.headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{_v(cell)}</th>' if i == 0 else f'<td class="num">{_v(cell)}</td>'
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    return mark_safe(  # noqa: S308 - every value above is escaped
        "\n"
        '<details class="chart-table">\n'
        f"  <summary>{_v(_('Show the numbers'))}</summary>\n"
        '  <div class="table-wrap">\n'
        "    <table>\n"
        f'      <caption class="visually-hidden">{_v(table.caption)}</caption>\n'
        f"      <thead><tr>{head}</tr></thead>\n"
        f"      <tbody>{body}</tbody>\n"
        "    </table>\n"
        "  </div>\n"
        "</details>\n"
    )


def line_markup(chart: LineChart, css: str = "") -> SafeString:
    """A line chart's SVG, legend and table."""
    c = chart
    y_ticks = "".join(
        f'<line class="gridline" x1="{_v(c.left)}" x2="{_v(c.right)}" y1="{_v(t.at)}" '
        f'y2="{_v(t.at)}" /><text class="tick" x="{_v(c.left - 4)}" y="{_v(t.at)}" dy="4" '
        f'text-anchor="end">{_v(t.label)}</text>'
        for t in c.y_ticks
    )
    x_ticks = "".join(
        f'<text class="tick" x="{_v(t.at)}" y="{_v(c.height - 6)}" '
        f'text-anchor="middle">{_v(t.label)}</text>'
        for t in c.x_ticks
    )
    marker = (
        f'<line class="marker" x1="{_v(c.marker.at)}" x2="{_v(c.marker.at)}" '
        f'y1="{_v(c.top)}" y2="{_v(c.bottom)}" />'
        if c.marker
        else ""
    )
    lines = []
    for line in c.lines:
        dashed = " dashed" if line.dashed else ""
        polyline = (
            f'<polyline class="series {_v(line.css)}{dashed}" points="{_v(line.points)}">'
            f"<title>{_v(line.name)}</title></polyline>"
            if line.points
            else ""
        )
        dots = "".join(
            f'<circle class="dot {_v(line.css)}" cx="{_v(d.x)}" cy="{_v(d.y)}" r="3">'
            f"<title>{_v(d.title)}</title></circle>"
            for d in line.dots
        )
        lines.append(f"{polyline}\n    {dots}")
    legend = "".join(
        f'<span class="key {_v(line.css)}{" dashed" if line.dashed else ""}">'
        f"{_v(line.name)}</span> "
        for line in c.lines
    )
    svg = (
        f'<figure class="kchart line {_v(css)}">\n'
        f'  <svg viewBox="0 0 {_v(c.width)} {_v(c.height)}" role="img" '
        f'aria-label="{_v(c.label)}" preserveAspectRatio="xMidYMid meet">\n'
        f"    {y_ticks}\n"
        f"    {x_ticks}\n"
        f"    {marker}\n"
        f"    {''.join(lines)}\n"
        "</svg>\n"
        f'<figcaption class="legend small">{legend}</figcaption>\n'
        "</figure>\n"
    )
    return mark_safe(svg + table_markup(c.table) + "\n")  # noqa: S308 - every value is escaped
