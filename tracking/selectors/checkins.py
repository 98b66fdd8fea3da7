"""Reads for one person's check-ins: their active key results, the This-week page, history,
streak and completion rate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from goals.models import Cycle, Goal, GoalSettings, KeyResult, Measurement
from goals.selectors_charts import burnup_charts
from org.models import Person
from tracking.models import (
    CheckIn,
    Feedback,
    ImprovementAction,
    ImprovementPlan,
    KeyResultUpdate,
    local_today,
    week_start,
)
from tracking.sparkline import sparkline_svg

ACTIVE_GOAL_STATES = [Goal.State.DRAFT, Goal.State.PROPOSED, Goal.State.AGREED]
SPARK_WEEKS = 12


def active_key_results(*, person: Person, week: dt.date) -> QuerySet[KeyResult]:
    """The key results a person checks in on for a week: the measured ones (not those rolled
    up from contributors) of their own goals that are not closed or returned, in an active or
    scoring cycle that overlaps the week."""
    week = week_start(week)
    return (
        KeyResult.objects.filter(
            goal__owner_person=person,
            goal__state__in=ACTIVE_GOAL_STATES,
            goal__cycle__state__in=(Cycle.State.ACTIVE, Cycle.State.SCORING),
            goal__cycle__starts_on__lte=week + dt.timedelta(days=6),
            goal__cycle__ends_on__gte=week,
            source=KeyResult.Source.MANUAL,
        )
        .select_related("goal__cycle")
        .order_by("goal__cycle__starts_on", "goal__title", "goal_id", "position", "pk")
    )


def last_values_before(*, key_result_ids: list[int], week: dt.date) -> dict[int, Decimal]:
    """Each key result's value in the latest submitted check-in before `week` (one query)."""
    rows = (
        KeyResultUpdate.objects.filter(
            key_result_id__in=key_result_ids,
            check_in__state=CheckIn.State.SUBMITTED,
            check_in__week__lt=week,
        )
        .order_by("key_result_id", "-check_in__week")
        .values_list("key_result_id", "value")
    )
    result: dict[int, Decimal] = {}
    for kr_id, value in rows:
        result.setdefault(kr_id, value)
    return result


def last_updates_before(*, key_result_ids: list[int], week: dt.date) -> dict[int, KeyResultUpdate]:
    """Each key result's update in the latest submitted check-in before `week`, with its cause
    (one query): last week's value, and the cause and action an unchanged off-track key result
    carries over."""
    rows = (
        KeyResultUpdate.objects.filter(
            key_result_id__in=key_result_ids,
            check_in__state=CheckIn.State.SUBMITTED,
            check_in__week__lt=week,
        )
        .select_related("cause")
        .order_by("key_result_id", "-check_in__week")
    )
    result: dict[int, KeyResultUpdate] = {}
    for update in rows:
        result.setdefault(update.key_result_id, update)
    return result


def _spark_series(key_result_ids: list[int], since: dt.date) -> dict[int, list[float]]:
    """One value per week (the week's last measurement) since a date, per key result."""
    since_at = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    rows = (
        Measurement.objects.filter(key_result_id__in=key_result_ids, effective_at__gte=since_at)
        .order_by("key_result_id", "effective_at", "recorded_at", "pk")
        .values_list("key_result_id", "effective_at", "value")
    )
    weekly: dict[int, dict[dt.date, float]] = defaultdict(dict)
    for kr_id, at, value in rows:
        weekly[kr_id][week_start(timezone.localdate(at))] = float(value)
    return {kr_id: [v for _w, v in sorted(weeks.items())] for kr_id, weeks in weekly.items()}


@dataclass
class KeyResultRow:
    """One key result on the This-week page."""

    key_result: KeyResult
    update: KeyResultUpdate | None
    value: Decimal
    last_week: Decimal | None
    expected_progress: float
    status: str
    sparkline: str = ""
    previous: KeyResultUpdate | None = None  # the last submitted update before this week
    burnup: object = None  # a core.charts.LineChart, on the This-week page
    confidence: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def change(self) -> Decimal | None:
        if self.last_week is None:
            return None
        return self.value - self.last_week

    @property
    def needs_cause(self) -> bool:
        confidence = self.confidence or (self.update.confidence if self.update else "")
        return "off_track" in (self.status, confidence)


def key_result_rows(
    *, person: Person, check_in: CheckIn | None, week: dt.date, on: dt.date
) -> list[KeyResultRow]:
    """A fixed number of queries: key results, this week's updates, last week's values and the
    measurements behind the sparklines."""
    krs = list(active_key_results(person=person, week=week))
    ids = [kr.pk for kr in krs]
    updates: dict[int, KeyResultUpdate] = {}
    if check_in is not None and check_in.pk:
        updates = {
            u.key_result_id: u
            for u in KeyResultUpdate.objects.filter(check_in=check_in).select_related("cause")
        }
    last = last_updates_before(key_result_ids=ids, week=week) if ids else {}
    series = _spark_series(ids, week - dt.timedelta(weeks=SPARK_WEEKS)) if ids else {}
    settings = GoalSettings.load()
    rows = []
    for kr in krs:
        update = updates.get(kr.pk)
        value = update.value if update else kr.current_value
        expected = kr.expected_progress(on)
        status = settings.classify(kr.compute_progress(value), expected)
        points = list(series.get(kr.pk, []))
        rows.append(
            KeyResultRow(
                key_result=kr,
                update=update,
                value=value,
                last_week=last[kr.pk].value if kr.pk in last else None,
                previous=last.get(kr.pk),
                expected_progress=expected,
                status=status,
                sparkline=sparkline_svg(points, label=kr.name),
            )
        )
    return rows


