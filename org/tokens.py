"""API tokens: made (named, expiring), authenticated, used, revoked.

`TokenAuthentication` is the API's token scheme (REST_FRAMEWORK in settings): the key's digest
finds the token; a revoked or expired token, or one whose user is inactive, answers 401.
Tokens end on a password change (`RevokeTokensOnPasswordChange`, a password validator whose
`password_changed` hook Django calls on every password save) and on deactivation
(`org.services.update_person`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from org.models import SERVICE_SCOPES, ApiToken, ServiceAccount

MAX_DAYS = 366
# Last use is written at most this often per token: not one UPDATE per API request.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def create_token(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, valid `days` days (KEEL_TOKEN_DAYS by default, at most a year);
    answers the token and its key (shown once, never stored)."""
    days = settings.KEEL_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("Choose between 1 and %(n)s days.") % {"n": MAX_DAYS}})
    key = secrets.token_hex(20)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=(name or "").strip() or _("API token"),
        digest=digest(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    token.full_clean(exclude=["digest", "prefix"])
    token.save()
    return token, key


@transaction.atomic
def revoke_token(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def revoke_all(*, user) -> int:
    """Ends every live token of `user`; answers how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` against `ApiToken` (digest, not yet expired or revoked,
    an active user); records when the token was last used."""

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = (
            ApiToken.objects.select_related("user", "user__service_account")
            .filter(digest=digest(key), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token


class BearerTokenAuthentication(TokenAuthentication):
    """The same tokens as `Authorization: Bearer <key>` (what SCIM clients and most
    integration platforms send)."""

    keyword = "Bearer"


# Service accounts -----------------------------------------------------------------------


def service_account_of(user) -> ServiceAccount | None:
    """The service account behind an authenticated user, or None for a person (no query when
    the user came from `TokenAuthentication`, which joins it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    user = getattr(user, "_wrapped", user)
    try:
        return user.service_account
    except ServiceAccount.DoesNotExist:
        return None


def has_scope(account: ServiceAccount | None, scope: str) -> bool:
    """True when `account` is live and granted `scope` (a key of SERVICE_SCOPES)."""
    if scope not in SERVICE_SCOPES:
        raise ValueError(f"Unknown service scope {scope!r}: add it to org.models.SERVICE_SCOPES")
    return account is not None and account.revoked_at is None and scope in (account.scopes or [])


def unit_paths(account: ServiceAccount) -> list[str] | None:
    """The paths of the units the account is narrowed to; None when it covers every unit."""
    cached = getattr(account, "_unit_paths", False)
    if cached is False:
        paths = sorted(account.units.values_list("path", flat=True))
        cached = account._unit_paths = paths or None
    return cached


def covers_unit(account: ServiceAccount, unit) -> bool:
    """True when the account's unit-bound scopes reach `unit` (its units' subtrees, or all)."""
    paths = unit_paths(account)
    return paths is None or any(unit.path.startswith(p) for p in paths)


def create_service_token(
    *, account: ServiceAccount, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for a live service account (its user's `ApiToken`); answers the token and
    its key, shown once."""
    if account.revoked_at is not None:
        raise ValidationError({"account": _("This service account is revoked.")})
    return create_token(user=account.user, name=name or account.name, days=days)


def authenticate_service_key(key: str, *, scope: str) -> ServiceAccount | None:
    """The live service account whose usable token is `key` and which holds `scope`, or
    None. For endpoints outside DRF (a SCIM view reading `Authorization: Bearer`)."""
    try:
        user, _token = TokenAuthentication().authenticate_credentials(key)
    except exceptions.AuthenticationFailed:
        return None
    account = service_account_of(user)
    return account if has_scope(account, scope) else None


class RevokeTokensOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its `password_changed` hook: a new password ends
    every API token of the user (validates nothing itself)."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            revoke_all(user=user)

    def get_help_text(self) -> str:
        return ""
