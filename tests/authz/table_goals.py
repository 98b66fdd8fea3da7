"""Matrix rows: the organisation (org) and goals, API and pages.

Rules (issues 3 and 4): the directory is visible to every signed-in person, sensitive fields
(level, hired_on) only to the person, their managers, their HRBP and admins; units, people and
cycles are written by admins. Goals follow their visibility (public: everyone; unit: the
owner's unit and below; private: the owner) plus always the owner's manager chain, the HRBP
of the owner's unit and admins. Owners edit and propose their drafts (their managers may too:
they assign goals); the owner's managers agree, return, close and decide adjustments; the
owner accepts or counter-proposes an assignment. HRBPs read, never act.
"""

from tests.authz.rows import (
    ABOVE,
    EVERYONE,
    HEADS,
    MANAGER_CHAIN,
    ONLY_ADMIN,
    ONLY_SELF,
    OWNER_AND_ABOVE,
    PRIVATE,
    PUBLIC,
    UNIT_VISIBLE,
    Act,
    Marker,
)
from tests.authz.world import (
    ADMIN,
    HIRED_ON,
    HRBP,
    MANAGER,
    SELF,
    SKIP,
)


def _hired_on_shown(response) -> bool:
    data = response.json()
    rows = data.get("results", [data]) if isinstance(data, dict) else data
    return any(row.get("hired_on") == HIRED_ON for row in rows)


# API tokens: their owner, and admins (who revoke anyone's).
OWN_AND_ADMIN = frozenset({SELF, ADMIN})

GOAL_MARKERS = (
    Marker("@goal_public", PUBLIC),
    Marker("@goal_unit", UNIT_VISIBLE),
    Marker("@goal_private", PRIVATE),
    Marker("@goal_agreed", PUBLIC),
)

