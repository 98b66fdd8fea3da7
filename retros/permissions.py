"""Scopes over retrospectives and lessons.

Retrospectives: visible to the facilitator, the participants, the scope's managers (the manager
chain of the goal's owner, the head chain of the unit), the HRBP of the scope's unit, and admins.
Editing the sections and 5-Whys is for the facilitator, participants, the scope's managers and
admins; holding, publishing and following through is for the facilitator, managers and admins.
Lessons: published ones are visible to the whole company, drafts only to their author.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from goals.models import Goal
from goals.permissions import visible_goals
from org.scopes import Viewer, ViewerLike, subtree_q
from retros.models import Lesson, Retrospective

__all__ = [
    "visible_retrospectives",
    "get_retrospective_for",
    "can_on_retrospective",
    "can_start_retrospective",
    "available_actions",
    "visible_lessons",
    "get_lesson_for",
    "can_see_goal_for_retros",
    "visible_results",
]

VIEW, EDIT, MANAGE = "view", "edit", "manage"


def _paths_q(paths: list[str], field: str) -> Q:
    return subtree_q(paths, field) or Q(pk__in=[])


def _managers_q(viewer: Viewer, prefix: str = "") -> Q:
    """Retrospectives whose scope the viewer manages."""
    headed = viewer.headed_paths
    q = (
        _paths_q(headed, f"{prefix}unit__path")
        | Q(**{f"{prefix}goal__owner_person": viewer.person})
        | _paths_q(headed, f"{prefix}goal__owner_path")
    )
    for field, path_field in (
        (f"{prefix}unit__head", None),
        (f"{prefix}goal__owner_person", f"{prefix}goal__owner_path"),
        (f"{prefix}goal__owner_unit__head", None),
    ):
        managed = viewer.managed_q(field, path_field=path_field)
        if managed is not None:
            q |= managed
    return q


def visible_retrospectives(viewer: ViewerLike) -> QuerySet[Retrospective]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Retrospective.objects.none()
    if viewer.is_admin:
        return Retrospective.objects.all()
    paths = viewer.hrbp_paths
    q = (
        Q(facilitator=viewer.person)
        | Q(
            pk__in=Retrospective.participants.through.objects.filter(person=viewer.person).values(
                "retrospective_id"
            )
        )
        | _managers_q(viewer)
        | _paths_q(paths, "unit__path")
        | _paths_q(paths, "goal__owner_path")
    )
    return Retrospective.objects.filter(q)


def _manages_scope(viewer: Viewer, retro, *, owner_counts: bool = True) -> bool:
    """The viewer is above the scope (the goal owner's manager chain, the unit's head chain);
    with `owner_counts`, the owner of a person's goal counts too (she sees and edits the
    retrospective of her own goal, but does not hold, publish or follow it through unless
    she facilitates it)."""
    if retro.goal_id:
        goal = retro.goal
        if goal.owner_person_id:
            own = owner_counts and goal.owner_person_id == viewer.pk
            return own or viewer.manages(goal.owner_person)
        unit = goal.owner_unit
    else:
        unit = retro.unit
    if viewer.heads_subtree_of(unit):
        return True
    return viewer.manages_pk(unit.head_id)


def _is_participant(viewer: Viewer, retro) -> bool:
    """From the prefetched participants when the caller loaded them (a list), else one query."""
    prefetched = getattr(retro, "_prefetched_objects_cache", {}).get("participants")
    if prefetched is not None:
        return any(person.pk == viewer.pk for person in prefetched)
    return retro.participants.filter(pk=viewer.pk).exists()


def can_on_retrospective(viewer: ViewerLike, retro, action: str = VIEW) -> bool:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return False
    if viewer.is_admin or retro.facilitator_id == viewer.pk:
        return True
    if _manages_scope(viewer, retro, owner_counts=action != MANAGE):
        return True
    if action == MANAGE:
        return False
    participant = _is_participant(viewer, retro)
    if action == EDIT:
        return participant
    if participant:
        return True
    if retro.goal_id:
        goal = retro.goal
        if goal.owner_person_id:
            return viewer.partners(goal.owner_person)
        return viewer.covers_unit(goal.owner_unit)
    return viewer.covers_unit(retro.unit)


# What a viewer may do with a retrospective in its state, read by the page and the API; the
# services check the same when the action is performed (and that publishing has some text).
EDIT_SECTIONS, HOLD, PUBLISH, FOLLOW_THROUGH = "edit", "hold", "publish", "follow_through"
RETROSPECTIVE_ACTIONS = (EDIT_SECTIONS, HOLD, PUBLISH, FOLLOW_THROUGH)


def available_actions(viewer: ViewerLike, retro) -> list[str]:
    """`edit` (the sections, 5-Whys and improvements) until it is published, for those who
    may edit; `hold` a draft and `publish` a held one, for the facilitator, the scope's
    managers and admins, who also `follow_through` its improvements and countermeasures.
    Select the scope (goal with its owner, unit) and prefetch participants for a list."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return []
    allowed = set()
    if retro.state != Retrospective.State.PUBLISHED and can_on_retrospective(viewer, retro, EDIT):
        allowed.add(EDIT_SECTIONS)
    if can_on_retrospective(viewer, retro, MANAGE):
        allowed.add(FOLLOW_THROUGH)
        if retro.state == Retrospective.State.DRAFT:
            allowed.add(HOLD)
        elif retro.state == Retrospective.State.HELD:
            allowed.add(PUBLISH)
    return [action for action in RETROSPECTIVE_ACTIONS if action in allowed]


