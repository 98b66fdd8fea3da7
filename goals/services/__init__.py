"""Writes over goals: one function per business action, transactional, validated and
permission-checked. Other apps call these and never write goal models directly; the
signatures of `record_measurement`, `recompute_progress_upwards`, `create_goal` and
`parse_value` are a contract they depend on."""

from .adjustments import (  # noqa: F401
    approve_adjustment,
    reject_adjustment,
    request_adjustment,
    request_unit_adjustment,
)
from .agreement import (  # noqa: F401
    StaleVersion,
    agree_goal,
    close_goal,
    counter_propose_goal,
    propose_goal,
    return_goal,
    update_goal,
)
from .cascade import cascade_goal, split_targets  # noqa: F401
from .core import (  # noqa: F401
    MAX_VALUE,
    create_goal,
    goal_progress,
    parse_value,
    parse_weight,
    recompute_all,
    recompute_progress_upwards,
    record_measurement,
    record_measurements,
    refresh_progress,
)
from .cycles import create_cycle, update_cycle  # noqa: F401
