"""Read model: per unit × week totals of check-ins, kept in the same transaction as the writes
that move them (`tracking.services.week_rollups`) and rebuilt from scratch by its `rebuild()`,
which reports drift.

A unit's row holds its OWN members' check-ins (the people whose unit it is, not its
sub-units'), counted for the people active now, as the pages count them: a subtree's totals are
the sum of its units' rows, read by the unit path, so no row at the root is written by
everyone. A row exists for each unit and week in which an active member submitted a check-in;
`people` (the people expected) is the unit's active members now, the same on each of the
unit's rows."""

from __future__ import annotations

from django.db import models

from org.models import Unit

# Columns a rebuild compares, in the order the drift report prints them.
COUNT_FIELDS = (
    "people",
    "submitted",
    "late",
    "updates",
    "progress_updates",
    "on_track",
    "at_risk",
    "off_track",
)
FLOAT_FIELDS = ("progress_sum",)
FIELDS = COUNT_FIELDS + FLOAT_FIELDS


class UnitWeekRollup(models.Model):
    """The check-ins of a unit's own active members in one week."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # the Monday
    # The unit's active members (the people expected to check in).
    people = models.PositiveIntegerField(default=0)
    # Their submitted check-ins of the week, and of those the ones submitted after the week.
    submitted = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    # The key-result updates of those check-ins; the ones with a progress, and its sum (the
    # average progress reported is progress_sum / progress_updates); by status.
    updates = models.PositiveIntegerField(default=0)
    progress_updates = models.PositiveIntegerField(default=0)
    progress_sum = models.FloatField(default=0.0)
    on_track = models.PositiveIntegerField(default=0)
    at_risk = models.PositiveIntegerField(default=0)
    off_track = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "week"], name="unit_week_rollup_unique")
        ]
        indexes = [models.Index(fields=["week", "unit"], name="unit_week_rollup_week")]

    def __str__(self) -> str:
        return f"unit {self.unit_id} × week {self.week:%G-W%V}"

    @property
    def on_time(self) -> int:
        return self.submitted - self.late

    @property
    def missing(self) -> int:
        return max(self.people - self.submitted, 0)

    def values(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}
