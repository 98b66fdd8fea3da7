"""Signed-in answers carry Cache-Control: no-store (pages, API by session and by token,
exports); the OpenAPI schema and docs pages are for signed-in people unless
KEEL_PUBLIC_API_DOCS opens them."""

from __future__ import annotations

import pytest
from django.test import Client

from org.tokens import create_token

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_api_and_exports_are_not_stored(company, client):
    client.force_login(company["alice"].user)
    for path in ("/", "/people/", "/api/v1/me/", "/dashboard/import/template.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path
    _token, key = create_token(user=company["alice"].user, name="t")
    token_client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    response = token_client.get("/api/v1/me/")
    assert response.status_code == 200 and _no_store(response)


def test_schema_and_docs_need_a_sign_in(company, client, settings):
    for path in ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"):
        assert client.get(path).status_code in (401, 403), path
    client.force_login(company["alice"].user)
    for path in ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"):
        assert client.get(path).status_code == 200, path


def test_a_setting_opens_the_docs(client, db, settings):
    settings.KEEL_PUBLIC_API_DOCS = True
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200
