import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from goals.models import Cycle
from goals.services import record_measurement
from tests.retros.factories import CycleFactory, make_goal

CHAIN = [
    "Too few new customers",
    "Low lead conversion",
    "The pitch is not tailored to the customer",
    "No tailored playbook per customer group",
    "The training system is incomplete",
]


@pytest.fixture(autouse=True)
def _today():
    # Mid-October 2026: Q3 is over, Q4 is running.
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def q3(db):
    return CycleFactory(name="2026 Q3", starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 9, 30))


@pytest.fixture
def q4(db):
    return CycleFactory(
        name="2026 Q4",
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 12, 31),
        state="active",
    )


@pytest.fixture
def sales_goal(company, q3):
    goal = make_goal(actor=company["bob"], cycle=q3, owner=company["alice"])
    kr = goal.key_results.get()
    # The value was measured while Q3 ran; a closed cycle takes no new values.
    Cycle.objects.filter(pk=q3.pk).update(state=Cycle.State.ACTIVE)
    record_measurement(key_result=kr, value=Decimal("60"), source="manual")
    Cycle.objects.filter(pk=q3.pk).update(state=q3.state)
    goal.refresh_from_db()
    return goal


@pytest.fixture
def retro(company, q3, sales_goal):
    from retros import services

    return services.create_retrospective(
        actor=company["bob"], cycle=q3, goal=sales_goal, participants=[company["erin"]]
    )
