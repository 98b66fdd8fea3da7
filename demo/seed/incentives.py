"""Demo incentives: the rules of the method this product follows, evaluated over the seeded
weeks, with recognition approved and published so the feed has champions. Idempotent (rules
are found by name, evaluation is idempotent, only proposed awards are decided) and
deterministic (no randomness).

Besides the over-achievers, the feed recognises steady work: the demo employee is behind plan
for lack of leads but never misses a weekly check-in, so the "Steady check-in" recognition
(top 3 by check-in streak) finds her, and her home shows an award."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from demo.seed.goals import _kr, _measure, _set_state, _weekly
from goals import services as goal_services
from goals.models import Cycle, Goal
from incentives import services
from incentives.models import Award, IncentiveRule
from incentives.rules import period_bounds

TIERS = [
    {"threshold": 1, "amount": 1000},
    {"threshold": 1.2, "amount": 2000},
    {"threshold": 1.5, "amount": 3000},
]

RULES = [
    {
        "name": "Weekly champion",
        "description": "The person with the highest weighted goal attainment of the week.",
        "kind": "recognition",
        "period": "week",
        "params": {"metric": "attainment", "top_n": 1, "title": "Weekly champion", "amount": 200},
        "min_check_in_rate": 1.0,
    },
    {
        "name": "Quarterly over-achievement bonus",
        "description": "≥100 % → 1,000; ≥120 % → 2,000; ≥150 % → 3,000 (capped at 3,000).",
        "kind": "tiered_bonus",
        "period": "quarter",
        "params": {"tiers": TIERS},
        "cap": Decimal("3000"),
        "min_check_in_rate": 0.6,
        "min_tenure_days": 90,
    },
    {
        "name": "Milestone reward",
        "description": "500 the first time a key result reaches a milestone or its target.",
        "kind": "milestone",
        "period": "week",
        "params": {"amount": 500, "include_target": True},
    },
    {
        "name": "Sales commission",
        "description": "3 % of the value of new customers above target (5,000 per customer).",
        "kind": "commission",
        "period": "month",
        "params": {"metric": "new-customers", "rate": 0.03, "value_per_unit": 5000},
    },
    {
        "name": "Monthly goal pioneer",
        "description": "The most progress gained on goals in the month.",
        "kind": "recognition",
        "period": "month",
        "params": {"metric": "progress_gained", "top_n": 1, "title": "Monthly goal pioneer"},
    },
    {
        "name": "Steady check-in",
        "description": "Recognition for the longest unbroken run of weekly check-ins at the "
        "month's end (top 3; ties go to the earlier check-in).",
        "kind": "recognition",
        "period": "month",
        "params": {"metric": "streak", "top_n": 3, "title": "Steady check-in"},
    },
    {
        "name": "Promotion points",
        "description": "10 points for every month of attainment at or above 100 %.",
        "kind": "promotion_points",
        "period": "month",
        "params": {"threshold": 1, "points": 10},
    },
    {
        "name": "Managers' long-term award",
        "description": "Managers at or above 90 % on their own goals and the goals of the units "
        "they head earn 20,000, vesting over four quarters; unvested instalments are "
        "forfeited on leaving.",
        "kind": "deferred",
        "period": "quarter",
        "levels": ["manager", "executive"],
        "params": {"threshold": 0.9, "amount": 20000, "vesting_periods": 4},
    },
    {
        "name": "Inside Sales team fund",
        "description": "A team award for the Inside Sales travel fund: the team's own goal at "
        "30 % of the quarter's target by a month's end → 3,000; 60 % → 6,000; 100 % → 10,000, "
        "shared equally among the team.",
        "kind": "tiered_bonus",
        "period": "month",
        "unit_key": "sales-inside",
        "params": {
            "tiers": [
                {"threshold": 0.3, "amount": 3000},
                {"threshold": 0.6, "amount": 6000},
                {"threshold": 1, "amount": 10000},
            ],
            "team_split": "equal",
        },
        "require_agreed_goals": False,
    },
]


def _rule(ctx, spec: dict) -> IncentiveRule:
    spec = dict(spec)
    unit = ctx.units.get(spec.pop("unit_key", "company"), ctx.units["company"])
    rule = IncentiveRule.objects.filter(name=spec["name"], unit=unit).first()
    if rule is None:
        rule = IncentiveRule(unit=unit, created_by=ctx.people.get("admin"), **spec)
        rule.full_clean()
        rule.save()
    return rule


def _periods(rule: IncentiveRule, today: dt.date, weeks: int) -> list[dt.date]:
    """Starts of the ended periods overlapping the seeded weeks; monthly and quarterly rules
    also cover last quarter (its goals and values are seeded), so its months' commissions add
    up to the quarter's and the managers' award for it is decided. An open period is never
    evaluated for good."""
    starts: list[dt.date] = []
    day = today - dt.timedelta(weeks=weeks)
    if rule.period in ("month", "quarter"):
        day = min(
            day,
            period_bounds("quarter", period_bounds("quarter", today)[0] - dt.timedelta(days=1))[0],
        )
    while day <= today:
        start, end = period_bounds(rule.period, day, rule.cycle)
        if end > today:
            break
        if start not in starts:
            starts.append(start)
        day = end
    return starts


TEAM_GOAL = "Inside Sales: answer 95 % of new leads within a day"


def _team_goal(ctx) -> None:
    """Inside Sales' own team goal, measured weekly since the quarter began: the team fund
    (a team award split equally among the team) reads it."""
    unit = ctx.units.get("sales-inside")
    cycle = (
        Cycle.objects.filter(
            kind=Cycle.Kind.QUARTER, starts_on__lte=ctx.today, ends_on__gte=ctx.today
        )
        .order_by("starts_on")
        .first()
    )
    if unit is None or cycle is None or Goal.objects.filter(title=TEAM_GOAL, cycle=cycle).exists():
        return
    goal = goal_services.create_goal(
        actor=None,
        cycle=cycle,
        title=TEAM_GOAL,
        level=Goal.Level.UNIT,
        owner_unit=unit,
        category="sales",
        key_results=[_kr("Leads answered within a day", "95", unit="%", start="60")],
        starts_on=cycle.starts_on,
    )
    _set_state(goal, Goal.State.AGREED, ctx.people.get("manager"))
    history = _weekly(cycle.starts_on, ctx.today, Decimal("92"), Decimal("60"))
    _measure(goal.key_results.get(), history, unit.head)
    goal_services.recompute_all(Goal.objects.filter(pk=goal.pk))


def seed(ctx) -> None:
    if ctx.synthetic:
        # Scale data: every rule; the recognition ones evaluated once for their latest ended
        # period, so approval queues and dashboards have proposed awards (re-runs change
        # nothing). The benchmark times the evaluation of the others.
        for spec in RULES:
            rule = _rule(ctx, spec)
            if rule.kind != IncentiveRule.Kind.RECOGNITION:
                continue
            ended = [
                start
                for start in _periods(rule, ctx.today, ctx.weeks)
                if period_bounds(rule.period, start, rule.cycle)[1] <= ctx.today
            ]
            if ended:
                services.evaluate_rule(actor=None, rule=rule, day=ended[-1], today=ctx.today)
        return
    _team_goal(ctx)
    rules = [_rule(ctx, spec) for spec in RULES]
    for rule in rules:
        for start in _periods(rule, ctx.today, ctx.weeks):
            services.evaluate_rule(actor=None, rule=rule, day=start, today=ctx.today)
    # Decide past recognition so the feed shows champions; bonuses stay for HR to approve.
    admin, hrbp = ctx.people["admin"], ctx.people.get("hrbp")
    current_week = ctx.today - dt.timedelta(days=ctx.today.weekday())
    waiting = (
        Award.objects.filter(
            rule__in=rules,
            kind=IncentiveRule.Kind.RECOGNITION,
            state__in=[Award.State.PROPOSED, Award.State.APPROVED],
            period_end__lte=current_week,
        )
        .select_related("person__unit")
        .order_by("period_start", "pk")
    )
    for award in waiting:
        actor = admin if award.person_id != admin.pk else hrbp
        if actor is None or actor.pk == award.person_id:
            continue
        if award.state == Award.State.PROPOSED:
            award = services.approve_award(actor=actor, award=award)
        services.publish_award(actor=actor, award=award)
