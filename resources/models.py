"""Resource requests and the budgets they draw on.

A request serves a goal (or one of its key results) and is addressed to a unit: the requester's
own (decided up the manager chain) or another one (a cross-department request, decided by that
unit's head). A request with an amount of money commits against the addressed unit's budget
for the goal's cycle and the request's category when approved, and turns into spend when
fulfilled. The writes live in `resources.services`.

The tables keep the names they had when these models lived in the tracking app (`db_table`,
and `table_name` for the history): the move to this app changed no table.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from goals.models import Cycle, Goal, KeyResult
from org.models import Person, Unit

MONEY = {"max_digits": 14, "decimal_places": 2}
DEFAULT_CURRENCY = "CNY"


class BudgetCategory(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    HIRING = "hiring", _("Hiring")
    TOOLS = "tools", _("Tools")
    TRAINING = "training", _("Training")
    INCENTIVES = "incentives", _("Incentives")
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


class ResourceSettings(models.Model):
    """Organisation-level settings for resource requests (one row; `ResourceSettings.load()`)."""

    waiting_days = models.PositiveSmallIntegerField(
        _("a request is waiting too long after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    budget_alert_ratio = models.FloatField(
        _("alert the budget owner at (share committed)"),
        default=0.9,
        validators=[MinValueValidator(0.01), MaxValueValidator(1)],
    )

    class Meta:
        db_table = "tracking_resourcesettings"
        verbose_name = _("resource settings")
        verbose_name_plural = _("resource settings")

    def __str__(self) -> str:
        return str(_("Resource settings"))

    @classmethod
    def load(cls) -> ResourceSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Budget(models.Model):
    """Money a unit may spend in a cycle on one category. `committed` is approved and not yet
    fulfilled, `spent` is fulfilled; together they never exceed `allocated` (a database
    constraint, on top of the row lock the services take)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="budgets"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="budgets"
    )
    category = models.CharField(_("category"), max_length=12, choices=BudgetCategory.choices)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    allocated = models.DecimalField(_("allocated"), default=Decimal("0"), **MONEY)
    committed = models.DecimalField(_("committed"), default=Decimal("0"), **MONEY)
    spent = models.DecimalField(_("spent"), default=Decimal("0"), **MONEY)
    # Set when the owner was told the budget crossed the alert ratio; cleared when it falls
    # back below it, so each crossing notifies once.
    alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        get_user=history_user,
        excluded_fields=["updated_at", "alerted_at"],
        table_name="tracking_historicalbudget",
    )

    class Meta:
        db_table = "tracking_budget"
        ordering = ["cycle", "unit__path", "category"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "cycle", "category"], name="one_budget_per_unit_cycle_category"
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(committed__gte=0) & Q(spent__gte=0),
                name="budget_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=F("committed") + F("spent")),
                name="budget_never_overspent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.cycle} · {self.get_category_display()}"

    @property
    def used(self) -> Decimal:
        return self.committed + self.spent

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.committed - self.spent

    @property
    def used_ratio(self) -> float:
        """Committed plus spent as a share of the allocation (1.0 when nothing is allocated
        but something is used, 0.0 when both are zero)."""
        if self.allocated <= 0:
            return 1.0 if self.used > 0 else 0.0
        return float(self.used / self.allocated)

    def percent(self, amount: Decimal) -> float:
        if self.allocated <= 0:
            return 0.0
        return round(min(100.0, float(amount / self.allocated) * 100), 1)

    @property
    def committed_percent(self) -> float:
        return self.percent(self.committed)

    @property
    def spent_percent(self) -> float:
        return self.percent(self.spent)

    @property
    def used_percent(self) -> float:
        return self.percent(self.used)


HIDDEN_GOAL = _("a goal you cannot see")


