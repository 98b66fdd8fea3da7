"""The dashboard's charts, from the series the apps below compute (tracking.selectors.trends)
and from the numbers the pages already show, so a chart and its page cannot disagree. Kept
apart from the pages' data loading (team_data, company_data)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from core import charts
from goals.models import Cycle
from org.scopes import Viewer
from tracking.selectors import trends

from .team_data import cycle_weeks


def team_trend_chart(viewer, people, *, cycle: Cycle, today: dt.date):
    """The team's reported progress and check-in rate, week by week over the cycle, from the
    unit × week rollup read by the viewer's scope: the same numbers as the weekly review's
    chart for the same people and weeks (three queries at most, whatever the team size)."""
    size = people.count()
    rows = trends.managed_trend(Viewer.of(viewer), size=size, weeks=cycle_weeks(cycle, today))
    return trends.team_trend_chart(rows, size=size)


def company_charts(*, cascades: list[dict], completion: list[dict], units, cycle, today) -> dict:
    """The company overview's charts: progress by unit and this week's check-in completion by
    unit (from the rows the page already has: no query) and the unit × week check-in heatmap
    (two queries)."""
    unit_header = _("Unit")
    progress = charts.bar_chart(
        label=_("Average progress by unit"),
        rows=[(c["unit"].name, c["progress"], "") for c in cascades],
        table=charts.Table(
            caption=_("Average progress by unit"),
            headers=[unit_header, _("Average progress"), _("Goals")],
            rows=[
                [c["unit"].name, charts.percent(c["progress"]), str(c["goals"])] for c in cascades
            ],
        ),
    )
    done = charts.bar_chart(
        label=_("Check-in completion by unit this week"),
        rows=[(c["unit"].name, c["share"], charts.heat_class(c["share"])) for c in completion],
        table=charts.Table(
            caption=_("Check-in completion by unit this week"),
            headers=[unit_header, _("Completion"), _("Check-ins")],
            rows=[
                [c["unit"].name, charts.percent(c["share"]), f"{c['submitted']} / {c['people']}"]
                for c in completion
            ],
        ),
    )
    heat = trends.unit_heatmap(units, weeks=cycle_weeks(cycle, today))
    return {"progress": progress, "completion": done, "heatmap": heat}
