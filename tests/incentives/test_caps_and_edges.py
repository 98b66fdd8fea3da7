"""Edges the rule kinds must get right: commission on a key result whose target is zero, and
the per-person cap of milestone rewards and recognition prizes (both kinds support a cap:
`IncentiveRule.cap`, applied by the engine and stated in each explanation)."""

from decimal import Decimal

import pytest

from incentives import services
from tests.incentives.factories import WEEK, agreed_goal, make_rule

pytestmark = pytest.mark.django_db


def _run(rule):
    outcome = services.evaluate_rule(actor=None, rule=rule, day=WEEK, dry_run=True)
    return {p.person_id: p for p in outcome.proposals}


class TestCommissionWithZeroTarget:
    def test_everything_above_a_zero_target_earns_commission(self, company, cycle):
        alice, erin, dave = company["alice"], company["erin"], company["dave"]
        zero = {"target_value": Decimal("0"), "metric": "referrals"}
        agreed_goal(alice, cycle, values=[{**zero, "value": 7}])
        agreed_goal(erin, cycle, values=[{**zero, "value": 0}])
        # lower is better and nothing is below zero: nothing above target
        agreed_goal(dave, cycle, values=[{**zero, "direction": "decrease", "value": 3}])
        rule = make_rule(
            company["acme"],
            "commission",
            {"metric": "referrals", "rate": 0.05, "value_per_unit": 200},
        )
        result = _run(rule)
        # 7 above a zero target × 200 per unit × 5 % = 70
        assert result[alice.pk].amount == Decimal("70.00")
        assert result[alice.pk].explanation["above_target"] == "7"
        assert result[alice.pk].explanation["key_results"][0]["target"] == "0"
        assert erin.pk not in result  # exactly at a zero target: nothing above it
        assert dave.pk not in result


class TestCaps:
    def test_milestone_rewards_are_capped_per_person(self, company, cycle):
        alice = company["alice"]
        stones = [{"date": "2026-11-10", "value": "25"}, {"date": "2026-11-15", "value": "50"}]
        agreed_goal(
            alice,
            cycle,
            values=[{"target_value": Decimal("100"), "value": 100, "milestones": stones}],
        )
        rule = make_rule(company["field"], "milestone", {"amount": 500}, cap=Decimal("1200"))
        proposal = _run(rule)[alice.pk]
        # three milestones at once (25, 50 and the target) would be 1,500: capped at 1,200
        assert [m["milestone"] for m in proposal.explanation["milestones"]] == ["25", "50", "100"]
        assert proposal.amount == Decimal("1200")
        assert proposal.explanation["cap"] == {
            "cap": "1200",
            "before_cap": "1500",
            "applied": True,
        }
        rule.cap = Decimal("2000")
        rule.save()
        uncapped = _run(rule)[alice.pk]
        assert uncapped.amount == Decimal("1500.00")
        assert uncapped.explanation["cap"]["applied"] is False

    def test_recognition_prize_is_capped(self, company, cycle):
        alice, erin = company["alice"], company["erin"]
        agreed_goal(alice, cycle, values=[(10, 14)])
        agreed_goal(erin, cycle, values=[(10, 12)])
        params = {"metric": "attainment", "top_n": 2, "title": "Weekly champion", "amount": 800}
        rule = make_rule(company["field"], "recognition", params, cap=Decimal("500"))
        result = _run(rule)
        assert [result[p.pk].amount for p in (alice, erin)] == [Decimal("500")] * 2
        assert result[alice.pk].explanation["rank"] == 1
        assert result[alice.pk].explanation["cap"] == {
            "cap": "500",
            "before_cap": "800",
            "applied": True,
        }
        # a recognition without a prize stays an honour: nothing to cap
        honour = make_rule(
            company["field"],
            "recognition",
            {"metric": "attainment", "top_n": 1, "title": "Goal pioneer"},
            cap=Decimal("500"),
            name="Honour",
        )
        [only] = _run(honour).values()
        assert only.person_id == alice.pk and only.amount == Decimal("0")
        assert only.explanation["cap"]["applied"] is False

    def test_a_negative_cap_is_refused_with_a_clear_message(self, api, company):
        response = api.as_(company["zed"]).post(
            "/api/v1/incentive-rules/",
            {
                "name": "Milestones",
                "unit": company["field"].pk,
                "kind": "milestone",
                "period": "week",
                "params": {"amount": 500},
                "cap": "-1",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "cap" in response.data
