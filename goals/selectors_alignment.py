"""The HRBP goal-alignment checklist for a unit (with its subtree) and a cycle.

`load_scope(unit=, cycle=)` reads everything once (a fixed number of queries whatever the size
of the subtree); each `check_*` function computes one checklist item from the scope in memory
and returns `Finding`s that link to the goal (or person, or unit) concerned. The page and the
CSV export both call `alignment_checklist()`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals import smart
from goals.models import Cycle, Goal, GoalSettings, KeyResult, fmt_number
from org.models import Person, TaskForceMembership, Unit

# Not yet agreed: the alignment check reports these.
NOT_AGREED_STATES = (Goal.State.DRAFT, Goal.State.PROPOSED, Goal.State.RETURNED)
HUNDRED = Decimal("100")
ONE = Decimal("1")


@dataclass
class Finding:
    message: str
    goal: Goal | None = None
    person: Person | None = None
    unit: Unit | None = None


@dataclass
class Scope:
    unit: Unit
    cycle: Cycle
    settings: GoalSettings
    units: list[Unit]
    people: list[Person]
    goals: list[Goal]  # goals of the cycle owned in the subtree, key results prefetched
    children: dict[int, list[Goal]]  # parent id → child goals (any owner), key results prefetched
    parents: dict[int, Goal]  # id → parent goals of scope goals (outside the scope too)
    cross_unit: list[Goal]  # company goals of the cycle (and covering cycles) and supported goals
    links: dict[int, set[int]] = field(default_factory=dict)  # goal id → goals it supports
    krs: dict[int, list[KeyResult]] = field(default_factory=dict)  # goal id → its key results
    # Task forces outside the subtree that people of the subtree belong to: their goals are
    # reviewed with the subtree's (those inside it are among `units` already).
    task_forces: list[Unit] = field(default_factory=list)


# What the checks read, and no more: at 2,000 people the scope is ~8,000 goals and ~25,000 key
# results, and building full model instances (and one prefetch queryset per goal) was most of
# the page's time.
GOAL_FIELDS = (
    "title",
    "kind",
    "level",
    "state",
    "weight",
    "cycle",
    "parent",
    "owner_unit",
    "owner_person",
    "owner_unit__name",
    "owner_person__display_name",
    "owner_person__unit",
    "owner_path",
)
KR_FIELDS = (
    "goal",
    "name",
    "metric",
    "unit",
    "direction",
    "target_value",
    "weight",
    "due_on",
    "position",
)


def _key_results(goal_ids) -> dict[int, list[KeyResult]]:
    by_goal: dict[int, list[KeyResult]] = defaultdict(list)
    rows = KeyResult.objects.filter(goal_id__in=goal_ids).only(*KR_FIELDS)
    for kr in rows.order_by("goal_id", "position", "pk"):
        by_goal[kr.goal_id].append(kr)
    return by_goal


def family(goals: list, outside: list, load) -> tuple[dict[int, list], dict[int, object], set]:
    """A scope's goals linked up: the children of each of its goals (its own and those below
    it from outside), sorted as the checks read them; the parents of its goals, those outside
    the scope read by `load(ids)`; and the ids of those outside parents. Goals may be model
    objects (the review page) or rows (the findings' rebuild)."""
    by_id = {g.pk: g for g in goals}
    children: dict[int, list] = defaultdict(list)
    for child in [*goals, *outside]:
        if child.parent_id in by_id:
            children[child.parent_id].append(child)
    for siblings in children.values():
        siblings.sort(key=lambda g: (g.level, g.title, g.pk))
    parent_ids = {g.parent_id for g in goals if g.parent_id}
    parents = {pk: by_id[pk] for pk in parent_ids if pk in by_id}
    missing = parent_ids - set(parents)
    if missing:
        parents.update({g.pk: g for g in load(missing)})
    return children, parents, missing


def _load_ancestors(parents: dict[int, Goal], base) -> None:
    """Add the rest of the ancestor chain above the loaded parents (one query per level, the
    cascade is a handful of levels deep): a sub-unit's goals serve the company's goals through
    goals outside the review, and a review must reach them to agree with its parent unit's."""
    frontier = {g.parent_id for g in parents.values() if g.parent_id} - set(parents)
    while frontier:
        found = {g.pk: g for g in base.filter(pk__in=frontier)}
        if not found:
            return
        parents.update(found)
        frontier = {g.parent_id for g in found.values() if g.parent_id} - set(parents)


def load_scope(*, unit: Unit, cycle: Cycle) -> Scope:
    units = list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))
    # The task forces the subtree's people belong to count in its review: their goals are
    # the work of its people, wherever the task force sits in the tree.
    task_forces = list(
        Unit.objects.filter(
            kind=Unit.Kind.TASK_FORCE,
            pk__in=TaskForceMembership.objects.filter(
                person__unit__path__startswith=unit.path
            ).values("unit_id"),
        )
        .exclude(path__startswith=unit.path)
        .order_by("path")
    )
    units += task_forces
    unit_ids = [u.pk for u in units]
    people = list(
        Person.objects.filter(unit_id__in=unit_ids, is_active=True)
        .select_related("unit")
        .only("display_name", "unit__name", "unit__path")
        .order_by("display_name", "pk")
    )
    # Each goal is built once: the children and parents found among the scope's own goals are
    # reused, and `parent` is attached from those rows instead of joined per goal (at 2,000
    # people this halves the objects the checklist builds).
    base = Goal.objects.select_related("owner_unit", "owner_person").only(*GOAL_FIELDS)
    in_scope = (
        base.filter(cycle=cycle)
        .filter(Q(owner_unit_id__in=unit_ids) | Q(owner_person__unit_id__in=unit_ids))
        .exclude(state=Goal.State.CLOSED)
    )
    goals = list(in_scope.order_by("level", "title", "pk"))
    scope_ids = in_scope.values("pk")  # a subquery: no list of thousands of ids to send
    for goal in goals:
        goal.cycle = cycle  # the one cycle, not joined per row
    ids = [g.pk for g in goals]
    by_id = {g.pk: g for g in goals}
    outside = list(
        base.select_related("cycle")
        .filter(parent_id__in=scope_ids)
        .exclude(pk__in=scope_ids)
        .exclude(state=Goal.State.CLOSED)
    )
    children, parents, missing = family(
        goals, outside, lambda pks: base.select_related("cycle").filter(pk__in=pks)
    )
    _load_ancestors(parents, base.select_related("cycle"))
    for goal in [*goals, *outside]:
        if goal.parent_id:
            parent = parents.get(goal.parent_id) or by_id.get(goal.parent_id)
            if parent is not None:
                goal.parent = parent
    krs = _key_results(scope_ids)
    krs.update(_key_results([*(g.pk for g in outside), *missing]))
    covering = Cycle.objects.filter(starts_on__lte=cycle.starts_on, ends_on__gte=cycle.ends_on)
    through = Goal.supports.through
    # What the scope's goals support, and what every goal of their ancestor chains supports
    # (the chain's goals above the scope serve cross-unit goals through their links too: without
    # them a department's review found its teams serving nothing the division's goal supports,
    # which the division's review, holding that goal, found served).
    link_rows = list(
        through.objects.filter(
            Q(from_goal_id__in=ids)
            | Q(from_goal_id__in=[pk for pk in parents if pk not in by_id])
            | Q(to_goal__owner_unit_id__in=unit_ids)
        ).values_list("from_goal_id", "to_goal_id")
    )
    links: dict[int, set[int]] = defaultdict(set)
    for src, dst in link_rows:
        links[src].add(dst)
    supported_ids = {dst for _src, dst in link_rows}
    cross_unit = list(
        Goal.objects.select_related("owner_unit", "owner_person")
        .filter(
            Q(level=Goal.Level.COMPANY, cycle__in=covering)
            | Q(pk__in=supported_ids, owner_unit_id__in=unit_ids, cycle=cycle)
        )
        .exclude(state=Goal.State.CLOSED)
        .order_by("level", "title", "pk")
    )
    return Scope(
        unit=unit,
        cycle=cycle,
        settings=GoalSettings.load(),
        units=units,
        people=people,
        goals=goals,
        children=dict(children),
        parents=parents,
        cross_unit=cross_unit,
        links=dict(links),
        krs=dict(krs),
        task_forces=task_forces,
    )


