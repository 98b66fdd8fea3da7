import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from goals.models import Goal
from org import services as org_services
from tests.factories import PersonFactory, UnitFactory, UserFactory
from tests.goals.factories import CycleFactory, GoalFactory, KeyResultFactory


@pytest.fixture(autouse=True)
def _today():
    """Mid Q4 2026, as the goal tests."""
    with time_machine.travel(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def org(db):
    """Sales (bob heads it, alice in it), Support (dave), an admin; a Q4 cycle."""
    company = UnitFactory(name="Acme", kind="company")
    sales = UnitFactory(name="Sales", parent=company)
    support = UnitFactory(name="Support", parent=company)
    admin = PersonFactory(
        user=UserFactory(username="root", is_staff=True, is_superuser=True), unit=company
    )
    bob = PersonFactory(user=UserFactory(username="bob"), display_name="Bob", unit=sales)
    sales.head = bob
    sales.save()
    alice = PersonFactory(
        user=UserFactory(username="alice"), display_name="Alice", unit=sales, manager=bob
    )
    dave = PersonFactory(user=UserFactory(username="dave"), display_name="Dave", unit=support)
    cycle = CycleFactory(name="2026 Q4")
    return {
        "company": company,
        "sales": sales,
        "support": support,
        "admin": admin,
        "alice": alice,
        "bob": bob,
        "dave": dave,
        "cycle": cycle,
    }


@pytest.fixture
def key_result(org):
    goal = GoalFactory(owner_person=org["alice"], cycle=org["cycle"], state=Goal.State.AGREED)
    return KeyResultFactory(goal=goal, name="New customers")


@pytest.fixture
def crm(org):
    """A service account of Sales writing measurements, and a client with its token."""
    account, key = org_services.create_service_account(
        actor=org["admin"], name="CRM", scopes=["measurements:write"], units=[org["sales"]]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.account = account
    return client


@pytest.fixture
def as_person():
    def make(person):
        client = APIClient()
        client.force_authenticate(person.user)
        return client

    return make
