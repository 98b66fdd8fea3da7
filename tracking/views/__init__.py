"""Tracking pages: the employee's This-week check-in, history, one check-in with its
feedback, the manager's team check-ins and the weekly review. Thin over services/selectors."""

from .checkins import autosave, check_in_detail, history, kr_status, this_week  # noqa: F401
from .team import (  # noqa: F401
    acknowledge_feedback,
    give_feedback,
    plan_from_update,
    team,
    weekly_review,
)
