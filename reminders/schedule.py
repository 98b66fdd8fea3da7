"""Beat entries of the reminders app (the lead merges them into CELERY_BEAT_SCHEDULE).
Schedules are in UTC; dispatch works out each person's local time. `expires` drops a run the
worker could not start in time (the next one catches up)."""

BEAT_SCHEDULE = {
    "reminders-dispatch": {
        "task": "reminders.tasks.dispatch_reminders",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
}
