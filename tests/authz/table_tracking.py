"""Matrix rows: check-ins, feedback, improvement plans and weekly reviews (issue 5), API and
pages; resource requests and budgets are in tests/authz/table_resources.py.

Rules (issues 5 and 6): only the author writes their check-in; their manager chain and their
HRBP read it and give feedback (an admin outside the chain reads, gives none); peers never see
it; the author acknowledges feedback. Improvement plans: the person, their manager chain and
HRBP, admins. A weekly review is a manager's: they, those above them, their HRBP and admins
read it.

An object named in a request *body* that the caller may not see answers 400 as unknown (as
DRF does for any missing primary key): `unknown_for(...)`.
"""

from tests.authz.rows import (
    COACHES,
    MANAGER_CHAIN,
    MANAGERS,
    ONLY_SELF,
    PRIVATE,
    Act,
    Marker,
    unknown_for,
)
from tests.authz.world import (
    ADMIN,
    CHECK_IN_DONE,
    HRBP,
    MANAGER,
    REVIEW_DECISIONS,
    SKIP,
)

REVIEW_READERS = frozenset({MANAGER, SKIP, HRBP, ADMIN})  # Bob's review: Bob and above him


def _this_week_form(w) -> dict:
    """Alice's This week page: a value for each of her active key results (on target)."""
    from tests.authz.world import THIS_WEEK
    from tracking.selectors import active_key_results

    data = {"done": "Visited three clients", "plan": "Two demos"}
    for kr in active_key_results(person=w.alice, week=THIS_WEEK):
        data[f"kr-{kr.pk}-value"] = str(kr.target_value)
    return data


PLAN_BODY = {
    "person": "@alice",
    "title": "More demos",
    "actions": [{"kind": "coaching", "description": "Pair up", "owner": "@alice"}],
}

