"""Demo data for performance reviews: last quarter's review of Sales' frontline, finished
(self-assessments, the managers' evaluations from the facts, 360 feedback for Wang Fang, the
HRBP's calibration, release, the conversation, her acknowledgement and development plan), and
this quarter's in progress (Wang Fang's self-assessment and three 360 answers are in: the demo
manager evaluates her). Idempotent: a review cycle found by its name is left alone."""

from __future__ import annotations

from demo.seed.context import DemoContext
from demo.seed.goals import seed_cycles
from org.models import Person
from reviews import selectors, services
from reviews.models import ReviewCycle

STRENGTHS = [
    "客户跟进及时，回复很快。",
    "Prepares every demo carefully and listens to the customer.",
    "乐于分享线索，团队合作好。",
]
IMPROVEMENTS = [
    "Could qualify leads earlier instead of chasing every one.",
    "大客户谈判还需要更多准备。",
    "Write the weekly check-in on Friday, not Monday.",
]


def _cycle(ctx: DemoContext, name: str, goal_cycle) -> tuple[ReviewCycle, bool]:
    existing = ReviewCycle.objects.filter(name=name).first()
    if existing is not None:
        return existing, False
    cycle = services.create_review_cycle(
        actor=ctx.people["hrbp"],
        name=name,
        goal_cycle=goal_cycle,
        unit=ctx.units["sales"],
        levels=[Person.Level.FRONTLINE],
        top_rating_limit=20,
    )
    return services.open_review_cycle(actor=ctx.people["hrbp"], cycle=cycle), True


def _self_assess(review, rng) -> None:
    services.submit_self_assessment(
        actor=review.person,
        review=review,
        results_rating=rng.choice([3, 4]),
        competencies_rating=rng.choice([3, 4]),
        attitude_rating=rng.choice([3, 4, 5]),
        comment="本季度我主动跟进了所有重点客户。 I followed up every key account this quarter.",
    )


def _ask_360(ctx: DemoContext, review, colleagues: list[Person]) -> None:
    services.propose_reviewers(
        actor=review.person,
        review=review,
        reviewers=[{"reviewer": p, "relation": "peer"} for p in colleagues],
    )
    for index, request in enumerate(review.feedback_requests.all()):
        services.decide_feedback_request(actor=review.manager, request=request, approve=True)
        services.answer_feedback_request(
            actor=request.reviewer,
            request=request,
            rating=4 - index % 2,
            strengths=STRENGTHS[index % 3],
            improvements=IMPROVEMENTS[index % 3],
        )


def _evaluate(review, rng) -> None:
    suggested = selectors.review_facts(review).suggested_rating or 3
    overall = max(1, min(5, suggested + rng.choice([-1, 0, 0, 1])))
    services.submit_evaluation(
        actor=review.manager,
        review=review,
        results_rating=suggested,
        competencies_rating=rng.choice([3, 4]),
        attitude_rating=rng.choice([3, 4, 5]),
        overall_rating=overall,
        results_evidence="Attainment and check-ins as Keel shows them.",
        summary="Keep the pipeline discipline; grow into key accounts.",
    )


def _finished_quarter(ctx: DemoContext, previous) -> None:
    cycle, created = _cycle(ctx, f"Sales review {previous.name}", previous)
    if not created:
        return
    rng = ctx.rng("reviews-finished")
    wang = ctx.people["employee"]
    reviews = list(cycle.reviews.select_related("person__unit", "manager").order_by("pk"))
    colleagues = [r.person for r in reviews if r.person != wang][:3]
    for review in reviews:
        _self_assess(review, rng)
        if review.person == wang:
            _ask_360(ctx, review, colleagues)
        if review.manager is not None:
            _evaluate(review, rng)
    hrbp = ctx.people["hrbp"]
    top = list(cycle.reviews.filter(overall_rating=5).order_by("pk"))
    for review in top[1:]:  # the guideline: few at the top rating
        services.calibrate(
            actor=hrbp, review=review, rating=4, comment="Sales curve: 20% at most at 5."
        )
    if cycle.reviews.filter(state__in=["self", "manager"]).exists():
        return  # someone without a manager: the cycle stays open for the HRBP
    services.lock_calibration(actor=hrbp, cycle=cycle)
    for review in cycle.reviews.select_related("manager").order_by("pk"):
        services.release_review(actor=review.manager, review=review)
    review = cycle.reviews.get(person=wang)
    services.record_meeting(actor=review.manager, review=review, met_on=ctx.today)
    services.acknowledge_review(actor=wang, review=review, comment="谢谢，我同意。")
    services.agree_development_plan(
        actor=review.manager,
        review=review,
        title="大客户谈判能力 · Key account negotiation",
        actions=[
            {"kind": "training", "description": "Key account negotiation course"},
            {"kind": "coaching", "description": "Shadow Liu Yang in two renewals"},
        ],
    )


def _quarter_in_progress(ctx: DemoContext, quarter) -> None:
    cycle, created = _cycle(ctx, f"Sales review {quarter.name}", quarter)
    if not created:
        return
    rng = ctx.rng("reviews-progress")
    wang = ctx.people["employee"]
    reviews = list(cycle.reviews.select_related("person__unit", "manager").order_by("pk"))
    colleagues = [r.person for r in reviews if r.person != wang][:3]
    for index, review in enumerate(reviews):
        if review.person == wang:
            _self_assess(review, rng)
            _ask_360(ctx, review, colleagues)
        elif index % 2:
            _self_assess(review, rng)


def seed(ctx: DemoContext) -> None:
    if ctx.synthetic or "employee" not in ctx.people or "hrbp" not in ctx.people:
        return
    _year, quarter, previous = seed_cycles(ctx.today)
    _finished_quarter(ctx, previous)
    _quarter_in_progress(ctx, quarter)
