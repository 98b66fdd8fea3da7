"""Retrospectives, 5-Why analyses, their follow-through actions and the lessons knowledge base.

A retrospective freezes the results of its scope when it is created (`results`), so later edits
of goals never rewrite history. Lessons carry a pre-segmented search document (Chinese split with
jieba) and, on PostgreSQL, a tsvector with a GIN index (see `retros.search`).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.models import Cycle, Goal
from org.models import Person, Unit
from tracking.models import ImprovementPlan


class Section(models.TextChoices):
    RESULTS = "results", _("Results")
    REASONS = "reasons", _("Reasons for shortfall")
    WHAT_WORKED = "what_worked", _("What worked")
    IMPROVEMENTS = "improvements", _("Improvements")


DEFAULT_QUESTIONS = {
    Section.RESULTS: [
        _("Which goals and key results did we reach, and which did we miss?"),
        _("How far from the target did we end?"),
    ],
    Section.REASONS: [
        _("Why did we fall short? Look at the cause tags from the check-ins."),
        _("Which of the causes were within our control?"),
    ],
    Section.WHAT_WORKED: [
        _("What worked well and should be kept or spread to other teams?"),
    ],
    Section.IMPROVEMENTS: [
        _("What will we do differently next cycle?"),
        _("Who owns each improvement, and by when?"),
    ],
}


class RetroTemplate(models.Model):
    """Questions per section that guide a retrospective. Admins edit them; a section without
    questions uses the built-in (translated) defaults."""

    name = models.CharField(_("name"), max_length=200)
    # {"results": ["..."], "reasons": [...], "what_worked": [...], "improvements": [...]}
    questions = models.JSONField(_("questions"), default=dict, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("retrospective template")
        verbose_name_plural = _("retrospective templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_template"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def questions_for(self, section: str) -> list[str]:
        return list(self.questions.get(section) or DEFAULT_QUESTIONS[section])


class Retrospective(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        HELD = "held", _("Held")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=300)
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="retrospectives"
    )
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retrospectives",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retrospectives",
    )
    template = models.ForeignKey(
        RetroTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    facilitator = models.ForeignKey(
        Person,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="facilitated_retrospectives",
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("participants"), blank=True, related_name="retrospectives"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # Frozen at creation: {"as_of": date, "goals": [{..., "key_results": [...]}]}.
    results = models.JSONField(_("results"), default=dict, editable=False)
    reasons = models.TextField(_("reasons for shortfall"), blank=True)
    what_worked = models.TextField(_("what worked"), blank=True)
    improvements = models.TextField(_("improvements"), blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    held_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("retrospective")
        verbose_name_plural = _("retrospectives")
        constraints = [
            models.CheckConstraint(
                condition=(Q(goal__isnull=False) & Q(unit__isnull=True))
                | (Q(goal__isnull=True) & Q(unit__isnull=False)),
                name="retro_goal_or_unit",
            )
        ]
        indexes = [models.Index(fields=["cycle", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_name(self) -> str:
        return self.goal.title if self.goal_id else self.unit.name


class FiveWhyAnalysis(models.Model):
    retrospective = models.ForeignKey(
        Retrospective, on_delete=models.CASCADE, related_name="five_whys"
    )
    problem = models.TextField(_("problem statement"))
    root_cause = models.TextField(_("root cause"), blank=True)
    countermeasure = models.TextField(_("countermeasure"), blank=True)
    countermeasure_owner = models.ForeignKey(
        Person,
        verbose_name=_("countermeasure owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    countermeasure_due_on = models.DateField(_("countermeasure due on"), null=True, blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["retrospective", "pk"]
        verbose_name = _("5-Why analysis")
        verbose_name_plural = _("5-Why analyses")

    def __str__(self) -> str:
        return self.problem[:80]


class WhyLevel(models.Model):
    """One answer in the chain; level n answers "why?" of level n-1 (level 1 answers the
    problem statement)."""

    analysis = models.ForeignKey(FiveWhyAnalysis, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("why"))
    is_root_cause = models.BooleanField(_("root cause"), default=False)

    class Meta:
        ordering = ["analysis", "position"]
        verbose_name = _("why level")
        verbose_name_plural = _("why levels")
        constraints = [
            models.UniqueConstraint(fields=["analysis", "position"], name="unique_why_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class RetroAction(models.Model):
    """An improvement or a 5-Why countermeasure, and where it went: a goal in the next cycle or
    an improvement plan. Its state is computed from that goal or plan."""

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", _("Improvement")
        COUNTERMEASURE = "countermeasure", _("Countermeasure")

    class Progress(models.TextChoices):
        OPEN = "open", _("Not followed through")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    retrospective = models.ForeignKey(
        Retrospective, on_delete=models.CASCADE, related_name="actions"
    )
    five_why = models.OneToOneField(
        FiveWhyAnalysis,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action",
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retro_actions",
    )
    plan = models.ForeignKey(
        ImprovementPlan,
        verbose_name=_("improvement plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retro_actions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["retrospective", "kind", "pk"]
        verbose_name = _("retrospective action")
        verbose_name_plural = _("retrospective actions")

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def followed_through(self) -> bool:
        return bool(self.goal_id or self.plan_id)

    @property
    def progress(self) -> str:
        """Done when the goal it became is closed or the plan it became is done."""
        if self.plan_id:
            if self.plan.state == ImprovementPlan.State.DONE:
                return self.Progress.DONE
            if self.plan.state == ImprovementPlan.State.CANCELLED:
                return self.Progress.CANCELLED
            return self.Progress.IN_PROGRESS
        if self.goal_id:
            if self.goal.state == Goal.State.CLOSED:
                return self.Progress.DONE
            return self.Progress.IN_PROGRESS
        return self.Progress.OPEN

    def get_progress_display(self) -> str:
        return str(self.Progress(self.progress).label)


class Lesson(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=300)
    category = models.CharField(
        _("category"),
        max_length=100,
        blank=True,
        help_text=_("Kind of goal or activity, e.g. online promotion, sales, hiring."),
    )
    context = models.TextField(_("context"), blank=True)
    problem = models.TextField(_("problem"), blank=True)
    what_worked = models.TextField(_("what worked"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    source_retrospective = models.ForeignKey(
        Retrospective,
        verbose_name=_("source retrospective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
    )
    effectiveness = models.PositiveSmallIntegerField(
        _("effectiveness"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How well it worked, from 1 to 5."),
    )
    author = models.ForeignKey(
        Person, verbose_name=_("author"), on_delete=models.PROTECT, related_name="lessons"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    opened_from_suggestion = models.PositiveIntegerField(default=0, editable=False)
    # Segmented, lower-cased tokens (jieba for Chinese) of the title and of everything.
    search_title = models.TextField(default="", editable=False)
    search_document = models.TextField(default="", editable=False)
    # PostgreSQL only (NULL elsewhere); GIN-indexed by migration 0002.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        indexes = [
            models.Index(fields=["state", "category"]),
            models.Index(fields=["author", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags.all()]


class LessonTag(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=50, db_index=True)

    class Meta:
        ordering = ["lesson", "name"]
        verbose_name = _("lesson tag")
        verbose_name_plural = _("lesson tags")
        constraints = [models.UniqueConstraint(fields=["lesson", "name"], name="unique_lesson_tag")]

    def __str__(self) -> str:
        return self.name


class GlossaryTerm(models.Model):
    """A pair of words the organisation treats as one in searches (客户 ↔ customer, 渠道 ↔
    pipeline): a query naming either side also finds texts with the other."""

    term = models.CharField(_("term"), max_length=100)
    translation = models.CharField(_("translation"), max_length=100)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term", "translation"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        constraints = [
            models.UniqueConstraint(fields=["term", "translation"], name="unique_glossary_pair")
        ]

    def __str__(self) -> str:
        return f"{self.term} ↔ {self.translation}"
