"""Scopes over notifications: a person's inbox is theirs alone; reminder operations are for
admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from notifications.models import Notification
from org.scopes import Viewer, ViewerLike

__all__ = ["own_notifications", "get_notification_for", "require_reminder_admin"]


def own_notifications(viewer: ViewerLike) -> QuerySet[Notification]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=viewer.person)


def get_notification_for(viewer: ViewerLike, pk) -> Notification:
    """The viewer's own notification, or Http404 (anyone else's is invisible)."""
    try:
        return own_notifications(viewer).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require_reminder_admin(viewer: ViewerLike) -> None:
    """Organisation reminder settings, runs and failed deliveries: admins only."""
    if not Viewer.of(viewer).is_admin:
        raise PermissionDenied
