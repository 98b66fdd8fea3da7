"""`{% chart c %}`: draws a chart built by core.charts (line, bar or heatmap) with its table."""

from django import template
from django.template.loader import render_to_string

from core.charts import BarChart, Heatmap, LineChart

register = template.Library()

TEMPLATES = {
    LineChart: "core/charts/line.html",
    BarChart: "core/charts/bars.html",
    Heatmap: "core/charts/heatmap.html",
}


@register.simple_tag
def chart(c, css: str = ""):
    """The chart's SVG and, beside it, its data table; nothing for no chart."""
    if c is None:
        return ""
    return render_to_string(TEMPLATES[type(c)], {"chart": c, "css": css})
