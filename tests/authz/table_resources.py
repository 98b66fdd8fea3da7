"""Matrix rows: resource requests and budgets (the resources app, issue 6), API and pages.

A resource request is seen by the requester, their manager chain, the addressed unit's heads,
the HRBPs and admins; for a request to her own unit her manager chain (or an admin) decides,
never herself, and only she withdraws it. Budgets are seen by the unit's heads (and above),
its HRBPs and admins; heads and admins write them.
"""

from tests.authz.rows import (
    ABOVE,
    HEADS,
    MANAGER_CHAIN,
    ONLY_SELF,
    Act,
    Marker,
)
from tests.authz.world import HRBP, SELF

BUDGET_READERS = HEADS | {HRBP}


def _field_in_utilisation(response) -> bool:
    return any(row["unit_name"] == "Field team" for row in response.json()["units"])


REQUEST_BODY = {
    "kind": "budget",
    "title": "Flyers",
    "justification": "For the fair",
    "goal": "@goal_agreed",
    "amount": "100",
    "category": "promotion",
}

TABLE = {
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
    "resources:resource-inbox": [
        Act("inbox", "/tracking/requests/", markers=(Marker("Alice promotion budget", ABOVE),))
    ],
    "resources:resource-new": [
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
    "resources:my-requests": [
        Act(
            "mine",
            "/tracking/requests/mine/",
            markers=(Marker("Alice promotion budget", ONLY_SELF),),
        )
    ],
    "resources:resource-detail": [
        Act("read", "/tracking/requests/{request}/", allowed=MANAGER_CHAIN)
    ],
    "resources:resource-decide": [
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
    "resources:resource-withdraw": [
        Act(
            "withdraw",
            "/tracking/requests/{request}/withdraw/",
            "post",
            allowed=ONLY_SELF,
            sees=MANAGER_CHAIN,
        )
    ],
    "resources:budgets": [
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
            # Alice heads a unit too, her task force (tests/authz/world.py): the form is hers,
            # for that unit only; Field team is not among its choices, so it comes back with
            # the error and nothing is written.
            refused={SELF: 200},
        ),
    ],
}
