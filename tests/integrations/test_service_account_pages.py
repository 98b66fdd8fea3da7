"""Admins list service accounts (scopes, units, working tokens, first expiry, last use), make
one (its token shown once) and revoke it (its tokens stop working at once). Others: 403 for
the page, 404 for an account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from org import services as org_services
from org.models import ApiToken, ServiceAccount
from org.tokens import digest

pytestmark = pytest.mark.django_db

PAGE = "/integrations/service-accounts/"


@pytest.fixture
def admin_client(client, org):
    client.force_login(org["admin"].user)
    return client


def make(org, name="CRM", **kwargs):
    kwargs.setdefault("scopes", ["measurements:write"])
    return org_services.create_service_account(actor=org["admin"], name=name, **kwargs)


def test_admin_sees_scopes_units_expiry_and_last_use(org, admin_client):
    account, _key = make(org, units=[org["sales"]], days=30)
    ApiToken.objects.filter(user=account.user).update(
        last_used_at=dt.datetime(2026, 11, 14, 8, 30, tzinfo=dt.UTC)
    )
    make(org, name="ERP", scopes=["goals:read", "webhooks:manage"])
    page = admin_client.get(PAGE).content.decode()
    row = page[page.index(f'id="account-{account.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "CRM" in row and "measurements:write" in row and "Sales" in row
    assert "2026-12-15" in row  # 30 days from 2026-11-15
    assert "2026-11-14 08:30" in row
    assert "goals:read, webhooks:manage" in page


def test_admin_creates_one_and_sees_its_token_once(org, admin_client):
    response = admin_client.post(
        PAGE,
        {
            "name": "Data warehouse",
            "scopes": ["goals:read"],
            "units": [org["support"].pk],
            "days": "60",
        },
    )
    assert response.status_code == 200
    account = ServiceAccount.objects.get(name="Data warehouse")
    key = response.context["key"]
    assert key in response.content.decode()
    assert ApiToken.objects.get(digest=digest(key)).user == account.user
    assert account.scopes == ["goals:read"]
    assert list(account.units.all()) == [org["support"]]
    assert response["Cache-Control"].startswith("max-age=0")
    assert key not in admin_client.get(PAGE).content.decode()  # shown once


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "X", "days": "30"}, "scopes"),
        ({"name": "X", "scopes": ["goals:read"], "days": "9999"}, "days"),
        ({"name": "CRM", "scopes": ["goals:read"], "days": "30"}, "name"),  # taken
    ],
)
def test_bad_input_is_a_form_error(org, admin_client, data, field):
    make(org)
    response = admin_client.post(PAGE, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert response.context["key"] is None
    assert ServiceAccount.objects.count() == 1


def test_revoking_ends_its_tokens_at_once(org, admin_client, key_result):
    account, key = make(org)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/key-results/{key_result.pk}/measurements/"
    assert api.post(url, {"value": "3"}, format="json").status_code == 201
    response = admin_client.post(reverse("integrations:service-account-revoke", args=[account.pk]))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.revoked_at is not None
    assert api.post(url, {"value": "4"}, format="json").status_code == 401
    assert "revoked" in admin_client.get(PAGE).content.decode()


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_others_get_403_for_the_page_and_404_for_an_account(org, client, who):
    account, _key = make(org)
    client.force_login(org[who].user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "Mine", "scopes": ["scim"], "days": "30"}).status_code == 403
    revoke = reverse("integrations:service-account-revoke", args=[account.pk])
    assert client.post(revoke).status_code == 404
    account.refresh_from_db()
    assert account.revoked_at is None and ServiceAccount.objects.count() == 1


def test_admins_find_it_in_the_navigation(org, admin_client, client):
    assert f'href="{PAGE}"' in admin_client.get("/").content.decode()
    client.force_login(org["alice"].user)
    assert f'href="{PAGE}"' not in client.get("/").content.decode()


def test_anonymous_is_sent_to_sign_in(org, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("n", [2, 20])
def test_page_queries_bounded(org, admin_client, django_assert_max_num_queries, n):
    for i in range(n):
        account, _key = make(org, name=f"Account {i}", units=[org["sales"], org["support"]])
        org_services.issue_service_token(actor=org["admin"], account=account, days=10)
    with django_assert_max_num_queries(9):
        response = admin_client.get(PAGE)
    assert response.content.decode().count('id="account-') == n
