"""Threads on the objects people work on together (goals, key results, check-ins, resource
requests, retrospectives): comments with replies and @mentions of people and units. A comment
is seen by exactly those who may see its object (coordination.targets); its edits are kept."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from core.limits import TEXT_MAX_LENGTH
from org.models import Person, Unit


class TargetKind(models.TextChoices):
    GOAL = "goal", _("Goal")
    KEY_RESULT = "key_result", _("Key result")
    CHECK_IN = "check_in", _("Check-in")
    RESOURCE_REQUEST = "resource_request", _("Resource request")
    RETROSPECTIVE = "retrospective", _("Retrospective")


class Comment(models.Model):
    # What the thread is about: a kind and the object's primary key (resolved and scoped by
    # coordination.targets through the owning app's permissions).
    target_kind = models.CharField(_("about"), max_length=20, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField()
    # A reply answers a top-level comment (one level: replies to a reply join its thread).
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author = models.ForeignKey(
        Person, verbose_name=_("author"), on_delete=models.PROTECT, related_name="comments"
    )
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["target_kind", "target_id", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class Mention(models.Model):
    """An @person or @unit in a comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(unit__isnull=True))
                | (Q(person__isnull=True) & Q(unit__isnull=False)),
                name="mention_person_or_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.person_id or self.unit_id}"
