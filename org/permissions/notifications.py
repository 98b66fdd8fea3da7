"""Scopes over notifications: a person's inbox is theirs alone; reminder operations are for
admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from org.models import Person
from org.permissions.people import is_admin

__all__ = ["own_notifications", "get_notification_for", "require_reminder_admin"]


def own_notifications(viewer: Person | None) -> QuerySet:
    from notifications.models import Notification

    if viewer is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=viewer)


def get_notification_for(viewer: Person | None, pk):
    """The viewer's own notification, or Http404 (anyone else's is invisible)."""
    from notifications.models import Notification

    try:
        return own_notifications(viewer).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require_reminder_admin(viewer: Person | None) -> None:
    """Organisation reminder settings, runs and failed deliveries: admins only."""
    if not is_admin(viewer):
        raise PermissionDenied
