"""What the manager dashboard shows, assembled from the goals, tracking and resources apps'
models with a fixed number of queries whatever the team size: whole-team goal and key-result
numbers are sums of the person × cycle read models (`goals.services.rollups`), one row per
person, never a scan of the team's goals; per-person rows are computed for one page of people
only."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum

from goals.models import Cycle, Goal, KeyResult, PersonCycleRollup, Status
from goals.services import rollups
from org import scopes
from org.models import Person, Unit
from tracking.models import CheckIn, KeyResultUpdate, week_start

PAGE_SIZE = 25
WORST = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK]


def cycle_weeks(cycle: Cycle, today: dt.date) -> list[dt.date]:
    end = min(cycle.ends_on, today)
    weeks, week = [], week_start(cycle.starts_on)
    while week <= end:
        weeks.append(week)
        week += dt.timedelta(days=7)
    return weeks[-13:]


@dataclass
class PersonRow:
    person: Person
    goals: list[Goal] = field(default_factory=list)
    weighted_progress: float = 0.0
    last_check_in: dt.date | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    streak: int = 0
    submitted_this_week: bool = False


def weighted_progress(goals: list[Goal]) -> float:
    total = sum((g.weight for g in goals), Decimal("0"))
    if not goals:
        return 0.0
    if total <= 0:
        return sum(g.progress for g in goals) / len(goals)
    return float(sum(Decimal(str(g.progress)) * g.weight for g in goals) / total)


def streak(weeks_submitted: set[dt.date], this_week: dt.date) -> int:
    """Consecutive submitted weeks ending this week (or last week, while this one is open)."""
    week = this_week if this_week in weeks_submitted else this_week - dt.timedelta(days=7)
    n = 0
    while week in weeks_submitted:
        n += 1
        week -= dt.timedelta(days=7)
    return n


def team_rows(
    people: QuerySet[Person], *, cycle: Cycle, today: dt.date, page_number
) -> tuple[Page, list[PersonRow]]:
    paginator = Paginator(people.select_related("unit").order_by("display_name", "pk"), PAGE_SIZE)
    page = paginator.get_page(page_number)
    persons = list(page.object_list)
    ids = [p.pk for p in persons]
    # The page's read-model rows at today's pace (which brings their key results' stored pace
    # to today too): one query when current.
    rollups.refresh(PersonCycleRollup.objects.filter(person_id__in=ids, cycle=cycle), today)
    totals = {
        r.person_id: r for r in PersonCycleRollup.objects.filter(person_id__in=ids, cycle=cycle)
    }
    goals = (
        Goal.objects.filter(owner_person_id__in=ids, cycle=cycle)
        .exclude(state=Goal.State.CLOSED)
        .select_related("cycle")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "pk"))
        )
        .order_by("title", "pk")
    )
    by_person: dict[int, list[Goal]] = defaultdict(list)
    for g in goals:
        by_person[g.owner_person_id].append(g)
    this_week = week_start(today)
    since = this_week - dt.timedelta(weeks=26)
    submitted: dict[int, set[dt.date]] = defaultdict(set)
    for pid, week in CheckIn.objects.filter(
        person_id__in=ids, state=CheckIn.State.SUBMITTED, week__gte=since
    ).values_list("person_id", "week"):
        submitted[pid].add(week)
    last = dict(
        CheckIn.objects.filter(person_id__in=ids, state=CheckIn.State.SUBMITTED)
        .values("person_id")
        .annotate(last=Max("week"))
        .values_list("person_id", "last")
    )
    rows = []
    for p in persons:
        mine = by_person.get(p.pk, [])
        for g in mine:
            statuses = [kr.pace_status for kr in g.key_results.all()]
            g.current_status = min(statuses, key=WORST.index, default=Status.ON_TRACK)
        total = totals.get(p.pk)
        counts = {
            Status.ON_TRACK: total.krs_on_track if total else 0,
            Status.AT_RISK: total.krs_at_risk if total else 0,
            Status.OFF_TRACK: total.krs_off_track if total else 0,
        }
        rows.append(
            PersonRow(
                person=p,
                goals=mine,
                weighted_progress=total.weighted_progress if total else 0.0,
                last_check_in=last.get(p.pk),
                statuses=counts,
                streak=streak(submitted[p.pk], this_week),
                submitted_this_week=this_week in submitted[p.pk],
            )
        )
    return page, rows


def team_summary(people: QuerySet[Person], *, cycle: Cycle, today: dt.date) -> dict:
    this_week = week_start(today)
    size = people.count()
    submitted = CheckIn.objects.filter(
        person__in=people, week=this_week, state=CheckIn.State.SUBMITTED
    ).count()
    sums = rollups.totals(PersonCycleRollup.objects.filter(person__in=people, cycle=cycle))
    goal_states = {
        state: sums[f"goals_{state}"] for state in Goal.State.values if sums[f"goals_{state}"]
    }
    return {
        "size": size,
        "submitted": submitted,
        "missing": size - submitted,
        "completion": round(100 * submitted / size) if size else 0,
        "goal_states": goal_states,
        "week": this_week,
    }


def missing_check_ins(people: QuerySet[Person], *, today: dt.date, limit: int = 20) -> list:
    done = CheckIn.objects.filter(week=week_start(today), state=CheckIn.State.SUBMITTED)
    return list(
        people.exclude(pk__in=done.values("person_id"))
        .select_related("unit")
        .order_by("display_name", "pk")[:limit]
    )


def risky_updates(people: QuerySet[Person], *, today: dt.date, limit: int = 20) -> list:
    """At-risk and off-track key results from this week's and last week's check-ins, with the
    cause given, worst first."""
    this_week = week_start(today)
    return list(
        KeyResultUpdate.objects.filter(
            check_in__person__in=people,
            check_in__state=CheckIn.State.SUBMITTED,
            check_in__week__gte=this_week - dt.timedelta(days=7),
            status__in=[Status.AT_RISK, Status.OFF_TRACK],
        )
        .select_related("key_result__goal", "check_in__person", "cause")
        .order_by("-status", "check_in__person__display_name", "-check_in__week", "pk")[:limit]
    )


def unit_week_heatmap(viewer: Person, *, cycle: Cycle, today: dt.date):
    """For unit heads: the average key-result progress reported in check-ins, per sub-unit of
    the units they head and per week. Rows are units, never people."""
    headed = list(Unit.objects.filter(head=viewer).order_by("path"))
    if not headed:
        return None
    children = list(Unit.objects.filter(parent__in=headed).order_by("path")) or headed
    weeks = cycle_weeks(cycle, today)
    q = Q()
    for u in children:
        q |= Q(check_in__person__unit__path__startswith=u.path)
    rows = (
        KeyResultUpdate.objects.filter(q, check_in__week__in=weeks, progress__isnull=False)
        .values("check_in__person__unit__path", "check_in__week")
        .annotate(n=Count("pk"), total=Sum("progress"))
    )
    cells: dict[tuple[int, dt.date], list[float]] = defaultdict(lambda: [0.0, 0])
    for r in rows:
        for u in children:
            if r["check_in__person__unit__path"].startswith(u.path):
                cell = cells[(u.pk, r["check_in__week"])]
                cell[0] += r["total"] or 0.0
                cell[1] += r["n"]
                break
    grid = []
    for u in children:
        values = []
        for w in weeks:
            total, n = cells.get((u.pk, w), (0.0, 0))
            values.append(total / n if n else None)
        grid.append((u, values))
    return {"weeks": weeks, "rows": grid}


def team_people(viewer: Person) -> QuerySet[Person]:
    return scopes.managed_people(viewer).filter(is_active=True)


def behind_pace(people: QuerySet[Person], *, cycle: Cycle, today: dt.date, limit: int = 10):
    """Status counts of the whole team's key results of agreed goals against the expected pace
    and the worst ones: what the dashboard shows before any check-in gives a cause. The counts
    are a sum of the team's read-model rows, brought to today first (which brings their key
    results' stored pace to today too); the worst ones one page of rows."""
    team_rollups = PersonCycleRollup.objects.filter(person__in=people, cycle=cycle)
    rollups.refresh(team_rollups, today)
    sums = rollups.totals(team_rollups)
    counts = {
        Status.ON_TRACK: sums["agreed_on_track"],
        Status.AT_RISK: sums["agreed_at_risk"],
        Status.OFF_TRACK: sums["agreed_off_track"],
    }
    team_krs = KeyResult.objects.filter(
        goal__owner_person__in=people, goal__cycle=cycle, goal__state=Goal.State.AGREED
    )
    worst = list(
        team_krs.exclude(pace_status=Status.ON_TRACK)
        .select_related("goal__cycle", "goal__owner_person")
        .annotate(gap=F("progress") - F("pace_expected"))
        .order_by("gap", "pk")[:limit]
    )
    for kr in worst:
        kr.current_status = kr.pace_status
    return counts, worst
