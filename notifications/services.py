"""Every notification in Keel is created here. Other apps call `notify()`; the signature is a
contract they depend on."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from notifications.models import Notification
from org.models import Person


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Person],
    kind: str,
    text: str,
    url: str = "",
    subject: models.Model | None = None,
) -> list[Notification]:
    """Create one in-app notification per distinct recipient (text already in words; callers
    render it in the recipient's language where it matters)."""
    content_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    seen: set[int] = set()
    rows = []
    for person in recipients:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                text=text,
                url=url,
                content_type=content_type,
                object_id=subject.pk if subject is not None else None,
            )
        )
    return Notification.objects.bulk_create(rows)
