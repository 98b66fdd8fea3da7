"""Celery beat entries of coordination (merged into settings.CELERY_BEAT_SCHEDULE). Nightly:
task forces whose cycle ended the day before are dissolved with a retrospective."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "coordination-dissolve-ended-task-forces": {
        "task": "coordination.tasks.dissolve_ended_task_forces",
        "schedule": crontab(hour=0, minute=40),
        "options": {"expires": 6 * 60 * 60},
    },
}
