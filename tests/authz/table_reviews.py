"""Matrix rows: performance reviews (the reviews app, issue 22), API and pages.

A review is seen by Alice, her manager chain, her HRBP and admins; never by a peer or another
unit. She assesses herself, proposes 360 reviewers and acknowledges; her managers evaluate,
release and record the conversation; calibration is for her HRBP, the heads above her and
admins; review cycles are configured by the unit's HRBP and admins, seen by everyone. A 360
request is also seen by its reviewer, who alone answers it; her managers approve it.
"""

from tests.authz.rows import ABOVE, EVERYONE, HR, MANAGER_CHAIN, MANAGERS, ONLY_SELF, Act, Marker
from tests.authz.world import HRBP_OTHER, OTHER, PEER

CALIBRATORS = MANAGERS | HR
REVIEWER_PROPOSED = MANAGER_CHAIN | {OTHER}  # the request proposing Dave
REVIEWER_APPROVED = MANAGER_CHAIN | {PEER}  # the request Erin answers
SELF_FORM = {"results_rating": 4, "competencies_rating": 3, "attitude_rating": 4, "comment": "Ok"}
EVALUATION = {
    "results_rating": 3,
    "competencies_rating": 3,
    "attitude_rating": 3,
    "overall_rating": 3,
    "results_override_reason": "Judgement",
}
PLAN = {"title": "Grow", "kind": "training", "description": "Course"}
CYCLE_BODY = {"name": "New review", "goal_cycle": "@cycle", "unit": "@sales"}
# The review-cycle page's form: the draft cycle's settings with another guideline.
CYCLE_FORM = {
    "name": "Zq draft review cycle",
    "goal_cycle": "@cycle",
    "unit": "@field",
    "levels": "frontline",
    "self_assessment": "on",
    "feedback_360": "on",
    "calibration": "on",
    "top_rating_limit": 25,
}


def _step(action, review, step, data=None, *, allowed):
    return Act(
        action,
        f"/reviews/{{{review}}}/{step}/",
        "post",
        data or {},
        allowed=allowed,
        sees=MANAGER_CHAIN,
    )


def _api_step(action, review, step, data=None, *, allowed):
    return Act(
        action,
        f"/api/v1/reviews/{{{review}}}/{step}/",
        "post",
        data,
        allowed=allowed,
        sees=MANAGER_CHAIN,
    )


