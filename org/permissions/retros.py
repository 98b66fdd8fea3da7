"""Scopes over retrospectives and lessons.

Retrospectives: visible to the facilitator, the participants, the scope's managers (the manager
chain of the goal's owner, the head chain of the unit), the HRBP of the scope's unit, and admins.
Editing the sections and 5-Whys is for the facilitator, participants, the scope's managers and
admins; holding, publishing and following through is for the facilitator, managers and admins.
Lessons: published ones are visible to the whole company, drafts only to their author.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from goals.models import Goal
from org.models import Person, Unit
from org.permissions.people import (
    _managed_ids,
    hrbp_covers_unit,
    hrbp_paths,
    is_admin,
    manages,
    partners,
)

__all__ = [
    "visible_retrospectives",
    "get_retrospective_for",
    "can_on_retrospective",
    "can_start_retrospective",
    "visible_lessons",
    "get_lesson_for",
    "can_see_goal_for_retros",
    "visible_results",
]

VIEW, EDIT, MANAGE = "view", "edit", "manage"


def _headed_paths(viewer: Person) -> list[str]:
    cached = getattr(viewer, "_headed_paths", None)
    if cached is None:
        cached = list(Unit.objects.filter(head=viewer).values_list("path", flat=True))
        viewer._headed_paths = cached
    return cached


def _paths_q(paths: list[str], field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def _managers_q(viewer: Person, prefix: str = "") -> Q:
    """Retrospectives whose scope the viewer manages."""
    managed = _managed_ids(viewer)
    headed = _headed_paths(viewer)
    return (
        _paths_q(headed, f"{prefix}unit__path")
        | Q(**{f"{prefix}unit__head_id__in": managed})
        | Q(**{f"{prefix}goal__owner_person_id__in": managed})
        | Q(**{f"{prefix}goal__owner_person": viewer})
        | _paths_q(headed, f"{prefix}goal__owner_unit__path")
        | Q(**{f"{prefix}goal__owner_unit__head_id__in": managed})
    )


def visible_retrospectives(viewer: Person | None) -> QuerySet:
    from retros.models import Retrospective

    if viewer is None:
        return Retrospective.objects.none()
    if is_admin(viewer):
        return Retrospective.objects.all()
    paths = hrbp_paths(viewer)
    q = (
        Q(facilitator=viewer)
        | Q(
            pk__in=Retrospective.participants.through.objects.filter(person=viewer).values(
                "retrospective_id"
            )
        )
        | _managers_q(viewer)
        | _paths_q(paths, "unit__path")
        | _paths_q(paths, "goal__owner_person__unit__path")
        | _paths_q(paths, "goal__owner_unit__path")
    )
    return Retrospective.objects.filter(q)


def _manages_scope(viewer: Person, retro, *, owner_counts: bool = True) -> bool:
    """The viewer is above the scope (the goal owner's manager chain, the unit's head chain);
    with `owner_counts`, the owner of a person's goal counts too (she sees and edits the
    retrospective of her own goal, but does not hold, publish or follow it through unless
    she facilitates it)."""
    if retro.goal_id:
        goal = retro.goal
        if goal.owner_person_id:
            own = owner_counts and goal.owner_person_id == viewer.pk
            return own or manages(viewer, goal.owner_person)
        unit = goal.owner_unit
    else:
        unit = retro.unit
    if any(unit.path.startswith(p) for p in _headed_paths(viewer)):
        return True
    return bool(unit.head_id) and unit.head_id in _managed_ids(viewer)


def can_on_retrospective(viewer: Person | None, retro, action: str = VIEW) -> bool:
    if viewer is None:
        return False
    if is_admin(viewer) or retro.facilitator_id == viewer.pk:
        return True
    if _manages_scope(viewer, retro, owner_counts=action != MANAGE):
        return True
    if action == MANAGE:
        return False
    participant = retro.participants.filter(pk=viewer.pk).exists()
    if action == EDIT:
        return participant
    if participant:
        return True
    if retro.goal_id:
        goal = retro.goal
        if goal.owner_person_id:
            return partners(viewer, goal.owner_person)
        return hrbp_covers_unit(viewer, goal.owner_unit)
    return hrbp_covers_unit(viewer, retro.unit)


def get_retrospective_for(viewer: Person | None, pk, *, action: str = VIEW):
    from retros.models import Retrospective

    try:
        retro = (
            visible_retrospectives(viewer)
            .select_related(
                "cycle",
                "unit",
                "goal__owner_person__unit",
                "goal__owner_unit",
                "facilitator",
                "template",
            )
            .get(pk=pk)
        )
    except (Retrospective.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != VIEW and not can_on_retrospective(viewer, retro, action):
        raise PermissionDenied
    return retro


def can_start_retrospective(viewer: Person | None, *, goal: Goal | None = None, unit=None) -> bool:
    """The goal's owner or a manager of the goal or unit, or an admin."""
    if viewer is None:
        return False
    if is_admin(viewer):
        return True
    if goal is not None:
        if goal.owner_person_id:
            return goal.owner_person_id == viewer.pk or manages(viewer, goal.owner_person)
        unit = goal.owner_unit
    if unit is None:
        return False
    if any(unit.path.startswith(p) for p in _headed_paths(viewer)):
        return True
    return bool(unit.head_id) and unit.head_id in _managed_ids(viewer)


def can_see_goal_for_retros(viewer: Person | None, goal: Goal) -> bool:
    """Whether the viewer may see a goal: the goals scope decides (one rule, one place)."""
    from org.permissions.goals import visible_goals

    return viewer is not None and visible_goals(viewer).filter(pk=goal.pk).exists()


def visible_results(viewer: Person | None, retro) -> dict:
    """The retrospective's frozen results as this viewer may read them: only the goals (and
    their key results) the goals scope lets them see. A participant of a unit's retrospective
    does not meet a colleague's private goal, nor the team's, in its snapshot."""
    from org.permissions.goals import visible_goals

    results = dict(retro.results or {})
    rows = results.get("goals", [])
    if rows and not is_admin(viewer):
        ids = [row["id"] for row in rows]
        seen = set(visible_goals(viewer).filter(pk__in=ids).values_list("pk", flat=True))
        results["goals"] = [row for row in rows if row["id"] in seen]
    return results


def visible_lessons(viewer: Person | None) -> QuerySet:
    from retros.models import Lesson

    if viewer is None:
        return Lesson.objects.none()
    return Lesson.objects.filter(Q(state=Lesson.State.PUBLISHED) | Q(author=viewer))


def get_lesson_for(viewer: Person | None, pk, *, action: str = VIEW):
    """Edit: the author; an admin may also edit (moderate) a published lesson."""
    from retros.models import Lesson

    try:
        lesson = (
            visible_lessons(viewer)
            .select_related("author", "unit", "source_retrospective")
            .prefetch_related("tags")
            .get(pk=pk)
        )
    except (Lesson.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    may_moderate = is_admin(viewer) and lesson.state == Lesson.State.PUBLISHED
    if action != VIEW and lesson.author_id != viewer.pk and not may_moderate:
        raise PermissionDenied
    return lesson
