"""A worker killed in the middle of a 1,000-person send: a real `celery worker` process on a
private Redis and the test database sends the nudges until it hangs mid-send, and is killed
(SIGKILL: no cleanup, its task unacknowledged). A second worker finishes the queue, the next
dispatch's sweep puts the killed worker's claimed-but-unsent rows back, and in the end every
person has exactly one email and one log row.

The kill lands after a message was claimed and before it was sent. A kill in the instant
after the mail server accepted a message and before its row was marked sent would send that
one message twice: the documented at-least-once window (notifications.services.delivery)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from notifications.kinds import ReminderKind
from notifications.models import Delivery, Notification, ReminderLog
from org.models import Person
from reminders import services as reminder_services
from reminders.services.dispatcher import STALE_SENDING
from tests.factories import UnitFactory
from tests.reliability.conftest import celery_broker, postgres_only
from tests.reliability.mailbox import recipients

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

PEOPLE = 1000
KILL_AFTER = 150  # messages the doomed worker sends before it hangs
FRIDAY = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(broker_url: str, mail_dir: Path, log: Path, **env) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker"]
        + ["--pool=solo", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker_url,
            "EMAIL_BACKEND": "tests.reliability.mailbox.StallingFileBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "LOG_LEVEL": "WARNING",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    process.log = log
    return process


def wait_for(predicate, process: subprocess.Popen, timeout=120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            pytest.fail(f"the worker exited: {process.log.read_text()[-2000:]}")
        time.sleep(0.2)
    pytest.fail("timed out waiting for the worker")


@pytest.fixture
def thousand_people(db):
    unit = UnitFactory(name="Big team")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"p{i:04d}", email=f"p{i:04d}@example.com") for i in range(PEOPLE)
    )
    Person.objects.bulk_create(
        Person(user=user, display_name=user.username, unit=unit, timezone="UTC", language="en")
        for user in users
    )
    return {user.email for user in users}


def test_a_worker_killed_mid_send_leaves_everyone_with_exactly_one_reminder(
    thousand_people, throwaway_redis, tmp_path
):
    sent = Delivery.objects.filter(channel="email", status=Delivery.Status.SENT)
    unfinished = Delivery.objects.exclude(status=Delivery.Status.SENT)
    mail_dir, stalled = tmp_path / "mail", tmp_path / "stalled"
    workers: list[subprocess.Popen] = []
    with celery_broker(throwaway_redis.url):
        try:
            doomed = _worker(
                throwaway_redis.url,
                mail_dir,
                tmp_path / "worker-1.log",
                KEEL_TEST_STALL_AFTER=str(KILL_AFTER),
                KEEL_TEST_STALL_MARKER=str(stalled),
            )
            workers.append(doomed)
            run = reminder_services.dispatch(now=FRIDAY)
            assert run.due == PEOPLE and run.batches == 2
            wait_for(sent.exists, doomed)
            # Its replacement starts while it sends (there is plenty left for both).
            survivor = _worker(throwaway_redis.url, mail_dir, tmp_path / "worker-2.log")
            workers.append(survivor)
            wait_for(stalled.exists, doomed)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=30)
            # Its batch: partly sent (and marked so), the rest claimed but never sent.
            claimed = Delivery.objects.filter(status=Delivery.Status.SENDING).count()
            assert 0 < claimed < 100
            # The survivor sends everything else; only the dead worker's claims are left.
            wait_for(lambda: unfinished.count() == claimed, survivor)

            # The next dispatch, once the dead worker's claims are older than STALE_SENDING.
            later = timezone.now() + STALE_SENDING + dt.timedelta(minutes=1)
            with time_machine.travel(later, tick=True):
                again = reminder_services.dispatch(now=FRIDAY + dt.timedelta(minutes=20))
            assert again.due == 0  # everyone is logged: only the sweep has work
            wait_for(lambda: not unfinished.exists(), survivor)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    try:
                        worker.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        worker.kill()
                        worker.wait()

    emails = recipients(mail_dir)
    assert set(emails) == thousand_people
    assert set(emails.values()) == {1}, [a for a, n in emails.items() if n != 1][:10]
    logs = ReminderLog.objects.filter(kind=ReminderKind.CHECK_IN, status="sent")
    assert logs.count() == PEOPLE
    assert sent.count() == PEOPLE
    assert Notification.objects.count() == PEOPLE
    # The killed batch's unsent rows were claimed twice and sent once.
    assert Delivery.objects.filter(attempts=2).count() == claimed
