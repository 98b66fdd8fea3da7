"""Reads of the reviews app: the facts Keel gathered for a review (the results section), the
aggregated 360 answers, the calibration distribution and the lists of the pages and API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from goals.models import Goal
from org.scopes import Viewer, ViewerLike
from reviews import permissions
from reviews.models import TOP_RATING, FeedbackRequest, Rating, Review, ReviewCycle
from tracking.models import CheckIn, Feedback, ImprovementPlan

# At least this many answers before the person reviewed reads the 360 feedback (aggregated).
ANONYMITY_THRESHOLD = 3
# The results rating the numbers suggest: the lowest score (0–1) for each rating.
SUGGESTION_FLOORS = ((0.9, 5), (0.75, 4), (0.6, 3), (0.4, 2))
SCORED_STATES = (Goal.State.AGREED, Goal.State.CLOSED)


@dataclass
class GoalFact:
    pk: int
    title: str
    weight: float
    progress: float
    score: float | None

    @property
    def grade(self) -> float:
        """The goal's score when scored, else its progress (0–1)."""
        return self.score if self.score is not None else min(1.0, max(0.0, self.progress))


@dataclass
class Facts:
    goals: list[GoalFact] = field(default_factory=list)
    weighted_score: float | None = None
    check_ins_submitted: int = 0
    check_ins_due: int = 0
    feedback_received: int = 0
    plans: list[ImprovementPlan] = field(default_factory=list)
    suggested_rating: int | None = None

    @property
    def check_in_rate(self) -> float | None:
        return self.check_ins_submitted / self.check_ins_due if self.check_ins_due else None


def suggest_rating(score: float | None) -> int | None:
    if score is None:
        return None
    for floor, rating in SUGGESTION_FLOORS:
        if score >= floor:
            return rating
    return int(Rating.FAR_BELOW)


def review_facts(review: Review) -> Facts:
    """The results section: each agreed goal's score (or progress), the weighted score, the
    check-in discipline, feedback received and the improvement plans of the cycle. A fixed
    number of queries."""
    cycle = review.cycle.goal_cycle
    person = review.person
    facts = Facts()
    goals = Goal.objects.filter(cycle=cycle, owner_person=person, state__in=SCORED_STATES).order_by(
        "-weight", "pk"
    )
    for goal in goals.only("pk", "title", "weight", "progress", "score"):
        facts.goals.append(
            GoalFact(goal.pk, goal.title, float(goal.weight), goal.progress, goal.score)
        )
    total = sum(g.weight for g in facts.goals)
    if facts.goals:
        facts.weighted_score = (
            sum(g.grade * g.weight for g in facts.goals) / total
            if total
            else sum(g.grade for g in facts.goals) / len(facts.goals)
        )
    first = cycle.starts_on - dt.timedelta(days=cycle.starts_on.weekday())
    facts.check_ins_due = max(0, (min(cycle.ends_on, dt.date.today()) - first).days // 7 + 1)
    facts.check_ins_submitted = CheckIn.objects.filter(
        person=person,
        state=CheckIn.State.SUBMITTED,
        week__gte=first,
        week__lte=cycle.ends_on,
    ).count()
    facts.check_ins_submitted = min(facts.check_ins_submitted, facts.check_ins_due)
    facts.feedback_received = Feedback.objects.filter(
        check_in__person=person, check_in__week__gte=first, check_in__week__lte=cycle.ends_on
    ).count()
    facts.plans = list(
        ImprovementPlan.objects.filter(
            person=person,
            created_at__date__gte=cycle.starts_on,
            created_at__date__lte=cycle.ends_on,
        ).order_by("-created_at")[:10]
    )
    facts.suggested_rating = suggest_rating(facts.weighted_score)
    return facts


@dataclass
class FeedbackSummary:
    """The 360 answers without names: how many answered, the average impression, the texts
    in a fixed order that does not follow the reviewers'."""

    shown: bool
    reason: str
    answered: int
    pending: int
    average: float | None = None
    strengths: list[str] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)


