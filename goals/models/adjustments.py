"""Target adjustments of agreed goals and goal templates for differentiated targets."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from org.models import Person

from .key_results import KeyResult
from .settings import VALUE_FIELD


class TargetAdjustment(models.Model):
    class Reason(models.TextChoices):
        POLICY = "policy", _("Policy change")
        MARKET = "market", _("Market change")
        COMPETITION = "competition", _("Competition")
        INTERNAL = "internal", _("Internal change")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    key_result = models.ForeignKey(
        KeyResult,
        verbose_name=_("key result"),
        on_delete=models.CASCADE,
        related_name="adjustments",
    )
    old_target = models.DecimalField(_("old target"), **VALUE_FIELD)
    new_target = models.DecimalField(_("new target"), **VALUE_FIELD)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    evidence = models.TextField(_("impact evidence"))
    # Set for a unit-wide adjustment: every secondary goal of the unit moves together.
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="requested_adjustments"
    )
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="decided_adjustments"
    )
    decision_comment = models.TextField(_("decision comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("target adjustment")
        verbose_name_plural = _("target adjustments")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.old_target} → {self.new_target}"


class GoalTemplate(models.Model):
    """Differentiated targets: a goal a manager applies when cascading to people of a level and
    tenure (e.g. new employees on task completion rate, experienced ones on innovation rate).
    Its key results are added to each matching person's cascaded goal."""

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Person.Level.choices,
        blank=True,
        help_text=_("Empty: any level."),
    )
    min_tenure_months = models.PositiveSmallIntegerField(
        _("minimum tenure (months)"), null=True, blank=True
    )
    max_tenure_months = models.PositiveSmallIntegerField(
        _("tenure below (months)"), null=True, blank=True
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    # [{"name", "metric", "unit", "direction", "start_value", "target_value"}, ...]
    key_results = models.JSONField(_("key results"), default=list)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "min_tenure_months", "name"]
        verbose_name = _("goal template")
        verbose_name_plural = _("goal templates")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.min_tenure_months is not None
            and self.max_tenure_months is not None
            and self.max_tenure_months <= self.min_tenure_months
        ):
            raise ValidationError(
                {"max_tenure_months": _("The upper tenure bound must exceed the lower one.")}
            )
        if not isinstance(self.key_results, list) or not all(
            isinstance(row, dict) and row.get("name") and "target_value" in row
            for row in self.key_results
        ):
            raise ValidationError(
                {"key_results": _("Each key result needs at least a name and a target value.")}
            )

    def matches(self, person: Person, on: dt.date) -> bool:
        if self.level and person.level != self.level:
            return False
        if person.hired_on is None:
            months = None
        else:
            months = (on.year - person.hired_on.year) * 12 + on.month - person.hired_on.month
        if self.min_tenure_months is not None and (
            months is None or months < self.min_tenure_months
        ):
            return False
        return not (
            self.max_tenure_months is not None
            and months is not None
            and months >= self.max_tenure_months
        )
