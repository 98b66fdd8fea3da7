"""Reads of the notifications app, scoped and with bounded queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from notifications.kinds import REMINDER_KINDS, Channel, default_enabled, preference_kind
from notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    ReminderLog,
    ReminderRun,
    ReminderSchedule,
)
from notifications.permissions import own_notifications, require_reminder_admin
from org.models import Person


def inbox(*, viewer: Person, unread: bool = False) -> QuerySet[Notification]:
    rows = own_notifications(viewer)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count(*, viewer: Person) -> int:
    return own_notifications(viewer).filter(read_at__isnull=True).count()


def preference_table(*, person: Person) -> list[dict]:
    """Rows of (kind, label, {channel: enabled}) for the preferences page and API: the
    reminder kinds and one row for everything else."""
    from notifications.kinds import OTHER_KIND, kind_label, switchable

    stored = {
        (row.kind, row.channel): row.enabled
        for row in NotificationPreference.objects.filter(person=person)
    }
    rows = []
    for kind in [*REMINDER_KINDS, OTHER_KIND]:
        channels = {
            channel: stored.get(
                (preference_kind(kind), channel),
                default_enabled(kind if kind != OTHER_KIND else "x", channel),
            )
            for channel in Channel.values
        }
        fixed = [channel for channel in Channel.values if not switchable(kind, channel)]
        rows.append({"kind": kind, "label": kind_label(kind), "channels": channels, "fixed": fixed})
    return rows


def schedules_for(*, person: Person) -> list[dict]:
    """For each reminder kind: the organisation default and the person's override, if any."""
    rows = {
        (row.kind, row.person_id): row
        for row in ReminderSchedule.objects.filter(person__isnull=True)
        | ReminderSchedule.objects.filter(person=person)
    }
    result = []
    for kind in REMINDER_KINDS:
        default = rows.get((kind, None)) or ReminderSchedule.builtin(kind)
        override = rows.get((kind, person.pk))
        result.append(
            {
                "kind": kind,
                "default": default,
                "override": override,
                "effective": override or default,
            }
        )
    return result


def default_schedules() -> list[ReminderSchedule]:
    stored = {row.kind: row for row in ReminderSchedule.objects.filter(person__isnull=True)}
    return [stored.get(kind) or ReminderSchedule.builtin(kind) for kind in REMINDER_KINDS]


@dataclass
class RunRow:
    run: ReminderRun
    skipped: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, channel: str, status: str) -> int:
        return self.counts.get(channel, {}).get(status, 0)

    @property
    def cells(self) -> list[dict[str, int]]:
        """Per channel, in the order of Channel: sent, waiting (pending or sending), failed."""
        return [
            {
                "sent": self.count(channel, "sent"),
                "waiting": self.count(channel, "pending") + self.count(channel, "sending"),
                "failed": self.count(channel, "failed"),
            }
            for channel in Channel.values
        ]


def recent_runs(*, viewer: Person, limit: int = 50) -> list[RunRow]:
    """The latest dispatches with sent/pending/failed per channel and skipped reminders:
    three queries whatever the number of runs."""
    require_reminder_admin(viewer)
    runs = list(ReminderRun.objects.all()[:limit])
    rows = {run.pk: RunRow(run=run) for run in runs}
    if not rows:
        return []
    counts = (
        Delivery.objects.filter(run__in=rows.keys())
        .values("run_id", "channel", "status")
        .annotate(n=Count("pk"))
    )
    for item in counts:
        per = rows[item["run_id"]].counts.setdefault(item["channel"], defaultdict(int))
        per[item["status"]] += item["n"]
    skipped = (
        ReminderLog.objects.filter(run__in=rows.keys(), status=ReminderLog.Status.SKIPPED)
        .values("run_id")
        .annotate(n=Count("pk"))
    )
    for item in skipped:
        rows[item["run_id"]].skipped = item["n"]
    return [rows[run.pk] for run in runs]


def failed_deliveries(*, viewer: Person, limit: int = 50) -> QuerySet[Delivery]:
    require_reminder_admin(viewer)
    return Delivery.objects.filter(status=Delivery.Status.FAILED).select_related(
        "recipient", "config"
    )[:limit]
