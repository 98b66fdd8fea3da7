"""Who sees and does what with performance reviews.

A review is seen by the person reviewed, everyone above them (manager chain), the HRBPs of
their unit and admins; never by peers or other units. The person reads the manager's ratings
only once the review is released. 360 answers are never shown with the reviewer's name: the
reviewer reads their own answer; everyone else reads them only aggregated (reviews.selectors).

Review cycles (name, dates, steps) are seen by everyone signed in; admins and the HRBPs of
the cycle's unit configure them. Calibration: the HRBPs of the person's unit, the heads of
their unit or a unit above it (never the person), and admins.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from org.models import Unit
from org.scopes import Viewer, ViewerLike, followed_people_q, subtree_q
from reviews.models import FeedbackRequest, Review, ReviewCycle

SELF_ASSESS = "self_assess"
PROPOSE_REVIEWERS = "propose_reviewers"
EVALUATE = "evaluate"
CALIBRATE = "calibrate"
RELEASE = "release"
MEETING = "meeting"
ACKNOWLEDGE = "acknowledge"
DEVELOPMENT_PLAN = "development_plan"


# --- review cycles ---------------------------------------------------------------------------
def visible_review_cycles(viewer: ViewerLike) -> QuerySet[ReviewCycle]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return ReviewCycle.objects.none()
    return ReviewCycle.objects.all()


def can_manage_cycle(viewer: ViewerLike, cycle: ReviewCycle) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.is_admin or (viewer.person is not None and viewer.covers_unit(cycle.unit))


def can_create_cycles(viewer: ViewerLike) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.is_admin or viewer.is_hrbp


def configurable_units(viewer: ViewerLike) -> QuerySet[Unit]:
    """The units whose reviews the viewer may configure: every unit for admins, the subtrees
    an HRBP partners, none for anyone else."""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return Unit.objects.all()
    q = subtree_q(viewer.hrbp_paths, "path") if viewer.person is not None else None
    return Unit.objects.filter(q) if q is not None else Unit.objects.none()


def get_review_cycle_for(viewer: ViewerLike, pk, *, action: str = "view") -> ReviewCycle:
    try:
        cycle = visible_review_cycles(viewer).select_related("goal_cycle", "unit").get(pk=pk)
    except (ReviewCycle.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "manage" and not can_manage_cycle(viewer, cycle):
        raise PermissionDenied
    if action == "calibrate" and not can_calibrate_cycle(viewer, cycle):
        raise PermissionDenied
    return cycle


def can_calibrate_cycle(viewer: ViewerLike, cycle: ReviewCycle) -> bool:
    """HRBPs and admins, and the heads of units whose people the cycle reviews."""
    viewer = Viewer.of(viewer)
    return (
        can_manage_cycle(viewer, cycle)
        or bool(viewer.headed_paths)
        and any(
            path.startswith(cycle.unit.path) or cycle.unit.path.startswith(path)
            for path in viewer.headed_paths
        )
    )


# --- reviews -----------------------------------------------------------------------------------
def visible_reviews(viewer: ViewerLike) -> QuerySet[Review]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Review.objects.none()
    return Review.objects.filter(followed_people_q(viewer))


def calibratable_reviews_q(viewer: ViewerLike) -> Q:
    """A Q over Review: the reviews this viewer may calibrate (HRBP, heads above, admins)."""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return Q()
    q = Q(pk__in=[])
    for path in (*viewer.hrbp_paths, *viewer.headed_paths):
        q |= Q(person__unit__path__startswith=path)
    return q & ~Q(person_id=viewer.pk)


def get_review_for(viewer: ViewerLike, pk) -> Review:
    try:
        return (
            visible_reviews(viewer)
            .select_related(
                "cycle__goal_cycle",
                "cycle__unit",
                "person__unit",
                "person__user",
                "manager",
                "unit",
                "evaluated_by",
                "calibrated_by",
                "development_plan",
                "form",
            )
            .get(pk=pk)
        )
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_reviewee(viewer: ViewerLike, review: Review) -> bool:
    return Viewer.of(viewer).pk == review.person_id


def can_evaluate(viewer: ViewerLike, review: Review) -> bool:
    """The manager chain (never the person)."""
    return Viewer.of(viewer).manages(review.person)


def can_calibrate(viewer: ViewerLike, review: Review) -> bool:
    viewer = Viewer.of(viewer)
    if viewer.person is None or viewer.pk == review.person_id:
        return False
    return (
        viewer.is_admin
        or viewer.partners(review.person)
        or viewer.heads_subtree_of(review.person.unit)
    )


def can_release(viewer: ViewerLike, review: Review) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.pk != review.person_id and (viewer.is_admin or viewer.manages(review.person))


def sees_ratings(viewer: ViewerLike, review: Review) -> bool:
    """The manager's and calibrated ratings: the person once released; everyone else who sees
    the review at once."""
    return not is_reviewee(viewer, review) or review.is_released


def available_actions(viewer: ViewerLike, review: Review) -> list[str]:
    """What the viewer may do with the review in its current state (the services check the
    same). Reads only the review, its cycle and the viewer's cached scopes."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return []
    state, cycle, out = review.state, review.cycle, []
    if is_reviewee(viewer, review):
        if state == Review.State.SELF:
            out.append(SELF_ASSESS)
        if cycle.feedback_360 and state in (Review.State.SELF, Review.State.MANAGER):
            out.append(PROPOSE_REVIEWERS)
        if state == Review.State.RELEASED:
            out.append(ACKNOWLEDGE)
    if state == Review.State.MANAGER and can_evaluate(viewer, review):
        out.append(EVALUATE)
    if (
        state == Review.State.EVALUATED
        and cycle.calibration
        and review.locked_at is None
        and can_calibrate(viewer, review)
    ):
        out.append(CALIBRATE)
    if (
        state == Review.State.EVALUATED
        and can_release(viewer, review)
        and (not cycle.calibration or review.locked_at is not None)
    ):
        out.append(RELEASE)
    if state in Review.RELEASED_STATES and can_release(viewer, review):
        out.append(MEETING)
    if (
        state in Review.RELEASED_STATES
        and review.development_plan_id is None
        and (is_reviewee(viewer, review) or can_release(viewer, review))
    ):
        out.append(DEVELOPMENT_PLAN)
    return out


