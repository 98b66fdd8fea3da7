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


class Meeting(models.Model):
    """A coordination meeting (跨部门协调会) or an alignment meeting (目标对齐会): who took
    part, the goals discussed, the decisions and the actions with owners and due dates."""

    class Kind(models.TextChoices):
        COORDINATION = "coordination", _("Coordination meeting")
        ALIGNMENT = "alignment", _("Alignment meeting")

    class Source(models.TextChoices):
        NONE = "", _("—")
        WEEKLY_REVIEW = "weekly_review", _("Weekly review")
        ALIGNMENT_REVIEW = "alignment_review", _("Alignment review")

    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("held on"))
    cycle = models.ForeignKey(
        "goals.Cycle",
        verbose_name=_("cycle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    source = models.CharField(
        _("created from"), max_length=20, choices=Source.choices, blank=True, default=""
    )
    organizer = models.ForeignKey(
        Person, verbose_name=_("organizer"), on_delete=models.PROTECT, related_name="+"
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("participants"), related_name="meetings"
    )
    goals = models.ManyToManyField(
        "goals.Goal", verbose_name=_("goals discussed"), blank=True, related_name="meetings"
    )
    decisions = models.TextField(_("decisions"), max_length=TEXT_MAX_LENGTH)
    notes = models.TextField(_("notes"), blank=True, max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(get_user=history_user, excluded_fields=["created_at"])

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title


class MeetingAction(models.Model):
    """An action a meeting decided: its owner sees it in their check-in until it is done, and
    is reminded once a day while it is overdue."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="meeting_actions"
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # The last day an overdue reminder went out (claimed by a conditional update: once a day).
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords(get_user=history_user, excluded_fields=["reminded_on"])

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("meeting action")
        verbose_name_plural = _("meeting actions")
        indexes = [models.Index(fields=["owner", "done_at", "due_on"])]

    def __str__(self) -> str:
        return self.text


class TaskForce(models.Model):
    """A temporary cross-unit team (专项小组) for a goal no unit owns alone.

    Its team is an org unit of kind task force (`unit`): goals owned by that unit, their
    check-ins, the board and the rollups work as for any unit, and its lead is the unit's head.
    Members keep their home unit and belong through `org.TaskForceMembership`. It lives for one
    cycle; at the cycle's end it is dissolved with a retrospective of its goals."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISSOLVED = "dissolved", _("Dissolved")

    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="task_force"
    )
    cycle = models.ForeignKey(
        "goals.Cycle",
        verbose_name=_("cycle"),
        on_delete=models.PROTECT,
        related_name="task_forces",
    )
    purpose = models.TextField(_("purpose"), max_length=TEXT_MAX_LENGTH)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    created_by = models.ForeignKey(
        Person, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    dissolved_at = models.DateTimeField(_("dissolved at"), null=True, blank=True)
    retrospective = models.ForeignKey(
        "retros.Retrospective",
        verbose_name=_("retrospective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(get_user=history_user, excluded_fields=["created_at"])

    class Meta:
        ordering = ["state", "unit__name", "pk"]
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")
        indexes = [models.Index(fields=["state", "cycle"])]

    def __str__(self) -> str:
        return self.unit.name

    @property
    def name(self) -> str:
        return self.unit.name
