"""Goal pages and htmx partials."""

from .cycles import (  # noqa: F401
    cycle_carry_over,
    cycle_create,
    cycle_edit,
    cycle_list,
    cycle_scoring,
    cycle_self_score,
    cycle_transition,
)
from .pages import (  # noqa: F401
    goal_create,
    goal_detail,
    goal_edit,
    goal_list,
    goal_parent_options,
    smart_preview,
)
from .support import (  # noqa: F401
    support_ask,
    support_decide,
    support_detail,
    support_inbox,
)
from .workflow import (  # noqa: F401
    adjustment_decide,
    adjustment_inbox,
    adjustment_request,
    goal_cascade,
    goal_transition,
    goal_tree,
    measure,
)
