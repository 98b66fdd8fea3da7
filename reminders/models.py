"""What a reminder dispatch posts to group chats: one digest per chat webhook and dispatch.

- DispatchBatch: a batch of a dispatch that has finished (unique per run and index); the
  digests of a run go out once all its batches have.
- GroupDigest: the one digest of a run for a group (unique per run and chat webhook), with
  who it names per reminder kind; claimed before it is posted, so it goes out once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.models import ChannelConfig, ReminderRun


class DispatchBatch(models.Model):
    run = models.ForeignKey(ReminderRun, on_delete=models.CASCADE, related_name="finished_batches")
    index = models.PositiveIntegerField()
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("finished dispatch batch")
        verbose_name_plural = _("finished dispatch batches")
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="one_finished_batch_per_index")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.index}"


class GroupDigest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(ReminderRun, on_delete=models.CASCADE, related_name="group_digests")
    config = models.ForeignKey(
        ChannelConfig,
        verbose_name=_("chat webhook"),
        on_delete=models.CASCADE,
        related_name="digests",
    )
    # {reminder kind: [person id, ...]}: who the digest names.
    people = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claim = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("group digest")
        verbose_name_plural = _("group digests")
        constraints = [
            models.UniqueConstraint(fields=["run", "config"], name="one_digest_per_group_and_run")
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.config_id} ← run {self.run_id} ({self.status})"
