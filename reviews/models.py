"""Performance reviews: a review cycle (linked to a goal cycle) configured by HR, one review
per person reviewed (self-assessment, the manager's evaluation, calibration, release, the
conversation and the acknowledgement), and the 360-degree feedback requests around it.

The rating scale is 1–5 with an anchored description of each step, translated in the
catalogs (so both languages come from one place). The results section is filled by Keel from
the goal cycle's scores (reviews.facts); the development plan is an improvement plan of
tracking, so it appears in the person's weekly check-in."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from goals.models import Cycle
from org.models import Person, Unit
from tracking.models import ImprovementPlan


class Rating(models.IntegerChoices):
    """The scale, each step with its anchor (shown beside every rating input)."""

    FAR_BELOW = 1, _("1 · Far below expectations")
    BELOW = 2, _("2 · Below expectations")
    MEETS = 3, _("3 · Meets expectations")
    EXCEEDS = 4, _("4 · Exceeds expectations")
    OUTSTANDING = 5, _("5 · Outstanding")


ANCHORS = {
    Rating.FAR_BELOW: _("Most goals missed by far; behaviour needs urgent change."),
    Rating.BELOW: _("Several goals missed; some behaviours below what the role needs."),
    Rating.MEETS: _("Goals reached; behaviour and attitude as the role needs."),
    Rating.EXCEEDS: _("Goals exceeded; a model for the team in several ways."),
    Rating.OUTSTANDING: _("Far beyond the goals; an example for the whole organisation."),
}
TOP_RATING = Rating.OUTSTANDING
RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]

# The kinds of action of a development plan (an improvement plan's action kinds): training,
# coaching, and stretch assignments (recorded as "other").
DEVELOPMENT_KINDS = [
    ("training", _("Training")),
    ("coaching", _("Coaching")),
    ("other", _("Stretch assignment")),
]

# The sections of the form: results (from the goals), competencies and behaviours, attitude.
SECTIONS = ("results", "competencies", "attitude")


LANGUAGE_KEYS = ("en", "zh-hans")


def in_language(texts: dict, language: str | None = None) -> str:
    """The text of a {"en": ..., "zh-hans": ...} mapping in the active language (English when
    that one is missing)."""
    language = (language or get_language() or "en").lower()
    key = "zh-hans" if language.startswith("zh") else "en"
    return (texts or {}).get(key) or (texts or {}).get("en", "")


class FormTemplate(models.Model):
    """A review form: its sections (results, competencies and behaviours, attitude, each
    with a title and guidance) and the 1–5 scale's anchored descriptions, in both languages.
    A review cycle picks one per level; Keel ships one each for frontline, manager and
    executive (data migration), which admins may edit or copy."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=Person.Level.choices)
    names = models.JSONField(
        _("name"), help_text=_("The name in English (en) and Simplified Chinese (zh-hans).")
    )
    # [{"key": "results" | "competencies" | "attitude", "title": {...}, "guidance": {...}}]
    sections = models.JSONField(_("sections"))
    # {"1": {"en": ..., "zh-hans": ...}, ..., "5": {...}}
    anchors = models.JSONField(_("anchored descriptions"))

    class Meta:
        ordering = ["level", "key"]
        verbose_name = _("review form template")
        verbose_name_plural = _("review form templates")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.names)

    def clean(self):
        errors = {}
        if not all((self.names or {}).get(k) for k in LANGUAGE_KEYS):
            errors["names"] = _("Give the name in English and Simplified Chinese.")
        keys = [s.get("key") for s in self.sections or [] if isinstance(s, dict)]
        if sorted(keys) != sorted(SECTIONS) or not all(
            all((s.get(part) or {}).get(k) for part in ("title", "guidance") for k in LANGUAGE_KEYS)
            for s in self.sections
        ):
            errors["sections"] = _(
                "List the sections results, competencies and attitude once each, with a title "
                "and guidance in both languages."
            )
        anchors = self.anchors if isinstance(self.anchors, dict) else {}
        if sorted(anchors) != [str(v) for v in Rating.values] or not all(
            isinstance(a, dict) and all(a.get(k) for k in LANGUAGE_KEYS) for a in anchors.values()
        ):
            errors["anchors"] = _("Describe each rating from 1 to 5 in both languages.")
        if errors:
            raise ValidationError(errors)

    def section(self, key: str) -> dict:
        for item in self.sections:
            if item.get("key") == key:
                return item
        return {}

    def section_title(self, key: str) -> str:
        return in_language(self.section(key).get("title"))

    def section_guidance(self, key: str) -> str:
        return in_language(self.section(key).get("guidance"))

    def scale(self) -> list[tuple[int, str, str]]:
        """(rating, its label, its anchored description) in the active language."""
        return [
            (value, str(Rating(value).label), in_language(self.anchors.get(str(value))))
            for value in Rating.values
        ]


def rating_field(label):
    return models.PositiveSmallIntegerField(
        label, choices=Rating.choices, null=True, blank=True, validators=RATING_VALIDATORS
    )


