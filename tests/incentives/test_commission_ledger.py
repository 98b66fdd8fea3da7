"""Commission on the increment: a monthly commission on a quarterly key result pays each month
only what was earned in it (a ledger per person, rule and key result), so a quarter of monthly
commissions pays exactly the quarter's commission; a correction after payment is an
adjustment line in the next period."""

import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine

from goals.services import record_measurement
from incentives import services
from incentives.models import Award, CommissionLine
from tests.incentives.factories import agreed_goal, at, make_rule

pytestmark = pytest.mark.django_db

AFTER_Q4 = dt.date(2027, 1, 4)
MONTHS = [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]


@pytest.fixture(autouse=True)
def _after_q4():
    with time_machine.travel(dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC), tick=False):
        yield


def commission(company, metric, period, rate=0.03, per_unit=5000, **fields):
    return make_rule(
        company["acme"],
        "commission",
        {"metric": metric, "rate": rate, "value_per_unit": per_unit},
        period=period,
        name=f"{metric} {period}",
        **fields,
    )


def evaluate(rule, day, **kwargs):
    return services.evaluate_rule(actor=None, rule=rule, day=day, today=AFTER_Q4, **kwargs)


def paid(rule, person):
    return sum((a.amount for a in Award.objects.filter(rule=rule, person=person)), Decimal("0"))


def goal_with(person, cycle, metric, target, month_values):
    goal = agreed_goal(
        person,
        cycle,
        values=[{"target_value": Decimal(target), "metric": metric, "name": metric}],
    )
    kr = goal.key_results.get()
    for month, value in zip(MONTHS, month_values, strict=True):
        if value is None:
            continue
        record_measurement(
            key_result=kr, value=value, source="api", at=at(month + dt.timedelta(days=20))
        )
    return kr


def test_monthly_commission_does_not_pay_the_same_excess_twice(company, cycle):
    """The defect: each month paid on the quarterly key result's whole excess over target."""
    alice = company["alice"]
    goal_with(alice, cycle, "new-customers", 10, [12, 12, 12])
    rule = commission(company, "new-customers", "month")
    amounts = [evaluate(rule, month).awards for month in MONTHS]
    assert [a[0].amount for a in amounts[:1]] == [Decimal("300")]  # 2 × 5000 × 3 %
    assert amounts[1] == [] and amounts[2] == []  # nothing more was earned
    assert paid(rule, alice) == Decimal("300")
    [line] = CommissionLine.objects.filter(rule=rule)
    assert (line.earned_to_date, line.paid_before, line.amount) == (300, 0, 300)


def test_a_quarter_of_monthly_commissions_pays_the_quarters_commission(company, cycle):
    """Property over many random month patterns (rises, falls, corrections below target)."""
    alice = company["alice"]
    rng = random.Random(21)
    for index in range(25):
        metric = f"m{index}"
        target = rng.randint(0, 20)
        pattern = [rng.randint(0, 40) + rng.choice([0, Decimal("0.37")]) for _m in MONTHS]
        rate = rng.choice([0.01, 0.03, 0.07, 0.333])
        per_unit = rng.choice([1, 7, 5000, 12.5])
        goal_with(alice, cycle, metric, target, pattern)
        monthly = commission(company, metric, "month", rate=rate, per_unit=per_unit)
        quarterly = commission(company, metric, "quarter", rate=rate, per_unit=per_unit)
        for month in MONTHS:
            evaluate(monthly, month)
        evaluate(quarterly, MONTHS[0])
        assert paid(monthly, alice) == paid(quarterly, alice), (target, pattern, rate, per_unit)


def test_correction_after_payment_is_an_adjustment_line(company, cycle):
    alice, zed = company["alice"], company["zed"]
    kr = goal_with(alice, cycle, "deals", 10, [12, None, None])
    rule = commission(company, "deals", "month", rate=0.1, per_unit=100)
    [october] = evaluate(rule, MONTHS[0]).awards
    assert october.amount == Decimal("20")
    services.approve_award(actor=zed, award=october)
    # October's figure is corrected upwards after the award was approved
    record_measurement(key_result=kr, value=15, source="api", at=at(dt.date(2026, 10, 25)))
    again = evaluate(rule, MONTHS[0])
    assert again.warnings and Award.objects.get(pk=october.pk).amount == Decimal("20")
    [november] = evaluate(rule, MONTHS[1]).awards
    # 12 → 15 before November began: paid in November as an adjustment, nothing new earned
    row = november.explanation["key_results"][0]
    assert row["adjustment"] == "30" and row["earned_in_period"] == "0"
    assert november.amount == Decimal("30")
    line = CommissionLine.objects.get(award=november)
    assert (line.paid_before, line.adjustment, line.amount) == (20, 30, 30)
    assert paid(rule, alice) == Decimal("50")  # (15 − 10) × 100 × 10 %
