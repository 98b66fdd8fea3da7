"""The translatable labels of the resource models (choices and verbose names).

They live in the resources package so that its own catalog (tracking/resources/locale) carries
them; `tracking.models.resources` imports them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BudgetCategory(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    HIRING = "hiring", _("Hiring")
    TOOLS = "tools", _("Tools")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class RequestKind(models.TextChoices):
    PEOPLE = "people", _("People")
    BUDGET = "budget", _("Budget")
    EQUIPMENT = "equipment", _("Equipment")
    TRAINING = "training", _("Training")
    INFORMATION = "information", _("Information")


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    REJECTED = "rejected", _("Rejected")
    FULFILLED = "fulfilled", _("Fulfilled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Label:
    """Verbose names of the resource models' fields and models."""

    waiting_days = _("a request is waiting too long after (days)")
    budget_alert_ratio = _("alert the budget owner at (share committed)")
    resource_settings = _("resource settings")
    resource_settings_title = _("Resource settings")
    unit = _("unit")
    cycle = _("cycle")
    category = _("category")
    currency = _("currency")
    allocated = _("allocated")
    committed = _("committed")
    spent = _("spent")
    budget = _("budget")
    budgets = _("budgets")
    requester = _("requester")
    goal = _("goal")
    key_result = _("key result")
    kind = _("kind")
    budget_category = _("budget category")
    what_is_needed = _("what is needed")
    amount = _("amount")
    quantity = _("quantity")
    justification = _("justification")
    addressed_unit = _("addressed unit")
    cross_department = _("cross-department")
    approver = _("approver")
    needed_by = _("needed by")
    state = _("state")
    priority_score = _("priority score")
    goal_priority = _("goal priority")
    goal_weight = _("goal weight")
    gap_to_expected_pace = _("gap to expected pace")
    decided_by = _("decided by")
    decision_comment = _("decision comment")
    granted_amount = _("granted amount")
    spent_amount = _("spent amount")
    resource_request = _("resource request")
    resource_requests = _("resource requests")
