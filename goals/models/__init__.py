"""Cycles, goals (objectives and KPIs), key results and their measurements, and target
adjustments. Progress is denormalised on key results and goals and recomputed by
`goals.services` along the ancestor chain on every change."""

from .adjustments import GoalTemplate, TargetAdjustment
from .alignment import AlignmentReview
from .cycles import Cycle
from .findings import AlignmentFinding
from .goal import Goal
from .idempotency import IdempotencyKey
from .key_results import KeyResult, Measurement
from .rollups import PersonCycleRollup, UnitCycleRollup
from .settings import VALUE_FIELD, GoalSettings, Status, fmt_number
from .support import SupportRequest

__all__ = [
    "AlignmentFinding",
    "AlignmentReview",
    "VALUE_FIELD",
    "Cycle",
    "Goal",
    "GoalSettings",
    "GoalTemplate",
    "IdempotencyKey",
    "KeyResult",
    "Measurement",
    "PersonCycleRollup",
    "Status",
    "SupportRequest",
    "TargetAdjustment",
    "UnitCycleRollup",
    "fmt_number",
]
