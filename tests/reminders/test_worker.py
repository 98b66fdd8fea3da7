"""Integration: a real Celery worker consuming from the real Redis broker (REDIS_URL) runs
dispatch's batches and the deliveries against the test database. Skipped only when REDIS_URL
is unset."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import OperationalError, connections

from config.celery import app as celery_app
from notifications.kinds import ReminderKind
from notifications.models import ChannelConfig, Delivery, ReminderLog
from reminders import services
from reminders.models import GroupDigest
from tracking.models import CheckIn

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set"),
]


def _close_thread_connections(**kwargs):
    # The worker runs in a thread with its own database connections: close them after each
    # task so the test database can be flushed and dropped.
    connections.close_all()


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared in-memory test database: table locked
            pass
        time.sleep(0.5)
    return False


@pytest.mark.django_db(transaction=True)
def test_dispatch_through_the_broker(company, mailoutbox, settings, http):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert celery_app.conf.task_always_eager is False
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.control.purge()
    CheckIn.objects.create(
        person=company["erin"], week=dt.date(2026, 11, 23), state=CheckIn.State.SUBMITTED
    )
    now = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)  # Friday 16:00 UTC
    # A company DingTalk group: the batches' last one to finish on the worker has its one digest
    # posted, signed (to the fake HTTP session of the notification tests).
    ChannelConfig.objects.create(
        name="Company DingTalk",
        kind="dingtalk",
        url="https://oapi.dingtalk.example/robot/send?access_token=t",
        secret="SEC-test",
        language="en",
    )
    task_postrun.connect(_close_thread_connections, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            run = services.dispatch(now=now)  # enqueues the batches on the broker
            nudges = ReminderLog.objects.filter(kind=ReminderKind.CHECK_IN)
            assert wait_for(lambda: nudges.count() == 7)
            emails = Delivery.objects.filter(channel="email", kind=ReminderKind.CHECK_IN)
            assert wait_for(lambda: emails.filter(status="sent").count() == 6)
            busy = Delivery.objects.filter(status__in=["pending", "sending"])
            assert wait_for(lambda: Delivery.objects.exists() and not busy.exists())
            digest = GroupDigest.objects.filter(run=run)
            assert wait_for(lambda: digest.filter(status="sent").count() == 1)
            # A duplicated beat: nothing new is sent.
            again = services.dispatch(now=now + dt.timedelta(minutes=5))
            assert again.due == 0
            time.sleep(1)
    finally:
        task_postrun.disconnect(_close_thread_connections)
    (post,) = http.posts
    assert "&timestamp=" in post["url"] and "&sign=" in post["url"]
    assert "alice" in post["json"]["text"]["content"].casefold()
    nudged = sorted(m.to[0] for m in mail.outbox if m.subject == "Your weekly check-in is due")
    assert nudged == sorted(
        f"{name}@example.com" for name in ("alice", "bob", "carol", "dave", "mia", "zed")
    )
    assert ReminderLog.objects.get(person=company["erin"], kind=ReminderKind.CHECK_IN).reason == (
        "submitted"
    )
    assert set(nudges.values_list("run_id", flat=True)) == {run.pk}
    assert list(Delivery.objects.exclude(status="sent").values_list("last_error", flat=True)) == []
