"""Goal pages and htmx partials."""

from .pages import goal_create, goal_detail, goal_edit, goal_list, smart_preview  # noqa: F401
from .workflow import (  # noqa: F401
    adjustment_decide,
    adjustment_inbox,
    adjustment_request,
    goal_cascade,
    goal_transition,
    goal_tree,
    measure,
)