def require(viewer: ViewerLike, review: Review, action: str) -> None:
    """PermissionDenied unless `action` is one the viewer may take on the review now: a
    refusal for someone who may see the review (they get 403, or 400 from the service for a
    state that does not allow it)."""
    viewer = Viewer.of(viewer)
    allowed = {
        SELF_ASSESS: is_reviewee,
        PROPOSE_REVIEWERS: is_reviewee,
        ACKNOWLEDGE: is_reviewee,
        EVALUATE: can_evaluate,
        CALIBRATE: can_calibrate,
        RELEASE: can_release,
        MEETING: can_release,
        DEVELOPMENT_PLAN: lambda v, r: is_reviewee(v, r) or can_release(v, r),
    }[action]
    if not allowed(viewer, review):
        raise PermissionDenied


# --- 360 feedback requests ------------------------------------------------------------------------
def visible_feedback_requests(viewer: ViewerLike) -> QuerySet[FeedbackRequest]:
    """The reviewer's own requests, and the requests on the reviews the viewer sees."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return FeedbackRequest.objects.none()
    if viewer.is_admin:  # (an empty Q would vanish from the OR below)
        return FeedbackRequest.objects.all()
    return FeedbackRequest.objects.filter(
        Q(reviewer_id=viewer.pk) | followed_people_q(viewer, "review__person")
    )


def get_feedback_request_for(viewer: ViewerLike, pk, *, action: str = "view") -> FeedbackRequest:
    viewer = Viewer.of(viewer)
    try:
        obj = (
            visible_feedback_requests(viewer)
            .select_related("review__person__unit", "review__cycle", "reviewer")
            .get(pk=pk)
        )
    except (FeedbackRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "answer" and obj.reviewer_id != viewer.pk:
        raise PermissionDenied
    if action == "decide" and not can_evaluate(viewer, obj.review):
        raise PermissionDenied
    return obj


def sees_answer(viewer: ViewerLike, request: FeedbackRequest) -> bool:
    """Only the reviewer reads their own answer; others read answers aggregated."""
    return Viewer.of(viewer).pk == request.reviewer_id
