"""Redis stopped: with the cache and the Celery broker on a Redis that is down, pages and the
API keep working, a check-in is submitted and stored, /healthz says "degraded" and names the
broker, and when Redis is back the next dispatch catches up every reminder that fell due and
every message that could not be queued. Uses a private redis-server (never the shared one)
and a real Celery worker on it."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError, connections
from django.db.models import F

from notifications.kinds import ReminderKind
from notifications.models import Delivery, ReminderLog
from reminders import services as reminder_services
from tests.reliability.conftest import celery_broker
from tests.tracking.factories import make_cycle, person_goal
from tracking.models import CheckIn

pytestmark = pytest.mark.django_db(transaction=True)

FRIDAY = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)  # every check-in nudge is due
NUDGE = "Your weekly check-in is due"


@pytest.fixture
def on_throwaway_redis(throwaway_redis, settings):
    """Settings and the Celery app as production has them, on the private Redis."""
    settings.REDIS_URL = settings.CELERY_BROKER_URL = throwaway_redis.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        **settings.CACHES,  # the in-process caches (the token throttle's) stay as they are
        "default": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": throwaway_redis.url},
    }
    with celery_broker(throwaway_redis.url) as app:
        yield throwaway_redis, app


def _close_connections(**kwargs):
    connections.close_all()  # the worker thread's own


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared in-memory database: table locked
            pass
        time.sleep(0.2)
    return False


def test_redis_down_the_site_works_and_reminders_catch_up_when_it_returns(
    company, on_throwaway_redis, client, api
):
    redis_server, app = on_throwaway_redis
    alice, bob = company["alice"], company["bob"]
    with time_machine.travel(FRIDAY, tick=True):
        goal = person_goal(alice, make_cycle())
        kr = goal.key_results.get()
        cache.set("probe", 1)
        assert cache.get("probe") == 1  # the cache really is this Redis

        redis_server.stop()

        _pages_and_api_work(client, api, alice)
        check_in = _check_in_is_submitted(api, alice, kr)
        _feedback_email_waits_for_the_broker(api, alice, bob, check_in)
        _healthz_is_degraded(client)
        # A dispatch while the broker is down finds everyone due but can queue nothing.
        run = reminder_services.dispatch(now=FRIDAY)
        assert run.due >= 7 and not ReminderLog.objects.exists()

        redis_server.start()
        from core.cache import Outage

        Outage.reset()  # the publisher's short cooldown after the outage has run out
        assert client.get("/healthz").json()["status"] == "ok"
        # The outage lasted longer than the sweep's patience for unqueued messages.
        Delivery.objects.filter(status="pending").update(
            updated_at=F("updated_at") - dt.timedelta(minutes=11)
        )
        _next_dispatch_catches_up(app)

    _everyone_else_nudged_once_and_alice_told_of_the_feedback(alice)


def _pages_and_api_work(client, api, alice) -> None:
    """Pages, the API and the throttled token endpoint (the cache's one user) still work."""
    client.force_login(alice.user)
    assert client.get("/").status_code == 200
    assert client.get("/goals/").status_code == 200
    token = api.post("/api/v1/auth/token/", {"username": "alice", "password": "pw"})
    assert token.status_code == 200, token.content
    alice_api = api.as_(alice)
    assert alice_api.get("/api/v1/goals/").status_code == 200
    assert alice_api.get("/api/v1/check-ins/").status_code == 200


def _check_in_is_submitted(api, alice, kr) -> CheckIn:
    """Alice opens and submits her check-in through the API; it is stored."""
    alice_api = api.as_(alice)
    opened = alice_api.post("/api/v1/check-ins/current/", {})
    assert opened.status_code == 201
    submitted = alice_api.post(
        f"/api/v1/check-ins/{opened.json()['id']}/submit/",
        {"updates": [{"key_result": kr.pk, "value": "24"}]},
    )
    assert submitted.status_code == 200, submitted.content
    check_in = CheckIn.objects.get(person=alice)
    assert check_in.state == CheckIn.State.SUBMITTED
    assert check_in.updates.get().value == 24
    return check_in


def _feedback_email_waits_for_the_broker(api, alice, bob, check_in) -> None:
    """Bob's feedback notifies Alice: the notification and its email are stored, the email
    waits for the broker."""
    feedback = api.as_(bob).post(
        "/api/v1/feedback/", {"check_in": check_in.pk, "kind": "praise", "text": "Great week"}
    )
    assert feedback.status_code == 201, feedback.content
    waiting = Delivery.objects.filter(recipient=alice, channel="email", status="pending")
    assert waiting.count() == 1


def _healthz_is_degraded(client) -> None:
    """/healthz answers 200 "degraded": the database is fine, the broker is not."""
    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "degraded" and body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def _next_dispatch_catches_up(app) -> None:
    """With a real worker on the Redis that is back, the next dispatch sends every nudge and
    every message that waited."""
    task_postrun.connect(_close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            reminder_services.dispatch(now=FRIDAY + dt.timedelta(minutes=5))
            nudges = ReminderLog.objects.filter(kind=ReminderKind.CHECK_IN)
            assert wait_for(lambda: nudges.count() == 7)
            busy = Delivery.objects.filter(status__in=["pending", "sending"])
            assert wait_for(lambda: not busy.exists())
    finally:
        task_postrun.disconnect(_close_connections)


def _everyone_else_nudged_once_and_alice_told_of_the_feedback(alice) -> None:
    """Everyone but Alice (who submitted) got one check-in nudge; Alice one feedback email."""
    nudged = Counter(m.to[0] for m in mail.outbox if m.subject == NUDGE)
    everyone_but_alice = {
        f"{n}@example.com" for n in ("bob", "carol", "dave", "erin", "mia", "zed")
    }
    assert set(nudged) == everyone_but_alice and set(nudged.values()) == {1}
    assert ReminderLog.objects.get(person=alice, kind=ReminderKind.CHECK_IN).reason == "submitted"
    to_alice = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert ["left feedback" in m.subject for m in to_alice].count(True) == 1
    assert not Delivery.objects.exclude(status="sent").exists()
