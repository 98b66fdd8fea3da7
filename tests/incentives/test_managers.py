"""A manager's results are the goals of the units they head: their deferred award fires, pays
its instalments on schedule and forfeits the rest when they leave."""

import datetime as dt
from decimal import Decimal

import pytest

from incentives import services
from incentives.models import Award
from tests.incentives.factories import TIERS, agreed_goal, make_rule

pytestmark = pytest.mark.django_db

AFTER_Q4 = dt.date(2027, 1, 4)
DEFERRED = {"threshold": 1, "amount": 20000, "vesting_periods": 4}


def deferred_rule(company, **fields):
    return make_rule(
        company["acme"],
        "deferred",
        DEFERRED,
        period="quarter",
        levels=["manager", "executive"],
        **fields,
    )


def evaluate(rule, dry_run=False):
    return services.evaluate_rule(
        actor=None, rule=rule, day=dt.date(2026, 10, 1), dry_run=dry_run, today=AFTER_Q4
    )


def test_unit_head_is_judged_on_the_goals_of_the_units_they_head(company, cycle):
    """The defect: managers own unit goals, so every manager was 'No agreed goals'."""
    agreed_goal(None, cycle, unit=company["sales"], values=[(100, 110)])
    outcome = evaluate(deferred_rule(company))
    bob = company["bob"]
    [award] = outcome.awards
    assert award.person == bob
    assert award.amount == Decimal("20000")
    [goal] = award.explanation["goals"]
    assert goal["unit"] == company["sales"].pk and goal["unit_name"] == "Sales"
    # mia heads Marketing, which has no goals: not eligible, and told why
    assert outcome.ineligible[company["mia"].pk] == [{"code": "no_agreed_goals"}]


def test_unit_goals_weighted_as_configured(company, cycle):
    bob = company["bob"]
    agreed_goal(bob, cycle, values=[(100, 50)])  # own goal: 50 %
    agreed_goal(None, cycle, unit=company["field"], values=[(100, 150)])  # 150 %
    rule = make_rule(
        company["acme"], "tiered_bonus", TIERS, period="quarter", unit_goals_weight=Decimal("3")
    )
    [proposal] = [p for p in evaluate(rule, dry_run=True).proposals if p.person_id == bob.pk]
    # (0.5 × 1 + 1.5 × 3) / 4 = 1.25
    assert proposal.explanation["attainment"] == "1.25"
    assert proposal.amount == Decimal("2000")
    only_own = make_rule(
        company["acme"], "tiered_bonus", TIERS, period="quarter", unit_goals_weight=0, name="own"
    )
    outcome = evaluate(only_own, dry_run=True)
    assert bob.pk not in {p.person_id for p in outcome.proposals}


def test_commission_never_counts_unit_goals(company, cycle):
    agreed_goal(
        None,
        cycle,
        unit=company["sales"],
        values=[{"target_value": Decimal("10"), "value": 20, "metric": "deals"}],
    )
    rule = make_rule(
        company["acme"],
        "commission",
        {"metric": "deals", "rate": 0.1, "value_per_unit": 100},
        period="quarter",
    )
    assert evaluate(rule, dry_run=True).proposals == []


def test_instalments_vest_on_schedule_and_forfeit_on_leaving(company, cycle):
    agreed_goal(None, cycle, unit=company["sales"], values=[(100, 100)])
    [award] = evaluate(deferred_rule(company)).awards
    schedule = award.explanation["vesting"]
    assert [t["vests_on"] for t in schedule] == [
        "2027-03-31",
        "2027-06-30",
        "2027-09-30",
        "2027-12-31",
    ]
    assert sum(Decimal(t["amount"]) for t in schedule) == Decimal("20000")
    # a proposed award does not vest
    assert services.update_vesting(today=dt.date(2027, 4, 1)) == 0
    award = services.approve_award(actor=company["zed"], award=award)
    assert services.update_vesting(today=dt.date(2027, 3, 30)) == 0  # not due yet
    assert services.update_vesting(today=dt.date(2027, 3, 31)) == 1
    assert services.update_vesting(today=dt.date(2027, 3, 31)) == 0  # idempotent
    bob = company["bob"]
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert services.update_vesting(today=dt.date(2027, 7, 1)) == 1
    award = Award.objects.get(pk=award.pk)
    assert [t["status"] for t in award.explanation["vesting"]] == [
        "vested",
        "forfeited",
        "forfeited",
        "forfeited",
    ]
