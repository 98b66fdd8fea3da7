"""Matrix rows: the organisation's pages (directory, person, org chart) and the goal pages
(list, form, live SMART check, goal page, edit, agreement transitions, cascade wizard, tree,
adjustments, measurements). The rules are those of tests/authz/table_goals.py; pages answer a
domain refusal with the page and the reason as a message (a redirect), said per row."""

from tests.authz.rows import (
    ABOVE,
    EVERYONE,
    ONLY_SELF,
    OWNER_AND_ABOVE,
    PRIVATE,
    PUBLIC,
    UNIT_VISIBLE,
    Act,
    Marker,
)
from tests.authz.world import (
    MANAGER,
    PEER,
    PRIVATE_GOAL,
    SELF,
    SKIP,
    UNIT_GOAL,
)


def _goal_form(w, **extra) -> dict:
    data = {
        "title": "A goal of my own",
        "kind": "objective",
        "level": "person",
        "cycle": w.cycle.pk,
        "priority": "core",
        "commitment": "committed",
        "visibility": "public",
        "weight": "1",
        "kr-TOTAL_FORMS": "1",
        "kr-INITIAL_FORMS": "0",
        "kr-MIN_NUM_FORMS": "0",
        "kr-MAX_NUM_FORMS": "12",
        "kr-0-name": "Qualified leads",
        "kr-0-direction": "increase",
        "kr-0-start_value": "0",
        "kr-0-target_value": "12",
        "kr-0-weight": "1",
    }
    data.update(extra)
    return data


def _edit_form(w) -> dict:
    goal = w.goal_public
    return _goal_form(
        w,
        title="Alice public draft goal, sharpened",
        version=str(goal.version),
        **{"kr-INITIAL_FORMS": "1", "kr-0-id": str(w.kr_public.pk), "kr-0-name": "Leads"},
    )


