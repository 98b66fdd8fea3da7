"""The goals API list (/api/v1/goals/): rows from `.values()` and one key-result query for the
page, with exactly the shape the schema documents (the retrieve's GoalSerializer); indexed
orders only (`?ordering=`), keyset paging on request, a bound on queries that does not grow."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from goals.models import Goal, KeyResult
from tests.factories import PersonFactory, UserFactory


@pytest.fixture
def cached_viewer(settings):
    """The signed-in viewer kept between requests, as deployed (with Redis)."""
    settings.KEEL_VIEWER_CACHE = True
    cache.clear()
    yield
    cache.clear()


def _varied(company, make_goal, year):
    top = make_goal(
        company["sales"],
        title="Win 200 new customers",
        state=Goal.State.AGREED,
        commitment=Goal.Commitment.ASPIRATIONAL,
        key_results=[
            {"name": "Customers", "target_value": Decimal("200"), "metric": "customers"},
            {
                "name": "Churn",
                "direction": KeyResult.Direction.RANGE,
                "target_value": Decimal("1.5"),
                "target_high": Decimal("3.25"),
                "milestones": [{"date": "2026-11-01", "value": "2"}],
                "due_on": dt.date(2026, 12, 1),
            },
        ],
    )
    child = make_goal(company["alice"], parent=top, state=Goal.State.PROPOSED)
    other = make_goal(company["erin"], title="Call 300 prospects", key_results=[])
    yearly = make_goal(company["acme"], title="Grow market share", cycle=year, level="company")
    KeyResult.objects.filter(goal=child).update(
        contributes_to=top.key_results.order_by("position").first(), current_value=Decimal("12.5")
    )
    Goal.objects.filter(pk=top.pk).update(agreed_at=timezone.now(), progress=0.25)
    child.supports.add(other, yearly)
    return [top, child, other, yearly]


def test_list_rows_are_exactly_the_documented_goal_rows(api, company, make_goal, year):
    goals = _varied(company, make_goal, year)
    client = api.as_(company["bob"])
    rows = {row["id"]: row for row in client.get("/api/v1/goals/").data["results"]}
    assert set(rows) >= {g.pk for g in goals}
    for goal in goals:
        detail = client.get(f"/api/v1/goals/{goal.pk}/").json()
        listed = client.get("/api/v1/goals/", {"ordering": "id"}).json()["results"]
        assert next(r for r in listed if r["id"] == goal.pk) == detail
    top = rows[goals[0].pk]
    assert top["expected_score"] == pytest.approx(0.7) and top["weight"] == "1.000"
    assert top["key_results"][1]["target_high"] == "3.2500"
    assert top["key_results"][0]["contributors"] == [goals[1].key_results.get().pk]
    assert rows[goals[1].pk]["supports"] and rows[goals[2].pk]["progress_source"] == "children"


def _people_goals(company, make_goal, n):
    for i in range(n):
        person = PersonFactory(
            user=UserFactory(username=f"l{n}-{i}"), unit=company["field"], manager=company["bob"]
        )
        goal = make_goal(person, state=Goal.State.AGREED)
        goal.supports.add(goal.parent or make_goal(company["sales"], title=f"Unit goal {i}"))


@pytest.mark.parametrize("n", [10, 30])
def test_list_query_count_does_not_grow(
    api, company, make_goal, n, cached_viewer, django_assert_max_num_queries
):
    _people_goals(company, make_goal, n)
    client = api.as_(company["bob"])
    client.get("/api/v1/goals/")
    for params in ({}, {"cursor": ""}, {"ordering": "-id", "page_size": 50}):
        with django_assert_max_num_queries(12):
            res = client.get("/api/v1/goals/", params)
        assert len(res.data["results"]) == min(2 * n, 50)


def test_orderings_are_the_indexed_ones(api, company, make_goal, year):
    goals = _varied(company, make_goal, year)
    client = api.as_(company["bob"])
    ids = sorted(g.pk for g in goals)
    by_id = [r["id"] for r in client.get("/api/v1/goals/", {"ordering": "id"}).data["results"]]
    assert by_id == sorted(by_id) and set(ids) <= set(by_id)
    desc = [r["id"] for r in client.get("/api/v1/goals/", {"ordering": "-id"}).data["results"]]
    assert desc == by_id[::-1]
    default = client.get("/api/v1/goals/").data["results"]
    keys = [(-r["cycle"], r["level"], r["title"], r["id"]) for r in default]
    assert keys == sorted(keys)
    bad = client.get("/api/v1/goals/", {"ordering": "title"})
    assert bad.status_code == 400 and "ordering" in bad.data


def test_keyset_paging_follows_the_asked_order(api, company, make_goal, year):
    _varied(company, make_goal, year)
    client = api.as_(company["bob"])
    first = client.get("/api/v1/goals/", {"cursor": "", "page_size": 2, "ordering": "id"}).data
    assert first["count"] is None and first["next"]
    following = client.get(first["next"]).data
    seen = [r["id"] for r in first["results"] + following["results"]]
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    newest = client.get("/api/v1/goals/", {"cursor": "", "page_size": 2}).data["results"]
    assert [r["id"] for r in newest] == sorted((r["id"] for r in newest), reverse=True)
