"""The demo seeder: the method's rules, evaluated over the seeded weeks; idempotent."""

import datetime as dt

import pytest
import time_machine

from demo.seed import incentives as incentives_seed
from demo.seed.org import seed_company
from incentives.models import Award, IncentiveRule
from notifications.models import Notification
from tests.incentives.factories import agreed_goal, check_in, make_cycle

pytestmark = pytest.mark.django_db


def test_seed_twice_changes_nothing_and_publishes_champions():
    with time_machine.travel(dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC), tick=False):
        ctx = seed_company(weeks=3)
        incentives_seed.seed(ctx)  # no goals yet: rules only, nothing awarded, nothing breaks
        assert IncentiveRule.objects.count() == len(incentives_seed.RULES) == 9
        assert Award.objects.count() == 0
        cycle = make_cycle()
        week = dt.date(2026, 11, 16)
        for i, username in enumerate(["employee", "sales-inside.1", "sales-inside.2"]):
            person = ctx.people[username]
            agreed_goal(person, cycle, values=[(10, 9 + 2 * i)], measured_on=week)
            check_in(person, week)
        incentives_seed.seed(ctx)
        state = sorted(Award.objects.values_list("rule__name", "person_id", "amount", "state"))
        notes = Notification.objects.count()
        assert ("Weekly champion", ctx.people["sales-inside.2"].pk) in {
            (name, pk) for name, pk, _a, s in state if s == "published"
        }
        assert "Milestone reward" in {name for name, *_r in state}
        # November is still running: its monthly rules are not evaluated for good
        assert not Award.objects.filter(period_end__gt=dt.date(2026, 11, 25)).exists()
        incentives_seed.seed(ctx)
        assert (
            sorted(Award.objects.values_list("rule__name", "person_id", "amount", "state")) == state
        )
        assert Notification.objects.count() == notes
        assert IncentiveRule.objects.count() == len(incentives_seed.RULES) == 9


def test_synthetic_organisation_gets_every_rule_evaluated_once():
    """The scale data has every rule; recognition is evaluated for its latest ended
    period."""
    from demo.seed import goals as goals_seed
    from demo.seed import tracking as tracking_seed
    from demo.seed.org_synthetic import seed_synthetic

    with time_machine.travel(dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC), tick=False):
        ctx = seed_synthetic(employees=60, weeks=4)
        goals_seed.seed(ctx)
        tracking_seed.seed(ctx)
        incentives_seed.seed(ctx)
        assert IncentiveRule.objects.count() == len(incentives_seed.RULES) == 9
        assert Award.objects.filter(state="proposed").exists()
        assert set(Award.objects.values_list("rule__kind", flat=True)) == {"recognition"}
        awarded = Award.objects.count()
        incentives_seed.seed(ctx)
        assert Award.objects.count() == awarded
