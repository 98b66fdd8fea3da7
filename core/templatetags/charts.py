"""`{% chart c %}`: draws a chart built by core.charts (line, bar or heatmap) with its table;
`{% chart_table c.table %}`: a chart's numbers as a table."""

from django import template
from django.template.loader import render_to_string

from core.chart_markup import line_markup, table_markup
from core.charts import BarChart, Heatmap, LineChart

register = template.Library()

TEMPLATES = {
    BarChart: "core/charts/bars.html",
    Heatmap: "core/charts/heatmap.html",
}


@register.simple_tag
def chart(c, css: str = ""):
    """The chart's SVG and, beside it, its data table; nothing for no chart. Line charts are
    written in Python (core.chart_markup: a page draws many burn-ups), the others from their
    templates."""
    if c is None:
        return ""
    if isinstance(c, LineChart):
        return line_markup(c, css)
    return render_to_string(TEMPLATES[type(c)], {"chart": c, "css": css})


@register.simple_tag
def chart_table(table):
    return table_markup(table)
