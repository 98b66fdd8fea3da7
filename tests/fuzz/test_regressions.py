"""Cases the API fuzz test (test_schema_fuzz.py) found, kept as plain API tests."""

import pytest

from tests.authz.world import ADMIN, MANAGER, SELF

BAD_IDS = ["\u00b2", "9" * 30]  # a superscript two passes str.isdigit(); too big for a column


@pytest.mark.parametrize("raw", BAD_IDS)
@pytest.mark.parametrize(
    ("path", "param", "role"),
    [
        ("/api/v1/weekly-reviews/", "manager", MANAGER),
        ("/api/v1/budgets/utilisation/", "cycle", ADMIN),
        ("/api/v1/incentives/fairness/", "cycle", ADMIN),
    ],
)
def test_an_id_in_a_query_parameter_that_is_not_a_plain_integer_is_a_400(
    api, world, path, param, role, raw
):
    response = api.as_(world.people[role]).get(path, {param: raw})
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize("path", ["/api/v1/goals/1.5/", "/api/v1/nowhere/", "/api/v2/"])
def test_an_unknown_api_url_answers_json_404(api, world, path):
    response = api.as_(world.people[SELF]).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_pages_outside_the_api_keep_the_html_404(client, world):
    client.force_login(world.people[SELF].user)
    response = client.get("/goals/nowhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_number_filter_past_a_64_bit_column_is_a_400(api, world):
    response = api.as_(world.people[SELF]).get("/api/v1/key-results/", {"goal": "-3.3e+158"})
    assert response.status_code == 400
    assert "goal" in response.json()


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_stale_goal_update_documents_its_409(method):
    responses = _schema()["paths"]["/api/v1/goals/{id}/"][method]["responses"]
    assert "409" in responses
    assert responses["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_a_stale_goal_update_answers_409(api, world):
    from goals.models import Goal

    goal = Goal.objects.filter(owner_person=world.people[SELF]).order_by("pk").first()
    response = api.as_(world.people[SELF]).put(
        f"/api/v1/goals/{goal.pk}/", {"version": goal.version + 123}, format="json"
    )
    assert response.status_code == 409
    assert "detail" in response.json()


def test_goal_history_values_are_documented_as_they_are_answered(api, world):
    """A change of a relation answers the related row's id (a number): the schema says so."""
    from goals.models import Goal

    new = _schema()["components"]["schemas"]["HistoryChange"]["properties"]["new"]
    assert {"type": "number"} in new["anyOf"] and new["nullable"]
    goal = Goal.objects.filter(agreed_by__isnull=False).order_by("pk").first()
    manager = world.people[MANAGER]
    response = api.as_(manager).get(f"/api/v1/goals/{goal.pk}/history/")
    assert response.status_code == 200
    values = [c["new"] for e in response.json() for c in e["changes"] if c["field"] == "agreed_by"]
    assert values and all(isinstance(v, int) for v in values)
