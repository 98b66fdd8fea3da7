"""Fixtures for the tests of the demo data, which came from the apps' test folders: each module
runs on the frozen day of the folder it came from (`pytestmark = usefixtures(...)`), and the
bulk loader's test makes its key result with the goals tests' `make_goal`."""

import datetime as dt

import pytest
import time_machine

from tests.goals.conftest import make_goal, quarter, year  # noqa: F401  (make_goal's cycles)


@pytest.fixture
def goals_day():
    """The day of tests/goals: 2026-11-15, mid Q4 2026."""
    with time_machine.travel(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def tracking_day():
    """The day of tests/tracking: Monday 16 November 2026."""
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def retros_day():
    """The day of tests/retros: mid-October 2026 (Q3 is over, Q4 is running)."""
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        yield