def get_retrospective_for(viewer: ViewerLike, pk, *, action: str = VIEW) -> Retrospective:
    viewer = Viewer.of(viewer)
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


def can_start_retrospective(viewer: ViewerLike, *, goal: Goal | None = None, unit=None) -> bool:
    """The goal's owner or a manager of the goal or unit, or an admin."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return False
    if viewer.is_admin:
        return True
    if goal is not None:
        if goal.owner_person_id:
            return goal.owner_person_id == viewer.pk or viewer.manages(goal.owner_person)
        unit = goal.owner_unit
    if unit is None:
        return False
    if viewer.heads_subtree_of(unit):
        return True
    return viewer.manages_pk(unit.head_id)


def can_see_goal_for_retros(viewer: ViewerLike, goal: Goal) -> bool:
    """Whether the viewer may see a goal: the goals scope decides (one rule, one place)."""
    return visible_goals(viewer).filter(pk=goal.pk).exists()


def visible_results(viewer: ViewerLike, retro) -> dict:
    """The retrospective's frozen results as this viewer may read them: only the goals (and
    their key results) the goals scope lets them see. A participant of a unit's retrospective
    does not meet a colleague's private goal, nor the team's, in its snapshot."""
    viewer = Viewer.of(viewer)
    results = dict(retro.results or {})
    rows = results.get("goals", [])
    if rows and not viewer.is_admin:
        ids = [row["id"] for row in rows]
        seen = set(visible_goals(viewer).filter(pk__in=ids).values_list("pk", flat=True))
        results["goals"] = [row for row in rows if row["id"] in seen]
    return results


def visible_lessons(viewer: ViewerLike) -> QuerySet[Lesson]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Lesson.objects.none()
    return Lesson.objects.filter(Q(state=Lesson.State.PUBLISHED) | Q(author=viewer.person))


def get_lesson_for(viewer: ViewerLike, pk, *, action: str = VIEW) -> Lesson:
    """Edit: the author; an admin may also edit (moderate) a published lesson."""
    viewer = Viewer.of(viewer)
    try:
        lesson = (
            visible_lessons(viewer)
            .select_related("author", "unit", "source_retrospective")
            .prefetch_related("tags")
            .get(pk=pk)
        )
    except (Lesson.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    may_moderate = viewer.is_admin and lesson.state == Lesson.State.PUBLISHED
    if action != VIEW and lesson.author_id != viewer.pk and not may_moderate:
        raise PermissionDenied
    return lesson


def can_edit_glossary(viewer: ViewerLike) -> bool:
    """The search glossary is kept by the people who look after the organisation's words:
    HRBPs and admins."""
    viewer = Viewer.of(viewer)
    return viewer.is_admin or viewer.is_hrbp
