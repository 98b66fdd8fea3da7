"""A performance rating as an input to an incentive rule (issue 21, item 9): any kind may ask
for a released review's final rating of at least N for the period; everyone evaluated is told
where they stood, in sentences."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incentives import engine
from incentives.rules import validate_params
from reviews.models import Review, ReviewCycle
from tests.incentives.factories import TIERS, WEEK, agreed_goal, make_rule


def _released(person, cycle, *, overall, calibrated=None, state=Review.State.RELEASED):
    review_cycle, _ = ReviewCycle.objects.get_or_create(
        goal_cycle=cycle,
        defaults={"name": f"{cycle.name} review", "unit": person.unit.parent or person.unit},
    )
    return Review.objects.create(
        cycle=review_cycle,
        person=person,
        manager=person.manager,
        unit=person.unit,
        state=state,
        overall_rating=overall,
        calibrated_rating=calibrated,
        released_at=timezone.now() if state in Review.RELEASED_STATES else None,
    )


class TestParameter:
    def test_any_kind_may_ask_for_a_rating(self):
        assert (
            validate_params("tiered_bonus", {"tiers": TIERS["tiers"], "min_rating": "4"})[
                "min_rating"
            ]
            == 4
        )
        assert "min_rating" not in validate_params(
            "tiered_bonus", {"tiers": TIERS["tiers"], "min_rating": ""}
        )

    @pytest.mark.parametrize("value", ["0", "6", "3.5", "four"])
    def test_out_of_scale_is_refused_on_its_field(self, value):
        with pytest.raises(ValidationError) as caught:
            validate_params("promotion_points", {"points": 5, "min_rating": value})
        assert "params.min_rating" in caught.value.message_dict


class TestEngine:
    def _spec(self, min_rating):
        return engine.RuleSpec(
            id=1,
            kind="promotion_points",
            period="week",
            params={"threshold": 1, "points": 5, "min_rating": min_rating},
            cap=None,
            currency="CNY",
            require_agreed_goals=False,
            min_check_in_rate=0.0,
            min_tenure_days=0,
        )

    def _person(self, rating):
        return engine.PersonIn(
            id=1, name="A", unit_id=1, level="frontline", hired_on=None, rating=rating
        )

    def test_reasons_and_facts(self):
        spec = self._spec(4)
        start, end = WEEK, WEEK + dt.timedelta(days=7)

        def about_rating(person):
            reasons = engine.eligibility(spec, person, start, end)
            return [r for r in reasons if r["code"] != "no_agreed_goals"]

        assert about_rating(self._person(None)) == [{"code": "no_rating", "required": 4}]
        assert about_rating(self._person(3)) == [{"code": "rating", "rating": 3, "required": 4}]
        assert about_rating(self._person(5)) == []
        facts = engine.eligibility_facts(spec, self._person(5), start, end)
        assert (facts["rating"], facts["min_rating"]) == (5, 4)


@pytest.mark.django_db
def test_the_rule_reads_released_final_ratings(api, company, cycle):
    alice, erin, dave = company["alice"], company["erin"], company["dave"]
    for person in (alice, erin, dave):
        agreed_goal(person, cycle, values=[(100, 120)])
    _released(alice, cycle, overall=3, calibrated=4)  # calibrated rating wins
    _released(erin, cycle, overall=3)
    _released(dave, cycle, overall=5, state=Review.State.EVALUATED)  # not released yet
    rule = make_rule(company["acme"], "tiered_bonus", {**TIERS, "min_rating": 4})
    response = api.as_(company["zed"]).post(
        f"/api/v1/incentive-rules/{rule.pk}/evaluate/",
        {"period_start": WEEK.isoformat(), "dry_run": True},
    )
    assert response.status_code == 200, response.data
    data = response.data
    assert [a["person"] for a in data["awards"]] == [alice.pk]
    reasons = {row["person"]: row["reasons"] for row in data["ineligible"]}
    assert reasons[erin.pk] == ["Needs a performance rating of at least 4: rated 3."]
    assert reasons[dave.pk] == [
        "No released performance rating for the period; the rule asks for at least 4."
    ]


@pytest.mark.django_db
def test_the_rule_form_keeps_the_rating_and_explains_a_bad_one(login, company, cycle):
    from incentives.models import IncentiveRule

    client = login(company["zed"])
    data = {
        "name": "Rated bonus",
        "unit": company["acme"].pk,
        "period": "week",
        "require_agreed_goals": "on",
        "min_check_in_rate": "0",
        "min_tenure_days": "0",
        "unit_goals_weight": "1",
        "kind": "promotion_points",
        "currency": "CNY",
        "is_active": "on",
        "threshold": "1",
        "points": "5",
        "min_rating": "4",
    }
    response = client.post("/incentives/rules/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert IncentiveRule.objects.get(name="Rated bonus").params["min_rating"] == 4
    bad = client.post("/incentives/rules/new/", {**data, "name": "Bad", "min_rating": "9"})
    assert bad.status_code == 200
    assert "min_rating" in bad.context["form"].errors
    assert not IncentiveRule.objects.filter(name="Bad").exists()
