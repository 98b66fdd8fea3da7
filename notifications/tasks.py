"""Celery tasks: thin, take ids, safe to retry (exactly-once comes from the database)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from notifications import services
from notifications.channels import TransientDeliveryError
from notifications.models import ReminderRun

MAX_RETRIES = services.MAX_ATTEMPTS - 1


@shared_task(acks_late=True, ignore_result=True)
def dispatch_reminders() -> int:
    return services.dispatch(now=timezone.now(), trigger=ReminderRun.Trigger.BEAT).due


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_reminder_batch(run_id: int, kind: str, period: str, person_ids: list[int]) -> None:
    services.send_reminder_batch(
        run_id=run_id, kind=kind, period=dt.date.fromisoformat(period), person_ids=person_ids
    )


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def deliver(self, delivery_id: int) -> None:
    services.deliver(delivery_id=delivery_id, final=self.request.retries >= self.max_retries)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def deliver_batch(delivery_ids: list[int]) -> None:
    services.deliver_many(delivery_ids=delivery_ids)


@shared_task(acks_late=True, ignore_result=True)
def fan_out(notification_ids: list[int]) -> None:
    services.fan_out_notifications(notification_ids=notification_ids)