# --- one function per checklist item ----------------------------------------------------------


def check_orphans(scope: Scope) -> list[Finding]:
    """Goals below company level that align to nothing."""
    text = _("“%(goal)s” (%(owner)s) is not aligned to any goal above it.")  # once per run
    return [
        Finding(
            text % {"goal": g.title, "owner": g.owner_name},
            goal=g,
        )
        for g in scope.goals
        if g.level != Goal.Level.COMPANY and g.parent_id is None
    ]


def check_cascade_gaps(scope: Scope) -> list[Finding]:
    """For every key result with a metric, the children's key results of the same metric add
    up to less than its target (only where the children carry that metric at all)."""
    found = []
    for g in scope.goals:
        kids = scope.children.get(g.pk, [])
        if not kids:
            continue
        for kr in scope.krs.get(g.pk, ()):
            if not kr.metric or kr.direction != KeyResult.Direction.INCREASE:
                continue
            child_krs = [
                c for child in kids for c in scope.krs.get(child.pk, ()) if c.metric == kr.metric
            ]
            if not child_krs:
                continue
            carried = sum((c.target_value for c in child_krs), Decimal("0"))
            if carried < kr.target_value:
                found.append(
                    Finding(
                        _(
                            "“%(goal)s”: %(kr)s targets %(target)s but its %(n)s child "
                            "goal(s) carry %(carried)s: a gap of %(gap)s."
                        )
                        % {
                            "goal": g.title,
                            "kr": kr.name,
                            "target": fmt_number(kr.target_value),
                            "n": len({c.goal_id for c in child_krs}),
                            "carried": fmt_number(carried),
                            "gap": fmt_number(kr.target_value - carried),
                        },
                        goal=g,
                    )
                )
    return found


