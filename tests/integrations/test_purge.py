"""The hourly purge (in the beat schedule): Idempotency-Keys older than 24 hours and the
webhook delivery log older than KEEL_WEBHOOK_LOG_DAYS go; fresh ones and deliveries still
owed stay."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.conf import settings

from goals.models import IdempotencyKey
from integrations import services
from integrations.models import WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC)


def purge() -> None:
    """The task as a worker runs it (imported by the name beat sends)."""
    importlib.import_module("integrations.tasks").purge_integration_logs()


def test_the_purge_is_in_the_beat_schedule():
    from config.celery import app
    from integrations.schedule import BEAT_SCHEDULE

    entry = settings.CELERY_BEAT_SCHEDULE["integrations-purge"]
    assert entry == BEAT_SCHEDULE["integrations-purge"]
    assert entry["task"] == "integrations.tasks.purge_integration_logs"
    importlib.import_module("integrations.tasks")
    assert entry["task"] in app.tasks
    assert 0 < entry["options"]["expires"] <= entry["schedule"]


def test_idempotency_keys_go_after_24_hours(org):
    user = org["alice"].user
    IdempotencyKey.objects.create(user=user, key="old", fingerprint="f", status=201)
    with time_machine.travel(T0 + dt.timedelta(hours=23), tick=False):
        IdempotencyKey.objects.create(user=user, key="new", fingerprint="f", status=201)
        purge()
        assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"old", "new"}
    with time_machine.travel(T0 + dt.timedelta(hours=24, minutes=1), tick=False):
        purge()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_delivery_log_goes_after_its_retention(org, settings):
    settings.KEEL_WEBHOOK_LOG_DAYS = 7
    subscription = services.create_subscription(
        actor=org["admin"], name="ERP", url="http://127.0.0.1:9/", event_types=["goal.agreed"]
    )

    def delivery(msg_id, status):
        event = WebhookEvent.objects.create(msg_id=msg_id, type="goal.agreed", payload={})
        return WebhookDelivery.objects.create(subscription=subscription, event=event, status=status)

    sent, failed, owed = delivery("a", "sent"), delivery("b", "failed"), delivery("c", "pending")
    with time_machine.travel(T0 + dt.timedelta(days=6), tick=False):
        fresh = delivery("d", "sent")
    with time_machine.travel(T0 + dt.timedelta(days=7, minutes=1), tick=False):
        purge()
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {owed.pk, fresh.pk}
    assert set(WebhookEvent.objects.values_list("msg_id", flat=True)) == {"c", "d"}
    assert not WebhookDelivery.objects.filter(pk__in=[sent.pk, failed.pk]).exists()
