"""Fixtures of the authorization matrix: the organisation (tests/authz/world.py), frozen at a
Wednesday in the middle of Q4 2026.

The organisation is built once per test module inside a transaction that is rolled back when
the module is done; every test runs in a savepoint inside it (pytest-django's `db`), and the
matrix rolls each request back as well, so every test and every request meets the
organisation exactly as built."""

import logging

import pytest
import time_machine

from tests.authz.world import NOW, module_world


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as world:
        yield world


@pytest.fixture
def world(_module_world, db):
    return _module_world


@pytest.fixture(autouse=True)
def _quiet_refusals():
    """Thousands of deliberate 401/403/404s: keep django.request's warnings out of the report."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def _no_template_contexts(monkeypatch):
    """The matrix reads responses, never `response.context`: not copying every template's
    context for the test client saves a fifth of the time of a page."""
    monkeypatch.setattr("django.test.client.store_rendered_templates", lambda *a, **k: None)
