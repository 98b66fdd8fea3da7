"""A manager's feedback on a check-in, and the manager's saved weekly review of the team."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Person

from .checkins import CheckIn, KeyResultUpdate


class Feedback(models.Model):
    """Praise, a suggestion or a concern on a check-in (or on one key result update), given by
    someone in the check-in author's manager chain or their HRBP; the author acknowledges it."""

    class Kind(models.TextChoices):
        PRAISE = "praise", _("Praise")
        SUGGESTION = "suggestion", _("Suggestion")
        CONCERN = "concern", _("Concern")

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="feedback")
    update = models.ForeignKey(
        KeyResultUpdate,
        verbose_name=_("key result update"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    # Who gave the feedback (a manager or HRBP); the check-in's person receives it.
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feedback_given")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [models.Index(fields=["check_in", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:50]}"


class WeeklyReview(models.Model):
    """The record of a manager's weekly review: the decisions taken, with a snapshot of the
    numbers they were taken on."""

    manager = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="weekly_reviews")
    week = models.DateField(_("week"), help_text=_("The Monday of the ISO week."))
    decisions = models.TextField(_("decisions"), blank=True)
    # {"submitted": 5, "expected": 7, "at_risk": 2, "off_track": 1} when the review was saved.
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week", "manager"]
        verbose_name = _("weekly review")
        verbose_name_plural = _("weekly reviews")
        constraints = [
            models.UniqueConstraint(fields=["manager", "week"], name="one_review_per_manager_week")
        ]

    def __str__(self) -> str:
        return f"{self.manager} · {self.week:%G-W%V}"
