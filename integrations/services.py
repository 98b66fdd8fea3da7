"""Outbound webhooks: subscriptions, the outbox written with each domain event, signed
delivery with retries, and replay.

`on_domain_event` listens to `core.events.domain_event` (IntegrationsConfig.ready): inside the
publishing service's transaction it writes the event and one delivery row per active
subscription that wants its type (unique per subscription and event), and hands each to Celery
after the commit (`core.queue.enqueue`). `deliver` claims its row with a conditional update,
so a duplicated or retried task never sends twice; a receiver that answered 2xx is never sent
the event again unless an admin replays it (the same `webhook-id`, so it can drop the repeat).

Messages are signed per the Standard Webhooks specification with the `standardwebhooks`
library: headers `webhook-id`, `webhook-timestamp`, `webhook-signature`; the body is
`{"type", "timestamp", "data"}`, data holding ids and plain values only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid

import requests
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from core.queue import enqueue
from integrations.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from org.models import Person

# The payload keys that hold a person's id: the message's `people` names them.
PERSON_KEYS = ("owner_person", "person", "by")
TIMEOUT = 10
MAX_ATTEMPTS = 8
STALE_SENDING = dt.timedelta(minutes=15)


class TransientWebhookError(Exception):
    """The receiver could not take it now (network, 5xx, 429): worth retrying."""


def _require_admin(actor) -> None:
    from integrations.permissions import may_manage_webhooks

    if not may_manage_webhooks(getattr(actor, "user", actor)):
        raise PermissionDenied(_("Only an administrator manages webhooks."))


def _check_personal_data_grant(actor, subscription: WebhookSubscription, was: bool) -> None:
    """Only an administrator (a person, not a service account) grants personal data."""
    user = getattr(actor, "user", actor)
    if subscription.include_personal_data and not was and not user.is_staff:
        raise ValidationError(
            {"include_personal_data": _("Only an administrator grants personal data.")}
        )


# Subscriptions ----------------------------------------------------------------------------


@transaction.atomic
def create_subscription(
    *,
    actor,
    name: str,
    url: str,
    event_types: list[str],
    is_active: bool = True,
    include_personal_data: bool = False,
) -> WebhookSubscription:
    _require_admin(actor)
    subscription = WebhookSubscription(
        name=(name or "").strip(),
        url=url,
        event_types=sorted(set(event_types or [])),
        is_active=is_active,
        include_personal_data=include_personal_data,
        created_by=getattr(actor, "user", actor),
    )
    _check_personal_data_grant(actor, subscription, was=False)
    subscription.full_clean()
    subscription.save()
    _forget_subscriptions()
    return subscription


@transaction.atomic
def update_subscription(*, actor, subscription: WebhookSubscription, **fields):
    _require_admin(actor)
    was = subscription.include_personal_data
    for key in ("name", "url", "event_types", "is_active", "include_personal_data"):
        if key in fields:
            value = fields[key]
            if key == "event_types":
                value = sorted(set(value or []))
            setattr(subscription, key, value)
    _check_personal_data_grant(actor, subscription, was=was)
    subscription.full_clean()
    subscription.save()
    _forget_subscriptions()
    return subscription


@transaction.atomic
def delete_subscription(*, actor, subscription: WebhookSubscription) -> None:
    _require_admin(actor)
    subscription.delete()
    _forget_subscriptions()


# The outbox -------------------------------------------------------------------------------


def _subscriptions_key() -> str:
    # Per database: test databases (and two sites) sharing one Redis keep apart.
    return f"integrations:webhook-subscriptions:{connection.settings_dict['NAME']}"


def _subscriptions() -> list[tuple[int, list[str]]]:
    """The active subscriptions and their event types, from the cache when it holds them, so a
    domain event nobody subscribes to costs no query. Every subscription write clears it (at
    once and after its commit); it lives a minute at most, and `on_domain_event` checks the
    ids it names against the database, so a stale entry never writes a wrong row."""
    key = _subscriptions_key()
    held = None
    with contextlib.suppress(Exception):  # a cache outage: read the database
        held = cache.get(key)
    if held is None:
        held = [
            (pk, list(types or []))
            for pk, types in WebhookSubscription.objects.filter(is_active=True).values_list(
                "pk", "event_types"
            )
        ]
        with contextlib.suppress(Exception):
            cache.set(key, held, 60)
    return held


def _forget_subscriptions() -> None:
    key = _subscriptions_key()

    def forget():
        with contextlib.suppress(Exception):
            cache.delete(key)

    forget()
    transaction.on_commit(forget)


def on_domain_event(sender=None, *, name: str, payload: dict, **kwargs) -> None:
    """Write the event and its deliveries in the publisher's transaction; send after commit."""
    wanted = [pk for pk, types in _subscriptions() if name in types]
    if wanted:
        wanted = [
            s.pk
            for s in WebhookSubscription.objects.filter(pk__in=wanted, is_active=True).only(
                "pk", "event_types"
            )
            if name in (s.event_types or [])
        ]
    if not wanted:
        return
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    event = WebhookEvent.objects.create(msg_id=f"msg_{uuid.uuid4().hex}", type=name, payload=data)
    rows = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription_id=pk, event=event) for pk in wanted]
    )
    _enqueue(row.pk for row in rows)


