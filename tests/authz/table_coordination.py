"""Matrix rows: threads and mentions (the coordination app, issue 25), API and pages.

A comment is seen by exactly those who may see its object: Alice's private goal by her manager
chain, her HRBP and admins; her check-in likewise. Whoever sees the object comments and
replies; only the author edits.
"""

from tests.authz.rows import EVERYONE, MANAGER_CHAIN, ONLY_SELF, PRIVATE, Act, Marker
from tests.authz.world import (
    ADMIN,
    HRBP,
    HRBP_OTHER,
    MANAGER,
    MEETING_ACTION,
    MEETING_DECISIONS,
    SELF,
    SKIP,
    TASK_FORCE,
)

# Managers, HRBPs and admins record meetings; Bob's meeting with Alice is seen by whoever
# follows one of them; her action is completed by her, Bob (the organizer) or an admin.
RECORDERS = frozenset({MANAGER, SKIP, HRBP, HRBP_OTHER, ADMIN})
COMPLETERS = frozenset({SELF, MANAGER, ADMIN})
MEETING_BODY = {
    "kind": "coordination",
    "title": "Sync",
    "held_on": "2026-11-18",
    "participants": ["@me"],
    "decisions": "Go",
}

# Task forces: heads of units, HRBPs and admins set one up (Alice leads one: that makes her
# no manager); Alice's task force is seen by those who follow her or Carol (its member); its
# lead (Alice), its creator (Zed) and admins change its members and dissolve it.
CREATORS = RECORDERS
TASK_FORCE_MANAGERS = frozenset({SELF, ADMIN})
TASK_FORCE_BODY = {
    "name": "Pricing task force",
    "purpose": "Fix pricing",
    "cycle": "@cycle",
    "lead": "@me",
    "members": ["@dave"],
}

