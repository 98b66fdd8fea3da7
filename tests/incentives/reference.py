"""Reference only (tests): how evaluation loaded its inputs before issue 18's fast path (the
key results' values through two correlated subqueries per key result), kept verbatim and fed to
the engine as it was then (`reference_engine`), so tests compare the production evaluation with
it on realistic data. Not used by the product."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from goals.models import Cycle, Goal, KeyResult, Measurement
from incentives.models import Award, CommissionLine, IncentiveRule
from org.models import Person
from reviews.selectors import released_ratings
from tests.incentives import reference_engine as engine
from tracking.models import CheckIn

STREAK_LOOKBACK_WEEKS = 52


def rule_spec(rule: IncentiveRule) -> engine.RuleSpec:
    return engine.RuleSpec(
        id=rule.pk,
        kind=rule.kind,
        period=rule.period,
        params=rule.params,
        cap=rule.cap,
        currency=rule.currency,
        require_agreed_goals=rule.require_agreed_goals,
        min_check_in_rate=rule.min_check_in_rate,
        min_tenure_days=rule.min_tenure_days,
        unit_goals_weight=rule.unit_goals_weight,
    )


def _value_at(moment: dt.datetime):
    return Subquery(
        Measurement.objects.filter(key_result=OuterRef("pk"), effective_at__lt=moment)
        .order_by("-effective_at", "-recorded_at", "-pk")
        .values("value")[:1]
    )


def _stone_values(raw) -> list[Decimal]:
    values = []
    for stone in raw or []:
        try:
            values.append(Decimal(str(stone["value"] if isinstance(stone, dict) else stone)))
        except (ArithmeticError, KeyError, TypeError, ValueError):
            continue
    return values


def _add_key_results(goals: dict, goal_q: Q, rule, start_at, end_at) -> None:
    """The goals' key results with their values at the period's start and end (one query)."""
    fields = [
        "pk", "goal_id", "name", "metric", "direction", "start_value", "target_value",
        "current_value", "weight", "value_end", "value_start", "measured",
    ]  # fmt: skip
    if rule.kind == "milestone":
        fields.append("milestones")
    key_results = (
        KeyResult.objects.filter(goal__in=Goal.objects.filter(goal_q))
        .annotate(
            value_end=_value_at(end_at),
            value_start=_value_at(start_at),
            measured=Exists(Measurement.objects.filter(key_result=OuterRef("pk"))),
        )
        .order_by("goal_id", "position", "pk")
        .values(*fields)
    )
    for kr in key_results:
        goal = goals.get(kr["goal_id"])
        if goal is None:
            continue
        # Without any measurement the current value is the only value there is.
        fallback = kr["start_value"] if kr["measured"] else kr["current_value"]
        goal.key_results.append(
            engine.KRIn(
                id=kr["pk"],
                name=kr["name"],
                metric=kr["metric"],
                direction=kr["direction"],
                start_value=kr["start_value"],
                target_value=kr["target_value"],
                weight=kr["weight"],
                value_start=fallback if kr["value_start"] is None else kr["value_start"],
                value_end=fallback if kr["value_end"] is None else kr["value_end"],
                milestones=_stone_values(kr["milestones"]) if "milestones" in kr else [],
            )
        )


def _teams(goals: dict[int, engine.GoalIn]) -> list[engine.TeamIn]:
    teams: dict[int, engine.TeamIn] = {}
    for goal in goals.values():
        if goal.unit_id:
            teams.setdefault(
                goal.unit_id, engine.TeamIn(goal.unit_id, goal.unit_name)
            ).goals.append(goal)
    return list(teams.values())


def _load_goals(rule, goal_q: Q, people: dict[int, engine.PersonIn]) -> dict[int, engine.GoalIn]:
    """The agreed goals counted for each person: their own, and those of the units they head
    (weighted by the rule's `unit_goals_weight`); for a team award, the units' goals are the
    teams' (kept, attached to nobody). One query."""
    team = engine.is_team(rule_spec(rule))
    goals: dict[int, engine.GoalIn] = {}
    for row in (
        Goal.objects.filter(goal_q)
        .order_by("pk")
        .values(
            "pk",
            "title",
            "weight",
            "progress",
            "owner_person_id",
            "owner_unit_id",
            "owner_unit__name",
            "owner_unit__head_id",
        )  # fmt: skip
    ):
        if row["owner_person_id"] is not None:
            person = people.get(row["owner_person_id"])
            goal = engine.GoalIn(row["pk"], row["title"], row["weight"], row["progress"])
        else:
            person = None if team else people.get(row["owner_unit__head_id"])
            goal = engine.GoalIn(
                row["pk"],
                row["title"],
                row["weight"] if team else row["weight"] * rule.unit_goals_weight,
                row["progress"],
                unit_id=row["owner_unit_id"],
                unit_name=row["owner_unit__name"] or "",
            )
        if person is None and not (team and goal.unit_id):
            continue
        goals[goal.id] = goal
        if person is not None:
            person.goals.append(goal)
    return goals


def _paid_before(rule: IncentiveRule, start: dt.date) -> dict[tuple[int, int], Decimal]:
    """The ledger: (person, key result) → commission covered by the rule's earlier periods."""
    return {
        (row["person_id"], row["key_result_id"]): row["total"]
        for row in CommissionLine.objects.filter(rule=rule, period_start__lt=start)
        .values("person_id", "key_result_id")
        .annotate(total=Sum("amount"))
    }


def _claimed_milestones(rule: IncentiveRule, start: dt.date) -> set[tuple[int, str]]:
    """(person id, milestone key) the rule already rewarded in other periods."""
    claimed: set[tuple[int, str]] = set()
    for person_id, explanation in (
        Award.objects.filter(rule=rule)
        .exclude(period_start=start)
        .values_list("person_id", "explanation")
    ):
        for stone in (explanation or {}).get("milestones", []):
            claimed.add((person_id, stone.get("key")))
    return claimed


def load_inputs(
    rule: IncentiveRule, start: dt.date, end: dt.date, *, as_of: dt.date | None = None
) -> engine.Inputs:
    """Everything the engine needs, in at most seven queries: people, goals, key results with
    their values at the period's start and end (from the measurement history, so a corrected
    measurement changes the result; left out for a rule that does not read them), check-ins,
    milestones already rewarded, and performance ratings for a rule that asks for one."""
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    path = rule.unit.path
    people_q = Q(unit__path__startswith=path, is_active=True)
    if rule.levels:
        people_q &= Q(level__in=rule.levels)
    people = {
        row["pk"]: engine.PersonIn(
            id=row["pk"],
            name=row["display_name"],
            unit_id=row["unit_id"],
            level=row["level"],
            hired_on=row["hired_on"],
        )
        for row in Person.objects.filter(people_q).values(
            "pk", "display_name", "unit_id", "level", "hired_on"
        )
    }
    if rule.period == "cycle":
        cycles = Cycle.objects.filter(Q(pk=rule.cycle_id) | Q(parent_id=rule.cycle_id))
    else:
        cycles = Cycle.objects.filter(starts_on__lt=end, ends_on__gte=start)
    agreed = Q(cycle__in=cycles) & (
        Q(state=Goal.State.AGREED) | Q(state=Goal.State.CLOSED, agreed_at__isnull=False)
    )
    own_q = Q(owner_person__unit__path__startswith=path, owner_person__is_active=True)
    # A manager's results: the goals of the units they head (weighted as the rule says).
    headed_q = team_q = None
    team = engine.is_team(rule_spec(rule))
    if team:
        team_q = Q(owner_person__isnull=True, owner_unit__path__startswith=path)
    elif rule.kind not in engine.INDIVIDUAL_KINDS and rule.unit_goals_weight > 0:
        headed_q = Q(
            owner_person__isnull=True,
            owner_unit__head__unit__path__startswith=path,
            owner_unit__head__is_active=True,
        )
    extra_q = headed_q if headed_q is not None else team_q
    goal_q = agreed & (own_q | extra_q if extra_q is not None else own_q)
    goals = _load_goals(rule, goal_q, people)
    teams = _teams(goals) if team else []
    spec = rule_spec(rule)
    if engine.reads_key_results(spec):
        _add_key_results(goals, goal_q, rule, start_at, end_at)
    since = start
    if engine.is_streak(spec):
        since = min(start, end - dt.timedelta(weeks=STREAK_LOOKBACK_WEEKS))
    for person_id, week, submitted_at in CheckIn.objects.filter(
        person__unit__path__startswith=path,
        person__is_active=True,
        state=CheckIn.State.SUBMITTED,
        week__gte=since,
        week__lt=end,
    ).values_list("person_id", "week", "submitted_at"):
        person = people.get(person_id)
        if person is not None:
            person.check_ins[week] = submitted_at
    if spec.params.get("min_rating"):
        ratings = released_ratings(person_ids=list(people), goal_cycles=cycles)
        for person_id, rating in ratings.items():
            people[person_id].rating = rating
    claimed = _claimed_milestones(rule, start) if rule.kind == "milestone" else set()
    paid = _paid_before(rule, start) if rule.kind == "commission" else {}
    return engine.Inputs(
        rule=spec,
        paid=paid,
        teams=teams,
        period_start=start,
        period_end=end,
        people=list(people.values()),
        claimed=claimed,
        as_of=as_of,
    )


def evaluate(rule, start, end, *, as_of=None) -> engine.Result:
    """The whole evaluation as it was: inputs loaded the old way, the old engine."""
    return engine.evaluate(load_inputs(rule, start, end, as_of=as_of))
