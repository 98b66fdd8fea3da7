"""Deactivation ends access at once (sessions and tokens), keeps history, and admins can list
and reactivate inactive people; API tokens are named, expire, record their last use and can be
revoked by their owner, by admins, on a password change and on deactivation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from org.models import ApiToken
from org.tokens import create_token

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass"


def _token_for(client, username: str, **extra) -> dict:
    response = client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": PASSWORD, **extra},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _with_password(person):
    person.user.set_password(PASSWORD)
    person.user.save()
    return person


def _signs_in(client: Client, username: str) -> bool:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    return response.status_code == 302


def _signed_in_page_client(person) -> Client:
    client = Client()
    assert _signs_in(client, person.user.username)
    return client


def test_deactivation_ends_sessions_and_tokens_at_once_and_keeps_history(api, company):
    alice = _with_password(company["alice"])
    browser = _signed_in_page_client(alice)
    assert browser.get("/people/").status_code == 200
    assert browser.get("/api/v1/me/").status_code == 200
    key = _token_for(Client(), "alice")["token"]
    token_api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_api.get("/api/v1/me/").status_code == 200

    response = api.as_(company["zed"]).patch(
        f"/api/v1/people/{alice.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is False

    assert token_api.get("/api/v1/me/").status_code == 401
    assert token_api.get("/api/v1/people/").status_code == 401
    assert browser.get("/api/v1/me/").status_code == 401
    page = browser.get("/people/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    # She cannot sign in again, by page or by token.
    assert not _signs_in(Client(), "alice")
    refused = Client().post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": PASSWORD},
        content_type="application/json",
    )
    assert refused.status_code == 400
    alice.refresh_from_db()
    assert alice.user.is_active is False
    assert not ApiToken.objects.filter(user=alice.user, revoked_at__isnull=True).exists()
    # History kept: the person row and her user are still there.
    assert type(alice).objects.filter(pk=alice.pk).exists()


def test_admin_lists_and_reactivates_inactive_people(api, company):
    alice = _with_password(company["alice"])
    zed = api.as_(company["zed"])
    zed.patch(f"/api/v1/people/{alice.pk}/", {"is_active": False}, format="json")

    listed = zed.get("/api/v1/people/").json()["results"]
    assert alice.pk not in [p["id"] for p in listed]
    inactive = zed.get("/api/v1/people/", {"is_active": "false"}).json()["results"]
    assert [p["id"] for p in inactive] == [alice.pk]
    assert zed.get(f"/api/v1/people/{alice.pk}/").status_code == 200

    # Others see neither the list nor the person.
    bob = api.as_(company["bob"])
    assert bob.get("/api/v1/people/", {"is_active": "false"}).json()["results"] == []
    assert bob.get(f"/api/v1/people/{alice.pk}/").status_code == 404

    response = api.as_(company["zed"]).patch(
        f"/api/v1/people/{alice.pk}/", {"is_active": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is True
    assert _signs_in(Client(), "alice")


def test_the_people_admin_page_lists_and_reactivates(company):
    from django.contrib.auth import get_user_model

    alice = _with_password(company["alice"])
    zed_user = company["zed"].user
    get_user_model().objects.filter(pk=zed_user.pk).update(is_superuser=True)
    admin = Client()
    admin.force_login(zed_user)
    browser = _signed_in_page_client(alice)
    url = "/admin/org/person/"
    response = admin.post(url, {"action": "deactivate", "_selected_action": [alice.pk]})
    assert response.status_code == 302
    assert browser.get("/people/").status_code == 302
    listing = admin.get(url, {"is_active__exact": "0"})
    assert alice.display_name in listing.content.decode()
    admin.post(url, {"action": "reactivate", "_selected_action": [alice.pk]})
    alice.refresh_from_db()
    assert alice.is_active and alice.user.is_active


# --- tokens ------------------------------------------------------------------------------


def test_tokens_are_named_expire_after_90_days_and_record_last_use(company):
    _with_password(company["alice"])
    made = _token_for(Client(), "alice", name="laptop script")
    token = ApiToken.objects.get(pk=made["id"])
    assert token.name == "laptop script" and token.digest != made["token"]
    assert token.expires_at - token.created_at == dt.timedelta(days=90)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {made['token']}")
    assert client.get("/api/v1/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        assert client.get("/api/v1/me/").status_code == 401


def test_list_make_and_revoke_ones_own_tokens(company):
    alice = company["alice"]
    _own, key = create_token(user=alice.user, name="ci")
    _other, _ = create_token(user=company["erin"].user, name="erin's")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    listed = client.get("/api/v1/auth/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["ci"]
    assert "token" not in listed[0] and "digest" not in listed[0]
    made = client.post("/api/v1/auth/tokens/", {"name": "backup", "days": 7}, format="json")
    assert made.status_code == 201 and made.json()["token"]
    assert client.delete(f"/api/v1/auth/tokens/{_other.pk}/").status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{made.json()['id']}/").status_code == 204
    gone = APIClient(HTTP_AUTHORIZATION=f"Token {made.json()['token']}")
    assert gone.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/me/").status_code == 200
    assert client.post("/api/v1/auth/tokens/", {"days": 0}, format="json").status_code == 400


def test_admin_revokes_anyones_token(api, company):
    token, key = create_token(user=company["alice"].user, name="ci")
    zed = api.as_(company["zed"])
    listed = zed.get("/api/v1/auth/tokens/", {"user": company["alice"].user_id}).json()
    assert [t["id"] for t in listed["results"]] == [token.pk]
    assert zed.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401


def test_a_password_change_revokes_every_token(company):
    alice = _with_password(company["alice"])
    _token, key = create_token(user=alice.user, name="ci")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    browser = _signed_in_page_client(alice)
    response = browser.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-42",
            "new_password2": "another-long-pass-42",
        },
    )
    assert response.status_code == 302
    assert client.get("/api/v1/me/").status_code == 401


def test_existing_drf_tokens_are_moved_by_the_migration(company):
    """Org migration 0003 stores the digest of each old key: the old key keeps working."""
    import importlib

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    old = Token.objects.create(user=company["alice"].user)
    migration = importlib.import_module("org.migrations.0003_move_drf_tokens")
    migration.forwards(apps, None)
    assert not Token.objects.exists()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {old.key}")
    assert client.get("/api/v1/me/").status_code == 200
