"""Support agreements: one goal asks another unit's goal for what it needs; the other side
accepts, declines with a reason or counter-proposes. An accepted agreement is a `supports`
link (the supporting goal supports the goal that asked)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from core.limits import TEXT_MAX_LENGTH
from org.models import Person

from .goal import Goal
from .key_results import KeyResult
from .settings import VALUE_FIELD


class SupportRequest(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        COUNTERED = "countered", _("Counter-proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (State.REQUESTED, State.COUNTERED)

    # The goal that needs support (the dependent goal) and the goal asked to give it.
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="support_requests"
    )
    supporting_goal = models.ForeignKey(
        Goal,
        verbose_name=_("supporting goal"),
        on_delete=models.CASCADE,
        related_name="support_asked",
    )
    # The supporting goal's key result the need is measured by (its health is the link's).
    key_result = models.ForeignKey(
        KeyResult,
        verbose_name=_("key result"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_requests",
    )
    need = models.TextField(_("what is needed"), max_length=TEXT_MAX_LENGTH)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **VALUE_FIELD)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    # The other side's answer: a reason for a decline, or what they offer instead.
    answer = models.TextField(_("answer"), blank=True, max_length=TEXT_MAX_LENGTH)
    counter_amount = models.DecimalField(_("amount offered"), null=True, blank=True, **VALUE_FIELD)
    requested_by = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="support_requests_made"
    )
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(goal=models.F("supporting_goal")), name="support_not_self"
            ),
            # One open request per pair of goals: asking again while one is pending is a 400.
            models.UniqueConstraint(
                fields=["goal", "supporting_goal"],
                condition=Q(state__in=["requested", "countered"]),
                name="one_open_support_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal} ← {self.supporting_goal}"
