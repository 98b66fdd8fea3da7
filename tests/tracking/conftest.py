import datetime as dt

import pytest
import time_machine

from tests.factories import PersonFactory, UserFactory
from tests.tracking.factories import make_cycle, person_goal, submitted, unit_goal

# Monday 16 November 2026: halfway through the 2–30 November cycle (expected pace 50 %).
MONDAY = dt.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The shared factories hash a password per user; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def cycle(db):
    return make_cycle()


@pytest.fixture
def cascade(company, cycle):
    """Acme's company goal ← Sales' unit goal ← Alice's goal (New customers 0→30, Calls
    0→200); Erin and Dave have a goal with one key result each."""
    c = company
    top = unit_goal(c["acme"], cycle, title="Grow revenue")
    sales = unit_goal(c["sales"], cycle, parent=top, title="Win customers")
    alice_goal = person_goal(c["alice"], cycle, names=("New customers", "Calls"), parent=sales)
    alice_goal.key_results.filter(name="Calls").update(target_value=200)
    erin_goal = person_goal(c["erin"], cycle, parent=sales)
    dave_goal = person_goal(c["dave"], cycle, names=("Leads",))
    krs = {kr.name: kr for kr in alice_goal.key_results.all()}
    return {
        "top": top,
        "sales": sales,
        "alice_goal": alice_goal,
        "customers": krs["New customers"],
        "calls": krs["Calls"],
        "erin_kr": erin_goal.key_results.get(),
        "dave_kr": dave_goal.key_results.get(),
    }


@pytest.fixture
def team_of(company, cycle):
    """`team_of(n)`: n more reps under Bob, each with a goal of three key results, a submitted
    check-in (one key result off track), feedback from Bob and an improvement plan."""
    from tracking import services

    def build(n: int):
        bob = company["bob"]
        people = []
        for i in range(n):
            person = PersonFactory(
                user=UserFactory(username=f"rep{i}"), unit=company["field"], manager=bob
            )
            goal = person_goal(person, cycle, names=("Customers", "Calls", "Demos"))
            krs = list(goal.key_results.all())
            check_in = submitted(person, {krs[0]: 3, krs[1]: 15, krs[2]: 12})
            services.give_feedback(actor=bob, check_in=check_in, kind="praise", text="Good")
            services.create_plan_from_update(
                actor=bob,
                update=check_in.updates.get(key_result=krs[0]),
                actions=[{"kind": "coaching", "description": "Pair up", "owner": bob}],
            )
            people.append(person)
        return people

    return build
