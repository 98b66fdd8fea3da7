"""Periodic tasks of the directory (UTC; a late run is dropped): one sync an hour for each
platform configured in KEEL_DIRECTORY_SYNC (settings pass it in: this module is read while the
settings load)."""

from celery.schedules import crontab


def beat_schedule(platforms) -> dict:
    return {
        f"directory-sync-{platform}": {
            "task": "directory.tasks.sync_directory",
            "schedule": crontab(minute=17),
            "args": (platform,),
            "options": {"expires": 30 * 60},
        }
        for platform in platforms
    }
