"""The weekly PDCA check-in: one per person per ISO week, with one update per key result."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from goals.models import VALUE_FIELD, KeyResult, Status
from org.models import Person


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week containing `day`."""
    return day - dt.timedelta(days=day.weekday())


def zone_of(person: Person | None) -> ZoneInfo | None:
    """The person's time zone (None: the site's)."""
    try:
        return ZoneInfo(person.timezone) if person is not None and person.timezone else None
    except (ValueError, ZoneInfoNotFoundError):
        return None


def local_today(person: Person | None) -> dt.date:
    """Today in the person's time zone: their week starts on their own Monday."""
    zone = zone_of(person)
    return timezone.localdate(timezone=zone) if zone else timezone.localdate()


class CauseTag(models.Model):
    """Why a key result is behind. An organisation-editable list; the seeded ones have a slug
    so their labels are translated."""

    slug = models.SlugField(max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "label"]
        verbose_name = _("cause tag")
        verbose_name_plural = _("cause tags")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        from tracking.causes import SEEDED_LABELS

        seeded = SEEDED_LABELS.get(self.slug)
        if seeded is None:
            return self.label
        with translation.override(None):  # the untranslated (English) label
            original = str(seeded)
        # A seeded tag whose label nobody edited shows in the reader's language.
        return str(seeded) if original == self.label else self.label


class CheckIn(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="check_ins")
    week = models.DateField(_("week"), help_text=_("The Monday of the ISO week."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    plan = models.TextField(_("plan (next week)"), blank=True)
    done = models.TextField(_("done (this week)"), blank=True)
    # PDCA "check": the deviation, filled from the numbers and explained in words. (A field
    # named `check` would shadow Model.check().)
    deviation = models.TextField(_("check (deviation)"), blank=True)
    act = models.TextField(_("act (corrective actions)"), blank=True)
    confidence = models.PositiveSmallIntegerField(
        _("overall confidence"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    blockers = models.TextField(_("blockers"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Submitted after its week had ended (within the organisation's window for late check-ins).
    is_late = models.BooleanField(_("late"), default=False)
    amendments = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-week", "person"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(fields=["person", "week"], name="one_check_in_per_week")
        ]
        indexes = [models.Index(fields=["week", "state"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.week:%G-W%V}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the unit × week rollup counted it as (tracking.receivers): a reopened or moved
        # check-in leaves the row it was counted in.
        fields = instance.__dict__
        if "state" in fields and "week" in fields:
            instance._rollup_before = (fields.get("person_id"), fields["week"], fields["state"])
        return instance

    @property
    def week_end(self) -> dt.date:
        """The Sunday of the check-in's week."""
        return self.week + dt.timedelta(days=6)

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED

    def is_open_on(self, day: dt.date) -> bool:
        """A check-in can be edited (or, once submitted, amended) during its own week."""
        return self.week <= day <= self.week_end


class KeyResultUpdate(models.Model):
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="updates")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="updates")
    value = models.DecimalField(_("value"), **VALUE_FIELD)
    previous_value = models.DecimalField(null=True, blank=True, **VALUE_FIELD)
    # The author's own judgement; empty on a draft means "as the numbers say", and submitting
    # fills it with the status against the expected pace.
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Status.choices, blank=True, default=""
    )
    # Classified against the expected pace when submitted.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    progress = models.FloatField(null=True, blank=True)
    expected_progress = models.FloatField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    cause = models.ForeignKey(
        CauseTag, verbose_name=_("cause"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.TextField(_("corrective action"), blank=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["check_in", "key_result__position", "pk"]
        verbose_name = _("key result update")
        verbose_name_plural = _("key result updates")
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "key_result"], name="one_update_per_key_result"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.value}"
