"""Progress: the weighted mean of a goal's key results (or, for an objective without any, of its
child goals), recomputed up the cascade on every change, with the chains locked in id order.
`goals.services.consistency` recomputes everything in bulk and reports drift. Progress is
derived data: written with update(), never audited.

A refresh costs the same few queries however deep the cascade: one recursive query for the
chains, one to lock them, three to read what the progress follows from (the chains' goals, their
key results, the children of those without key results) and one UPDATE for the goals that
moved. The walk itself runs in memory (`_Walk`) and repeats, step for step, what one query per
goal per level used to do, so the numbers it leaves are the same to the last bit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from core.querysets import upward_links
from goals import metrics
from goals.models import Goal, KeyResult

from . import rollups

# A progress that moved by less than this is left as stored (float noise is not a change).
EPSILON = 1e-12


def goal_progress(goal: Goal) -> float:
    """The weighted mean of the goal's key results' progress; an objective without key results
    takes its child goals' (returned ones left out)."""
    rows = list(goal.key_results.values_list("progress", "weight"))
    if not rows:
        rows = goal.children.exclude(state=Goal.State.RETURNED).values_list("progress", "weight")
    return metrics.weighted_mean(list(rows))


def _ancestry(goal_ids: set[int]) -> set[int]:
    """The goals among `goal_ids` that exist and every goal they align to, in one recursive
    query whatever the depth (a loop of parents ends the walk)."""
    return set(upward_links(Goal, "parent", goal_ids))


def lock_goal_chains(goal_ids) -> set[int]:
    """Lock the goals and every goal they align to, in one statement ordered by id, and return
    their ids. Progress writes lock what they will update this way first: every writer takes
    the goal rows in the same order, so two check-ins whose cascades overlap (they all meet at
    the company goal) wait for each other instead of deadlocking. Two queries whatever the
    depth: the chains are read with one recursive query, then locked."""
    ids = {pk for pk in goal_ids if pk}
    if not ids:
        return ids
    ids |= _ancestry(ids)
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
    wanted = set(goal_ids)
    chains = lock_goal_chains(wanted)
    walk = _Walk(chains)
    # The goals in the order the walk always took them (the goals' default ordering), each
    # compared with its progress as read before any chain was recomputed.
    walk.run(
        [_Start(pk, parent, held) for pk, (parent, held) in walk.goals.items() if pk in wanted]
    )
    walk.save()
    # The read models of every goal whose key results or progress moved (goals.rollups),
    # after the goals: the lock order every writer keeps.
    rollups.touch_goals(chains, chains_locked=True)


def recompute_progress_upwards(goal: Goal) -> None:
    """Recompute a goal's progress and then each ancestor's, in the caller's transaction, with
    the chain locked first: a constant number of queries, never the whole tree. `goal` takes
    its new progress, as the caller may show it.

    Progress is derived data (it follows from the key results' values, which are audited), not
    an audited change: it is written with update() and keeps no history row (`progress` is
    excluded from the goal's and key result's history)."""
    chains = lock_goal_chains([goal.pk])
    walk = _Walk(chains)
    start = _Start(goal.pk, goal.parent_id, goal.progress)
    walk.run([start])
    walk.save()
    goal.progress = start.progress
    rollups.touch_goals(chains, chains_locked=True)


@dataclass
class _Start:
    """Where a walk starts: the goal, its parent and the progress it is compared with (the
    caller's copy, which `run` moves when the goal's progress is written)."""

    pk: int
    parent_id: int | None
    progress: float


