"""Celery tasks for resource monitoring: thin, idempotent, safe to retry."""

from celery import shared_task

from resources import services


@shared_task(acks_late=True, ignore_result=True)
def monitor_resources() -> dict[str, int]:
    """Refresh the priority of waiting requests from today's progress, remind approvers of
    requests waiting too long (once each) and alert owners of budgets past the alert ratio
    (once per crossing)."""
    return {
        "priorities": services.refresh_priorities(),
        "reminded": services.remind_waiting(),
        "alerts": services.sweep_budget_alerts(),
    }
