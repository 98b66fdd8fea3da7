"""`enqueue`: the one way services hand work to Celery.

Tasks are sent after the transaction commits, and a broker that is down or slow never fails
or stalls the business action that sent them: publishing has short timeouts and one retry
(CELERY_BROKER_* in settings), a failure is logged and swallowed, and further sends in this
process are skipped for a short cooldown. Nothing is lost by that, because the database
records the work and the periodic jobs find it again: the reminder dispatch re-finds every
reminder without a log row, its sweep re-enqueues deliveries left pending (and in-app
notifications whose email and webhook copies were never made)."""

from __future__ import annotations

import logging
from functools import partial

import kombu.exceptions
from celery import current_app
from django.db import transaction

from core.cache import Outage

logger = logging.getLogger(__name__)


BROKER_ERRORS = (kombu.exceptions.OperationalError, ConnectionError, TimeoutError, OSError)


def publish(task, *args, countdown: int | None = None) -> bool:
    """Send `task` now; False (logged) when the broker is unreachable. Eager mode (no broker:
    the embedded default and most tests) runs the task here."""
    name = f"broker:{current_app.conf.broker_url}"
    if not current_app.conf.task_always_eager and Outage.active(name):
        logger.info("Broker down: %s not sent; the periodic sweep will pick it up", task.name)
        return False
    try:
        task.apply_async(args, countdown=countdown)
    except BROKER_ERRORS as exc:
        Outage.trip(name, exc, what="Celery broker")
        logger.info("%s not sent; the periodic sweep will pick it up", task.name)
        return False
    return True


def enqueue(task, *args, countdown: int | None = None) -> None:
    """Send `task(*args)` once the current transaction commits (at once outside one). Never
    raises for a broker outage: callers must have recorded the work in the database first."""
    transaction.on_commit(partial(publish, task, *args, countdown=countdown), robust=True)
