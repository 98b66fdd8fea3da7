"""Core writes: measurements, progress rollup and goal creation.

Other apps call these (never write goal models directly). The signatures of
`record_measurement` and `recompute_progress_upwards` are a contract other apps depend on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal, KeyResult, Measurement
from org.history import records_actor
from org.models import Person

MAX_VALUE = Decimal("1e15")


def parse_value(raw, *, field: str = "value") -> Decimal:
    """A measured value from user input, or a ValidationError naming the field."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not value.is_finite():
        raise ValidationError({field: _("Enter a finite number.")})
    if abs(value) >= MAX_VALUE:
        raise ValidationError({field: _("This number is too large.")})
    return value.quantize(Decimal("0.0001"))


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


@records_actor(param="recorded_by")
@transaction.atomic
def record_measurement(
    *,
    key_result: KeyResult,
    value,
    source: str,
    recorded_by: Person | None = None,
    note: str = "",
    at: dt.datetime | None = None,
    recompute: bool = True,
) -> Measurement:
    """Record a new value for a key result: history row, current value, progress of the key
    result, its goal and every goal it aligns to. `recompute=False` leaves the goals to the
    caller, which records several values and then calls refresh_progress once."""
    value = parse_value(value)
    if source not in Measurement.Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    key_result = (
        KeyResult.objects.select_for_update(of=("self",))
        .select_related("goal")
        .get(pk=key_result.pk)
    )
    if key_result.goal.state == Goal.State.CLOSED:
        raise ValidationError(_("This goal is closed; its key results can no longer change."))
    measurement = Measurement.objects.create(
        key_result=key_result,
        value=value,
        recorded_at=at or timezone.now(),
        source=source,
        note=note,
        recorded_by=recorded_by,
    )
    key_result.current_value = value
    key_result.progress = key_result.compute_progress(value)
    key_result.save(update_fields=["current_value", "progress", "updated_at"])
    if recompute:
        recompute_progress_upwards(key_result.goal)
    return measurement


@records_actor(param="recorded_by")
@transaction.atomic
def record_measurements(
    *,
    values: list[tuple[KeyResult, object, str]],
    source: str,
    recorded_by: Person | None = None,
    at: dt.datetime | None = None,
    recompute: bool = True,
) -> list[Measurement]:
    """`record_measurement` for several key results at once (a check-in's updates): the key
    results are locked in one query (in id order, so two writers never deadlock), the
    measurements inserted in one statement, each key result saved (its history row kept) and
    each goal touched recomputed up the cascade once, not once per key result, with the chains
    locked in id order first (`refresh_progress`). `recompute=False` leaves that to the caller
    (a check-in rolls up last, see `submit_check_in`)."""
    if source not in Measurement.Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    parsed = [(kr.pk, parse_value(value), note) for kr, value, note in values]
    locked = {
        kr.pk: kr
        for kr in KeyResult.objects.select_for_update()
        .select_related("goal")
        .filter(pk__in=[pk for pk, _v, _n in parsed])
        .order_by("pk")
    }
    if any(kr.goal.state == Goal.State.CLOSED for kr in locked.values()):
        raise ValidationError(_("This goal is closed; its key results can no longer change."))
    when = at or timezone.now()
    measurements = Measurement.objects.bulk_create(
        Measurement(
            key_result=locked[pk],
            value=value,
            recorded_at=when,
            source=source,
            note=note,
            recorded_by=recorded_by,
        )
        for pk, value, note in parsed
    )
    goals: dict[int, Goal] = {}
    for pk, value, _note in parsed:
        key_result = locked[pk]
        key_result.current_value = value
        key_result.progress = key_result.compute_progress(value)
        key_result.save(update_fields=["current_value", "progress", "updated_at"])
        goals.setdefault(key_result.goal_id, key_result.goal)
    if recompute:
        refresh_progress(goals)
    return measurements


def _validate_key_result(kr: KeyResult) -> None:
    try:
        kr.full_clean(exclude=["goal"])
    except ValidationError as exc:
        raise ValidationError(
            {f"key_results.{key}": msgs for key, msgs in exc.message_dict.items()}
        ) from None
    cycle = kr.goal.cycle
    if kr.due_on and not cycle.contains(kr.due_on):
        raise ValidationError(
            {"key_results.due_on": _("The due date must fall within the goal's cycle.")}
        )


KEY_RESULT_FIELDS = {
    "name",
    "metric",
    "unit",
    "direction",
    "start_value",
    "target_value",
    "current_value",
    "weight",
    "due_on",
    "milestones",
}


