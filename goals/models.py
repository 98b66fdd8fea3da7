"""Cycles, goals (objectives and KPIs), key results and their measurements, and target
adjustments. Progress is denormalised on key results and goals and recomputed by
`goals.services` along the ancestor chain on every change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.models import Person, Unit

VALUE_FIELD = {"max_digits": 20, "decimal_places": 4}


def fmt_number(value) -> str:
    """A stored value for people: 45, 12.5, never 4.5E+1 or 45.0000."""
    return f"{Decimal(value).normalize():f}"


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


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

    @classmethod
    def load(cls) -> GoalSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def classify(self, progress: float, expected: float) -> str:
        """Status of actual progress against the expected pace at a date."""
        if expected <= 0:
            return Status.ON_TRACK
        ratio = progress / expected
        if ratio >= self.on_track_ratio:
            return Status.ON_TRACK
        if ratio >= self.at_risk_ratio:
            return Status.AT_RISK
        return Status.OFF_TRACK


class Cycle(models.Model):
    class Kind(models.TextChoices):
        YEAR = "year", _("Year")
        HALF = "half", _("Half year")
        QUARTER = "quarter", _("Quarter")
        MONTH = "month", _("Month")

    class State(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
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
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A cycle cannot end before it starts.")})
        if self.parent_id and self.starts_on and self.ends_on:
            parent = self.parent
            if self.starts_on < parent.starts_on or self.ends_on > parent.ends_on:
                raise ValidationError({"parent": _("A cycle must lie within its parent cycle.")})

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def covers(self, other: Cycle) -> bool:
        return self.starts_on <= other.starts_on and other.ends_on <= self.ends_on


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
    history = HistoricalRecords(excluded_fields=["progress", "updated_at"])

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
    history = HistoricalRecords(excluded_fields=["progress", "updated_at"])

    class Meta:
        ordering = ["goal", "position", "pk"]
        verbose_name = _("key result")
        verbose_name_plural = _("key results")

    def __str__(self) -> str:
        return self.name

    def attainment(self, value: Decimal | None = None) -> float:
        """Unclamped achievement: 1.0 is the target met, 1.3 is 130 %."""
        current = Decimal(self.current_value if value is None else value)
        start, target = Decimal(self.start_value), Decimal(self.target_value)
        if self.direction == self.Direction.INCREASE:
            if target == start:
                return 1.0 if current >= target else 0.0
            return float((current - start) / (target - start))
        if self.direction == self.Direction.DECREASE:
            if target == start:
                return 1.0 if current <= target else 0.0
            return float((start - current) / (start - target))
        if self.direction == self.Direction.STAY_ABOVE:
            if target == 0:
                return 1.0 if current >= 0 else 0.0
            return float(current / target)
        # stay below: at or under the ceiling is met; above it, the ratio falls
        if current <= 0:
            return 1.0 if target >= current else 0.0
        return float(target / current) if target > 0 else (1.0 if current <= target else 0.0)

    def compute_progress(self, value: Decimal | None = None) -> float:
        """Progress clamped to 0–1 (what bars and rollups use)."""
        return min(1.0, max(0.0, self.attainment(value)))

    def expected_progress(self, on: dt.date) -> float:
        """The expected share of the way at a date: linear from the cycle start to the due date,
        or piecewise linear through the milestones when there are any."""
        start = self.goal.cycle.starts_on
        due = self.due_on or self.goal.cycle.ends_on
        if on <= start:
            return 0.0
        if on >= due:
            return 1.0
        if self.milestones:
            points = [(start, 0.0)]
            for stone in sorted(self.milestones, key=lambda m: m["date"]):
                day = dt.date.fromisoformat(str(stone["date"]))
                points.append((day, self.compute_progress(Decimal(str(stone["value"])))))
            points.append((due, 1.0))
            for (d0, p0), (d1, p1) in zip(points, points[1:], strict=False):
                if d0 <= on <= d1:
                    span = (d1 - d0).days or 1
                    return p0 + (p1 - p0) * (on - d0).days / span
        return (on - start).days / max((due - start).days, 1)

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


class TargetAdjustment(models.Model):
    class Reason(models.TextChoices):
        POLICY = "policy", _("Policy change")
        MARKET = "market", _("Market change")
        COMPETITION = "competition", _("Competition")
        INTERNAL = "internal", _("Internal change")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    key_result = models.ForeignKey(
        KeyResult,
        verbose_name=_("key result"),
        on_delete=models.CASCADE,
        related_name="adjustments",
    )
    old_target = models.DecimalField(_("old target"), **VALUE_FIELD)
    new_target = models.DecimalField(_("new target"), **VALUE_FIELD)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    evidence = models.TextField(_("impact evidence"))
    # Set for a unit-wide adjustment: every secondary goal of the unit moves together.
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="requested_adjustments"
    )
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="decided_adjustments"
    )
    decision_comment = models.TextField(_("decision comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("target adjustment")
        verbose_name_plural = _("target adjustments")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.old_target} → {self.new_target}"


class GoalTemplate(models.Model):
    """Differentiated targets: a goal a manager applies when cascading to people of a level and
    tenure (e.g. new employees on task completion rate, experienced ones on innovation rate).
    Its key results are added to each matching person's cascaded goal."""

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Person.Level.choices,
        blank=True,
        help_text=_("Empty: any level."),
    )
    min_tenure_months = models.PositiveSmallIntegerField(
        _("minimum tenure (months)"), null=True, blank=True
    )
    max_tenure_months = models.PositiveSmallIntegerField(
        _("tenure below (months)"), null=True, blank=True
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    # [{"name", "metric", "unit", "direction", "start_value", "target_value"}, ...]
    key_results = models.JSONField(_("key results"), default=list)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "min_tenure_months", "name"]
        verbose_name = _("goal template")
        verbose_name_plural = _("goal templates")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.min_tenure_months is not None
            and self.max_tenure_months is not None
            and self.max_tenure_months <= self.min_tenure_months
        ):
            raise ValidationError(
                {"max_tenure_months": _("The upper tenure bound must exceed the lower one.")}
            )
        if not isinstance(self.key_results, list) or not all(
            isinstance(row, dict) and row.get("name") and "target_value" in row
            for row in self.key_results
        ):
            raise ValidationError(
                {"key_results": _("Each key result needs at least a name and a target value.")}
            )

    def matches(self, person: Person, on: dt.date) -> bool:
        if self.level and person.level != self.level:
            return False
        if person.hired_on is None:
            months = None
        else:
            months = (on.year - person.hired_on.year) * 12 + on.month - person.hired_on.month
        if self.min_tenure_months is not None and (
            months is None or months < self.min_tenure_months
        ):
            return False
        return not (
            self.max_tenure_months is not None
            and months is not None
            and months >= self.max_tenure_months
        )
