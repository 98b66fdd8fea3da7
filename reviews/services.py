"""Every write of the reviews app: one function per business action, transactional,
permission-checked (PermissionDenied for someone who sees the object but may not act) and
validated (ValidationError with field errors), audited through the models' history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.events import publish
from core.history import records_actor
from goals.models import Cycle
from notifications.messages import Message
from notifications.services import notify
from org.models import Person, Unit
from org.scopes import Viewer, hrbp_covers_unit
from reviews import permissions
from reviews.models import FeedbackRequest, FormTemplate, Rating, Review, ReviewCycle
from reviews.selectors import review_facts
from tracking.services import create_improvement_plan

MAX_REVIEWERS = 8


def _rating(value, field: str, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("Choose a rating from 1 to 5.")})
        return None
    try:
        rating = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Choose a rating from 1 to 5.")}) from None
    if rating not in Rating.values:
        raise ValidationError({field: _("Choose a rating from 1 to 5.")})
    return rating


def _locked(model, obj):
    return model.objects.select_for_update(of=("self",)).get(pk=obj.pk)


def _review(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("cycle__goal_cycle", "cycle__unit", "person__unit", "person__user")
        .get(pk=review.pk)
    )


def _state_error(message) -> ValidationError:
    return ValidationError({"state": message})


# --- review cycles ---------------------------------------------------------------------------
CYCLE_FIELDS = (
    "name",
    "goal_cycle",
    "unit",
    "levels",
    "self_assessment",
    "feedback_360",
    "calibration",
    "self_due_on",
    "feedback_due_on",
    "manager_due_on",
    "calibration_due_on",
    "top_rating_limit",
    "frontline_form",
    "manager_form",
    "executive_form",
)
# What may still change once the cycle is open (reviews exist, so who is reviewed, the steps
# and the forms stay as they were).
OPEN_CYCLE_FIELDS = (
    "name",
    "self_due_on",
    "feedback_due_on",
    "manager_due_on",
    "calibration_due_on",
    "top_rating_limit",
)


def _check_cycle(cycle: ReviewCycle) -> None:
    """Field errors of a review cycle's configuration, all at once."""
    errors: dict[str, list] = {}
    try:
        cycle.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    unknown = [level for level in cycle.levels or [] if level not in Person.Level.values]
    if unknown:
        errors["levels"] = [_("Unknown level: %(l)s.") % {"l": ", ".join(unknown)}]
    self_due = cycle.self_due_on if cycle.self_assessment else None
    feedback_due = cycle.feedback_due_on if cycle.feedback_360 else None
    calibration_due = cycle.calibration_due_on if cycle.calibration else None
    # The manager evaluates after the self-assessment and the 360 answers; calibration after.
    for field, before, after in (
        ("manager_due_on", self_due, cycle.manager_due_on),
        ("manager_due_on", feedback_due, cycle.manager_due_on),
        ("calibration_due_on", cycle.manager_due_on, calibration_due),
    ):
        if before and after and after < before and field not in errors:
            errors[field] = [
                _("Deadlines follow the steps: self-assessment and 360, manager, calibration.")
            ]
    for level, field in ReviewCycle.FORM_FIELDS.items():
        form = getattr(cycle, field)
        if form is not None and form.level != level:
            errors.setdefault(field, []).append(
                _("Choose a form made for this level (%(level)s).")
                % {"level": Person.Level(level).label}
            )
    if errors:
        raise ValidationError(errors)


def _may_configure(actor: Person, unit: Unit) -> None:
    viewer = Viewer.of(actor)
    if not (viewer.is_admin or hrbp_covers_unit(viewer, unit)):
        raise PermissionDenied(_("Only admins and the unit's HRBPs configure its reviews."))


