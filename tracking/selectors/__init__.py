"""Named reads over tracking, scoped and with their joins. Every list runs a fixed number of
queries whatever the number of key results, check-ins or team members."""

from .checkins import (  # noqa: F401
    ACTIVE_GOAL_STATES,
    KeyResultRow,
    active_key_results,
    check_in_history,
    check_in_streak,
    completion_rate,
    key_result_burnup,
    key_result_rows,
    last_values_before,
    missed_weeks,
    this_week,
)
from .reviews import default_review_week, team_check_ins, weekly_review_summary  # noqa: F401
from .trends import (  # noqa: F401
    managed_trend,
    managed_week_totals,
    team_trend_chart,
    team_trend_from_rollup,
    unit_heatmap,
    weeks_up_to,
)