def check_not_agreed(scope: Scope) -> list[Finding]:
    text = _("“%(goal)s” (%(owner)s) is %(state)s, not agreed.")
    return [
        Finding(
            text % {"goal": g.title, "owner": g.owner_name, "state": g.get_state_display().lower()},
            goal=g,
        )
        for g in scope.goals
        if g.state in NOT_AGREED_STATES
    ]


def check_people_without_goals(scope: Scope) -> list[Finding]:
    """Active people of the subtree who own no goal in the cycle (a unit head whose unit owns
    one counts as having a goal)."""
    owners = {g.owner_person_id for g in scope.goals if g.owner_person_id}
    unit_goal_ids = {g.owner_unit_id for g in scope.goals if g.owner_unit_id}
    owners |= {u.head_id for u in scope.units if u.pk in unit_goal_ids and u.head_id}
    text = _("%(person)s (%(unit)s) has no goal in %(cycle)s.")
    return [
        Finding(
            text % {"person": p.display_name, "unit": p.unit.name, "cycle": scope.cycle.name},
            person=p,
        )
        for p in scope.people
        if p.pk not in owners
    ]


def check_too_many_objectives(scope: Scope) -> list[Finding]:
    limit = scope.settings.max_objectives_per_person
    counts: dict[int, int] = defaultdict(int)
    first: dict[int, Goal] = {}
    for g in scope.goals:
        if g.owner_person_id and g.kind == Goal.Kind.OBJECTIVE:
            counts[g.owner_person_id] += 1
            first.setdefault(g.owner_person_id, g)
    people = {p.pk: p for p in scope.people}
    return [
        Finding(
            _("%(person)s has %(n)s objectives; the limit is %(limit)s.")
            % {"person": first[pid].owner_name, "n": n, "limit": limit},
            goal=first[pid],
            person=people.get(pid),
        )
        for pid, n in counts.items()
        if n > limit
    ]


