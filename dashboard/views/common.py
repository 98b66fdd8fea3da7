"""Helpers shared by the dashboard pages: the signed-in person and the chosen cycle."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from goals import metrics
from goals.models import Cycle, Goal, GoalSettings
from goals.selectors import current_cycle


def chosen_cycle(request: HttpRequest) -> Cycle | None:
    raw = request.GET.get("cycle") or request.POST.get("cycle")
    if raw:
        try:
            return Cycle.objects.get(pk=int(raw))
        except (ValueError, Cycle.DoesNotExist):
            raise Http404 from None
    return current_cycle()


def cycles() -> list[Cycle]:
    return list(Cycle.objects.order_by("-starts_on", "kind")[:24])


def expected_score(goal: Goal, settings: GoalSettings) -> float:
    """The score the goal is expected at (`Goal.expected_score`), from settings the page has
    already loaded, so a list of goals costs no query per goal."""
    return metrics.expected_score(
        goal.commitment, aspirational_expectation=settings.aspirational_expectation
    )
