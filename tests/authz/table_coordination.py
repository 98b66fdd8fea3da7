"""Matrix rows: threads and mentions (the coordination app, issue 25), API and pages.

A comment is seen by exactly those who may see its object: Alice's private goal by her manager
chain, her HRBP and admins; her check-in likewise. Whoever sees the object comments and
replies; only the author edits.
"""

from tests.authz.rows import EVERYONE, MANAGER_CHAIN, ONLY_SELF, PRIVATE, Act, Marker

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
}
