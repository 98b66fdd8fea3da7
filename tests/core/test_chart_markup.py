"""Line charts and chart tables are written in Python (core.chart_markup), not through the
template engine: the markup is the templates' own, character for character, in English and
Chinese, with and without a marker, dashes, dots and values to escape."""

from pathlib import Path

import pytest
from django.template import Context, Engine
from django.utils import translation

from core import charts
from core.chart_markup import line_markup, table_markup

# The templates the markup replaced (core/templates/core/charts/line.html and _table.html,
# the include marked __TABLE__).
REFERENCE = Path(__file__).parent / "reference"
LINE = (REFERENCE / "line.html").read_text()
TABLE = (REFERENCE / "_table.html").read_text()
ENGINE = Engine(libraries={"i18n": "django.templatetags.i18n"})


def _by_template(chart, css=""):
    context = Context({"chart": chart, "css": css})
    table = ENGINE.from_string(TABLE).render(context)
    return ENGINE.from_string(LINE).render(context).replace("__TABLE__", table)


def _charts():
    table = charts.Table(
        caption="Progress <by> week",
        headers=["Week", "Actual & co", "Expected"],
        rows=[["2026-W46", "40%", "50%"], ["2026-W47", "—", "<b>"]],
    )
    yield charts.line_chart(
        label="Burn-up of “Leads” <script>",
        x_labels=[f"W{n}" for n in range(1, 14)],
        series=[
            ("Actual", "actual", [0.1, None, 0.35, 0.5, None, None] + [None] * 7),
            ("Expected", "expected", [n / 12 for n in range(13)]),
            ("Rate & more", "rate", [1.0, 0.5, 0.0, 1.2, -1] + [None] * 8),
        ],
        table=table,
        marker_index=3,
        dotted=("actual", "rate"),
        dashed=("expected",),
    )
    yield charts.line_chart(
        label="Empty", x_labels=["only"], series=[("None yet", "actual", [None])], table=table
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_line_markup_is_the_templates_markup(language):
    with translation.override(language):
        for chart in _charts():
            for css in ("", "wide <x>"):
                assert line_markup(chart, css) == _by_template(chart, css)


def test_table_markup_is_the_templates_markup():
    chart = next(_charts())
    with translation.override("zh-hans"):
        assert table_markup(chart.table) == ENGINE.from_string(TABLE).render(
            Context({"chart": chart})
        )
