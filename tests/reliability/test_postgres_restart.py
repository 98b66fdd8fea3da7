"""PostgreSQL restarted: the app recovers without a restart of its own. A server restart
closes every client connection, which clients see exactly as their backend being
terminated; here a second connection terminates the app's backend between two requests, and
the next request (through Django's real WSGI handler, which checks a persistent connection's
health at the start of each request: CONN_HEALTH_CHECKS) succeeds on a new connection.
scripts/faults.py does the same against gunicorn with a real restart of the server (CI)."""

from __future__ import annotations

from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from org.tokens import create_token
from tests.reliability.conftest import postgres_only

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def wsgi_get(path: str, **headers) -> tuple[str, bytes]:
    """One request as a WSGI server makes it (request_started/finished signals included)."""
    environ: dict = {"PATH_INFO": path, **headers}
    setup_testing_defaults(environ)
    status: list[str] = []
    response = WSGIHandler()(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return status[0], body


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]


def test_requests_succeed_after_the_apps_connection_is_cut(company):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # connections are kept between requests
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    _token, key = create_token(user=company["alice"].user, name="test")
    api = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert wsgi_get("/healthz")[0].startswith("200")
    assert wsgi_get("/api/v1/goals/", **api)[0].startswith("200")
    before = backend_pid()

    terminate(before)  # what every client sees when the server restarts

    status, body = wsgi_get("/api/v1/goals/", **api)
    assert status.startswith("200"), body[:500]
    assert wsgi_get("/healthz")[0].startswith("200")
    assert backend_pid() != before  # a new connection, in the same process
