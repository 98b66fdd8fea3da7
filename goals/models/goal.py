"""Goals: objectives and KPIs, owned by a unit or a person, aligned in a cascade."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.history import history_user
from org.models import Person, Unit

from .cycles import Cycle
from .settings import GoalSettings


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
        ASPIRATIONAL = "aspirational", _("Aspirational")

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

    class ProgressSource(models.TextChoices):
        KEY_RESULTS = "key_results", _("Key results")
        CHILDREN = "children", _("Child goals")

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
    progress_source = models.CharField(
        _("progress from"),
        max_length=12,
        choices=ProgressSource.choices,
        default=ProgressSource.KEY_RESULTS,
    )
    progress = models.FloatField(_("progress"), default=0.0)
    score = models.FloatField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
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
    history = HistoricalRecords(get_user=history_user, excluded_fields=["progress", "updated_at"])

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

    @property
    def expected_score(self) -> float:
        """A committed goal is expected at 1.0, an aspirational one at about 0.7."""
        if self.commitment == self.Commitment.ASPIRATIONAL:
            return GoalSettings.load().aspirational_expectation
        return 1.0
