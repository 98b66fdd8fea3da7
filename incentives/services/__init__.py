"""Writes over incentives: rules, evaluation, the awards flow. Import from here."""

from .awards import approve_award, publish_award, update_vesting  # noqa: F401
from .evaluation import (  # noqa: F401
    Outcome,
    evaluate_due_rules,
    evaluate_rule,
    load_inputs,
    rule_spec,
)
from .rules import create_rule, update_rule  # noqa: F401
