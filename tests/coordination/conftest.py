import datetime as dt

import pytest
import time_machine

from tests.tracking.factories import make_cycle, person_goal, submitted


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def story(company):
    """Alice's goal (private to her chain) with her submitted check-in; Dave's public goal."""
    cycle = make_cycle()
    alice_goal = person_goal(company["alice"], cycle, names=("New customers",))
    alice_goal.visibility = "private"
    alice_goal.save(update_fields=["visibility"])
    check_in = submitted(company["alice"], {alice_goal.key_results.get(): 10})
    dave_goal = person_goal(company["dave"], cycle, names=("Leads",))
    return {"cycle": cycle, "alice_goal": alice_goal, "check_in": check_in, "dave_goal": dave_goal}
