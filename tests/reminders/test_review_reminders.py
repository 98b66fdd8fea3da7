"""Review step reminders through the reminder dispatch: before each deadline of an open
review cycle, the employee whose self-assessment is due, the 360 reviewer who has not answered
and the manager whose evaluations are due are each reminded once, at 09:00 local time three
days before, in their language."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from notifications.kinds import ReviewReminderKind
from notifications.messages import Message
from notifications.models import Delivery, Notification, ReminderLog
from reminders.services.review_steps import remind_review_steps
from reviews import services as review_services
from reviews.models import ReviewCycle
from tests.reviews.conftest import SELF, quarter, reviews  # noqa: F401

UTC = dt.UTC


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def cycle(reviews):  # noqa: F811
    """Sales' frontline review (Alice in Shanghai, Erin in UTC, Bob their manager) with its
    deadlines: self-assessment 14 October, 360 feedback 16 October, evaluations 20 October."""
    ReviewCycle.objects.filter(pk=reviews["cycle"].pk).update(
        self_due_on=dt.date(2026, 10, 14),
        feedback_due_on=dt.date(2026, 10, 16),
        manager_due_on=dt.date(2026, 10, 20),
    )
    reviews["alice"].timezone = "Asia/Shanghai"
    reviews["alice"].language = "zh-hans"
    reviews["alice"].save()
    return reviews


def reminded(kind):
    return sorted(
        ReminderLog.objects.filter(kind=kind, status="sent").values_list(
            "person__user__username", flat=True
        )
    )


def dispatch(run_dispatch, when):
    with time_machine.travel(when, tick=False):
        return run_dispatch(when)


@pytest.mark.django_db
def test_self_assessment_reminded_once_at_local_time(cycle, run_dispatch, mailoutbox):
    # 10 October 23:00 UTC: 11 October 07:00 in Shanghai, before anyone's moment.
    dispatch(run_dispatch, at(2026, 10, 10, 23))
    assert reminded(ReviewReminderKind.SELF) == []
    # 11 October 01:30 UTC: 09:30 in Shanghai (Alice is due), 01:30 for Erin (not yet).
    dispatch(run_dispatch, at(2026, 10, 11, 1, 30))
    assert reminded(ReviewReminderKind.SELF) == ["alice"]
    # 09:30 UTC: Erin too; Alice is not reminded again, however often the dispatch runs.
    dispatch(run_dispatch, at(2026, 10, 11, 9, 30))
    dispatch(run_dispatch, at(2026, 10, 12, 9, 30))
    assert reminded(ReviewReminderKind.SELF) == ["alice", "erin"]
    notes = Notification.objects.filter(kind=ReviewReminderKind.SELF)
    assert notes.count() == 2
    erin = notes.get(recipient=cycle["erin"])
    assert erin.text == "Your self-assessment for Q3 review is due on Oct. 14, 2026."
    assert erin.url == f"/reviews/{cycle['erin_review'].pk}/"
    emails = [m for m in mailoutbox if m.subject == "Your self-assessment is due"]
    assert [m.to[0].split("@")[0] for m in emails] == ["erin"]
    # Alice's in her language, and the inbox words it again in whoever's language reads it.
    alice = notes.get(recipient=cycle["alice"])
    assert alice.text == "你的自评（Q3 review）截止于 2026年10月14日。"
    with translation.override("en"):
        assert Message.from_json(alice.message).render().startswith("Your self-assessment")
    assert Delivery.objects.filter(kind=ReviewReminderKind.SELF, channel="email").count() == 2


@pytest.mark.django_db
def test_nothing_once_the_step_is_done_or_the_deadline_passed(cycle, run_dispatch):
    review_services.submit_self_assessment(actor=cycle["alice"], review=cycle["review"], **SELF)
    # Past Erin's deadline day (14 October, UTC): no reminder any more, nothing logged.
    dispatch(run_dispatch, at(2026, 10, 15, 9, 30))
    assert reminded(ReviewReminderKind.SELF) == []
    assert not ReminderLog.objects.filter(kind=ReviewReminderKind.SELF).exists()


@pytest.mark.django_db
def test_360_reviewers_and_managers_reminded(cycle, run_dispatch):
    alice, bob, dave, mia = (cycle[k] for k in ("alice", "bob", "dave", "mia"))
    review = cycle["review"]
    review_services.propose_reviewers(
        actor=alice,
        review=review,
        reviewers=[
            {"reviewer": dave, "relation": "colleague"},
            {"reviewer": mia, "relation": "colleague"},
        ],
    )
    for request in review.feedback_requests.all():
        review_services.decide_feedback_request(actor=bob, request=request, approve=True)
    review_services.submit_self_assessment(actor=alice, review=review, **SELF)
    review_services.answer_feedback_request(
        actor=mia,
        request=review.feedback_requests.get(reviewer=mia),
        rating=4,
        strengths="Clear",
        improvements="",
    )
    # 13 October 09:30 UTC: three days before the 360 deadline; Mia answered, Dave did not.
    dispatch(run_dispatch, at(2026, 10, 13, 9, 30))
    assert reminded(ReviewReminderKind.FEEDBACK) == ["dave"]
    note = Notification.objects.get(kind=ReviewReminderKind.FEEDBACK)
    assert note.recipient == dave and alice.display_name in note.text
    assert note.url.startswith("/reviews/feedback/")
    assert reminded(ReviewReminderKind.MANAGER) == []
    # 17 October 09:30 UTC: Bob's evaluation of Alice is due on the 20th (Erin still owes her
    # self-assessment, so her evaluation is not his to do yet).
    dispatch(run_dispatch, at(2026, 10, 17, 9, 30))
    dispatch(run_dispatch, at(2026, 10, 18, 9, 30))
    assert reminded(ReviewReminderKind.MANAGER) == ["bob"]
    note = Notification.objects.get(kind=ReviewReminderKind.MANAGER)
    assert note.text == f"1 evaluations (Q3 review) are due on Oct. 20, 2026: {alice.display_name}."
    assert note.url == f"/reviews/{review.pk}/"
    assert reminded(ReviewReminderKind.FEEDBACK) == ["dave"]


@pytest.mark.django_db
def test_a_closed_or_draft_cycle_reminds_nobody(cycle, run_dispatch):
    ReviewCycle.objects.filter(pk=cycle["cycle"].pk).update(state=ReviewCycle.State.LOCKED)
    dispatch(run_dispatch, at(2026, 10, 12, 9, 30))
    assert not ReminderLog.objects.filter(kind__startswith="reminder.review").exists()


@pytest.mark.django_db
def test_review_reminders_queries_bounded(company, quarter, django_assert_max_num_queries):  # noqa: F811
    """The same bound for 3 and 30 people owing their self-assessment."""
    from tests.factories import PersonFactory

    counts = []
    for n, due in ((3, dt.date(2026, 10, 14)), (30, dt.date(2026, 10, 21))):
        for _ in range(n):
            PersonFactory(unit=company["marketing"], manager=company["mia"])
        cycle = review_services.create_review_cycle(
            actor=company["zed"],
            name=f"Review {n}",
            goal_cycle=quarter,
            unit=company["marketing"],
            levels=["frontline"],
            self_due_on=due,
        )
        review_services.open_review_cycle(actor=company["zed"], cycle=cycle)
        when = at(due.year, due.month, due.day - 2, 9, 30)
        with time_machine.travel(when, tick=False), django_assert_max_num_queries(16) as ctx:
            assert remind_review_steps(now=when)["sent"] >= n
        counts.append(len(ctx.captured_queries))
    assert counts[1] - counts[0] <= 1


@pytest.mark.django_db
def test_the_dry_run_lists_review_reminders_and_writes_nothing(cycle):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(at(2026, 10, 11, 9, 30), tick=False):
        call_command("send_reminders", "--now", "2026-10-11T09:30:00Z", "--dry-run", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "reminder.review_self" in line]
    assert len(lines) == 2 and all("would send" in line for line in lines)
    assert lines[0].startswith("2026-10-14 reminder.review_self")
    assert not ReminderLog.objects.exists() and not Notification.objects.exists()
