"""Key results and the time series of their measured values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from goals import metrics
from org.models import Person

from .goal import Goal
from .settings import VALUE_FIELD, GoalSettings


class KeyResult(models.Model):
    class Direction(models.TextChoices):
        INCREASE = metrics.INCREASE, _("Increase to")
        DECREASE = metrics.DECREASE, _("Decrease to")
        STAY_ABOVE = metrics.STAY_ABOVE, _("Stay above")
        STAY_BELOW = metrics.STAY_BELOW, _("Stay below")
        RANGE = metrics.RANGE, _("Stay between")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Measured")
        ROLLUP = "rollup", _("Rolled up from contributors")

    class Aggregation(models.TextChoices):
        SUM = metrics.SUM, _("Sum")
        WEIGHTED_MEAN = metrics.WEIGHTED_MEAN, _("Weighted mean")
        MINIMUM = metrics.MINIMUM, _("Lowest")
        MAXIMUM = metrics.MAXIMUM, _("Highest")

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="key_results"
    )
    name = models.CharField(_("name"), max_length=300)
    metric = models.SlugField(
        _("metric"),
        max_length=100,
        blank=True,
        help_text=_("A stable name for the measured quantity, e.g. new-customers."),
    )
    unit = models.CharField(_("unit of measure"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"), max_length=12, choices=Direction.choices, default=Direction.INCREASE
    )
    start_value = models.DecimalField(_("start value"), default=Decimal("0"), **VALUE_FIELD)
    target_value = models.DecimalField(_("target value"), **VALUE_FIELD)
    # The high bound of a "stay between" key result (whose target_value is the low bound).
    target_high = models.DecimalField(_("upper bound"), null=True, blank=True, **VALUE_FIELD)
    current_value = models.DecimalField(_("current value"), default=Decimal("0"), **VALUE_FIELD)
    # When the current value was true: the `effective_at` of the measurement it came from
    # (None while no value has been measured), so a later-arriving older value never wins.
    value_at = models.DateTimeField(_("value as of"), null=True, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=8,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # [{"date": "2026-11-30", "value": "50"}, ...] in date order: the expected pace.
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Where the value comes from: measured (check-ins, API, imports) or rolled up from the key
    # results that contribute to this one (a cascade's split), combined by `aggregation`.
    source = models.CharField(
        _("value source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    aggregation = models.CharField(
        _("rolled up as"), max_length=15, choices=Aggregation.choices, default=Aggregation.SUM
    )
    contributes_to = models.ForeignKey(
        "self",
        verbose_name=_("contributes to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributors",
    )
    # This key result's weight in a weighted-mean rollup of the one it contributes to.
    contribution_weight = models.DecimalField(
        _("contribution weight"),
        max_digits=8,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    progress = models.FloatField(_("progress"), default=0.0)
    # The pace read model: expected progress and status as of `pace_on` (None: stale). Every
    # change to what they depend on marks them stale (`save`); `goals.services.pace` refreshes
    # stale rows before a page counts them, and a nightly task moves every row to the new day.
    pace_expected = models.FloatField(default=0.0)
    pace_status = models.CharField(max_length=10, default=metrics.ON_TRACK)
    pace_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        get_user=history_user,
        excluded_fields=["progress", "pace_expected", "pace_status", "pace_on", "updated_at"],
    )

    class Meta:
        ordering = ["goal", "position", "pk"]
        verbose_name = _("key result")
        verbose_name_plural = _("key results")
        indexes = [
            models.Index(fields=["goal", "pace_status"]),
            # The stale rows of a day (`pace.refresh`: before the day, after it, or never):
            # three index ranges instead of reading every key result to find none.
            models.Index(fields=["pace_on"], name="kr_pace_on"),
        ]

    # Fields the pace depends on: saving any of them marks the stored pace stale.
    PACE_INPUTS = frozenset(
        {
            "progress",
            "current_value",
            "start_value",
            "target_value",
            "target_high",
            "direction",
            "due_on",
            "milestones",
        }
    )

    FINDINGS_FIELDS = ("goal_id", "metric", "target_value", "due_on")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the neighbouring goals' alignment findings read of it, as loaded (only when
        # all of it was loaded: goals.receivers compares it on save).
        loaded = instance.__dict__
        if all(name in loaded for name in cls.FINDINGS_FIELDS):
            instance._findings_as_loaded = tuple(loaded[name] for name in cls.FINDINGS_FIELDS)
        return instance

    def save(self, *args, **kwargs) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or self.PACE_INPUTS & set(fields):
            self.pace_on = None
            if fields is not None:
                kwargs["update_fields"] = [*fields, "pace_on"]
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name

    def attainment(self, value: Decimal | None = None) -> float:
        """Unclamped achievement: 1.0 is the target met, 1.3 is 130 %."""
        return metrics.attainment(
            self.current_value if value is None else value,
            start=self.start_value,
            target=self.target_value,
            direction=self.direction,
            high=self.target_high,
        )

    def compute_progress(self, value: Decimal | None = None) -> float:
        """Progress clamped to 0–1 (what bars and rollups use)."""
        return metrics.progress(
            self.current_value if value is None else value,
            start=self.start_value,
            target=self.target_value,
            direction=self.direction,
            high=self.target_high,
        )

    @property
    def is_rollup(self) -> bool:
        return self.source == self.Source.ROLLUP

    @property
    def due(self) -> dt.date:
        return self.due_on or self.goal.cycle.ends_on

    def expected_progress(self, on: dt.date) -> float:
        """The expected share of the way at a date: linear from the goal's start (`Goal.
        pace_start`) to the due date, or piecewise linear through the milestones when there
        are any."""
        return metrics.expected_progress(
            on,
            start=self.goal.pace_start,
            due=self.due,
            milestones=self.milestones,
            start_value=self.start_value,
            target_value=self.target_value,
            direction=self.direction,
            high=self.target_high,
        )

    def clean(self) -> None:
        if self.direction == self.Direction.RANGE:
            if self.target_high is None:
                raise ValidationError({"target_high": _("Give the upper bound of the range.")})
            if self.target_high < self.target_value:
                raise ValidationError(
                    {"target_high": _("The upper bound cannot be below the lower bound.")}
                )
        elif self.target_high is not None:
            raise ValidationError(
                {"target_high": _("Only a “stay between” key result has an upper bound.")}
            )

    def status(self, on: dt.date, settings: GoalSettings | None = None) -> str:
        settings = settings or GoalSettings.load()
        return settings.classify(self.progress, self.expected_progress(on))


class Measurement(models.Model):
    class Source(models.TextChoices):
        CHECK_IN = "check_in", _("Check-in")
        API = "api", _("API")
        IMPORT = "import", _("Import")
        MANUAL = "manual", _("Manual")
        ROLLUP = "rollup", _("Rollup")

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="measurements")
    value = models.DecimalField(_("value"), **VALUE_FIELD)
    # When the value was true (a late check-in's values belong to its week) and when Keel
    # learnt it. The current value is the one with the latest `effective_at`.
    effective_at = models.DateTimeField(_("effective at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A value pushed by a machine: the service account that sent it, and the sender's own id
    # for it, unique per origin (a service account, or a person pushing with their token), so
    # a repeated push records nothing twice.
    recorded_by_account = models.ForeignKey(
        "org.ServiceAccount",
        verbose_name=_("service account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Defaults in the database too: bulk loaders insert rows without naming these columns.
    origin = models.CharField(max_length=40, blank=True, default="", db_default="", editable=False)
    external_id = models.CharField(
        _("external id"), max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["key_result", "effective_at", "recorded_at", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        indexes = [
            models.Index(fields=["key_result", "recorded_at"]),
            models.Index(fields=["key_result", "effective_at", "recorded_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "external_id"],
                condition=~models.Q(external_id=""),
                name="measurement_unique_external_id_per_origin",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_result_id}: {self.value} @ {self.effective_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        if self.effective_at is None:  # a value recorded as it happens
            self.effective_at = self.recorded_at
        super().save(*args, **kwargs)
