"""Celery beat entries of goals (merged into settings.CELERY_BEAT_SCHEDULE). Hourly: the first
run after midnight moves every key result's pace to the new day; later runs find nothing stale
and cost one query. Nightly, after it: the read models of the open cycles rebuilt at the new
day's pace (pages bring any row of an earlier day up to date themselves, so a missed night
costs a slower first page, not a wrong number)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "goals-reclassify-pace": {
        "task": "goals.tasks.reclassify_pace",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
    "goals-refresh-rollups": {
        "task": "goals.tasks.refresh_rollups",
        "schedule": crontab(hour=0, minute=20),
        "options": {"expires": 6 * 60 * 60},
    },
}