def _enqueue(ids) -> None:
    from integrations import tasks

    for pk in ids:
        enqueue(tasks.deliver_webhook, pk)


# Sending ----------------------------------------------------------------------------------


def people_named(event: WebhookEvent, subscription: WebhookSubscription) -> list[dict]:
    """The people the event's payload names (PERSON_KEYS), by id: their id and name, and
    only when the subscription is granted personal data their e-mail address and username."""
    ids = sorted({v for k, v in event.payload.items() if k in PERSON_KEYS and isinstance(v, int)})
    if not ids:
        return []
    personal = subscription.include_personal_data
    rows = Person.objects.filter(pk__in=ids).select_related("user").order_by("pk")
    return [
        {"id": p.pk, "name": p.display_name}
        | ({"email": p.user.email, "username": p.user.username} if personal else {})
        for p in rows
    ]


def message(event: WebhookEvent, subscription: WebhookSubscription) -> tuple[str, dt.datetime]:
    """The body as sent to `subscription` and the timestamp it is signed with: the event's
    payload and `people` (see people_named)."""
    timestamp = timezone.now().replace(microsecond=0)
    data = {**event.payload, "people": people_named(event, subscription)}
    body = json.dumps(
        {"type": event.type, "timestamp": event.occurred_at.isoformat(), "data": data},
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    return body, timestamp


def signed_headers(subscription: WebhookSubscription, event: WebhookEvent, body: str, at):
    signature = Webhook(subscription.secret).sign(event.msg_id, at, body)
    return {
        "Content-Type": "application/json",
        "webhook-id": event.msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def session() -> requests.Session:
    return requests.Session()


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the row for this attempt: pending, or sending for longer than STALE_SENDING (a
    worker died mid-send); None when another attempt holds it or it is done."""
    token = uuid.uuid4().hex
    now = timezone.now()
    taken = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=WebhookDelivery.Status.PENDING)
            | Q(status=WebhookDelivery.Status.SENDING, updated_at__lt=now - STALE_SENDING)
        )
        .update(status=WebhookDelivery.Status.SENDING, claim=token, updated_at=now)
    )
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("subscription", "event").get(pk=delivery_id)


def _finish(delivery: WebhookDelivery, **fields) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk, claim=delivery.claim).update(
        updated_at=timezone.now(), **fields
    )


def deliver(*, delivery_id: int, final: bool = False) -> str | None:
    """Send one delivery once. Answers its new status (None: not ours to send). A transient
    failure puts it back to pending and raises TransientWebhookError for the task's retry,
    unless `final`, when it fails for good (a replay can send it again)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    subscription, event = delivery.subscription, delivery.event
    attempts = delivery.attempts + 1
    if not subscription.is_active:
        _finish(delivery, status="failed", attempts=attempts, last_error="inactive")
        return "failed"
    body, at = message(event, subscription)
    error, code = "", None
    try:
        with session() as http:
            response = http.post(
                subscription.url,
                data=body.encode(),
                headers=signed_headers(subscription, event, body, at),
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        code = response.status_code
    except requests.RequestException as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:500]
    if code is not None and 200 <= code < 300:
        _finish(
            delivery,
            status="sent",
            attempts=attempts,
            response_status=code,
            sent_at=timezone.now(),
            last_error="",
        )
        return "sent"
    transient = code is None or code == 429 or code >= 500
    error = error or f"HTTP {code}"
    if transient and not final and attempts < MAX_ATTEMPTS:
        _finish(
            delivery, status="pending", attempts=attempts, response_status=code, last_error=error
        )
        raise TransientWebhookError(error)
    _finish(delivery, status="failed", attempts=attempts, response_status=code, last_error=error)
    return "failed"


@transaction.atomic
def replay_delivery(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (after a receiver's outage, or on request): back to pending,
    sent after the commit, with the same webhook-id."""
    _require_admin(actor)
    if delivery.status == WebhookDelivery.Status.SENDING:
        raise ValidationError({"status": _("This delivery is being sent right now.")})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, updated_at=timezone.now(), claim=""
    )
    _enqueue([delivery.pk])
    delivery.refresh_from_db()
    return delivery


def sweep() -> int:
    """Re-enqueue deliveries left pending (a broker outage) or stuck sending; answers how
    many. Run by the periodic task."""
    now = timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            Q(status=WebhookDelivery.Status.PENDING, updated_at__lt=now - dt.timedelta(minutes=5))
            | Q(status=WebhookDelivery.Status.SENDING, updated_at__lt=now - STALE_SENDING)
        ).values_list("pk", flat=True)[:1000]
    )
    _enqueue(ids)
    return len(ids)


def purge_deliveries(*, now: dt.datetime | None = None) -> int:
    """Delete the delivery log older than KEEL_WEBHOOK_LOG_DAYS: deliveries that are done
    (sent or failed; pending and sending ones are still owed), then the events left without
    deliveries. Answers how many deliveries went."""
    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.KEEL_WEBHOOK_LOG_DAYS)
    deleted, _by_model = WebhookDelivery.objects.filter(
        created_at__lt=cutoff,
        status__in=[WebhookDelivery.Status.SENT, WebhookDelivery.Status.FAILED],
    ).delete()
    WebhookEvent.objects.filter(occurred_at__lt=cutoff, deliveries__isnull=True).delete()
    return deleted
