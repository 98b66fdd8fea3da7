"""Dashboard fixtures: the goal fixtures (cycles, make_goal, a fixed today) plus a small cascade."""

from decimal import Decimal

import pytest

from goals.models import Goal
from tests.goals.conftest import (  # noqa: F401
    _fast_passwords,
    _today,
    kr,
    make_goal,
    past_quarter,
    quarter,
    year,
)


@pytest.fixture
def cascade(company, make_goal, year, quarter):  # noqa: F811
    """The company goal (year) ← Sales 200 customers (quarter) ← alice 45 + erin 45: a gap of 110
    on the new-customers metric. All agreed."""
    company_goal = make_goal(
        company["acme"],
        title="Grow market share by 5 %",
        level=Goal.Level.COMPANY,
        cycle=year,
        state=Goal.State.AGREED,
        key_results=[kr("25", name="Market share", metric="market-share", unit="%")],
    )
    sales = make_goal(
        company["sales"],
        title="Win 200 new customers",
        parent=company_goal,
        state=Goal.State.AGREED,
        key_results=[kr("200")],
    )
    alice = make_goal(company["alice"], parent=sales, state=Goal.State.AGREED)
    erin = make_goal(company["erin"], parent=sales, state=Goal.State.AGREED)
    return {"company": company_goal, "sales": sales, "alice": alice, "erin": erin}


D = Decimal
