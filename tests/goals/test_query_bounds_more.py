"""Query bounds for the goals app's remaining lists (3 rows vs 30, the same bound): units,
cycles, a key result's measurements, a goal's history and the adjustments inbox page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from goals import services
from goals.models import Cycle, Goal, Measurement
from tests.factories import PersonFactory, UnitFactory
from tests.goals.factories import CycleFactory


@pytest.mark.parametrize("n", [3, 30])
def test_units_list_query_count(api, company, n, django_assert_max_num_queries):
    for i in range(n):
        UnitFactory(name=f"Pod {i}", parent=company["sales"], head=company["bob"])
    client = api.as_(company["alice"])
    with django_assert_max_num_queries(6):
        res = client.get("/api/v1/units/")
    assert res.status_code == 200
    assert res.data["count"] == 5 + n


@pytest.mark.parametrize("n", [3, 30])
def test_cycles_list_query_count(api, company, year, n, django_assert_max_num_queries):
    for i in range(n):
        CycleFactory(
            name=f"2026 M{i}",
            kind=Cycle.Kind.MONTH,
            parent=year,
            starts_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            ends_on=dt.date(2026, 1, 28) + dt.timedelta(days=i),
        )
    client = api.as_(company["alice"])
    with django_assert_max_num_queries(6):
        res = client.get("/api/v1/cycles/")
    assert res.status_code == 200
    assert res.data["count"] == 1 + n


@pytest.mark.parametrize("n", [3, 30])
def test_measurements_history_query_count(
    api, company, make_goal, n, django_assert_max_num_queries
):
    goal = make_goal(company["alice"])
    kr = goal.key_results.get()
    for i in range(n):
        services.record_measurement(
            key_result=kr,
            value=Decimal(i + 1),
            source=Measurement.Source.API,
            at=dt.datetime(2026, 10, 2, tzinfo=dt.UTC) + dt.timedelta(days=i),
        )
    client = api.as_(company["bob"])
    # (one of them: may the viewer read the check-in notes on the measurements)
    with django_assert_max_num_queries(12):
        res = client.get(f"/api/v1/key-results/{kr.pk}/measurements/")
    assert res.status_code == 200
    assert res.data["count"] == n
    assert Decimal(res.data["results"][0]["value"]) == Decimal(n)  # the latest first


@pytest.mark.parametrize("n", [3, 30])
def test_goal_history_query_count(api, company, make_goal, n, django_assert_max_num_queries):
    """n edits of the goal and n measurements of its key result (each a history row)."""
    alice = company["alice"]
    goal = make_goal(alice)
    kr = goal.key_results.get()
    for i in range(n):
        goal = services.update_goal(
            actor=alice, goal=goal, version=goal.version, title=f"Win {46 + i} customers"
        )
        services.record_measurement(
            key_result=kr, value=Decimal(i + 1), source=Measurement.Source.API
        )
    client = api.as_(company["bob"])
    with django_assert_max_num_queries(12):
        res = client.get(f"/api/v1/goals/{goal.pk}/history/")
    assert res.status_code == 200
    # created + n changes each for the goal and its key result, the latest 50 shown
    assert len(res.data) == min(2 * n + 2, 50)
    newest = next(e for e in res.data if e["object"].startswith("Win "))
    assert newest["object"] == f"Win {45 + n} customers"
    assert {"field": "title", "old": f"Win {44 + n} customers", "new": newest["object"]} in (
        newest["changes"]
    )
    assert any(e["object"] == kr.name and e["type"] == "changed" for e in res.data)


@pytest.mark.parametrize("n", [3, 30])
def test_adjustments_inbox_page_query_count(
    login, company, make_goal, n, django_assert_max_num_queries
):
    for i in range(n):
        person = PersonFactory(unit=company["field"], manager=company["bob"])
        goal = make_goal(person, title=f"Win {i} new accounts", state=Goal.State.AGREED)
        services.request_adjustment(
            actor=person,
            key_result=goal.key_results.get(),
            new_target="30",
            reason="market",
            evidence=f"Competitor {i} cut prices",
        )
    client = login(company["bob"])
    client.get(reverse("goals:adjustments"))
    with django_assert_max_num_queries(13):
        res = client.get(reverse("goals:adjustments"))
    assert res.status_code == 200
    page = res.content.decode()
    assert page.count("Competitor ") == n
    assert len(res.context["adjustments"]) == n
