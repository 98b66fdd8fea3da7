"""Fixtures of the API fuzz test: the authorization matrix's organisation (tests/authz/world.py),
built once per module inside a transaction rolled back when the module is done, an API token for
each main role, and the Django WSGI application schemathesis calls in-process."""

import logging

import pytest
import time_machine
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from org.tokens import create_token
from tests.authz.world import ADMIN, HRBP, MANAGER, NOW, SELF, module_world

# The main roles, each a person of the world: an employee (no reports), a manager (heads the
# field team), an HRBP (assigned to Sales) and the staff admin.
ROLES = {"employee": SELF, "manager": MANAGER, "hrbp": HRBP, "admin": ADMIN}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker) as world:
        world.tokens = {
            role: create_token(user=world.people[relation].user, name=role)[1]
            for role, relation in ROLES.items()
        }
        yield world


@pytest.fixture
def world(_module_world, db):
    return _module_world


@pytest.fixture(scope="module")
def wsgi_app():
    """Django's own WSGI handler, as production serves it. Its request signals would close the
    test's connection (it is inside a transaction), so they are held off while the module runs,
    as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """The token endpoint's flood guard counts per process: each test starts from zero."""
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def _quiet_refusals():
    """Thousands of deliberate 4xx: keep django.request's warnings out of the report (a 500
    fails the check and is reported with its traceback there)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
