"""Incentive rules, the awards their evaluation produces, and a record of each evaluation run
(who was eligible, for the fairness report).

A rule's kind-specific parameters live in `IncentiveRule.params` (JSON) and are validated per
kind by `incentives.rules.validate_params` from `clean()`."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from goals.models import Cycle
from org.models import Person, Unit

MONEY = {"max_digits": 14, "decimal_places": 2}


class Period(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    CYCLE = "cycle", _("Cycle")


class IncentiveRule(models.Model):
    class Kind(models.TextChoices):
        TIERED_BONUS = "tiered_bonus", _("Tiered bonus")
        COMMISSION = "commission", _("Commission")
        MILESTONE = "milestone", _("Milestone reward")
        RECOGNITION = "recognition", _("Recognition award")
        PROMOTION_POINTS = "promotion_points", _("Promotion points")
        DEFERRED = "deferred", _("Deferred award")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="incentive_rules",
        help_text=_("The rule applies to this unit and every unit below it."),
    )
    # Empty: every level.
    levels = models.JSONField(_("levels"), default=list, blank=True)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    cycle = models.ForeignKey(
        Cycle,
        verbose_name=_("cycle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incentive_rules",
    )
    require_agreed_goals = models.BooleanField(_("agreed goals required"), default=True)
    min_check_in_rate = models.FloatField(
        _("minimum check-in completion rate"),
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Share of the period's weeks with a submitted check-in, 0–1."),
    )
    min_tenure_days = models.PositiveIntegerField(_("minimum tenure (days)"), default=0)
    # A manager's results are the goals of the units they head, next to their own goals.
    unit_goals_weight = models.DecimalField(
        _("weight of the goals of units a person heads"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "Each goal of a unit the person heads counts with its own weight times this, next "
            "to the person's own goals. 0: only their own goals count. Commissions and "
            "milestones are individual and never count unit goals."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    cap = models.DecimalField(
        _("cap per person"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The most one person can receive from this rule in one period."),
        **MONEY,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who changed what and when (the audit trail). The kind's parameters (tiers, rates,
    # milestones) are the `params` column of this row, so they are kept with it.
    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("incentive rule")
        verbose_name_plural = _("incentive rules")
        indexes = [models.Index(fields=["is_active", "period"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from incentives.rules import validate_params

        errors: dict[str, list] = {}
        if self.period == Period.CYCLE and not self.cycle_id:
            errors["cycle"] = [_("A rule evaluated per cycle needs a cycle.")]
        if self.period != Period.CYCLE and self.cycle_id:
            errors["cycle"] = [_("Only a rule evaluated per cycle has a cycle.")]
        levels = self.levels if isinstance(self.levels, list) else None
        if levels is None or any(level not in Person.Level.values for level in levels):
            errors["levels"] = [_("Choose levels from: frontline, manager, executive.")]
        elif len(set(levels)) != len(levels):
            errors["levels"] = [_("A level is listed twice.")]
        if (
            self.kind == self.Kind.DEFERRED
            and levels is not None
            and (not levels or Person.Level.FRONTLINE in levels)
        ):
            errors.setdefault("levels", []).append(
                _("A deferred award is for managers: choose manager and/or executive.")
            )
        if self.currency and (len(self.currency) != 3 or not self.currency.isalpha()):
            errors["currency"] = [_("Use a three-letter currency code, e.g. CNY.")]
        if self.kind in self.Kind.values:
            try:
                self.params = validate_params(self.kind, self.params)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


class Award(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    rule = models.ForeignKey(IncentiveRule, on_delete=models.PROTECT, related_name="awards")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="awards")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("Exclusive."))
    kind = models.CharField(_("kind"), max_length=20, choices=IncentiveRule.Kind.choices)
    amount = models.DecimalField(_("amount"), default=Decimal("0"), **MONEY)
    points = models.DecimalField(_("points"), default=Decimal("0"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    approved_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-period_start", "rule", "person"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "person", "period_start"], name="one_award_per_rule_person_period"
            )
        ]
        indexes = [
            models.Index(fields=["state", "kind", "-published_at"]),
            models.Index(fields=["person", "-period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.person} · {self.period_start}"

    @property
    def reason(self) -> str:
        from incentives.explain import describe

        return describe(self.kind, self.explanation)


class Evaluation(models.Model):
    """The last evaluation of a rule for a period: who was eligible (for the fairness report's
    share of eligible people awarded) and when it ran."""

    rule = models.ForeignKey(IncentiveRule, on_delete=models.CASCADE, related_name="evaluations")
    period_start = models.DateField()
    period_end = models.DateField()
    eligible_ids = models.JSONField(default=list)
    evaluated_at = models.DateTimeField(auto_now=True)
    evaluated_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "period_start"], name="one_evaluation_per_rule_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.period_start}"


class CommissionLine(models.Model):
    """The commission ledger: what an award pays per key result. A period pays what was earned
    to date on each key result minus what earlier periods' awards of the rule already cover, so
    nothing is paid twice; a correction after an award was decided surfaces in the next period
    as an adjustment (its `adjustment` part), never as a silent change."""

    rule = models.ForeignKey(
        IncentiveRule, on_delete=models.CASCADE, related_name="commission_lines"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="commission_lines")
    # The key result by id and name: the ledger outlives a deleted key result.
    key_result_id = models.IntegerField()
    key_result_name = models.CharField(max_length=300, blank=True)
    period_start = models.DateField()
    earned_to_date = models.DecimalField(**MONEY)
    paid_before = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    # The part of `amount` that corrects earlier periods (earned at this period's start minus
    # what was paid before).
    adjustment = models.DecimalField(default=Decimal("0"), **MONEY)

    class Meta:
        ordering = ["rule", "person", "key_result_id", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "key_result_id"], name="one_commission_line_per_award_kr"
            )
        ]
        indexes = [models.Index(fields=["rule", "person", "key_result_id", "period_start"])]

    def __str__(self) -> str:
        return f"{self.rule} · {self.person} · KR {self.key_result_id} · {self.period_start}"