TABLE = {
    "comment-list": [
        Act(
            "thread of a private goal",
            "/api/v1/comments/?target_kind=goal&target_id={goal_private}",
            allowed=PRIVATE,
            markers=(Marker("@comment_private", PRIVATE),),
        ),
        Act(
            "thread of a check-in",
            "/api/v1/comments/?target_kind=check_in&target_id={check_in}",
            allowed=MANAGER_CHAIN,
        ),
        Act(
            "comment on a public goal",
            "/api/v1/comments/",
            "post",
            {"target_kind": "goal", "target_id": "@goal_agreed", "text": "Well done"},
            allowed=EVERYONE,
        ),
        Act(
            "comment on a private goal",
            "/api/v1/comments/",
            "post",
            {"target_kind": "goal", "target_id": "@goal_private", "text": "Hm"},
            allowed=PRIVATE,
            sees=PRIVATE,
        ),
    ],
    "comment-detail": [
        Act("read", "/api/v1/comments/{comment_private}/", allowed=PRIVATE),
        Act(
            "edit",
            "/api/v1/comments/{comment_private}/",
            "patch",
            {"text": "Changed"},
            allowed=ONLY_SELF,
            sees=PRIVATE,
        ),
    ],
    "coordination:thread": [
        Act("read", "/coordination/threads/goal/{goal_private}/", allowed=PRIVATE),
        Act("read check-in", "/coordination/threads/check_in/{check_in}/", allowed=MANAGER_CHAIN),
        Act(
            "comment",
            "/coordination/threads/goal/{goal_private}/",
            "post",
            {"text": "Noted"},
            allowed=PRIVATE,
            sees=PRIVATE,
        ),
    ],
    "coordination:comment-edit": [
        Act(
            "edit",
            "/coordination/comments/{comment_private}/edit/",
            "post",
            {"text": "Changed"},
            allowed=ONLY_SELF,
            sees=PRIVATE,
        )
    ],
    "meeting-list": [
        Act(
            "list",
            "/api/v1/meetings/",
            markers=(Marker("@meeting", MANAGER_CHAIN),),
        ),
        Act("record", "/api/v1/meetings/", "post", MEETING_BODY, allowed=RECORDERS),
    ],
    "meeting-detail": [Act("read", "/api/v1/meetings/{meeting}/", allowed=MANAGER_CHAIN)],
    "meeting-action-complete": [
        Act(
            "complete",
            "/api/v1/meeting-actions/{meeting_action}/complete/",
            "post",
            allowed=COMPLETERS,
            sees=MANAGER_CHAIN,
        )
    ],
    "coordination:meetings": [
        Act(
            "list",
            "/coordination/meetings/",
            markers=(Marker(MEETING_DECISIONS, MANAGER_CHAIN),),
        )
    ],
    "coordination:meeting-new": [
        Act("form", "/coordination/meetings/new/", allowed=RECORDERS, denied=403),
        Act(
            "record",
            "/coordination/meetings/new/",
            "post",
            {**MEETING_BODY, "participants": "@bob"},
            allowed=RECORDERS,
            denied=403,
        ),
    ],
    "coordination:meeting": [
        Act("read", "/coordination/meetings/{meeting}/", allowed=MANAGER_CHAIN)
    ],
    "coordination:open-actions": [
        Act(
            "Alice's open actions",
            "/coordination/actions/?person={alice}",
            markers=(Marker(MEETING_ACTION, MANAGER_CHAIN),),
        )
    ],
    "coordination:action-complete": [
        Act(
            "complete",
            "/coordination/actions/{meeting_action}/complete/",
            "post",
            allowed=COMPLETERS,
            sees=MANAGER_CHAIN,
        )
    ],
    "task-force-list": [
        Act("list", "/api/v1/task-forces/", markers=(Marker("@task_force", MANAGER_CHAIN),)),
        Act("set up", "/api/v1/task-forces/", "post", TASK_FORCE_BODY, allowed=CREATORS),
    ],
    "task-force-detail": [Act("read", "/api/v1/task-forces/{task_force}/", allowed=MANAGER_CHAIN)],
    "task-force-members": [
        Act(
            "add a member",
            "/api/v1/task-forces/{task_force}/members/",
            "post",
            {"person": "@erin"},
            allowed=TASK_FORCE_MANAGERS,
            sees=MANAGER_CHAIN,
        ),
        Act(
            "remove someone who is not a member (a no-op)",
            "/api/v1/task-forces/{task_force}/members/",
            "delete",
            {"person": "@zed"},
            allowed=TASK_FORCE_MANAGERS,
            sees=MANAGER_CHAIN,
            effect=False,
        ),
    ],
    "task-force-dissolve": [
        Act(
            "dissolve",
            "/api/v1/task-forces/{task_force}/dissolve/",
            "post",
            allowed=TASK_FORCE_MANAGERS,
            sees=MANAGER_CHAIN,
        )
    ],
    "coordination:task-forces": [
        Act(
            "list",
            "/coordination/task-forces/",
            markers=(Marker(TASK_FORCE, MANAGER_CHAIN),),
        )
    ],
    "coordination:task-force-new": [
        Act("form", "/coordination/task-forces/new/", allowed=CREATORS, denied=403),
        Act(
            "set up",
            "/coordination/task-forces/new/",
            "post",
            {**TASK_FORCE_BODY, "lead": "@alice", "members": "@dave"},
            allowed=CREATORS,
            denied=403,
        ),
    ],
    "coordination:task-force": [
        Act("read", "/coordination/task-forces/{task_force}/", allowed=MANAGER_CHAIN)
    ],
    "coordination:task-force-members": [
        Act(
            "add a member",
            "/coordination/task-forces/{task_force}/members/",
            "post",
            {"person": "@erin", "op": "add"},
            allowed=TASK_FORCE_MANAGERS,
            sees=MANAGER_CHAIN,
        )
    ],
    "coordination:task-force-dissolve": [
        Act(
            "dissolve",
            "/coordination/task-forces/{task_force}/dissolve/",
            "post",
            allowed=TASK_FORCE_MANAGERS,
            sees=MANAGER_CHAIN,
        )
    ],
}
