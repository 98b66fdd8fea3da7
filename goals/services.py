"""Writes over goals. Every function is one business action, transactional and validated.

Other apps call these (never write goal models directly). The signatures of
`record_measurement` and `recompute_progress_upwards` are a contract other apps depend on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal, KeyResult, Measurement
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


def recompute_progress_upwards(goal: Goal) -> None:
    """Recompute a goal's progress and then each ancestor's, in the caller's transaction:
    O(depth) small queries, never the whole tree."""
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


@transaction.atomic
def record_measurement(
    *,
    key_result: KeyResult,
    value,
    source: str,
    recorded_by: Person | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Measurement:
    """Record a new value for a key result: history row, current value, progress of the key
    result, its goal and every goal it aligns to."""
    value = parse_value(value)
    if source not in Measurement.Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    key_result = KeyResult.objects.select_for_update().select_related("goal").get(pk=key_result.pk)
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
    recompute_progress_upwards(key_result.goal)
    return measurement


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
    goal.full_clean()
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
        kr = KeyResult(goal=goal, position=position, **data)
        if "current_value" not in data:
            kr.current_value = kr.start_value
        _validate_key_result(kr)
        kr.progress = kr.compute_progress()
        kr.save()
    recompute_progress_upwards(goal)
    return goal
