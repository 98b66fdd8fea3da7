"""Celery tasks: thin and idempotent."""

from celery import shared_task
from django.utils import timezone

from incentives import services


@shared_task(acks_late=True, ignore_result=True)
def evaluate_due_rules() -> int:
    """Evaluate every active rule whose period has just ended (weekly champions appear on
    Monday), then vest deferred awards. Safe to run twice."""
    today = timezone.localdate()
    outcomes = services.evaluate_due_rules(today=today)
    services.update_vesting(today=today)
    return len(outcomes)
