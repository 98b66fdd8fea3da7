"""Reads of the dashboard's own pages that summarise several apps.

`partnered_units`: the HRBP overview, one row per unit an HRBP partners (admins: every
department), each unit with its subtree: people, goals by state, how many people have an agreed
goal, goals aligned to nothing, last week's check-in rate, target adjustments waiting for a
decision and the cycle's alignment review. A fixed number of grouped queries whatever the number
of units and people: counts are grouped by unit path and folded into the partnered subtrees.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from goals.models import AlignmentReview, Cycle, Goal, TargetAdjustment
from org.models import Person, Unit
from org.scopes import Viewer, ViewerLike, subtree_q
from tracking.models import CheckIn


@dataclass
class UnitOverview:
    unit: Unit
    people: int = 0
    goals: Counter = field(default_factory=Counter)
    people_with_agreed_goal: int = 0
    unaligned: int = 0
    checked_in: int = 0
    pending_adjustments: int = 0
    review: AlignmentReview | None = None

    @property
    def goal_total(self) -> int:
        return sum(self.goals.values())

    @property
    def agreed_share(self) -> int | None:
        return round(100 * self.people_with_agreed_goal / self.people) if self.people else None

    @property
    def check_in_rate(self) -> int | None:
        return round(100 * self.checked_in / self.people) if self.people else None

    @property
    def open_review(self) -> bool:
        return self.review is None or self.review.outcome != AlignmentReview.Outcome.APPROVED


# A company goal aligns to nothing by design; any other goal without a parent is a gap.
ALIGNS_TO_NOTHING = Q(parent__isnull=True) & ~Q(level=Goal.Level.COMPANY)


def overview_units(viewer: ViewerLike) -> list[Unit]:
    """The units an HRBP partners; for an admin, the company's departments (depth 1)."""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return list(Unit.objects.filter(depth__lte=1).order_by("path"))
    return list(Unit.objects.filter(pk__in=viewer.hrbp_unit_ids).order_by("path"))


def _fold(rows, units: list[Unit], path_key: str, into: str, value=lambda row: row["n"]):
    """Add each grouped row to every overview unit whose subtree holds its path."""
    for row in rows:
        path = row[path_key] or ""
        for item in units:
            if path.startswith(item.unit.path):
                setattr(item, into, getattr(item, into) + value(row))


def partnered_units(viewer: ViewerLike, cycle: Cycle | None, today: dt.date) -> list[UnitOverview]:
    units = overview_units(viewer)
    items = [UnitOverview(unit=u) for u in units]
    if not items:
        return []
    paths = [u.path for u in units]
    people = Person.objects.filter(subtree_q(paths), is_active=True)
    _fold(
        people.values("unit__path").annotate(n=Count("pk")).order_by(),
        items,
        "unit__path",
        "people",
    )
    last_week = today - dt.timedelta(days=today.weekday() + 7)
    _fold(
        CheckIn.objects.filter(
            subtree_q(paths, "person__unit__path"),
            person__is_active=True,
            week=last_week,
            state=CheckIn.State.SUBMITTED,
        )
        .values("person__unit__path")
        .annotate(n=Count("person", distinct=True))
        .order_by(),
        items,
        "person__unit__path",
        "checked_in",
    )
    if cycle is None:
        return items
    goals = Goal.objects.filter(subtree_q(paths, "owner_path"), cycle=cycle)
    for row in (
        goals.values("owner_path", "state")
        .annotate(n=Count("pk"), unaligned=Count("pk", filter=ALIGNS_TO_NOTHING))
        .order_by()
    ):
        for item in items:
            if row["owner_path"].startswith(item.unit.path):
                item.goals[row["state"]] += row["n"]
                if row["state"] not in (Goal.State.CLOSED, Goal.State.RETURNED):
                    item.unaligned += row["unaligned"]
    _fold(
        goals.filter(
            state=Goal.State.AGREED, owner_person__isnull=False, owner_person__is_active=True
        )
        .values("owner_path")
        .annotate(n=Count("owner_person", distinct=True))
        .order_by(),
        items,
        "owner_path",
        "people_with_agreed_goal",
    )
    _fold(
        TargetAdjustment.objects.filter(
            subtree_q(paths, "key_result__goal__owner_path"),
            key_result__goal__cycle=cycle,
            state=TargetAdjustment.State.PENDING,
        )
        .values("key_result__goal__owner_path")
        .annotate(n=Count("pk"))
        .order_by(),
        items,
        "key_result__goal__owner_path",
        "pending_adjustments",
    )
    latest: dict[int, AlignmentReview] = {}
    for review in (
        AlignmentReview.objects.filter(cycle=cycle, unit__in=units)
        .select_related("reviewer")
        .order_by("unit_id", "-created_at", "-pk")
    ):
        latest.setdefault(review.unit_id, review)
    for item in items:
        item.review = latest.get(item.unit.pk)
    return items
