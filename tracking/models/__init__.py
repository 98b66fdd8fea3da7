"""Tracking models: weekly check-ins (PDCA) and, in `resources`, resource requests and budgets."""

from .checkins import CauseTag, CheckIn, KeyResultUpdate  # noqa: F401
from .plans import ImprovementAction, ImprovementPlan  # noqa: F401
from .resources import Budget, BudgetCategory, ResourceRequest, ResourceSettings  # noqa: F401
