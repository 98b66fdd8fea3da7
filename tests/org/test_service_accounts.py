"""Service accounts: integration identities that are not people. Admins make them with scopes
(narrowed to units) and expiring tokens; a service account passes only the API views that ask
for a scope it holds, and revoking it ends every token at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from org import services, tokens
from org.models import SERVICE_SCOPES, ServiceAccount
from tests.factories import PersonFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return PersonFactory(user=UserFactory(username="root", is_staff=True, is_superuser=True))


def _client(key: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def test_the_catalogue_has_the_scopes_integrations_need():
    assert {"measurements:write", "goals:read", "scim", "webhooks:manage"} <= set(SERVICE_SCOPES)


def test_an_admin_makes_an_account_with_a_token_that_is_not_a_person(admin):
    sales = UnitFactory(name="Sales")
    account, key = services.create_service_account(
        actor=admin, name="CRM", scopes=["measurements:write", "goals:read"], units=[sales]
    )
    assert account.user.username == "svc-crm"
    assert not account.user.has_usable_password()
    assert not hasattr(account.user, "person")
    assert account.created_by == admin.user
    assert account.scopes == ["goals:read", "measurements:write"]
    token = account.user.api_tokens.get()
    assert token.prefix == key[:8]
    assert token.expires_at > timezone.now()
    user, auth = tokens.TokenAuthentication().authenticate_credentials(key)
    assert tokens.service_account_of(user) == account
    assert auth == token


def test_only_admins_make_service_accounts():
    alice = PersonFactory()
    with pytest.raises(PermissionDenied):
        services.create_service_account(actor=alice, name="CRM", scopes=["goals:read"])
    assert not ServiceAccount.objects.exists()


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [("CRM", [], "scopes"), ("CRM", ["goals:write"], "scopes"), ("", ["goals:read"], "name")],
)
def test_bad_input_is_refused_with_field_errors_and_nothing_is_saved(admin, name, scopes, field):
    with pytest.raises(ValidationError) as caught:
        services.create_service_account(actor=admin, name=name, scopes=scopes)
    assert field in caught.value.message_dict
    assert not ServiceAccount.objects.exists()


def test_names_are_unique(admin):
    services.create_service_account(actor=admin, name="CRM", scopes=["goals:read"])
    with pytest.raises(ValidationError) as caught:
        services.create_service_account(actor=admin, name="CRM", scopes=["goals:read"])
    assert "name" in caught.value.message_dict


def test_a_service_account_is_refused_by_every_view_made_for_people(admin):
    _account, key = services.create_service_account(
        actor=admin, name="CRM", scopes=["measurements:write", "goals:read"]
    )
    client = _client(key)
    # (goals:read reads goals: tests/integrations/test_goals_read_scope.py)
    for url in ("/api/v1/cycles/", "/api/v1/auth/tokens/", "/api/v1/people/"):
        assert client.get(url).status_code in (403, 404), url
    # nor can it mint tokens of its own
    assert client.post("/api/v1/auth/tokens/", {"name": "more"}, format="json").status_code == 403


def test_scopes_and_units(admin):
    sales = UnitFactory(name="Sales")
    east = UnitFactory(name="East", parent=sales)
    other = UnitFactory(name="Support")
    account, _key = services.create_service_account(
        actor=admin, name="CRM", scopes=["measurements:write"], units=[sales]
    )
    assert tokens.has_scope(account, "measurements:write")
    assert not tokens.has_scope(account, "scim")
    assert tokens.covers_unit(account, east)
    assert not tokens.covers_unit(account, other)
    everywhere, _key = services.create_service_account(
        actor=admin, name="ERP", scopes=["measurements:write"]
    )
    assert tokens.covers_unit(everywhere, other)
    with pytest.raises(ValueError):
        tokens.has_scope(account, "no-such-scope")


def test_a_scim_client_authenticates_with_a_bearer_token(admin):
    _account, key = services.create_service_account(actor=admin, name="IdP", scopes=["scim"])
    assert tokens.authenticate_service_key(key, scope="scim").name == "IdP"
    assert tokens.authenticate_service_key(key, scope="goals:read") is None
    assert tokens.authenticate_service_key("wrong", scope="scim") is None
    request = RequestFactory().get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {key}")
    user, _token = tokens.BearerTokenAuthentication().authenticate(request)
    assert tokens.service_account_of(user).name == "IdP"


def test_revoking_ends_every_token_at_once(admin):
    account, key = services.create_service_account(actor=admin, name="CRM", scopes=["scim"])
    _token, second = services.issue_service_token(actor=admin, account=account, days=30)
    services.revoke_service_account(actor=admin, account=account)
    for k in (key, second):
        assert tokens.authenticate_service_key(k, scope="scim") is None
        assert _client(k).get("/api/v1/goals/").status_code == 401
    with pytest.raises(ValidationError):
        services.issue_service_token(actor=admin, account=account)
    assert not tokens.has_scope(account, "scim")


def test_tokens_expire(admin):
    _account, key = services.create_service_account(
        actor=admin, name="CRM", scopes=["scim"], days=1
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert tokens.authenticate_service_key(key, scope="scim") is None