TABLE = {
    # --- org API --------------------------------------------------------------------------
    "api-me": [Act("read", "/api/v1/me/")],
    "unit-list": [
        Act("list", "/api/v1/units/", markers=(Marker("@field", EVERYONE),)),
        Act(
            "create",
            "/api/v1/units/",
            "post",
            {"name": "New team", "kind": "team", "parent": "@field"},
            allowed=ONLY_ADMIN,
        ),
    ],
    "unit-detail": [
        Act("read", "/api/v1/units/{field}/"),
        Act("update", "/api/v1/units/{field}/", "patch", {"name": "Field"}, allowed=ONLY_ADMIN),
    ],
    "person-list": [
        Act(
            "list",
            "/api/v1/people/",
            markers=(Marker("@alice", EVERYONE),),
            reveals=(_hired_on_shown, MANAGER_CHAIN),
        ),
        Act(
            "create",
            "/api/v1/people/",
            "post",
            {"username": "newbie", "display_name": "Newbie", "unit": "@field"},
            allowed=ONLY_ADMIN,
        ),
    ],
    "person-detail (api)": [
        Act("read", "/api/v1/people/{alice}/", reveals=(_hired_on_shown, MANAGER_CHAIN)),
        Act(
            "update",
            "/api/v1/people/{alice}/",
            "patch",
            {"title": "Senior representative"},
            allowed=ONLY_ADMIN,
        ),
    ],
    "api-token-mgmt-list": [
        Act("list", "/api/v1/auth/tokens/", markers=(Marker("@token", OWN_AND_ADMIN),)),
        Act("make one", "/api/v1/auth/tokens/", "post", {"name": "script", "days": 7}),
    ],
    "api-token-mgmt-detail": [
        Act("read", "/api/v1/auth/tokens/{token}/", allowed=OWN_AND_ADMIN),
        Act(
            "revoke",
            "/api/v1/auth/tokens/{token}/",
            "delete",
            allowed=OWN_AND_ADMIN,
            sees=OWN_AND_ADMIN,
        ),
    ],
    "cycle-list": [
        Act("list", "/api/v1/cycles/", markers=(Marker("@cycle", EVERYONE),)),
        Act(
            "create",
            "/api/v1/cycles/",
            "post",
            {
                "name": "2027 Q1",
                "kind": "quarter",
                "starts_on": "2027-01-01",
                "ends_on": "2027-03-31",
            },
            allowed=ONLY_ADMIN,
        ),
    ],
    "cycle-detail": [
        Act("read", "/api/v1/cycles/{cycle}/"),
        Act("update", "/api/v1/cycles/{cycle}/", "patch", {"name": "Q4"}, allowed=ONLY_ADMIN),
        Act(
            "replace",
            "/api/v1/cycles/{cycle}/",
            "put",
            {"name": "Q4", "kind": "quarter", "starts_on": "2026-10-01", "ends_on": "2026-12-31"},
            allowed=ONLY_ADMIN,
        ),
    ],
    "cycle-transition": [
        Act(
            "move to scoring",
            "/api/v1/cycles/{cycle}/transition/",
            "post",
            {"to": "scoring"},
            allowed=ONLY_ADMIN,
            sees=EVERYONE,
        )
    ],
    "cycle-carry-over": [
        Act(
            "carry over (dry run)",
            "/api/v1/cycles/{cycle}/carry-over/",
            "post",
            {"goals": ["@goal_agreed"], "dry_run": True},
            allowed=ONLY_ADMIN,
            sees=EVERYONE,
            ok=(200, 400),  # 400: no later cycle to carry over to in this world
            effect=False,
        )
    ],
    # --- goals API ------------------------------------------------------------------------
    "goal-score": [
        Act(
            "self score (the cycle is not in scoring: refused with the reason)",
            "/api/v1/goals/{goal_agreed}/score/",
            "post",
            {"self_score": 0.5},
            allowed=ONLY_SELF,
            sees=PUBLIC,
            ok=(400,),
            effect=False,
        ),
        Act(
            "manager score",
            "/api/v1/goals/{goal_agreed}/score/",
            "post",
            {"manager_score": 0.5},
            allowed=ABOVE,
            sees=PUBLIC,
            ok=(400,),
            effect=False,
        ),
    ],
    "goal-list": [
        Act("list", "/api/v1/goals/", markers=GOAL_MARKERS),
        Act(
            "create for Alice",
            "/api/v1/goals/",
            "post",
            {
                "level": "person",
                "title": "A goal set for Alice",
                "owner_person": "@alice",
                "cycle": "@cycle",
                "key_results": [{"name": "Visits", "target_value": "5"}],
            },
            allowed=OWNER_AND_ABOVE,
        ),
    ],
    "goal-detail": [
        Act("read public", "/api/v1/goals/{goal_public}/", allowed=PUBLIC),
        Act("read unit", "/api/v1/goals/{goal_unit}/", allowed=UNIT_VISIBLE),
        Act("read private", "/api/v1/goals/{goal_private}/", allowed=PRIVATE),
        Act("read agreed", "/api/v1/goals/{goal_agreed}/", allowed=PUBLIC),
        Act(
            "read her team's private goal",
            "/api/v1/goals/{team_goal_private}/",
            allowed=HEADS | {HRBP},
        ),
        Act(
            "update public draft",
            "/api/v1/goals/{goal_public}/",
            "patch",
            lambda w: {"version": w.goal_public.version, "title": "Sharper"},
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
        Act(
            "update private draft",
            "/api/v1/goals/{goal_private}/",
            "patch",
            lambda w: {"version": w.goal_private.version, "title": "Sharper"},
            allowed=OWNER_AND_ABOVE,
            sees=PRIVATE,
        ),
        Act(
            "replace unit draft",
            "/api/v1/goals/{goal_unit}/",
            "put",
            lambda w: {"version": w.goal_unit.version, "title": "Sharper"},
            allowed=OWNER_AND_ABOVE,
            sees=UNIT_VISIBLE,
        ),
    ],
    "goal-propose": [
        Act(
            "propose public",
            "/api/v1/goals/{goal_public}/propose/",
            "post",
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
        Act(
            "propose private",
            "/api/v1/goals/{goal_private}/propose/",
            "post",
            allowed=OWNER_AND_ABOVE,
            sees=PRIVATE,
        ),
    ],
    "goal-agree": [
        # The owner's own proposal is agreed by her managers; she gets the domain rule (400).
        Act(
            "agree proposal",
            "/api/v1/goals/{goal_proposed}/agree/",
            "post",
            allowed=ABOVE,
            sees=PUBLIC,
            refused={SELF: 400},
        ),
        # An assignment is accepted by the owner only; her managers get the domain rule.
        Act(
            "accept assignment",
            "/api/v1/goals/{goal_assigned}/agree/",
            "post",
            allowed=ONLY_SELF,
            sees=PUBLIC,
            refused={MANAGER: 400, SKIP: 400, ADMIN: 400},
        ),
    ],
    "goal-return-": [
        Act(
            "return",
            "/api/v1/goals/{goal_proposed}/return/",
            "post",
            {"comment": "Make it measurable"},
            allowed=ABOVE,
            sees=PUBLIC,
            refused={SELF: 400},
        )
    ],
    "goal-counter-propose": [
        Act(
            "counter-propose",
            "/api/v1/goals/{goal_assigned}/counter-propose/",
            "post",
            {"comment": "Eight is realistic"},
            allowed=ONLY_SELF,
            sees=PUBLIC,
        )
    ],
    "goal-close": [
        Act(
            "close",
            "/api/v1/goals/{goal_agreed}/close/",
            "post",
            {"score": 0.4},
            allowed=ABOVE,
            sees=PUBLIC,
        )
    ],
    "goal-smart": [
        Act("read private", "/api/v1/goals/{goal_private}/smart/", allowed=PRIVATE),
        Act("read agreed", "/api/v1/goals/{goal_agreed}/smart/", allowed=PUBLIC),
    ],
    "goal-tree": [
        Act("read public", "/api/v1/goals/{goal_public}/tree/", allowed=PUBLIC),
        Act("read private", "/api/v1/goals/{goal_private}/tree/", allowed=PRIVATE),
        Act(
            "read agreed (a private child)",
            "/api/v1/goals/{goal_agreed}/tree/",
            allowed=PUBLIC,
            reveals=(lambda r: bool(r.json()["children"]), PRIVATE),
        ),
    ],
    "goal-history": [
        Act("read private", "/api/v1/goals/{goal_private}/history/", allowed=PRIVATE),
        Act("read agreed", "/api/v1/goals/{goal_agreed}/history/", allowed=PUBLIC),
    ],
    "goal-cascade": [
        Act(
            "cascade to Alice",
            "/api/v1/goals/{goal_agreed}/cascade/",
            "post",
            {"key_result": "@kr", "split": "equal", "children": [{"owner_person": "@alice"}]},
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        )
    ],
    "key-result-list": [
        Act(
            "list",
            "/api/v1/key-results/",
            markers=(
                Marker("@kr_public", PUBLIC),
                Marker("@kr_private", PRIVATE),
                Marker("@kr", PUBLIC),
            ),
        )
    ],
    "key-result-detail": [
        Act("read public", "/api/v1/key-results/{kr}/", allowed=PUBLIC),
        Act("read private", "/api/v1/key-results/{kr_private}/", allowed=PRIVATE),
    ],
    "key-result-measurements": [
        Act(
            "history",
            "/api/v1/key-results/{kr}/measurements/",
            allowed=PUBLIC,
            markers=(Marker("@measurement", PUBLIC),),
        ),
        Act("history private", "/api/v1/key-results/{kr_private}/measurements/", allowed=PRIVATE),
        Act(
            "measure",
            "/api/v1/key-results/{kr}/measurements/",
            "post",
            {"value": "4", "note": "From the CRM"},
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
        Act(
            "measure private",
            "/api/v1/key-results/{kr_private}/measurements/",
            "post",
            {"value": "4"},
            allowed=OWNER_AND_ABOVE,
            sees=PRIVATE,
        ),
    ],
    "adjustment-list": [
        Act("list", "/api/v1/adjustments/", markers=(Marker("@adjustment", PUBLIC),)),
        Act(
            "request",
            "/api/v1/adjustments/",
            "post",
            {
                "key_result": "@kr_second",
                "new_target": "20",
                "reason": "market",
                "evidence": "Demand fell",
            },
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
    ],
    "adjustment-detail": [Act("read", "/api/v1/adjustments/{adjustment}/", allowed=PUBLIC)],
    "adjustment-approve": [
        Act(
            "approve",
            "/api/v1/adjustments/{adjustment}/approve/",
            "post",
            {"comment": "Fair"},
            allowed=ABOVE,
            sees=PUBLIC,
        )
    ],
    "adjustment-reject": [
        Act(
            "reject",
            "/api/v1/adjustments/{adjustment}/reject/",
            "post",
            {"comment": "Not yet"},
            allowed=ABOVE,
            sees=PUBLIC,
        )
    ],
    "adjustment-unit": [
        Act(
            "unit-wide request",
            "/api/v1/adjustments/unit/",
            "post",
            {
                "unit": "@field",
                "cycle": "@cycle",
                "factor": "0.8",
                "reason": "market",
                "evidence": "The market shrank",
            },
            allowed=HEADS,
        )
    ],
}
