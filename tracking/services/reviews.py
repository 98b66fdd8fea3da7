"""The manager's weekly review record."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from org import scopes
from org.models import Person
from tracking.models import WeeklyReview, local_today, week_start
from tracking.selectors import weekly_review_summary


@transaction.atomic
def save_weekly_review(
    *, actor: Person, week: dt.date, decisions: str, today: dt.date | None = None
) -> WeeklyReview:
    """Save (or update) the manager's decisions for a week, with a snapshot of the numbers."""
    if not scopes.is_manager(actor):
        raise PermissionDenied(_("Only managers keep a weekly review."))
    today = today or local_today(actor)
    week = week_start(week)
    if week > week_start(today):
        raise ValidationError({"week": _("You cannot review a future week.")})
    if not isinstance(decisions, str):
        raise ValidationError({"decisions": _("Enter text.")})
    summary = weekly_review_summary(manager=actor, week=week, today=today)
    snapshot = {
        "submitted": summary["submitted_count"],
        "expected": summary["expected_count"],
        "at_risk": summary["counts"]["at_risk"],
        "off_track": summary["counts"]["off_track"],
    }
    values = {"decisions": decisions.strip(), "snapshot": snapshot}
    try:
        with transaction.atomic():
            review, _created = WeeklyReview.objects.update_or_create(
                manager=actor, week=week, defaults=values
            )
    except IntegrityError:
        review = WeeklyReview.objects.get(manager=actor, week=week)
        for key, value in values.items():
            setattr(review, key, value)
        review.save()
    return review
