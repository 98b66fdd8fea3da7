"""Matrix rows: retrospectives, 5-Whys, retro actions, lessons and templates (issue 8), API;
the pages are in tests/authz/table_retro_pages.py.

A retrospective is seen by its facilitator, its participants, the scope's managers (the goal
owner's manager chain, the unit's head chain) and the scope's HRBP, and admins; the goal's owner
sees the retrospective of her goal. The sections, 5-Whys and improvements are edited by the
facilitator, participants, the scope's managers and admins; holding, publishing and following
through is for the facilitator, the scope's managers and admins (not a participant, and not
the goal's owner unless she facilitates: the stricter reading, see the report). Anyone who may
start one: the goal's owner or her managers (for a unit: its head chain), admins. Published
lessons are public; drafts only their author's (an admin moderates published ones). Templates:
everyone reads, admins write.
"""

from tests.authz.rows import (
    EVERYONE,
    HEADS,
    MANAGER_CHAIN,
    ONLY_ADMIN,
    ONLY_SELF,
    OWNER_AND_ABOVE,
    PRIVATE,
    Act,
    Marker,
    unknown_for,
)
from tests.authz.world import (
    ADMIN,
    MANAGER,
    SELF,
    SKIP,
)

EDITORS = OWNER_AND_ABOVE  # Alice takes part; Bob facilitates; Sam above; admins
MANAGE = frozenset({MANAGER, SKIP, ADMIN})  # facilitator Bob, Sam above him, admins
WHYS = [{"text": t} for t in ("No demos", "No time", "Admin work", "No tooling", "No budget")]
FIVE_WHY_BODY = {
    "retrospective": "@retro",
    "problem": "Too few demos",
    "whys": WHYS,
    "countermeasure": "Book demo slots",
    "countermeasure_owner": "@alice",
    "countermeasure_due_on": "2026-12-18",
}
FIVE_WHY_FORM = {
    "problem": "Too few demos",
    "why": [w["text"] for w in WHYS],
    "countermeasure": "Book demo slots",
    "countermeasure_owner": "@alice",
    "countermeasure_due_on": "2026-12-18",
}

