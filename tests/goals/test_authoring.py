"""Authoring a goal: as many key results as the goal needs (added one at a time without losing
what was typed), and an alignment picker that names owner and unit and can be searched."""

import re

import pytest
from django.urls import reverse

from goals.models import Goal
from tests.goals.test_views import _form

pytestmark = pytest.mark.django_db


def _kr(i: int, name: str) -> dict:
    return {
        f"kr-{i}-name": name,
        f"kr-{i}-direction": "increase",
        f"kr-{i}-start_value": "0",
        f"kr-{i}-target_value": "10",
        f"kr-{i}-weight": "1",
    }


def test_add_a_key_result_keeps_what_was_typed_and_saves_nothing(login, company, quarter):
    client = login(company["alice"])
    data = _form(quarter, title="", **{"add_key_result": "1"})  # title still empty: no error yet
    page = client.post(reverse("goals:create"), data)
    body = page.content.decode()
    assert page.status_code == 200 and not Goal.objects.exists()
    assert 'name="kr-1-name"' in body and 'name="kr-TOTAL_FORMS" value="2"' in body
    assert 'value="New customers"' in body  # the first key result as typed
    assert "errorlist" not in body  # the goal's fields are judged on save, not on "add"
    assert re.search(r'name="kr-1-name"[^>]*autofocus', body)


def test_a_goal_with_fifteen_key_results(login, company, quarter):
    rows = {}
    for i in range(15):
        rows.update(_kr(i, f"Result {i}"))
    data = _form(quarter, **{"kr-TOTAL_FORMS": "15", **rows})
    response = login(company["alice"]).post(reverse("goals:create"), data)
    assert response.status_code == 302
    assert Goal.objects.get().key_results.count() == 15


def test_the_picker_names_owner_unit_and_cycle(login, company, make_goal, quarter):
    make_goal(company["bob"], title="Grow the field team")
    body = login(company["alice"]).get(reverse("goals:create")).content.decode()
    owner = company["bob"].display_name
    assert f"Grow the field team — {owner} · {company['bob'].unit.name} (2026 Q4)" in body
    assert 'id="parent-q"' in body


def test_the_picker_searches_by_title_and_owner(login, company, make_goal):
    make_goal(company["bob"], title="Grow the field team")
    make_goal(company["bob"], title="Cut churn")
    client = login(company["alice"])
    url = reverse("goals:parent-options")
    by_title = client.get(url, {"parent_q": "field"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Grow the field team" in by_title and "Cut churn" not in by_title
    owner_word = company["bob"].display_name.split()[0]
    by_owner = client.get(url, {"parent_q": owner_word}, HTTP_HX_REQUEST="true").content.decode()
    assert "Grow the field team" in by_owner and "Cut churn" in by_owner
    nothing = client.get(url, {"parent_q": "zzzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No goal matches." in nothing


def test_the_picker_never_offers_what_the_person_may_not_see(login, company, make_goal):
    make_goal(company["bob"], title="Secret plan", visibility="private")
    url = reverse("goals:parent-options")
    found = login(company["dave"]).get(url, {"parent_q": "Secret"}).content.decode()
    assert "Secret plan" not in found


@pytest.mark.parametrize("n", [3, 9])
def test_the_picker_query_count_is_bounded(
    login, company, make_goal, n, django_assert_max_num_queries
):
    for i in range(n):
        make_goal(company["bob"], title=f"Goal {i}")
    client = login(company["alice"])
    client.get(reverse("goals:parent-options"))  # warm the session
    with django_assert_max_num_queries(9):
        body = client.get(reverse("goals:parent-options"), {"parent_q": "Goal"}).content.decode()
    assert body.count('<option value="') == n + 1
