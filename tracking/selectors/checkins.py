"""Reads for one person's check-ins: their active key results, the This-week page, history,
streak and completion rate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.charts import LineChart
from goals.models import Cycle, Goal, GoalSettings, KeyResult, Measurement
from goals.selectors_charts import burnup_chart
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


def _updates_now_and_before(
    *, key_result_ids: list[int], check_in: CheckIn | None, week: dt.date
) -> tuple[dict[int, KeyResultUpdate], dict[int, KeyResultUpdate]]:
    """This check-in's update of each key result, and each key result's update in the latest
    submitted check-in before `week` (with its cause): one query."""
    q = Q(check_in__state=CheckIn.State.SUBMITTED, check_in__week__lt=week)
    if check_in is not None and check_in.pk:
        q |= Q(check_in=check_in)
    now: dict[int, KeyResultUpdate] = {}
    before: dict[int, KeyResultUpdate] = {}
    for update in (
        KeyResultUpdate.objects.filter(q, key_result_id__in=key_result_ids)
        .select_related("cause")
        .order_by("key_result_id", "-check_in__week")
    ):
        if check_in is not None and update.check_in_id == check_in.pk:
            now[update.key_result_id] = update
        else:
            before.setdefault(update.key_result_id, update)
    return now, before


def _since_at(since: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(since, dt.time.min))


def _measurements(
    key_result_ids: list[int], since: dt.date | None = None
) -> dict[int, list[tuple[dt.datetime, Decimal]]]:
    """The measurements of these key results, oldest first (one query), all of them or those
    effective from `since` on (all a sparkline draws: This week reads no more than that)."""
    rows = Measurement.objects.filter(key_result_id__in=key_result_ids)
    if since is not None:
        rows = rows.filter(effective_at__gte=_since_at(since))
    series: dict[int, list] = defaultdict(list)
    for kr_id, at, value in rows.order_by(
        "key_result_id", "effective_at", "recorded_at", "pk"
    ).values_list("key_result_id", "effective_at", "value"):
        series[kr_id].append((at, value))
    return series


def _weekly(points, since: dt.date) -> list[float]:
    """One value per week (the week's last measurement) since a date."""
    since_at = _since_at(since)
    weekly: dict[dt.date, float] = {}
    for at, value in points:
        if at >= since_at:
            weekly[week_start(timezone.localdate(at))] = float(value)
    return [v for _w, v in sorted(weekly.items())]


def key_result_rows(
    *,
    person: Person,
    check_in: CheckIn | None,
    week: dt.date,
    on: dt.date,
    key_results: list[KeyResult] | None = None,
    settings: GoalSettings | None = None,
    measurements: dict | None = None,
) -> list[KeyResultRow]:
    """A fixed number of queries: key results (unless given), this week's updates with last
    week's, and the measurements behind the sparklines (unless given)."""
    krs = list(active_key_results(person=person, week=week)) if key_results is None else key_results
    ids = [kr.pk for kr in krs]
    updates, last = (
        _updates_now_and_before(key_result_ids=ids, check_in=check_in, week=week)
        if ids
        else ({}, {})
    )
    since = week - dt.timedelta(weeks=SPARK_WEEKS)
    if measurements is None:
        measurements = _measurements(ids, since) if ids else {}
    settings = settings or GoalSettings.load()
    rows = []
    for kr in krs:
        update = updates.get(kr.pk)
        value = update.value if update else kr.current_value
        expected = kr.expected_progress(on)
        status = settings.classify(kr.compute_progress(value), expected)
        points = _weekly(measurements.get(kr.pk, []), since)
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


def _key_results_and_spans(*, person: Person, week: dt.date, current: dt.date, window: int):
    """The key results of the week (as `active_key_results`) and the (goal created, cycle
    start, cycle end) of the goals `missed_weeks` looks at: one query over the key results of
    both ranges."""
    week_end = week + dt.timedelta(days=6)
    oldest = current - dt.timedelta(weeks=window)
    krs = list(
        KeyResult.objects.filter(
            goal__owner_person=person,
            goal__state__in=ACTIVE_GOAL_STATES,
            goal__cycle__state__in=(Cycle.State.ACTIVE, Cycle.State.SCORING),
            goal__cycle__starts_on__lte=max(week_end, current),
            goal__cycle__ends_on__gte=min(week, oldest),
            source=KeyResult.Source.MANUAL,
        )
        .select_related("goal__cycle")
        .order_by("goal__cycle__starts_on", "goal__title", "goal_id", "position", "pk")
    )
    of_week = [
        kr for kr in krs if kr.goal.cycle.starts_on <= week_end and kr.goal.cycle.ends_on >= week
    ]
    spans = {
        (kr.goal.created_at, kr.goal.cycle.starts_on, kr.goal.cycle.ends_on)
        for kr in krs
        if kr.goal.cycle.starts_on <= current and kr.goal.cycle.ends_on >= oldest
    }
    return of_week, spans


def _open_plans(person: Person, limit: int = 5) -> list[ImprovementPlan]:
    """The person's newest open plans with their actions (every plan has at least one): one
    query over the actions."""
    plans: dict[int, ImprovementPlan] = {}
    for action in (
        ImprovementAction.objects.filter(
            plan__person=person, plan__state=ImprovementPlan.State.OPEN
        )
        .select_related("plan", "owner")
        .order_by("-plan__created_at", "-plan_id", "due_on", "pk")
    ):
        plan = plans.get(action.plan_id)
        if plan is None:
            if len(plans) == limit:
                break
            plan = plans[action.plan_id] = action.plan
            plan.open_actions = []
        plan.open_actions.append(action)
    return list(plans.values())


def this_week(*, person: Person, week: dt.date | None = None, today: dt.date | None = None):
    """Everything the This-week page shows: the check-in (or None before it is opened), one
    row per active key result, the streak, the completion per cycle and the missed weeks
    within the window for late check-ins. A fixed number of queries. The burn-ups are not
    drawn here: each loads when its row's section opens (`key_result_burnup`), so the page
    costs no chart per key result."""
    today = today or local_today(person)
    current = week_start(today)
    week = week_start(week or today)
    settings = GoalSettings.load()
    check_in = CheckIn.objects.filter(person=person, week=week).first()
    weeks = submitted_weeks(person=person)
    window = settings.late_check_in_weeks
    krs, spans = _key_results_and_spans(person=person, week=week, current=current, window=window)
    on = min(today, week + dt.timedelta(days=6))
    since = week - dt.timedelta(weeks=SPARK_WEEKS)
    measurements = _measurements([kr.pk for kr in krs], since) if krs else {}
    rows = key_result_rows(
        person=person,
        check_in=check_in,
        week=week,
        on=on,
        key_results=krs,
        settings=settings,
        measurements=measurements,
    )
    cycles = {row.key_result.goal.cycle.pk: row.key_result.goal.cycle for row in rows}
    return {
        "week": week,
        "check_in": check_in,
        "rows": rows,
        "settings": settings,
        "streak": check_in_streak(person=person, today=today, weeks=weeks),
        "completion": [
            (cycle, completion_rate(person=person, cycle=cycle, today=today, weeks=weeks))
            for cycle in cycles.values()
        ],
        "missed_weeks": missed_weeks(
            person=person, window=window, today=today, weeks=weeks, spans=spans
        ),
        "unread_feedback": list(
            Feedback.objects.filter(check_in__person=person, acknowledged_at__isnull=True)
            .select_related("author", "check_in", "update__key_result")
            .order_by("-created_at")[:20]
        ),
        "open_plans": _open_plans(person),
    }


def key_result_burnup(*, person: Person, key_result: KeyResult, week: dt.date) -> LineChart:
    """One key result's burn-up on This week: its measurements up to the end of `week` (today
    for the current week), as `goals.selectors_charts.burnup_chart` draws it. One query (its
    measurements); `key_result` comes with its goal and cycle."""
    week = week_start(week)
    on = min(local_today(person), week + dt.timedelta(days=6))
    series = _measurements([key_result.pk])
    return burnup_chart(key_result, series.get(key_result.pk, []), today=on)


def submitted_weeks(*, person: Person) -> set[dt.date]:
    """The weeks of the person's submitted check-ins (one query): the streak, the completion
    rates and the missed weeks are all counted from it."""
    return set(
        CheckIn.objects.filter(person=person, state=CheckIn.State.SUBMITTED).values_list(
            "week", flat=True
        )
    )


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


def check_in_streak(
    *, person: Person, today: dt.date | None = None, weeks: set[dt.date] | None = None
) -> int:
    """Consecutive submitted weeks up to this week (or up to last week while this week's
    check-in is still open). `weeks`: the person's submitted weeks, when already read."""
    today = today or local_today(person)
    current = week_start(today)
    if weeks is None:
        weeks = set(
            CheckIn.objects.filter(
                person=person, state=CheckIn.State.SUBMITTED, week__lte=current
            ).values_list("week", flat=True)
        )
    weeks = {w for w in weeks if w <= current}
    day = current if current in weeks else current - dt.timedelta(weeks=1)
    streak = 0
    while day in weeks:
        streak += 1
        day -= dt.timedelta(weeks=1)
    return streak


def completion_rate(
    *,
    person: Person,
    cycle: Cycle,
    today: dt.date | None = None,
    weeks: set[dt.date] | None = None,
) -> float:
    """The share of the cycle's weeks so far (up to last week, plus this week once submitted)
    for which the person submitted a check-in; 0–1. `weeks`: the person's submitted weeks,
    when already read."""
    today = today or local_today(person)
    first = week_start(cycle.starts_on)
    last = week_start(min(today, cycle.ends_on))
    if weeks is None:
        submitted = set(
            CheckIn.objects.filter(
                person=person, state=CheckIn.State.SUBMITTED, week__gte=first, week__lte=last
            ).values_list("week", flat=True)
        )
    else:
        submitted = {w for w in weeks if first <= w <= last}
    due = (last - first).days // 7 + 1
    if last == week_start(today) and last not in submitted and today <= cycle.ends_on:
        due -= 1  # this week is not over yet
    if due <= 0:
        return 1.0 if submitted else 0.0
    return min(1.0, len(submitted) / due)


def missed_weeks(
    *,
    person: Person,
    window: int,
    today: dt.date | None = None,
    weeks: set[dt.date] | None = None,
    spans=None,
) -> list[dt.date]:
    """The past weeks within the window for late check-ins (`window` weeks back) in which the
    person had a goal to check in on and submitted no check-in, most recent first. Two
    queries, none when the submitted `weeks` and the goals' `spans` ((created, cycle start,
    cycle end) of the goals of the window) are given."""
    today = today or local_today(person)
    current = week_start(today)
    past = [current - dt.timedelta(weeks=n) for n in range(1, window + 1)]
    if not past:
        return []
    if weeks is None:
        weeks = set(
            CheckIn.objects.filter(
                person=person, week__in=past, state=CheckIn.State.SUBMITTED
            ).values_list("week", flat=True)
        )
    if spans is None:
        spans = list(
            KeyResult.objects.filter(
                goal__owner_person=person,
                goal__state__in=ACTIVE_GOAL_STATES,
                goal__cycle__state__in=(Cycle.State.ACTIVE, Cycle.State.SCORING),
                goal__cycle__starts_on__lte=current,
                goal__cycle__ends_on__gte=past[-1],
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

    return [week for week in past if week not in weeks and had_a_goal(week)]
