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
from .consistency import check_numbers, recompute_all  # noqa: F401
from .core import (  # noqa: F401
    MAX_VALUE,
    create_goal,
    parse_value,
    parse_weight,
)
from .cycles import (  # noqa: F401
    allowed_transitions,
    carry_over,
    create_cycle,
    next_cycle,
    transition_cycle,
    unscored_goals,
    update_cycle,
)
from .measurements import record_measurement, record_measurements, roll_up  # noqa: F401
from .progress import (  # noqa: F401
    goal_progress,
    recompute_progress_upwards,
    refresh_progress,
)
from .pushes import (  # noqa: F401
    MAX_ROWS,
    PushResult,
    purge_idempotency_keys,
    push_bulk,
    push_measurement,
)
from .scoring import ScoreRow, score_goal, score_goals, suggested_score  # noqa: F401
from .support import (  # noqa: F401
    accept_support,
    counter_propose_support,
    decline_support,
    request_support,
    withdraw_support,
)
