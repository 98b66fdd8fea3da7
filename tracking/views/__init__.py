"""Tracking pages: the employee's This-week check-in, history, one check-in with its
feedback, the manager's team check-ins and the weekly review. Thin over services/selectors."""

from .checkins import (  # noqa: F401
    autosave,
    check_in_detail,
    history,
    kr_burnup,
    kr_status,
    this_week,
)
from .team import (  # noqa: F401
    acknowledge_feedback,
    give_feedback,
    plan_from_update,
    team,
    weekly_review,
)
