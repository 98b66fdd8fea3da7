"""Demo data for notifications: organisation default reminder schedules, a few inbox items for
the demo logins, a generic webhook (disabled: it points nowhere real) and one absence.

The inbox items say what the real notifications would say about the seeded data (the same
words as the reminder and goal services, the team's real numbers, links from `reverse()`),
each rendered in its recipient's language. Idempotent: an item is added only when the
recipient has no notification of that kind and link yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from demo.seed.context import DemoContext
from goals.models import Goal
from notifications.kinds import REMINDER_KINDS, ReminderKind
from notifications.models import (
    Absence,
    ChannelConfig,
    Notification,
    ReminderLog,
    ReminderSchedule,
)
from org.models import Person
from reminders.services.dispatcher import local_period
from tracking.models import CheckIn


@dataclass
class Item:
    kind: str
    text: Callable[[], str]  # rendered in the recipient's language
    url: str
    read: bool = False


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _employee_items(ctx: DemoContext, person: Person) -> list[Item]:
    week = _monday(ctx.today)
    items = []
    if not CheckIn.objects.filter(person=person, week=week, state="submitted").exists():
        items.append(
            Item(
                ReminderKind.CHECK_IN,
                lambda: (
                    _(
                        "Please submit your check-in for the week of %(week)s: what you did, how "
                        "your key results moved and what you plan next."
                    )
                    % {"week": _date(week)}
                ),
                reverse("tracking:this-week"),
            )
        )
    goal = (
        Goal.objects.filter(
            owner_person=person,
            state=Goal.State.AGREED,
            cycle__starts_on__lte=ctx.today,
            cycle__ends_on__gte=ctx.today,
        )
        .order_by("cycle__ends_on", "pk")
        .first()
    )
    if goal is not None and person.manager is not None:
        items.append(
            Item(
                "goal_agreed",
                lambda: (
                    _("%(who)s agreed the goal “%(goal)s”.")
                    % {"who": person.manager.display_name, "goal": goal.title}
                ),
                reverse("goals:detail", args=[goal.pk]),
                read=True,
            )
        )
    return items


def _manager_items(ctx: DemoContext, person: Person) -> list[Item]:
    from reminders.selectors import team_summaries

    last_week = _monday(ctx.today) - dt.timedelta(weeks=1)
    review_url = f"{reverse('tracking:weekly-review')}?week={last_week.isoformat()}"
    items = []
    summary = team_summaries(managers=[person], week=last_week, on=ctx.today).get(person.pk)
    if summary is not None and summary.total:
        items.append(
            Item(
                ReminderKind.WEEKLY_REVIEW,
                lambda: (
                    _(
                        "Your team's week of %(week)s: %(submitted)s of %(total)s check-ins "
                        "submitted; %(at_risk)s key results at risk and %(off_track)s off track; "
                        "%(approvals)s approvals waiting for you."
                    )
                    % {
                        "week": _date(last_week),
                        "submitted": summary.submitted,
                        "total": summary.total,
                        "at_risk": summary.at_risk,
                        "off_track": summary.off_track,
                        "approvals": summary.pending_approvals,
                    }
                ),
                review_url,
            )
        )
    # Escalation: direct reports with no submitted check-in in either of the last two weeks.
    weeks = [last_week - dt.timedelta(weeks=1), last_week]
    silent = sorted(
        Person.objects.filter(manager=person, is_active=True)
        .exclude(
            pk__in=CheckIn.objects.filter(week__in=weeks, state="submitted").values("person_id")
        )
        .values_list("display_name", flat=True)
    )
    if silent:
        items.append(
            Item(
                ReminderKind.ESCALATION,
                lambda: (
                    _("No check-in for the weeks of %(first)s and %(second)s: %(names)s.")
                    % {
                        "first": _date(weeks[0]),
                        "second": _date(weeks[1]),
                        "names": ", ".join(silent),
                    }
                ),
                review_url,
            )
        )
    return items


def _admin_items(ctx: DemoContext, person: Person) -> list[Item]:
    goal = (
        Goal.objects.filter(state=Goal.State.PROPOSED, cycle__ends_on__gte=ctx.today)
        .select_related("owner_person", "owner_unit__head")
        .order_by("pk")
        .first()
    )
    if goal is None:
        return []
    who = goal.owner_person or goal.owner_unit.head
    return [
        Item(
            "goal_proposed",
            lambda: (
                _("%(who)s proposed the goal “%(goal)s” for agreement.")
                % {"who": who.display_name if who else goal.owner_name, "goal": goal.title}
            ),
            reverse("goals:detail", args=[goal.pk]),
        )
    ]


def _hrbp_items(ctx: DemoContext, person: Person) -> list[Item]:
    assignment = person.hrbp_assignments.select_related("unit").order_by("pk").first()
    if assignment is None:
        return []
    unit = assignment.unit
    return [
        Item(
            "alignment_review",
            lambda: (
                _("The goal alignment of %(unit)s is ready for your review.") % {"unit": unit.name}
            ),
            f"{reverse('dashboard:alignment')}?unit={unit.pk}",
        )
    ]


INBOX = {
    "employee": _employee_items,
    "manager": _manager_items,
    "admin": _admin_items,
    "hrbp": _hrbp_items,
}


def seed_inbox(ctx: DemoContext) -> None:
    read_at = dt.datetime.combine(ctx.today, dt.time(9), tzinfo=dt.UTC)
    for username, build in INBOX.items():
        person = ctx.people.get(username)
        if person is None:
            continue
        items = build(ctx, person)
        existing = set(
            Notification.objects.filter(
                recipient=person, kind__in=[item.kind for item in items]
            ).values_list("kind", "url")
        )
        rows = []
        with translation.override(person.language or settings.LANGUAGE_CODE):
            for item in items:
                if (item.kind, item.url) in existing:
                    continue
                rows.append(
                    Notification(
                        recipient=person,
                        kind=item.kind,
                        text=str(item.text()),
                        url=item.url,
                        read_at=read_at if item.read else None,
                    )
                )
        Notification.objects.bulk_create(rows)
        # A seeded reminder counts as this week's reminder: logged like the dispatcher logs
        # its own, so the scheduler's first run (`make run`) does not send it a second time.
        period = local_period(timezone.now(), person.timezone)
        ReminderLog.objects.bulk_create(
            [
                ReminderLog(
                    person=person,
                    kind=row.kind,
                    period=period,
                    status=ReminderLog.Status.SENT,
                    reason="seeded",
                    claim="seed",
                )
                for row in rows
                if row.kind in REMINDER_KINDS
            ],
            ignore_conflicts=True,
        )


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
    seed_inbox(ctx)
    away = ctx.people.get("sun.li")
    if away is not None and not Absence.objects.filter(person=away).exists():
        start = ctx.today + dt.timedelta(days=7 - ctx.today.weekday())  # next Monday
        Absence.objects.create(
            person=away, start=start, end=start + dt.timedelta(days=4), note="Annual leave"
        )
