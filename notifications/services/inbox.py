"""The in-app inbox: creating notifications (for every app) and reading them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation

from notifications.messages import Message
from notifications.models import Notification
from notifications.permissions import get_notification_for, own_notifications
from notifications.services.delivery import fan_out_notifications
from org.models import Person


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Person],
    kind: str,
    text: Message | str,
    url: str = "",
    subject: models.Model | None = None,
) -> list[Notification]:
    """Create one in-app notification per distinct recipient, and its email and chat webhook
    deliveries as each recipient's preferences allow; those go out after commit.

    `text` is a Message: each copy is worded in its recipient's language, and the inbox words
    it again in the reader's language when read. A plain string (already in words) is stored
    as it is."""
    content_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    message = text.to_json() if isinstance(text, Message) else None
    seen: set[int] = set()
    rows = []
    for person in recipients:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        if isinstance(text, Message):
            with translation.override(person.language or settings.LANGUAGE_CODE):
                words = text.render()
        else:
            words = text
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                text=words,
                message=message,
                url=url,
                content_type=content_type,
                object_id=subject.pk if subject is not None else None,
            )
        )
    created = Notification.objects.bulk_create(rows)
    # The email and webhook copies are rows written in this same transaction, and only their
    # sending waits for the broker: if it is down, the reminder dispatcher's sweep sends them
    # later.
    fan_out_notifications(notification_ids=[row.pk for row in created if row.pk])
    return created


@transaction.atomic
def mark_read(*, viewer: Person, notification_id) -> Notification:
    notification = get_notification_for(viewer, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, viewer: Person) -> int:
    return own_notifications(viewer).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def resolve_reminders(*, person: Person, kind: str, sent_until: dt.date) -> int:
    """The person did what the reminders of `kind` sent up to `sent_until` asked for (e.g.
    submitted the week's check-in): they stop showing as new. Returns how many."""
    return Notification.objects.filter(
        recipient=person, kind=kind, read_at__isnull=True, created_at__date__lte=sent_until
    ).update(read_at=timezone.now())