def _clean_kr_data(data: dict) -> dict:
    unknown = set(data) - KEY_RESULT_FIELDS - {"id"}
    if unknown:
        raise ValidationError(
            {
                "key_results": _("Unknown key result fields: %(fields)s")
                % {"fields": ", ".join(sorted(unknown))}
            }
        )
    clean = {k: v for k, v in data.items() if k != "id"}
    for field in ("start_value", "target_value", "current_value"):
        if field in clean and clean[field] is not None:
            clean[field] = parse_value(clean[field], field=f"key_results.{field}")
    if "target_value" not in clean or clean["target_value"] is None:
        raise ValidationError({"key_results.target_value": _("Every key result needs a target.")})
    if "weight" in clean:
        clean["weight"] = parse_weight(clean["weight"], field="key_results.weight")
    milestones = clean.get("milestones") or []
    if not isinstance(milestones, list):
        raise ValidationError({"key_results.milestones": _("Milestones are a list.")})
    checked = []
    for stone in milestones:
        try:
            day = dt.date.fromisoformat(str(stone["date"]))
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                {"key_results.milestones": _("Each milestone needs a date (YYYY-MM-DD).")}
            ) from None
        value = parse_value(stone.get("value"), field="key_results.milestones")
        checked.append({"date": day.isoformat(), "value": str(value)})
    if "milestones" in clean:
        clean["milestones"] = sorted(checked, key=lambda m: m["date"])
    return clean


def parse_weight(raw, *, field: str = "weight") -> Decimal:
    """A non-negative weight with at most three decimals."""
    value = parse_value(raw, field=field)
    if value < 0:
        raise ValidationError({field: _("A weight cannot be negative.")})
    if value >= Decimal("100000"):
        raise ValidationError({field: _("This number is too large.")})
    return value.quantize(Decimal("0.001"))


def _check_owner(*, actor: Person | None, goal: Goal) -> None:
    """The level matches the kind of owner, and the actor may set goals for that owner."""
    from org import permissions

    if goal.level == Goal.Level.PERSON and not goal.owner_person_id:
        raise ValidationError({"owner_person": _("A personal goal is owned by a person.")})
    if goal.level != Goal.Level.PERSON and not goal.owner_unit_id:
        raise ValidationError({"owner_unit": _("A company or unit goal is owned by a unit.")})
    if goal.level == Goal.Level.COMPANY and goal.owner_unit.parent_id is not None:
        raise ValidationError({"owner_unit": _("A company goal is owned by the top unit.")})
    if actor is not None and not permissions.can_assign_to(
        actor, person=goal.owner_person, unit=goal.owner_unit
    ):
        raise PermissionDenied(_("You may not set goals for this owner."))


@records_actor
@transaction.atomic
def create_goal(
    *,
    actor: Person | None,
    cycle,
    title: str,
    level: str,
    owner_person: Person | None = None,
    owner_unit=None,
    kind: str = Goal.Kind.OBJECTIVE,
    parent: Goal | None = None,
    description: str = "",
    category: str = "",
    priority: str = Goal.Priority.CORE,
    commitment: str = Goal.Commitment.COMMITTED,
    weight=Decimal("1"),
    visibility: str = Goal.Visibility.PUBLIC,
    key_results: list[dict] | None = None,
) -> Goal:
    """Create a draft goal with its key results (dicts of KeyResult fields: name, target_value,
    start_value, unit, direction, weight, due_on, metric, milestones). Validated as a whole:
    nothing is saved when any part is invalid."""
    goal = Goal(
        cycle=cycle,
        title=title,
        level=level,
        owner_person=owner_person,
        owner_unit=owner_unit,
        kind=kind,
        parent=parent,
        description=description,
        category=category,
        priority=priority,
        commitment=commitment,
        weight=weight,
        visibility=visibility,
        created_by=actor,
        initiated_by=actor,
    )
    _check_owner(actor=actor, goal=goal)
    goal.full_clean()
    if cycle.state == cycle.State.CLOSED:
        raise ValidationError({"cycle": _("This cycle is closed; goals can no longer be added.")})
    if parent is not None and not parent.cycle.covers(cycle):
        raise ValidationError(
            {"parent": _("The parent goal's cycle must cover this goal's cycle.")}
        )
    key_results = key_results or []
    if kind == Goal.Kind.KPI and len(key_results) != 1:
        raise ValidationError(
            {"key_results": _("A KPI has exactly one key result: its indicator.")}
        )
    goal.save()
    for position, data in enumerate(key_results):
        kr = KeyResult(goal=goal, position=position, **_clean_kr_data(data))
        if "current_value" not in data:
            kr.current_value = kr.start_value
        _validate_key_result(kr)
        kr.progress = kr.compute_progress()
        kr.save()
    recompute_progress_upwards(goal)
    return goal


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
