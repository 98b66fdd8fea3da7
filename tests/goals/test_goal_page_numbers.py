"""The goal page tells where each number comes from: a key result measured or rolled up from
its contributors (linked, as far as the viewer may see them), the key result it contributes
to, a range's low–high target, the goal's pace start, its scores, the goal it was carried over
from. The goal form takes a `range` with its upper bound and an optional start date; a goal of
a closed cycle answers its edit with the service's message."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from goals import services
from goals.models import Cycle, Goal, KeyResult
from tests.goals.conftest import kr

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(company, make_goal):
    """Bob's Field team goal rolls up Alice's (public) and Erin's (private) key results."""
    team = make_goal(company["field"], title="Field wins 20", key_results=[kr("20")])
    alice = make_goal(company["alice"], title="Alice wins 10", key_results=[kr("10")])
    erin = make_goal(
        company["erin"],
        title="Erin wins 10",
        key_results=[kr("10")],
        visibility=Goal.Visibility.PRIVATE,
    )
    parent = team.key_results.get()
    KeyResult.objects.filter(pk=parent.pk).update(source="rollup", aggregation="sum")
    KeyResult.objects.filter(goal__in=[alice, erin]).update(contributes_to=parent)
    return team, alice, erin


def test_rollup_source_and_links_follow_visibility(login, company, cascade):
    team, alice, erin = cascade
    url = reverse("goals:detail", args=[team.pk])
    page = login(company["bob"]).get(url).content.decode()
    assert "Rolled up from 2 contributors (Sum)" in page
    assert reverse("goals:detail", args=[alice.pk]) in page
    assert reverse("goals:detail", args=[erin.pk]) in page
    assert "Rolled up: updated by its contributors" in page  # no manual value on a rollup
    page = login(company["dave"]).get(url).content.decode()
    assert "Rolled up from 2 contributors" in page
    assert reverse("goals:detail", args=[alice.pk]) in page
    assert reverse("goals:detail", args=[erin.pk]) not in page  # her private goal stays hidden
    page = login(company["alice"]).get(reverse("goals:detail", args=[alice.pk])).content.decode()
    assert "Measured" in page and "contributes to" in page
    assert f"{reverse('goals:detail', args=[team.pk])}#kr-" in page


def test_range_target_pace_start_scores_and_carried_from(login, company, make_goal, quarter):
    old = make_goal(company["alice"], title="Keep churn low")
    goal = make_goal(
        company["alice"],
        title="Keep the response time in band",
        key_results=[kr("2", direction="range", target_high=Decimal("5"))],
    )
    Goal.objects.filter(pk=goal.pk).update(
        starts_on=dt.date(2026, 11, 2),
        self_score=0.5,
        manager_score=0.4,
        score_comment="Good second half",
        carried_from=old,
    )
    page = login(company["alice"]).get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert '<span class="kr-range">2–5</span>' in page
    assert "pace from 2026-11-02" in page
    assert "Self score:</strong> 0.50" in page and "Manager score:</strong> 0.40" in page
    assert "Good second half" in page
    assert "Carried over from" in page and reverse("goals:detail", args=[old.pk]) in page


def test_carried_from_a_goal_the_viewer_cannot_see_is_not_linked(login, company, make_goal):
    old = make_goal(company["alice"], title="Zq secret", visibility=Goal.Visibility.PRIVATE)
    goal = make_goal(company["alice"], title="Public copy")
    Goal.objects.filter(pk=goal.pk).update(carried_from=old)
    page = login(company["dave"]).get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert "Zq secret" not in page and "Carried over from" not in page


def _form(quarter, **extra):
    data = {
        "title": "Keep the response time between 2 and 5 hours",
        "kind": "objective",
        "level": "person",
        "cycle": quarter.pk,
        "priority": "core",
        "commitment": "committed",
        "visibility": "public",
        "weight": "1",
        "kr-TOTAL_FORMS": "1",
        "kr-INITIAL_FORMS": "0",
        "kr-MIN_NUM_FORMS": "0",
        "kr-MAX_NUM_FORMS": "12",
        "kr-0-name": "Response time",
        "kr-0-direction": "range",
        "kr-0-start_value": "8",
        "kr-0-target_value": "2",
        "kr-0-weight": "1",
    }
    data.update(extra)
    return data


def test_goal_form_takes_a_range_and_a_start(login, company, quarter):
    client = login(company["alice"])
    url = reverse("goals:create")
    page = client.post(url, _form(quarter)).content.decode()
    assert "Give the upper bound of the range." in page
    page = client.post(url, _form(quarter, **{"kr-0-target_high": "2"})).content.decode()
    assert "The upper bound must be greater than the lower bound." in page
    page = client.post(
        url, _form(quarter, **{"kr-0-direction": "increase", "kr-0-target_high": "9"})
    ).content.decode()
    assert "Only a “stay between” key result has an upper bound." in page
    page = client.post(
        url, _form(quarter, starts_on="2027-02-01", **{"kr-0-target_high": "5"})
    ).content.decode()
    assert "The start must fall within the goal" in page
    assert not Goal.objects.filter(title__startswith="Keep the response").exists()
    response = client.post(url, _form(quarter, starts_on="2026-11-02", **{"kr-0-target_high": "5"}))
    assert response.status_code == 302
    goal = Goal.objects.get(title__startswith="Keep the response")
    key_result = goal.key_results.get()
    assert (key_result.target_value, key_result.target_high) == (Decimal("2"), Decimal("5"))
    assert goal.starts_on == dt.date(2026, 11, 2)
    page = client.get(reverse("goals:edit", args=[goal.pk])).content.decode()
    assert 'value="2026-11-02"' in page and 'name="kr-0-target_high" value="5' in page


def test_editing_a_goal_of_a_closed_cycle_shows_the_reason(login, company, quarter, make_goal):
    goal = make_goal(company["alice"], title="A draft left behind")
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.CLOSED)
    client = login(company["alice"])
    data = _form(
        quarter,
        title="A draft, renamed",
        version=str(goal.version),
        **{
            "kr-INITIAL_FORMS": "1",
            "kr-0-id": str(goal.key_results.get().pk),
            "kr-0-direction": "increase",
            "kr-0-target_value": "45",
        },
    )
    response = client.post(reverse("goals:edit", args=[goal.pk]), data)
    assert response.status_code == 200
    assert "The cycle 2026 Q4 is closed; reopen it to change it." in response.content.decode()
    goal.refresh_from_db()
    assert goal.title == "A draft left behind"
    services.transition_cycle(
        actor=company["zed"], cycle=quarter, to="active", reason="A late goal"
    )
    data["version"] = str(goal.version)
    assert client.post(reverse("goals:edit", args=[goal.pk]), data).status_code == 302
