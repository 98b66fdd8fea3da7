"""The progress walk as it was before it was batched (goals/services/progress.py until the
cascade cost a constant number of queries): the parents read one query per level, then each
goal of each chain recomputed one by one, bottom-up, with one UPDATE per changed goal; and the
key-result chain of goals/services/measurements.py, read one query per level. Kept as the
reference the batched code must match bit for bit (tests/goals/test_progress_batched.py); it
locks nothing and touches no read model, since only the progress it leaves matters here."""

from __future__ import annotations

from goals import metrics
from goals.models import Goal, KeyResult


def goal_progress(goal: Goal) -> float:
    rows = list(goal.key_results.values_list("progress", "weight"))
    if not rows:
        rows = goal.children.exclude(state=Goal.State.RETURNED).values_list("progress", "weight")
    return metrics.weighted_mean(list(rows))


def refresh_progress(goal_ids) -> None:
    goal_ids = sorted(set(goal_ids))
    for goal in Goal.objects.filter(pk__in=goal_ids).only("pk", "progress", "parent_id"):
        _recompute_chain(goal)


def recompute_progress_upwards(goal: Goal) -> None:
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
            Goal.objects.only("pk", "progress", "parent_id").get(pk=current.parent_id)
            if current.parent_id
            else None
        )


def lock_goal_chains(goal_ids) -> set[int]:
    """The ids the old lock took: the goals and their ancestors, one query per level."""
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
    return ids


def chain_ids(key_result_ids) -> list[list[int]]:
    """The key-result chain as it was read (goals.services.measurements): one query per level."""
    levels = [sorted(set(key_result_ids))]
    seen = set(levels[0])
    while levels[-1]:
        above = set(
            KeyResult.objects.filter(pk__in=levels[-1], contributes_to__isnull=False).values_list(
                "contributes_to_id", flat=True
            )
        )
        above -= seen
        seen |= above
        levels.append(sorted(above))
    return levels[:-1]
