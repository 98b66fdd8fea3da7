"""The review tests run on the shared company (tests/conftest.py): Alice and Erin in the
Field team under Bob, Dave in Marketing under Mia, Carol the HRBP of Sales, Zed the admin.
`reviews` opens a review cycle of Sales' frontline on last quarter, where Alice's goal was
scored 0.8 (the numbers suggest a 4)."""

import datetime as dt

import pytest
import time_machine

from goals.models import Cycle, Goal
from reviews import services
from tests.goals.factories import CycleFactory, GoalFactory

NOW = dt.datetime(2026, 10, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def quarter(db):
    return CycleFactory(
        name="2026 Q3",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        state=Cycle.State.CLOSED,
    )


@pytest.fixture
def reviews(company, quarter):
    """The open review cycle of Sales' frontline (Alice, Erin), with Alice's scored goal."""
    GoalFactory(
        owner_person=company["alice"],
        cycle=quarter,
        title="Win 45 customers",
        state=Goal.State.AGREED,
        progress=0.8,
        score=0.8,
    )
    cycle = services.create_review_cycle(
        actor=company["carol"],
        name="Q3 review",
        goal_cycle=quarter,
        unit=company["sales"],
        levels=["frontline"],
    )
    services.open_review_cycle(actor=company["carol"], cycle=cycle)
    company = dict(company)
    company["cycle"] = cycle
    company["review"] = cycle.reviews.get(person=company["alice"])
    company["erin_review"] = cycle.reviews.get(person=company["erin"])
    return company


SELF = {"results_rating": 4, "competencies_rating": 3, "attitude_rating": 4, "comment": "Good Q3"}
EVALUATION = {
    "results_rating": 4,
    "competencies_rating": 3,
    "attitude_rating": 4,
    "overall_rating": 4,
    "results_evidence": "36 of 45 customers",
    "summary": "A solid quarter",
}
