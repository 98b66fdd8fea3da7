"""Budgets: allocation by admins and unit heads, commitment on approval, spend on fulfilment,
and the alert to the budget owner when a budget crosses the alert ratio."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.history import records_actor
from goals.models import Cycle
from notifications.messages import Message
from notifications.services import notify
from org.models import Person, Unit
from resources import permissions
from resources.models import (
    DEFAULT_CURRENCY,
    Budget,
    BudgetCategory,
    ResourceRequest,
    ResourceSettings,
)

MAX_MONEY = Decimal("1e12")


def parse_money(raw, *, field: str, allow_zero: bool = False) -> Decimal:
    """An amount of money from user input (2 decimals), or a ValidationError on `field`."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not value.is_finite() or abs(value) >= MAX_MONEY:
        raise ValidationError({field: _("Enter a smaller number.")})
    value = value.quantize(Decimal("0.01"))
    if value < 0 or (value == 0 and not allow_zero):
        message = _("Enter zero or more.") if allow_zero else _("Enter more than 0.")
        raise ValidationError({field: message})
    return value


def parse_currency(raw: str | None) -> str:
    code = (raw or DEFAULT_CURRENCY).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationError({"currency": _("Use a three-letter currency code such as CNY.")})
    return code


def budgets_url(budget: Budget) -> str:
    return f"{reverse('resources:budgets')}?cycle={budget.cycle_id}"


def _describe(budget: Budget) -> dict:
    return {
        "unit": budget.unit.name,
        "category": BudgetCategory(budget.category).label,
        "cycle": budget.cycle.name,
        "currency": budget.currency,
        "remaining": f"{budget.remaining:,.2f}",
    }


def update_alert(budget: Budget, *, settings: ResourceSettings | None = None) -> bool:
    """Tell the budget owner (the unit's head) once when committed plus spent reaches the
    alert ratio; re-arm when it falls back below. The claim is a conditional update, so a
    concurrent or repeated call never notifies twice. Returns whether it notified.

    `alerted_at` is notification bookkeeping, not an audited change (the history excludes it);
    the amounts it follows are audited where they change (`commit`, `settle`, `update_budget`)."""
    settings = settings or ResourceSettings.load()
    if budget.used_ratio < settings.budget_alert_ratio:
        if budget.alerted_at is not None:
            Budget.objects.filter(pk=budget.pk).update(alerted_at=None)
            budget.alerted_at = None
        return False
    now = timezone.now()
    claimed = Budget.objects.filter(pk=budget.pk, alerted_at__isnull=True).update(alerted_at=now)
    if not claimed:
        return False
    budget.alerted_at = now
    head = budget.unit.head
    if head is None:
        return True
    text = Message(
        gettext_noop(
            "The %(category)s budget of %(unit)s for %(cycle)s is %(percent)s%% committed; "
            "%(remaining)s %(currency)s remain."
        ),
        **_describe(budget),
        percent=f"{budget.used_ratio * 100:.0f}",
    )
    notify(
        recipients=[head],
        kind="budget_alert",
        text=text,
        url=budgets_url(budget),
        subject=budget,
    )
    return True


def lock_budget_for(request_obj: ResourceRequest) -> Budget:
    """The budget a money request draws on, locked until the transaction ends; a
    ValidationError naming the remaining amount (zero) when there is none."""
    budget = (
        Budget.objects.select_for_update()
        .filter(
            unit_id=request_obj.unit_id,
            cycle_id=request_obj.goal.cycle_id,
            category=request_obj.category,
        )
        .first()
    )
    if budget is None:
        raise ValidationError(
            {
                "granted_amount": _(
                    "%(unit)s has no %(category)s budget for %(cycle)s; the remaining amount "
                    "is 0 %(currency)s."
                )
                % {
                    "unit": request_obj.unit.name,
                    "category": request_obj.get_category_display(),
                    "cycle": request_obj.goal.cycle.name,
                    "currency": request_obj.currency,
                }
            }
        )
    budget.unit = request_obj.unit
    budget.cycle = request_obj.goal.cycle
    if budget.currency != request_obj.currency:
        raise ValidationError(
            {
                "granted_amount": _(
                    "The budget is kept in %(budget)s but the request is in %(request)s."
                )
                % {"budget": budget.currency, "request": request_obj.currency}
            }
        )
    return budget