class ReviewCycle(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        LOCKED = "locked", _("Calibrated")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    goal_cycle = models.ForeignKey(
        Cycle, verbose_name=_("goal cycle"), on_delete=models.PROTECT, related_name="+"
    )
    # Who is reviewed: the people of this unit's subtree, of these levels (empty: every level).
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    self_assessment = models.BooleanField(_("self-assessment"), default=True)
    feedback_360 = models.BooleanField(_("360-degree feedback"), default=True)
    calibration = models.BooleanField(_("calibration"), default=True)
    self_due_on = models.DateField(_("self-assessment due"), null=True, blank=True)
    feedback_due_on = models.DateField(_("360 feedback due"), null=True, blank=True)
    manager_due_on = models.DateField(_("manager evaluation due"), null=True, blank=True)
    calibration_due_on = models.DateField(_("calibration due"), null=True, blank=True)
    # The form of each level (empty: the shipped template of that level).
    frontline_form = models.ForeignKey(
        FormTemplate,
        verbose_name=_("form for frontline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    manager_form = models.ForeignKey(
        FormTemplate,
        verbose_name=_("form for managers"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    executive_form = models.ForeignKey(
        FormTemplate,
        verbose_name=_("form for executives"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The organisation's guideline: at most this share (percent) of a group at the top rating.
    top_rating_limit = models.PositiveSmallIntegerField(
        _("top rating limit (%)"), default=20, validators=[MaxValueValidator(100)]
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["-goal_cycle__starts_on", "name", "pk"]
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")

    def __str__(self) -> str:
        return self.name

    FORM_FIELDS = {
        Person.Level.FRONTLINE: "frontline_form",
        Person.Level.MANAGER: "manager_form",
        Person.Level.EXECUTIVE: "executive_form",
    }

    def forms_by_level(self) -> dict[str, FormTemplate | None]:
        """The form each level's reviews use: the one chosen, else the shipped template whose
        key is the level (one query at most)."""
        chosen = {level: getattr(self, f"{field}_id") for level, field in self.FORM_FIELDS.items()}
        wanted = {pk for pk in chosen.values() if pk}
        rows = FormTemplate.objects.filter(
            models.Q(pk__in=wanted) | models.Q(key__in=list(self.FORM_FIELDS))
        )
        by_pk = {t.pk: t for t in rows}
        by_key = {t.key: t for t in rows}
        return {level: by_pk.get(pk) or by_key.get(level) for level, pk in chosen.items()}


class Review(models.Model):
    class State(models.TextChoices):
        SELF = "self", _("Self-assessment")
        MANAGER = "manager", _("Manager evaluation")
        EVALUATED = "evaluated", _("Evaluated")
        RELEASED = "released", _("Released")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    # States in which the person reviewed reads the ratings.
    RELEASED_STATES = (State.RELEASED, State.ACKNOWLEDGED)

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reviews")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reviews")
    # The manager at enrolment, who evaluates (anyone above the person may also).
    manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The person's unit and level when enrolled: calibration groups by them.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=20, choices=Person.Level.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    # The form of the person's level, chosen when the cycle opened.
    form = models.ForeignKey(
        FormTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    self_results_rating = rating_field(_("results (self)"))
    self_competencies_rating = rating_field(_("competencies and behaviours (self)"))
    self_attitude_rating = rating_field(_("attitude (self)"))
    self_comment = models.TextField(_("self-assessment"), blank=True)
    self_submitted_at = models.DateTimeField(null=True, blank=True)

    suggested_results_rating = rating_field(_("suggested results rating"))
    results_rating = rating_field(_("results"))
    results_override_reason = models.TextField(_("reason for overriding"), blank=True)
    results_evidence = models.TextField(_("evidence for results"), blank=True)
    competencies_rating = rating_field(_("competencies and behaviours"))
    competencies_evidence = models.TextField(_("evidence for competencies"), blank=True)
    attitude_rating = rating_field(_("attitude"))
    attitude_evidence = models.TextField(_("evidence for attitude"), blank=True)
    overall_rating = rating_field(_("overall rating"))
    manager_comment = models.TextField(_("manager's summary"), blank=True)
    evaluated_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)

    calibrated_rating = rating_field(_("calibrated rating"))
    calibration_comment = models.TextField(_("calibration comment"), blank=True)
    calibrated_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)

    released_at = models.DateTimeField(null=True, blank=True)
    met_on = models.DateField(_("conversation held on"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_comment = models.TextField(_("comment"), blank=True)
    disagrees = models.BooleanField(_("disagrees"), default=False)
    development_plan = models.ForeignKey(
        ImprovementPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["cycle", "person__display_name", "pk"]
        verbose_name = _("performance review")
        verbose_name_plural = _("performance reviews")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="review_one_per_cycle")
        ]
        indexes = [models.Index(fields=["cycle", "unit", "level"], name="review_calibration")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.person}"

    @property
    def final_rating(self) -> int | None:
        """The calibrated rating when there is one, else the manager's overall rating."""
        return self.calibrated_rating or self.overall_rating

    @property
    def is_released(self) -> bool:
        return self.state in self.RELEASED_STATES


class FeedbackRequest(models.Model):
    """A 360-degree feedback request: proposed by the person reviewed, approved (or declined)
    by their manager, answered by the reviewer. Answers are shown only aggregated."""

    class Relation(models.TextChoices):
        PEER = "peer", _("Peer")
        REPORT = "report", _("Report")
        COLLEAGUE = "colleague", _("Colleague in another unit")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Waiting for the answer")
        ANSWERED = "answered", _("Answered")
        DECLINED = "declined", _("Declined")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="feedback_requests")
    reviewer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    rating = rating_field(_("overall impression"))
    strengths = models.TextField(_("strengths"), blank=True)
    improvements = models.TextField(_("what to improve"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "pk"]
        verbose_name = _("360 feedback request")
        verbose_name_plural = _("360 feedback requests")
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="feedback_one_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.review} ← {self.reviewer}"
