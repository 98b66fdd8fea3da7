"""Core writes: value parsing, key-result data and goal creation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.history import records_actor
from goals import permissions
from goals.models import Goal, KeyResult
from org.models import Person

from .progress import recompute_progress_upwards

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
    "target_high",
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
    for field in ("start_value", "target_value", "target_high", "current_value"):
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


def check_supports(goal: Goal, supports) -> list[Goal]:
    """The goals a goal says it supports (its own side of the link, set on create or edit):
    never itself, never a goal of a closed cycle."""
    supports = list(supports)
    if any(other.pk == goal.pk for other in supports):
        raise ValidationError({"supports": _("A goal cannot support itself.")})
    if any(other.cycle.is_closed for other in supports):
        raise ValidationError({"supports": _("A goal of a closed cycle cannot be supported.")})
    return supports


def _check_owner(*, actor: Person | None, goal: Goal) -> None:
    """The level matches the kind of owner, and the actor may set goals for that owner."""
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
    starts_on=None,
    supports=(),
) -> Goal:
    """Create a draft goal with its key results (dicts of KeyResult fields: name, target_value,
    start_value, unit, direction, weight, due_on, metric, milestones). Validated as a whole:
    nothing is saved when any part is invalid. `supports`: the goals this one supports (its own
    side of the link; asking another unit for support is `request_support`)."""
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
        starts_on=starts_on,
        created_by=actor,
        initiated_by=actor,
    )
    _check_owner(actor=actor, goal=goal)
    goal.full_clean()
    if cycle.state == cycle.State.CLOSED:
        raise ValidationError({"cycle": _("This cycle is closed; goals can no longer be added.")})
    if starts_on is not None and not cycle.contains(starts_on):
        raise ValidationError({"starts_on": _("The start must fall within the goal's cycle.")})
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
    if supports:
        goal.supports.set(check_supports(goal, supports))
    for position, data in enumerate(key_results):
        kr = KeyResult(goal=goal, position=position, **_clean_kr_data(data))
        if "current_value" not in data:
            kr.current_value = kr.start_value
        _validate_key_result(kr)
        kr.progress = kr.compute_progress()
        kr.save()
    recompute_progress_upwards(goal)
    return goal
