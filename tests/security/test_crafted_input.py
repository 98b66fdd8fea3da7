"""Crafted input answers 400/413, never a 500: deep JSON, oversized bodies, NUL and lone
surrogates in JSON strings and query parameters, undecodable ids, dates outside 2000–2100."""

from __future__ import annotations

import pytest
from django.test import Client

from org.tokens import create_token

pytestmark = pytest.mark.django_db


def _token_client(person) -> Client:
    _token, key = create_token(user=person.user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_deeply_nested_json_on_the_token_endpoint_is_400(db):
    body = "[" * 1000 + "]" * 1000
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    shallow = '{"username": "x", "password": "y", "name": ' + "[" * 60 + "]" * 60 + "}"
    response = Client().post("/api/v1/auth/token/", shallow, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["detail"]


@pytest.mark.parametrize("text", ['"\\ud800"', '"a\\u0000b"'])
def test_lone_surrogates_and_nul_in_json_strings_are_400(company, text):
    client = _token_client(company["alice"])
    body = '{"name": ' + text + "}"
    response = client.post("/api/v1/auth/tokens/", body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    key_body = "{" + text + ': "x"}'
    response = client.post("/api/v1/auth/tokens/", key_body, content_type="application/json")
    assert response.status_code == 400


def test_oversized_api_body_is_413_json(company):
    client = _token_client(company["alice"])
    body = '{"name": "' + "x" * (1024 * 1024 + 10) + '"}'
    response = client.post("/api/v1/auth/tokens/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "larger" in response.json()["detail"]


def test_nul_in_query_parameters_is_400(company):
    client = _token_client(company["alice"])
    response = client.get("/api/v1/people/?q=%00")
    assert response.status_code == 400 and response.json()["detail"]
    assert client.get("/api/v1/people/?search=%00x").status_code == 400
    page = Client()
    page.force_login(company["alice"].user)
    assert page.get("/people/?q=%00").status_code == 400


def test_undecodable_unit_on_the_export_is_404_not_500(company):
    from goals.models import Cycle

    cycle = Cycle.objects.create(
        name="Q", kind=Cycle.Kind.QUARTER, starts_on="2026-10-01", ends_on="2026-12-31"
    )
    client = Client()
    client.force_login(company["bob"].user)
    response = client.get(f"/dashboard/exports/goals.csv?cycle={cycle.pk}&unit=%C2%B2")
    assert response.status_code == 404


def test_weeks_outside_2000_to_2100_are_400_with_a_message(company):
    client = _token_client(company["bob"])
    response = client.get("/api/v1/weekly-reviews/?week=0001-01-01")
    assert response.status_code == 400
    assert "2000-01-01" in response.json()["week"][0]
    page = Client()
    page.force_login(company["bob"].user)
    response = page.get("/tracking/review/?week=0001-01-01")
    assert response.status_code == 400
    assert page.get("/tracking/review/?week=9999-12-31").status_code == 400