def feedback_summary(viewer: ViewerLike, review: Review) -> FeedbackSummary:
    """Shown to the manager chain, HRBP and admins however many answered; to the person
    reviewed only once released and with at least ANONYMITY_THRESHOLD answers (else the reason
    why)."""
    rows = list(
        FeedbackRequest.objects.filter(review=review)
        .exclude(state=FeedbackRequest.State.DECLINED)
        .values("state", "rating", "strengths", "improvements")
    )
    answered = [r for r in rows if r["state"] == FeedbackRequest.State.ANSWERED]
    pending = len(rows) - len(answered)
    summary = FeedbackSummary(shown=True, reason="", answered=len(answered), pending=pending)
    if permissions.is_reviewee(viewer, review):
        if not review.is_released:
            summary.shown = False
            summary.reason = _("You read the 360-degree feedback once your review is released.")
        elif len(answered) < ANONYMITY_THRESHOLD:
            summary.shown = False
            summary.reason = _(
                "Fewer than %(n)s reviewers answered, so their answers could be traced back to "
                "them: only your manager reads them."
            ) % {"n": ANONYMITY_THRESHOLD}
    if not summary.shown:
        return summary
    ratings = [r["rating"] for r in answered if r["rating"]]
    summary.average = round(sum(ratings) / len(ratings), 1) if ratings else None
    summary.strengths = sorted(r["strengths"] for r in answered if r["strengths"])
    summary.improvements = sorted(r["improvements"] for r in answered if r["improvements"])
    return summary


# --- lists -----------------------------------------------------------------------------------
def reviews_for(viewer: ViewerLike) -> QuerySet[Review]:
    return permissions.visible_reviews(viewer).select_related(
        "cycle__goal_cycle", "cycle__unit", "person__unit", "unit", "manager"
    )


def my_reviews(viewer: ViewerLike) -> QuerySet[Review]:
    viewer = Viewer.of(viewer)
    return reviews_for(viewer).filter(person_id=viewer.pk).order_by("-cycle__created_at", "-pk")


def team_reviews(viewer: ViewerLike) -> QuerySet[Review]:
    viewer = Viewer.of(viewer)
    return (
        reviews_for(viewer)
        .exclude(person_id=viewer.pk)
        .exclude(cycle__state=ReviewCycle.State.CLOSED)
        .order_by("cycle_id", "person__display_name", "pk")
    )


def requests_to_answer(viewer: ViewerLike) -> QuerySet[FeedbackRequest]:
    viewer = Viewer.of(viewer)
    return (
        FeedbackRequest.objects.filter(reviewer_id=viewer.pk, state=FeedbackRequest.State.APPROVED)
        .select_related("review__person", "review__cycle")
        .order_by("review__cycle__feedback_due_on", "pk")
    )


def feedback_requests_for(viewer: ViewerLike) -> QuerySet[FeedbackRequest]:
    return permissions.visible_feedback_requests(viewer).select_related(
        "review__person", "review__cycle", "reviewer"
    )


# --- calibration -----------------------------------------------------------------------------
@dataclass
class Group:
    unit: str
    level: str
    counts: dict[int, int]
    total: int
    top_share: float
    over_limit: bool


def calibration_reviews(viewer: ViewerLike, cycle: ReviewCycle) -> QuerySet[Review]:
    return (
        reviews_for(viewer)
        .filter(cycle=cycle)
        .filter(permissions.calibratable_reviews_q(viewer))
        .order_by("unit__path", "level", "person__display_name", "pk")
    )


def distribution(viewer: ViewerLike, cycle: ReviewCycle) -> list[Group]:
    """Ratings per unit and level (the calibrated rating, else the manager's), with the share
    at the top rating against the cycle's guideline. One query."""
    rows = (
        calibration_reviews(viewer, cycle)
        .exclude(overall_rating__isnull=True)
        .values("unit__name", "unit__path", "level", "calibrated_rating", "overall_rating")
    )
    groups: dict[tuple, dict[int, int]] = defaultdict(lambda: dict.fromkeys(Rating.values, 0))
    names = {}
    for row in rows:
        key = (row["unit__path"], row["level"])
        names[key] = row["unit__name"]
        groups[key][row["calibrated_rating"] or row["overall_rating"]] += 1
    out = []
    levels = dict(Review._meta.get_field("level").choices)
    for key in sorted(groups):
        counts = groups[key]
        total = sum(counts.values())
        share = counts[TOP_RATING] / total if total else 0.0
        out.append(
            Group(
                unit=names[key],
                level=str(levels.get(key[1], key[1])),
                counts=counts,
                total=total,
                top_share=share,
                over_limit=share * 100 > cycle.top_rating_limit,
            )
        )
    return out


