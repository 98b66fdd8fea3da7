"""Idempotency keys of the API's writes: the first answer to a key, replayed for 24 hours."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

# How long a key is kept: its repeat within this answers the first answer.
KEPT = dt.timedelta(hours=24)


class IdempotencyKey(models.Model):
    """The answer a client's `Idempotency-Key` got the first time (per user: a person's or a
    service account's), with a fingerprint of the request that earned it. The same key with the
    same request answers the stored answer; with another request, 409. Kept 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
