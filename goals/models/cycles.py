"""Cycles: year, half, quarter, month; nested; planning → active → scoring → closed (an admin
may reopen a closed cycle, with a reason)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user

FIRST_YEAR, LAST_YEAR = 2000, 2100


class Cycle(models.Model):
    class Kind(models.TextChoices):
        YEAR = "year", _("Year")
        HALF = "half", _("Half year")
        QUARTER = "quarter", _("Quarter")
        MONTH = "month", _("Month")

    class State(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        SCORING = "scoring", _("Scoring")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent cycle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNING
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why the cycle last changed state against the normal flow (a reopening), for the audit.
    state_reason = models.TextField(_("reason"), blank=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["-starts_on", "kind"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cycle_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for name in ("starts_on", "ends_on"):
            day = getattr(self, name)
            if day and not (FIRST_YEAR <= day.year <= LAST_YEAR):
                raise ValidationError(
                    {
                        name: _("Choose a date between %(a)s and %(b)s.")
                        % {"a": FIRST_YEAR, "b": LAST_YEAR}
                    }
                )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A cycle cannot end before it starts.")})
        if self.parent_id and self.starts_on and self.ends_on:
            parent = self.parent
            if self.starts_on < parent.starts_on or self.ends_on > parent.ends_on:
                raise ValidationError({"parent": _("A cycle must lie within its parent cycle.")})

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def covers(self, other: Cycle) -> bool:
        return self.starts_on <= other.starts_on and other.ends_on <= self.ends_on