def weights_add_up(weights: list[Decimal]) -> bool:
    """Weights add up when they are all equal (relative weights) or sum to 1 or to 100 (shares
    or percentages). All zero means nothing counts."""
    if not weights:
        return True
    total = sum(weights, Decimal("0"))
    if total == 0:
        return False
    if len(set(weights)) == 1:
        return True
    return total in (ONE, HUNDRED)


def check_key_result_weights(scope: Scope) -> list[Finding]:
    """Each goal's key results."""
    found = []
    for g in scope.goals:
        weights = [kr.weight for kr in scope.krs.get(g.pk, ())]
        if not weights_add_up(weights):
            found.append(
                Finding(
                    _("The key result weights of “%(goal)s” add up to %(total)s.")
                    % {"goal": g.title, "total": fmt_number(sum(weights, Decimal("0")))},
                    goal=g,
                )
            )
    return found


def check_goal_weights(scope: Scope) -> list[Finding]:
    """Each person's goals in the cycle."""
    found = []
    by_person: dict[int, list[Goal]] = defaultdict(list)
    for g in scope.goals:
        if g.owner_person_id:
            by_person[g.owner_person_id].append(g)
    for goals in by_person.values():
        weights = [g.weight for g in goals]
        if not weights_add_up(weights):
            found.append(
                Finding(
                    _("The weights of %(person)s's goals add up to %(total)s.")
                    % {
                        "person": goals[0].owner_name,
                        "total": fmt_number(sum(weights, Decimal("0"))),
                    },
                    goal=goals[0],
                    person=goals[0].owner_person,
                )
            )
    return found


def check_weights(scope: Scope) -> list[Finding]:
    """Each goal's key results, then each person's goals in the cycle."""
    return check_key_result_weights(scope) + check_goal_weights(scope)


def due_date(goal: Goal, key_results: list[KeyResult]) -> dt.date:
    """When a goal is due: its latest key result due date, else the end of its cycle."""
    dates = [kr.due_on for kr in key_results if kr.due_on]
    return max(dates) if dates else goal.cycle.ends_on


def check_late_children(scope: Scope) -> list[Finding]:
    found = []
    for g in scope.goals:
        parent = scope.parents.get(g.parent_id) if g.parent_id else None
        if parent is None:
            continue
        mine = due_date(g, scope.krs.get(g.pk, ()))
        theirs = due_date(parent, scope.krs.get(parent.pk, ()))
        if mine > theirs:
            found.append(
                Finding(
                    _("“%(goal)s” is due %(due)s, after its parent “%(parent)s” (%(pdue)s).")
                    % {"goal": g.title, "due": mine, "parent": parent.title, "pdue": theirs},
                    goal=g,
                )
            )
    return found


def failing_letters(goal: Goal, key_results: list[KeyResult]) -> list[tuple[str, str]]:
    """The SMART letters a goal fails, from data already loaded (achievable only ever warns,
    so it is not part of this check). Most goals fail none: each letter is first tested with
    its check's FAIL condition (`smart.title_too_short`...), and only a failing one is worded."""
    failing = [
        letter
        for letter, fails in (
            ("specific", smart.title_too_short(goal.title)),
            ("measurable", smart.unmeasurable([kr.target_value for kr in key_results])),
            (
                "relevant",
                smart.misaligned(level=goal.level, parent=goal.parent, cycle=goal.cycle),
            ),
            ("time_bound", smart.due_outside([kr.due_on for kr in key_results], cycle=goal.cycle)),
        )
        if fails
    ]
    if not failing:
        return []
    krs = [
        {
            "name": kr.name,
            "metric": kr.metric,
            "unit": kr.unit,
            "direction": kr.direction,
            "target_value": kr.target_value,
            "due_on": kr.due_on,
        }
        for kr in key_results
    ]
    check = {
        "specific": lambda: smart.check_specific(goal.title),
        "measurable": lambda: smart.check_measurable(krs),
        "relevant": lambda: smart.check_relevant(
            level=goal.level, parent=goal.parent, cycle=goal.cycle
        ),
        "time_bound": lambda: smart.check_time_bound(krs, cycle=goal.cycle),
    }
    verdicts = {letter: check[letter]() for letter in failing}
    return [(letter, v.message) for letter, v in verdicts.items() if v.status == smart.FAIL]


