"""Helpers shared by the tracking pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import BadRequest
from django.http import HttpRequest

from core.params import bounded_date
from org.models import Person
from tracking import selectors
from tracking.models import local_today, week_start


def week_param(request: HttpRequest) -> dt.date:
    """?week= (any day of the week), never later than this week; by default the week a
    review looks at (the week just ended until Friday)."""
    current = week_start(local_today(request.person))
    raw = request.GET.get("week", "")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return selectors.default_review_week(manager=request.person)
    try:
        week = week_start(bounded_date(day))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return min(week, current)


def weeks_nav(week: dt.date, person: Person | None = None) -> dict:
    current = week_start(local_today(person))
    return {
        "previous_week": week - dt.timedelta(weeks=1),
        "next_week": week + dt.timedelta(weeks=1) if week < current else None,
    }
