"""Single sign-on through django-allauth: generic OpenID Connect (Keycloak, Azure AD, Okta,
Authing), Feishu and DingTalk.

Only the identity-provider sign-in of allauth is used; the local sign-in stays Django's
LoginView with django-axes in front of it. Keel never creates an account from a sign-in: the
identity is matched to an existing person by an external id (linked before, or known from
SCIM or a directory sync) or by a verified email address that exactly one user has, never by
name; anyone else is told to ask their administrator. Deactivated people are refused.

OpenID Connect here is stricter than allauth's stock provider: the code flow always uses PKCE,
every authorization request carries a nonce that the id token must return, and the id token's
signature is checked against the provider's JWKS even when it came straight from the token
endpoint."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from directory.models import ExternalPerson

NONCE_SESSION_KEY = "keel_oidc_nonces"
# Sign-ins under way at once in one browser (tabs): older nonces are forgotten.
MAX_PENDING_NONCES = 5
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def sso_source(provider_id: str) -> str:
    """The `ExternalPerson.source` of an identity provider's subject ids."""
    return f"sso:{provider_id}"


class KeelOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The provider sent no id token.")
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        pending = request.session.get(NONCE_SESSION_KEY, [])
        nonce = claims.get("nonce")
        if not nonce or nonce not in pending:
            raise OAuth2Error("The id token's nonce does not match this sign-in.")
        request.session[NONCE_SESSION_KEY] = [n for n in pending if n != nonce]
        data = {"id_token": claims}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            if userinfo.get("sub") != claims.get("sub"):
                raise OAuth2Error("The user info is about someone else.")
            # The verified id token's claims win over the user info's.
            data["userinfo"] = {**userinfo, **claims}
        return self.get_provider().sociallogin_from_response(request, data)


class KeelOIDCProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider with PKCE, a nonce and a checked signature
    (`SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]`)."""

    oauth2_adapter_class = KeelOIDCAdapter
    pkce_enabled_default = True

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        pending = request.session.get(NONCE_SESSION_KEY, [])[-(MAX_PENDING_NONCES - 1) :]
        request.session[NONCE_SESSION_KEY] = [*pending, nonce]
        return super().redirect(
            request, process, next_url, data, auth_params={**auth_params, "nonce": nonce}, **kwargs
        )


# Where Feishu and DingTalk send a browser to sign in (allauth's providers).
PLATFORM_ORIGINS = {"feishu": "https://open.feishu.cn", "dingtalk": "https://login.dingtalk.com"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def authorize_origin(app: SocialApp) -> str:
    """The origin a sign-in with `app` redirects the browser to: the OpenID provider's
    (its discovery URL's, unless its authorization endpoint is configured elsewhere), or the
    platform's."""
    if app.provider == "openid_connect":
        overrides = app.settings.get("openid_configuration_overrides", {})
        return _origin(overrides.get("authorization_endpoint") or app.settings["server_url"])
    return _origin(app.settings.get("AUTHORIZE_URL", "")) or PLATFORM_ORIGINS.get(app.provider, "")


def allow_form_action(request: HttpRequest, origin: str) -> None:
    """Let the page being rendered post a form that ends at `origin`."""
    if origin:
        request._sso_form_action = [*getattr(request, "_sso_form_action", []), origin]


class FormActionMiddleware:
    """Browsers hold a form's submission, and every redirect after it, to the submitting
    page's form-action: a sign-in button's page lists the provider's origin there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        origins = getattr(request, "_sso_form_action", None)
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            response._csp_update = update
        return response


def _adapter(request: HttpRequest, provider_id: str) -> KeelOIDCAdapter:
    return KeelOIDCAdapter(request, provider_id)


@require_POST
def oidc_login(request: HttpRequest, provider_id: str):
    try:
        return OAuth2LoginView.adapter_view(_adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@require_GET
def oidc_callback(request: HttpRequest, provider_id: str):
    try:
        return OAuth2CallbackView.adapter_view(_adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


def _sync_sources(provider: str) -> list[str]:
    """Sources whose external ids are the same ids this provider signs in with (Feishu and
    DingTalk sign-in name the people a directory sync of that platform knows)."""
    return [f"sync:{provider}"] if provider in ("feishu", "dingtalk") else []


def match_user(*, provider: str, provider_id: str, uid: str, verified_emails: list[str]):
    """The user an identity-provider sign-in is: by an external id first, else by a verified
    email address exactly one user with a person has; None for anyone else."""
    link = (
        ExternalPerson.objects.filter(
            source__in=[sso_source(provider_id), *_sync_sources(provider)], external_id=uid
        )
        .select_related("person__user")
        .first()
    )
    if link is not None:
        return link.person.user
    if not verified_emails:
        return None
    users = list(
        get_user_model()
        .objects.filter(email__iexact=verified_emails[0], person__isnull=False)
        .order_by("pk")[:2]
    )
    return users[0] if len(users) == 1 else None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        if sociallogin.is_existing:
            return
        account = sociallogin.account
        verified = [e.email for e in sociallogin.email_addresses if e.verified and e.email]
        user = match_user(
            provider=getattr(sociallogin.provider, "id", account.provider),
            provider_id=account.provider,
            uid=account.uid,
            verified_emails=verified,
        )
        if user is None:
            raise ImmediateHttpResponse(render(request, "directory/sso_unknown.html", status=403))
        sociallogin.connect(request, user)


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account side only signs people in after an identity provider did."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user) -> None:
        user.backend = MODEL_BACKEND
        if settings.KEEL_SSO_DISABLE_PASSWORDS and user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        super().login(request, user)

    def respond_user_inactive(self, request: HttpRequest, user):
        return render(request, "directory/sso_unknown.html", {"inactive": True}, status=403)