TABLE = {
    # --- check-ins ------------------------------------------------------------------------
    "check-in-list": [
        Act(
            "list",
            "/api/v1/check-ins/",
            markers=(
                Marker("@check_in", MANAGER_CHAIN),
                Marker("@draft_check_in", MANAGER_CHAIN),
            ),
        )
    ],
    # Alice's is open already (200); everyone else gets a new draft (201).
    "check-in-current": [
        Act("open mine", "/api/v1/check-ins/current/", "post", {}, own=True, effect=False)
    ],
    "check-in-detail": [
        Act("read", "/api/v1/check-ins/{check_in}/", allowed=MANAGER_CHAIN),
        Act(
            "save draft",
            "/api/v1/check-ins/{draft_check_in}/",
            "patch",
            {"plan": "Call the fair's leads"},
            allowed=ONLY_SELF,
            sees=MANAGER_CHAIN,
        ),
    ],
    "check-in-submit": [
        Act(
            "submit",
            "/api/v1/check-ins/{draft_check_in}/submit/",
            "post",
            {
                "updates": [
                    {
                        "key_result": "@kr",
                        "value": "6",
                        "cause": "not-enough-leads",
                        "action": "Call more prospects",
                    }
                ]
            },
            allowed=ONLY_SELF,
            sees=MANAGER_CHAIN,
        )
    ],
    "feedback-list": [
        Act("list", "/api/v1/feedback/", markers=(Marker("@feedback", MANAGER_CHAIN),)),
        Act(
            "give",
            "/api/v1/feedback/",
            "post",
            {"check_in": "@check_in", "kind": "praise", "text": "Good calls"},
            allowed=COACHES,
            sees=MANAGER_CHAIN,
        ),
    ],
    "feedback-detail": [Act("read", "/api/v1/feedback/{feedback}/", allowed=MANAGER_CHAIN)],
    "feedback-acknowledge": [
        Act(
            "acknowledge",
            "/api/v1/feedback/{feedback}/acknowledge/",
            "post",
            allowed=ONLY_SELF,
            sees=MANAGER_CHAIN,
        )
    ],
    "improvement-plan-list": [
        Act("list", "/api/v1/improvement-plans/", markers=(Marker("@plan", MANAGER_CHAIN),)),
        Act(
            "create for Alice",
            "/api/v1/improvement-plans/",
            "post",
            PLAN_BODY,
            allowed=MANAGER_CHAIN,
        ),
        Act(
            "create from her update",
            "/api/v1/improvement-plans/",
            "post",
            {
                "update": "@update",
                "actions": [{"kind": "training", "description": "Course", "owner": "@alice"}],
            },
            allowed=MANAGER_CHAIN,
            sees=MANAGER_CHAIN,
            refused=unknown_for(MANAGER_CHAIN),
            unknown="Unknown update",
        ),
        # Her private goal named in someone's own plan: unknown to whoever may not see it.
        Act(
            "cite her private goal in my own plan",
            "/api/v1/improvement-plans/",
            "post",
            {
                "person": "@me",
                "title": "Mine",
                "goal": "@goal_private",
                "actions": [{"kind": "coaching", "description": "Read", "owner": "@me"}],
            },
            allowed=ONLY_SELF,
            sees=PRIVATE,
            refused=unknown_for(ONLY_SELF),
            unknown="does not exist",
        ),
    ],
    "improvement-plan-detail": [
        Act("read", "/api/v1/improvement-plans/{plan}/", allowed=MANAGER_CHAIN)
    ],
    "improvement-plan-action-state": [
        Act(
            "move an action",
            "/api/v1/improvement-plans/{plan}/action-state/",
            "post",
            {"action": "@plan_action", "state": "doing"},
            allowed=MANAGER_CHAIN,
            sees=MANAGER_CHAIN,
        )
    ],
    "weekly-review-list": [
        Act("my own", "/api/v1/weekly-reviews/"),
        Act(
            "Bob's team",
            "/api/v1/weekly-reviews/?manager={bob}&week=2026-11-09",
            allowed=REVIEW_READERS,
            reveals=(lambda r: r.json()["decisions"] == REVIEW_DECISIONS, REVIEW_READERS),
        ),
        Act(
            "save my decisions",
            "/api/v1/weekly-reviews/",
            "post",
            {"week": "2026-11-09", "decisions": "Focus on demos"},
            allowed=MANAGERS,
        ),
    ],
    "weekly-review-detail": [
        Act("read Bob's", "/api/v1/weekly-reviews/{review}/", allowed=REVIEW_READERS)
    ],
    # --- tracking pages -------------------------------------------------------------------
    "tracking:this-week": [
        Act(
            "my week",
            "/tracking/",
            markers=(Marker("Alice new customers", ONLY_SELF),),
        ),
        Act("submit my week", "/tracking/", "post", _this_week_form, own=True),
    ],
    "tracking:autosave": [
        Act("save my draft", "/tracking/autosave/", "post", {"plan": "Draft"}, own=True, htmx=True)
    ],
    "tracking:kr-status": [
        Act(
            "live status of her key result",
            lambda w: f"/tracking/key-results/{w.kr.pk}/status/?kr-{w.kr.pk}-value=5",
            allowed=ONLY_SELF,
            htmx=True,
        )
    ],
    # The burn-up of a key result of her own This week page: htmx loads it into the page, a
    # browser without JavaScript opens it as a page. Not her manager's either (404).
    "tracking:kr-burnup": [
        Act(
            "burn-up of her key result",
            lambda w: f"/tracking/key-results/{w.kr.pk}/burn-up/",
            allowed=ONLY_SELF,
            htmx=True,
        ),
        Act(
            "burn-up page of her key result",
            lambda w: f"/tracking/key-results/{w.kr.pk}/burn-up/",
            allowed=ONLY_SELF,
        ),
    ],
    "tracking:history": [
        Act("my history", "/tracking/history/"),
        Act("her history", "/tracking/history/?person={alice}", allowed=MANAGER_CHAIN),
    ],
    "tracking:check-in": [Act("read", "/tracking/check-ins/{check_in}/", allowed=MANAGER_CHAIN)],
    "tracking:give-feedback": [
        Act(
            "give",
            "/tracking/check-ins/{check_in}/feedback/",
            "post",
            {"kind": "praise", "text": "Good calls"},
            allowed=COACHES,
            sees=MANAGER_CHAIN,
        )
    ],
    "tracking:acknowledge": [
        Act(
            "acknowledge",
            "/tracking/feedback/{feedback}/acknowledge/",
            "post",
            allowed=ONLY_SELF,
            sees=MANAGER_CHAIN,
        )
    ],
    "tracking:plan-from-update": [
        Act(
            "plan from her off-track update",
            "/tracking/updates/{update}/plan/",
            "post",
            {"kind": "coaching", "description": "Pair up"},
            allowed=MANAGER_CHAIN,
            sees=MANAGER_CHAIN,
        )
    ],
    "tracking:team": [
        Act(
            "my team's week",
            "/tracking/team/?week=2026-11-09",
            markers=(Marker(CHECK_IN_DONE, frozenset({MANAGER}), MANAGER_CHAIN),),
        )
    ],
    "tracking:weekly-review": [
        Act("my review", "/tracking/review/"),
        Act(
            "Bob's review",
            "/tracking/review/?manager={bob}&week=2026-11-09",
            allowed=REVIEW_READERS,
            markers=(Marker(REVIEW_DECISIONS, REVIEW_READERS),),
        ),
        Act(
            "save my decisions",
            "/tracking/review/?week=2026-11-09",
            "post",
            {"decisions": "Focus on demos"},
            allowed=MANAGERS,
        ),
        Act(
            "save Bob's decisions",
            "/tracking/review/?manager={bob}&week=2026-11-09",
            "post",
            {"decisions": "Overwritten"},
            allowed=frozenset({MANAGER}),
            denied=404,
        ),
    ],
}
