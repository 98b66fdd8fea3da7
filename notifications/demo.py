"""Demo data for notifications: organisation default reminder schedules, a few inbox items for
the demo logins, a generic webhook (disabled: it points nowhere real) and one absence.
Idempotent: every row is looked up before it is created."""

from __future__ import annotations

import datetime as dt

from notifications.kinds import REMINDER_KINDS, ReminderKind
from notifications.models import Absence, ChannelConfig, Notification, ReminderSchedule
from org.demo import DemoContext

INBOX = {
    "employee": [
        (ReminderKind.CHECK_IN, "Your weekly check-in is due", "/tracking/this-week/", False),
        (
            "goal.agreed",
            "Your manager agreed your goal “Grow inside sales pipeline”.",
            "/goals/",
            True,
        ),
    ],
    "manager": [
        (
            ReminderKind.WEEKLY_REVIEW,
            "Your team's week: 4 of 6 check-ins submitted; 2 key results at risk and 1 off track; "
            "2 approvals waiting for you.",
            "/tracking/weekly-review/",
            False,
        ),
        (
            ReminderKind.ESCALATION,
            "No check-in for two weeks: Zhao Lei.",
            "/tracking/weekly-review/",
            False,
        ),
    ],
    "admin": [
        ("goal.proposed", "Liu Yang proposed a goal for Sales.", "/goals/", False),
    ],
    "hrbp": [
        (
            "goal.alignment",
            "Two goals in Sales are not aligned to a parent goal.",
            "/goals/",
            False,
        ),
    ],
}


def seed(ctx: DemoContext) -> None:
    for kind in REMINDER_KINDS:
        builtin = ReminderSchedule.builtin(kind)
        ReminderSchedule.objects.get_or_create(
            kind=kind,
            person=None,
            defaults={"weekday": builtin.weekday, "time": builtin.time, "enabled": True},
        )
    ChannelConfig.objects.get_or_create(
        name="Demo generic webhook",
        defaults={
            "kind": ChannelConfig.Kind.GENERIC,
            "url": "https://hooks.example.com/keel-demo",
            "enabled": False,
        },
    )
    if ctx.synthetic:
        return  # reminders for synthetic people are computed by dispatch; nothing to store
    for username, items in INBOX.items():
        person = ctx.people.get(username)
        if person is None:
            continue
        existing = set(Notification.objects.filter(recipient=person).values_list("text", flat=True))
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=person,
                    kind=kind,
                    text=text,
                    url=url,
                    read_at=dt.datetime.combine(ctx.today, dt.time(9), tzinfo=dt.UTC)
                    if read
                    else None,
                )
                for kind, text, url, read in items
                if text not in existing
            ]
        )
    away = ctx.people.get("sun.li")
    if away is not None and not Absence.objects.filter(person=away).exists():
        start = ctx.today + dt.timedelta(days=7 - ctx.today.weekday())  # next Monday
        Absence.objects.create(
            person=away, start=start, end=start + dt.timedelta(days=4), note="Annual leave"
        )
