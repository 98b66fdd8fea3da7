"""Scopes over goals, key results and target adjustments.

Visibility of a goal:
- public: every signed-in person;
- unit: people in the owner's unit and below it (for a person's goal, their unit);
- private: only the owner;
and always: the owner (a person, or the head of the owning unit), everyone above the owner
(manager chain, heads of the owning unit's ancestors), the HRBP of the owner's unit, admins.

Each scope is one queryset with one Q (no loops over goals): other apps call these for lists.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from goals.models import Goal, KeyResult, TargetAdjustment
from org.models import Person, Unit

from .people import _managed_ids, hrbp_paths, is_admin, manages

__all__ = [
    "can_manage_goal",
    "can_assign_to",
    "get_adjustment_for",
    "get_goal_for",
    "get_key_result_for",
    "is_goal_owner",
    "visible_adjustments",
    "visible_goals",
    "visible_goals_q",
    "visible_key_results",
]

# What each action needs beyond seeing the goal.
OWNER_OR_MANAGER = {"edit", "agree", "cascade", "adjust", "measure"}
MANAGER_ONLY = {"manage", "return", "close", "decide"}


def _head_paths(viewer: Person) -> list[str]:
    # The same cache as org.permissions.resources.headed_paths and retros' (one query a request).
    cached = getattr(viewer, "_headed_paths", None)
    if cached is None:
        cached = list(Unit.objects.filter(head=viewer).values_list("path", flat=True))
        viewer._headed_paths = cached
    return cached


def _startswith_any(field: str, paths: list[str]) -> Q | None:
    if not paths:
        return None
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def visible_goals_q(viewer: Person, prefix: str = "") -> Q:
    """The Q selecting goals the viewer may see (over Goal, or over a relation with `prefix`,
    e.g. "goal__" for key results)."""
    p = prefix
    if is_admin(viewer):
        return Q()
    managed = _managed_ids(viewer)
    ancestor_ids = viewer.unit.ancestor_ids if viewer.unit_id else []
    q = (
        Q(**{f"{p}visibility": Goal.Visibility.PUBLIC})
        | Q(**{f"{p}owner_person_id": viewer.pk})
        | Q(**{f"{p}owner_unit__head_id": viewer.pk})
        | Q(**{f"{p}visibility": Goal.Visibility.UNIT, f"{p}owner_unit_id__in": ancestor_ids})
        | Q(
            **{
                f"{p}visibility": Goal.Visibility.UNIT,
                f"{p}owner_person__unit_id__in": ancestor_ids,
            }
        )
    )
    if managed:
        q |= Q(**{f"{p}owner_person_id__in": managed}) | Q(
            **{f"{p}owner_unit__head_id__in": managed}
        )
    for extra in (
        _startswith_any(f"{p}owner_unit__path", _head_paths(viewer)),
        _startswith_any(f"{p}owner_unit__path", hrbp_paths(viewer)),
        _startswith_any(f"{p}owner_person__unit__path", hrbp_paths(viewer)),
    ):
        if extra is not None:
            q |= extra
    return q


def visible_goals(viewer: Person | None) -> QuerySet[Goal]:
    if viewer is None:
        return Goal.objects.none()
    return Goal.objects.filter(visible_goals_q(viewer))


def visible_key_results(viewer: Person | None) -> QuerySet[KeyResult]:
    if viewer is None:
        return KeyResult.objects.none()
    return KeyResult.objects.filter(visible_goals_q(viewer, "goal__"))


def visible_adjustments(viewer: Person | None) -> QuerySet[TargetAdjustment]:
    if viewer is None:
        return TargetAdjustment.objects.none()
    return TargetAdjustment.objects.filter(visible_goals_q(viewer, "key_result__goal__"))


def is_goal_owner(viewer: Person | None, goal: Goal) -> bool:
    if viewer is None:
        return False
    if goal.owner_person_id:
        return goal.owner_person_id == viewer.pk
    return goal.owner_unit.head_id == viewer.pk


def can_manage_goal(viewer: Person | None, goal: Goal) -> bool:
    """Above the goal's owner: the person owner's manager chain; for a unit's goal the heads of
    the unit's ancestors and the unit head's managers; admins always."""
    if viewer is None:
        return False
    if is_admin(viewer):
        return True
    if goal.owner_person_id:
        return manages(viewer, goal.owner_person)
    unit = goal.owner_unit
    if unit.head_id and unit.head_id != viewer.pk and unit.head_id in _managed_ids(viewer):
        return True
    return any(unit.path.startswith(path) and unit.path != path for path in _head_paths(viewer))


def can_assign_to(viewer: Person | None, *, person: Person | None = None, unit=None) -> bool:
    """May the viewer set a goal for this person or unit (cascade, assignment)?"""
    if viewer is None:
        return False
    if is_admin(viewer):
        return True
    if person is not None:
        return person.pk == viewer.pk or manages(viewer, person)
    if unit.head_id == viewer.pk or (unit.head_id and unit.head_id in _managed_ids(viewer)):
        return True
    return any(unit.path.startswith(path) for path in _head_paths(viewer))


def _check_action(viewer: Person, goal: Goal, action: str) -> None:
    if action == "view":
        return
    if action in OWNER_OR_MANAGER:
        if is_goal_owner(viewer, goal) or can_manage_goal(viewer, goal):
            return
    elif action in MANAGER_ONLY:
        if can_manage_goal(viewer, goal):
            return
    else:
        raise ValueError(f"unknown action {action!r}")
    raise PermissionDenied(_("You may not do this with this goal."))


def get_goal_for(viewer: Person | None, pk, action: str = "view") -> Goal:
    """The goal, or Http404 when the viewer may not see it; PermissionDenied when they may see
    it but not do `action` (view, edit, agree, cascade, adjust, measure, manage, return,
    close, decide)."""
    if viewer is None:
        raise Http404
    try:
        goal = (
            visible_goals(viewer)
            .select_related("cycle", "owner_person", "owner_unit", "parent")
            .get(pk=pk)
        )
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(viewer, goal, action)
    return goal


def get_key_result_for(viewer: Person | None, pk, action: str = "view") -> KeyResult:
    if viewer is None:
        raise Http404
    try:
        kr = (
            visible_key_results(viewer)
            .select_related("goal", "goal__cycle", "goal__owner_person", "goal__owner_unit")
            .get(pk=pk)
        )
    except (KeyResult.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(viewer, kr.goal, action)
    return kr


def get_adjustment_for(viewer: Person | None, pk, action: str = "view") -> TargetAdjustment:
    if viewer is None:
        raise Http404
    try:
        adjustment = (
            visible_adjustments(viewer)
            .select_related(
                "key_result",
                "key_result__goal",
                "key_result__goal__cycle",
                "key_result__goal__owner_person",
                "key_result__goal__owner_unit",
                "requested_by",
            )
            .get(pk=pk)
        )
    except (TargetAdjustment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(viewer, adjustment.key_result.goal, action)
    return adjustment
