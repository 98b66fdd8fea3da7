"""Reads for the cycle pages: the cycles with their goal counts and state history, the goals a
person scores (their own, their team's), the scoring progress per unit, the goals a closed
cycle may carry over. Each is a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from goals.models import Cycle, Goal
from goals.services.cycles import SCORED_STATES
from org.models import Unit
from org.scopes import Viewer, ViewerLike, subtree_q

_SCORED = Q(goals__state__in=SCORED_STATES)


def cycles_with_counts(pk: int | None = None) -> list[Cycle]:
    """Every cycle (or the one with `pk`), newest first, with `goal_count` (all its goals),
    `scored_count` (goals the cycle runs on with a manager score), `unscored_count` (those
    still without one) and `state_changes`: its recorded state changes, newest first."""
    qs = Cycle.objects.filter(pk=pk) if pk is not None else Cycle.objects.all()
    cycles = list(
        qs.select_related("parent")
        .annotate(
            goal_count=Count("goals", distinct=True),
            scored_count=Count(
                "goals", filter=_SCORED & Q(goals__manager_score__isnull=False), distinct=True
            ),
            unscored_count=Count(
                "goals", filter=_SCORED & Q(goals__manager_score__isnull=True), distinct=True
            ),
        )
        .order_by("-starts_on", "kind")
    )
    changes = state_changes([c.pk for c in cycles])
    for cycle in cycles:
        cycle.state_changes = changes.get(cycle.pk, [])
        cycle.scorable_count = cycle.scored_count + cycle.unscored_count
    return cycles


@dataclass
class StateChange:
    at: object
    state: str
    label: str
    reason: str
    by: str


def state_changes(cycle_ids: list[int]) -> dict[int, list[StateChange]]:
    """The recorded state changes of these cycles (one query): for each cycle, the history
    records whose state differs from the record before, newest first."""
    records = (
        Cycle.history.filter(id__in=cycle_ids)
        .select_related("history_user__person")
        .order_by("id", "history_date", "history_id")
    )
    found: dict[int, list[StateChange]] = defaultdict(list)
    last: dict[int, str] = {}
    for record in records:
        if last.get(record.id) == record.state:
            continue
        last[record.id] = record.state
        user = record.history_user
        person = getattr(user, "person", None) if user is not None else None
        found[record.id].append(
            StateChange(
                at=record.history_date,
                state=record.state,
                label=str(Cycle.State(record.state).label),
                reason=record.state_reason,
                by=person.display_name if person else (user.get_username() if user else ""),
            )
        )
    return {pk: rows[::-1] for pk, rows in found.items()}


def _scored_goals(cycle: Cycle) -> QuerySet[Goal]:
    return (
        Goal.objects.filter(cycle=cycle, state__in=SCORED_STATES)
        .select_related("cycle", "owner_person", "owner_unit")
        .order_by("owner_path", "title", "pk")
    )


def own_goals_to_score(viewer: ViewerLike, cycle: Cycle) -> list[Goal]:
    """The viewer's own goals of the cycle (theirs, or their units') that are scored."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return []
    return list(
        _scored_goals(cycle).filter(Q(owner_person=viewer.person) | Q(owner_unit__head=viewer.pk))
    )


def team_goals_to_score(viewer: ViewerLike, cycle: Cycle) -> list[Goal]:
    """The goals the viewer gives the manager score for: those of the people below them and of
    the units those people head."""
    viewer = Viewer.of(viewer)
    q = viewer.managed_q("owner_person", path_field="owner_path")
    if q is None:
        return []
    if viewer.units_headed_below:
        q |= Q(owner_unit_id__in=viewer.units_headed_below)
    return list(_scored_goals(cycle).filter(q).exclude(owner_unit__head=viewer.pk))


@dataclass
class UnitProgress:
    unit: Unit | None
    path: str
    scored: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.total) if self.total else 0


def scoring_progress(viewer: ViewerLike, cycle: Cycle) -> list[UnitProgress] | None:
    """Scored / total goals per owner's unit, for admins (every unit) and HRBPs (the units
    they partner); None for everyone else."""
    viewer = Viewer.of(viewer)
    goals = Goal.objects.filter(cycle=cycle, state__in=SCORED_STATES)
    if not viewer.is_admin:
        q = subtree_q(viewer.hrbp_paths, "owner_path")
        if q is None:
            return None
        goals = goals.filter(q)
    rows = list(
        goals.values("owner_path")
        .annotate(total=Count("pk"), scored=Count("pk", filter=Q(manager_score__isnull=False)))
        .order_by("owner_path")
    )
    units = {u.path: u for u in Unit.objects.filter(path__in=[r["owner_path"] for r in rows])}
    return [
        UnitProgress(units.get(r["owner_path"]), r["owner_path"], r["scored"], r["total"])
        for r in rows
    ]


def carry_over_candidates(cycle: Cycle) -> list[Goal]:
    """The cycle's unfinished goals (agreed or closed with it, progress below 100 %), each
    with `carried` set when a copy of it already exists."""
    goals = list(
        _scored_goals(cycle)
        .filter(progress__lt=1.0 - 1e-9)
        .annotate(copies=Count("carried_to", distinct=True))
    )
    for goal in goals:
        goal.carried = goal.copies > 0
    return goals
