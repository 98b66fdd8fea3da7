"""Goals: objectives and KPIs, owned by a unit or a person, aligned in a cascade."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from goals import metrics
from org.models import Person, Unit

from .cycles import Cycle
from .settings import GoalSettings

# The fields the cross-unit alignment findings depend on (goals.services.alignment_findings):
# a save that changes one of them recomputes them for the goal's cycles.
FINDINGS_STRUCTURE = (
    "parent_id",
    "owner_person_id",
    "owner_unit_id",
    "cycle_id",
    "level",
    "state",
)


class Goal(models.Model):
    class Kind(models.TextChoices):
        OBJECTIVE = "objective", _("Objective")
        KPI = "kpi", _("KPI")

    class Level(models.TextChoices):
        COMPANY = "company", _("Company")
        UNIT = "unit", _("Unit")
        PERSON = "person", _("Person")

    class Priority(models.TextChoices):
        CORE = "core", _("Core")
        SECONDARY = "secondary", _("Secondary")

    class Commitment(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        ASPIRATIONAL = metrics.ASPIRATIONAL, _("Aspirational")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        UNIT = "unit", _("Unit")
        PRIVATE = "private", _("Private")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed")
        RETURNED = "returned", _("Returned")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OBJECTIVE)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"),
        max_length=100,
        blank=True,
        help_text=_("Kind of goal or activity, e.g. sales, online promotion, hiring."),
    )
    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
    )
    owner_person = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
    )
    # The path of the owner's unit (the owning unit, or the owning person's unit), kept current
    # when goals, people or units move: subtree scopes are one indexed `LIKE 'path%'` on the
    # goal itself instead of an OR across two joins.
    owner_path = models.CharField(max_length=1000, default="", editable=False)
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="goals"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("aligned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    supports = models.ManyToManyField(
        "self",
        verbose_name=_("supports"),
        symmetrical=False,
        blank=True,
        related_name="supported_by",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.CORE
    )
    commitment = models.CharField(
        _("commitment"), max_length=15, choices=Commitment.choices, default=Commitment.COMMITTED
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=8,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    progress = models.FloatField(_("progress"), default=0.0)
    # Where the expected pace starts when it is not the later of the cycle's start and the day
    # the goal was created (`pace_start`).
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    # Scoring at the end of the cycle: the owner's own grade and the manager's (0.0–1.0); the
    # manager's is the goal's score.
    self_score = models.FloatField(
        _("self score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    manager_score = models.FloatField(
        _("manager score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    score_comment = models.TextField(_("scoring comment"), blank=True)
    score = models.FloatField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    # A goal closed because its cycle closed (reopening the cycle reopens it).
    closed_with_cycle = models.BooleanField(default=False)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who started the agreement: the owner (proposes) or a manager (assigns).
    initiated_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_comment = models.TextField(_("comment"), blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        get_user=history_user, excluded_fields=["progress", "owner_path", "updated_at"]
    )

    class Meta:
        ordering = ["cycle", "level", "title"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_unit__isnull=False) & Q(owner_person__isnull=True))
                | (Q(owner_unit__isnull=True) & Q(owner_person__isnull=False)),
                name="goal_has_one_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "state"]),
            models.Index(fields=["owner_person", "cycle"]),
            models.Index(fields=["owner_unit", "cycle"]),
            # varchar_pattern_ops: PostgreSQL serves `LIKE 'prefix%'` from it whatever the
            # database's collation (other backends ignore the operator class).
            models.Index(
                fields=["cycle", "owner_path"],
                name="goal_cycle_owner_path",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["owner_path"], name="goal_owner_path", opclasses=["varchar_pattern_ops"]
            ),
            # The goals API list's default order (goals.selectors_lists.GOAL_ORDERINGS): a page
            # is read in index order, not sorted after scanning every visible goal.
            models.Index(fields=["-cycle", "level", "title", "id"], name="goal_list_order"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self) -> Person | Unit:
        return self.owner_person or self.owner_unit

    @property
    def owner_name(self) -> str:
        owner = self.owner
        return owner.display_name if isinstance(owner, Person) else owner.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._owner_as_loaded = (
            instance.__dict__.get("owner_unit_id"),
            instance.__dict__.get("owner_person_id"),
        )
        # Where the goal counted in the read models when loaded (goals.receivers).
        instance._rollup_key_as_loaded = (
            instance.__dict__.get("owner_person_id"),
            instance.__dict__.get("owner_path"),
            instance.__dict__.get("cycle_id"),
        )
        # What the alignment findings depend on, as loaded (goals.receivers).
        instance._findings_as_loaded = tuple(
            instance.__dict__.get(name) for name in FINDINGS_STRUCTURE
        )
        # The children's findings name their parent's title (None when not loaded: unknown).
        instance._title_as_loaded = instance.__dict__.get("title")
        return instance

    def save(self, *args, **kwargs) -> None:
        owner = (self.owner_unit_id, self.owner_person_id)
        if not self.owner_path or owner != getattr(self, "_owner_as_loaded", None):
            path = self.owner_unit_path()
            if path != self.owner_path:
                self.owner_path = path
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = [*kwargs["update_fields"], "owner_path"]
            self._owner_as_loaded = owner
        super().save(*args, **kwargs)

    def owner_unit_path(self) -> str:
        """The path of the owner's unit (one query unless the owner is loaded)."""
        if self.owner_unit_id:
            return (
                Unit.objects.only("path").get(pk=self.owner_unit_id).path
                if not (Goal.owner_unit.is_cached(self))
                else self.owner_unit.path
            )
        if self.owner_person_id:
            return (
                Unit.objects.filter(members=self.owner_person_id)
                .values_list("path", flat=True)
                .first()
                or ""
            )
        return ""

    def clean(self) -> None:
        if self.starts_on and self.cycle_id and not self.cycle.contains(self.starts_on):
            raise ValidationError({"starts_on": _("The start must fall within the goal's cycle.")})

    @property
    def pace_start(self) -> dt.date:
        """Where the expected pace starts: the explicit start, else the later of the cycle's
        start and the day the goal was created (a goal created mid-cycle is not behind on its
        first day)."""
        began = timezone.localdate(self.created_at) if self.created_at else None
        return metrics.pace_start(self.cycle.starts_on, explicit=self.starts_on, began=began)

    @property
    def is_frozen(self) -> bool:
        """A closed goal, or any goal of a closed cycle, no longer changes."""
        return self.state == self.State.CLOSED or self.cycle.state == Cycle.State.CLOSED

    @property
    def expected_score(self) -> float:
        """A committed goal is expected at 1.0, an aspirational one at about 0.7."""
        if self.commitment != self.Commitment.ASPIRATIONAL:
            return 1.0  # no settings to load
        expectation = GoalSettings.load().aspirational_expectation
        return metrics.expected_score(self.commitment, aspirational_expectation=expectation)
