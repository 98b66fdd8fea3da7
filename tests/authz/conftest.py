"""Fixtures of the authorization matrix: the organisation (tests/authz/world.py), frozen at a
Wednesday in the middle of Q4 2026."""

import pytest
import time_machine

from tests.authz.world import NOW, build


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    return build()


@pytest.fixture(autouse=True)
def _quiet_refusals():
    """Thousands of deliberate 401/403/404s: keep django.request's warnings out of the report."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
