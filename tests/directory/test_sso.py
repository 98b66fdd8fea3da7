"""Single sign-on through OpenID Connect, end to end against the local provider of
tests/directory/fake_oidc.py: discovery, code flow with PKCE, the id token's signature and
nonce checked; people matched by a verified email address or an external id, never by name;
deactivated people refused; sign-out ends the session."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import SESSION_KEY

from directory.models import ExternalPerson
from org import services as org_services
from tests.directory.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOIDCProvider

LOGIN = "/accounts/oidc/keycloak/login/"


@pytest.fixture
def idp():
    provider = FakeOIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_app(db, idp):
    """Configured as an administrator would in the admin (a "social application")."""
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="keycloak",
        name="Keycloak",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={"server_url": idp.issuer},
    )


def sign_in(client, idp):
    """The browser's journey: Keel → the provider's authorize endpoint → Keel's callback."""
    start = client.post(LOGIN)
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert authorize.startswith(f"{idp.issuer}/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"][0]
    back = requests.get(authorize, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def _signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_a_verified_email_signs_in_the_person_with_pkce_and_links_the_account(
    client, company, oidc_app, idp
):
    alice = company["alice"]
    alice.user.email = "alice@example.com"
    alice.user.save()
    response = sign_in(client, idp)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in_as(client) == str(alice.user_id)
    assert client.get("/").status_code == 200
    # The token request carried the PKCE verifier the provider checked.
    assert idp.token_requests[-1]["code_verifier"]
    link = SocialAccount.objects.get(user=alice.user)
    assert (link.provider, link.uid) == ("keycloak", "u-1")
    # Next time the link is enough, whatever the email says now.
    client.logout()
    idp.user = {"sub": "u-1", "email": "changed@example.com", "email_verified": True}
    sign_in(client, idp)
    assert _signed_in_as(client) == str(alice.user_id)


def test_an_unverified_email_or_a_matching_name_signs_in_nobody(client, company, oidc_app, idp):
    company["alice"].user.email = "alice@example.com"
    company["alice"].user.save()
    idp.user = {
        "sub": "u-2",
        "email": "alice@example.com",
        "email_verified": False,
        "name": company["alice"].display_name,
        "preferred_username": "alice",
    }
    response = sign_in(client, idp)
    assert response.status_code == 403
    assert "not linked to anyone in Keel" in response.content.decode()
    assert _signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_an_external_id_known_from_the_directory_signs_in(client, company, oidc_app, idp):
    dave = company["dave"]
    ExternalPerson.objects.create(source="sso:keycloak", external_id="emp-7", person=dave)
    idp.user = {"sub": "emp-7", "email": "someone@else.example.com", "email_verified": True}
    sign_in(client, idp)
    assert _signed_in_as(client) == str(company["dave"].user_id)


def test_an_email_two_users_share_signs_in_nobody(client, company, oidc_app, idp):
    for person in (company["alice"], company["erin"]):
        person.user.email = "shared@example.com"
        person.user.save()
    idp.user = {"sub": "u-3", "email": "shared@example.com", "email_verified": True}
    assert sign_in(client, idp).status_code == 403
    assert _signed_in_as(client) is None


@pytest.mark.parametrize("tamper", ["signature", "nonce"])
def test_a_forged_or_replayed_id_token_is_refused(client, company, oidc_app, idp, tamper):
    company["alice"].user.email = "alice@example.com"
    company["alice"].user.save()
    idp.tamper = tamper
    response = sign_in(client, idp)
    assert response.status_code == 401  # allauth's error page, in Keel's layout
    assert "did not work" in response.content.decode()
    assert _signed_in_as(client) is None


def test_a_deactivated_person_is_refused(client, company, oidc_app, idp):
    alice = company["alice"]
    alice.user.email = "alice@example.com"
    alice.user.save()
    sign_in(client, idp)
    client.logout()
    org_services.deactivate_person(person=alice)
    response = sign_in(client, idp)
    assert response.status_code == 403
    assert "no longer active" in response.content.decode()
    assert _signed_in_as(client) is None


def test_passwords_can_be_turned_off_for_sso_users(client, company, oidc_app, idp, settings):
    settings.KEEL_SSO_DISABLE_PASSWORDS = True
    alice = company["alice"]
    alice.user.email = "alice@example.com"
    alice.user.set_password("a-long-password-1")
    alice.user.save()
    sign_in(client, idp)
    alice.user.refresh_from_db()
    assert not alice.user.has_usable_password()
    client.logout()
    response = client.post("/login/", {"username": "alice", "password": "a-long-password-1"})
    assert response.status_code == 200 and _signed_in_as(client) is None


def test_sign_out_ends_the_keel_session(client, company, oidc_app, idp):
    company["alice"].user.email = "alice@example.com"
    company["alice"].user.save()
    sign_in(client, idp)
    assert client.post("/logout/").status_code == 302
    assert _signed_in_as(client) is None
    assert client.get("/").status_code == 302


def test_the_sign_in_page_offers_the_configured_providers(client, db, oidc_app):
    html = client.get("/login/").content.decode()
    assert "Sign in with Keycloak" in html
    assert f'action="{LOGIN}"' in html


def test_without_a_provider_the_sign_in_page_is_as_before(client, db):
    html = client.get("/login/").content.decode()
    assert "Sign in with" not in html
    assert client.post(LOGIN).status_code == 404


def test_the_login_endpoint_does_not_start_on_a_get(client, oidc_app):
    """A link (or an image) elsewhere cannot start a sign-in."""
    assert client.get(LOGIN).status_code == 405


def test_the_sign_in_page_lets_its_forms_reach_the_provider(client, db, oidc_app, idp):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert f"form-action 'self' {idp.issuer}" in policy
    assert "form-action 'self';" in client.get("/healthz")["Content-Security-Policy"] + ";"


def test_feishu_and_dingtalk_sign_in_are_offered_when_configured(client, db):
    for provider in ("feishu", "dingtalk"):
        SocialApp.objects.create(provider=provider, name=provider, client_id="id", secret="s")
    response = client.get("/login/")
    html = response.content.decode()
    assert 'action="/accounts/feishu/login/"' in html
    assert 'action="/accounts/dingtalk/login/"' in html
    policy = response["Content-Security-Policy"]
    assert "https://open.feishu.cn" in policy and "https://login.dingtalk.com" in policy
    start = client.post("/accounts/feishu/login/")
    assert start.status_code == 302 and start["Location"].startswith("https://open.feishu.cn/")
