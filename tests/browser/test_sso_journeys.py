"""Signing in through the company's identity provider: the local OpenID Connect provider of
tests/directory/fake_oidc.py (discovery, code flow with PKCE, a signed id token carrying the
nonce) in a thread beside the live server."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.directory.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOIDCProvider


@pytest.fixture
def idp(demo):
    provider = FakeOIDCProvider().start()
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="keycloak",
        name="Keycloak",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={"server_url": provider.issuer},
    )
    yield provider
    provider.stop()


def test_sign_in_through_the_identity_provider_and_out_again(page, idp):
    get_user_model().objects.filter(username="employee").update(email="employee@acme.example")
    idp.user = {"sub": "kc-employee", "email": "employee@acme.example", "email_verified": True}
    page.goto(f"{page.base_url}/login/")
    page.shot("login")
    page.click("text=Sign in with Keycloak")
    page.wait_for_url(f"{page.base_url}/")
    expect(page.locator("#my-place")).to_be_visible()
    page.shot("home")
    assert idp.token_requests[-1]["code_verifier"]
    page.click("text=Sign out")
    page.wait_for_url(f"{page.base_url}/login/")
    page.goto(f"{page.base_url}/")
    page.wait_for_url(f"{page.base_url}/login/?next=/")


def test_someone_keel_does_not_know_is_not_signed_in(page, idp):
    idp.user = {"sub": "kc-stranger", "email": "stranger@else.example", "email_verified": True}
    page.goto(f"{page.base_url}/login/")
    page.click("text=Sign in with Keycloak")
    expect(page.locator("[role=alert]")).to_contain_text("not linked to anyone in Keel")
    page.goto(f"{page.base_url}/")
    page.wait_for_url(f"{page.base_url}/login/?next=/")