TABLE = {
    # --- API: review cycles ---------------------------------------------------------------
    "review-cycle-list": [
        Act("list", "/api/v1/review-cycles/", markers=(Marker("@review_cycle", EVERYONE),)),
        Act("create", "/api/v1/review-cycles/", "post", CYCLE_BODY, allowed=HR),
    ],
    "review-cycle-detail": [Act("read", "/api/v1/review-cycles/{review_cycle}/")],
    "review-cycle-open": [
        Act("open", "/api/v1/review-cycles/{review_cycle_draft}/open/", "post", allowed=HR)
    ],
    "review-cycle-lock": [
        Act("lock", "/api/v1/review-cycles/{review_cycle_calibration}/lock/", "post", allowed=HR)
    ],
    "review-cycle-distribution": [
        Act(
            "distribution",
            "/api/v1/review-cycles/{review_cycle_calibration}/distribution/",
            allowed=CALIBRATORS,
            sees=EVERYONE,
        )
    ],
    # --- API: reviews --------------------------------------------------------------------------
    "review-list": [
        Act(
            "list",
            "/api/v1/reviews/",
            markers=(
                Marker("@review_self", MANAGER_CHAIN),
                Marker("@review_released", MANAGER_CHAIN),
            ),
        )
    ],
    "review-detail": [Act("read", "/api/v1/reviews/{review_manager}/", allowed=MANAGER_CHAIN)],
    "review-self-assessment": [
        _api_step("self-assess", "review_self", "self-assessment", SELF_FORM, allowed=ONLY_SELF)
    ],
    "review-reviewers": [
        _api_step(
            "propose",
            "review_self",
            "reviewers",
            {"reviewers": [{"reviewer": "@sam", "relation": "colleague"}]},
            allowed=ONLY_SELF,
        )
    ],
    "review-evaluate": [
        _api_step("evaluate", "review_manager", "evaluate", EVALUATION, allowed=MANAGERS)
    ],
    "review-calibrate": [
        _api_step(
            "calibrate",
            "review_evaluated",
            "calibrate",
            {"rating": 5, "comment": "Curve"},
            allowed=CALIBRATORS,
        )
    ],
    "review-release": [_api_step("release", "review_to_release", "release", allowed=ABOVE)],
    "review-meeting": [
        _api_step("meeting", "review_released", "meeting", {"met_on": "2026-11-18"}, allowed=ABOVE)
    ],
    "review-acknowledge": [
        _api_step("acknowledge", "review_released", "acknowledge", {}, allowed=ONLY_SELF)
    ],
    "review-development-plan": [
        _api_step(
            "plan",
            "review_released",
            "development-plan",
            {"title": "Grow", "actions": [{"kind": "coaching", "description": "Pair"}]},
            allowed=ABOVE | ONLY_SELF,
        )
    ],
    # --- API: 360 feedback requests ----------------------------------------------------------
    "feedback-request-list": [
        Act(
            "list",
            "/api/v1/feedback-requests/",
            markers=(Marker("@feedback_proposed", REVIEWER_PROPOSED),),
        )
    ],
    "feedback-request-detail": [
        Act("read", "/api/v1/feedback-requests/{feedback_proposed}/", allowed=REVIEWER_PROPOSED)
    ],
    "feedback-request-approve": [
        Act(
            "approve",
            "/api/v1/feedback-requests/{feedback_proposed}/approve/",
            "post",
            allowed=MANAGERS,
            sees=REVIEWER_PROPOSED,
        )
    ],
    "feedback-request-decline": [
        Act(
            "decline",
            "/api/v1/feedback-requests/{feedback_proposed}/decline/",
            "post",
            allowed=MANAGERS,
            sees=REVIEWER_PROPOSED,
        )
    ],
    "feedback-request-answer": [
        Act(
            "answer",
            "/api/v1/feedback-requests/{feedback_approved}/answer/",
            "post",
            {"rating": 4, "strengths": "Calm"},
            allowed=frozenset({PEER}),
            sees=REVIEWER_APPROVED,
        )
    ],
    # --- pages -----------------------------------------------------------------------------------
    "reviews:home": [Act("page", "/reviews/")],
    "reviews:detail": [
        Act("page", "/reviews/{review_manager}/", allowed=MANAGER_CHAIN),
        Act("released", "/reviews/{review_released}/", allowed=MANAGER_CHAIN),
    ],
    "reviews:step": [
        _step("self-assess", "review_self", "self_assess", SELF_FORM, allowed=ONLY_SELF),
        _step(
            "propose",
            "review_self",
            "propose_reviewers",
            {"reviewer": "@sam", "relation": "colleague"},
            allowed=ONLY_SELF,
        ),
        _step("evaluate", "review_manager", "evaluate", EVALUATION, allowed=MANAGERS),
        _step(
            "calibrate",
            "review_evaluated",
            "calibrate",
            {"rating": 5, "comment": "Curve"},
            allowed=CALIBRATORS,
        ),
        _step("release", "review_to_release", "release", allowed=ABOVE),
        _step("meeting", "review_released", "meeting", {"met_on": "2026-11-18"}, allowed=ABOVE),
        _step("acknowledge", "review_released", "acknowledge", allowed=ONLY_SELF),
        _step("plan", "review_released", "development_plan", PLAN, allowed=ABOVE | ONLY_SELF),
    ],
    "reviews:feedback": [
        Act("page", "/reviews/feedback/{feedback_approved}/", allowed=REVIEWER_APPROVED),
        Act(
            "answer",
            "/reviews/feedback/{feedback_approved}/",
            "post",
            {"rating": 4, "strengths": "Calm"},
            allowed=frozenset({PEER}),
            sees=REVIEWER_APPROVED,
        ),
    ],
    "reviews:feedback-decide": [
        Act(
            "approve",
            "/reviews/feedback/{feedback_proposed}/decide/",
            "post",
            {"decision": "approve"},
            allowed=MANAGERS,
            sees=REVIEWER_PROPOSED,
        )
    ],
    "reviews:cycle": [
        Act(
            "calibration page",
            "/reviews/cycles/{review_cycle_calibration}/",
            allowed=CALIBRATORS,
            sees=EVERYONE,
        )
    ],
    "reviews:export": [
        Act(
            "export",
            "/reviews/cycles/{review_cycle_calibration}/export/",
            allowed=CALIBRATORS,
            sees=EVERYONE,
        )
    ],
    "reviews:cycle-new": [
        # Any HRBP opens the page (for the units they partner); Sales' is not one of another
        # unit's HRBP's choices (the form's error, 400).
        Act("new cycle page", "/reviews/cycles/new/", allowed=HR | {HRBP_OTHER}, denied=403),
        Act(
            "create cycle",
            "/reviews/cycles/new/",
            "post",
            {**CYCLE_FORM, "name": "New review"},
            allowed=HR,
            denied=403,
            refused={HRBP_OTHER: 400},
        ),
    ],
    "reviews:cycle-edit": [
        Act(
            "cycle settings page",
            "/reviews/cycles/{review_cycle_draft}/edit/",
            allowed=HR,
            sees=EVERYONE,
        ),
        Act(
            "save cycle settings",
            "/reviews/cycles/{review_cycle_draft}/edit/",
            "post",
            CYCLE_FORM,
            allowed=HR,
            sees=EVERYONE,
            htmx=True,
        ),
    ],
    "reviews:cycle-action": [
        Act("open", "/reviews/cycles/{review_cycle_draft}/open/", "post", allowed=HR),
        Act("lock", "/reviews/cycles/{review_cycle_calibration}/lock/", "post", allowed=HR),
    ],
}
