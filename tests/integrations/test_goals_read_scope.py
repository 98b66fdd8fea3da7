"""`goals:read`: a service account granted it lists and reads goals and key results (and a key
result's value history) within its units, private goals excepted, and changes nothing; one
with only `measurements:write` reads no goal endpoint (403)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from goals.models import Goal, Measurement
from org import services as org_services
from tests.goals.factories import GoalFactory, KeyResultFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def client_for(org, scopes, units=()):
    _account, key = org_services.create_service_account(
        actor=org["admin"], name="-".join(scopes) + str(len(units)), scopes=scopes, units=units
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def goals(org):
    def goal(owner, **kwargs):
        made = GoalFactory(owner_person=owner, cycle=org["cycle"], state="agreed", **kwargs)
        KeyResultFactory(goal=made)
        return made

    found = {
        "sales": goal(org["alice"], title="Sales goal"),
        "support": goal(org["dave"], title="Support goal"),
        "private": goal(org["alice"], title="Private goal", visibility=Goal.Visibility.PRIVATE),
    }
    kr = found["sales"].key_results.get()
    MeasurementFactory(key_result=kr, value=3, source=Measurement.Source.CHECK_IN, note="Sick")
    return found


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_measurements_write_alone_reads_no_goal_endpoint(org, goals, crm):
    kr = goals["sales"].key_results.get()
    for url in (
        "/api/v1/goals/",
        f"/api/v1/goals/{goals['sales'].pk}/",
        "/api/v1/key-results/",
        f"/api/v1/key-results/{kr.pk}/",
        f"/api/v1/key-results/{kr.pk}/measurements/",
    ):
        assert crm.get(url).status_code == 403, url


def test_goals_read_within_its_units(org, goals):
    reader = client_for(org, ["goals:read"], units=[org["sales"]])
    assert titles(reader.get("/api/v1/goals/")) == {"Sales goal"}
    assert reader.get(f"/api/v1/goals/{goals['sales'].pk}/").status_code == 200
    assert reader.get(f"/api/v1/goals/{goals['support'].pk}/").status_code == 404
    assert reader.get(f"/api/v1/goals/{goals['private'].pk}/").status_code == 404
    krs = reader.get("/api/v1/key-results/").json()["results"]
    assert [row["goal"] for row in krs] == [goals["sales"].pk]
    other_kr = goals["support"].key_results.get()
    assert reader.get(f"/api/v1/key-results/{other_kr.pk}/").status_code == 404
    assert reader.get(f"/api/v1/key-results/{other_kr.pk}/measurements/").status_code == 404


def test_goals_read_without_units_reads_every_goal_but_private_ones(org, goals):
    reader = client_for(org, ["goals:read"])
    assert titles(reader.get("/api/v1/goals/")) == {"Sales goal", "Support goal"}


def test_value_history_without_check_in_notes(org, goals):
    reader = client_for(org, ["goals:read"], units=[org["sales"]])
    kr = goals["sales"].key_results.get()
    rows = reader.get(f"/api/v1/key-results/{kr.pk}/measurements/").json()["results"]
    assert [(row["value"], row["note"]) for row in rows] == [("3.0000", "")]


def test_goals_read_changes_nothing(org, goals, key_result):
    reader = client_for(org, ["goals:read"], units=[org["sales"]])
    goal = goals["sales"]
    kr = goal.key_results.get()
    refused = [
        reader.post(f"/api/v1/key-results/{kr.pk}/measurements/", {"value": "4"}, format="json"),
        reader.post("/api/v1/measurements/bulk/", {"rows": []}, format="json"),
        reader.patch(f"/api/v1/goals/{goal.pk}/", {"title": "x", "version": 1}, format="json"),
        reader.post("/api/v1/goals/", {"title": "x"}, format="json"),
        reader.post(f"/api/v1/goals/{goal.pk}/close/", {}, format="json"),
        reader.get(f"/api/v1/goals/{goal.pk}/history/"),
        reader.get("/api/v1/cycles/"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert kr.measurements.count() == 1


@pytest.mark.parametrize("n", [2, 20])
def test_goal_list_queries_bounded(org, django_assert_max_num_queries, n):
    for _ in range(n):
        KeyResultFactory(goal=GoalFactory(owner_person=org["alice"], cycle=org["cycle"]))
    reader = client_for(org, ["goals:read"], units=[org["sales"]])
    with django_assert_max_num_queries(12):
        response = reader.get("/api/v1/goals/")
    assert response.json()["count"] == n
