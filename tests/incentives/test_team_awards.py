"""Team awards: a unit's own goals reach a tier and the award is split among its members
equally, by weight or by contribution, explained per person, summing exactly to the award."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from incentives import services
from incentives.engine import split_exactly
from tests.factories import PersonFactory
from tests.incentives.factories import agreed_goal, make_rule

pytestmark = pytest.mark.django_db

AFTER_Q4 = dt.date(2027, 1, 4)
POT = {"tiers": [{"threshold": 1, "amount": 1000}, {"threshold": 1.2, "amount": "1000.01"}]}


def team_rule(company, split, **params):
    return make_rule(
        company["sales"],
        "tiered_bonus",
        POT | {"team_split": split, **params},
        period="quarter",
        require_agreed_goals=False,
    )


def evaluate(rule):
    return services.evaluate_rule(actor=None, rule=rule, day=dt.date(2026, 10, 1), today=AFTER_Q4)


@pytest.fixture
def field_team(company, cycle):
    """The Field team (alice, erin, and a third member) beat their team goal: 125 %."""
    third = PersonFactory(unit=company["field"], manager=company["bob"])
    agreed_goal(None, cycle, unit=company["field"], values=[(100, 125)])
    agreed_goal(company["alice"], cycle, values=[(10, 10)])  # 100 %
    agreed_goal(company["erin"], cycle, values=[(10, 5)])  # 50 %
    return [company["alice"], company["erin"], third]


def test_equal_split_sums_exactly_to_the_award(company, field_team):
    outcome = evaluate(team_rule(company, "equal"))
    shares = {a.person_id: a.amount for a in outcome.awards}
    # 1000.01 among three: 333.34 + 333.34 + 333.33 (the remainder cent by the lower id)
    assert sorted(shares.values()) == [Decimal("333.33"), Decimal("333.34"), Decimal("333.34")]
    assert sum(shares.values()) == Decimal("1000.01")
    assert set(shares) == {p.pk for p in field_team}
    explanation = outcome.awards[0].explanation
    assert explanation["team"]["unit"] == company["field"].pk
    assert explanation["team"]["attainment"] == "1.25"
    assert explanation["split"]["method"] == "equal"
    # Sales (bob's unit) has no team goal: nobody there is awarded
    assert company["bob"].pk not in shares


def test_split_by_contribution_and_by_weight(company, field_team):
    alice, erin, third = field_team
    outcome = evaluate(team_rule(company, "contribution"))
    shares = {a.person_id: a.amount for a in outcome.awards}
    # own attainment 1 : 0.5 : 0 (no own goals)
    # the member without own goals contributed nothing and gets nothing
    assert shares == {alice.pk: Decimal("666.67"), erin.pk: Decimal("333.34")}
    assert sum(shares.values()) == Decimal("1000.01")
    by_weight = evaluate(team_rule(company, "weight", weights={"frontline": 2}))
    assert sum(a.amount for a in by_weight.awards) == Decimal("1000.01")
    award = by_weight.awards[0]
    assert award.explanation["split"]["basis"] == "2"
    assert award.explanation["split"]["total_basis"] == "6"


def test_split_exactly_property():
    rng = random.Random(4)
    for _round in range(500):
        total = Decimal(rng.randint(0, 10**7)) / 100
        bases = [
            (i, Decimal(rng.choice([0, 1, 2, 3, 7, 13])) / rng.choice([1, 3]))
            for i in range(rng.randint(1, 9))
        ]
        shares = split_exactly(total, bases)
        assert sum(shares.values()) == total
        assert all(share >= 0 for share in shares.values())


def test_team_split_is_validated(company):
    with pytest.raises(ValidationError) as exc:
        team_rule(company, "lottery")
    assert "params.team_split" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        team_rule(company, "weight", weights={"frontline": -1})
    assert "params.weights" in exc.value.message_dict
