"""Improvement plans: actions (training, coaching, process change) for a person, optionally
for one goal, created from a check-in, a retrospective or by hand."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, KeyResult
from org.models import Person


class ImprovementPlan(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="improvement_plans")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="improvement_plans"
    )
    key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    # Where it came from: "check_in:<id>", "retrospective:<id>", "five_why:<id>" or blank.
    source = models.CharField(max_length=100, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")

    def __str__(self) -> str:
        return self.title


class ImprovementAction(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        COACHING = "coaching", _("Coaching")
        PROCESS = "process", _("Process change")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        TODO = "todo", _("To do")
        DOING = "doing", _("In progress")
        DONE = "done", _("Done")

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.TODO)

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")

    def __str__(self) -> str:
        return self.description[:60]
