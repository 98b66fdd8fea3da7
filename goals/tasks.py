"""Celery tasks of goals: thin wrappers over services, idempotent and safe to retry."""

from celery import shared_task

from goals.services import pace, rollups


@shared_task
def reclassify_pace() -> int:
    """Move every open key result's stored pace to today (the calendar moves the expected
    pace; nothing else writes it on a quiet day). Idempotent: current rows are skipped."""
    return pace.reclassify_all()


@shared_task
def refresh_rollups() -> int:
    """Rebuild the read models of the open cycles at today's pace (behind pace moves with the
    calendar), in a handful of grouped queries; returns the rows that had drifted other than
    by the day. Idempotent."""
    return rollups.refresh_open()
