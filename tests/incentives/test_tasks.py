"""The periodic evaluation: weekly champions appear on Monday without anyone pressing a
button, and running the task twice changes nothing."""

import datetime as dt

import pytest
import time_machine

from incentives import tasks
from incentives.models import Award, Evaluation
from tests.incentives.factories import TIERS, WEEK, agreed_goal, check_in, make_rule

pytestmark = pytest.mark.django_db


def test_evaluates_rules_whose_period_just_ended_once(company, cycle):
    for person, value in ((company["alice"], 13), (company["erin"], 11)):
        agreed_goal(person, cycle, values=[(10, value)])
        check_in(person)
    champion = make_rule(
        company["acme"],
        "recognition",
        {"metric": "attainment", "top_n": 1, "title": "Weekly champion"},
    )
    monthly = make_rule(company["acme"], "tiered_bonus", TIERS, period="month")
    inactive = make_rule(company["acme"], "tiered_bonus", TIERS, is_active=False)
    with time_machine.travel(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC), tick=False):
        assert tasks.evaluate_due_rules() == 2  # the week of 16 Nov and October
        awards = list(
            Award.objects.values_list("pk", "rule_id", "person_id", "amount", "updated_at")
        )
        assert tasks.evaluate_due_rules() == 0
        assert (
            list(Award.objects.values_list("pk", "rule_id", "person_id", "amount", "updated_at"))
            == awards
        )
    champions = Award.objects.filter(rule=champion)
    assert [(a.person_id, a.period_start, a.state) for a in champions] == [
        (company["alice"].pk, WEEK, "proposed")
    ]
    assert Evaluation.objects.filter(rule=monthly, period_start=dt.date(2026, 10, 1)).exists()
    assert not Evaluation.objects.filter(rule=inactive).exists()
    # a week later the next week is evaluated, the earlier one is not touched again
    with time_machine.travel(dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC), tick=False):
        assert tasks.evaluate_due_rules() == 1
    assert Evaluation.objects.filter(rule=champion).count() == 2
