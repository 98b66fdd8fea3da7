"""Helpers for the reliability tests: real concurrent connections (threads released together
by a barrier, each with its own database connection), PostgreSQL-only markers."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    """A private redis-server on a free port, to stop and start at will (never the shared
    one)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("the throwaway redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # as a crash would: no goodbye to the clients
            self.process.wait(timeout=10)
            self.process = None


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def throwaway_redis():
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed")
    server = ThrowawayRedis()
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def celery_broker(url: str):
    """Point the Celery app (not eager) at another broker for the block."""
    from config.celery import app
    from core.cache import Outage

    def reset_pools():
        import kombu.pools

        kombu.pools.reset()  # the connection and producer pools are shared by broker URL
        app._pool = None
        app.amqp._producer_pool = None

    # The app reads Django's settings live beneath its own changes: restore the changes
    # layer exactly, whatever the test does to the Django settings meanwhile.
    keys = ("broker_url", "task_always_eager")
    saved = {key: app.conf.changes[key] for key in keys if key in app.conf.changes}
    reset_pools()
    app.conf.broker_url, app.conf.task_always_eager = url, False
    Outage.reset()
    try:
        yield app
    finally:
        reset_pools()
        for key in keys:
            app.conf.changes.pop(key, None)
        app.conf.changes.update(saved)
        Outage.reset()
