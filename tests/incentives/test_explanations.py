"""Everyone evaluated gets an explanation in sentences, winners and not: the threshold or tier
they missed and by how much; the codes stay in the API."""

import datetime as dt

import pytest

from tests.incentives.factories import TIERS, WEEK, agreed_goal, check_in, make_rule

pytestmark = pytest.mark.django_db


def test_every_evaluated_person_is_explained(api, company, cycle):
    alice, erin, dave = company["alice"], company["erin"], company["dave"]
    agreed_goal(alice, cycle, values=[(100, 110)])
    agreed_goal(erin, cycle, values=[(100, 85)])
    agreed_goal(dave, cycle, values=[(100, 130)])
    for person in (alice, erin):
        check_in(person, WEEK)
    rule = make_rule(company["acme"], "tiered_bonus", TIERS, min_check_in_rate=1.0)
    response = api.as_(company["zed"]).post(
        f"/api/v1/incentive-rules/{rule.pk}/evaluate/",
        {"period_start": WEEK.isoformat(), "dry_run": True},
    )
    assert response.status_code == 200
    data = response.data
    assert [a["person"] for a in data["awards"]] == [alice.pk]
    [missed] = [row for row in data["not_awarded"] if row["person"] == erin.pk]
    assert missed["codes"] == [
        {"code": "below_tier", "attainment": "0.85", "threshold": "1", "short_by": "0.15"}
    ]
    assert missed["reasons"] == [
        "Attainment 85.0 % is below the lowest tier of 100.0 %, short by 15.0 %."
    ]
    [late] = [row for row in data["ineligible"] if row["person"] == dave.pk]
    assert late["reasons"] == ["Needs 100.0 % check-ins: 0 of 1 weeks."]
    # in the reader's language
    chinese = api.as_(company["zed"]).post(
        f"/api/v1/incentive-rules/{rule.pk}/evaluate/",
        {"period_start": WEEK.isoformat(), "dry_run": True},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    [missed_zh] = [row for row in chinese.data["not_awarded"] if row["person"] == erin.pk]
    assert "85.0 %" in missed_zh["reasons"][0] and "Attainment" not in missed_zh["reasons"][0]


def test_the_preview_page_lists_who_was_not_awarded_and_why(login, company, cycle):
    agreed_goal(company["erin"], cycle, values=[(100, 85)])
    rule = make_rule(
        company["acme"],
        "recognition",
        {"metric": "attainment", "top_n": 1, "title": "Weekly champion"},
        require_agreed_goals=False,
    )
    agreed_goal(company["alice"], cycle, values=[(100, 120)])
    page = login(company["zed"]).post(
        f"/incentives/rules/{rule.pk}/evaluate/",
        {"period_start": (WEEK + dt.timedelta(days=1)).isoformat(), "save": "0"},
        HTTP_HX_REQUEST="true",
    )
    body = page.content.decode()
    assert 'id="not-awarded"' in body
    assert "85.0 % by goal attainment was not in the top 1." in body


def _text(response) -> str:
    import re

    body = response.content.decode()
    main = body[body.index("<main") :]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def test_the_award_page_explains_in_sentences_not_json(login, company, cycle):
    from incentives import services

    alice = company["alice"]
    agreed_goal(alice, cycle, values=[(100, 125)])
    rule = make_rule(company["acme"], "tiered_bonus", TIERS, require_agreed_goals=False)
    outcome = services.evaluate_rule(
        actor=None, rule=rule, day=WEEK, dry_run=False, today=dt.date(2027, 1, 4)
    )
    [award] = [a for a in outcome.awards if a.person_id == alice.pk]
    response = login(company["zed"]).get(f"/incentives/awards/{award.pk}/")
    assert response.status_code == 200
    text = _text(response)
    assert "Weighted attainment 125.0 % reached the 120.0 % tier." in text
    assert "Tier 120.0 % reached: 125.0 % of target, 2,000" in text
    assert "125 / 100" in text  # the key result's value against its target
    for internal in ('"goal"', "{", "vesting_periods", "threshold:"):
        assert internal not in text
    from org.models import Person

    Person.objects.filter(pk=company["zed"].pk).update(language="zh-hans")
    chinese = _text(login(company["zed"]).get(f"/incentives/awards/{award.pk}/"))
    assert "计算过程" in chinese and "达到 120.0 % 档" in chinese


def test_a_deferred_award_shows_its_schedule_in_words(login, company, cycle):
    from tests.incentives.factories import make_award

    rule = make_rule(
        company["acme"],
        "deferred",
        {"threshold": 1, "amount": 1000, "vesting_periods": 2},
        levels=["manager"],
    )
    explanation = {
        "attainment": "1.1",
        "threshold": "1",
        "vesting": [
            {"vests_on": "2026-12-31", "amount": "500", "status": "vested"},
            {"vests_on": "2027-01-31", "amount": "500", "status": "pending"},
        ],
        "forfeit_rule": "inactive_at_vesting",
    }
    award = make_award(rule, company["alice"], explanation=explanation)
    text = _text(login(company["zed"]).get(f"/incentives/awards/{award.pk}/"))
    assert "vests over 2 periods" in text
    assert "Dec. 31, 2026: 500" in text and "vested" in text and "pending" in text
    assert "2026-12-31" not in text
    assert "A tranche is forfeited if its person has left by its vesting day." in text
