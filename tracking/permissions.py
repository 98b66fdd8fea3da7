"""Scopes over tracking objects: check-ins, their feedback, improvement plans, weekly reviews.

A check-in is seen by its author, everyone above them (managed people), the HRBP of their unit
and admins; peers never see it. Only the author writes it; the manager chain and the HRBP give
feedback on it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from goals.models import KeyResult
from org.models import Person
from org.scopes import Viewer, ViewerLike, followed_people_q, manager_chain_ids, may_follow
from tracking.models import CheckIn, Feedback, ImprovementAction, ImprovementPlan, WeeklyReview
from tracking.selectors import active_key_results

__all__ = [
    "can_give_feedback",
    "get_check_in_for",
    "get_checked_in_key_result_for",
    "get_feedback_for",
    "get_improvement_plan_for",
    "may_follow",
    "tracked_people_q",
    "visible_check_ins",
    "visible_feedback",
    "visible_improvement_plans",
    "visible_weekly_reviews",
]

# Rows whose person the viewer may follow (themselves, the people they manage, their HRBP
# units; everyone for admins): the people-level scope every tracking list is filtered by.
tracked_people_q = followed_people_q


def can_give_feedback(viewer: ViewerLike, person: Person) -> bool:
    """Feedback on a person's check-in comes from their manager chain or their HRBP."""
    viewer = Viewer.of(viewer)
    if viewer.person is None or viewer.pk == person.pk:
        return False
    return viewer.pk in manager_chain_ids(person) or viewer.partners(person)


def visible_check_ins(viewer: ViewerLike) -> QuerySet[CheckIn]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return CheckIn.objects.none()
    return CheckIn.objects.filter(tracked_people_q(viewer))


def get_check_in_for(viewer: ViewerLike, pk, *, action: str = "view") -> CheckIn:
    """The check-in, or Http404 when the viewer may not see it. `action`: "view", "edit"
    (write, submit, amend: the author only) or "feedback" (manager chain and HRBP)."""
    viewer = Viewer.of(viewer)
    try:
        check_in = visible_check_ins(viewer).select_related("person__unit").get(pk=pk)
    except (CheckIn.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "edit" and check_in.person_id != viewer.pk:
        raise PermissionDenied(_("Only the author can change a check-in."))
    if action == "feedback" and not can_give_feedback(viewer, check_in.person):
        raise PermissionDenied(_("Only the author's managers and HRBP can give feedback."))
    return check_in


def get_checked_in_key_result_for(viewer: ViewerLike, pk, *, week: dt.date) -> KeyResult:
    """A key result of the viewer's own This-week page for `week` (one they check in on:
    `tracking.selectors.active_key_results`), with its goal and cycle; Http404 for any other,
    even one the viewer may see elsewhere. The page's htmx parts (a row's live status, its
    burn-up) answer exactly for the key results the page shows, so a URL cannot reach past it."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        raise Http404
    try:
        return active_key_results(person=viewer.person, week=week).get(pk=pk)
    except (KeyResult.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_feedback(viewer: ViewerLike) -> QuerySet[Feedback]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Feedback.objects.none()
    return Feedback.objects.filter(tracked_people_q(viewer, "check_in__person"))


def get_feedback_for(viewer: ViewerLike, pk, *, action: str = "view") -> Feedback:
    """The feedback, or Http404. `action="acknowledge"`: only the check-in's author."""
    viewer = Viewer.of(viewer)
    try:
        feedback = visible_feedback(viewer).select_related("check_in__person").get(pk=pk)
    except (Feedback.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "acknowledge" and feedback.check_in.person_id != viewer.pk:
        raise PermissionDenied(_("Only the author of the check-in acknowledges feedback."))
    return feedback


def visible_improvement_plans(viewer: ViewerLike) -> QuerySet[ImprovementPlan]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return ImprovementPlan.objects.none()
    if viewer.is_admin:
        # tracked_people_q is an empty Q for admins, and `Q() | other` is just `other`.
        return ImprovementPlan.objects.all()
    owned = ImprovementAction.objects.filter(owner=viewer.person).values("plan_id")
    return ImprovementPlan.objects.filter(tracked_people_q(viewer) | Q(pk__in=owned))


def get_improvement_plan_for(viewer: ViewerLike, pk) -> ImprovementPlan:
    try:
        return visible_improvement_plans(viewer).get(pk=pk)
    except (ImprovementPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_weekly_reviews(viewer: ViewerLike) -> QuerySet[WeeklyReview]:
    """A manager's own reviews, those of managers below them, of the units they partner, and
    all for admins."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return WeeklyReview.objects.none()
    return WeeklyReview.objects.filter(tracked_people_q(viewer, "manager"))
