"""Concurrent approvals never overspend a budget: the budget row is locked (SELECT ... FOR
UPDATE) while the grant is checked and committed. Needs a database with row locks and real
concurrent connections, so it runs on PostgreSQL only."""

import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from resources import services
from resources.models import Budget, ResourceRequest
from resources.services import requests as request_services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
        reason="SQLite has no row locks and serialises writers; run with a PostgreSQL "
        "DATABASE_URL to prove concurrent approvals never overspend.",
    ),
]


def _approve_all_at_once(requests, approver):
    barrier = threading.Barrier(len(requests))
    outcomes: dict[int, str] = {}

    def run(req):
        try:
            barrier.wait(timeout=10)
            services.approve_request(actor=approver, request=req)
            outcomes[req.pk] = "approved"
        except ValidationError as exc:
            outcomes[req.pk] = exc.message_dict["granted_amount"][0]
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(req,)) for req in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def slow_lock(monkeypatch):
    """Hold the budget a moment after reading it, so without the row lock every thread would
    read the same remaining amount and all of them would commit."""
    original = request_services.lock_budget_for

    def slow(obj):
        budget = original(obj)
        time.sleep(0.3)
        return budget

    monkeypatch.setattr(request_services, "lock_budget_for", slow)


def test_two_simultaneous_approvals_never_overspend(world, make_request, slow_lock):
    w = world
    Budget.objects.filter(pk=w["sales_budget"].pk).update(allocated=Decimal("100"))
    first = make_request(amount="60", unit=w["sales"])
    second = make_request(amount="60", unit=w["sales"])
    outcomes = _approve_all_at_once([first, second], w["bob"])
    assert list(outcomes.values()).count("approved") == 1
    refused = [text for text in outcomes.values() if text != "approved"]
    assert len(refused) == 1 and "40.00 CNY remain" in refused[0]
    budget = Budget.objects.get(pk=w["sales_budget"].pk)
    assert budget.committed == Decimal("60") and budget.remaining == Decimal("40")
    states = sorted(ResourceRequest.objects.values_list("state", flat=True))
    assert states == ["approved", "submitted"]


def test_many_simultaneous_approvals_fill_the_budget_exactly(world, make_request, slow_lock):
    w = world
    Budget.objects.filter(pk=w["sales_budget"].pk).update(allocated=Decimal("100"))
    requests = [make_request(amount="30", unit=w["sales"], title=f"r{i}") for i in range(5)]
    outcomes = _approve_all_at_once(requests, w["bob"])
    assert list(outcomes.values()).count("approved") == 3
    budget = Budget.objects.get(pk=w["sales_budget"].pk)
    granted = sum(
        ResourceRequest.objects.filter(state="approved").values_list("granted_amount", flat=True)
    )
    assert budget.committed == granted == Decimal("90")
    assert budget.committed + budget.spent <= budget.allocated
