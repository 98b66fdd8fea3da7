"""Matrix rows: check-ins, feedback, improvement plans, weekly reviews, resource requests and
budgets (tracking and tracking/resources), API and pages.

Rules (issues 5 and 6): only the author writes their check-in; their manager chain and their
HRBP read it and give feedback (an admin outside the chain reads, gives none); peers never see
it; the author acknowledges feedback. Improvement plans: the person, their manager chain and
HRBP, admins. A weekly review is a manager's: they, those above them, their HRBP and admins
read it. A resource request is seen by the requester, their manager chain, the addressed
unit's heads, the HRBPs and admins; for a request to her own unit her manager chain (or an
admin) decides, never herself. Budgets are seen by the unit's heads (and above), its HRBPs and
admins; heads and admins write them.

An object named in a request *body* that the caller may not see answers 400 as unknown (as
DRF does for any missing primary key): `unknown_for(...)`.
"""

from tests.authz.engine import (
    ABOVE,
    COACHES,
    HEADS,
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
BUDGET_READERS = HEADS | {HRBP}


def _this_week_form(w) -> dict:
    """Alice's This week page: a value for each of her active key results (on target)."""
    from tests.authz.world import THIS_WEEK
    from tracking.selectors import active_key_results

    data = {"done": "Visited three clients", "plan": "Two demos"}
    for kr in active_key_results(person=w.alice, week=THIS_WEEK):
        data[f"kr-{kr.pk}-value"] = str(kr.target_value)
    return data


def _field_in_utilisation(response) -> bool:
    return any(row["unit_name"] == "Field team" for row in response.json()["units"])


PLAN_BODY = {
    "person": "@alice",
    "title": "More demos",
    "actions": [{"kind": "coaching", "description": "Pair up", "owner": "@alice"}],
}
REQUEST_BODY = {
    "kind": "budget",
    "title": "Flyers",
    "justification": "For the fair",
    "goal": "@goal_agreed",
    "amount": "100",
    "category": "promotion",
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
    # --- resource requests and budgets ----------------------------------------------------
    "resource-request-list": [
        Act("list", "/api/v1/resource-requests/", markers=(Marker("@request", MANAGER_CHAIN),)),
        Act("request mine", "/api/v1/resource-requests/", "post", REQUEST_BODY, own=True),
    ],
    "resource-request-detail": [
        Act("read", "/api/v1/resource-requests/{request}/", allowed=MANAGER_CHAIN)
    ],
    "resource-request-approve": [
        Act(
            "approve",
            "/api/v1/resource-requests/{request}/approve/",
            "post",
            {"granted_amount": "200"},
            allowed=ABOVE,
            sees=MANAGER_CHAIN,
        )
    ],
    "resource-request-reject": [
        Act(
            "reject",
            "/api/v1/resource-requests/{request}/reject/",
            "post",
            {"comment": "Not this quarter"},
            allowed=ABOVE,
            sees=MANAGER_CHAIN,
        )
    ],
    "resource-request-fulfil": [
        Act(
            "fulfil",
            "/api/v1/resource-requests/{request_approved}/fulfil/",
            "post",
            {"spent_amount": "250"},
            allowed=ABOVE,
            sees=MANAGER_CHAIN,
        )
    ],
    "resource-request-withdraw": [
        Act(
            "withdraw",
            "/api/v1/resource-requests/{request}/withdraw/",
            "post",
            allowed=ONLY_SELF,
            sees=MANAGER_CHAIN,
        )
    ],
    "budget-list": [
        Act("list", "/api/v1/budgets/", markers=(Marker("@budget", BUDGET_READERS),)),
        Act(
            "create for her unit",
            "/api/v1/budgets/",
            "post",
            {"unit": "@field", "cycle": "@cycle", "category": "hiring", "allocated": "5000"},
            allowed=HEADS,
        ),
    ],
    "budget-detail": [
        Act("read", "/api/v1/budgets/{budget}/", allowed=BUDGET_READERS),
        Act(
            "update",
            "/api/v1/budgets/{budget}/",
            "patch",
            {"allocated": "12000"},
            allowed=HEADS,
            sees=BUDGET_READERS,
        ),
        Act(
            "replace",
            "/api/v1/budgets/{budget}/",
            "put",
            {"allocated": "12000", "currency": "CNY"},
            allowed=HEADS,
            sees=BUDGET_READERS,
        ),
    ],
    "budget-utilisation": [
        Act(
            "read",
            "/api/v1/budgets/utilisation/?cycle={cycle}",
            reveals=(_field_in_utilisation, BUDGET_READERS),
        )
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
    "tracking:resource-inbox": [
        Act("inbox", "/tracking/requests/", markers=(Marker("Alice promotion budget", ABOVE),))
    ],
    "tracking:resource-new": [
        Act("form", "/tracking/requests/new/"),
        Act("form for her private key result", "/tracking/requests/new/?key_result={kr_private}"),
        Act(
            "request mine",
            "/tracking/requests/new/",
            "post",
            lambda w: {
                "goal": w.goal_agreed.pk,
                "kind": "budget",
                "title": "Flyers",
                "amount": "100",
                "currency": "CNY",
                "category": "promotion",
                "unit": w.units["field"].pk,
                "justification": "For the fair",
            },
            own=True,
        ),
    ],
    "tracking:my-requests": [
        Act(
            "mine",
            "/tracking/requests/mine/",
            markers=(Marker("Alice promotion budget", ONLY_SELF),),
        )
    ],
    "tracking:resource-detail": [
        Act("read", "/tracking/requests/{request}/", allowed=MANAGER_CHAIN)
    ],
    "tracking:resource-decide": [
        Act(
            "approve",
            "/tracking/requests/{request}/decide/",
            "post",
            {"action": "approve", "granted_amount": "200"},
            allowed=ABOVE,
            sees=MANAGER_CHAIN,
        ),
        Act(
            "reject",
            "/tracking/requests/{request}/decide/",
            "post",
            {"action": "reject", "comment": "Not now"},
            allowed=ABOVE,
            sees=MANAGER_CHAIN,
        ),
        Act(
            "fulfil",
            "/tracking/requests/{request_approved}/decide/",
            "post",
            {"action": "fulfil", "spent_amount": "250"},
            allowed=ABOVE,
            sees=MANAGER_CHAIN,
        ),
    ],
    "tracking:resource-withdraw": [
        Act(
            "withdraw",
            "/tracking/requests/{request}/withdraw/",
            "post",
            allowed=ONLY_SELF,
            sees=MANAGER_CHAIN,
        )
    ],
    "tracking:budgets": [
        Act(
            "budgets",
            "/tracking/budgets/?cycle={cycle}",
            markers=(Marker("10,000", BUDGET_READERS),),
        ),
        Act(
            "create for her unit",
            "/tracking/budgets/",
            "post",
            lambda w: {
                "unit": w.units["field"].pk,
                "cycle": w.cycle.pk,
                "category": "hiring",
                "allocated": "5000",
                "currency": "CNY",
            },
            allowed=HEADS,
        ),
    ],
}