@records_actor
@transaction.atomic
def create_review_cycle(
    *,
    actor: Person,
    name: str,
    goal_cycle: Cycle,
    unit: Unit,
    levels: list[str] | None = None,
    self_assessment: bool = True,
    feedback_360: bool = True,
    calibration: bool = True,
    self_due_on: dt.date | None = None,
    feedback_due_on: dt.date | None = None,
    manager_due_on: dt.date | None = None,
    calibration_due_on: dt.date | None = None,
    top_rating_limit: int = 20,
    frontline_form: FormTemplate | None = None,
    manager_form: FormTemplate | None = None,
    executive_form: FormTemplate | None = None,
) -> ReviewCycle:
    """A review cycle in draft, by an admin or an HRBP of the unit. A level without a form
    chosen uses the shipped template of that level."""
    _may_configure(actor, unit)
    cycle = ReviewCycle(
        name=name,
        goal_cycle=goal_cycle,
        unit=unit,
        levels=list(levels or []),
        self_assessment=self_assessment,
        feedback_360=feedback_360,
        calibration=calibration,
        self_due_on=self_due_on,
        feedback_due_on=feedback_due_on,
        manager_due_on=manager_due_on,
        calibration_due_on=calibration_due_on,
        top_rating_limit=top_rating_limit,
        frontline_form=frontline_form,
        manager_form=manager_form,
        executive_form=executive_form,
        created_by=actor,
    )
    _check_cycle(cycle)
    cycle.save()
    return cycle


@records_actor
@transaction.atomic
def update_review_cycle(*, actor: Person, cycle: ReviewCycle, **changes) -> ReviewCycle:
    """Change a review cycle's configuration: everything while it is a draft; once open, only
    its name, deadlines and guideline (who is reviewed, the steps and the forms are fixed by
    the reviews already made). Admins and the HRBPs of its unit (the new unit's too when it
    moves)."""
    cycle = _locked(ReviewCycle, cycle)
    if not permissions.can_manage_cycle(actor, cycle):
        raise PermissionDenied(_("Only admins and the unit's HRBPs configure its reviews."))
    unknown = set(changes) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"Not a review cycle setting: {', '.join(sorted(unknown))}")
    if cycle.state in (ReviewCycle.State.LOCKED, ReviewCycle.State.CLOSED):
        raise _state_error(_("A calibrated or closed review cycle is not changed."))
    allowed = CYCLE_FIELDS if cycle.state == ReviewCycle.State.DRAFT else OPEN_CYCLE_FIELDS
    fixed = {
        field: [_("Fixed once the review cycle is open.")]
        for field, value in changes.items()
        if field not in allowed and value != getattr(cycle, field)
    }
    if fixed:
        raise ValidationError(fixed)
    if "unit" in changes and changes["unit"] != cycle.unit:
        _may_configure(actor, changes["unit"])
    for field, value in changes.items():
        setattr(cycle, field, list(value or []) if field == "levels" else value)
    _check_cycle(cycle)
    cycle.save()
    return cycle


@records_actor
@transaction.atomic
def open_review_cycle(*, actor: Person, cycle: ReviewCycle) -> ReviewCycle:
    """Open the cycle: one review for every active person of the unit's subtree at the
    chosen levels (not for the people who configure it from above: everyone is reviewed by
    someone above them)."""
    cycle = _locked(ReviewCycle, cycle)
    if not permissions.can_manage_cycle(actor, cycle):
        raise PermissionDenied
    if cycle.state != ReviewCycle.State.DRAFT:
        raise _state_error(_("Only a draft review cycle is opened."))
    people = Person.objects.filter(is_active=True, unit__path__startswith=cycle.unit.path)
    if cycle.levels:
        people = people.filter(level__in=cycle.levels)
    first = Review.State.SELF if cycle.self_assessment else Review.State.MANAGER
    forms = cycle.forms_by_level()
    reviews = [
        Review(
            cycle=cycle,
            person=person,
            manager_id=person.manager_id,
            unit_id=person.unit_id,
            level=person.level,
            state=first,
            form=forms.get(person.level),
        )
        for person in people.only("pk", "manager_id", "unit_id", "level")
    ]
    if not reviews:
        raise ValidationError({"unit": _("Nobody in this unit matches the levels chosen.")})
    Review.objects.bulk_create(reviews)
    cycle.state = ReviewCycle.State.OPEN
    cycle.save(update_fields=["state"])
    return cycle


@records_actor
@transaction.atomic
def lock_calibration(*, actor: Person, cycle: ReviewCycle) -> ReviewCycle:
    """Lock the calibrated ratings of the cycle: every evaluated review is locked, ready for
    release; nothing is recalibrated after. Needs every review evaluated."""
    cycle = _locked(ReviewCycle, cycle)
    if not permissions.can_manage_cycle(actor, cycle):
        raise PermissionDenied
    if cycle.state != ReviewCycle.State.OPEN:
        raise _state_error(_("Only an open review cycle is locked."))
    waiting = cycle.reviews.filter(state__in=(Review.State.SELF, Review.State.MANAGER)).count()
    if waiting:
        raise _state_error(
            _("%(n)s reviews are not evaluated yet: calibrate once every one is.") % {"n": waiting}
        )
    now = timezone.now()
    for review in cycle.reviews.filter(locked_at__isnull=True):
        review.locked_at = now
        review.save(update_fields=["locked_at"])
    cycle.state = ReviewCycle.State.LOCKED
    cycle.locked_at = now
    cycle.save(update_fields=["state", "locked_at"])
    return cycle


