"""The batched progress walk (goals.services.progress) against the walk it replaced, kept in
tests/goals/reference_progress.py: over randomised cascades five levels deep (objectives with
and without key results, returned children, zero and uneven weights, stale stored progress,
several start goals sharing ancestors) both must leave every goal's progress the same to the
last bit, and the batched one must write no history. The key-result chain read with one
recursive query (goals.services.measurements.chain_ids) must give the levels one query per
level gave."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db import transaction

from goals.models import Goal, KeyResult
from goals.services import measurements, progress
from tests.goals import reference_progress as reference

D = Decimal
WEIGHTS = ["1", "1", "0", "2.5", "0.001", "3.333", "10", "99999.999"]
STATES = [Goal.State.DRAFT, Goal.State.AGREED, Goal.State.AGREED, Goal.State.RETURNED]
LEVELS = [Goal.Level.COMPANY, Goal.Level.UNIT, Goal.Level.PERSON]


def _goal(rng, owner, cycles, parent, depth, **extra) -> Goal:
    return Goal(
        title=f"{rng.random():.9f}",  # unique: the default ordering has no ties
        owner_person=owner,
        cycle=rng.choice(cycles),
        level=LEVELS[min(depth, 2)] if rng.random() < 0.7 else rng.choice(LEVELS),
        parent=parent,
        weight=D(rng.choice(WEIGHTS)),
        state=rng.choice(STATES),
        progress=rng.choice([0.0, rng.random(), 1.0]),
        **extra,
    )


def _cascade(rng: random.Random, owner, cycles, sizes=(2, 4, 7, 10, 14)) -> list[list[Goal]]:
    """Levels of goals, each under a random goal of the level above; about half with key
    results (the deepest mostly), each with a stale stored progress."""
    levels: list[list[Goal]] = []
    for depth, size in enumerate(sizes):
        above = levels[-1] if levels else [None]
        goals = Goal.objects.bulk_create(
            _goal(rng, owner, cycles, rng.choice(above), depth) for _ in range(size)
        )
        levels.append(goals)
        with_krs = 0.8 if depth == len(sizes) - 1 else 0.4
        KeyResult.objects.bulk_create(
            KeyResult(
                goal=goal,
                name=f"kr {goal.pk}.{i}",
                position=rng.choice([0, i, 5 - i]),
                target_value=D(45),
                weight=D(rng.choice(WEIGHTS)),
                progress=rng.choice([0.0, 1.0, rng.random(), rng.random() / 7]),
            )
            for goal in goals
            if rng.random() < with_krs
            for i in range(rng.randint(1, 4))
        )
    return levels


def _outcome(run) -> dict[int, float]:
    """Every goal's progress after `run`, which is then rolled back."""
    sid = transaction.savepoint()
    try:
        run()
        return dict(Goal.objects.values_list("pk", "progress"))
    finally:
        transaction.savepoint_rollback(sid)


def _starts(rng: random.Random, levels: list[list[Goal]]) -> list[int]:
    """A few goals from every depth, with a goal and one of its ancestors among them, and two
    goals under one parent (their chains share every ancestor)."""
    goals = [g for level in levels for g in level]
    picked = rng.sample(goals, rng.randint(1, 6))
    deep = rng.choice(levels[-1])
    picked += [deep, Goal.objects.get(pk=deep.parent_id)]
    siblings = [g for g in levels[-1] if g.parent_id == deep.parent_id]
    picked += siblings[:2]
    return [g.pk for g in picked]


def _bitwise(a: dict[int, float], b: dict[int, float]) -> list:
    return [(pk, a[pk], b.get(pk)) for pk in a if a[pk].hex() != b[pk].hex()]


@pytest.fixture
def owner(company):
    return company["alice"]


