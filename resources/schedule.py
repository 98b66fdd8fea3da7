"""Periodic entries for the beat schedule (merged into CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "resources-monitor": {
        "task": "resources.tasks.monitor_resources",
        # Hourly: priorities follow progress within the day; reminders and alerts are
        # claimed in the database, so a repeated or late run never notifies twice.
        "schedule": crontab(minute=20),
        "options": {"expires": 30 * 60},
    },
}
