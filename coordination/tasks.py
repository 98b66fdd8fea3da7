"""Celery tasks of coordination: thin wrappers over services, idempotent and safe to retry."""

from celery import shared_task
from django.utils import timezone

from coordination import services


@shared_task
def dissolve_ended_task_forces() -> int:
    """Dissolve the task forces whose cycle has ended, each with its retrospective. Idempotent:
    a dissolved task force is not dissolved again."""
    return services.dissolve_ended_task_forces(today=timezone.localdate())
