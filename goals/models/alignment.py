"""HRBP goal-alignment reviews: one row per review of a unit (with its subtree) in a cycle.
Every review is kept, so the history of a unit's sign-offs reads from the table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Person, Unit

from .cycles import Cycle


class AlignmentReview(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="alignment_reviews"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="alignment_reviews"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    comments = models.TextField(_("comments"), blank=True)
    reviewer = models.ForeignKey(
        Person,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="alignment_reviews",
    )
    # The checklist counts at the time of the review: {"orphans": 2, "cascade_gaps": 1, ...}.
    findings = models.JSONField(_("findings"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("alignment review")
        verbose_name_plural = _("alignment reviews")
        indexes = [models.Index(fields=["unit", "cycle", "created_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.cycle} · {self.get_outcome_display()}"