SMART_LABELS = {
    "specific": gettext_lazy("Specific"),
    "measurable": gettext_lazy("Measurable"),
    "relevant": gettext_lazy("Relevant"),
    "time_bound": gettext_lazy("Time-bound"),
}


def check_smart(scope: Scope) -> list[Finding]:
    found = []
    text = _("“%(goal)s” fails %(letter)s: %(message)s")
    for g in scope.goals:
        for letter, message in failing_letters(g, scope.krs.get(g.pk, ())):
            found.append(
                Finding(
                    text % {"goal": g.title, "letter": SMART_LABELS[letter], "message": message},
                    goal=g,
                )
            )
    return found


def _chain(goal_id: int, by_id: dict[int, Goal]) -> set[int]:
    """The goal and its ancestors as far as they are loaded."""
    seen: set[int] = set()
    current = by_id.get(goal_id)
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        current = by_id.get(current.parent_id) if current.parent_id else None
    if goal_id not in seen:
        seen.add(goal_id)
    return seen


def check_unsupported_cross_unit(scope: Scope) -> list[Finding]:
    """Cross-unit goals (the company's goals for the cycle, and goals of the subtree that other
    units' goals support) that a unit of the review has nothing aligned to or supporting: the
    units checked are the reviewed unit's direct sub-units (or the unit itself without any)."""
    if not scope.cross_unit:
        return []
    by_id = {**scope.parents, **{g.pk: g for g in scope.goals}}
    for kids in scope.children.values():
        for kid in kids:
            by_id.setdefault(kid.pk, kid)
    paths = {u.pk: u.path for u in scope.units}
    subunits = [u for u in scope.units if u.parent_id == scope.unit.pk] or [scope.unit]
    # unit → every goal id its goals serve (ancestors and supported goals)
    served: dict[int, set[int]] = defaultdict(set)
    for g in scope.goals:
        owner_unit_id = g.owner_unit_id or g.owner_person.unit_id
        path = paths.get(owner_unit_id, "")
        reach = _chain(g.pk, by_id)
        for gid in list(reach):
            reach |= scope.links.get(gid, set())
        for sub in subunits:
            if path.startswith(sub.path):
                served[sub.pk] |= reach
    found = []
    for target in scope.cross_unit:
        for sub in subunits:
            if target.owner_unit_id == sub.pk:
                continue
            if target.pk not in served[sub.pk]:
                found.append(cross_unit_finding(sub, target))
    return found


def cross_unit_finding(sub: Unit, target: Goal) -> Finding:
    return Finding(
        _("No goal of %(unit)s aligns to or supports “%(goal)s” (%(owner)s).")
        % {"unit": sub.name, "goal": target.title, "owner": target.owner_name},
        goal=target,
        unit=sub,
    )


CHECKS = (
    ("orphans", gettext_lazy("Orphan goals"), check_orphans),
    ("cascade_gaps", gettext_lazy("Cascade gaps"), check_cascade_gaps),
    ("not_agreed", gettext_lazy("Goals not agreed"), check_not_agreed),
    ("no_goals", gettext_lazy("People without goals"), check_people_without_goals),
    ("too_many", gettext_lazy("Too many objectives"), check_too_many_objectives),
    ("weights", gettext_lazy("Weights not adding up"), check_weights),
    ("late_children", gettext_lazy("Child due after parent"), check_late_children),
    ("smart", gettext_lazy("Failing SMART checks"), check_smart),
    ("cross_unit", gettext_lazy("Cross-unit goals without support"), check_unsupported_cross_unit),
)


