"""Matrix rows: support agreements between goals of different units (goals, issue 25), API
and pages.

A support request is seen by whoever may see both goals. Alice's agreed goal asks Dave's
(Marketing) public goal: everyone sees it; the asking goal's owner and those above it ask and
withdraw; Dave (the supporting goal's owner) and those above him (here: the admin) accept,
decline or counter-propose. A request to Dave's unit-visible goal is seen only by Dave, the
HRBP of Marketing and admins.
"""

from tests.authz.rows import EVERYONE, OWNER_AND_ABOVE, PUBLIC, Act, Marker
from tests.authz.world import ADMIN, HIDDEN_SUPPORT_NEED, HRBP_OTHER, OTHER, SELF, SUPPORT_NEED

ANSWERERS = frozenset({OTHER, ADMIN})
SEES_HIDDEN = frozenset({OTHER, HRBP_OTHER, ADMIN})

ASK_BODY = {"goal": "@goal_public", "supporting_goal": "@dave_goal", "need": "Leads, please"}

TABLE = {
    "support-request-list": [
        Act(
            "list",
            "/api/v1/support-requests/",
            markers=(Marker("@support", EVERYONE), Marker("@support_hidden", SEES_HIDDEN)),
        ),
        Act(
            "ask for Alice's goal",
            "/api/v1/support-requests/",
            "post",
            ASK_BODY,
            allowed=OWNER_AND_ABOVE,
        ),
    ],
    "support-request-detail": [
        Act("read", "/api/v1/support-requests/{support}/", allowed=EVERYONE),
        Act("read hidden", "/api/v1/support-requests/{support_hidden}/", allowed=SEES_HIDDEN),
    ],
    "support-request-accept": [
        Act(
            "accept",
            "/api/v1/support-requests/{support}/accept/",
            "post",
            allowed=ANSWERERS,
            sees=EVERYONE,
        )
    ],
    "support-request-decline": [
        Act(
            "decline",
            "/api/v1/support-requests/{support}/decline/",
            "post",
            {"reason": "Not this quarter"},
            allowed=ANSWERERS,
            sees=EVERYONE,
        )
    ],
    "support-request-counter-propose": [
        Act(
            "counter-propose",
            "/api/v1/support-requests/{support}/counter-propose/",
            "post",
            {"answer": "Half of it", "amount": "150"},
            allowed=ANSWERERS,
            sees=EVERYONE,
        )
    ],
    "support-request-withdraw": [
        Act(
            "withdraw",
            "/api/v1/support-requests/{support}/withdraw/",
            "post",
            allowed=OWNER_AND_ABOVE,
            sees=EVERYONE,
        )
    ],
    # --- pages ----------------------------------------------------------------------------
    "goals:support-inbox": [
        Act(
            "inbox",
            "/goals/support/",
            markers=(
                Marker(SUPPORT_NEED, frozenset({SELF, OTHER, ADMIN}), visible=EVERYONE),
                Marker(HIDDEN_SUPPORT_NEED, SEES_HIDDEN - {HRBP_OTHER}, visible=SEES_HIDDEN),
            ),
        )
    ],
    "goals:support-detail": [
        Act("read", "/goals/support/{support}/", allowed=EVERYONE),
        Act("read hidden", "/goals/support/{support_hidden}/", allowed=SEES_HIDDEN),
    ],
    "goals:support-decide": [
        Act(
            "accept",
            "/goals/support/{support}/accept/",
            "post",
            allowed=ANSWERERS,
            sees=EVERYONE,
        ),
        Act(
            "withdraw",
            "/goals/support/{support}/withdraw/",
            "post",
            allowed=OWNER_AND_ABOVE,
            sees=EVERYONE,
        ),
        Act(
            "decline hidden",
            "/goals/support/{support_hidden}/decline/",
            "post",
            {"text": "No"},
            allowed=ANSWERERS,
            sees=SEES_HIDDEN,
        ),
    ],
    "goals:support-ask": [
        Act(
            "form",
            "/goals/{goal_public}/ask-support/",
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
        Act(
            "ask",
            "/goals/{goal_public}/ask-support/",
            "post",
            {"supporting_goal": "@dave_goal", "need": "Leads"},
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
    ],
}
