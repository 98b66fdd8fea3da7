"""Each key result's burn-up: its measurements as they were true at the end of each week of the
cycle (by effective time), as progress, against its expected pace (goals/metrics.py through
`KeyResult.expected_progress`). One query for any number of key results."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from core import charts
from goals.models import KeyResult, Measurement, fmt_number

MAX_WEEKS = 27  # a half-year cycle week by week; longer cycles are sampled


def _week_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of each week from `start` to `end` (the last one is `end` itself)."""
    first = start - dt.timedelta(days=start.weekday()) + dt.timedelta(days=6)
    days = []
    day = first
    while day < end:
        days.append(day)
        day += dt.timedelta(days=7)
    days.append(end)
    if len(days) > MAX_WEEKS:
        step = -(-len(days) // MAX_WEEKS)
        days = days[::-step][::-1]  # keep the last (due) day
    return days


def _measurement_series(ids: list[int]) -> dict[int, list[tuple[dt.datetime, object]]]:
    series: dict[int, list[tuple[dt.datetime, object]]] = defaultdict(list)
    for kr_id, at, value in (
        Measurement.objects.filter(key_result_id__in=ids)
        .order_by("key_result_id", "effective_at", "recorded_at", "pk")
        .values_list("key_result_id", "effective_at", "value")
    ):
        series[kr_id].append((at, value))
    return series


def burnup_chart(kr: KeyResult, points, *, today: dt.date) -> charts.LineChart:
    """One key result's burn-up from its measurements (`points`: (effective_at, value), oldest
    first). Weeks after today have only the expected pace; today's point is the current value."""
    start = kr.goal.pace_start
    due = max(kr.due, start)
    days = _week_ends(start, due)
    times = [at for at, _v in points]
    actual, expected, rows = [], [], []
    reached_today = False
    for day in days:
        exp = kr.expected_progress(day)
        expected.append(exp)
        on = min(day, today)
        if reached_today or on < start:
            actual.append(None)
            rows.append([day.isoformat(), "—", "—", charts.percent(exp)])
            continue
        reached_today = day >= today
        cutoff = timezone.make_aware(dt.datetime.combine(on, dt.time.max))
        i = bisect_right(times, cutoff)
        value = points[i - 1][1] if i else kr.start_value
        progress = kr.compute_progress(value)
        actual.append(progress)
        rows.append(
            [
                on.isoformat(),
                fmt_number(value),
                charts.percent(progress),
                charts.percent(kr.expected_progress(on)),
            ]
        )
    today_index = next((i for i, d in enumerate(days) if d >= today), None)
    labels = [f"{d:%d/%m}" for d in days]
    actual_name, expected_name = _("Actual"), _("Expected pace")
    return charts.line_chart(
        label=_("Burn-up of %(name)s against its expected pace") % {"name": kr.name},
        x_labels=labels,
        series=[(expected_name, "expected", expected), (actual_name, "actual", actual)],
        dotted=("actual",),
        dashed=("expected",),
        marker_index=today_index,
        table=charts.Table(
            caption=_("Burn-up of %(name)s") % {"name": kr.name},
            headers=[_("Date"), _("Value"), _("Progress"), _("Expected")],
            rows=rows,
        ),
    )


def burnup_charts(
    key_results, *, today: dt.date | None = None
) -> list[tuple[KeyResult, charts.LineChart]]:
    """Each key result (with `goal__cycle` loaded) and its burn-up chart: one query for all
    their measurements."""
    today = today or timezone.localdate()
    krs = list(key_results)
    series = _measurement_series([kr.pk for kr in krs]) if krs else {}
    return [(kr, burnup_chart(kr, series.get(kr.pk, []), today=today)) for kr in krs]