class _Walk:
    """The chains' goals, their key results and the children of those without key results,
    read in three queries, and the walk from each start goal to the top done in memory.

    It repeats the walk that read and wrote one goal at a time, step for step: each start goal
    is walked to the top in turn (in the goals' default ordering, as they were read), a goal
    is recomputed from its key results or else from its children as they stand at that step
    (a child recomputed earlier counts with its new progress, or with its stored one when it
    moved by less than EPSILON and was left unwritten), compared with its stored progress (the
    start goal: with the caller's copy) and kept when it moved by more than EPSILON. A goal
    shared by several chains is recomputed once per chain, as before: the later walks can read
    children the earlier ones did not, and a change below EPSILON leaves what the earlier walk
    wrote. Only the goals whose progress ends up different are written, in one UPDATE."""

    def __init__(self, ids: set[int]):
        self.goals: dict[int, tuple[int | None, float]] = {}
        self.progress: dict[int, float] = {}
        self.key_results: dict[int, list] = defaultdict(list)
        self.children: dict[int, list] = defaultdict(list)
        self._read(ids)

    def _read(self, ids: set[int]) -> None:
        # In the goals' default ordering: the order refresh_progress starts the walks in.
        rows = Goal.objects.filter(pk__in=ids).values_list("pk", "parent_id", "progress")
        read = []
        for pk, parent, progress in rows:
            self.goals[pk] = (parent, progress)
            self.progress[pk] = progress
            read.append(pk)
        if not read:
            return
        # As `goal.key_results` orders them (position, then id): the means add in that order.
        key_results = (
            KeyResult.objects.filter(goal_id__in=read)
            .order_by("goal_id", "position", "pk")
            .values_list("goal_id", "progress", "weight")
        )
        for goal_id, progress, weight in key_results:
            self.key_results[goal_id].append((progress, weight))
        bare = sorted(pk for pk in read if pk not in self.key_results)
        if bare:
            # As `goal.children` orders them (the goals' default ordering).
            children = (
                Goal.objects.filter(parent_id__in=bare)
                .exclude(state=Goal.State.RETURNED)
                .order_by("parent_id", *Goal._meta.ordering)
                .values_list("parent_id", "pk", "progress", "weight")
            )
            for parent, pk, progress, weight in children:
                self.children[parent].append((pk, progress, weight))

    def _complete(self, starts: list[_Start]) -> None:
        """Lock and read the goals a walk would reach that are not among those read: the parent
        of a start goal as the caller holds it when it is not the stored one, or a goal moved
        under another between the chains' read and their lock. Nothing in the usual case."""
        missing = {s.parent_id for s in starts} | {p for p, _ in self.goals.values()}
        missing -= self.goals.keys() | {None}
        while missing:
            extra = lock_goal_chains(missing) - self.goals.keys()
            self._read(extra)
            missing = {p for p, _ in self.goals.values()} - self.goals.keys() - {None}
            if not extra & self.goals.keys():
                break  # nothing more to read (a parent that no longer exists)

    def _computed(self, pk: int) -> float:
        pairs = self.key_results.get(pk)
        if not pairs:
            pairs = [(self.progress.get(c, p), w) for c, p, w in self.children.get(pk, ())]
        return metrics.weighted_mean(pairs)

    def run(self, starts: list[_Start]) -> None:
        self._complete(starts)
        for start in starts:
            seen: set[int] = set()
            pk, parent, held = start.pk, start.parent_id, start.progress
            while pk is not None and pk not in seen:
                seen.add(pk)
                progress = self._computed(pk)
                if abs(progress - held) > EPSILON:
                    self.progress[pk] = progress
                    if pk == start.pk:
                        start.progress = progress
                pk = parent
                if pk is not None:
                    if pk not in self.goals:  # a parent deleted under the caller's copy
                        raise Goal.DoesNotExist(f"Goal {pk} does not exist.")
                    parent, held = self.goals[pk][0], self.progress[pk]

    def save(self) -> None:
        """One UPDATE for the goals whose progress moved (no signals, no history: update())."""
        changed = [
            Goal(pk=pk, progress=progress)
            for pk, progress in sorted(self.progress.items())
            if progress != self.goals[pk][1]
        ]
        if changed:
            Goal.objects.bulk_update(changed, ["progress"])
