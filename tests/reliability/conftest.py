"""Helpers for the reliability tests: real concurrent connections (threads released together
by a barrier, each with its own database connection), PostgreSQL-only markers."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connections

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"

postgres_only = pytest.mark.skipif(
    ON_SQLITE,
    reason="SQLite serialises writers and has no row locks, so it cannot show a race; run with "
    "a PostgreSQL DATABASE_URL to prove this.",
)


def at_once(*calls: Callable, timeout: float = 30) -> list:
    """Run each callable in its own thread, all released at the same instant by a barrier.
    Returns what each returned, or the exception it raised, in the order given. Each thread
    uses (and closes) its own database connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call: Callable) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as exc:  # handed back to the test, which asserts on it
            results[index] = exc
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    assert not any(t.is_alive() for t in threads), "a concurrent call did not finish"
    return results


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
