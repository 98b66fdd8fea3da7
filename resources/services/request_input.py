"""A new resource request's input: the fields checked as a whole (every problem under its own
field name) and the amount, currency and quantity parsed. No writes here;
resources/services/requests.py saves."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from goals.models import Goal, KeyResult
from org.models import Person
from resources import selectors
from resources.models import BudgetCategory, ResourceRequest

from .budgets import parse_currency, parse_money


def _check_request(
    *,
    requester: Person,
    kind: str,
    title: str,
    justification: str,
    goal: Goal | None,
    key_result: KeyResult | None,
    category: str | None,
    needed_by: dt.date | None,
    today: dt.date,
) -> tuple[Goal, str]:
    """(the goal served, the budget category) of a new request, or every field's error."""
    errors: dict[str, str] = {}
    if kind not in ResourceRequest.Kind.values:
        errors["kind"] = _("Choose what kind of resource you need.")
    if key_result is not None:
        if goal is not None and key_result.goal_id != goal.pk:
            errors["key_result"] = _("This key result belongs to another goal.")
        goal = goal or key_result.goal
    if goal is None or not selectors.servable_goals(viewer=requester).filter(pk=goal.pk).exists():
        errors["goal"] = _("Choose the goal this request serves.")
    elif goal.state == Goal.State.CLOSED:
        errors["goal"] = _("This goal is closed.")
    if not (title or "").strip():
        errors["title"] = _("Say briefly what you need.")
    if not (justification or "").strip():
        errors["justification"] = _("Explain how this closes the gap.")
    if category in (None, ""):
        category = ResourceRequest.DEFAULT_CATEGORY.get(kind, BudgetCategory.OTHER)
    elif category not in BudgetCategory.values:
        errors["category"] = _("Choose a budget category.")
    if needed_by is not None and needed_by < today:
        errors["needed_by"] = _("The date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    return goal, category


def _parse_quantities(kind: str, amount, currency, quantity) -> tuple:
    """(amount, currency, quantity) parsed, and the ones this kind of request needs given."""
    if amount not in (None, ""):
        amount = parse_money(amount, field="amount")
        currency = parse_currency(currency)
    else:
        amount, currency = None, ""
    if quantity not in (None, ""):
        try:
            quantity = int(quantity)
        except (TypeError, ValueError):
            raise ValidationError({"quantity": _("Enter a whole number.")}) from None
        if quantity < 1 or quantity > 100000:
            raise ValidationError({"quantity": _("Enter a whole number from 1 to 100000.")})
    else:
        quantity = None
    if kind == ResourceRequest.Kind.BUDGET and amount is None:
        raise ValidationError({"amount": _("A budget request needs an amount.")})
    if kind != ResourceRequest.Kind.INFORMATION and amount is None and quantity is None:
        raise ValidationError({"amount": _("Give an amount or a quantity.")})
    return amount, currency, quantity
