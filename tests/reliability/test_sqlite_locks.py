"""On SQLite a busy database is waited for, never an error: every transaction takes the write
lock when it begins (BEGIN IMMEDIATE, so two transactions never deadlock upgrading a read
lock, which SQLite answers at once with "database is locked" whatever the timeout), and a
connection waits up to 20 s for it. `make test-under-load` runs the suite with the CPU busy."""

import sqlite3
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's own settings",
)


@pytest.mark.django_db
def test_the_connection_waits_for_the_write_lock():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20_000


def test_a_writer_waits_for_another_instead_of_failing(tmp_path):
    """Two connections opened as Django opens them (the settings' OPTIONS), to one file: the
    second's transaction waits while the first holds the lock for a moment, then commits."""
    options = settings.DATABASES["default"]["OPTIONS"]
    path = tmp_path / "locks.sqlite3"

    def connect():
        return sqlite3.connect(
            path, timeout=options["timeout"], isolation_level=None, check_same_thread=False
        )

    setup = connect()
    setup.execute("CREATE TABLE t (n INTEGER)")
    setup.close()
    first, second = connect(), connect()
    first.execute(f"BEGIN {options['transaction_mode']}")
    first.execute("INSERT INTO t VALUES (1)")
    done = {}

    def write():
        started = time.monotonic()
        second.execute(f"BEGIN {options['transaction_mode']}")
        second.execute("INSERT INTO t VALUES (2)")
        second.execute("COMMIT")
        done["waited"] = time.monotonic() - started

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.5)
    first.execute("COMMIT")
    thread.join(timeout=options["timeout"])
    assert done["waited"] >= 0.4
    assert sorted(n for (n,) in first.execute("SELECT n FROM t")) == [1, 2]
    first.close()
    second.close()
