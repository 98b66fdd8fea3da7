"""Read models: per person × cycle and per unit × cycle totals of goals and key results, kept in
the same transaction as the writes that move them (`goals.services.rollups`) and rebuilt from
scratch by `manage.py rebuild_rollups`, which reports drift.

A unit's row holds its OWN totals: the goals whose owner path is the unit's path (goals owned
by the unit and by its members). A subtree's totals are the sum of its units' rows, read by the
unit path, so no row at the root is written by everyone. Key-result status counts depend on the
day (the expected pace moves with the calendar): they are as of `as_of` (None: stale), and a
read brings rows of an earlier day to today first (`rollups.refresh`), as the hourly task does
for open cycles."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from org.models import Person, Unit

from .cycles import Cycle

# Columns a rebuild compares, in the order the drift report prints them. The PACE ones depend
# on the day.
COUNT_FIELDS = (
    "goals_draft",
    "goals_proposed",
    "goals_agreed",
    "goals_returned",
    "goals_closed",
    "open_goals",
)
SUM_FIELDS = ("open_weight", "open_progress", "open_weighted_progress")
PACE_FIELDS = (
    "krs_on_track",
    "krs_at_risk",
    "krs_off_track",
    "agreed_on_track",
    "agreed_at_risk",
    "agreed_off_track",
)
FIELDS = COUNT_FIELDS + SUM_FIELDS + PACE_FIELDS


class Totals(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    # Goals by state.
    goals_draft = models.PositiveIntegerField(default=0)
    goals_proposed = models.PositiveIntegerField(default=0)
    goals_agreed = models.PositiveIntegerField(default=0)
    goals_returned = models.PositiveIntegerField(default=0)
    goals_closed = models.PositiveIntegerField(default=0)
    # Goals not closed: how many, their weights, sum of progress and of progress × weight (the
    # weighted progress is open_weighted_progress / open_weight, the plain mean when the
    # weights add up to nothing).
    open_goals = models.PositiveIntegerField(default=0)
    open_weight = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal("0"))
    open_progress = models.FloatField(default=0.0)
    open_weighted_progress = models.FloatField(default=0.0)
    # Key results of the goals not closed by stored pace status, and of the agreed goals only
    # (the team's "behind pace" counts), as of `as_of`.
    krs_on_track = models.PositiveIntegerField(default=0)
    krs_at_risk = models.PositiveIntegerField(default=0)
    krs_off_track = models.PositiveIntegerField(default=0)
    agreed_on_track = models.PositiveIntegerField(default=0)
    agreed_at_risk = models.PositiveIntegerField(default=0)
    agreed_off_track = models.PositiveIntegerField(default=0)
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def weighted_progress(self) -> float:
        if not self.open_goals:
            return 0.0
        if self.open_weight <= 0:
            return self.open_progress / self.open_goals
        return self.open_weighted_progress / float(self.open_weight)

    def values(self) -> tuple:
        return tuple(getattr(self, f) for f in FIELDS)


class PersonCycleRollup(Totals):
    """The goals a person owns in a cycle."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "cycle"], name="person_cycle_rollup_unique")
        ]
        indexes = [models.Index(fields=["cycle", "person"], name="person_rollup_cycle")]

    def __str__(self) -> str:
        return f"person {self.person_id} × cycle {self.cycle_id}"


class UnitCycleRollup(Totals):
    """The goals owned by a unit and by its members (not its sub-units') in a cycle."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "cycle"], name="unit_cycle_rollup_unique")
        ]
        indexes = [models.Index(fields=["cycle", "unit"], name="unit_rollup_cycle")]

    def __str__(self) -> str:
        return f"unit {self.unit_id} × cycle {self.cycle_id}"
