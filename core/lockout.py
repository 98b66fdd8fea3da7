"""What a locked-out sign-in answers (django-axes counts the failures, see config/settings.py).

The sign-in page answers 429 with the form and the reason; the API token endpoint answers 429
JSON through `org.api.obtain_token`. Both say when to try again."""

from __future__ import annotations

import math

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address lockouts count by. REMOTE_ADDR, unless Keel runs
    behind TRUSTED_PROXIES reverse proxies: then the address the outermost of them saw, counted
    from the right of X-Forwarded-For, where a client cannot forge it (DRF's NUM_PROXIES rule,
    which the token rate limit uses)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not proxies or not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]


def cool_off_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, math.ceil(cool_off_seconds() / 60))
    return ngettext(
        "Too many failed sign-in attempts for this account from your address. "
        "Try again in %(minutes)s minute.",
        "Too many failed sign-in attempts for this account from your address. "
        "Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in form again (unbound, so nothing is checked twice),
    the username kept, the reason on top, HTTP 429 with Retry-After."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    response = render(
        request,
        "registration/login.html",
        {
            "form": form,
            "lockout_message": lockout_message(),
            "next": request.POST.get("next", request.GET.get("next", "")),
        },
        status=429,
    )
    response["Retry-After"] = str(cool_off_seconds())
    return response


class AddressThrottleBackend:
    """An authentication backend (listed right after axes') that authenticates nobody: it
    refuses every sign-in from an address with more than KEEL_SIGNIN_ADDRESS_LIMIT failures
    across all usernames within the cool-off (password spraying: a few tries on many
    accounts, below each account's own lockout). It flags the request as axes does, so the
    page answers its 429 form and the token endpoint its 429 JSON."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        address = client_address(request)
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        failures = (
            AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
                n=Sum("failures_since_start")
            )["n"]
            or 0
        )
        if failures >= settings.KEEL_SIGNIN_ADDRESS_LIMIT:
            request.axes_locked_out = True
            raise PermissionDenied
        return None
