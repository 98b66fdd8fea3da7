"""Cycles, goals (objectives and KPIs), key results and their measurements, and target
adjustments. Progress is denormalised on key results and goals and recomputed by
`goals.services` along the ancestor chain on every change."""

from .adjustments import GoalTemplate, TargetAdjustment
from .cycles import Cycle
from .goal import Goal
from .key_results import KeyResult, Measurement
from .settings import VALUE_FIELD, GoalSettings, Status, fmt_number

__all__ = [
    "VALUE_FIELD",
    "Cycle",
    "Goal",
    "GoalSettings",
    "GoalTemplate",
    "KeyResult",
    "Measurement",
    "Status",
    "TargetAdjustment",
    "fmt_number",
]
