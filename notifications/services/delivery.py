"""Deliveries: one message on one channel to one person.

A Delivery is claimed with a conditional update (pending → sending) before anything goes out,
so two executions of the same task never both send. A transient failure puts it back to
pending and raises, and Celery retries with backoff; the last attempt, or a permanent error,
leaves it failed with the error, visible to admins. A row left in "sending" by a worker that
died mid-send is never resent (that could send twice): the dispatcher marks it failed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.channels import SENDERS, DeliveryError, TransientDeliveryError
from notifications.kinds import Channel, default_enabled, preference_kind
from notifications.models import ChannelConfig, Delivery, Notification, NotificationPreference
from org.models import Person

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # the first try and five retries


def preference_map(person_ids: Iterable[int]) -> dict[tuple[int, str, str], bool]:
    ids = list(person_ids)
    rows = NotificationPreference.objects.filter(person_id__in=ids) if ids else []
    return {(row.person_id, row.kind, row.channel): row.enabled for row in rows}


def channel_enabled(prefs: dict, person_id: int, kind: str, channel: str) -> bool:
    return prefs.get((person_id, preference_kind(kind), channel), default_enabled(kind, channel))


def active_webhooks() -> list[ChannelConfig]:
    return list(ChannelConfig.objects.filter(enabled=True))


def build_deliveries(
    *,
    person: Person,
    kind: str,
    subject: str,
    body: str,
    url: str,
    prefs: dict,
    webhooks: list[ChannelConfig],
    **links,
) -> list[Delivery]:
    """Unsaved email and webhook deliveries the person's preferences allow. `person` needs
    `user` and `unit` loaded."""
    rows = []
    common = {"recipient": person, "kind": kind, "subject": subject[:300], "body": body, "url": url}
    if channel_enabled(prefs, person.pk, kind, Channel.EMAIL) and person.user.email:
        rows.append(Delivery(channel=Channel.EMAIL, **common, **links))
    if channel_enabled(prefs, person.pk, kind, Channel.WEBHOOK):
        for config in webhooks:
            if config.carries(kind) and config.applies_to(person):
                rows.append(Delivery(channel=Channel.WEBHOOK, config=config, **common, **links))
    return rows


def _enqueue_now(ids: list[int]) -> None:
    from notifications import tasks

    for delivery_id in ids:
        tasks.deliver.delay(delivery_id)


def enqueue_deliveries(ids: Iterable[int]) -> None:
    """Send after commit. `robust`: a broker outage must not undo the business action; the
    pending rows are picked up again by the next dispatch."""
    ids = [pk for pk in ids if pk]
    if ids:
        transaction.on_commit(partial(_enqueue_now, ids), robust=True)


def fan_out_notifications(*, notification_ids: list[int]) -> list[Delivery]:
    """Email and webhook copies of in-app notifications other apps created with notify()."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, deliveries__isnull=True)
        .select_related("recipient__user", "recipient__unit")
        .distinct()
    )
    if not notifications:
        return []
    prefs = preference_map({n.recipient_id for n in notifications})
    webhooks = active_webhooks()
    rows: list[Delivery] = []
    for notification in notifications:
        first_line = notification.text.splitlines()[0] if notification.text else notification.kind
        rows += build_deliveries(
            person=notification.recipient,
            kind=notification.kind,
            subject=first_line[:120],
            body=notification.text,
            url=notification.url,
            prefs=prefs,
            webhooks=webhooks,
            notification=notification,
        )
    with transaction.atomic():
        created = Delivery.objects.bulk_create(rows)
        enqueue_deliveries(row.pk for row in created)
    return created


def _finish(delivery_id: int, **fields) -> None:
    Delivery.objects.filter(pk=delivery_id).update(updated_at=timezone.now(), **fields)


def deliver(*, delivery_id: int, final: bool = False) -> str | None:
    """Send one delivery if it is still pending. Returns the resulting status, or None when
    another execution has it (or had it). Raises TransientDeliveryError to ask for a retry."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("recipient__user", "config").get(pk=delivery_id)
    try:
        SENDERS[delivery.channel](delivery)
    except TransientDeliveryError as exc:
        if final or delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery_id, status=Delivery.Status.FAILED, last_error=str(exc)[:2000])
            logger.warning("Delivery %s failed for good: %s", delivery_id, exc)
            return Delivery.Status.FAILED
        _finish(delivery_id, status=Delivery.Status.PENDING, last_error=str(exc)[:2000])
        raise
    except DeliveryError as exc:
        _finish(delivery_id, status=Delivery.Status.FAILED, last_error=str(exc)[:2000])
        return Delivery.Status.FAILED
    except Exception as exc:  # a bug in a sender must not leave the row claimed forever
        _finish(
            delivery_id,
            status=Delivery.Status.FAILED,
            last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        logger.exception("Delivery %s crashed", delivery_id)
        return Delivery.Status.FAILED
    _finish(delivery_id, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
    return Delivery.Status.SENT
