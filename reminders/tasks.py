"""Celery tasks of the reminder dispatch: thin, take ids, safe to retry (exactly-once comes from
the database). Beat runs `dispatch_reminders` (reminders.schedule); it enqueues one
`send_reminder_batch` per chunk of due people. The deliveries those batches create go out
through the notifications app's own tasks."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from notifications.models import ReminderRun
from reminders import services


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
def send_reminder_batch(
    run_id: int, kind: str, period: str, person_ids: list[int], index: int | None = None
) -> None:
    services.send_reminder_batch(
        run_id=run_id,
        kind=kind,
        period=dt.date.fromisoformat(period),
        person_ids=person_ids,
        now=services.batch_now(run_id),
        index=index,
    )


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_group_digests(run_id: int, force: bool = False) -> None:
    """One digest per chat group for a dispatch, once its batches have all finished."""
    services.send_group_digests(run_id=run_id, force=force)
