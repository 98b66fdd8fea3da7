"""Week-by-week series from check-ins, for the charts of the manager dashboard, the weekly
review and the company overview. Each is a fixed number of queries whatever the number of
people, key results or units."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from core import charts
from org.models import Person
from tracking.models import CheckIn, week_start


def weeks_up_to(week: dt.date, *, count: int = 12) -> list[dt.date]:
    """The `count` weeks (Mondays) ending with `week`'s, oldest first."""
    last = week_start(week)
    return [last - dt.timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def team_trend(*, people, size: int, weeks: list[dt.date]) -> list[dict]:
    """Per week: how many of the team (`people`: a queryset or list of people, `size` of them)
    submitted a check-in, that share, and the average key-result progress they reported
    (None for a week without any). One query."""
    if not weeks:
        return []
    submitted, progress = {}, {}
    for week, n, avg in (
        CheckIn.objects.filter(person__in=people, state=CheckIn.State.SUBMITTED, week__in=weeks)
        .values("week")
        .annotate(n=Count("pk", distinct=True), avg=Avg("updates__progress"))
        .values_list("week", "n", "avg")
    ):
        submitted[week], progress[week] = n, avg
    return [
        {
            "week": w,
            "submitted": submitted.get(w, 0),
            "rate": (submitted.get(w, 0) / size) if size else 0.0,
            "progress": progress.get(w),
        }
        for w in weeks
    ]


def team_trend_chart(rows: list[dict], *, size: int) -> charts.LineChart | None:
    """The team's reported progress and check-in rate, week by week."""
    if not rows:
        return None
    progress_name, rate_name = _("Average progress reported"), _("Checked in")
    return charts.line_chart(
        label=_("The team's progress and check-ins by week"),
        x_labels=[f"{r['week']:%V}" for r in rows],
        series=[
            (progress_name, "actual", [r["progress"] for r in rows]),
            (rate_name, "rate", [r["rate"] for r in rows]),
        ],
        dotted=("actual", "rate"),
        table=charts.Table(
            caption=_("The team's progress and check-ins by week"),
            headers=[_("Week"), progress_name, rate_name, _("Check-ins")],
            rows=[
                [
                    f"{r['week']:%G-W%V}",
                    charts.percent(r["progress"]),
                    charts.percent(r["rate"]),
                    f"{r['submitted']} / {size}",
                ]
                for r in rows
            ],
        ),
    )


def unit_check_in_rates(units, *, weeks: list[dt.date]) -> list[tuple[object, list[float]]]:
    """Per unit (each with its whole subtree) and week: the share of its active people who
    submitted a check-in that week, as the company overview counts this week's completion.
    Two queries whatever the number of units and people."""
    if not units or not weeks:
        return []

    def bucket(path: str):
        return next((u for u in units if path and path.startswith(u.path)), None)

    people: dict[int, int] = defaultdict(int)
    for r in Person.objects.filter(is_active=True).values("unit__path").annotate(n=Count("pk")):
        unit = bucket(r["unit__path"])
        if unit:
            people[unit.pk] += r["n"]
    done: dict[tuple[int, dt.date], int] = defaultdict(int)
    for r in (
        CheckIn.objects.filter(week__in=weeks, state=CheckIn.State.SUBMITTED)
        .values("person__unit__path", "week")
        .annotate(n=Count("pk"))
    ):
        unit = bucket(r["person__unit__path"])
        if unit:
            done[(unit.pk, r["week"])] += r["n"]
    return [
        (u, [(done[(u.pk, w)] / people[u.pk]) if people[u.pk] else 0.0 for w in weeks])
        for u in units
    ]


def unit_heatmap(units, *, weeks: list[dt.date]) -> charts.Heatmap | None:
    """Units × weeks of check-in rates: red is few, green is most."""
    rows = unit_check_in_rates(units, weeks=weeks)
    if not rows:
        return None
    return charts.heatmap(
        label=_("Check-in rate by unit and week"),
        columns=[f"{w:%V}" for w in weeks],
        rows=[(u.name, values) for u, values in rows],
        table=charts.Table(
            caption=_("Check-in rate by unit and week"),
            headers=[_("Unit"), *[f"{w:%G-W%V}" for w in weeks]],
            rows=[[u.name, *[charts.percent(v) for v in values]] for u, values in rows],
        ),
    )
