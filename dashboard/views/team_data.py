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
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Window

from goals.models import Cycle, Goal, KeyResult, PersonCycleRollup, Status
from goals.services import rollups
from org import scopes
from org.models import Person, Unit
from tracking.models import CheckIn, KeyResultUpdate, week_start
from tracking.selectors import managed_week_totals

PAGE_SIZE = 25
# What a person's row of the team table reads of their read-model row.
ROLLUP_FIELDS = (
    "open_goals",
    "open_weight",
    "open_progress",
    "open_weighted_progress",
    "krs_on_track",
    "krs_at_risk",
    "krs_off_track",
)
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
    people: QuerySet[Person], *, cycle: Cycle, today: dt.date, page_number, count=None
) -> tuple[Page, list[PersonRow]]:
    """One page of the team: its people with their read-model row and last check-in (one
    query), their goals with the worst pace of their key results (one query) and their
    submitted weeks (one query). The team's read-model rows are brought to today's pace
    before (`refresh_team`); `count`, when the caller knows it, spares the paginator's."""
    rollup = PersonCycleRollup.objects.filter(person=OuterRef("pk"), cycle=cycle)
    annotated = (
        people.select_related("unit")
        .annotate(
            **{f"rollup_{name}": Subquery(rollup.values(name)[:1]) for name in ROLLUP_FIELDS},
            last_check_in=Subquery(
                CheckIn.objects.filter(person=OuterRef("pk"), state=CheckIn.State.SUBMITTED)
                .order_by("-week")
                .values("week")[:1]
            ),
        )
        .order_by("display_name", "pk")
    )
    paginator = Paginator(annotated, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached property: the caller counted the same people
    page = paginator.get_page(page_number)
    persons = list(page.object_list)
    ids = [p.pk for p in persons]
    goals = (
        Goal.objects.filter(owner_person_id__in=ids, cycle=cycle)
        .exclude(state=Goal.State.CLOSED)
        .annotate(
            krs_off=Count("key_results", filter=Q(key_results__pace_status=Status.OFF_TRACK)),
            krs_at_risk=Count("key_results", filter=Q(key_results__pace_status=Status.AT_RISK)),
        )
        .order_by("title", "pk")
    )
    by_person: dict[int, list[Goal]] = defaultdict(list)
    for g in goals:
        # the worst pace of its key results (on track without any)
        g.current_status = (
            Status.OFF_TRACK if g.krs_off else Status.AT_RISK if g.krs_at_risk else Status.ON_TRACK
        )
        by_person[g.owner_person_id].append(g)
    this_week = week_start(today)
    since = this_week - dt.timedelta(weeks=26)
    submitted: dict[int, set[dt.date]] = defaultdict(set)
    for pid, week in CheckIn.objects.filter(
        person_id__in=ids, state=CheckIn.State.SUBMITTED, week__gte=since
    ).values_list("person_id", "week"):
        submitted[pid].add(week)
    rows = []
    for p in persons:
        has_rollup = p.rollup_open_goals is not None
        total = PersonCycleRollup(**{n: getattr(p, f"rollup_{n}") for n in ROLLUP_FIELDS})
        counts = {
            Status.ON_TRACK: p.rollup_krs_on_track if has_rollup else 0,
            Status.AT_RISK: p.rollup_krs_at_risk if has_rollup else 0,
            Status.OFF_TRACK: p.rollup_krs_off_track if has_rollup else 0,
        }
        rows.append(
            PersonRow(
                person=p,
                goals=by_person.get(p.pk, []),
                weighted_progress=total.weighted_progress if has_rollup else 0.0,
                last_check_in=p.last_check_in,
                statuses=counts,
                streak=streak(submitted[p.pk], this_week),
                submitted_this_week=this_week in submitted[p.pk],
            )
        )
    return page, rows


def refresh_team(people: QuerySet[Person], *, cycle: Cycle, today: dt.date) -> QuerySet:
    """The team's read-model rows, brought to today's pace (which brings their key results'
    stored pace to today too): one query when current."""
    team_rollups = PersonCycleRollup.objects.filter(person__in=people, cycle=cycle)
    rollups.refresh(team_rollups, today)
    return team_rollups


def team_summary(
    viewer: scopes.Viewer, people: QuerySet[Person], *, cycle: Cycle, today: dt.date
) -> dict:
    """The team's size (one count), this week's check-ins from the unit × week read model by
    the viewer's scope (`tracking.selectors.managed_week_totals`: one or two queries, whatever
    the team size), and its goals by state and its agreed goals' key results by pace from the
    person × cycle read models (one query, after `refresh_team`). `people` are the viewer's
    team (`team_people`)."""
    this_week = week_start(today)
    size = people.count()
    submitted = managed_week_totals(viewer, [this_week]).get(this_week, (0,))[0]
    sums = rollups.totals(refresh_team(people, cycle=cycle, today=today))
    goal_states = {
        state: sums[f"goals_{state}"] for state in Goal.State.values if sums[f"goals_{state}"]
    }
    kr_counts = {
        Status.ON_TRACK: sums["agreed_on_track"],
        Status.AT_RISK: sums["agreed_at_risk"],
        Status.OFF_TRACK: sums["agreed_off_track"],
    }
    return {
        "size": size,
        "submitted": submitted,
        "missing": size - submitted,
        "completion": round(100 * submitted / size) if size else 0,
        "goal_states": goal_states,
        "kr_counts": kr_counts,
        "week": this_week,
    }


def missing_check_ins(people: QuerySet[Person], *, today: dt.date, limit: int = 20):
    """The first of the team not checked in this week, and how many they are (two queries)."""
    done = CheckIn.objects.filter(week=week_start(today), state=CheckIn.State.SUBMITTED)
    missing = people.exclude(pk__in=done.values("person_id")).select_related("unit")
    rows = list(
        missing.annotate(missing_total=Window(Count("pk"))).order_by("display_name", "pk")[:limit]
    )
    return rows, (rows[0].missing_total if rows else 0)


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
    """The team's key results of agreed goals furthest behind the expected pace (at risk or off
    track), worst first: one page of rows of an indexed query, after bringing the team's read
    models (and so their key results' stored pace) to today. The counts by pace are the
    summary's (`team_summary`)."""
    refresh_team(people, cycle=cycle, today=today)
    worst = list(
        KeyResult.objects.filter(
            goal__owner_person__in=people, goal__cycle=cycle, goal__state=Goal.State.AGREED
        )
        .exclude(pace_status=Status.ON_TRACK)
        .select_related("goal__owner_person")
        .annotate(gap=F("progress") - F("pace_expected"))
        .order_by("gap", "pk")[:limit]
    )
    for kr in worst:
        kr.current_status = kr.pace_status
    return worst
