"""SCIM 2.0 provisioning with the request shapes Okta and Azure AD (Entra ID) document: their
filters, their create bodies, their PATCH operations (Okta: no path, a value object; Azure:
capitalised ops with a path and "False" strings), paging, and a deactivation that locks the
person out of pages and the API at once. Authenticated by a service account's scim token."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from rest_framework.test import APIClient

from directory.models import ExternalPerson
from org import services as org_services
from org import tokens
from org.models import Person, Unit

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(client, company):
    _account, key = org_services.create_service_account(
        actor=company["zed"], name="Okta", scopes=["scim"]
    )

    def call(method, path, body=None, key=key, **params):
        send = getattr(client, method.lower())
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/scim+json")
        elif params:
            kwargs["data"] = params
        return send(f"/scim/v2/{path}", **kwargs)

    return call


def test_a_token_without_the_scim_scope_or_a_person_token_is_refused(client, company, scim):
    _account, other = org_services.create_service_account(
        actor=company["zed"], name="CRM", scopes=["goals:read"]
    )
    _token, personal = tokens.create_token(user=company["zed"].user, name="mine")
    for key in (other, personal, "nonsense"):
        response = scim("GET", "Users", key=key)
        assert response.status_code == 401
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert client.get("/scim/v2/Users").status_code == 401


def test_okta_checks_for_the_user_then_creates_them(scim, company):
    # Okta: GET /Users?filter=userName eq "..."&startIndex=1&count=100
    found = scim(
        "GET", "Users", filter='userName eq "li.lei@acme.example"', startIndex=1, count=100
    )
    assert found.status_code == 200
    assert found.json()["totalResults"] == 0 and found.json()["Resources"] == []
    response = scim(
        "POST",
        "Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "li.lei@acme.example",
            "name": {"givenName": "Lei", "familyName": "Li"},
            "emails": [{"primary": True, "value": "li.lei@acme.example", "type": "work"}],
            "displayName": "Li Lei",
            "locale": "zh-CN",
            "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [],
            "password": "1mz050nq",
            "active": True,
        },
    )
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.display_name, person.user.email, person.unit) == (
        "Li Lei",
        "li.lei@acme.example",
        company["acme"],
    )
    assert body["externalId"] == "00ujl29u0le5T6Aj10h7" and body["active"] is True
    assert not person.user.has_usable_password()
    history = person.history.first()
    assert history.history_change_reason == "scim"
    assert scim("POST", "Users", {"userName": "li.lei@acme.example"}).status_code == 409


def test_okta_replaces_and_deactivates_with_a_value_object(scim, company, client):
    alice = company["alice"]
    response = scim(
        "PATCH",
        f"Users/{alice.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert response.status_code == 200 and response.json()["active"] is False
    alice.refresh_from_db()
    assert not alice.is_active and not alice.user.is_active


def test_a_scim_deactivation_locks_the_person_out_of_pages_and_the_api_at_once(scim, company):
    alice = company["alice"]
    pages = APIClient()
    pages.force_login(alice.user)
    _token, key = tokens.create_token(user=alice.user, name="cli")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert pages.get("/").status_code == 200 and api.get("/api/v1/goals/").status_code == 200
    # Azure AD: capitalised op, a path, the string "False".
    response = scim(
        "PATCH",
        f"Users/{alice.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    assert response.status_code == 200
    assert pages.get("/").status_code == 302
    assert SESSION_KEY not in pages.session
    assert api.get("/api/v1/goals/").status_code == 401


def test_azure_updates_name_email_title_manager_and_department(scim, company, make_goal):
    alice = company["alice"]
    goal = make_goal(alice)
    response = scim(
        "PATCH",
        f"Users/{alice.pk}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Add", "path": "displayName", "value": "Alice Chen"},
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "a@acme.example",
                },
                {"op": "Replace", "path": "title", "value": "Senior rep"},
                {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(company["mia"].pk)},
                {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Marketing"},
                {"op": "Replace", "path": "externalId", "value": "a1b2-c3"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert (alice.display_name, alice.user.email, alice.title) == (
        "Alice Chen",
        "a@acme.example",
        "Senior rep",
    )
    assert (alice.manager, alice.unit) == (company["mia"], company["marketing"])
    goal.refresh_from_db()
    assert goal.owner_person == alice and goal.owner_path == company["marketing"].path
    assert ExternalPerson.objects.get(source="scim", person=alice).external_id == "a1b2-c3"
    # Azure then finds her by externalId.
    found = scim("GET", "Users", filter='externalId eq "a1b2-c3"')
    assert [r["id"] for r in found.json()["Resources"]] == [str(alice.pk)]
    assert alice.history.first().history_change_reason == "scim"


def test_put_replaces_and_delete_deactivates(scim, company):
    erin = company["erin"]
    body = scim("GET", f"Users/{erin.pk}").json()
    body["title"] = "Team lead"
    assert scim("PUT", f"Users/{erin.pk}", body).json()["title"] == "Team lead"
    assert scim("DELETE", f"Users/{erin.pk}").status_code == 204
    erin.refresh_from_db()
    assert not erin.is_active
    assert Person.objects.filter(pk=erin.pk).exists()  # her goals and history stay


def test_bad_requests_answer_scim_errors(scim, company):
    assert scim("GET", "Users/999999").status_code == 404
    bad_filter = scim("GET", "Users", filter='title co "x"')
    assert bad_filter.status_code == 400 and bad_filter.json()["scimType"] == "invalidFilter"
    bad_unit = scim(
        "PATCH",
        f"Users/{company['alice'].pk}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Nowhere"}
            ],
        },
    )
    assert bad_unit.status_code == 400
    assert scim("PATCH", f"Users/{company['alice'].pk}", {"Operations": []}).status_code == 400


def test_groups_are_units_and_adding_members_moves_people(scim, company):
    found = scim("GET", "Groups", filter='displayName eq "Marketing"')
    assert [g["id"] for g in found.json()["Resources"]] == [str(company["marketing"].pk)]
    created = scim(
        "POST",
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Growth",
            "members": [],
        },
    )
    assert created.status_code == 201
    growth = Unit.objects.get(pk=created.json()["id"])
    response = scim(
        "PATCH",
        f"Groups/{growth.pk}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": str(company["dave"].pk)}]}
            ],
        },
    )
    assert response.status_code == 200
    assert [m["value"] for m in response.json()["members"]] == [str(company["dave"].pk)]
    renamed = scim(
        "PATCH",
        f"Groups/{growth.pk}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "value": {"id": str(growth.pk), "displayName": "Growth team"}}
            ],
        },
    )
    assert renamed.json()["displayName"] == "Growth team"


@pytest.mark.parametrize("extra", [3, 30])
def test_user_and_group_lists_cost_the_same_whatever_their_length(
    scim, company, django_assert_max_num_queries, extra
):
    for n in range(extra):
        org_services.create_person(username=f"p{n}", display_name=f"P {n}", unit=company["field"])
    with django_assert_max_num_queries(8):
        body = scim("GET", "Users", count=200).json()
    assert body["totalResults"] == 7 + extra
    with django_assert_max_num_queries(8):
        scim("GET", "Groups").json()
    page = scim("GET", "Users", startIndex=3, count=2).json()
    assert (page["startIndex"], page["itemsPerPage"]) == (3, 2)
