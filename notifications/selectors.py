"""Reads of the notifications app, scoped and with bounded queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from goals.models import Goal, GoalSettings, KeyResult, Status, TargetAdjustment
from goals.models.key_results import expected_share_of_row
from notifications.kinds import REMINDER_KINDS, Channel, default_enabled, preference_kind
from notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    ReminderLog,
    ReminderRun,
    ReminderSchedule,
)
from org.models import Person, Unit
from org.permissions import own_notifications, require_reminder_admin
from tracking.models import CheckIn


def inbox(*, viewer: Person, unread: bool = False) -> QuerySet[Notification]:
    rows = own_notifications(viewer)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count(*, viewer: Person) -> int:
    return own_notifications(viewer).filter(read_at__isnull=True).count()


@dataclass
class TeamSummary:
    week: dt.date
    total: int = 0
    submitted: int = 0
    at_risk: int = 0
    off_track: int = 0
    pending_goals: int = 0
    pending_adjustments: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def pending_approvals(self) -> int:
        return self.pending_goals + self.pending_adjustments


class OrgIndex:
    """The org chart in memory (two queries): who manages whom, computed exactly like
    `org.permissions.managed_people` (direct reports transitively, everyone in the units a
    person heads and their subtrees, and so on), for many managers at once. The permission
    helper builds one OR of path prefixes per manager, which is right for one request but does
    not scale to a batch of hundreds of managers in a 10,000-person organisation."""

    def __init__(self):
        units = list(Unit.objects.values_list("pk", "parent_id", "head_id"))
        self.children: dict[int, list[int]] = defaultdict(list)
        self.headed: dict[int, list[int]] = defaultdict(list)
        for pk, parent_id, head_id in units:
            if parent_id:
                self.children[parent_id].append(pk)
            if head_id:
                self.headed[head_id].append(pk)
        self.members: dict[int, list[int]] = defaultdict(list)
        self.reports: dict[int, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.active: set[int] = set()
        people = Person.objects.values_list(
            "pk", "unit_id", "manager_id", "display_name", "is_active"
        )
        for pk, unit_id, manager_id, name, is_active in people:
            self.members[unit_id].append(pk)
            if manager_id:
                self.reports[manager_id].append(pk)
            self.names[pk] = name
            if is_active:
                self.active.add(pk)

    def _below(self, person_id: int) -> set[int]:
        found: set[int] = set(self.reports.get(person_id, ()))
        stack = list(self.headed.get(person_id, ()))
        while stack:
            unit_id = stack.pop()
            found.update(self.members.get(unit_id, ()))
            stack.extend(self.children.get(unit_id, ()))
        return found

    def team(self, manager_id: int) -> set[int]:
        """Active people the manager manages (never the manager)."""
        found: set[int] = set()
        frontier = self._below(manager_id)
        while frontier:
            frontier -= found | {manager_id}
            found |= frontier
            nxt: set[int] = set()
            for pk in frontier:
                nxt |= self._below(pk)
            frontier = nxt
        return found & self.active


def team_summaries(*, managers: list[Person], week: dt.date, on: dt.date) -> dict[int, TeamSummary]:
    """For each manager, their team (everyone they manage) for a check-in week: submitted X
    of Y, key results at risk and off track at `on`, goal proposals and target adjustments
    waiting for a decision. A fixed number of queries for any number of managers."""
    index = OrgIndex()
    teams = {manager.pk: index.team(manager.pk) for manager in managers}
    everyone = set().union(*teams.values()) if teams else set()
    result = {pk: TeamSummary(week=week, total=len(team)) for pk, team in teams.items()}
    if not everyone:
        return result
    # Small teams filter by id; a large batch reads the week's rows (no parameter list of
    # thousands of ids) and intersects in Python.
    owners = {"goal__owner_person_id__in": everyone} if len(everyone) <= 900 else {}
    submitted = set(
        CheckIn.objects.filter(
            week=week,
            state=CheckIn.State.SUBMITTED,
            **({"person_id__in": everyone} if owners else {}),
        ).values_list("person_id", flat=True)
    )
    settings = GoalSettings.load()
    statuses: dict[int, list[str]] = defaultdict(list)
    # Rows, not models: at 10,000 people this reads every person's key results (120,000).
    rows = KeyResult.objects.filter(
        **owners,
        goal__owner_person__isnull=False,
        goal__state=Goal.State.AGREED,
        goal__cycle__state="active",
    ).values_list(
        "goal__owner_person_id",
        "progress",
        "due_on",
        "milestones",
        "start_value",
        "target_value",
        "direction",
        "goal__cycle__starts_on",
        "goal__cycle__ends_on",
    )
    for (
        owner,
        progress,
        due_on,
        milestones,
        start_value,
        target,
        direction,
        starts,
        ends,
    ) in rows.iterator(chunk_size=5000):
        if owner not in everyone:
            continue
        expected = expected_share_of_row(
            on,
            start=starts,
            due=due_on or ends,
            milestones=milestones,
            start_value=start_value,
            target_value=target,
            direction=direction,
        )
        statuses[owner].append(settings.classify(progress, expected))
    proposed = Counter(
        Goal.objects.filter(
            state=Goal.State.PROPOSED,
            owner_person__isnull=False,
            **({"owner_person_id__in": everyone} if owners else {}),
        ).values_list("owner_person_id", flat=True)
    )
    adjustments = Counter(
        TargetAdjustment.objects.filter(
            state=TargetAdjustment.State.PENDING,
            key_result__goal__owner_person__isnull=False,
            **({"key_result__goal__owner_person_id__in": everyone} if owners else {}),
        ).values_list("key_result__goal__owner_person_id", flat=True)
    )
    for manager_id, team in teams.items():
        summary = result[manager_id]
        summary.submitted = len(team & submitted)
        summary.missing = sorted(index.names[pk] for pk in team - submitted)
        for pk in team:
            for status in statuses.get(pk, ()):
                if status == Status.AT_RISK:
                    summary.at_risk += 1
                elif status == Status.OFF_TRACK:
                    summary.off_track += 1
            summary.pending_goals += proposed.get(pk, 0)
            summary.pending_adjustments += adjustments.get(pk, 0)
    return result


def team_summary(*, manager: Person, week: dt.date, on: dt.date) -> TeamSummary:
    return team_summaries(managers=[manager], week=week, on=on)[manager.pk]


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