@pytest.mark.parametrize("seed", range(8))
def test_refresh_is_bit_identical_to_the_one_by_one_walk(seed, owner, quarter, year):
    rng = random.Random(seed)
    levels = _cascade(rng, owner, [quarter, year])
    before = dict(Goal.objects.values_list("pk", "progress"))
    for _round in range(3):
        starts = _starts(rng, levels)
        expected = _outcome(lambda s=starts: reference.refresh_progress(s))
        history = Goal.history.count()
        got = _outcome(lambda s=starts: progress.refresh_progress(s))
        assert not _bitwise(expected, got), (starts, _bitwise(expected, got))
        assert expected != before  # the walk did move something
        assert Goal.history.count() == history
    # Settled, then key results moved by a hair or by a little: changes below the 1e-12
    # threshold stay unwritten in both, and the parents read the value left stored.
    progress.refresh_progress([g.pk for level in levels for g in level])
    krs = list(KeyResult.objects.filter(goal__in=levels[-1]).order_by("pk"))
    for kr in rng.sample(krs, min(len(krs), 6)):
        kr.progress = min(1.0, kr.progress + rng.choice([3e-13, 5e-13, 2e-12, 1e-6]))
    KeyResult.objects.bulk_update(krs, ["progress"])
    starts = [kr.goal_id for kr in krs]
    expected = _outcome(lambda: reference.refresh_progress(starts))
    got = _outcome(lambda: progress.refresh_progress(starts))
    assert not _bitwise(expected, got), _bitwise(expected, got)


@pytest.mark.parametrize("seed", range(4))
def test_upwards_is_bit_identical_with_a_stale_copy_of_the_goal(seed, owner, quarter, year):
    """The start goal is compared with the caller's copy (stale or not) and the copy takes
    the new progress when it is written, in both."""
    rng = random.Random(100 + seed)
    levels = _cascade(rng, owner, [quarter, year])
    for level in levels[2:]:
        goal = rng.choice(level)
        stale = rng.choice([None, rng.random()])
        outcomes, copies = {}, {}
        for name, walk in (("ref", reference), ("new", progress)):
            copy = copies[name] = Goal.objects.get(pk=goal.pk)
            if stale is not None:
                copy.progress = stale
            outcomes[name] = _outcome(lambda w=walk, c=copy: w.recompute_progress_upwards(c))
        assert not _bitwise(outcomes["ref"], outcomes["new"])
        assert copies["ref"].progress.hex() == copies["new"].progress.hex()


def test_a_later_chain_that_moves_a_shared_parent_by_less_than_the_threshold(owner, quarter):
    """Two start goals under one parent: the first walk writes the parent from the first
    child's new progress; the second child (weight 0.001 against 99999.999) moves it by less
    than 1e-12, so the parent keeps what the first walk wrote. Recomputing the parent once
    from both children's new progress would write a value 1e-13 away: not the old walk."""
    parent = Goal.objects.create(
        title="p", owner_person=owner, cycle=quarter, level=Goal.Level.UNIT, progress=0.0
    )
    a, b = (
        Goal.objects.create(
            title=title,
            owner_person=owner,
            cycle=quarter,
            level=Goal.Level.PERSON,
            parent=parent,
            weight=D(weight),
            progress=0.5,
        )
        for title, weight in (("a", "99999.999"), ("b", "0.001"))
    )
    KeyResult.objects.create(goal=a, name="a", target_value=D(45), progress=0.25)
    KeyResult.objects.create(goal=b, name="b", target_value=D(45), progress=0.50001)
    expected = _outcome(lambda: reference.refresh_progress([a.pk, b.pk]))
    got = _outcome(lambda: progress.refresh_progress([a.pk, b.pk]))
    assert not _bitwise(expected, got), _bitwise(expected, got)
    first = (D("0.25") * D("99999.999") + D("0.5") * D("0.001")) / D("100000")
    once = (D("0.25") * D("99999.999") + D("0.50001") * D("0.001")) / D("100000")
    assert got[parent.pk] == float(first) != float(once)


