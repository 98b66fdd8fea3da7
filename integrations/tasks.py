"""Celery tasks of the outbound webhooks: thin, take ids, safe to retry (exactly once comes
from the delivery row's claim)."""

from __future__ import annotations

from celery import shared_task

from goals.services import purge_idempotency_keys
from integrations import direct, services

MAX_RETRIES = services.MAX_ATTEMPTS - 1


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(services.TransientWebhookError,),
    retry_backoff=True,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def deliver_webhook(self, delivery_id: int) -> None:
    services.deliver(delivery_id=delivery_id, final=self.request.retries >= self.max_retries)


@shared_task(acks_late=True, ignore_result=True)
def sweep_webhooks() -> None:
    services.sweep()
    direct.sweep()


@shared_task(acks_late=True, ignore_result=True)
def send_direct_messages(reminder_log_ids: list[int]) -> None:
    """A batch's reminders as direct chat messages (integrations.direct)."""
    direct.send_pending(reminder_log_ids=reminder_log_ids)


@shared_task(acks_late=True, ignore_result=True)
def purge_integration_logs() -> None:
    """Idempotency keys past their 24 hours and the webhook delivery log past its retention."""
    purge_idempotency_keys()
    services.purge_deliveries()
