"""Review step reminders: before a review cycle's deadlines, everyone who still owes a step is
reminded once: the employee whose self-assessment is due, the 360 reviewer who has not
answered, the manager whose evaluations are due.

Each reminder goes out at REVIEW_REMINDER_TIME local time, REVIEW_REMINDER_DAYS days before
the deadline (or at the first dispatch after that, up to the end of the deadline day in the
person's time zone; after it, nothing is sent). It goes through the same send log as the
weekly reminders: a ReminderLog row per (person, step kind, deadline) claimed before anything
is written, so a duplicated beat, a retried dispatch or a restarted worker never reminds twice.
Someone who owes the same step in several cycles with the same deadline hears once, with
every cycle named. What is owed comes from reviews.selectors (three queries); the rest is a
fixed number of queries per (kind, deadline) group."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.kinds import ReviewReminderKind
from notifications.messages import Message
from notifications.models import ReminderLog
from org.models import Person
from reminders.services.planning import Plan, zone
from reviews.selectors import FEEDBACK_STEP, MANAGER_STEP, SELF_STEP, PendingStep, pending_steps

REVIEW_REMINDER_DAYS = 3
REVIEW_REMINDER_TIME = dt.time(9, 0)
KINDS = {
    SELF_STEP: ReviewReminderKind.SELF,
    FEEDBACK_STEP: ReviewReminderKind.FEEDBACK,
    MANAGER_STEP: ReviewReminderKind.MANAGER,
}


def is_due(step: PendingStep, timezone_name: str, now: dt.datetime) -> bool:
    """From the reminder's local moment to the end of the deadline day, in the person's zone."""
    tz = zone(timezone_name)
    start = dt.datetime.combine(
        step.due_on - dt.timedelta(days=REVIEW_REMINDER_DAYS), REVIEW_REMINDER_TIME, tzinfo=tz
    )
    return start <= now and now.astimezone(tz).date() <= step.due_on


def _url(step: PendingStep) -> str:
    if step.object_id is not None:
        if step.step == FEEDBACK_STEP:
            return reverse("reviews:feedback", args=[step.object_id])
        return reverse("reviews:detail", args=[step.object_id])
    return reverse("reviews:home")


def plan_step(person: Person, step: PendingStep) -> Plan:
    """The reminder's words, in the person's language (the inbox words it again in the
    reader's language from its Message)."""
    cycles = ", ".join(step.cycles)
    about = ", ".join(step.about)
    if step.step == SELF_STEP:
        subject = gettext_noop("Your self-assessment is due")
        body = Message(
            gettext_noop("Your self-assessment for %(cycle)s is due on %(due)s."),
            cycle=cycles,
            due=step.due_on,
        )
    elif step.step == FEEDBACK_STEP:
        subject = gettext_noop("Your 360-degree feedback is due")
        body = Message(
            gettext_noop(
                "%(count)s colleagues wait for your 360-degree feedback (%(cycle)s), due on "
                "%(due)s: %(names)s. Your answers are shown only aggregated."
            ),
            count=step.count,
            cycle=cycles,
            due=step.due_on,
            names=about,
        )
    else:
        subject = gettext_noop("Your evaluations are due")
        body = Message(
            gettext_noop("%(count)s evaluations (%(cycle)s) are due on %(due)s: %(names)s."),
            count=step.count,
            cycle=cycles,
            due=step.due_on,
            names=about,
        )
    with translation.override(person.language or None):
        return Plan(
            person, True, subject=_(subject), body=body.render(), url=_url(step), message=body
        )


def plan_review_steps(now: dt.datetime) -> dict[tuple[str, dt.date], list[Plan]]:
    """Per (kind, deadline): the reminders due at `now` and not sent yet (reads only, a fixed
    number of queries per group)."""
    today = now.date()
    # A day of margin each side: the local date differs from UTC's by up to a day.
    steps = pending_steps(
        due_from=today - dt.timedelta(days=1),
        due_until=today + dt.timedelta(days=REVIEW_REMINDER_DAYS + 1),
    )
    if not steps:
        return {}
    zones = dict(
        Person.objects.filter(pk__in={s.person_id for s in steps}, is_active=True).values_list(
            "pk", "timezone"
        )
    )
    due = [s for s in steps if s.person_id in zones and is_due(s, zones[s.person_id], now)]
    groups: dict[tuple[str, dt.date], list[PendingStep]] = defaultdict(list)
    for step in due:
        groups[(KINDS[step.step], step.due_on)].append(step)
    plans: dict[tuple[str, dt.date], list[Plan]] = {}
    for (kind, due_on), items in sorted(groups.items()):
        logged = set(
            ReminderLog.objects.filter(
                kind=kind, period=due_on, person_id__in=[s.person_id for s in items]
            ).values_list("person_id", flat=True)
        )
        items = [s for s in items if s.person_id not in logged]
        if not items:
            continue
        people = {
            p.pk: p
            for p in Person.objects.filter(pk__in=[s.person_id for s in items]).select_related(
                "user", "unit"
            )
        }
        # In id order, as the weekly batches, so racing dispatches insert in the same order.
        plans[(kind, due_on)] = [
            plan_step(people[s.person_id], s)
            for s in sorted(items, key=lambda s: s.person_id)
            if s.person_id in people
        ]
    return plans


def remind_review_steps(*, now: dt.datetime, run_id: int | None = None) -> dict[str, int]:
    """Remind everyone whose review step is due soon and who was not reminded of it yet.
    Returns how many reminders this call sent."""
    from reminders.services.dispatcher import deliver

    sent = 0
    for (kind, due_on), plans in plan_review_steps(now).items():
        sent += deliver(run_id=run_id, kind=kind, period=due_on, plans=plans, now=now)["sent"]
    return {"sent": sent}