TABLE = {
    "retrospective-list": [
        Act(
            "list",
            "/api/v1/retrospectives/",
            markers=(Marker("@retro", MANAGER_CHAIN), Marker("@unit_retro", MANAGER_CHAIN)),
        ),
        # A goal the caller may not see is unknown (400); her HRBP sees it but may not start.
        Act(
            "start for her private goal",
            "/api/v1/retrospectives/",
            "post",
            {"cycle": "@cycle", "goal": "@goal_private"},
            allowed=OWNER_AND_ABOVE,
            sees=PRIVATE,
            refused=unknown_for(PRIVATE),
            unknown="does not exist",
        ),
        Act(
            "start for her unit",
            "/api/v1/retrospectives/",
            "post",
            {"cycle": "@cycle", "unit": "@field"},
            allowed=HEADS,
        ),
    ],
    "retrospective-detail": [
        Act("read", "/api/v1/retrospectives/{retro}/", allowed=MANAGER_CHAIN),
        Act("read unit's", "/api/v1/retrospectives/{unit_retro}/", allowed=MANAGER_CHAIN),
        Act(
            "edit sections",
            "/api/v1/retrospectives/{retro}/",
            "patch",
            {"what_worked": "Pair calls"},
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        ),
        Act(
            "rename",
            "/api/v1/retrospectives/{retro}/",
            "patch",
            {"title": "Renamed"},
            allowed=MANAGE,
            sees=MANAGER_CHAIN,
        ),
    ],
    "retrospective-hold": [
        Act(
            "hold",
            "/api/v1/retrospectives/{retro}/hold/",
            "post",
            allowed=MANAGE,
            sees=MANAGER_CHAIN,
        )
    ],
    "retrospective-publish": [
        Act(
            "publish",
            "/api/v1/retrospectives/{unit_retro}/publish/",
            "post",
            allowed=MANAGE,
            sees=MANAGER_CHAIN,
        )
    ],
    "retrospective-improvements": [
        Act(
            "add",
            "/api/v1/retrospectives/{retro}/improvements/",
            "post",
            {"description": "Demo day", "owner": "@alice"},
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        )
    ],
    "five-why-list": [
        Act("list", "/api/v1/five-whys/", markers=(Marker("@five_why", MANAGER_CHAIN),)),
        Act(
            "add",
            "/api/v1/five-whys/",
            "post",
            FIVE_WHY_BODY,
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
            refused=unknown_for(MANAGER_CHAIN),
            unknown="does not exist",
        ),
    ],
    "five-why-detail": [
        Act("read", "/api/v1/five-whys/{five_why}/", allowed=MANAGER_CHAIN),
        Act(
            "update",
            "/api/v1/five-whys/{five_why}/",
            "patch",
            {"problem": "Too few demos"},
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        ),
        Act(
            "replace",
            "/api/v1/five-whys/{five_why}/",
            "put",
            FIVE_WHY_BODY,
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        ),
        Act(
            "delete",
            "/api/v1/five-whys/{five_why}/",
            "delete",
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        ),
    ],
    "retro-action-list": [
        Act("list", "/api/v1/retro-actions/", markers=(Marker("@retro_action", MANAGER_CHAIN),))
    ],
    "retro-action-detail": [
        Act("read", "/api/v1/retro-actions/{retro_action}/", allowed=MANAGER_CHAIN)
    ],
    "retro-action-follow-through": [
        Act(
            "to a plan",
            "/api/v1/retro-actions/{retro_action}/follow-through/",
            "post",
            {"to": "plan"},
            allowed=MANAGE,
            sees=MANAGER_CHAIN,
        )
    ],
    "lesson-list": [
        Act(
            "list",
            "/api/v1/lessons/",
            markers=(Marker("@lesson", EVERYONE), Marker("@draft_lesson", ONLY_SELF)),
        ),
        Act(
            "search",
            "/api/v1/lessons/?search=lesson",
            markers=(Marker("@lesson", EVERYONE), Marker("@draft_lesson", ONLY_SELF)),
        ),
        Act(
            "write mine",
            "/api/v1/lessons/",
            "post",
            {"title": "Mine", "category": "sales"},
            own=True,
        ),
        Act(
            "write from her retrospective",
            "/api/v1/lessons/",
            "post",
            {"title": "From the retro", "source_retrospective": "@retro"},
            allowed=MANAGER_CHAIN,
            sees=MANAGER_CHAIN,
            refused=unknown_for(MANAGER_CHAIN),
            unknown="does not exist",
        ),
    ],
    "lesson-similar": [
        Act("for her public goal", "/api/v1/lessons/similar/?goal={goal_agreed}"),
        Act(
            "for her private goal", "/api/v1/lessons/similar/?goal={goal_private}", allowed=PRIVATE
        ),
        Act(
            "for her private key result",
            "/api/v1/lessons/similar/?key_result={kr_private}",
            allowed=PRIVATE,
        ),
    ],
    "lesson-detail": [
        Act("read published", "/api/v1/lessons/{lesson}/"),
        Act("read draft", "/api/v1/lessons/{draft_lesson}/", allowed=ONLY_SELF),
        Act(
            "edit published",
            "/api/v1/lessons/{lesson}/",
            "patch",
            {"solution": "Follow up within a day"},
            allowed=frozenset({SELF, ADMIN}),
            sees=EVERYONE,
        ),
        Act(
            "edit draft",
            "/api/v1/lessons/{draft_lesson}/",
            "patch",
            {"solution": "Follow up within a day"},
            allowed=ONLY_SELF,
            sees=ONLY_SELF,
        ),
    ],
    "lesson-publish": [
        Act(
            "publish draft",
            "/api/v1/lessons/{draft_lesson}/publish/",
            "post",
            allowed=ONLY_SELF,
            sees=ONLY_SELF,
        )
    ],
    "retro-template-list": [
        Act("list", "/api/v1/retro-templates/", markers=(Marker("@template", EVERYONE),)),
        Act(
            "create",
            "/api/v1/retro-templates/",
            "post",
            {"name": "Quarterly", "questions": {"reasons": ["What slowed us?"]}},
            allowed=ONLY_ADMIN,
        ),
    ],
    "retro-template-detail": [
        Act("read", "/api/v1/retro-templates/{template}/"),
        Act(
            "update",
            "/api/v1/retro-templates/{template}/",
            "patch",
            {"name": "Renamed"},
            allowed=ONLY_ADMIN,
        ),
        Act(
            "replace",
            "/api/v1/retro-templates/{template}/",
            "put",
            {"name": "Renamed", "questions": {}},
            allowed=ONLY_ADMIN,
        ),
    ],
}