def test_a_loop_of_parents_ends_the_walk(owner, quarter):
    """Validation refuses a loop, but a row edited by hand may hold one: the recursive read
    and the walk both stop at a goal already seen, as the old walk did."""
    a = Goal.objects.create(title="a", owner_person=owner, cycle=quarter, level="unit")
    b = Goal.objects.create(title="b", owner_person=owner, cycle=quarter, level="unit", parent=a)
    c = Goal.objects.create(title="c", owner_person=owner, cycle=quarter, level="unit", parent=b)
    Goal.objects.filter(pk=a.pk).update(parent=c)
    KeyResult.objects.create(goal=c, name="c", target_value=D(45), progress=0.3)
    assert (
        progress.lock_goal_chains([b.pk])
        == reference.lock_goal_chains([b.pk])
        == {
            a.pk,
            b.pk,
            c.pk,
        }
    )
    expected = _outcome(lambda: reference.refresh_progress([c.pk]))
    got = _outcome(lambda: progress.refresh_progress([c.pk]))
    assert not _bitwise(expected, got)
    assert got[a.pk] == got[b.pk] == 0.3


@pytest.mark.parametrize("seed", range(4))
def test_the_chains_locked_are_the_old_ones(seed, owner, quarter, year):
    rng = random.Random(200 + seed)
    levels = _cascade(rng, owner, [quarter, year])
    starts = _starts(rng, levels) + [None, 0]
    assert progress.lock_goal_chains(starts) == reference.lock_goal_chains(starts)


@pytest.mark.parametrize("seed", range(6))
def test_the_key_result_chain_levels_are_the_old_ones(
    seed, owner, quarter, django_assert_num_queries
):
    """Contribution links over several levels, some skipping a level (a key result reached
    at two distances stays at the nearer) and, for odd seeds, a loop: the same levels as the
    read one query per level gave."""
    rng = random.Random(300 + seed)
    goal = Goal.objects.create(title="g", owner_person=owner, cycle=quarter, level="person")
    krs = KeyResult.objects.bulk_create(
        KeyResult(goal=goal, name=f"kr {i}", position=i, target_value=D(45)) for i in range(30)
    )
    for i, kr in enumerate(krs[:-1]):
        if rng.random() < 0.8:
            kr.contributes_to = rng.choice(krs[i + 1 : i + 4])
    if seed % 2:
        krs[-1].contributes_to = krs[rng.randrange(20)]
    KeyResult.objects.bulk_update(krs, ["contributes_to"])
    depths = []
    for _round in range(5):
        starts = [kr.pk for kr in rng.sample(krs, rng.randint(1, 5))]
        with django_assert_num_queries(1):
            levels = measurements.chain_ids(starts)
        assert levels == reference.chain_ids(starts)
        depths.append(len(levels))
    assert max(depths) >= 4
    assert measurements.chain_ids([]) == reference.chain_ids([]) == []


def test_a_copy_moved_under_another_parent_walks_up_that_parent(owner, quarter, year):
    """The old walk followed the caller's copy to its parent: a goal moved in memory and not
    yet saved still recomputes the chain it is moving into. That chain is read (and locked)
    when it is reached, as the old walk read each parent when it got there."""
    rng = random.Random(7)
    levels = _cascade(rng, owner, [quarter, year])
    goal = levels[-1][0]
    chain = reference.lock_goal_chains([goal.pk])
    elsewhere = next(g for g in levels[2] if g.pk not in chain)
    outcomes, copies = {}, {}
    for name, walk in (("ref", reference), ("new", progress)):
        copy = copies[name] = Goal.objects.get(pk=goal.pk)
        copy.parent_id = elsewhere.pk
        outcomes[name] = _outcome(lambda w=walk, c=copy: w.recompute_progress_upwards(c))
    assert not _bitwise(outcomes["ref"], outcomes["new"])
    assert copies["ref"].progress.hex() == copies["new"].progress.hex()
