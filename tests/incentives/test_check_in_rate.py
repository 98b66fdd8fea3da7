"""The check-in completion rate counts only the weeks of the period so far: a preview in the
middle of a period does not count its future weeks (or the week still open, before its check-in)
as missed; the evaluation after the period counts every week."""

import datetime as dt

import pytest
import time_machine

from incentives import services
from tests.incentives.factories import TIERS, agreed_goal, check_in, make_rule

pytestmark = pytest.mark.django_db

NOVEMBER = [dt.date(2026, 11, day) for day in (2, 9, 16, 23, 30)]  # its five Mondays
WEDNESDAY = dt.date(2026, 11, 18)  # in the third week


@pytest.fixture
def monthly(company, cycle):
    """A monthly bonus needing 75 % of the weekly check-ins. By Wednesday of the third week:
    erin has submitted all three weeks so far, alice the two weeks that are over (not yet the
    open one), dave only the first."""
    for person in (company["alice"], company["erin"], company["dave"]):
        agreed_goal(person, cycle, values=[(10, 10)])
    for week in NOVEMBER[:3]:
        check_in(company["erin"], week, submitted_at=dt.datetime(2026, 11, 18, 8, tzinfo=dt.UTC))
    for week in NOVEMBER[:2]:
        check_in(company["alice"], week)
    check_in(company["dave"], NOVEMBER[0])
    return make_rule(company["acme"], "tiered_bonus", TIERS, period="month", min_check_in_rate=0.75)


def _by_person(outcome):
    return {p.person_id: p for p in outcome.proposals}


def test_preview_mid_period_counts_only_the_weeks_so_far(company, monthly):
    outcome = services.evaluate_rule(
        actor=None, rule=monthly, day=NOVEMBER[0], dry_run=True, today=WEDNESDAY
    )
    awarded = _by_person(outcome)
    alice, erin, dave = company["alice"], company["erin"], company["dave"]
    assert set(awarded) == {alice.pk, erin.pk}
    assert awarded[erin.pk].explanation["eligibility"]["check_ins"] == {
        "submitted": 3,
        "expected": 3,
        "until": "2026-11-18",
    }
    # the open third week is not missed yet; the two weeks that are over are both in
    assert awarded[alice.pk].explanation["eligibility"]["check_ins"]["expected"] == 2
    assert outcome.ineligible[dave.pk] == [
        {"code": "check_in_rate", "submitted": 1, "expected": 2, "required": 0.75}
    ]


def test_preview_defaults_to_today(api, company, monthly):
    """The API's dry run is evaluated on the local date."""
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, tzinfo=dt.UTC), tick=False):
        response = api.as_(company["zed"]).post(
            f"/api/v1/incentive-rules/{monthly.pk}/evaluate/",
            {"period_start": "2026-11-01", "dry_run": True},
        )
    assert response.status_code == 200, response.data
    names = {a["person_name"] for a in response.data["awards"]}
    assert names == {company["alice"].display_name, company["erin"].display_name}
    assert {r["person_name"] for r in response.data["ineligible"]} >= {company["dave"].display_name}


def test_evaluation_after_the_period_counts_every_week(company, monthly):
    alice, erin = company["alice"], company["erin"]
    for week in NOVEMBER[3:]:
        check_in(erin, week)
    check_in(alice, NOVEMBER[2])
    outcome = services.evaluate_rule(
        actor=None, rule=monthly, day=NOVEMBER[0], dry_run=True, today=dt.date(2026, 12, 1)
    )
    awarded = _by_person(outcome)
    # erin: all five; alice: three of five (60 %) is below 75 %
    assert set(awarded) == {erin.pk}
    assert awarded[erin.pk].explanation["eligibility"]["check_ins"] == {
        "submitted": 5,
        "expected": 5,
    }
    assert outcome.ineligible[alice.pk] == [
        {"code": "check_in_rate", "submitted": 3, "expected": 5, "required": 0.75}
    ]
    # the periodic evaluation, run the day the period is over, counts the same
    with time_machine.travel(dt.datetime(2026, 12, 1, 1, tzinfo=dt.UTC), tick=False):
        [saved] = [
            o
            for o in services.evaluate_due_rules(today=dt.date(2026, 12, 1))
            if o.rule.pk == monthly.pk
        ]
    assert [p.person_id for p in saved.proposals] == [erin.pk]
    assert saved.ineligible[alice.pk][0]["expected"] == 5


def test_weekly_preview_before_anyone_checks_in(company, cycle):
    """A weekly champion needing every check-in, previewed on Tuesday: nobody has missed the
    week yet, and a check-in already in counts."""
    alice, erin = company["alice"], company["erin"]
    agreed_goal(alice, cycle, values=[(10, 12)])
    agreed_goal(erin, cycle, values=[(10, 11)])
    check_in(erin, NOVEMBER[2])
    rule = make_rule(
        company["field"],
        "recognition",
        {"metric": "attainment", "top_n": 2, "title": "Weekly champion"},
        min_check_in_rate=1.0,
    )
    outcome = services.evaluate_rule(
        actor=None, rule=rule, day=NOVEMBER[2], dry_run=True, today=dt.date(2026, 11, 17)
    )
    assert outcome.ineligible == {}
    facts = {p.person_id: p.explanation["eligibility"]["check_ins"] for p in outcome.proposals}
    assert facts[alice.pk] == {"submitted": 0, "expected": 0, "until": "2026-11-17"}
    assert facts[erin.pk] == {"submitted": 1, "expected": 1, "until": "2026-11-17"}
