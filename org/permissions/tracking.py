"""Scopes over tracking objects: check-ins, their feedback, improvement plans, weekly reviews.

A check-in is seen by its author, everyone above them (managed_people), the HRBP of their unit
and admins; peers never see it. Only the author writes it; the manager chain and the HRBP give
feedback on it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from org.models import Person

from .people import hrbp_paths, is_admin, managed_people, manager_chain_ids, partners

__all__ = [
    "can_give_feedback",
    "check_in_notes_visible",
    "get_check_in_for",
    "get_feedback_for",
    "get_improvement_plan_for",
    "may_follow",
    "tracked_people_q",
    "visible_check_ins",
    "visible_feedback",
    "visible_improvement_plans",
    "visible_weekly_reviews",
]


def tracked_people_q(viewer: Person, field: str = "person") -> Q:
    """A Q selecting rows whose `field` (a Person FK) the viewer may follow: themselves, the
    people they manage, the people of the units they partner as HRBP; everyone for admins."""
    if is_admin(viewer):
        return Q()
    prefix = f"{field}__" if field else ""
    q = Q(**{f"{prefix}pk": viewer.pk}) | Q(**{f"{prefix}pk__in": managed_people(viewer)})
    for path in hrbp_paths(viewer):
        q |= Q(**{f"{prefix}unit__path__startswith": path})
    return q


def may_follow(viewer: Person | None, person: Person) -> bool:
    """The viewer may read the person's check-ins and plans."""
    if viewer is None:
        return False
    if viewer.pk == person.pk or is_admin(viewer):
        return True
    return managed_people(viewer).filter(pk=person.pk).exists() or partners(viewer, person)


def check_in_notes_visible(viewer: Person | None, key_result) -> bool:
    """A check-in's words travel with the values it records (a measurement from a check-in
    keeps the update's note); they are read only by those who may read the check-in, even
    where the key result itself is public."""
    owner = key_result.goal.owner_person
    return owner is None or may_follow(viewer, owner)


def can_give_feedback(viewer: Person | None, person: Person) -> bool:
    """Feedback on a person's check-in comes from their manager chain or their HRBP."""
    if viewer is None or viewer.pk == person.pk:
        return False
    return viewer.pk in manager_chain_ids(person) or partners(viewer, person)


def visible_check_ins(viewer: Person | None) -> QuerySet:
    from tracking.models import CheckIn

    if viewer is None:
        return CheckIn.objects.none()
    return CheckIn.objects.filter(tracked_people_q(viewer))


def get_check_in_for(viewer: Person | None, pk, *, action: str = "view"):
    """The check-in, or Http404 when the viewer may not see it. `action`: "view", "edit"
    (write, submit, amend: the author only) or "feedback" (manager chain and HRBP)."""
    from tracking.models import CheckIn

    try:
        check_in = visible_check_ins(viewer).select_related("person__unit").get(pk=pk)
    except (CheckIn.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "edit" and check_in.person_id != viewer.pk:
        raise PermissionDenied(_("Only the author can change a check-in."))
    if action == "feedback" and not can_give_feedback(viewer, check_in.person):
        raise PermissionDenied(_("Only the author's managers and HRBP can give feedback."))
    return check_in


def visible_feedback(viewer: Person | None) -> QuerySet:
    from tracking.models import Feedback

    if viewer is None:
        return Feedback.objects.none()
    return Feedback.objects.filter(tracked_people_q(viewer, "check_in__person"))


def get_feedback_for(viewer: Person | None, pk, *, action: str = "view"):
    """The feedback, or Http404. `action="acknowledge"`: only the check-in's author."""
    from tracking.models import Feedback

    try:
        feedback = visible_feedback(viewer).select_related("check_in__person").get(pk=pk)
    except (Feedback.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "acknowledge" and feedback.check_in.person_id != viewer.pk:
        raise PermissionDenied(_("Only the author of the check-in acknowledges feedback."))
    return feedback


def visible_improvement_plans(viewer: Person | None) -> QuerySet:
    from tracking.models import ImprovementAction, ImprovementPlan

    if viewer is None:
        return ImprovementPlan.objects.none()
    if is_admin(viewer):
        # tracked_people_q is an empty Q for admins, and `Q() | other` is just `other`.
        return ImprovementPlan.objects.all()
    owned = ImprovementAction.objects.filter(owner=viewer).values("plan_id")
    return ImprovementPlan.objects.filter(tracked_people_q(viewer) | Q(pk__in=owned))


def get_improvement_plan_for(viewer: Person | None, pk):
    from tracking.models import ImprovementPlan

    try:
        return visible_improvement_plans(viewer).get(pk=pk)
    except (ImprovementPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_weekly_reviews(viewer: Person | None) -> QuerySet:
    """A manager's own reviews, those of managers below them, of the units they partner, and
    all for admins."""
    from tracking.models import WeeklyReview

    if viewer is None:
        return WeeklyReview.objects.none()
    return WeeklyReview.objects.filter(tracked_people_q(viewer, "manager"))