def final_ratings(viewer: ViewerLike, cycle: ReviewCycle) -> QuerySet[Review]:
    """The export: every review of the cycle the viewer may calibrate, with a final rating."""
    return (
        calibration_reviews(viewer, cycle)
        .filter(Q(calibrated_rating__isnull=False) | Q(overall_rating__isnull=False))
        .select_related("person__user")
    )


def released_ratings(*, person_ids, goal_cycles) -> dict[int, int]:
    """Per person: the final rating (calibrated, else the manager's overall) of their latest
    released review in a review cycle of `goal_cycles` (a queryset or ids). An input for the
    incentive rules that ask for a rating; one query, no viewer: the caller scopes the people."""
    rows = (
        Review.objects.filter(
            person_id__in=person_ids,
            cycle__goal_cycle__in=goal_cycles,
            state__in=Review.RELEASED_STATES,
        )
        .filter(Q(calibrated_rating__isnull=False) | Q(overall_rating__isnull=False))
        .order_by("person_id", "released_at", "pk")
        .values_list("person_id", "calibrated_rating", "overall_rating")
    )
    return {person_id: calibrated or overall for person_id, calibrated, overall in rows}


# --- steps waiting before a deadline (the reminders app's review reminders) ---------------------
SELF_STEP = "self"
FEEDBACK_STEP = "feedback"
MANAGER_STEP = "manager"


@dataclass
class PendingStep:
    """A step of an open review cycle someone still owes, due on `due_on`: a self-assessment,
    360 answers, or a manager's evaluations. `about` names the people it is about (the 360
    reviewees, the reports to evaluate); `object_id` is the review (self, manager) or the feedback
    request (360) when there is just one."""

    person_id: int
    step: str
    due_on: dt.date
    cycles: list[str] = field(default_factory=list)
    about: list[str] = field(default_factory=list)
    object_id: int | None = None
    count: int = 0


def pending_steps(*, due_from: dt.date, due_until: dt.date) -> list[PendingStep]:
    """Every step still owed in an open review cycle whose deadline falls within
    [due_from, due_until], grouped per person, step and deadline. Three queries, no viewer:
    the reminders app tells each person only about their own steps."""
    found: dict[tuple, PendingStep] = {}

    def add(person_id, step, due_on, cycle_name, about, object_id):
        key = (person_id, step, due_on)
        item = found.get(key)
        if item is None:
            item = found[key] = PendingStep(person_id, step, due_on, object_id=object_id)
        else:
            item.object_id = None
        item.count += 1
        if cycle_name not in item.cycles:
            item.cycles.append(cycle_name)
        if about:
            item.about.append(about)

    selfs = Review.objects.filter(
        state=Review.State.SELF,
        cycle__state=ReviewCycle.State.OPEN,
        cycle__self_assessment=True,
        cycle__self_due_on__range=(due_from, due_until),
        person__is_active=True,
    ).values_list("pk", "person_id", "cycle__self_due_on", "cycle__name")
    for pk, person_id, due_on, name in selfs.order_by("pk"):
        add(person_id, SELF_STEP, due_on, name, "", pk)
    answers = FeedbackRequest.objects.filter(
        state=FeedbackRequest.State.APPROVED,
        review__cycle__feedback_360=True,
        review__cycle__feedback_due_on__range=(due_from, due_until),
        reviewer__is_active=True,
        review__cycle__state=ReviewCycle.State.OPEN,
        # Answers count until the manager evaluates.
        review__state__in=(Review.State.SELF, Review.State.MANAGER),
    ).values_list(
        "pk",
        "reviewer_id",
        "review__cycle__feedback_due_on",
        "review__cycle__name",
        "review__person__display_name",
    )
    for pk, reviewer_id, due_on, name, about in answers.order_by("pk"):
        add(reviewer_id, FEEDBACK_STEP, due_on, name, about, pk)
    evaluations = Review.objects.filter(
        state=Review.State.MANAGER,
        cycle__state=ReviewCycle.State.OPEN,
        cycle__manager_due_on__range=(due_from, due_until),
        manager__isnull=False,
        manager__is_active=True,
    ).values_list(
        "pk", "manager_id", "cycle__manager_due_on", "cycle__name", "person__display_name"
    )
    for pk, manager_id, due_on, name, about in evaluations.order_by("person__display_name", "pk"):
        add(manager_id, MANAGER_STEP, due_on, name, about, pk)
    return list(found.values())
