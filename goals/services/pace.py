"""The pace read model: each key result's expected progress and status (on track, at risk,
off track) stored on its row for a day, so pages that summarise thousands of key results count
rows in SQL instead of classifying each one in Python.

The stored pace is exactly what `KeyResult.status(day)` computes: every change to its inputs
marks it stale (`KeyResult.save`), `refresh` recomputes stale rows of a queryset before a page
counts them (at most once per row and day), and `reclassify_all` (a nightly task) moves every
open key result to the new day, so the first page of the morning does not pay for it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.events import publish
from goals.models import Cycle, GoalSettings, KeyResult

CHUNK = 2000
OPEN_CYCLES = (Cycle.State.ACTIVE, Cycle.State.SCORING)


def _stale(queryset: QuerySet[KeyResult], on: dt.date) -> QuerySet[KeyResult]:
    # Before, after or never: ranges the `kr_pace_on` index serves (not "<> on", which makes
    # the database read every key result to find the few, usually none, of another day).
    return queryset.filter(Q(pace_on__isnull=True) | Q(pace_on__lt=on) | Q(pace_on__gt=on))


def refresh(queryset: QuerySet[KeyResult], on: dt.date | None = None) -> int:
    """Recompute the stored pace of the stale key results in `queryset` for `on` (today by
    default). Returns how many rows were written; 0 (one query) when all are current."""
    on = on or timezone.localdate()
    settings = GoalSettings.load()
    written = 0
    rows = (
        _stale(queryset, on)
        .select_related("goal__cycle")
        .only(
            "pk",
            "goal_id",
            "pace_status",
            "progress",
            "direction",
            "start_value",
            "target_value",
            "target_high",
            "due_on",
            "milestones",
            "goal__starts_on",
            "goal__created_at",
            "goal__cycle__starts_on",
            "goal__cycle__ends_on",
        )
        .order_by("pk")
    )
    batch: list[KeyResult] = []
    for kr in rows.iterator(chunk_size=CHUNK):
        previous = kr.pace_status  # as last classified (a new key result: on track)
        kr.pace_expected = kr.expected_progress(on)
        kr.pace_status = settings.classify(kr.progress, kr.pace_expected)
        kr.pace_on = on
        if previous != kr.pace_status:
            publish(
                "key_result.status_changed",
                key_result=kr.pk,
                goal=kr.goal_id,
                status=kr.pace_status,
                previous=previous,
            )
        batch.append(kr)
        if len(batch) >= CHUNK:
            written += _write(batch)
            batch = []
    return written + _write(batch)


def _write(batch: list[KeyResult]) -> int:
    # bulk_update, not save(): the pace is derived data (no history row, no staleness mark).
    KeyResult.objects.bulk_update(batch, ["pace_expected", "pace_status", "pace_on"])
    return len(batch)


def reclassify_all(on: dt.date | None = None) -> int:
    """Move every key result of an open cycle to the day `on` (the nightly task)."""
    return refresh(KeyResult.objects.filter(goal__cycle__state__in=OPEN_CYCLES), on)


def invalidate(queryset: QuerySet[KeyResult]) -> int:
    """Mark the pace of these key results stale (their goal's start or the organisation's
    thresholds changed)."""
    return queryset.update(pace_on=None)


def gap(kr: KeyResult) -> float:
    """How far a key result is from its pace (negative: behind)."""
    return kr.progress - kr.pace_expected
