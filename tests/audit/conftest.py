"""Changes of every audited kind, made through the services, on the shared company: in Sales
(alice's goal, its adjustment, Sales' budget and a request on it, an incentive rule for Sales
and an award to alice) and in Marketing (dave's goal and Marketing's budget)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from goals import services as goal_services
from goals.models import Cycle, Goal
from incentives import services as incentive_services
from incentives.models import Award
from resources import services as resource_services
from resources.models import BudgetCategory

TIERS = {"tiers": [{"threshold": 1, "amount": 1000}, {"threshold": 1.2, "amount": 2000}]}


def make_cycle() -> Cycle:
    today = timezone.localdate()
    return Cycle.objects.create(
        name="This quarter",
        kind=Cycle.Kind.QUARTER,
        starts_on=today - dt.timedelta(days=45),
        ends_on=today + dt.timedelta(days=45),
        state=Cycle.State.ACTIVE,
    )


def agreed_goal(*, manager, owner, cycle, title="Win new customers", target=45) -> Goal:
    """A goal the manager assigns and the owner accepts: created, proposed, agreed."""
    goal = goal_services.create_goal(
        actor=manager,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title=title,
        level=Goal.Level.PERSON,
        owner_person=owner,
        key_results=[{"name": "New customers", "target_value": Decimal(target), "unit": "#"}],
    )
    goal_services.propose_goal(actor=manager, goal=goal)
    return goal_services.agree_goal(actor=owner, goal=goal)


def sales_changes(c: dict, cycle: Cycle) -> dict:
    alice, bob, carol = c["alice"], c["bob"], c["carol"]
    goal = agreed_goal(manager=bob, owner=alice, cycle=cycle)
    kr = goal.key_results.get()
    adjustment = goal_services.request_adjustment(
        actor=alice, key_result=kr, new_target="40", reason="market", evidence="A competitor"
    )
    goal_services.approve_adjustment(actor=bob, adjustment=adjustment)
    budget = resource_services.create_budget(
        actor=bob, unit=c["sales"], cycle=cycle, category=BudgetCategory.PROMOTION, allocated=5000
    )
    request = resource_services.submit_request(
        requester=alice,
        kind="budget",
        title="Trade fair stand",
        justification="Meet new customers",
        goal=goal,
        unit=c["sales"],
        amount=Decimal("1200"),
        category=BudgetCategory.PROMOTION,
    )
    resource_services.approve_request(actor=bob, request=request)
    rule = incentive_services.create_rule(
        actor=carol,
        name="Sales bonus",
        unit=c["sales"],
        period="quarter",
        kind="tiered_bonus",
        params=TIERS,
    )
    rule = incentive_services.update_rule(actor=carol, rule=rule, cap=Decimal("1500"))
    award = Award.objects.create(
        rule=rule,
        person=alice,
        period_start=cycle.starts_on,
        period_end=cycle.ends_on,
        kind=rule.kind,
        amount=Decimal("1000"),
        currency="CNY",
    )
    incentive_services.approve_award(actor=carol, award=award)
    return {"goal": goal, "kr": kr, "adjustment": adjustment, "budget": budget,
            "request": request, "rule": rule, "award": award}  # fmt: skip


def marketing_changes(c: dict, cycle: Cycle) -> dict:
    goal = agreed_goal(manager=c["mia"], owner=c["dave"], cycle=cycle, title="Generate leads")
    budget = resource_services.create_budget(
        actor=c["mia"], unit=c["marketing"], cycle=cycle, category=BudgetCategory.PROMOTION,
        allocated=3000,
    )  # fmt: skip
    return {"goal": goal, "budget": budget}


@pytest.fixture
def cycle(db):
    return make_cycle()


@pytest.fixture
def changes(company, cycle):
    return {"sales": sales_changes(company, cycle), "marketing": marketing_changes(company, cycle)}
