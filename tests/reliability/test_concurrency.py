"""Concurrency: two people editing one goal, a check-in opened and submitted twice at once and
reminder dispatch running twice at once, each with real concurrent PostgreSQL connections
(threads released together by a barrier). Two approvals on one budget are proven in
tests/resources/test_concurrency.py (the budget row lock).

Where a test widens the race window (a short pause after the row lock is taken), it does so
to make the unprotected outcome certain: without the lock, both callers would read the same
state during the pause and both would write."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
import time_machine
from django.core import mail

from config.celery import app as celery_app
from goals.models import Goal, GoalSettings, KeyResult, Measurement
from goals.services import agreement
from notifications import services as notification_services
from notifications.kinds import ReminderKind
from notifications.models import Delivery, ReminderLog
from reminders import services as reminder_services
from tests.factories import PersonFactory, UserFactory
from tests.reliability.conftest import at_once, postgres_only
from tests.tracking.factories import make_cycle, person_goal
from tracking.models import CheckIn
from tracking.services import checkins as checkin_services

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def _pause_after(monkeypatch, module, name, seconds=0.3):
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, slow)


def _client(person):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=type(person.user).objects.get(pk=person.user_id))
    return client


# --- goals: optimistic locking under a real race --------------------------------------------


def test_two_people_saving_one_goal_at_once_one_wins_the_other_hears_who(company, monkeypatch):
    alice, bob = company["alice"], company["bob"]
    with time_machine.travel(MONDAY, tick=False):
        goal = person_goal(alice, make_cycle())
    history_before = goal.history.count()
    _pause_after(monkeypatch, agreement, "_lock")
    url = f"/api/v1/goals/{goal.pk}/"
    titles = {"alice": "Win 40 new customers", "bob": "Win 50 new customers"}

    def save(person, name):
        return lambda: _client(person).patch(url, {"version": 1, "title": titles[name]})

    first, second = at_once(save(alice, "alice"), save(bob, "bob"))
    codes = sorted([first.status_code, second.status_code])
    assert codes == [200, 409], (first.content, second.content)
    winner, loser = ("alice", "bob") if first.status_code == 200 else ("bob", "alice")
    stale = first if first.status_code == 409 else second
    assert company[winner].display_name in stale.json()["detail"]
    goal.refresh_from_db()
    assert goal.title == titles[winner] and goal.version == 2
    assert goal.history.count() == history_before + 1


# --- check-ins: opened twice, submitted twice ------------------------------------------------


@pytest.fixture
def alice_with_goal(company):
    with time_machine.travel(MONDAY, tick=False):
        goal = person_goal(company["alice"], make_cycle(), names=("New customers", "Calls"))
    return company["alice"], list(goal.key_results.order_by("position", "pk"))


def test_a_check_in_opened_and_submitted_twice_at_once_is_one_measured_once(
    alice_with_goal, monkeypatch
):
    alice, krs = alice_with_goal
    with time_machine.travel(MONDAY, tick=False):
        opened = at_once(
            *[lambda: _client(alice).post("/api/v1/check-ins/current/", {}) for _ in range(4)]
        )
        assert all(not isinstance(r, Exception) for r in opened), opened
        assert sorted(r.status_code for r in opened) == [200, 200, 200, 201]
        check_in = CheckIn.objects.get(person=alice)
        assert {r.json()["id"] for r in opened} == {check_in.pk}

        _pause_after(monkeypatch, checkin_services, "_parse_updates")
        body = {
            "done": "Visited three prospects",
            "updates": [
                {"key_result": krs[0].pk, "value": "15"},
                {"key_result": krs[1].pk, "value": "15"},
            ],
        }
        url = f"/api/v1/check-ins/{check_in.pk}/submit/"
        first, second = at_once(
            lambda: _client(alice).post(url, body), lambda: _client(alice).post(url, body)
        )
    assert (first.status_code, second.status_code) == (200, 200), (first.content, second.content)
    check_in.refresh_from_db()
    assert check_in.state == CheckIn.State.SUBMITTED and check_in.amendments == 0
    assert check_in.updates.count() == 2
    assert sorted(Measurement.objects.values_list("key_result_id", flat=True)) == sorted(
        kr.pk for kr in krs
    )
    # Each key result's value and progress were written once (one history row each).
    for kr in krs:
        assert KeyResult.objects.get(pk=kr.pk).history.filter(current_value=15).count() == 1
    assert Goal.objects.get(pk=krs[0].goal_id).progress == pytest.approx(0.5)


def test_check_ins_whose_cascades_cross_submitted_at_once_never_deadlock(company, monkeypatch):
    """Every check-in rolls progress up to the company goal. Alice's two goals align to the
    sales and the marketing goal, Erin's the other way round; each submission once locked the
    chain of its first goal and then of its second, so the two could wait for each other (a
    deadlock, one of them a 500 — found by bench/load.py). Now each locks all its goals once,
    in id order, at the end."""
    from goals import services as goal_services
    from tests.tracking.factories import unit_goal

    alice, erin = company["alice"], company["erin"]
    GoalSettings.load()  # the settings row exists, as it does in production
    with time_machine.travel(MONDAY, tick=False):
        cycle = make_cycle()
        top = unit_goal(company["acme"], cycle, title="Grow")
        sales = unit_goal(company["sales"], cycle, parent=top, title="Sell")
        marketing = unit_goal(company["marketing"], cycle, parent=top, title="Be known")
        parents = {alice: (sales, marketing), erin: (marketing, sales)}
        krs = {
            person: [
                person_goal(person, cycle, parent=parent, names=(f"KR {i}",)).key_results.get()
                for i, parent in enumerate(parents[person])
            ]
            for person in (alice, erin)
        }
        _pause_after(monkeypatch, checkin_services, "record_measurements")
        opened = {p: checkin_services.open_check_in(person=p)[0] for p in (alice, erin)}

        def submit(person):
            url = f"/api/v1/check-ins/{opened[person].pk}/submit/"
            updates = [{"key_result": kr.pk, "value": "15"} for kr in krs[person]]
            return lambda: _client(person).post(url, {"updates": updates})

        responses = at_once(submit(alice), submit(erin))
    assert [getattr(r, "status_code", r) for r in responses] == [200, 200]
    assert Measurement.objects.count() == 4
    top.refresh_from_db()
    assert top.progress == pytest.approx(goal_services.goal_progress(top)) == pytest.approx(0.5)


def test_check_ins_rolled_up_into_one_key_result_at_once_lose_no_update(company, monkeypatch):
    """Alice's and Erin's key results both contribute to Sales' (a sum), which contributes to
    the company's. Submitted at once, each recomputes the sums from its contributors: without
    the key results locked in id order first, both would read the other's old value (a lost
    update) or wait for each other (a deadlock)."""
    from goals.services import measurements
    from tests.tracking.factories import unit_goal

    alice, erin = company["alice"], company["erin"]
    GoalSettings.load()
    with time_machine.travel(MONDAY, tick=False):
        cycle = make_cycle()
        top = person_goal(alice, cycle, names=("Customers",))  # any owner: the chain matters
        top_kr = top.key_results.get()
        sales = unit_goal(company["sales"], cycle, title="Sell")
        sales_kr = KeyResult.objects.create(goal=sales, name="Customers", target_value=60)
        krs = {}
        for person in (alice, erin):
            kr = person_goal(person, cycle, parent=sales, names=("Customers",)).key_results.get()
            KeyResult.objects.filter(pk=kr.pk).update(contributes_to=sales_kr)
            krs[person] = kr
        KeyResult.objects.filter(pk=sales_kr.pk).update(contributes_to=top_kr)
        KeyResult.objects.filter(pk__in=[sales_kr.pk, top_kr.pk]).update(source="rollup")
        _pause_after(monkeypatch, measurements, "lock_key_results")
        opened = {p: checkin_services.open_check_in(person=p)[0] for p in (alice, erin)}

        def submit(person, value):
            url = f"/api/v1/check-ins/{opened[person].pk}/submit/"
            updates = [{"key_result": krs[person].pk, "value": value}]
            return lambda: _client(person).post(url, {"updates": updates})

        responses = at_once(submit(alice, "11"), submit(erin, "17"))
    assert [getattr(r, "status_code", r) for r in responses] == [200, 200]
    sales_kr.refresh_from_db()
    top_kr.refresh_from_db()
    assert sales_kr.current_value == 28 and top_kr.current_value == 28
    from goals.services import check_numbers

    assert check_numbers() == []


# --- reminders: dispatch twice at once -------------------------------------------------------


@pytest.fixture
def eager_celery():
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def test_two_dispatches_at_once_send_one_reminder_each(
    company, eager_celery, mailoutbox, monkeypatch
):
    for i in range(20):
        PersonFactory(user=UserFactory(username=f"rep{i}"), unit=company["field"])
    now = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)  # Friday 16:00 UTC: every nudge due
    with time_machine.travel(now, tick=False):
        runs = at_once(
            lambda: reminder_services.dispatch(now=now, inline=True),
            lambda: reminder_services.dispatch(now=now, inline=True),
        )
    assert all(not isinstance(r, Exception) for r in runs), runs
    people = 27
    nudges = [m.to[0] for m in mail.outbox if m.subject == "Your weekly check-in is due"]
    assert len(nudges) == people and set(Counter(nudges).values()) == {1}
    logs = ReminderLog.objects.filter(kind=ReminderKind.CHECK_IN)
    assert logs.count() == people
    sent = Delivery.objects.filter(channel="email", kind=ReminderKind.CHECK_IN, status="sent")
    assert sent.count() == people
    assert not Delivery.objects.exclude(status="sent").exists()

    # A delivery task redelivered while the first execution still runs (three at once): the
    # conditional claim (pending → sending) lets one of them send each row.
    import core.queue

    monkeypatch.setattr(core.queue, "publish", lambda *a, **k: None)  # left pending
    mail.outbox.clear()
    later = now + dt.timedelta(days=3, hours=1)  # Monday 17:00: the managers' reminders
    with time_machine.travel(later, tick=False):
        reminder_services.dispatch(now=later, inline=True)
        ids = list(Delivery.objects.filter(status="pending").values_list("pk", flat=True))
        assert len(ids) >= 3
        at_once(*[lambda: notification_services.deliver_many(delivery_ids=ids)] * 3)
    assert len(mail.outbox) == len(ids)
    assert Delivery.objects.filter(pk__in=ids, status="sent").count() == len(ids)
