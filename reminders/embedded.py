"""The embedded default (`make run`, no REDIS_URL): there is no beat process, so the dev server
runs the reminder dispatch itself every five minutes in a daemon thread, with Celery tasks
executed in-process (CELERY_TASK_ALWAYS_EAGER). Exactly-once still comes from the database,
so a second process doing the same (or a real beat) never duplicates a reminder.

Started from RemindersConfig.ready() only for `runserver` without REDIS_URL (in the
autoreloader's serving child), unless KEEL_EMBEDDED_SCHEDULER=0."""

from __future__ import annotations

import logging
import os
import sys
import threading

logger = logging.getLogger(__name__)

INTERVAL = 300
_started = threading.Event()


def wanted() -> bool:
    from django.conf import settings

    if settings.REDIS_URL or os.environ.get("KEEL_EMBEDDED_SCHEDULER", "1") == "0":
        return False
    if len(sys.argv) < 2 or sys.argv[1] != "runserver":
        return False
    # With the autoreloader, only the child that serves requests runs it.
    return os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv


def _loop(stop: threading.Event) -> None:
    from django.db import close_old_connections

    from reminders import services

    while not stop.wait(15 if not _started.is_set() else INTERVAL):
        _started.set()
        try:
            run = services.dispatch(inline=True)
            if run.due:
                logger.info("Embedded reminder dispatch: %s due", run.due)
        except Exception:  # keep the scheduler alive; the next tick catches up
            logger.exception("Embedded reminder dispatch failed")
        finally:
            close_old_connections()


def start() -> threading.Thread:
    stop = threading.Event()
    thread = threading.Thread(target=_loop, args=(stop,), name="keel-reminders", daemon=True)
    thread.start()
    return thread
