"""What the company overview shows: company goals, each department's cascade, top risks,
check-in completion by unit and each goal's status week by week. The number of queries does
not depend on the number of people; rows grow with units and unit-level goals only."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict

from django.db.models import Count, Prefetch, Q

from goals import permissions as goal_permissions
from goals.models import (
    Cycle,
    Goal,
    GoalSettings,
    KeyResult,
    Measurement,
    Status,
    UnitCycleRollup,
)
from org.models import Person, Unit
from tracking.models import CheckIn, week_start

from .team_data import cycle_weeks

WORST = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK]


def departments() -> tuple[Unit | None, list[Unit]]:
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return None, []
    return root, list(Unit.objects.filter(parent=root).select_related("head").order_by("name"))


def _bucket(path: str, units: list[Unit]) -> Unit | None:
    return next((u for u in units if path.startswith(u.path)), None)


def top_goals(cycle: Cycle, viewer: Person) -> list[Goal]:
    """Company goals of the cycle and of the cycles covering it, and unit goals of the cycle,
    with key results and their measurements loaded: those the viewer may see (an executive
    outside a unit's chain does not see its private goals)."""
    covering = Cycle.objects.filter(starts_on__lte=cycle.starts_on, ends_on__gte=cycle.ends_on)
    return list(
        goal_permissions.visible_goals(viewer)
        .filter(
            Q(level=Goal.Level.COMPANY, cycle__in=covering)
            | Q(level=Goal.Level.UNIT, cycle=cycle, owner_unit__depth__lte=2)
        )
        .exclude(state=Goal.State.CLOSED)
        .select_related("cycle", "owner_unit")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.select_related("goal__cycle").order_by("position", "pk"),
            )
        )
        .order_by("level", "owner_path", "title", "pk")
    )


def unit_cascades(cycle: Cycle, units: list[Unit]) -> list[dict]:
    """Per department: goals in its subtree and their average progress (unit and person goals),
    summed from the units' own read-model rows (`goals.services.rollups`): one row per unit,
    whatever the number of goals."""
    rows = (
        UnitCycleRollup.objects.filter(cycle=cycle, open_goals__gt=0)
        .order_by()
        .values_list("unit__path", "open_goals", "open_progress")
    )
    acc: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
    for path, n, progress in rows:
        unit = _bucket(path, units)
        if unit:
            acc[unit.pk][0] += n
            acc[unit.pk][1] += progress
    return [
        {
            "unit": u,
            "goals": acc[u.pk][0],
            "progress": (acc[u.pk][1] / acc[u.pk][0]) if acc[u.pk][0] else 0.0,
        }
        for u in units
    ]


def completion_by_unit(units: list[Unit], today: dt.date) -> list[dict]:
    people = defaultdict(int)
    for r in Person.objects.filter(is_active=True).values("unit__path").annotate(n=Count("pk")):
        unit = _bucket(r["unit__path"], units)
        if unit:
            people[unit.pk] += r["n"]
    done = defaultdict(int)
    for r in (
        CheckIn.objects.filter(week=week_start(today), state=CheckIn.State.SUBMITTED)
        .values("person__unit__path")
        .annotate(n=Count("pk"))
    ):
        unit = _bucket(r["person__unit__path"], units)
        if unit:
            done[unit.pk] += r["n"]
    return [
        {
            "unit": u,
            "people": people[u.pk],
            "submitted": done[u.pk],
            "share": (done[u.pk] / people[u.pk]) if people[u.pk] else 0.0,
        }
        for u in units
    ]


def status_history(goals: list[Goal], cycle: Cycle, today: dt.date) -> tuple[list, list]:
    """Each goal's status at the end of each week of the cycle, from its key results'
    measurements as they were true then (the worst key result decides); nothing for the weeks
    before the goal's pace started."""
    settings = GoalSettings.load()
    weeks = cycle_weeks(cycle, today)
    kr_ids = [kr.pk for g in goals for kr in g.key_results.all()]
    series: dict[int, list[tuple[dt.datetime, object]]] = defaultdict(list)
    for kr_id, at, value in (
        Measurement.objects.filter(key_result_id__in=kr_ids)
        .order_by("key_result_id", "effective_at", "recorded_at", "pk")
        .values_list("key_result_id", "effective_at", "value")
    ):
        series[kr_id].append((at, value))
    rows = []
    for g in goals:
        cells = []
        for week in weeks:
            end = min(week + dt.timedelta(days=6), today)
            if end < g.pace_start:
                cells.append(None)
                continue
            cutoff = dt.datetime.combine(end, dt.time.max, tzinfo=dt.UTC)
            statuses = []
            for kr in g.key_results.all():
                points = series.get(kr.pk, [])
                i = bisect_right([p[0] for p in points], cutoff)
                value = points[i - 1][1] if i else kr.start_value
                progress = kr.compute_progress(value)
                statuses.append(settings.classify(progress, kr.expected_progress(end)))
            cells.append(min(statuses, key=WORST.index) if statuses else None)
        rows.append((g, cells))
    return weeks, rows


def top_risks(
    goals: list[Goal], today: dt.date, limit: int = 10
) -> list[tuple[KeyResult, str, float]]:
    settings = GoalSettings.load()
    risks = []
    for g in goals:
        for kr in g.key_results.all():
            expected = kr.expected_progress(today)
            status = settings.classify(kr.progress, expected)
            if status != Status.ON_TRACK:
                risks.append((kr, status, kr.progress - expected))
    risks.sort(key=lambda r: r[2])
    return risks[:limit]
