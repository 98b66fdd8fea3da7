"""Celery tasks of goals: thin wrappers over services, idempotent and safe to retry."""

from celery import shared_task

from goals.services import pace


@shared_task
def reclassify_pace() -> int:
    """Move every open key result's stored pace to today (the calendar moves the expected
    pace; nothing else writes it on a quiet day). Idempotent: current rows are skipped."""
    return pace.reclassify_all()
