"""Tracking models: weekly check-ins (PDCA), feedback, weekly reviews, improvement plans and,
in `resources`, resource requests and budgets."""

from .checkins import CauseTag, CheckIn, KeyResultUpdate, local_today, week_start  # noqa: F401
from .plans import ImprovementAction, ImprovementPlan  # noqa: F401
from .resources import Budget, BudgetCategory, ResourceRequest, ResourceSettings  # noqa: F401
from .reviews import Feedback, WeeklyReview  # noqa: F401
