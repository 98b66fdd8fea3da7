"""Reminders: the right people at the right local time, once."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from notifications import services
from notifications.kinds import ReminderKind
from notifications.models import (
    Absence,
    Delivery,
    Notification,
    ReminderLog,
    ReminderSchedule,
)
from reminders import services as reminder_services
from tracking.models import CheckIn

UTC = dt.UTC


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


def nudged(mailoutbox):
    return sorted(
        m.to[0].split("@")[0] for m in mailoutbox if m.subject == "Your weekly check-in is due"
    )


@pytest.fixture
def people(company):
    """alice in Shanghai, dave in New York, everyone else in UTC; all with an email."""
    company["alice"].timezone = "Asia/Shanghai"
    company["alice"].save()
    company["dave"].timezone = "America/New_York"
    company["dave"].save()
    return company


def logs(kind=ReminderKind.CHECK_IN, status="sent"):
    return set(
        ReminderLog.objects.filter(kind=kind, status=status).values_list(
            "person__user__username", flat=True
        )
    )


@pytest.mark.django_db
class TestLocalTime:
    def test_shanghai_nudged_at_15_local_new_york_later(self, people, run_dispatch, mailoutbox):
        # Friday 2026-11-27 07:05 UTC = 15:05 Shanghai, 02:05 New York.
        with time_machine.travel(at(2026, 11, 27, 7, 5), tick=False):
            run_dispatch(at(2026, 11, 27, 7, 5))
        assert "alice" in nudged(mailoutbox)
        assert "dave" not in nudged(mailoutbox)
        assert "bob" not in nudged(mailoutbox)  # UTC: 07:05, not yet
        # 20:05 UTC = 15:05 New York (EST, UTC-5)
        with time_machine.travel(at(2026, 11, 27, 20, 5), tick=False):
            run_dispatch(at(2026, 11, 27, 20, 5))
        assert nudged(mailoutbox).count("dave") == 1
        assert nudged(mailoutbox).count("alice") == 1

    def test_just_before_local_time_nothing(self, people, run_dispatch, mailoutbox):
        with time_machine.travel(at(2026, 11, 27, 6, 59), tick=False):
            run = run_dispatch(at(2026, 11, 27, 6, 59))
        assert "alice" not in nudged(mailoutbox)
        assert run.due == 0 or "alice" not in logs()

    @pytest.mark.parametrize(
        ("before", "after"),
        [
            # spring forward 2026-03-08: EST (UTC-5) then EDT (UTC-4)
            (at(2026, 3, 6, 19, 30), at(2026, 3, 13, 19, 30)),
        ],
    )
    def test_new_york_across_daylight_saving(self, people, run_dispatch, mailoutbox, before, after):
        with time_machine.travel(before, tick=False):
            run_dispatch(before)  # 14:30 EST: not yet
        assert "dave" not in nudged(mailoutbox)
        with time_machine.travel(after, tick=False):
            run_dispatch(after)  # 15:30 EDT: due
        assert "dave" in nudged(mailoutbox)

    def test_new_york_after_fall_back(self, people, run_dispatch, mailoutbox):
        # 2026-11-01 back to EST: Friday 2026-11-06 15:00 New York is 20:00 UTC.
        with time_machine.travel(at(2026, 11, 6, 19, 30), tick=False):
            run_dispatch(at(2026, 11, 6, 19, 30))
        assert "dave" not in nudged(mailoutbox)
        with time_machine.travel(at(2026, 11, 6, 20, 1), tick=False):
            run_dispatch(at(2026, 11, 6, 20, 1))
        assert "dave" in nudged(mailoutbox)

    def test_email_in_recipient_language_with_link(self, people, run_dispatch, mailoutbox):
        people["alice"].language = "zh-hans"
        people["alice"].save()
        with time_machine.travel(at(2026, 11, 27, 7, 5), tick=False):
            run_dispatch(at(2026, 11, 27, 7, 5))
        mail = next(m for m in mailoutbox if m.to == [people["alice"].user.email])
        assert "签到" in mail.subject
        assert "http://127.0.0.1:8000/tracking/" in mail.body
        html = mail.alternatives[0][0]
        assert 'href="http://127.0.0.1:8000/tracking/' in html


@pytest.mark.django_db
class TestWorkingCalendar:
    def test_no_nudge_on_chinese_public_holiday(self, people, run_dispatch, mailoutbox):
        # Friday 2026-10-02 is National Day in China; a normal Friday in New York.
        with time_machine.travel(at(2026, 10, 2, 20, 30), tick=False):
            run_dispatch(at(2026, 10, 2, 20, 30))
        assert "alice" not in nudged(mailoutbox)
        assert ReminderLog.objects.get(person=people["alice"]).reason == "holiday"
        assert "dave" in nudged(mailoutbox)

    def test_nudge_on_make_up_saturday(self, people, run_dispatch, mailoutbox):
        services.update_own_schedule(
            person=people["alice"], kind=ReminderKind.CHECK_IN, weekday=5, time=dt.time(10)
        )
        # Saturday 2026-10-10 is a make-up workday (调休); 10:30 Shanghai = 02:30 UTC.
        with time_machine.travel(at(2026, 10, 10, 2, 30), tick=False):
            run_dispatch(at(2026, 10, 10, 2, 30))
        assert "alice" in nudged(mailoutbox)
        # An ordinary Saturday a week later is a day off.
        mailoutbox.clear()
        with time_machine.travel(at(2026, 10, 17, 2, 30), tick=False):
            run_dispatch(at(2026, 10, 17, 2, 30))
        assert "alice" not in nudged(mailoutbox)

    def test_none_for_a_person_on_leave(self, people, run_dispatch, mailoutbox):
        services.add_absence(
            person=people["alice"], start=dt.date(2026, 11, 26), end=dt.date(2026, 11, 30)
        )
        with time_machine.travel(at(2026, 11, 27, 7, 5), tick=False):
            run_dispatch(at(2026, 11, 27, 7, 5))
        assert "alice" not in nudged(mailoutbox)
        assert ReminderLog.objects.get(person=people["alice"]).reason == "absent"

    def test_a_day_off_moves_the_nudge_to_the_next_working_day(
        self, people, run_dispatch, mailoutbox
    ):
        from notifications.models import CalendarDay

        # The organisation gives Friday 2026-11-27 off and works Saturday instead.
        CalendarDay.objects.create(date=dt.date(2026, 11, 27), country="", is_workday=False)
        CalendarDay.objects.create(date=dt.date(2026, 11, 28), country="", is_workday=True)
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            run_dispatch(at(2026, 11, 27, 16))
        assert nudged(mailoutbox) == []
        # Not skipped: waiting for Saturday.
        assert not ReminderLog.objects.filter(kind=ReminderKind.CHECK_IN).exists()
        # Saturday 15:05 UTC: 15:05 for bob and erin, 23:05 in Shanghai (due at 07:00 UTC).
        with time_machine.travel(at(2026, 11, 28, 15, 5), tick=False):
            run_dispatch(at(2026, 11, 28, 15, 5))
        assert {"alice", "bob", "erin"} <= set(nudged(mailoutbox))
        assert "dave" not in nudged(mailoutbox)  # 10:05 in New York

    def test_leave_on_the_day_moves_the_nudge_to_the_next_day(
        self, people, run_dispatch, mailoutbox
    ):
        services.update_own_schedule(
            person=people["alice"], kind=ReminderKind.CHECK_IN, weekday=2, time=dt.time(15)
        )
        services.add_absence(
            person=people["alice"], start=dt.date(2026, 11, 25), end=dt.date(2026, 11, 25)
        )
        # Wednesday 15:05 Shanghai: on leave, nothing yet (and nothing logged).
        with time_machine.travel(at(2026, 11, 25, 7, 5), tick=False):
            run_dispatch(at(2026, 11, 25, 7, 5))
        assert "alice" not in nudged(mailoutbox)
        assert not ReminderLog.objects.filter(
            person=people["alice"], kind=ReminderKind.CHECK_IN
        ).exists()
        # Thursday 15:05 Shanghai: the next working day.
        with time_machine.travel(at(2026, 11, 26, 7, 5), tick=False):
            run_dispatch(at(2026, 11, 26, 7, 5))
        assert nudged(mailoutbox) == ["alice"]
        log = ReminderLog.objects.get(person=people["alice"], kind=ReminderKind.CHECK_IN)
        assert log.status == "sent"

    def test_organisation_calendar_overrides_library(self, people, run_dispatch, mailoutbox):
        from notifications.models import CalendarDay

        CalendarDay.objects.create(date=dt.date(2026, 11, 27), country="", is_workday=False)
        with time_machine.travel(at(2026, 11, 27, 7, 5), tick=False):
            run_dispatch(at(2026, 11, 27, 7, 5))
        assert "alice" not in nudged(mailoutbox)


@pytest.mark.django_db
class TestConditions:
    def test_no_nudge_for_submitted_check_in(self, people, run_dispatch, mailoutbox):
        CheckIn.objects.create(
            person=people["alice"], week=dt.date(2026, 11, 23), state=CheckIn.State.SUBMITTED
        )
        CheckIn.objects.create(person=people["erin"], week=dt.date(2026, 11, 23))  # draft
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            run_dispatch(at(2026, 11, 27, 16))
        assert "alice" not in nudged(mailoutbox)
        assert "erin" in nudged(mailoutbox)
        assert ReminderLog.objects.get(person=people["alice"]).reason == "submitted"

    def test_person_can_switch_a_reminder_off(self, people, run_dispatch, mailoutbox):
        services.update_own_schedule(
            person=people["erin"], kind=ReminderKind.CHECK_IN, enabled=False
        )
        services.set_preference(
            person=people["alice"], kind=ReminderKind.CHECK_IN, channel="email", enabled=False
        )
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            run_dispatch(at(2026, 11, 27, 16))
        assert "erin" not in nudged(mailoutbox)
        assert not ReminderLog.objects.filter(person=people["erin"]).exists()
        assert "alice" not in nudged(mailoutbox)  # email off, in-app still on
        assert Notification.objects.filter(
            recipient=people["alice"], kind=ReminderKind.CHECK_IN
        ).exists()

    def test_the_inbox_words_a_reminder_in_the_readers_language(self, people, run_dispatch):
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            run_dispatch(at(2026, 11, 27, 16))
        item = Notification.objects.get(recipient=people["alice"], kind=ReminderKind.CHECK_IN)
        assert item.text.startswith("Please submit your check-in for the week of Nov")
        assert item.message["params"] == {"week": {"$date": "2026-11-23"}}
        with translation.override("zh-hans"):
            assert "2026年11月23日" in item.display_text
            assert "Please submit" not in item.display_text

    def test_escalation_after_two_missed_weeks(self, people, run_dispatch, mailoutbox):
        alice = people["alice"]
        # alice submitted two weeks ago, erin missed both 2026-11-16 and 2026-11-23.
        CheckIn.objects.create(
            person=alice, week=dt.date(2026, 11, 16), state=CheckIn.State.SUBMITTED
        )
        # Monday 2026-11-30 09:05 UTC: bob (UTC) gets the escalation.
        with time_machine.travel(at(2026, 11, 30, 9, 5), tick=False):
            run_dispatch(at(2026, 11, 30, 9, 5))
        escalations = {m.to[0]: m.body for m in mailoutbox if "Missed" in m.subject}
        bob_mail = escalations[people["bob"].user.email]
        assert "Erin" in bob_mail and "Alice" not in bob_mail
        # zed's direct reports (bob, mia, carol) and mia's (dave) were silent too.
        assert "Bob" in escalations[people["zed"].user.email]
        assert "Dave" in escalations[people["mia"].user.email]
        assert people["alice"].user.email not in escalations

    def test_one_missed_week_is_not_escalated(self, people, run_dispatch, mailoutbox):
        for person in (people["erin"], people["alice"]):
            CheckIn.objects.create(
                person=person, week=dt.date(2026, 11, 16), state=CheckIn.State.SUBMITTED
            )
        with time_machine.travel(at(2026, 11, 30, 9, 5), tick=False):
            run_dispatch(at(2026, 11, 30, 9, 5))
        escalated = [m.to[0] for m in mailoutbox if "Missed" in m.subject]
        assert people["bob"].user.email not in escalated
        log = ReminderLog.objects.get(person=people["bob"], kind=ReminderKind.ESCALATION)
        assert (log.status, log.reason) == ("skipped", "nothing_to_report")

    def test_manager_review_with_team_summary(self, people, run_dispatch, mailoutbox):
        CheckIn.objects.create(
            person=people["erin"], week=dt.date(2026, 11, 23), state=CheckIn.State.SUBMITTED
        )
        with time_machine.travel(at(2026, 11, 30, 9, 5), tick=False):
            run_dispatch(at(2026, 11, 30, 9, 5))
        review = next(
            m for m in mailoutbox if m.to == [people["bob"].user.email] and "review" in m.subject
        )
        assert "1 of 2 check-ins submitted" in review.body
        assert "week=2026-11-23" in review.body
        # dave has no team: no review reminder for him.
        assert not ReminderLog.objects.filter(
            person=people["dave"], kind=ReminderKind.WEEKLY_REVIEW
        ).exists()


@pytest.mark.django_db
class TestExactlyOnce:
    def test_dispatch_twice_one_email_each(self, people, run_dispatch, mailoutbox):
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            run_dispatch(at(2026, 11, 27, 16))
            first = len(mailoutbox)
            second = run_dispatch(at(2026, 11, 27, 16, 5))
        assert first == len(mailoutbox)
        assert second.due == 0
        assert nudged(mailoutbox).count("alice") == 1

    def test_duplicated_batch_sends_once(
        self, people, django_capture_on_commit_callbacks, mailoutbox
    ):
        """Two beats that raced (both found alice due) or a retried batch task."""
        ids = [people["alice"].pk, people["erin"].pk]
        with (
            time_machine.travel(at(2026, 11, 27, 16), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            first = reminder_services.send_reminder_batch(
                run_id=None,
                kind=ReminderKind.CHECK_IN,
                period=dt.date(2026, 11, 23),
                person_ids=ids,
            )
            again = reminder_services.send_reminder_batch(
                run_id=None,
                kind=ReminderKind.CHECK_IN,
                period=dt.date(2026, 11, 23),
                person_ids=ids,
            )
        assert first["sent"] == 2 and again["sent"] == 0
        assert nudged(mailoutbox) == ["alice", "erin"]

    def test_retried_delivery_sends_once(self, people, run_dispatch, mailoutbox):
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            run_dispatch(at(2026, 11, 27, 16))
            delivery = Delivery.objects.get(recipient=people["alice"], channel="email")
            assert services.deliver(delivery_id=delivery.pk) is None  # redelivered task
        assert nudged(mailoutbox).count("alice") == 1

    def test_worker_killed_mid_send_is_sent_again_once(
        self, people, django_capture_on_commit_callbacks, mailoutbox
    ):
        """A claim whose worker died is put back after STALE_SENDING and sent (at least once
        rather than never; tests/reliability/test_worker_killed.py kills a real worker)."""
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            reminder_services.send_reminder_batch(
                run_id=None,
                kind=ReminderKind.CHECK_IN,
                period=dt.date(2026, 11, 23),
                person_ids=[people["alice"].pk],
            )  # callbacks not run: deliveries pending, as if the broker lost them
            delivery = Delivery.objects.get(recipient=people["alice"], channel="email")
            # A worker claimed it and died before finishing.
            Delivery.objects.filter(pk=delivery.pk).update(status="sending")
            assert services.deliver(delivery_id=delivery.pk) is None
        with (
            time_machine.travel(at(2026, 11, 27, 16, 30), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reminder_services.dispatch(now=at(2026, 11, 27, 16, 30), inline=True)
        delivery.refresh_from_db()
        assert delivery.status == "sent" and delivery.attempts == 1
        assert nudged(mailoutbox).count("alice") == 1
        with (
            time_machine.travel(at(2026, 11, 27, 17, 30), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reminder_services.dispatch(now=at(2026, 11, 27, 17, 30), inline=True)
        assert nudged(mailoutbox).count("alice") == 1

    def test_lost_enqueue_is_picked_up_by_next_dispatch(
        self, people, django_capture_on_commit_callbacks, mailoutbox
    ):
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            reminder_services.send_reminder_batch(
                run_id=None,
                kind=ReminderKind.CHECK_IN,
                period=dt.date(2026, 11, 23),
                person_ids=[people["alice"].pk],
            )
        with (
            time_machine.travel(at(2026, 11, 27, 16, 20), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reminder_services.dispatch(now=at(2026, 11, 27, 16, 20), inline=True)
        assert nudged(mailoutbox).count("alice") == 1
        assert Delivery.objects.get(recipient=people["alice"], channel="email").status == "sent"

    def test_catch_up_after_missed_beat(self, people, run_dispatch, mailoutbox):
        # No beat on Friday from 07:00 UTC (Redis down); at 16:00 UTC the next dispatch runs:
        # alice's 15:00 Shanghai is 9 hours late, bob's and erin's 15:00 UTC one hour.
        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            run_dispatch(at(2026, 11, 27, 16))
        assert {"alice", "bob", "erin"} <= set(nudged(mailoutbox))

    def test_a_reminder_too_late_expires(self, people, run_dispatch, mailoutbox, caplog):
        # No beat on Friday at all; Saturday 10:00 UTC is 27 hours after alice's 15:00
        # Shanghai and 19 after bob's 15:00 UTC: past the 12 hours, nobody is nudged.
        with (
            time_machine.travel(at(2026, 11, 28, 10), tick=False),
            caplog.at_level("WARNING", logger="reminders.services.dispatcher"),
        ):
            run = run_dispatch(at(2026, 11, 28, 10))
        assert nudged(mailoutbox) == []
        assert {"alice", "bob", "erin"} <= logs(status="expired")
        assert logs(status="sent") == set()
        alice = ReminderLog.objects.get(person=people["alice"], kind=ReminderKind.CHECK_IN)
        assert (alice.status, alice.reason) == ("expired", "expired")
        assert ReminderLog.objects.filter(run=run, status="expired").count() >= 3
        assert not Notification.objects.filter(kind=ReminderKind.CHECK_IN).exists()
        assert "expired, not sent" in caplog.text
        # Counted once: the next dispatch finds nothing due for that week.
        with time_machine.travel(at(2026, 11, 28, 10, 5), tick=False):
            assert run_dispatch(at(2026, 11, 28, 10, 5)).due == 0

    def test_a_batch_run_late_by_a_backlog_expires(self, people):
        # Found due on time, but the worker starts the batch 13 hours later.
        ids = [people["bob"].pk, people["erin"].pk]
        counts = reminder_services.send_reminder_batch(
            run_id=None,
            kind=ReminderKind.CHECK_IN,
            period=dt.date(2026, 11, 23),
            person_ids=ids,
            now=at(2026, 11, 28, 4, 1),
        )
        assert counts == {"sent": 0, "skipped": 0, "expired": 2}
        assert logs(status="expired") == {"bob", "erin"}

    @pytest.mark.parametrize(("waited", "status"), [(1, "sent"), (13, "expired")])
    def test_a_queued_batch_is_judged_when_it_runs(self, people, waited, status):
        """A beat at Friday 16:00 UTC enqueues the batch; the worker takes it `waited` hours
        later (the task plans for the dispatch's instant plus the wait)."""
        from notifications.models import ReminderRun
        from reminders import tasks

        with time_machine.travel(at(2026, 11, 27, 16), tick=False):
            run = ReminderRun.objects.create(now=at(2026, 11, 27, 16), trigger="beat")
        ids = [people["bob"].pk, people["erin"].pk]
        with time_machine.travel(at(2026, 11, 27, 16) + dt.timedelta(hours=waited), tick=False):
            tasks.send_reminder_batch(run.pk, ReminderKind.CHECK_IN, "2026-11-23", ids)
        assert logs(status=status) == {"bob", "erin"}

    def test_expiry_is_a_setting(self, people, run_dispatch, mailoutbox, settings):
        settings.REMINDER_EXPIRY_HOURS = 48
        with time_machine.travel(at(2026, 11, 28, 10), tick=False):
            run_dispatch(at(2026, 11, 28, 10))
        assert {"alice", "bob", "erin"} <= set(nudged(mailoutbox))

    def test_command_counts_expired(self, people):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        with time_machine.travel(at(2026, 11, 28, 10), tick=False):
            call_command("send_reminders", "--now", "2026-11-28T10:00:00Z", stdout=out)
        assert "0 sent" in out.getvalue()
        assert "expired (over 12 hours late)" in out.getvalue()
        assert "expired (expired)" in out.getvalue()

    def test_no_send_after_the_period_is_over(self, people, run_dispatch, mailoutbox):
        # Beat down from Friday until Monday 2026-11-30 05:30 UTC (00:30 New York, 13:30
        # Shanghai): the week of 2026-11-23 is over everywhere; nothing is sent for it.
        with time_machine.travel(at(2026, 11, 30, 5, 30), tick=False):
            run_dispatch(at(2026, 11, 30, 5, 30))
        assert nudged(mailoutbox) == []
        assert not ReminderLog.objects.filter(period=dt.date(2026, 11, 23)).exists()


@pytest.mark.django_db
def test_dispatch_queries_bounded(company, django_assert_max_num_queries):
    """Finding who is due and enqueuing their batches: the same bound for 3 and 30 people
    (and for 10,000: seven reads, two of them the working calendar, the run row, the sweep
    with its group digests', the one read of overdue meeting actions and the three reads of
    review steps owed)."""
    from tests.factories import PersonFactory

    def run(n, when):
        for _ in range(n):
            PersonFactory(unit=company["field"], manager=company["bob"])
        with django_assert_max_num_queries(19):
            return reminder_services.dispatch(now=when)

    assert run(3, at(2026, 11, 27, 16)).due >= 3
    ReminderLog.objects.all().delete()
    assert run(30, at(2026, 11, 27, 16, 5)).due >= 30


@pytest.mark.django_db
def test_batch_queries_bounded(
    company, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from tests.factories import PersonFactory

    counts = []
    for week, n in ((dt.date(2026, 11, 16), 3), (dt.date(2026, 11, 23), 30)):
        ids = [PersonFactory(unit=company["field"], manager=company["bob"]).pk for _ in range(n)]
        with (
            # Friday of that week, an hour after the check-in reminder's time.
            time_machine.travel(at(week.year, week.month, week.day + 4, 16), tick=False),
            django_assert_max_num_queries(14) as ctx,
        ):
            reminder_services.send_reminder_batch(
                run_id=None, kind=ReminderKind.CHECK_IN, period=week, person_ids=ids
            )
        counts.append(len(ctx.captured_queries))
    # The same bound for 3 and 30 (SQLite splits inserts of many rows; Postgres does not).
    assert counts[1] - counts[0] <= 1


@pytest.mark.django_db
def test_schedule_defaults_are_organisation_editable(people, run_dispatch, mailoutbox):
    admin = people["zed"]
    services.update_default_schedule(
        actor=admin, kind=ReminderKind.CHECK_IN, weekday=3, time=dt.time(11)
    )
    assert ReminderSchedule.objects.get(person=None, kind=ReminderKind.CHECK_IN).weekday == 3
    # Thursday 2026-11-26 11:30 UTC: UTC people are due; Shanghai (19:30) too.
    with time_machine.travel(at(2026, 11, 26, 11, 30), tick=False):
        run_dispatch(at(2026, 11, 26, 11, 30))
    assert {"alice", "bob"} <= set(nudged(mailoutbox))
    assert not Absence.objects.exists()


@pytest.mark.django_db
def test_team_summary_counts_risks_and_approvals(people):
    from decimal import Decimal

    from goals.models import Cycle, Goal, KeyResult, TargetAdjustment
    from reminders.selectors import team_summaries

    cycle = Cycle.objects.create(
        name="Q4",
        kind="quarter",
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 12, 31),
        state="active",
    )

    def goal(owner, state="agreed"):
        # Pace is counted from the goal's start (the stored pace the rollups hold).
        return Goal.objects.create(
            level="person",
            owner_person=owner,
            cycle=cycle,
            state=state,
            title="Grow",
            starts_on=cycle.starts_on,
        )

    alice_goal, erin_goal = goal(people["alice"]), goal(people["erin"])
    goal(people["alice"], state="proposed")
    goal(people["dave"], state="proposed")  # mia's team, not bob's
    for owner_goal, progress in ((alice_goal, 0.1), (alice_goal, 0.5), (erin_goal, 0.7)):
        KeyResult.objects.create(
            goal=owner_goal, name="kr", target_value=Decimal(100), progress=progress
        )
    TargetAdjustment.objects.create(
        key_result=erin_goal.key_results.first(),
        old_target=Decimal(100),
        new_target=Decimal(80),
        reason="market",
        evidence="Market shrank",
        requested_by=people["erin"],
    )
    CheckIn.objects.create(
        person=people["alice"], week=dt.date(2026, 11, 23), state=CheckIn.State.SUBMITTED
    )
    summaries = team_summaries(
        managers=[people["bob"], people["mia"], people["alice"]],
        week=dt.date(2026, 11, 23),
        on=dt.date(2026, 11, 30),
    )
    bob = summaries[people["bob"].pk]
    assert (bob.total, bob.submitted, bob.missing) == (2, 1, ["Erin"])
    assert (bob.at_risk, bob.off_track) == (1, 1)
    assert (bob.pending_goals, bob.pending_adjustments) == (1, 1)
    assert summaries[people["mia"].pk].pending_goals == 1
    assert summaries[people["alice"].pk].total == 0
    # zed heads the company: everyone else is in his team.
    zed = team_summaries(
        managers=[people["zed"]], week=dt.date(2026, 11, 23), on=dt.date(2026, 11, 30)
    )
    assert zed[people["zed"].pk].total == 6
