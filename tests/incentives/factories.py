"""Builders for incentive tests: agreed goals with measured key results, check-ins, rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from goals.models import Cycle, Goal
from goals.services import create_goal, record_measurement
from incentives.models import IncentiveRule
from tracking.models import CheckIn

Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
WEEK = dt.date(2026, 11, 16)  # a Monday inside Q4


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def make_cycle(name="Q4 2026", starts_on=Q4[0], ends_on=Q4[1]) -> Cycle:
    return Cycle.objects.create(
        name=name, kind=Cycle.Kind.QUARTER, starts_on=starts_on, ends_on=ends_on, state="active"
    )


def agreed_goal(
    person,
    cycle,
    *,
    values=(),
    weight=1,
    title="Grow",
    state=Goal.State.AGREED,
    measured_on=WEEK + dt.timedelta(days=2),
    unit=None,
):
    """An agreed person goal (with `unit`: a goal of that unit, `person` None).
    `values`: (target, value) or dicts of KR fields plus "value";
    each value is recorded as a measurement on `measured_on`."""
    krs, recorded = [], []
    for index, spec in enumerate(values):
        if isinstance(spec, tuple):
            spec = {"target_value": Decimal(str(spec[0])), "value": spec[1]}
        spec = dict(spec)
        value = spec.pop("value", None)
        krs.append({"name": spec.pop("name", f"KR {index + 1}"), **spec})
        recorded.append(value)
    goal = create_goal(
        actor=None,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title=title,
        level=Goal.Level.UNIT if unit is not None else Goal.Level.PERSON,
        owner_person=person,
        owner_unit=unit,
        weight=Decimal(str(weight)),
        key_results=krs,
    )
    Goal.objects.filter(pk=goal.pk).update(state=state, agreed_at=timezone.now())
    for kr, value in zip(goal.key_results.order_by("position"), recorded, strict=True):
        if value is not None:
            record_measurement(key_result=kr, value=value, source="api", at=at(measured_on))
    goal.refresh_from_db()
    return goal


def check_in(person, week=WEEK, *, submitted_at=None, state=CheckIn.State.SUBMITTED):
    return CheckIn.objects.create(
        person=person,
        week=week,
        state=state,
        submitted_at=submitted_at or at(week + dt.timedelta(days=4)),
    )


def make_rule(unit, kind, params, **fields) -> IncentiveRule:
    fields.setdefault("period", "week")
    fields.setdefault("require_agreed_goals", kind != "recognition")
    rule = IncentiveRule(
        name=fields.pop("name", kind), unit=unit, kind=kind, params=params, **fields
    )
    rule.full_clean()
    rule.save()
    return rule


TIERS = {
    "tiers": [
        {"threshold": 1, "amount": 1000},
        {"threshold": 1.2, "amount": 2000},
        {"threshold": 1.5, "amount": 3000},
    ]
}


def make_award(
    rule,
    person,
    *,
    period_start=WEEK,
    state="proposed",
    amount="1000",
    points="0",
    title="",
    explanation=None,
):
    from incentives.models import Award

    return Award.objects.create(
        rule=rule,
        person=person,
        period_start=period_start,
        period_end=period_start + dt.timedelta(days=7),
        kind=rule.kind,
        amount=Decimal(amount),
        points=Decimal(points),
        currency=rule.currency,
        title=title,
        explanation=explanation
        or {"metric": "attainment", "value": "1.2", "rank": 1, "group_size": 3},
        published_at=timezone.now() if state == "published" else None,
        state=state,
    )