class ResourceRequest(models.Model):
    Kind = RequestKind
    State = RequestState

    # The budget category a kind draws on unless the requester picks another one.
    DEFAULT_CATEGORY = {
        Kind.PEOPLE: BudgetCategory.HIRING,
        Kind.BUDGET: BudgetCategory.OTHER,
        Kind.EQUIPMENT: BudgetCategory.TOOLS,
        Kind.TRAINING: BudgetCategory.TRAINING,
        Kind.INFORMATION: BudgetCategory.OTHER,
    }
    OPEN_STATES = (State.SUBMITTED,)
    GRANTED_STATES = (State.APPROVED, State.PARTLY_APPROVED)

    requester = models.ForeignKey(
        Person,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="resource_requests",
    )
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.PROTECT, related_name="resource_requests"
    )
    key_result = models.ForeignKey(
        KeyResult,
        verbose_name=_("key result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resource_requests",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.CharField(_("budget category"), max_length=12, choices=BudgetCategory.choices)
    title = models.CharField(_("what is needed"), max_length=200)
    amount = models.DecimalField(
        _("amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    justification = models.TextField(_("justification"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("addressed unit"),
        on_delete=models.PROTECT,
        related_name="resource_requests",
    )
    is_cross_unit = models.BooleanField(_("cross-department"), default=False)
    # Routed at submission: the head of the addressed unit (cross-department) or the
    # requester's manager (own unit). Others up the chain may decide as well.
    approver = models.ForeignKey(
        Person,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resource_requests_to_decide",
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    # Priority and the inputs it was computed from (refreshed while the request waits).
    priority_score = models.FloatField(_("priority score"), default=0.0)
    goal_priority = models.CharField(
        _("goal priority"), max_length=10, choices=Goal.Priority.choices, blank=True
    )
    goal_weight = models.DecimalField(
        _("goal weight"), max_digits=8, decimal_places=3, default=Decimal("1")
    )
    pace_gap = models.FloatField(_("gap to expected pace"), default=0.0)
    priority_computed_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Person,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    # In the request's terms: money when it has an amount, otherwise the quantity.
    granted_amount = models.DecimalField(_("granted amount"), null=True, blank=True, **MONEY)
    budget = models.ForeignKey(
        Budget,
        verbose_name=_("budget"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    spent_amount = models.DecimalField(_("spent amount"), null=True, blank=True, **MONEY)
    fulfilled_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    waiting_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        get_user=history_user,
        excluded_fields=["updated_at", "priority_computed_on"],
        table_name="tracking_historicalresourcerequest",
    )

    class Meta:
        db_table = "tracking_resourcerequest"
        ordering = ["-priority_score", "needed_by", "created_at", "pk"]
        verbose_name = _("resource request")
        verbose_name_plural = _("resource requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="request_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(granted_amount__isnull=True) | Q(granted_amount__gte=0),
                name="request_granted_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-priority_score"]),
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["requester", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_money(self) -> bool:
        return self.amount is not None

    @property
    def requested_value(self) -> Decimal | None:
        """What was asked for: the amount of money, else the quantity."""
        if self.amount is not None:
            return self.amount
        return Decimal(self.quantity) if self.quantity is not None else None

    @property
    def is_open(self) -> bool:
        return self.state == self.State.SUBMITTED

    @property
    def state_badge(self) -> str:
        """The CSS badge class for the state."""
        return {
            self.State.SUBMITTED: "warn",
            self.State.APPROVED: "ok",
            self.State.PARTLY_APPROVED: "ok",
            self.State.REJECTED: "bad",
            self.State.FULFILLED: "brand",
        }.get(self.state, "")

    @property
    def goal_hidden(self) -> bool:
        """True when the person looking may not see the goal this request serves
        (`goal_visible`, annotated by resources.permissions.visible_resource_requests)."""
        return getattr(self, "goal_visible", True) is False

    @property
    def scoped_goal_title(self) -> str:
        """The goal's title, or "a goal you cannot see" for someone who may not see it."""
        return str(HIDDEN_GOAL) if self.goal_hidden else self.goal.title

    @property
    def scoped_goal_priority(self) -> str:
        return "" if self.goal_hidden else self.goal_priority

    @property
    def is_core(self) -> bool:
        return self.goal_priority == Goal.Priority.CORE

    @property
    def gap_points(self) -> float:
        return round(self.pace_gap * 100, 1)
