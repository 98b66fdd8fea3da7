"""The seeded inbox: every link in the demo's notifications opens (200 for its recipient), the
demo items say what the seeded data says, and each recipient reads them in their language."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from demo.seed import notifications as notifications_seed
from notifications.kinds import ReminderKind
from notifications.models import Notification
from org.models import Person
from tests.notifications.conftest import eager_celery, http  # noqa: F401  (autouse, as there)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture
def seeded():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", weeks=3, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield


def test_every_seeded_notification_link_opens_for_its_recipient(seeded):
    """One seed of the whole demo (three weeks): slow, so one test checks it all."""
    links = sorted(
        set(Notification.objects.exclude(url="").values_list("recipient__user_id", "url"))
    )
    demo_kinds = {"goal_agreed", "goal_proposed", "alignment_review", *ReminderKind.values}
    assert demo_kinds <= set(Notification.objects.values_list("kind", flat=True))
    people = {p.user_id: p.user for p in Person.objects.select_related("user")}
    failures = []
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for user_id, url in links:
            client.force_login(people[user_id])
            status = client.get(url).status_code
            if status != 200:
                failures.append((people[user_id].username, url, status))
    assert failures == []
    assert len(links) > 10
    # the demo's own items say what the seeded data says
    employee = Person.objects.get(user__username="employee")
    manager = Person.objects.get(user__username="manager")
    agreed = Notification.objects.get(recipient=employee, kind="goal_agreed")
    goal = employee.goals.get(pk=int(agreed.url.strip("/").split("/")[-1]))
    assert agreed.text == f"{manager.display_name} agreed the goal “{goal.title}”."
    assert agreed.read_at is not None
    nudge = Notification.objects.get(recipient=employee, kind=ReminderKind.CHECK_IN)
    assert "week of Nov. 23, 2026" in nudge.text and nudge.url == "/tracking/"
    review = Notification.objects.get(recipient=manager, kind=ReminderKind.WEEKLY_REVIEW)
    assert review.text.startswith("Your team's week of Nov. 16, 2026: ")
    assert review.url == "/tracking/review/?week=2026-11-16"
    escalation = Notification.objects.get(recipient=manager, kind=ReminderKind.ESCALATION)
    # Sun Li (Key Accounts lead) has no key results, so no check-ins: silent for two weeks;
    # the demo employee never misses a week
    silent = escalation.text.split(": ", 1)[1].rstrip(".").split(", ")
    assert "Sun Li" in silent and employee.display_name not in silent
    assert escalation.text.startswith("No check-in for the weeks of Nov. 9, 2026 and Nov. 16")


def test_demo_inbox_in_each_recipients_language_and_idempotent():
    from demo.seed.org import seed_company

    with time_machine.travel(NOW, tick=False):
        ctx = seed_company(weeks=1)
        Person.objects.filter(pk=ctx.people["manager"].pk).update(language="zh-hans")
        ctx.people["manager"].refresh_from_db()
        notifications_seed.seed(ctx)
        count = Notification.objects.count()
        notifications_seed.seed(ctx)
    assert Notification.objects.count() == count
    escalation = Notification.objects.get(
        recipient=ctx.people["manager"], kind=ReminderKind.ESCALATION
    )
    assert "这两周未提交签到" in escalation.text  # the manager reads Chinese
    hrbp_items = Notification.objects.filter(recipient=ctx.people["hrbp"])  # she reads English
    assert [n.text for n in hrbp_items] == ["The goal alignment of Sales is ready for your review."]


def test_demo_seed_is_idempotent():
    from demo.seed.org import seed_company
    from notifications.models import ChannelConfig, ReminderSchedule

    ctx = seed_company(seed=1, weeks=1)
    notifications_seed.seed(ctx)
    counts = (Notification.objects.count(), ReminderSchedule.objects.count())
    notifications_seed.seed(ctx)
    assert (Notification.objects.count(), ReminderSchedule.objects.count()) == counts
    assert counts[1] == 3
    assert ChannelConfig.objects.get().enabled is False


def test_first_dispatch_after_the_seed_sends_no_seeded_reminder_again(seeded):
    """`make run` seeds, then the built-in scheduler runs the dispatch: a reminder the seed put
    in a demo login's inbox this week is logged as sent, so nobody gets it twice."""
    from reminders.services.dispatcher import dispatch

    employee = Person.objects.get(user__username="employee")
    kind = ReminderKind.CHECK_IN
    assert Notification.objects.filter(recipient=employee, kind=kind).count() == 1
    # Friday afternoon, after every reminder of the week is due.
    with time_machine.travel(NOW + dt.timedelta(days=2, hours=8), tick=False):
        run = dispatch(inline=True)
    assert run.due > 0  # the dispatch did consider people this week
    for person in Person.objects.filter(notifications__kind__startswith="reminder.").distinct():
        for reminder_kind in {n.kind for n in person.notifications.all()}:
            if reminder_kind.startswith("reminder."):
                count = person.notifications.filter(kind=reminder_kind).count()
                assert count == 1, (person.user.username, reminder_kind, count)
