"""`manage.py send_reminders`, the embedded scheduler and the beat entry."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from notifications.models import ReminderLog, ReminderRun


def run(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestSendReminders:
    def test_dry_run_prints_and_writes_nothing(self, company):
        output = run("--now", "2026-11-27T16:00:00Z", "--dry-run")
        assert "reminder.check_in Alice: would send" in output
        assert "Dry run at 2026-11-27T16:00:00+00:00" in output
        assert not ReminderLog.objects.exists()
        assert not ReminderRun.objects.exists()

    def test_run_sends_once(self, company, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            output = run("--now", "2026-11-27T16:00:00Z")
        assert "reminder.check_in Alice: sent" in output
        assert ReminderRun.objects.get().trigger == "command"
        sent = len(mailoutbox)
        assert sent > 0
        with django_capture_on_commit_callbacks(execute=True):
            output = run("--now", "2026-11-27T16:10:00")  # naive: read as UTC
        assert "0 due, 0 sent" in output
        assert len(mailoutbox) == sent

    def test_bad_now(self, db):
        with pytest.raises(CommandError, match="ISO-8601"):
            run("--now", "next friday")


def test_embedded_scheduler_only_for_runserver_without_redis(monkeypatch, settings):
    from reminders import embedded

    settings.REDIS_URL = ""
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver"])
    monkeypatch.setenv("RUN_MAIN", "true")
    assert embedded.wanted() is True
    monkeypatch.setenv("KEEL_EMBEDDED_SCHEDULER", "0")
    assert embedded.wanted() is False
    monkeypatch.delenv("KEEL_EMBEDDED_SCHEDULER")
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert embedded.wanted() is False
    settings.REDIS_URL = ""
    monkeypatch.setattr("sys.argv", ["manage.py", "migrate"])
    assert embedded.wanted() is False


def test_beat_schedule_points_at_the_dispatch_task(settings):
    from config.celery import app
    from reminders.schedule import BEAT_SCHEDULE

    # What a worker does when it starts: import every app's tasks (autodiscovery is lazy, so
    # without this the answer depends on which tests ran before in this process).
    app.loader.import_default_modules()

    assert [entry["task"] for entry in BEAT_SCHEDULE.values()] == [
        "reminders.tasks.dispatch_reminders"
    ]
    for name, entry in BEAT_SCHEDULE.items():
        assert settings.CELERY_BEAT_SCHEDULE[name] == entry
        assert entry["task"] in app.tasks
        assert 0 < entry["options"]["expires"] <= entry["schedule"]


@pytest.mark.django_db
def test_beat_task_dispatches(company):
    import time_machine

    from reminders.tasks import dispatch_reminders

    with time_machine.travel("2026-11-27T16:00:00Z", tick=False):
        due = dispatch_reminders.apply().get()
    assert due > 0
    assert ReminderRun.objects.get().trigger == "beat"
