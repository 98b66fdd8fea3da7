"""Progress: the weighted rollup of key results and child goals, recomputed up the cascade on
every change (O(depth), with the chains locked in id order) and, in bulk, over whole
organisations (`recompute_all`, `manage.py recompute_progress`). Progress is derived data:
written with update(), never audited."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from goals.models import Goal, KeyResult


def _weighted_mean(pairs: list[tuple[float, Decimal]]) -> float:
    total = sum((w for _p, w in pairs), Decimal("0"))
    if total <= 0:
        return 0.0
    return float(sum(Decimal(str(p)) * w for p, w in pairs) / total)


def goal_progress(goal: Goal) -> float:
    """Weighted mean of the key results' progress, or of the child goals' progress."""
    if goal.progress_source == Goal.ProgressSource.CHILDREN:
        rows = goal.children.exclude(state=Goal.State.RETURNED).values_list("progress", "weight")
    else:
        rows = goal.key_results.values_list("progress", "weight")
    return _weighted_mean(list(rows))


def lock_goal_chains(goal_ids) -> set[int]:
    """Lock the goals and every goal they align to, in one statement ordered by id, and return
    their ids. Progress writes lock what they will update this way first: every writer takes
    the goal rows in the same order, so two check-ins whose cascades overlap (they all meet at
    the company goal) wait for each other instead of deadlocking. O(depth) queries."""
    ids = frontier = {pk for pk in goal_ids if pk}
    while frontier:
        frontier = (
            set(
                Goal.objects.filter(pk__in=frontier, parent__isnull=False).values_list(
                    "parent_id", flat=True
                )
            )
            - ids
        )
        ids = ids | frontier
    if ids:
        list(
            Goal.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return ids


def refresh_progress(goal_ids) -> None:
    """Recompute the progress of these goals and of everything they roll up into, once, with
    the rows locked up front (see lock_goal_chains). Call it last in a transaction: the goals
    near the top are shared by everyone and stay locked until the commit."""
    goal_ids = sorted(set(goal_ids))
    lock_goal_chains(goal_ids)
    for goal in Goal.objects.filter(pk__in=goal_ids).only(
        "pk", "progress", "progress_source", "parent_id"
    ):
        _recompute_chain(goal)


def recompute_progress_upwards(goal: Goal) -> None:
    """Recompute a goal's progress and then each ancestor's, in the caller's transaction:
    O(depth) small queries, never the whole tree; the chain is locked first.

    Progress is derived data (it follows from the key results' values, which are audited), not
    an audited change: it is written with update() and keeps no history row (`progress` is
    excluded from the goal's and key result's history)."""
    lock_goal_chains([goal.pk])
    _recompute_chain(goal)


def _recompute_chain(goal: Goal) -> None:
    seen: set[int] = set()
    current: Goal | None = goal
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        progress = goal_progress(current)
        if abs(progress - current.progress) > 1e-12:
            Goal.objects.filter(pk=current.pk).update(progress=progress)
            current.progress = progress
        current = (
            Goal.objects.only("pk", "progress", "progress_source", "parent_id").get(
                pk=current.parent_id
            )
            if current.parent_id
            else None
        )


@dataclass(slots=True)
class _Node:
    pk: int
    parent_id: int | None
    progress_source: str
    weight: Decimal
    state: str
    progress: float


def recompute_all(goals=None) -> list[tuple[str, int, float, float]]:
    """Recompute the progress of every key result and goal (or of the `goals` queryset: a
    whole tree, e.g. one organisation) from the stored values, bottom-up, with a handful of
    queries and bulk updates. Returns the drift found: (kind, id, stored, recomputed) for every
    row whose stored progress was wrong.

    Derived data, not audited: the bulk updates write only `progress`, which the history
    models exclude."""
    drift: list[tuple[str, int, float, float]] = []
    goal_qs = Goal.objects.all() if goals is None else goals
    kr_qs = KeyResult.objects.all() if goals is None else KeyResult.objects.filter(goal__in=goals)
    # Plain rows, not model instances: this runs over whole organisations.
    probe = KeyResult()
    changed_krs: list[KeyResult] = []
    by_goal: dict[int, list[tuple[float, Decimal]]] = {}
    rows = kr_qs.values_list(
        "pk",
        "goal_id",
        "direction",
        "start_value",
        "target_value",
        "current_value",
        "progress",
        "weight",
    )
    for pk, goal_id, direction, start, target, current, stored, weight in rows.iterator(
        chunk_size=5000
    ):
        probe.direction, probe.start_value, probe.target_value = direction, start, target
        progress = probe.compute_progress(current)
        if abs(progress - stored) > 1e-9:
            drift.append(("key_result", pk, stored, progress))
            changed_krs.append(KeyResult(pk=pk, progress=progress))
        by_goal.setdefault(goal_id, []).append((progress, weight))
    KeyResult.objects.bulk_update(changed_krs, ["progress"], batch_size=1000)

    goals = {
        pk: _Node(
            pk=pk,
            parent_id=parent_id,
            progress_source=source,
            weight=weight,
            state=state,
            progress=progress,
        )
        for pk, parent_id, source, weight, state, progress in goal_qs.values_list(
            "pk", "parent_id", "progress_source", "weight", "state", "progress"
        ).iterator(chunk_size=5000)
    }
    children: dict[int, list[_Node]] = {}
    for goal in goals.values():
        if goal.parent_id in goals:
            children.setdefault(goal.parent_id, []).append(goal)
    computed: dict[int, float] = {}

    def compute(root: _Node) -> None:
        # Iterative post-order: children before parents, safe for deep trees.
        stack = [(root, False)]
        while stack:
            goal, expanded = stack.pop()
            if goal.pk in computed:
                continue
            if not expanded:
                stack.append((goal, True))
                if goal.progress_source == Goal.ProgressSource.CHILDREN:
                    stack.extend(
                        (c, False) for c in children.get(goal.pk, []) if c.pk not in computed
                    )
                continue
            if goal.progress_source == Goal.ProgressSource.CHILDREN:
                rows = [
                    (computed[c.pk], c.weight)
                    for c in children.get(goal.pk, [])
                    if c.state != Goal.State.RETURNED and c.pk in computed
                ]
            else:
                rows = by_goal.get(goal.pk, [])
            computed[goal.pk] = _weighted_mean(rows)

    for goal in goals.values():
        compute(goal)
    changed_goals = []
    for pk, progress in computed.items():
        goal = goals[pk]
        if abs(progress - goal.progress) > 1e-9:
            drift.append(("goal", pk, goal.progress, progress))
            changed_goals.append(Goal(pk=pk, progress=progress))
    Goal.objects.bulk_update(changed_goals, ["progress"], batch_size=1000)
    return drift