@dataclass
class ChecklistItem:
    key: str
    label: str
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


def alignment_checklist(*, unit: Unit, cycle: Cycle) -> tuple[Scope, list[ChecklistItem]]:
    scope = load_scope(unit=unit, cycle=cycle)
    return scope, [ChecklistItem(key, str(label), fn(scope)) for key, label, fn in CHECKS]


def findings_summary(items: list[ChecklistItem]) -> dict[str, int]:
    return {item.key: len(item.findings) for item in items}


# --- the review read from the findings table (goals.models.AlignmentFinding) -------------------

FINDINGS_PER_PAGE = 50


def review_task_forces(unit: Unit) -> list[Unit]:
    """The task forces outside the subtree that its people belong to: their goals are reviewed
    with the subtree's (one query)."""
    return list(
        Unit.objects.filter(
            kind=Unit.Kind.TASK_FORCE,
            pk__in=TaskForceMembership.objects.filter(
                person__unit__path__startswith=unit.path
            ).values("unit_id"),
        )
        .exclude(path__startswith=unit.path)
        .order_by("path")
    )


def review_findings(*, unit: Unit, cycle: Cycle, task_forces=()):
    """The findings of the review of `unit` (its subtree and `task_forces`) in `cycle`, in
    checklist order: the subtree's by `owner_path LIKE 'path%'`, the cross-unit ones by the
    unit whose review checks them."""
    from goals.models import AlignmentFinding

    in_subtree = Q(owner_path__startswith=unit.path)
    for task_force in task_forces:
        in_subtree |= Q(owner_path__startswith=task_force.path)
    return (
        AlignmentFinding.objects.filter(cycle=cycle)
        .filter((in_subtree & Q(review_unit__isnull=True)) | Q(review_unit=unit))
        .order_by("rank", "sort_title", "goal_id", "person_id", "seq", "pk")
    )


def findings_counts(findings) -> dict[str, int]:
    """{check key: findings} for every check (one aggregate query)."""
    counts = dict.fromkeys((key for key, _label, _fn in CHECKS), 0)
    for row in findings.order_by().values("kind").annotate(n=models.Count("pk")):
        counts[row["kind"]] = row["n"]
    return counts


@dataclass
class PagedFinding:
    message: str
    goal_id: int | None
    person_id: int | None


@dataclass
class ReviewItem:
    key: str
    label: str
    count: int  # findings of the check in the whole review
    findings: list[PagedFinding]  # those on this page
    first_page: int  # the page its findings start on

    @property
    def ok(self) -> bool:
        return not self.count


@dataclass
class ReviewPage:
    items: list[ReviewItem]
    counts: dict[str, int]
    number: int
    pages: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def review_page(*, unit: Unit, cycle: Cycle, task_forces=(), page: int = 1) -> ReviewPage:
    """One page of the review (FINDINGS_PER_PAGE findings) and the count of every check: two
    queries whatever the size of the subtree."""
    findings = review_findings(unit=unit, cycle=cycle, task_forces=task_forces)
    counts = findings_counts(findings)
    total = sum(counts.values())
    pages = max(1, -(-total // FINDINGS_PER_PAGE))
    number = min(max(1, page), pages)
    start = (number - 1) * FINDINGS_PER_PAGE
    rows = findings.only("kind", "goal_id", "person_id", "message")[
        start : start + FINDINGS_PER_PAGE
    ]
    on_page: dict[str, list[PagedFinding]] = defaultdict(list)
    for row in rows:
        on_page[row.kind].append(PagedFinding(row.text(), row.goal_id, row.person_id))
    items, seen = [], 0
    for key, label, _fn in CHECKS:
        first = seen // FINDINGS_PER_PAGE + 1
        items.append(ReviewItem(key, str(label), counts[key], on_page.get(key, []), first))
        seen += counts[key]
    return ReviewPage(items, counts, number, pages)
