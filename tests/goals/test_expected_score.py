"""Commitment's expected score (issue 4, item 1): a committed goal is expected at 1.0, an
aspirational one at GoalSettings' aspirational expectation; the API returns it and the goal
page shows it beside the progress, in both languages."""

import pytest
from django.urls import reverse

from goals.models import GoalSettings


@pytest.fixture
def expectation(db):
    settings = GoalSettings.load()
    settings.aspirational_expectation = 0.65  # not the default: the setting is what counts
    settings.save()
    return settings


def _progress_row(page: str) -> str:
    start = page.index('id="goal-progress"')
    return page[start : page.index("</div>\n", page.index("</strong>", start))]


def test_api_expected_score_follows_the_commitment_and_the_setting(
    api, company, make_goal, expectation
):
    stretch = make_goal(company["alice"], title="Win 60 customers", commitment="aspirational")
    plain = make_goal(company["alice"], title="Win 45 customers")
    client = api.as_(company["alice"])
    assert client.get(f"/api/v1/goals/{stretch.pk}/").data["expected_score"] == 0.65
    assert client.get(f"/api/v1/goals/{plain.pk}/").data["expected_score"] == 1.0
    listed = {g["id"]: g for g in client.get("/api/v1/goals/").data["results"]}
    assert listed[stretch.pk]["commitment"] == "aspirational"
    assert listed[stretch.pk]["expected_score"] == 0.65
    assert listed[plain.pk]["expected_score"] == 1.0


def test_goal_page_shows_the_expected_score_next_to_the_progress(
    login, company, make_goal, expectation
):
    stretch = make_goal(company["alice"], title="Win 60 customers", commitment="aspirational")
    plain = make_goal(company["alice"], title="Win 45 customers")
    client = login(company["alice"])
    row = _progress_row(client.get(reverse("goals:detail", args=[stretch.pk])).content.decode())
    assert "Aspirational · expected 0.65" in row  # the setting, not the default 0.7
    row = _progress_row(client.get(reverse("goals:detail", args=[plain.pk])).content.decode())
    assert "Committed · expected 1.0" in row


def test_goal_page_expected_score_in_chinese(login, company, make_goal, expectation):
    stretch = make_goal(company["alice"], title="Win 60 customers", commitment="aspirational")
    company["alice"].language = "zh-hans"
    company["alice"].save()
    page = login(company["alice"]).get(reverse("goals:detail", args=[stretch.pk])).content.decode()
    assert "预期 0.65" in _progress_row(page)
