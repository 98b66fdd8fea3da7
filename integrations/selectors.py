"""Reads of the integrations pages."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from integrations.permissions import require_service_account_admin
from org.models import ServiceAccount, Unit


def service_accounts(*, viewer) -> QuerySet[ServiceAccount]:
    """Every service account with its units, how many tokens still work, when the first of
    them expires and when one was last used: two queries, whatever the number of accounts."""
    require_service_account_admin(viewer)
    now = timezone.now()
    live = Q(user__api_tokens__revoked_at__isnull=True, user__api_tokens__expires_at__gt=now)
    return (
        ServiceAccount.objects.annotate(
            live_tokens=Count("user__api_tokens", filter=live),
            expires_at=Min("user__api_tokens__expires_at", filter=live),
            last_used_at=Max("user__api_tokens__last_used_at"),
        )
        .prefetch_related(Prefetch("units", queryset=Unit.objects.only("pk", "name", "path")))
        .order_by("revoked_at", "name")
    )
