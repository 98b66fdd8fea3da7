"""The demo employee (Wang Fang) is behind plan for lack of leads but never misses a weekly
check-in: on the seeded data the incentives demo recognises her ("Steady check-in", through
the services, published), deterministically and idempotently, so her home shows an award."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from demo.seed import goals as goals_seed
from demo.seed import incentives as incentives_seed
from demo.seed import tracking as tracking_seed
from demo.seed.org import seed_company
from incentives.models import Award

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)


def _seed():
    ctx = seed_company(weeks=5)  # check-ins from the week of Oct 19 to the week of Nov 16
    goals_seed.seed(ctx)
    tracking_seed.seed(ctx)
    incentives_seed.seed(ctx)
    return ctx


def _awards():
    return sorted(
        Award.objects.values_list("rule__name", "person_id", "period_start", "amount", "state")
    )


def test_demo_employee_has_a_published_recognition(client):
    with time_machine.travel(NOW, tick=False):
        ctx = _seed()
        employee = ctx.people["employee"]
        mine = Award.objects.filter(person=employee, state=Award.State.PUBLISHED)
        [award] = mine.filter(rule__name="Steady check-in", period_start=dt.date(2026, 10, 1))
        assert award.title == "Steady check-in"
        assert award.explanation["metric"] == "streak" and award.explanation["rank"] <= 3
        assert award.explanation["value"] == "2"  # Oct 19 and Oct 26: every seeded week
        # not an over-achiever: no bonus or champion for her
        assert not Award.objects.filter(person=employee, rule__name="Weekly champion").exists()
        before = _awards()
        incentives_seed.seed(ctx)
        assert _awards() == before
        client.force_login(employee.user)
        page = client.get(reverse("home")).content.decode()
    recognition = page[page.index('id="recognition"') :]
    assert "No awards yet" not in recognition
    assert reverse("incentives:award", args=[award.pk]) in recognition
    assert "Steady check-in" in recognition
