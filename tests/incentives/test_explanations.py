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
