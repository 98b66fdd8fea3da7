"""Tracking models: weekly check-ins (PDCA), feedback, weekly reviews and improvement plans.
(Resource requests and budgets are the `resources` app's.)"""

from .checkins import (  # noqa: F401
    CauseTag,
    CheckIn,
    KeyResultUpdate,
    local_today,
    week_start,
    zone_of,
)
from .plans import ImprovementAction, ImprovementPlan  # noqa: F401
from .reviews import Feedback, WeeklyReview  # noqa: F401
from .rollups import UnitWeekRollup  # noqa: F401
