"""Issue 21's "done when" on the demo: a finished week's champion checked in every week, the
managers' deferred award fires for the Sales head, a team award is split among Inside Sales,
and last quarter's monthly commissions pay exactly the quarter's commission."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from incentives import services
from incentives.models import Award, IncentiveRule
from org.models import Unit

pytestmark = pytest.mark.django_db


def test_demo_incentives():
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo")
        today = dt.date(2026, 12, 5)
        assert not Award.objects.filter(period_end__gt=today).exists()
        champions = Award.objects.filter(rule__name="Weekly champion")
        assert champions.exists()
        for award in champions:
            check_ins = award.explanation["eligibility"]["check_ins"]
            assert check_ins["submitted"] == check_ins["expected"] >= 1
        sales = Unit.objects.get(name="Sales")
        deferred = Award.objects.get(rule__name="Managers' long-term award", person=sales.head)
        assert deferred.amount == Decimal("20000")
        assert len(deferred.explanation["vesting"]) == 4
        team = Award.objects.filter(rule__name="Inside Sales team fund")
        assert team.exists()
        assert {a.person.unit.name for a in team} == {"Inside Sales"}
        by_period: dict = {}
        for award in team:
            by_period.setdefault(award.period_start, []).append(award)
        for awards in by_period.values():
            pot = Decimal(awards[0].explanation["team"]["award"])
            assert sum(a.amount for a in awards) == pot
        monthly = IncentiveRule.objects.get(name="Sales commission")
        quarterly = IncentiveRule.objects.create(
            name="check", unit=monthly.unit, kind="commission", period="quarter",
            params=monthly.params,
        )  # fmt: skip
        last_quarter = dt.date(2026, 7, 1)
        outcome = services.evaluate_rule(actor=None, rule=quarterly, day=last_quarter, dry_run=True)
        paid: dict = {}
        for award in Award.objects.filter(
            rule=monthly, period_start__gte=last_quarter, period_start__lt=dt.date(2026, 10, 1)
        ):
            paid[award.person_id] = paid.get(award.person_id, Decimal("0")) + award.amount
        assert paid and paid == {p.person_id: p.amount for p in outcome.proposals}
