"""Celery tasks of delivery: thin, take ids, safe to retry (exactly-once comes from the
database). The reminder dispatch's tasks are in reminders.tasks."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from notifications import services
from notifications.channels import TransientDeliveryError

MAX_RETRIES = services.MAX_ATTEMPTS - 1


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
