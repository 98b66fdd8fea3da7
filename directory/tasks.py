"""The periodic directory sync (directory/schedule.py): one run per configured platform."""

from celery import shared_task
from requests import RequestException

from directory import sync


@shared_task(autoretry_for=(RequestException,), retry_backoff=True, max_retries=3, acks_late=True)
def sync_directory(platform: str) -> int:
    """Apply the platform's directory; answers the number of changes."""
    return len(sync.sync_directory(platform=platform, dry_run=False).changes)
