"""The alignment findings read model (`goals.models.AlignmentFinding`), maintained on write.

The HRBP alignment review used to load its whole subtree (a 2,000-person division: ~8,000
goals and ~25,000 key results as model objects) and run the checklist in Python on every
request. The findings are now rows, written by the same checks
(`goals.selectors_alignment`) over what a write changed, and the page reads one page of them.

When they are recomputed:

- Goal-level findings (orphans, cascade gaps, not agreed, key-result weights, late children,
  SMART) of the written goal, of its parent and of its children where the change can move
  theirs, and the person-level ones (no goals, too many objectives, goal weights) of its
  owners (before and after) and of the head of an owning unit: IN THE TRANSACTION of the write,
  through the receivers that keep the rollups (`goals.receivers`). The parent is recomputed
  when a child comes, goes, closes, reopens or moves, or its key results' metric or target
  change; the children when the goal's cycle or its key results' due dates change, and on a
  retitle those found due after it (their text names it): a weight or state change of a
  department goal with 54 children recomputes one goal, not 56. Their inputs are read as
  rows, so this costs a few queries, and the review never disagrees with the goals as
  committed (a crash cannot commit one without the other).
- Cross-unit findings ("no goal of this sub-unit aligns to or supports a company goal"): ON
  COMMIT, once per transaction and cycle, only when their inputs moved (a goal created,
  deleted, closed or reopened, re-parented, moved to another owner, level or cycle; a support
  link; a unit or task-force membership). They depend on every goal of the cycle below a unit
  (the ancestor chains and support links of the whole cascade), so they are recomputed for the
  cycle from `values()` rows; a cascade that writes thirty goals in one transaction does it
  once instead of thirty times, and a key-result measurement (the common write) never does.
  If the process dies between the commit and the recompute, `rebuild_rollups` (hourly for open
  cycles, `refresh_open`) reports and repairs the drift.

`rebuild` computes every row from scratch (the whole cycle as one scope, read as `values_list`
rows into small objects; each check runs in the first language over every goal and in the
others over the goals it found something on), compares with the table and, with `fix`,
repairs it; `rollups.rebuild` calls it, so `manage.py rebuild_rollups`,
`check_numbers`, the hourly task and `seed_demo` include the findings.

Known limit: a finding's text names goals and people as they were when it was computed; a
person renamed or a parent goal retitled without another write to the goal shows the old name
until the next recompute or rebuild (which reports it as drift).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from goals import selectors_alignment as sa
from goals.models import AlignmentFinding, Cycle, Goal, GoalSettings, KeyResult
from org.models import Person, TaskForceMembership, Unit

RANK = {key: n for n, (key, _label, _fn) in enumerate(sa.CHECKS)}
GOAL_CHECKS: tuple[tuple[str, Callable], ...] = (
    ("orphans", sa.check_orphans),
    ("cascade_gaps", sa.check_cascade_gaps),
    ("not_agreed", sa.check_not_agreed),
    ("weights", sa.check_key_result_weights),
    ("late_children", sa.check_late_children),
    ("smart", sa.check_smart),
)
PERSON_CHECKS: tuple[tuple[str, Callable], ...] = (
    ("no_goals", sa.check_people_without_goals),
    ("too_many", sa.check_too_many_objectives),
    ("weights", sa.check_goal_weights),
)
GOAL_KINDS = tuple(k for k, _fn in GOAL_CHECKS)
PERSON_KINDS = tuple(k for k, _fn in PERSON_CHECKS)
CROSS_UNIT = "cross_unit"


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _worded_fields(run: Callable[[], list[tuple[str, sa.Finding, dict]]]) -> list[dict]:
    """Run `run` (the checks, giving (kind, finding, row fields)) once per language and give
    the fields of one row per finding, holding its text in each language."""
    by_language = {}
    for language in _languages():
        with translation.override(language):
            by_language[language] = run()
    first = by_language[_languages()[0]]
    rows = []
    seq: dict[tuple, int] = defaultdict(int)
    for n, (kind, finding, fields) in enumerate(first):
        goal_id = finding.goal.pk if finding.goal else None
        key = (kind, fields.get("cycle_id"), goal_id, fields.get("person_id"))
        rows.append(
            {
                "kind": kind,
                "rank": RANK[kind],
                "seq": seq[key],
                "message": {lang: found[n][1].message for lang, found in by_language.items()},
                **fields,
            }
        )
        seq[key] += 1
    return rows


def _worded(run: Callable[[], list[tuple[str, sa.Finding, dict]]]) -> list[AlignmentFinding]:
    return [AlignmentFinding(**fields) for fields in _worded_fields(run)]


def _goal_fields(finding: sa.Finding) -> dict:
    goal = finding.goal
    return {
        "cycle_id": goal.cycle_id,
        "goal_id": goal.pk,
        "owner_path": goal.owner_path,
        "sort_title": goal.title[:300],
    }


def _goal_rows(scope: sa.Scope) -> Callable[[], list]:
    """The goal-level checks, run once per language (`_worded_fields`). A goal's findings
    depend on the goal, its children, parent and key results, never on the other goals of the
    scope: after the first run the next ones check only the goals it found something on (in
    the scope's order, so they find the same findings in the same order)."""
    narrowed = scope

    def run():
        nonlocal narrowed
        found = [(kind, f, _goal_fields(f)) for kind, check in GOAL_CHECKS for f in check(narrowed)]
        ids = {f.goal.pk for _kind, f, _fields in found}
        narrowed = dataclasses.replace(scope, goals=[g for g in scope.goals if g.pk in ids])
        return found

    return run


def _person_rows(scopes: list[sa.Scope]) -> Callable[[], list]:
    def run():
        found = []
        for scope in scopes:
            people = {p.pk: p for p in scope.people}
            for kind, check in PERSON_CHECKS:
                for f in check(scope):
                    person_id = f.person.pk if f.person else f.goal.owner_person_id
                    person = people.get(person_id)
                    fields = {
                        "cycle_id": scope.cycle.pk,
                        "goal_id": f.goal.pk if f.goal else None,
                        "person_id": person_id,
                        "owner_path": f.goal.owner_path if f.goal else person.unit.path,
                        "sort_title": (person.display_name if person else f.goal.owner_name)[:300],
                    }
                    found.append((kind, f, fields))
        return found

    return run


# --- goal-level and person-level findings, in the transaction -----------------------------


def _goal_scope(goal_ids: set[int]) -> sa.Scope:
    """The goals (not closed) with their children, parents and key results, as the review's
    scope would hold them (as rows: a department goal's children bring a few thousand key
    results of their own children)."""
    cycles = {c.pk: c for c in Cycle.objects.all()}
    not_closed = ~Q(state=Goal.State.CLOSED)
    goals = [
        _Goal(row, cycles)
        for row in Goal.objects.filter(not_closed, pk__in=goal_ids)
        .order_by("level", "title", "pk")
        .values_list(*_Goal.FIELDS)
    ]
    # The children only count through their key results (cascade gaps): ids, not owners.
    children: dict[int, list[_Ref]] = defaultdict(list)
    kids = Goal.objects.filter(not_closed, parent_id__in=[g.pk for g in goals])
    for pk, parent_id in kids.order_by("pk").values_list("pk", "parent_id"):
        children[parent_id].append(_Ref(pk))
    parent_ids = {g.parent_id for g in goals if g.parent_id}
    parents = {
        g.pk: g
        for g in (
            _Goal(row, cycles)
            for row in Goal.objects.filter(pk__in=parent_ids).values_list(*_Goal.FIELDS)
        )
    }
    for goal in goals:
        goal.parent = parents.get(goal.parent_id)
    kids = [c for cs in children.values() for c in cs]
    krs = _kr_rows({g.pk for g in [*goals, *kids, *parents.values()]})
    return sa.Scope(
        unit=None,
        cycle=None,
        settings=None,
        units=[],
        people=[],
        goals=goals,
        children=dict(children),
        parents=parents,
        cross_unit=[],
        krs=dict(krs),
    )


def recompute_goals(goal_ids: Iterable[int]) -> None:
    """The goal-level findings of these goals (rows of goals since closed or deleted go)."""
    ids = {pk for pk in goal_ids if pk}
    if not ids:
        return
    scope = _goal_scope(ids)
    rows = _worded(_goal_rows(scope))
    AlignmentFinding.objects.filter(
        goal_id__in=ids, kind__in=GOAL_KINDS, person__isnull=True
    ).delete()
    AlignmentFinding.objects.bulk_create(rows)


def recompute_people(person_ids: Iterable[int], cycle_ids: Iterable[int] | None = None) -> None:
    """The person-level findings of these people in these cycles (every cycle by default)."""
    ids = {pk for pk in person_ids if pk}
    if not ids:
        return
    cycles = Cycle.objects.all() if cycle_ids is None else Cycle.objects.filter(pk__in=cycle_ids)
    cycles = list(cycles)
    people = list(
        Person.objects.filter(pk__in=ids, is_active=True)
        .select_related("unit")
        .only("display_name", "unit__name", "unit__path")
        .order_by("display_name", "pk")
    )
    headed = list(Unit.objects.filter(head_id__in=ids))
    goals = list(
        Goal.objects.select_related("owner_unit", "owner_person")
        .only(*sa.GOAL_FIELDS)
        .filter(cycle__in=cycles)
        .filter(Q(owner_person_id__in=ids) | Q(owner_unit__in=headed))
        .exclude(state=Goal.State.CLOSED)
        .order_by("level", "title", "pk")
    )
    by_cycle: dict[int, list[Goal]] = defaultdict(list)
    for goal in goals:
        by_cycle[goal.cycle_id].append(goal)
    goal_settings = GoalSettings.load()
    scopes = [
        sa.Scope(
            unit=None,
            cycle=cycle,
            settings=goal_settings,
            units=headed,
            people=people,
            goals=by_cycle.get(cycle.pk, []),
            children={},
            parents={},
            cross_unit=[],
        )
        for cycle in cycles
    ]
    rows = _worded(_person_rows(scopes))
    AlignmentFinding.objects.filter(
        person_id__in=ids, kind__in=PERSON_KINDS, cycle__in=cycles
    ).delete()
    AlignmentFinding.objects.bulk_create(rows)


# --- cross-unit findings, on commit ------------------------------------------------------


def _cascade(cycle: Cycle, not_closed: Q, covering) -> tuple[list, dict, dict, dict]:
    """The cycle's goals (not closed) as (id, parent id, owner path), each goal's parent up
    the whole ancestor chain (other cycles too), the support links of every goal of those
    chains, and the cross-unit goals that may be targets (by id)."""
    rows = list(
        Goal.objects.filter(not_closed, cycle=cycle).values_list("pk", "parent_id", "owner_path")
    )
    parent_of = {pk: parent for pk, parent, _path in rows}
    frontier = {p for p in parent_of.values() if p} - set(parent_of)
    while frontier:
        found = dict(Goal.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
        parent_of.update(found)
        frontier = {p for p in found.values() if p} - set(parent_of)
    ancestors = list(set(parent_of) - {r[0] for r in rows})
    links: dict[int, set[int]] = defaultdict(set)
    supported: set[int] = set()
    for src, dst in Goal.supports.through.objects.filter(
        Q(from_goal__cycle=cycle) | Q(from_goal_id__in=ancestors) | Q(to_goal__cycle=cycle)
    ).values_list("from_goal_id", "to_goal_id"):
        if src in parent_of:
            links[src].add(dst)
        supported.add(dst)
    targets = {
        g.pk: g
        for g in Goal.objects.select_related("owner_unit", "owner_person")
        .filter(not_closed)
        .filter(
            Q(level=Goal.Level.COMPANY, cycle__in=covering)
            | Q(pk__in=supported, owner_unit__isnull=False, cycle=cycle)
        )
    }
    return rows, parent_of, links, targets


def _served(rows, parent_of, links, targets, units, children) -> dict[int, set[int]]:
    """unit id → the targets some goal of its subtree serves (its chain, the chain's links)."""
    memo: dict[int, frozenset] = {}

    def reach(pk: int) -> frozenset:
        chain = []
        current = pk
        while current is not None and current not in memo and current not in chain:
            chain.append(current)
            current = parent_of.get(current)
        above = memo.get(current, frozenset()) if current is not None else frozenset()
        for gid in reversed(chain):
            # Most goals are no target and support nothing: they share their parent's set.
            own = links.get(gid)
            if gid in targets or own:
                above = above | (({gid} | (own or set())) & targets.keys())
            memo[gid] = above
        return memo[pk]

    by_path: dict[str, set[int]] = defaultdict(set)
    for pk, _parent, path in rows:
        by_path[path] |= reach(pk)
    served: dict[int, set[int]] = {}
    for unit in sorted(units, key=lambda u: -len(u.path)):
        mine = set(by_path.get(unit.path, ()))
        for child in children.get(unit.pk, ()):
            mine |= served.get(child.pk, set())
        served[unit.pk] = mine
    return served


def _cross_unit_findings(cycle: Cycle) -> list[tuple[Unit, Unit, Goal]]:
    """For every unit X, the checklist's cross-unit item of X's review: each cross-unit goal
    (the company's goals of the cycle and of the cycles covering it, and the goals of X's
    units (and of its people's task forces) that another goal supports) that one of X's direct
    sub-units (X itself without any) serves through none of its goals (their whole ancestor
    chains and what any goal of a chain supports). From `values()` rows, a few queries."""
    not_closed = ~Q(state=Goal.State.CLOSED)
    covering = Cycle.objects.filter(starts_on__lte=cycle.starts_on, ends_on__gte=cycle.ends_on)
    rows, parent_of, links, targets = _cascade(cycle, not_closed, covering)
    if not targets:
        return []
    units = list(Unit.objects.order_by("path"))
    children: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.parent_id:
            children[unit.parent_id].append(unit)
    served = _served(rows, parent_of, links, targets, units, children)
    members = list(
        TaskForceMembership.objects.filter(unit__kind=Unit.Kind.TASK_FORCE).values_list(
            "unit__path", "person__unit__path"
        )
    )
    covering_ids = set(covering.values_list("pk", flat=True))
    ordered = sorted(targets.values(), key=lambda g: (g.level, g.title, g.pk))
    found = []
    for unit in units:
        # The review of `unit` holds its subtree and the task forces its people belong to.
        prefixes = [unit.path] + [
            tf
            for tf, home in members
            if home and home.startswith(unit.path) and not tf.startswith(unit.path)
        ]
        mine = [
            g
            for g in ordered
            if (g.level == Goal.Level.COMPANY and g.cycle_id in covering_ids)
            or any(g.owner_path.startswith(p) for p in prefixes)
        ]
        for target in mine:
            for sub in children.get(unit.pk) or [unit]:
                if target.owner_unit_id != sub.pk and target.pk not in served[sub.pk]:
                    found.append((unit, sub, target))
    return found


def _cross_unit_fields(cycle: Cycle) -> list[dict]:
    found = _cross_unit_findings(cycle)  # once; worded in each language

    def run():
        return [
            (
                CROSS_UNIT,
                f,
                {
                    "cycle_id": cycle.pk,
                    "goal_id": f.goal.pk,
                    "unit_id": f.unit.pk,
                    "review_unit_id": review.pk,
                    "owner_path": f.unit.path,
                    "sort_title": f.goal.title[:300],
                },
            )
            for review, f in ((r, sa.cross_unit_finding(sub, t)) for r, sub, t in found)
        ]

    return _worded_fields(run)


def _cross_unit_rows(cycle: Cycle) -> list[AlignmentFinding]:
    return [AlignmentFinding(**fields) for fields in _cross_unit_fields(cycle)]


@transaction.atomic
def recompute_cross_unit(cycle_ids: Iterable[int]) -> None:
    for cycle in Cycle.objects.filter(pk__in=set(cycle_ids)):
        rows = _cross_unit_rows(cycle)
        AlignmentFinding.objects.filter(cycle=cycle, kind=CROSS_UNIT).delete()
        AlignmentFinding.objects.bulk_create(rows, batch_size=1000)


def cross_unit_on_commit(cycle_ids: Iterable[int]) -> None:
    """Recompute the cross-unit findings of these cycles when the transaction commits, once
    for all the cycles its writes named (at once outside a transaction). Each call registers a
    callback; the first to run recomputes every cycle pending on the connection and the others
    find nothing left (cycles left pending by a rolled-back transaction are recomputed with the
    next commit: extra work, never a wrong row)."""
    ids = {c for c in cycle_ids if c}
    if not ids:
        return
    conn = transaction.get_connection()
    pending = conn.__dict__.setdefault("_alignment_cross_unit", set())
    pending.update(ids)
    transaction.on_commit(lambda: _flush(conn))


def _flush(conn) -> None:
    ids = conn.__dict__.pop("_alignment_cross_unit", set())
    if ids:
        recompute_cross_unit(ids)


def cycles_covered_by(cycle_ids: Iterable[int]) -> set[int]:
    """The cycles whose review counts these cycles' company goals (the cycles they cover)."""
    ids = set(cycle_ids)
    found = set(ids)
    for start, end in Cycle.objects.filter(pk__in=ids).values_list("starts_on", "ends_on"):
        found |= set(
            Cycle.objects.filter(starts_on__gte=start, ends_on__lte=end).values_list(
                "pk", flat=True
            )
        )
    return found


# --- touching on write -------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def touch_goals(
    goal_ids: Iterable[int],
    *,
    owners: bool = True,
    people: Iterable[int | None] = (),
    units: Iterable[int | None] = (),
    cycles: Iterable[int | None] = (),
    cross: bool = False,
    parents: bool = True,
    children: bool | Iterable[int] = True,
) -> None:
    """A write changed these goals: recompute the goal-level findings of each, its parent and
    its children in the caller's transaction; with `owners`, the person-level ones of their
    owners (the owning person, the owning unit's head) and of `people` and the heads of
    `units` (where the goals were before) in their cycles and `cycles`; with `cross`, the
    cross-unit findings of those cycles (and of the cycles they cover) on commit.

    A writer that knows its change cannot move the parent's findings (a parent reads its
    children's existence, closing and key results: `goals.receivers`) passes `parents=False`;
    one that cannot move the children's (they read their parent's title, cycle and key-result
    due dates) passes `children=False`, or the ids of the children that can move."""
    ids = {pk for pk in goal_ids if pk}
    around = Q(pk__in=ids)
    if children is True:
        around |= Q(parent_id__in=ids)
    rows = list(
        Goal.objects.filter(around).values_list(
            "pk", "parent_id", "owner_person_id", "owner_unit__head_id", "cycle_id"
        )
    )
    touched = set(ids) if children in (True, False) else set(ids) | set(children)
    persons = set(people)
    cycle_ids = {c for c in cycles if c}
    for pk, parent_id, person_id, head_id, cycle_id in rows:
        touched.add(pk)
        if pk in ids:
            if parents:
                touched.add(parent_id)
            persons |= {person_id, head_id}
            cycle_ids.add(cycle_id)
    recompute_goals(touched)
    if owners:
        unit_ids = [u for u in units if u]
        if unit_ids:
            persons |= set(Unit.objects.filter(pk__in=unit_ids).values_list("head_id", flat=True))
        recompute_people(persons, cycle_ids)
    if cross:
        cross_unit_on_commit(cycles_covered_by(cycle_ids))


def open_cycle_ids() -> set[int]:
    return set(Cycle.objects.exclude(state=Cycle.State.CLOSED).values_list("pk", flat=True))


# --- rebuilding --------------------------------------------------------------------------


KEY_FIELDS = ("cycle_id", "kind", "goal_id", "person_id", "unit_id", "review_unit_id")
KEY_FIELDS += ("owner_path", "message")


def _key(fields: dict) -> tuple:
    """What a rebuild compares of a row (given its fields): all but its order on the page."""
    *rest, message = (fields.get(name) for name in KEY_FIELDS)
    return (*rest, tuple(sorted(message.items())))


# The rebuild reads a whole cycle (at 10,000 people ~40,000 goals and ~120,000 key results):
# from `values_list()` rows into these small objects, which have what the checks read of a goal,
# key result and person (the model instances were most of its time).


class _Ref:
    __slots__ = ("pk",)

    def __init__(self, pk: int) -> None:
        self.pk = pk


class _Goal:
    __slots__ = (
        "pk",
        "title",
        "kind",
        "level",
        "state",
        "weight",
        "cycle_id",
        "cycle",
        "parent_id",
        "parent",
        "owner_unit_id",
        "owner_person_id",
        "owner_name",
        "owner_path",
    )
    FIELDS = (
        "pk",
        "title",
        "kind",
        "level",
        "state",
        "weight",
        "cycle_id",
        "parent_id",
        "owner_unit_id",
        "owner_person_id",
        "owner_person__display_name",
        "owner_unit__name",
        "owner_path",
    )
    STATES = dict(Goal._meta.get_field("state").flatchoices)

    def __init__(self, row: tuple, cycles: dict[int, Cycle]) -> None:
        (
            self.pk,
            self.title,
            self.kind,
            self.level,
            self.state,
            self.weight,
            self.cycle_id,
            self.parent_id,
            self.owner_unit_id,
            self.owner_person_id,
            person_name,
            unit_name,
            self.owner_path,
        ) = row
        # Goal.owner_name: the owning person's name, else the owning unit's.
        self.owner_name = person_name if self.owner_person_id is not None else unit_name
        self.cycle = cycles[self.cycle_id]
        self.parent = None

    @property
    def owner_person(self) -> _Ref | None:
        return _Ref(self.owner_person_id) if self.owner_person_id is not None else None

    def get_state_display(self) -> str:
        return str(self.STATES.get(self.state, self.state))


_KR_FIELDS = ("goal_id", "name", "metric", "unit", "direction", "target_value", "weight")
_KR_FIELDS += ("due_on",)
_KR = namedtuple("_KR", _KR_FIELDS)


class _Person:
    __slots__ = ("pk", "display_name", "unit")

    def __init__(self, pk: int, display_name: str, unit: Unit) -> None:
        self.pk, self.display_name, self.unit = pk, display_name, unit


def _kr_rows(goals) -> dict[int, list[_KR]]:
    by_goal: dict[int, list[_KR]] = defaultdict(list)
    rows = KeyResult.objects.filter(goal_id__in=goals).order_by("goal_id", "position", "pk")
    for kr in map(_KR._make, rows.values_list(*_KR_FIELDS)):
        by_goal[kr.goal_id].append(kr)
    return by_goal


def _cycle_scope(cycle: Cycle) -> sa.Scope:
    """What `sa.load_scope(unit=<the whole organisation>, cycle=)` loads for the goal-level and
    person-level checks, as rows (tests/goals/test_alignment_findings.py holds the findings
    equal to those computed from `load_scope`)."""
    cycles = {c.pk: c for c in Cycle.objects.all()}
    units = list(Unit.objects.order_by("path"))
    unit_by_id = {u.pk: u for u in units}
    people = [
        _Person(pk, name, unit_by_id[unit_id])
        for pk, name, unit_id in Person.objects.filter(unit__isnull=False, is_active=True)
        .order_by("display_name", "pk")
        .values_list("pk", "display_name", "unit_id")
    ]
    not_closed = ~Q(state=Goal.State.CLOSED)
    in_scope = Goal.objects.filter(not_closed, cycle=cycle).filter(
        Q(owner_unit__isnull=False) | Q(owner_person__unit__isnull=False)
    )
    goals = [
        _Goal(row, cycles)
        for row in in_scope.order_by("level", "title", "pk").values_list(*_Goal.FIELDS)
    ]
    scope_ids = in_scope.values("pk")
    outside = [
        _Goal(row, cycles)
        for row in Goal.objects.filter(not_closed, parent_id__in=scope_ids)
        .exclude(pk__in=scope_ids)
        .values_list(*_Goal.FIELDS)
    ]
    children, parents, missing = sa.family(
        goals,
        outside,
        lambda pks: (
            _Goal(row, cycles) for row in Goal.objects.filter(pk__in=pks).values_list(*_Goal.FIELDS)
        ),
    )
    for goal in goals:
        if goal.parent_id:
            goal.parent = parents.get(goal.parent_id)
    krs = _kr_rows(scope_ids)
    krs.update(_kr_rows([*(g.pk for g in outside), *missing]))
    return sa.Scope(
        unit=Unit(path=""),
        cycle=cycle,
        settings=GoalSettings.load(),
        units=units,
        people=people,
        goals=goals,
        children=dict(children),
        parents=parents,
        cross_unit=[],
        krs=dict(krs),
    )


def compute_fields(cycle: Cycle) -> list[dict]:
    """Every finding of a cycle from scratch (the fields of its rows): the whole organisation
    as one review scope."""
    scope = _cycle_scope(cycle)
    return [
        *_worded_fields(_goal_rows(scope)),
        *_worded_fields(_person_rows([scope])),
        *_cross_unit_fields(cycle),
    ]


def compute(cycle: Cycle) -> list[AlignmentFinding]:
    return [AlignmentFinding(**fields) for fields in compute_fields(cycle)]


@dataclass
class FindingDrift:
    row: AlignmentFinding
    stored: bool  # True: stored but not found from scratch; False: missing from the table

    def __str__(self) -> str:
        what = "stale" if self.stored else "missing"
        r = self.row
        subject = f"goal {r.goal_id}" if r.goal_id else f"person {r.person_id}"
        return f"finding {what} × cycle {r.cycle_id}: {r.kind} {subject}: {r.text('en')}"


def rebuild(*, fix: bool = True, cycles=None) -> list[FindingDrift]:
    """Compare every row (of `cycles`, all by default) with a from-scratch computation; with
    `fix`, delete the stale rows and insert the missing ones."""
    cycles = list(Cycle.objects.all() if cycles is None else cycles)
    drift: list[FindingDrift] = []
    for cycle in cycles:
        computed: dict[tuple, list[dict]] = defaultdict(list)
        for fields in compute_fields(cycle):
            computed[_key(fields)].append(fields)
        stale = []
        for pk, *values in AlignmentFinding.objects.filter(cycle=cycle).values_list(
            "pk", *KEY_FIELDS
        ):
            stored = dict(zip(KEY_FIELDS, values, strict=True))
            same = computed.get(_key(stored))
            if same:
                same.pop()
            else:
                stale.append(AlignmentFinding(pk=pk, **stored))
        missing = [AlignmentFinding(**fields) for rows in computed.values() for fields in rows]
        drift += [FindingDrift(r, True) for r in stale] + [FindingDrift(r, False) for r in missing]
        if fix:
            AlignmentFinding.objects.filter(pk__in=[r.pk for r in stale]).delete()
            AlignmentFinding.objects.bulk_create(missing, batch_size=1000)
    return drift
