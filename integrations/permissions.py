"""Who manages outbound webhooks: admins, and service accounts granted `webhooks:manage`.
Everyone else sees none (lists are empty, an id answers 404). Service accounts themselves
are the admins' only (their page answers others 403, an account's id 404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from integrations.models import WebhookDelivery, WebhookSubscription
from org import tokens
from org.scopes import is_admin


def may_manage_webhooks(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return True
    return tokens.has_scope(tokens.service_account_of(user), "webhooks:manage")


def visible_subscriptions(user) -> QuerySet[WebhookSubscription]:
    if not may_manage_webhooks(user):
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.all()


def visible_deliveries(user) -> QuerySet[WebhookDelivery]:
    if not may_manage_webhooks(user):
        return WebhookDelivery.objects.none()
    return WebhookDelivery.objects.select_related("event", "subscription")


def may_manage_service_accounts(viewer) -> bool:
    """Service accounts are the admins' (people who are staff)."""
    return is_admin(viewer)


def require_service_account_admin(viewer) -> None:
    if not may_manage_service_accounts(viewer):
        raise PermissionDenied