TABLE = {
    # --- org pages ------------------------------------------------------------------------
    "directory": [Act("list", "/people/", markers=(Marker("Alice", EVERYONE),))],
    "person-detail (page)": [Act("read", "/people/{alice}/")],
    "unit-children": [
        Act("read", "/units/{sales}/children/", markers=(Marker("Field team", EVERYONE),))
    ],
    # --- goal pages -----------------------------------------------------------------------
    "goals:list": [
        Act(
            "list my unit",
            "/goals/?tab=unit",
            markers=(
                Marker("Alice public draft goal", frozenset({SELF, PEER, MANAGER}), PUBLIC),
                Marker(UNIT_GOAL, frozenset({SELF, PEER, MANAGER}), UNIT_VISIBLE),
                Marker(PRIVATE_GOAL, frozenset({SELF, MANAGER}), PRIVATE),
            ),
        ),
        Act(
            "list my team",
            "/goals/?tab=team",
            markers=(Marker(PRIVATE_GOAL, frozenset({MANAGER, SKIP}), PRIVATE),),
        ),
    ],
    "goals:create": [
        Act("form", "/goals/new/"),
        Act("form aligned to her private goal", "/goals/new/?parent={goal_private}"),
        Act("create own", "/goals/new/", "post", _goal_form, own=True),
    ],
    "goals:smart-preview": [
        Act(
            "check against a private parent",
            "/goals/smart-check/",
            "post",
            {"title": "Win 10 customers", "level": "person", "parent": "@goal_private"},
            htmx=True,
            effect=False,
        )
    ],
    "goals:parent-options": [
        Act(
            "search the goals to align to",
            "/goals/parent-options/?parent_q=Zq-private",
            markers=(Marker(PRIVATE_GOAL, PRIVATE),),
            htmx=True,
        )
    ],
    "goals:adjustments": [
        Act(
            "inbox",
            "/goals/adjustments/",
            markers=(Marker("A competitor opened next door.", ABOVE, ABOVE),),
        )
    ],
    "goals:adjustment-decide": [
        Act(
            "approve",
            "/goals/adjustments/{adjustment}/decide/",
            "post",
            {"decision": "approve", "comment": "Fair"},
            allowed=ABOVE,
            sees=PUBLIC,
        ),
        Act(
            "reject",
            "/goals/adjustments/{adjustment}/decide/",
            "post",
            {"decision": "reject", "comment": "Not yet"},
            allowed=ABOVE,
            sees=PUBLIC,
        ),
    ],
    "goals:detail": [
        Act("read public", "/goals/{goal_public}/", allowed=PUBLIC),
        Act("read unit", "/goals/{goal_unit}/", allowed=UNIT_VISIBLE),
        Act("read private", "/goals/{goal_private}/", allowed=PRIVATE),
        Act("read agreed (a private child)", "/goals/{goal_agreed}/", allowed=PUBLIC),
    ],
    "goals:edit": [
        Act("form", "/goals/{goal_public}/edit/", allowed=OWNER_AND_ABOVE, sees=PUBLIC),
        Act("form private", "/goals/{goal_private}/edit/", allowed=OWNER_AND_ABOVE, sees=PRIVATE),
        Act(
            "update",
            "/goals/{goal_public}/edit/",
            "post",
            _edit_form,
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
    ],
    "goals:transition": [
        Act(
            "propose",
            "/goals/{goal_public}/transition/propose/",
            "post",
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
        # Pages answer a domain refusal with the goal page and the reason as a message.
        Act(
            "agree",
            "/goals/{goal_proposed}/transition/agree/",
            "post",
            allowed=ABOVE,
            sees=PUBLIC,
            refused={SELF: 302},
        ),
        Act(
            "return",
            "/goals/{goal_proposed}/transition/return/",
            "post",
            {"comment": "Make it measurable"},
            allowed=ABOVE,
            sees=PUBLIC,
            refused={SELF: 302},
        ),
        Act(
            "counter",
            "/goals/{goal_assigned}/transition/counter/",
            "post",
            {"comment": "Eight is realistic"},
            allowed=ONLY_SELF,
            sees=PUBLIC,
        ),
        Act(
            "close",
            "/goals/{goal_agreed}/transition/close/",
            "post",
            {"score": "0.4"},
            allowed=ABOVE,
            sees=PUBLIC,
        ),
        Act(
            "propose private",
            "/goals/{goal_private}/transition/propose/",
            "post",
            allowed=OWNER_AND_ABOVE,
            sees=PRIVATE,
        ),
    ],
    "goals:cascade": [
        Act("wizard", "/goals/{goal_agreed}/cascade/", allowed=OWNER_AND_ABOVE, sees=PUBLIC),
        Act(
            "cascade",
            "/goals/{goal_agreed}/cascade/",
            "post",
            {"key_result": "@kr", "split": "equal", "person": "@alice", "title": "Share"},
            # The wizard offers the people and units one manages: Alice, the owner, has none
            # to pick, so her form comes back (the API lets her cascade to herself).
            allowed=ABOVE,
            sees=PUBLIC,
            refused={SELF: 200},
        ),
    ],
    "goals:tree": [
        Act("read public", "/goals/{goal_public}/tree/", allowed=PUBLIC),
        Act("read private", "/goals/{goal_private}/tree/", allowed=PRIVATE),
        Act("read agreed (a private child)", "/goals/{goal_agreed}/tree/", allowed=PUBLIC),
    ],
    "goals:adjust": [
        Act("form", "/goals/{goal_agreed}/adjust/", allowed=OWNER_AND_ABOVE, sees=PUBLIC),
        Act(
            "request",
            "/goals/{goal_agreed}/adjust/",
            "post",
            {"key_result": "@kr_second", "new_target": "20", "reason": "market", "evidence": "x"},
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
    ],
    "goals:measure": [
        Act(
            "measure",
            "/goals/key-results/{kr}/measure/",
            "post",
            {"value": "4"},
            allowed=OWNER_AND_ABOVE,
            sees=PUBLIC,
        ),
        Act(
            "measure private",
            "/goals/key-results/{kr_private}/measure/",
            "post",
            {"value": "4"},
            allowed=OWNER_AND_ABOVE,
            sees=PRIVATE,
        ),
    ],
}
