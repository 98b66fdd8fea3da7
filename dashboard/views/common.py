"""Helpers shared by the dashboard pages: the signed-in person and the chosen cycle."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import timezone

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


CYCLE_CHOICES = 24


def cycles() -> list[Cycle]:
    return list(Cycle.objects.order_by("-starts_on", "kind")[:CYCLE_CHOICES])


def chosen_cycle_and_cycles(request: HttpRequest) -> tuple[Cycle | None, list[Cycle]]:
    """`chosen_cycle` and `cycles` in one query when the cycle is among the choices (always,
    unless an organisation has more than `CYCLE_CHOICES` cycles)."""
    choices = cycles()
    raw = request.GET.get("cycle") or request.POST.get("cycle")
    if raw:
        try:
            pk = int(raw)
        except ValueError:
            raise Http404 from None
        found = next((c for c in choices if c.pk == pk), None)
        return (found if found is not None else chosen_cycle(request)), choices
    if len(choices) == CYCLE_CHOICES:  # there may be more: ask the database as before
        return current_cycle(), choices
    return _current_of(choices, timezone.localdate()), choices


def _current_of(choices: list[Cycle], today) -> Cycle | None:
    """`goals.selectors.current_cycle` over every cycle, already loaded (in their order)."""
    active = [c for c in choices if c.state == Cycle.State.ACTIVE]
    containing = [c for c in active if c.starts_on <= today <= c.ends_on]
    if containing:
        return min(containing, key=lambda c: c.ends_on - c.starts_on)
    return active[0] if active else (choices[0] if choices else None)


def expected_score(goal: Goal, settings: GoalSettings) -> float:
    """The score the goal is expected at (`Goal.expected_score`), from settings the page has
    already loaded, so a list of goals costs no query per goal."""
    return metrics.expected_score(
        goal.commitment, aspirational_expectation=settings.aspirational_expectation
    )
