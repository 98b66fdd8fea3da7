"""Reference computations the tests compare the read models with: the old scans over the
check-ins, kept here (not in production code) as the from-scratch truth."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count

from tracking.models import CheckIn


def team_trend(*, people, size: int, weeks: list[dt.date]) -> list[dict]:
    """Per week: how many of the team (`people`: a queryset or list of people, `size` of them)
    submitted a check-in, that share, and the average key-result progress they reported
    (None for a week without any). One query."""
    if not weeks:
        return []
    submitted, progress = {}, {}
    for week, n, avg in (
        CheckIn.objects.filter(person__in=people, state=CheckIn.State.SUBMITTED, week__in=weeks)
        .values("week")
        .annotate(n=Count("pk", distinct=True), avg=Avg("updates__progress"))
        .values_list("week", "n", "avg")
    ):
        submitted[week], progress[week] = n, avg
    return [
        {
            "week": w,
            "submitted": submitted.get(w, 0),
            "rate": (submitted.get(w, 0) / size) if size else 0.0,
            "progress": progress.get(w),
        }
        for w in weeks
    ]
