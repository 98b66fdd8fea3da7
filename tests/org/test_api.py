import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_token_is_issued_and_authenticates(company, client):
    alice = company["alice"]
    alice.user.set_password("s3cret-pass")
    alice.user.save()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "s3cret-pass"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_bad_credentials_answer_400_with_a_message(company, client):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "wrong"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_missing_fields_answer_400_with_field_errors(client, db):
    response = client.post("/api/v1/auth/token/", {}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_no_token_answers_401(client, db):
    assert client.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/people/").status_code == 401


def test_me_lists_roles(company, api):
    c = company
    assert api.as_(c["alice"]).get("/api/v1/me/").json()["roles"] == ["employee"]
    assert api.as_(c["bob"]).get("/api/v1/me/").json()["roles"] == ["employee", "manager"]
    assert api.as_(c["carol"]).get("/api/v1/me/").json()["roles"] == ["employee", "hrbp"]
    assert "admin" in api.as_(c["zed"]).get("/api/v1/me/").json()["roles"]


def test_directory_hides_sensitive_fields_from_peers(company, api):
    c = company
    alice_id = c["alice"].pk
    as_peer = api.as_(c["dave"]).get(f"/api/v1/people/{alice_id}/").json()
    assert "level" not in as_peer and "hired_on" not in as_peer
    assert as_peer["display_name"] == c["alice"].display_name
    for viewer in ("alice", "bob", "carol", "zed"):
        data = api.as_(c[viewer]).get(f"/api/v1/people/{alice_id}/").json()
        assert data["level"] == "frontline", viewer
    listing = api.as_(c["erin"]).get("/api/v1/people/").json()["results"]
    by_name = {row["username"]: row for row in listing}
    assert "level" in by_name["erin"] and "level" not in by_name["alice"]


def test_people_filters_by_unit_subtree_and_manager(company, api):
    c = company
    rows = api.as_(c["dave"]).get(f"/api/v1/people/?unit={c['sales'].pk}").json()["results"]
    assert {r["username"] for r in rows} == {"bob", "alice", "erin"}
    rows = api.as_(c["dave"]).get(f"/api/v1/people/?manager={c['bob'].pk}").json()["results"]
    assert {r["username"] for r in rows} == {"alice", "erin"}


def test_out_of_scope_person_answers_404(company, api):
    c = company
    gone = c["dave"]
    gone.is_active = False
    gone.save()
    assert api.as_(c["alice"]).get(f"/api/v1/people/{gone.pk}/").status_code == 404
    assert api.as_(c["alice"]).get("/api/v1/people/999999/").status_code == 404


def test_only_admins_write_people_and_units(company, api):
    c = company
    payload = {"username": "newbie", "display_name": "New Bie", "unit": c["field"].pk}
    assert api.as_(c["bob"]).post("/api/v1/people/", payload).status_code == 403
    created = api.as_(c["zed"]).post("/api/v1/people/", payload)
    assert created.status_code == 201, created.content
    assert created.json()["username"] == "newbie"
    unit = {"name": "Growth", "kind": "team", "parent": c["marketing"].pk}
    assert api.as_(c["alice"]).post("/api/v1/units/", unit).status_code == 403
    made = api.as_(c["zed"]).post("/api/v1/units/", unit)
    assert made.status_code == 201
    assert made.json()["path"].startswith(c["marketing"].path)


def test_bad_person_input_answers_400_with_field_errors(company, api):
    c = company
    response = api.as_(c["zed"]).post(
        "/api/v1/people/",
        {"username": "alice", "display_name": "", "unit": 99999, "timezone": "Mars/Base"},
    )
    assert response.status_code == 400
    assert {"display_name", "unit"} <= set(response.json())
    response = api.as_(c["zed"]).post(
        "/api/v1/people/",
        {"username": "alice", "display_name": "Dup", "unit": c["field"].pk},
    )
    assert response.status_code == 400
    assert "username" in response.json()
    response = api.as_(c["zed"]).post(
        "/api/v1/people/",
        {"username": "tz", "display_name": "Tz", "unit": c["field"].pk, "timezone": "Mars/Base"},
    )
    assert response.status_code == 400
    assert "timezone" in response.json()


def test_moving_a_unit_under_itself_answers_400(company, api):
    c = company
    response = api.as_(c["zed"]).patch(f"/api/v1/units/{c['sales'].pk}/", {"parent": c["field"].pk})
    assert response.status_code == 400
    assert "parent" in response.json()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_people_list_query_count_does_not_grow(company, api):
    c = company
    for _ in range(3):
        PersonFactory(unit=c["field"], manager=c["bob"])
    few = _count_queries(api.as_(c["bob"]), "/api/v1/people/")
    for _ in range(30):
        PersonFactory(unit=c["field"], manager=c["bob"])
    many = _count_queries(api.as_(c["bob"]), "/api/v1/people/")
    assert many == few
    assert many <= 12


def test_schema_and_docs_are_served_to_signed_in_people(client, company):
    # Signed out they are refused (tests/security/test_cache_and_docs.py); signed in, served.
    client.force_login(company["alice"].user)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/people/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
