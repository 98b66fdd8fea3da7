"""Organisation-level goal settings, status classification and value helpers."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from goals import metrics

VALUE_FIELD = {"max_digits": 20, "decimal_places": 4}


def fmt_number(value) -> str:
    """A stored value for people: 45, 12.5, never 4.5E+1 or 45.0000."""
    return f"{Decimal(value).normalize():f}"


class Status(models.TextChoices):
    ON_TRACK = metrics.ON_TRACK, _("On track")
    AT_RISK = metrics.AT_RISK, _("At risk")
    OFF_TRACK = metrics.OFF_TRACK, _("Off track")


class GoalSettings(models.Model):
    """Organisation-level settings for goals (one row; `GoalSettings.load()`)."""

    on_track_ratio = models.FloatField(
        _("on track at (share of expected pace)"),
        default=0.9,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    at_risk_ratio = models.FloatField(
        _("at risk at (share of expected pace)"),
        default=0.6,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    stretch_limit = models.FloatField(
        _("achievable stretch limit"),
        default=0.5,
        help_text=_("A target above the best past result by more than this share warns."),
        validators=[MinValueValidator(0)],
    )
    aspirational_expectation = models.FloatField(
        _("expected score of aspirational goals"),
        default=0.7,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    max_objectives_per_person = models.PositiveSmallIntegerField(
        _("maximum objectives per person"), default=5
    )
    smart_blocking = models.BooleanField(_("failing SMART checks block proposing"), default=False)
    late_check_in_weeks = models.PositiveSmallIntegerField(
        _("weeks a late check-in is accepted"),
        default=2,
        validators=[MaxValueValidator(12)],
        help_text=_("A check-in for a past week is accepted this many weeks back, flagged late."),
    )

    class Meta:
        verbose_name = _("goal settings")
        verbose_name_plural = _("goal settings")

    def __str__(self) -> str:
        return str(_("Goal settings"))

    def clean(self) -> None:
        if self.at_risk_ratio > self.on_track_ratio:
            raise ValidationError(
                {"at_risk_ratio": _("The at-risk threshold must not exceed the on-track one.")}
            )

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # The thresholds decide every stored pace status: all of them are stale now.
        from goals.models.key_results import KeyResult

        KeyResult.objects.filter(pace_on__isnull=False).update(pace_on=None)
        # and so are the key-result counts of the read models
        from goals.models.rollups import PersonCycleRollup, UnitCycleRollup

        PersonCycleRollup.objects.update(as_of=None)
        UnitCycleRollup.objects.update(as_of=None)

    @classmethod
    def load(cls) -> GoalSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def classify(self, progress: float, expected: float) -> str:
        """Status of actual progress against the expected pace at a date."""
        return Status(
            metrics.pace_status(
                progress,
                expected,
                on_track_ratio=self.on_track_ratio,
                at_risk_ratio=self.at_risk_ratio,
            )
        )
