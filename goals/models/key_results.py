"""Key results and the time series of their measured values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.history import history_user
from org.models import Person

from .goal import Goal
from .settings import VALUE_FIELD, GoalSettings


def expected_share(on: dt.date, *, start: dt.date, due: dt.date, milestones, progress_of) -> float:
    """`KeyResult.expected_progress` from plain values, for code that reads rows rather than
    models (the reminders' team summaries over every key result of a company).
    `progress_of(value)` turns a milestone's value into progress; it is called only when there
    are milestones."""
    if on <= start:
        return 0.0
    if on >= due:
        return 1.0
    if milestones:
        points = [(start, 0.0)]
        for stone in sorted(milestones, key=lambda m: m["date"]):
            day = dt.date.fromisoformat(str(stone["date"]))
            points.append((day, progress_of(Decimal(str(stone["value"])))))
        points.append((due, 1.0))
        for (d0, p0), (d1, p1) in zip(points, points[1:], strict=False):
            if d0 <= on <= d1:
                span = (d1 - d0).days or 1
                return p0 + (p1 - p0) * (on - d0).days / span
    return (on - start).days / max((due - start).days, 1)


def attainment_of(current, *, start, target, direction: str) -> float:
    """Unclamped achievement of a value against a key result's start, target and direction:
    1.0 is the target met, 1.3 is 130 %. `KeyResult.attainment` on plain values, for code
    that reads rows rather than models."""
    current = Decimal(current)
    start, target = Decimal(start), Decimal(target)
    if direction == KeyResult.Direction.INCREASE:
        if target == start:
            return 1.0 if current >= target else 0.0
        return float((current - start) / (target - start))
    if direction == KeyResult.Direction.DECREASE:
        if target == start:
            return 1.0 if current <= target else 0.0
        return float((start - current) / (start - target))
    if direction == KeyResult.Direction.STAY_ABOVE:
        if target == 0:
            return 1.0 if current >= 0 else 0.0
        return float(current / target)
    # stay below: at or under the ceiling is met; above it, the ratio falls
    if current <= 0:
        return 1.0 if target >= current else 0.0
    return float(target / current) if target > 0 else (1.0 if current <= target else 0.0)


def progress_from(current, *, start, target, direction: str) -> float:
    """`attainment_of` clamped to 0–1: `KeyResult.compute_progress` on plain values."""
    attained = attainment_of(current, start=start, target=target, direction=direction)
    return min(1.0, max(0.0, attained))


def expected_share_of_row(
    on: dt.date, *, start: dt.date, due: dt.date, milestones, start_value, target_value, direction
) -> float:
    """`expected_share` for a key result read as a row of values."""

    def progress_of(value):
        return progress_from(value, start=start_value, target=target_value, direction=direction)

    return expected_share(on, start=start, due=due, milestones=milestones, progress_of=progress_of)


class KeyResult(models.Model):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase to")
        DECREASE = "decrease", _("Decrease to")
        STAY_ABOVE = "stay_above", _("Stay above")
        STAY_BELOW = "stay_below", _("Stay below")

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
    current_value = models.DecimalField(_("current value"), default=Decimal("0"), **VALUE_FIELD)
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
    progress = models.FloatField(_("progress"), default=0.0)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(get_user=history_user, excluded_fields=["progress", "updated_at"])

    class Meta:
        ordering = ["goal", "position", "pk"]
        verbose_name = _("key result")
        verbose_name_plural = _("key results")

    def __str__(self) -> str:
        return self.name

    def attainment(self, value: Decimal | None = None) -> float:
        """Unclamped achievement: 1.0 is the target met, 1.3 is 130 %."""
        return attainment_of(
            self.current_value if value is None else value,
            start=self.start_value,
            target=self.target_value,
            direction=self.direction,
        )

    def compute_progress(self, value: Decimal | None = None) -> float:
        """Progress clamped to 0–1 (what bars and rollups use)."""
        return min(1.0, max(0.0, self.attainment(value)))

    def expected_progress(self, on: dt.date) -> float:
        """The expected share of the way at a date: linear from the cycle start to the due date,
        or piecewise linear through the milestones when there are any."""
        return expected_share(
            on,
            start=self.goal.cycle.starts_on,
            due=self.due_on or self.goal.cycle.ends_on,
            milestones=self.milestones,
            progress_of=self.compute_progress,
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

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="measurements")
    value = models.DecimalField(_("value"), **VALUE_FIELD)
    recorded_at = models.DateTimeField(_("recorded at"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key_result", "recorded_at", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        indexes = [models.Index(fields=["key_result", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.key_result_id}: {self.value} @ {self.recorded_at:%Y-%m-%d}"
