"""Issue 18: evaluation loads its inputs set-based (the key results' values from their measured
history in one query, the rest plainly) and the engine builds explanations only for awards.
Every person's attainment, tier, amount and explanation must stay exactly what the previous
computation gave: `reference` keeps that computation (its loader and engine, verbatim) and the
demo company, disturbed the way real data is, is evaluated both ways for every rule kind over
several periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Goal, KeyResult, Measurement
from incentives import explain
from incentives.models import IncentiveRule
from incentives.rules import period_bounds
from incentives.services import evaluate_rule
from org.models import Person, Unit
from tests.factories import PersonFactory
from tests.incentives import reference
from tests.incentives.factories import TIERS, agreed_goal, check_in, make_rule

TODAY = dt.date(2026, 12, 5)
NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
# Days whose periods are evaluated: last quarter, this quarter's months and weeks, the current
# (open) week and month, which can only be previewed.
DAYS = [
    dt.date(2026, 8, 20),
    dt.date(2026, 10, 5),
    dt.date(2026, 11, 2),
    dt.date(2026, 11, 16),
    dt.date(2026, 11, 30),
    dt.date(2026, 12, 1),
]


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _disturb() -> dict:
    """What real data has and a fresh demo lacks: people who left or moved, values that arrived
    late, corrections with the same effective time, values after a period's end, a key result
    measured only after it, one of a range direction."""
    people = list(
        Person.objects.filter(is_active=True, goals__state=Goal.State.AGREED)
        .distinct()
        .order_by("pk")
    )
    assert len(people) >= 6
    Person.objects.filter(pk=people[0].pk).update(is_active=False)
    units = list(Unit.objects.order_by("pk"))
    for person in people[1:3]:
        other = next(u for u in units if u.pk != person.unit_id and u.parent_id is not None)
        Person.objects.filter(pk=person.pk).update(unit=other)
    krs = list(
        KeyResult.objects.filter(goal__state=Goal.State.AGREED, goal__owner_person__isnull=False)
        .order_by("pk")
        .select_related("goal")
    )
    assert len(krs) >= 8
    late = dt.datetime(2026, 12, 4, 18, tzinfo=dt.UTC)
    rows = []
    for index, kr in enumerate(krs[:8]):
        target = kr.target_value
        # A late value for mid-November, recorded in December.
        rows.append(
            Measurement(
                key_result=kr,
                value=target * Decimal("1.25"),
                effective_at=_at(dt.date(2026, 11, 18)),
                recorded_at=late,
                source="import",
            )
        )
        if index % 2 == 0:
            # Two corrections with the same effective time: the later recorded one counts; and
            # two with the same times too: the later row.
            same = _at(dt.date(2026, 11, 25))
            rows += [
                Measurement(
                    key_result=kr,
                    value=target * Decimal("0.5"),
                    effective_at=same,
                    recorded_at=same,
                    source="api",
                ),
                Measurement(
                    key_result=kr,
                    value=target * Decimal("1.6"),
                    effective_at=same,
                    recorded_at=late,
                    source="api",
                ),
                Measurement(
                    key_result=kr,
                    value=target * Decimal("1.05"),
                    effective_at=same,
                    recorded_at=late,
                    source="api",
                ),
            ]
        # A value after every evaluated period's end.
        rows.append(
            Measurement(
                key_result=kr,
                value=target * 3,
                effective_at=_at(TODAY),
                recorded_at=_at(TODAY),
                source="api",
            )
        )
    Measurement.objects.bulk_create(rows)
    # Measured only after the periods: it counts from its start value, not its current one.
    goal = krs[0].goal
    only_later = KeyResult.objects.create(
        goal=goal,
        name="Measured later",
        metric="new-customers",
        start_value=Decimal("2"),
        target_value=Decimal("10"),
        current_value=Decimal("9"),
        position=9,
    )
    Measurement.objects.create(
        key_result=only_later,
        value=Decimal("9"),
        effective_at=_at(TODAY),
        recorded_at=_at(TODAY),
        source="api",
    )
    # Never measured: its current value is all there is.
    KeyResult.objects.create(
        goal=krs[-1].goal,
        name="Unmeasured",
        start_value=Decimal("0"),
        target_value=Decimal("4"),
        current_value=Decimal("5"),
        weight=Decimal("2"),
        position=8,
    )
    KeyResult.objects.create(
        goal=krs[-2].goal,
        name="Range",
        direction="range",
        start_value=Decimal("0"),
        target_value=Decimal("4"),
        target_high=Decimal("6"),
        current_value=Decimal("7"),
        position=7,
    )
    return {"left": people[0], "moved": people[1:3]}


def _extra_rules() -> None:
    company = Unit.objects.get(parent=None)
    make_rule(
        company,
        "tiered_bonus",
        TIERS,
        name="Cycle bonus heads at half",
        period="quarter",
        unit_goals_weight=Decimal("0.5"),
        min_check_in_rate=0.5,
        min_tenure_days=30,
    )
    make_rule(
        company,
        "tiered_bonus",
        TIERS | {"team_split": "contribution"},
        name="Team by contribution",
        period="month",
        require_agreed_goals=False,
    )
    make_rule(
        company,
        "tiered_bonus",
        TIERS | {"team_split": "weight", "weights": {"manager": 2, "frontline": 1}},
        name="Team by weight",
        period="quarter",
        require_agreed_goals=False,
    )
    make_rule(
        company,
        "recognition",
        {"metric": "attainment", "top_n": 2, "title": "Per unit", "per_unit": True, "amount": 50},
        name="Per unit champions",
    )
    make_rule(
        company,
        "recognition",
        {"metric": "progress_gained", "top_n": 5, "title": "Movers"},
        name="Weekly movers",
    )
    make_rule(
        company,
        "commission",
        {"metric": "new-customers", "rate": 0.1, "value_per_unit": 100},
        name="Weekly commission",
        cap=Decimal("400"),
    )
    make_rule(company, "milestone", {"amount": 25}, name="Any milestone", period="month")
    make_rule(
        company,
        "promotion_points",
        {"threshold": 0.4, "points": 3},
        name="Points for frontline",
        levels=["frontline"],
        period="quarter",
    )
    make_rule(
        company, "tiered_bonus", TIERS | {"min_rating": 3}, name="Rated bonus", period="quarter"
    )


def _proposals(proposals) -> list[tuple]:
    return [(p.person_id, str(p.amount), str(p.points), p.title, p.explanation) for p in proposals]


def _texts(kind: str, proposals, currency: str) -> list[tuple]:
    return [
        (explain.describe(kind, p.explanation), explain.breakdown(kind, p.explanation, currency))
        for p in proposals
    ]


@pytest.mark.django_db
def test_the_fast_path_gives_what_the_reference_gave_on_the_demo_company():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo")
        disturbed = _disturb()
        _extra_rules()
        compared = awarded = 0
        kinds = set()
        for rule in IncentiveRule.objects.select_related("unit", "cycle").order_by("pk"):
            periods = {period_bounds(rule.period, day, rule.cycle) for day in DAYS}
            for start, end in sorted(periods):
                for today in {TODAY, max(TODAY, end)}:
                    old = reference.evaluate(rule, start, end, as_of=today)
                    new = evaluate_rule(actor=None, rule=rule, day=start, dry_run=True, today=today)
                    where = (rule.name, start, today)
                    assert _proposals(new.proposals) == _proposals(old.proposals), where
                    assert new.eligible_ids == old.eligible_ids, where
                    assert new.ineligible == old.ineligible, where
                    assert new.not_awarded == old.not_awarded, where
                    assert _texts(rule.kind, new.proposals, rule.currency) == _texts(
                        rule.kind, old.proposals, rule.currency
                    ), where
                    compared += 1
                    awarded += len(new.proposals)
                    kinds.add(rule.kind)
    # The comparison covered every kind, with awards to compare and not only refusals.
    assert kinds == set(IncentiveRule.Kind.values)
    assert compared > 40 and awarded > 20
    assert disturbed["left"].pk not in new.people


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("tiered_bonus", TIERS),
        ("commission", {"metric": "sales", "rate": 0.1, "value_per_unit": 10}),
        ("recognition", {"metric": "progress_gained", "top_n": 2, "title": "Movers"}),
        ("milestone", {"amount": 100, "metric": "sales"}),
    ],
)
def test_queries_do_not_grow_with_the_people(company, cycle, kind, params):
    """The same number of queries for n and 3n people (their goals, measured and unmeasured
    key results, late values and check-ins)."""
    unit = company["field"]
    rule = make_rule(unit, kind, params, period="quarter")

    def add(count: int) -> None:
        for i in range(count):
            person = PersonFactory(unit=unit, manager=company["bob"], user__password="!")
            agreed_goal(
                person,
                cycle,
                values=[
                    (10, 10 + i % 7),
                    {"target_value": Decimal("5"), "value": i % 6, "metric": "sales"},
                    {"target_value": Decimal("3"), "value": None},
                ],
            )
            check_in(person)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            outcome = evaluate_rule(actor=None, rule=rule, day=cycle.starts_on, dry_run=True)
        assert outcome.people
        return len(ctx.captured_queries)

    add(4)
    few = queries()
    add(8)
    assert queries() == few
