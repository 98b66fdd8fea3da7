"""Writes over tracking. One function per business action, transactional, validated and
permission-checked; views, API, tasks and the demo call these."""

from .checkins import (  # noqa: F401
    deviation_text,
    open_check_in,
    save_check_in_draft,
    submit_check_in,
)
from .feedback import acknowledge_feedback, give_feedback  # noqa: F401
from .plans import (  # noqa: F401
    create_improvement_plan,
    create_plan_from_update,
    plan_improvement,
    set_improvement_action_state,
)
from .reviews import save_weekly_review  # noqa: F401
