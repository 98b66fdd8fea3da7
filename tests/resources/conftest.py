"""Goals, key results and budgets for the resource request tests, on the shared company:
Sales (head bob) has a core goal with a key result behind pace; Marketing (head mia) a
secondary goal. Sales and Marketing each have a promotion budget of 10,000 CNY.

These tests lived in tests/tracking/resources/ and keep running on its clock: Monday
16 November 2026, 09:00 UTC (`frozen_time`, autouse, from tests/tracking/conftest.py)."""

from decimal import Decimal

import pytest

from goals.models import Goal
from resources import services
from resources.models import BudgetCategory
from tests.resources.factories import (
    BudgetFactory,
    CycleFactory,
    GoalFactory,
    KeyResultFactory,
)
from tests.tracking.conftest import frozen_time  # noqa: F401


@pytest.fixture
def world(company):
    c = dict(company)
    cycle = CycleFactory(name="This quarter")
    c["cycle"] = cycle
    c["sales_goal"] = GoalFactory(
        title="Win new customers", owner_unit=c["sales"], cycle=cycle, progress=0.2
    )
    # Half the quarter gone, 20 % done: a gap of about 30 points.
    c["kr"] = KeyResultFactory(
        goal=c["sales_goal"], name="New customers", current_value=Decimal("20"), progress=0.2
    )
    c["marketing_goal"] = GoalFactory(
        title="Generate leads",
        owner_unit=c["marketing"],
        cycle=cycle,
        priority=Goal.Priority.SECONDARY,
        progress=0.1,
    )
    c["sales_budget"] = BudgetFactory(unit=c["sales"], cycle=cycle)
    c["marketing_budget"] = BudgetFactory(unit=c["marketing"], cycle=cycle)
    return c


@pytest.fixture
def make_request(world):
    """Submit a request through the service: `make_request(alice, amount=500, unit=...)`."""

    def _make(requester=None, **kwargs):
        data = {
            "kind": "budget",
            "title": "Promotion budget",
            "justification": "Campaign to close the gap",
            "goal": world["sales_goal"],
            "amount": Decimal("1000"),
            "category": BudgetCategory.PROMOTION,
        }
        data.update(kwargs)
        return services.submit_request(requester=requester or world["alice"], **data)

    return _make


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The company fixture hashes eight passwords per test; a fast hasher keeps tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
