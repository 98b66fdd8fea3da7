"""Fixtures for reminder tests: the notification tests' own (Celery in-process unless a test
starts a real worker, webhooks to a fake HTTP session, fast password hashing), and a dispatch
run as the command runs it."""

import pytest

from tests.notifications.conftest import eager_celery, fast_passwords, http  # noqa: F401


@pytest.fixture
def run_dispatch(django_capture_on_commit_callbacks):
    """Dispatch as the command does (batches inline) and run what is sent after commit."""
    from reminders import services

    def _run(now, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.dispatch(now=now, inline=True, **kwargs)

    return _run
