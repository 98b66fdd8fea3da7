"""Celery beat entries of goals (merged into settings.CELERY_BEAT_SCHEDULE). Hourly: the first
run after midnight moves every key result's pace to the new day; later runs find nothing stale
and cost one query."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "goals-reclassify-pace": {
        "task": "goals.tasks.reclassify_pace",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
}
