"""Carry-over page of a closed (or scoring) cycle, for admins: the unfinished goals with
checkboxes, a dry-run preview (htmx) naming the next cycle, then the copy."""

import datetime as dt

import pytest
from django.urls import reverse

from goals import services
from goals.models import Cycle, Goal
from tests.goals.conftest import kr
from tests.goals.factories import CycleFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def closed(company, quarter, make_goal):
    unfinished = make_goal(company["alice"], state=Goal.State.AGREED, key_results=[kr("100")])
    services.record_measurement(key_result=unfinished.key_results.get(), value="40", source="api")
    done = make_goal(
        company["erin"], title="Done already", state=Goal.State.AGREED, key_results=[kr("10")]
    )
    services.record_measurement(key_result=done.key_results.get(), value="10", source="api")
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.SCORING)
    services.transition_cycle(actor=company["zed"], cycle=quarter, to="closed", close_anyway=True)
    quarter.refresh_from_db()
    return unfinished, done


@pytest.fixture
def next_quarter(db):
    return CycleFactory(
        name="2027 Q1",
        kind=Cycle.Kind.QUARTER,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 3, 31),
        state=Cycle.State.PLANNING,
    )


def _url(cycle):
    return reverse("goals:cycle-carry-over", args=[cycle.pk])


def test_preview_then_copy_the_unfinished_goals(login, company, quarter, closed, next_quarter):
    unfinished, done = closed
    client = login(company["zed"])
    page = client.get(_url(quarter)).content.decode()
    assert f'value="{unfinished.pk}"' in page and "Done already" not in page
    assert "copied to 2027 Q1 as drafts" in page
    preview = client.post(_url(quarter), {"goal": unfinished.pk, "preview": "1"}, **HX)
    body = preview.content.decode()
    assert "<html" not in body and "1 goal will be copied to 2027 Q1." in body
    assert not Goal.objects.filter(cycle=next_quarter).exists()  # a dry run
    response = client.post(_url(quarter), {"goal": unfinished.pk, "confirm": "1"}, follow=True)
    assert "1 goal copied to 2027 Q1." in response.content.decode()
    copy = Goal.objects.get(cycle=next_quarter)
    assert copy.carried_from == unfinished and copy.state == Goal.State.DRAFT
    page = client.get(_url(quarter)).content.decode()
    assert "Already carried over." in page  # and its box is disabled
    preview = client.post(_url(quarter), {"goal": unfinished.pk, "preview": "1"}, **HX)
    assert "0 goals will be copied" in preview.content.decode()
    assert "Already carried over." in preview.content.decode()


def test_carry_over_errors_come_back_on_the_page(login, company, quarter, closed):
    client = login(company["zed"])
    page = client.get(_url(quarter)).content.decode()
    assert "Create the next cycle first" in page
    body = client.post(_url(quarter), {"goal": closed[0].pk, "preview": "1"}, **HX)
    assert "Create the next cycle first: nothing to carry over to." in body.content.decode()
    CycleFactory(
        name="2027 Q1",
        kind=Cycle.Kind.QUARTER,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 3, 31),
    )
    body = client.post(_url(quarter), {"preview": "1"}, **HX).content.decode()
    assert "Choose the goals to carry over." in body


def test_carry_over_is_404_for_non_admins(login, company, quarter, closed, next_quarter):
    for who in ("alice", "bob", "carol"):
        client = login(company[who])
        assert client.get(_url(quarter)).status_code == 404
        response = client.post(_url(quarter), {"goal": closed[0].pk, "confirm": "1"})
        assert response.status_code == 404
    assert not Goal.objects.filter(cycle=next_quarter).exists()


def test_an_active_cycle_carries_nothing_over(login, company, quarter, next_quarter, make_goal):
    goal = make_goal(company["alice"], state=Goal.State.AGREED)
    client = login(company["zed"])
    page = client.get(_url(quarter)).content.decode()
    assert "Goals are carried over once the cycle is in scoring or closed." in page
    client.post(_url(quarter), {"goal": goal.pk, "confirm": "1"})
    assert not Goal.objects.filter(cycle=next_quarter).exists()
