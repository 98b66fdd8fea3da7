"""Dashboard fixtures: the goal fixtures (cycles, make_goal, a fixed today) plus a small cascade."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

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


LONG_AGO = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)  # 13 days before "today"


def submit_request(person, goal, title, *, amount="500", at=None):
    """A budget request (promotion) through the service, optionally submitted `at` a moment."""
    from resources import services

    def submit():
        return services.submit_request(
            requester=person,
            kind="budget",
            title=title,
            justification="Close the gap to plan",
            goal=goal,
            amount=Decimal(amount),
            category="promotion",
        )

    if at is None:
        return submit()
    with time_machine.travel(at, tick=False):
        return submit()


@pytest.fixture
def resource_world(company, quarter, cascade, make_goal):  # noqa: F811
    """Field team (bob's) budget 95 % committed after bob approved alice's 9,500; Sales 20 %;
    Marketing (mia's, not bob's) 95 %. Erin's request has waited 13 days, alice's second one
    a day; dave's (Marketing) has waited 13 days too but is mia's to decide."""
    from resources import services
    from tests.resources.factories import BudgetFactory

    c = dict(company)
    c["field_budget"] = BudgetFactory(unit=c["field"], cycle=quarter)
    c["sales_budget"] = BudgetFactory(unit=c["sales"], cycle=quarter, committed=Decimal("2000"))
    c["marketing_budget"] = BudgetFactory(
        unit=c["marketing"], cycle=quarter, committed=Decimal("9500")
    )
    granted = submit_request(c["alice"], cascade["alice"], "Trade fair stand", amount="9500")
    services.approve_request(actor=c["bob"], request=granted)
    c["old"] = submit_request(c["erin"], cascade["erin"], "Lead list for the north", at=LONG_AGO)
    c["fresh"] = submit_request(
        c["alice"], cascade["alice"], "Demo kits", at=dt.datetime(2026, 11, 14, tzinfo=dt.UTC)
    )
    dave_goal = make_goal(c["dave"], title="Publish 12 articles", state="agreed")
    c["marketing_old"] = submit_request(c["dave"], dave_goal, "Stock photos", at=LONG_AGO)
    return c


def section(page: str, element_id: str) -> str:
    """The HTML of a page from the element with this id to the end of its <section>."""
    start = page.index(f'id="{element_id}"')
    end = page.find("</section>", start)
    return page[start:end]


D = Decimal


@pytest.fixture
def production_sign_in(settings):
    """A signed-in request as production makes it with Redis (config/settings.py): the session
    read through the cache (cached_db) and the viewer kept between requests (org/identity.py),
    here in the test process's memory cache. A query count with this fixture counts a warm
    request (the client has made one before): the user row is read, the rest of the sign-in
    comes from the cache."""
    from django.core.cache import cache

    settings.KEEL_VIEWER_CACHE = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    yield
    cache.clear()


def section_of(client, name: str, **params):
    """One lazily loaded section of the manager dashboard, as the page's htmx asks for it."""
    from django.urls import reverse

    return client.get(
        reverse("dashboard:manager-section", args=[name]), params, HTTP_HX_REQUEST="true"
    )