def commit(budget: Budget, amount: Decimal) -> None:
    """Commit `amount` against a budget locked by the caller; refused beyond what remains."""
    if amount > budget.remaining:
        raise ValidationError(
            {
                "granted_amount": _(
                    "This exceeds the %(category)s budget of %(unit)s for %(cycle)s: only "
                    "%(remaining)s %(currency)s remain."
                )
                % _describe(budget)
            }
        )
    budget.committed += amount
    budget.save(update_fields=["committed", "updated_at"])
    update_alert(budget)


def settle(budget: Budget, *, committed: Decimal, spent: Decimal) -> Decimal:
    """Turn a commitment into spend on a budget locked by the caller. Spending more than was
    committed needs the difference to remain; spending less releases it. Returns the amount
    released (negative when more was spent)."""
    extra = spent - committed
    if extra > budget.remaining:
        raise ValidationError(
            {
                "spent_amount": _(
                    "Spending %(extra)s %(currency)s more than was granted exceeds the budget: "
                    "only %(remaining)s %(currency)s remain."
                )
                % {**_describe(budget), "extra": f"{extra:,.2f}"}
            }
        )
    budget.committed -= committed
    budget.spent += spent
    budget.save(update_fields=["committed", "spent", "updated_at"])
    update_alert(budget)
    return committed - spent


@records_actor
@transaction.atomic
def create_budget(
    *,
    actor: Person,
    unit: Unit,
    cycle: Cycle,
    category: str,
    allocated,
    currency: str | None = None,
) -> Budget:
    if not permissions.can_write_budget(actor, unit):
        raise PermissionDenied(_("Only admins and the unit's heads may set its budget."))
    if category not in BudgetCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    allocated = parse_money(allocated, field="allocated", allow_zero=True)
    currency = parse_currency(currency)
    if Budget.objects.filter(unit=unit, cycle=cycle, category=category).exists():
        raise ValidationError(
            {"category": _("This unit already has a budget for this category and cycle.")}
        )
    return Budget.objects.create(
        unit=unit, cycle=cycle, category=category, allocated=allocated, currency=currency
    )


@records_actor
@transaction.atomic
def update_budget(
    *, actor: Person, budget: Budget, allocated=None, currency: str | None = None
) -> Budget:
    """Change an allocation (never below what is committed and spent) or, while nothing is
    committed or spent, the currency."""
    budget = (
        Budget.objects.select_for_update(of=("self",))
        .select_related("unit__head", "cycle")
        .get(pk=budget.pk)
    )
    if not permissions.can_write_budget(actor, budget.unit):
        raise PermissionDenied(_("Only admins and the unit's heads may set its budget."))
    fields = []
    if allocated is not None:
        allocated = parse_money(allocated, field="allocated", allow_zero=True)
        if allocated < budget.used:
            raise ValidationError(
                {
                    "allocated": _(
                        "%(used)s %(currency)s is already committed or spent; allocate at "
                        "least that."
                    )
                    % {"used": f"{budget.used:,.2f}", "currency": budget.currency}
                }
            )
        budget.allocated = allocated
        fields.append("allocated")
    if currency is not None:
        currency = parse_currency(currency)
        if currency != budget.currency:
            if budget.used > 0:
                raise ValidationError(
                    {"currency": _("The currency cannot change once money is committed.")}
                )
            budget.currency = currency
            fields.append("currency")
    if fields:
        budget.save(update_fields=[*fields, "updated_at"])
        update_alert(budget)
    return budget


def sweep_budget_alerts() -> int:
    """Alert owners of every budget at or above the ratio not yet alerted (budgets whose
    allocation changed outside the services, or a missed alert). Idempotent."""
    settings = ResourceSettings.load()
    ratio = Decimal(str(settings.budget_alert_ratio))
    candidates = (
        Budget.objects.filter(alerted_at__isnull=True, allocated__gt=0)
        .annotate(used_total=F("committed") + F("spent"))
        .filter(used_total__gte=F("allocated") * Value(ratio))
        .select_related("unit__head", "cycle")
    )
    return sum(update_alert(budget, settings=settings) for budget in candidates)
