"""Progress: the weighted mean of a goal's key results (or, for an objective without any, of its
child goals), recomputed up the cascade on every change (O(depth), with the chains locked in id
order). `goals.services.consistency` recomputes everything in bulk and reports drift. Progress
is derived data: written with update(), never audited."""

from __future__ import annotations

from goals import metrics
from goals.models import Goal

from . import rollups


def goal_progress(goal: Goal) -> float:
    """The weighted mean of the goal's key results' progress; an objective without key results
    takes its child goals' (returned ones left out)."""
    rows = list(goal.key_results.values_list("progress", "weight"))
    if not rows:
        rows = goal.children.exclude(state=Goal.State.RETURNED).values_list("progress", "weight")
    return metrics.weighted_mean(list(rows))


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
    chains = lock_goal_chains(goal_ids)
    for goal in Goal.objects.filter(pk__in=goal_ids).only("pk", "progress", "parent_id"):
        _recompute_chain(goal)
    # The read models of every goal whose key results or progress moved (goals.rollups),
    # after the goals: the lock order every writer keeps.
    rollups.touch_goals(chains, chains_locked=True)


def recompute_progress_upwards(goal: Goal) -> None:
    """Recompute a goal's progress and then each ancestor's, in the caller's transaction:
    O(depth) small queries, never the whole tree; the chain is locked first.

    Progress is derived data (it follows from the key results' values, which are audited), not
    an audited change: it is written with update() and keeps no history row (`progress` is
    excluded from the goal's and key result's history)."""
    chains = lock_goal_chains([goal.pk])
    _recompute_chain(goal)
    rollups.touch_goals(chains, chains_locked=True)


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
            Goal.objects.only("pk", "progress", "parent_id").get(pk=current.parent_id)
            if current.parent_id
            else None
        )
