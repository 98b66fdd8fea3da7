"""Writes over resource requests and budgets; one function per business action."""

from .budgets import (  # noqa: F401
    create_budget,
    parse_money,
    sweep_budget_alerts,
    update_alert,
    update_budget,
)
from .requests import (  # noqa: F401
    Priority,
    approve_request,
    compute_priority,
    fulfil_request,
    refresh_priorities,
    reject_request,
    remind_waiting,
    submit_request,
    withdraw_request,
)