def this_week(*, person: Person, week: dt.date | None = None, today: dt.date | None = None):
    """Everything the This-week page shows: the check-in (or None before it is opened) and one
    row per active key result."""
    today = today or local_today(person)
    week = week_start(week or today)
    check_in = CheckIn.objects.filter(person=person, week=week).first()
    on = min(today, week + dt.timedelta(days=6))
    rows = key_result_rows(person=person, check_in=check_in, week=week, on=on)
    for row, (_kr, chart) in zip(
        rows, burnup_charts([r.key_result for r in rows], today=on), strict=True
    ):
        row.burnup = chart
    cycles = {row.key_result.goal.cycle.pk: row.key_result.goal.cycle for row in rows}
    return {
        "week": week,
        "check_in": check_in,
        "rows": rows,
        "streak": check_in_streak(person=person, today=today),
        "completion": [
            (cycle, completion_rate(person=person, cycle=cycle, today=today))
            for cycle in cycles.values()
        ],
        "unread_feedback": list(
            Feedback.objects.filter(check_in__person=person, acknowledged_at__isnull=True)
            .select_related("author", "check_in", "update__key_result")
            .order_by("-created_at")[:20]
        ),
        "open_plans": list(
            ImprovementPlan.objects.filter(person=person, state=ImprovementPlan.State.OPEN)
            .prefetch_related(
                Prefetch("actions", queryset=ImprovementAction.objects.select_related("owner"))
            )
            .order_by("-created_at")[:5]
        ),
    }


def check_in_history(*, person: Person) -> QuerySet[CheckIn]:
    """A person's check-ins, newest first, with their updates and feedback."""
    return (
        CheckIn.objects.filter(person=person)
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=KeyResultUpdate.objects.select_related("key_result", "cause"),
            ),
            Prefetch(
                "feedback",
                queryset=Feedback.objects.select_related("author", "update__key_result"),
            ),
        )
        .order_by("-week")
    )


def check_in_streak(*, person: Person, today: dt.date | None = None) -> int:
    """Consecutive submitted weeks up to this week (or up to last week while this week's
    check-in is still open)."""
    today = today or local_today(person)
    current = week_start(today)
    weeks = set(
        CheckIn.objects.filter(
            person=person, state=CheckIn.State.SUBMITTED, week__lte=current
        ).values_list("week", flat=True)
    )
    day = current if current in weeks else current - dt.timedelta(weeks=1)
    streak = 0
    while day in weeks:
        streak += 1
        day -= dt.timedelta(weeks=1)
    return streak


def completion_rate(*, person: Person, cycle: Cycle, today: dt.date | None = None) -> float:
    """The share of the cycle's weeks so far (up to last week, plus this week once submitted)
    for which the person submitted a check-in; 0–1."""
    today = today or local_today(person)
    first = week_start(cycle.starts_on)
    last = week_start(min(today, cycle.ends_on))
    submitted = set(
        CheckIn.objects.filter(
            person=person, state=CheckIn.State.SUBMITTED, week__gte=first, week__lte=last
        ).values_list("week", flat=True)
    )
    due = (last - first).days // 7 + 1
    if last == week_start(today) and last not in submitted and today <= cycle.ends_on:
        due -= 1  # this week is not over yet
    if due <= 0:
        return 1.0 if submitted else 0.0
    return min(1.0, len(submitted) / due)


def missed_weeks(*, person: Person, window: int, today: dt.date | None = None) -> list[dt.date]:
    """The past weeks within the window for late check-ins (`window` weeks back) in which the
    person had a goal to check in on and submitted no check-in, most recent first. Two
    queries."""
    today = today or local_today(person)
    current = week_start(today)
    weeks = [current - dt.timedelta(weeks=n) for n in range(1, window + 1)]
    if not weeks:
        return []
    submitted = set(
        CheckIn.objects.filter(
            person=person, week__in=weeks, state=CheckIn.State.SUBMITTED
        ).values_list("week", flat=True)
    )
    spans = list(
        KeyResult.objects.filter(
            goal__owner_person=person,
            goal__state__in=ACTIVE_GOAL_STATES,
            goal__cycle__state__in=(Cycle.State.ACTIVE, Cycle.State.SCORING),
            goal__cycle__starts_on__lte=current,
            goal__cycle__ends_on__gte=weeks[-1],
            source=KeyResult.Source.MANUAL,
        )
        .values_list("goal__created_at", "goal__cycle__starts_on", "goal__cycle__ends_on")
        .distinct()
    )

    def had_a_goal(week: dt.date) -> bool:
        end = week + dt.timedelta(days=6)
        return any(
            timezone.localdate(created) <= end and starts <= end and week <= ends
            for created, starts, ends in spans
        )

    return [week for week in weeks if week not in submitted and had_a_goal(week)]
