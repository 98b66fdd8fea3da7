"""A cross-department request serving a private goal: the receiving head (who may not see the
goal) reads "a goal you cannot see" instead of its title and priority, in the API and on the
pages; the requester's manager, who may see the goal, reads its title."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.models import Goal
from tests.resources.factories import GoalFactory

pytestmark = pytest.mark.django_db

SECRET = "Zq secret reorganisation plan"
HIDDEN = "a goal you cannot see"


@pytest.fixture
def hidden(world, make_request):
    goal = GoalFactory(
        title=SECRET,
        level="person",
        owner_person=world["alice"],
        cycle=world["cycle"],
        visibility=Goal.Visibility.PRIVATE,
        priority=Goal.Priority.CORE,
    )
    return make_request(
        goal=goal, unit=world["marketing"], kind="information", amount=None, category=""
    )


def test_the_api_shows_a_goal_you_cannot_see(world, api, hidden):
    mia = api.as_(world["mia"])
    one = mia.get(f"/api/v1/resource-requests/{hidden.pk}/").json()
    assert one["goal_title"] == HIDDEN and one["priority"]["goal_priority"] == ""
    listed = mia.get("/api/v1/resource-requests/").json()["results"]
    row = next(r for r in listed if r["id"] == hidden.pk)
    assert row["goal_title"] == HIDDEN
    assert SECRET not in str(listed)
    bob = api.as_(world["bob"]).get(f"/api/v1/resource-requests/{hidden.pk}/").json()
    assert bob["goal_title"] == SECRET and bob["priority"]["goal_priority"] == "core"


def test_the_pages_show_a_goal_you_cannot_see(world, login, hidden):
    client = login(world["mia"])
    for url in (
        reverse("resources:resource-detail", args=[hidden.pk]),
        reverse("resources:resource-inbox"),
    ):
        html = client.get(url).content.decode()
        assert SECRET not in html, url
        assert HIDDEN in html, url
    mine = login(world["alice"]).get(reverse("resources:my-requests")).content.decode()
    assert SECRET in mine