# --- the person's and the manager's steps ----------------------------------------------------
@records_actor
@transaction.atomic
def submit_self_assessment(
    *,
    actor: Person,
    review: Review,
    results_rating,
    competencies_rating,
    attitude_rating,
    comment: str,
) -> Review:
    review = _review(review)
    permissions.require(actor, review, permissions.SELF_ASSESS)
    if review.state != Review.State.SELF:
        raise _state_error(_("The self-assessment was already submitted."))
    review.self_results_rating = _rating(results_rating, "results_rating")
    review.self_competencies_rating = _rating(competencies_rating, "competencies_rating")
    review.self_attitude_rating = _rating(attitude_rating, "attitude_rating")
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say in a few words how your cycle went.")})
    review.self_comment = comment.strip()
    review.self_submitted_at = timezone.now()
    review.state = Review.State.MANAGER
    review.full_clean()
    review.save()
    if review.manager_id:
        notify(
            recipients=[review.manager],
            kind="review.self_assessed",
            text=Message(
                gettext_noop("%(name)s submitted a self-assessment."),
                name=review.person.display_name,
            ),
            url=reverse("reviews:detail", args=[review.pk]),
            subject=review,
        )
    return review


@records_actor
@transaction.atomic
def submit_evaluation(
    *,
    actor: Person,
    review: Review,
    results_rating,
    competencies_rating,
    attitude_rating,
    overall_rating,
    results_evidence: str = "",
    competencies_evidence: str = "",
    attitude_evidence: str = "",
    results_override_reason: str = "",
    summary: str = "",
) -> Review:
    """The manager's evaluation: each section rated with its evidence and the overall
    rating. A results rating other than the one the numbers suggest needs a reason."""
    review = _review(review)
    permissions.require(actor, review, permissions.EVALUATE)
    if review.state != Review.State.MANAGER:
        if review.state == Review.State.SELF:
            raise _state_error(_("Wait for the self-assessment first."))
        raise _state_error(_("The review was already evaluated."))
    suggested = review_facts(review).suggested_rating
    errors = {}
    ratings = {}
    for name, value in (
        ("results_rating", results_rating),
        ("competencies_rating", competencies_rating),
        ("attitude_rating", attitude_rating),
        ("overall_rating", overall_rating),
    ):
        try:
            ratings[name] = _rating(value, name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    reason = (results_override_reason or "").strip()
    if (
        suggested is not None
        and ratings.get("results_rating") not in (None, suggested)
        and not reason
    ):
        errors["results_override_reason"] = [
            _("The numbers suggest %(n)s: say why you rate the results differently.")
            % {"n": suggested}
        ]
    if errors:
        raise ValidationError(errors)
    review.suggested_results_rating = suggested
    review.results_rating = ratings["results_rating"]
    review.competencies_rating = ratings["competencies_rating"]
    review.attitude_rating = ratings["attitude_rating"]
    review.overall_rating = ratings["overall_rating"]
    review.results_override_reason = reason
    review.results_evidence = results_evidence.strip()
    review.competencies_evidence = competencies_evidence.strip()
    review.attitude_evidence = attitude_evidence.strip()
    review.manager_comment = summary.strip()
    review.evaluated_by = actor
    review.evaluated_at = timezone.now()
    review.state = Review.State.EVALUATED
    review.full_clean()
    review.save()
    return review


@records_actor
@transaction.atomic
def calibrate(*, actor: Person, review: Review, rating, comment: str) -> Review:
    """Move (or confirm) a rating in calibration: a move needs a comment; every change is in
    the review's history with its author. Refused once the cycle's ratings are locked."""
    review = _review(review)
    permissions.require(actor, review, permissions.CALIBRATE)
    if not review.cycle.calibration:
        raise _state_error(_("This review cycle has no calibration."))
    if review.state != Review.State.EVALUATED:
        raise _state_error(_("Only evaluated, unreleased reviews are calibrated."))
    if review.locked_at is not None:
        raise _state_error(_("The calibrated ratings are locked."))
    new = _rating(rating, "rating")
    comment = (comment or "").strip()
    if new != review.final_rating and not comment:
        raise ValidationError({"comment": _("Say why the rating moves.")})
    review.calibrated_rating = new
    review.calibration_comment = comment
    review.calibrated_by = actor
    review._change_reason = comment[:100]
    review.save(update_fields=["calibrated_rating", "calibration_comment", "calibrated_by"])
    return review


@records_actor
@transaction.atomic
def release_review(*, actor: Person, review: Review) -> Review:
    """Release the review to the person: they read their ratings and acknowledge them."""
    review = _review(review)
    permissions.require(actor, review, permissions.RELEASE)
    if review.state != Review.State.EVALUATED:
        raise _state_error(_("Only an evaluated review is released."))
    if review.cycle.calibration and review.locked_at is None:
        raise _state_error(_("Release once the calibrated ratings are locked."))
    review.state = Review.State.RELEASED
    review.released_at = timezone.now()
    review.save(update_fields=["state", "released_at"])
    publish("review.released", review=review.pk, person=review.person_id, cycle=review.cycle_id)
    notify(
        recipients=[review.person],
        kind="review.released",
        text=Message(gettext_noop("Your performance review is ready to read.")),
        url=reverse("reviews:detail", args=[review.pk]),
        subject=review,
    )
    return review


@records_actor
@transaction.atomic
def record_meeting(*, actor: Person, review: Review, met_on: dt.date) -> Review:
    review = _review(review)
    permissions.require(actor, review, permissions.MEETING)
    if review.state not in Review.RELEASED_STATES:
        raise _state_error(_("Meet once the review is released."))
    if met_on is None:
        raise ValidationError({"met_on": _("Give the date of the conversation.")})
    if review.released_at and met_on < review.released_at.date() - dt.timedelta(days=1):
        raise ValidationError({"met_on": _("The conversation follows the release.")})
    if met_on > timezone.localdate() + dt.timedelta(days=60):
        raise ValidationError({"met_on": _("Give a date within the next two months.")})
    review.met_on = met_on
    review.save(update_fields=["met_on"])
    return review


@records_actor
@transaction.atomic
def acknowledge_review(
    *, actor: Person, review: Review, comment: str = "", disagree: bool = False
) -> Review:
    """The person acknowledges their review, with an optional comment; a disagreement (which
    needs one) goes to the HRBPs of their unit."""
    review = _review(review)
    permissions.require(actor, review, permissions.ACKNOWLEDGE)
    if review.state != Review.State.RELEASED:
        raise _state_error(_("Only a released review is acknowledged, once."))
    comment = (comment or "").strip()
    if disagree and not comment:
        raise ValidationError({"comment": _("Say what you disagree with.")})
    review.state = Review.State.ACKNOWLEDGED
    review.acknowledged_at = timezone.now()
    review.acknowledgement_comment = comment
    review.disagrees = bool(disagree)
    review.save(update_fields=["state", "acknowledged_at", "acknowledgement_comment", "disagrees"])
    if disagree:
        hrbps = Person.objects.filter(
            hrbp_assignments__unit_id__in=review.person.unit.ancestor_ids
        ).distinct()
        notify(
            recipients=list(hrbps),
            kind="review.disagreement",
            text=Message(
                gettext_noop("%(name)s disagrees with their performance review."),
                name=review.person.display_name,
            ),
            url=reverse("reviews:detail", args=[review.pk]),
            subject=review,
        )
    return review


@records_actor
@transaction.atomic
def agree_development_plan(
    *, actor: Person, review: Review, title: str, actions: list[dict]
) -> Review:
    """The development plan agreed in the conversation: an improvement plan of the person
    (training, coaching, stretch assignments...), followed up in their weekly check-ins."""
    review = _review(review)
    permissions.require(actor, review, permissions.DEVELOPMENT_PLAN)
    if review.state not in Review.RELEASED_STATES:
        raise _state_error(_("The plan is agreed once the review is released."))
    if review.development_plan_id is not None:
        raise _state_error(_("The review already has a development plan."))
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the plan a title.")})
    owners = {review.person.pk: review.person}
    clean = []
    for data in actions:
        owner = data.get("owner") or review.person
        if owner.pk not in owners and not permissions.can_release(actor, review):
            owner = review.person
        clean.append({**data, "owner": owner})
    plan = create_improvement_plan(
        actor=actor,
        person=review.person,
        title=title.strip(),
        actions=clean,
        source=f"review:{review.pk}",
    )
    review.development_plan = plan
    review.save(update_fields=["development_plan"])
    return review


# --- 360 feedback ----------------------------------------------------------------------------
@records_actor
@transaction.atomic
def propose_reviewers(*, actor: Person, review: Review, reviewers: list[dict]) -> Review:
    """The person proposes reviewers ({"reviewer": Person, "relation": ...}); their manager
    approves each."""
    review = _review(review)
    permissions.require(actor, review, permissions.PROPOSE_REVIEWERS)
    if not review.cycle.feedback_360:
        raise _state_error(_("This review cycle has no 360-degree feedback."))
    if review.state not in (Review.State.SELF, Review.State.MANAGER):
        raise _state_error(_("Reviewers are proposed before the manager's evaluation."))
    if not reviewers:
        raise ValidationError({"reviewers": _("Propose at least one reviewer.")})
    existing = set(review.feedback_requests.values_list("reviewer_id", flat=True))
    if len(existing) + len(reviewers) > MAX_REVIEWERS:
        raise ValidationError(
            {"reviewers": _("At most %(n)s reviewers per review.") % {"n": MAX_REVIEWERS}}
        )
    manager_ids = {review.manager_id}
    for index, row in enumerate(reviewers):
        person, relation = row["reviewer"], row["relation"]
        if person.pk == review.person_id or person.pk in manager_ids:
            raise ValidationError(
                {f"reviewers.{index}": _("Propose colleagues, not yourself or your manager.")}
            )
        if person.pk in existing or not person.is_active:
            raise ValidationError(
                {f"reviewers.{index}": _("%(name)s is already asked.") % {"name": person}}
            )
        if relation not in FeedbackRequest.Relation.values:
            raise ValidationError({f"reviewers.{index}": _("Choose a relation.")})
        existing.add(person.pk)
        FeedbackRequest.objects.create(review=review, reviewer=person, relation=relation)
    if review.manager_id:
        notify(
            recipients=[review.manager],
            kind="review.reviewers_proposed",
            text=Message(
                gettext_noop("%(name)s proposed 360-degree reviewers for you to approve."),
                name=review.person.display_name,
            ),
            url=reverse("reviews:detail", args=[review.pk]),
            subject=review,
        )
    return review


@records_actor
@transaction.atomic
def decide_feedback_request(
    *, actor: Person, request: FeedbackRequest, approve: bool
) -> FeedbackRequest:
    request = _locked(FeedbackRequest, request)
    if not permissions.can_evaluate(actor, request.review):
        raise PermissionDenied
    if request.state != FeedbackRequest.State.PROPOSED:
        raise _state_error(_("This request was already decided."))
    if request.review.state not in (Review.State.SELF, Review.State.MANAGER):
        raise _state_error(_("The review is past the 360-degree feedback."))
    request.state = FeedbackRequest.State.APPROVED if approve else FeedbackRequest.State.DECLINED
    request.save(update_fields=["state"])
    if approve:
        notify(
            recipients=[request.reviewer],
            kind="review.feedback_requested",
            text=Message(
                gettext_noop("%(name)s asks for your 360-degree feedback."),
                name=request.review.person.display_name,
            ),
            url=reverse("reviews:feedback", args=[request.pk]),
            subject=request,
        )
    return request


@records_actor
@transaction.atomic
def answer_feedback_request(
    *, actor: Person, request: FeedbackRequest, rating, strengths: str, improvements: str
) -> FeedbackRequest:
    request = _locked(FeedbackRequest, request)
    if request.reviewer_id != actor.pk:
        raise PermissionDenied
    if request.state != FeedbackRequest.State.APPROVED:
        raise _state_error(_("This request is not waiting for an answer."))
    if request.review.state not in (Review.State.SELF, Review.State.MANAGER):
        raise _state_error(_("The review is past the 360-degree feedback."))
    request.rating = _rating(rating, "rating")
    request.strengths = (strengths or "").strip()
    request.improvements = (improvements or "").strip()
    if not (request.strengths or request.improvements):
        raise ValidationError({"strengths": _("Write a strength or something to improve.")})
    request.state = FeedbackRequest.State.ANSWERED
    request.answered_at = timezone.now()
    request.full_clean()
    request.save()
    return request
