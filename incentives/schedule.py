"""Celery beat entries for incentives (merged into settings.CELERY_BEAT_SCHEDULE by the lead).
Hourly, so a missed beat is caught up within the hour; the task skips evaluated periods."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "incentives-evaluate-due-rules": {
        "task": "incentives.tasks.evaluate_due_rules",
        "schedule": crontab(minute=15),
        "options": {"expires": 50 * 60},
    },
}
