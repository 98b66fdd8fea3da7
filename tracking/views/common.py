"""Helpers shared by the tracking pages."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest

from org.models import Person
from tracking import selectors
from tracking.models import local_today, week_start


def person_or_404(request: HttpRequest) -> Person:
    if request.person is None:
        raise Http404
    return request.person


def week_param(request: HttpRequest) -> dt.date:
    """?week= (any day of the week), never later than this week; by default the week a
    review looks at (the week just ended until Friday)."""
    current = week_start(local_today(request.person))
    try:
        week = week_start(dt.date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        return selectors.default_review_week(manager=request.person)
    return min(week, current)


def weeks_nav(week: dt.date, person: Person | None = None) -> dict:
    current = week_start(local_today(person))
    return {
        "previous_week": week - dt.timedelta(weeks=1),
        "next_week": week + dt.timedelta(weeks=1) if week < current else None,
    }
