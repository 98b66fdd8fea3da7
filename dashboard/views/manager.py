"""The manager dashboard: the team at a glance, paged, with bounded queries for any team size."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from core.charts import heat_class
from goals.models import Goal
from goals.selectors import pending_adjustments_for
from incentives.selectors import approval_queue
from org import scopes
from org.access import person_required
from resources.models import ResourceSettings
from resources.selectors import (
    approval_inbox,
    budget_utilisation,
    budgets_near_limit,
    waiting_requests,
)

from . import chart_data, team_data
from .common import chosen_cycle, cycles

LIST_LIMIT = 10


def _pending_goals(people):
    return (
        Goal.objects.filter(state=Goal.State.PROPOSED)
        .filter(Q(owner_person__in=people) | Q(owner_unit__head__in=people))
        .select_related("owner_person", "owner_unit", "cycle")
        .order_by("updated_at", "pk")
    )


@person_required
@vary_on_headers("HX-Request")
def manager(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    if not scopes.is_manager(viewer):
        raise Http404
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404
    today = timezone.localdate()
    people = team_data.team_people(viewer)
    page, rows = team_data.team_rows(
        people, cycle=cycle, today=today, page_number=request.GET.get("page")
    )
    context = {"cycle": cycle, "cycles": cycles(), "page": page, "rows": rows}
    if request.htmx and request.htmx.target == "team-table":
        return render(request, "dashboard/manager.html#team-table", context)
    summary = team_data.team_summary(people, cycle=cycle, today=today)
    goals_waiting = _pending_goals(people)
    adjustments = pending_adjustments_for(viewer).order_by("created_at", "pk")
    requests = approval_inbox(viewer=viewer)
    awards = approval_queue(viewer=viewer)
    heat = team_data.unit_week_heatmap(viewer, cycle=cycle, today=today)
    if heat:
        heat["rows"] = [(u, [(v, heat_class(v)) for v in values]) for u, values in heat["rows"]]
    budgets = budget_utilisation(viewer=viewer, cycle=cycle)["units"]
    # Monitoring (the resources inbox computes the same): requests waiting longer than the
    # configured number of days, and budgets at or above the alert ratio of the allocation.
    resource_settings = ResourceSettings.load()
    waiting = waiting_requests(viewer=viewer, days=resource_settings.waiting_days)
    near_limit = budgets_near_limit(
        viewer=viewer, cycle=cycle, ratio=resource_settings.budget_alert_ratio
    )
    kr_counts, behind = team_data.behind_pace(people, cycle=cycle, today=today, limit=LIST_LIMIT)
    context.update(
        {
            "summary": summary,
            "risky": team_data.risky_updates(people, today=today, limit=LIST_LIMIT),
            "missing": team_data.missing_check_ins(people, today=today, limit=LIST_LIMIT),
            "goals_waiting": list(goals_waiting[:LIST_LIMIT]),
            "goals_waiting_count": goals_waiting.count(),
            "adjustments": list(adjustments[:LIST_LIMIT]),
            "adjustments_count": adjustments.count(),
            "requests": list(requests[:LIST_LIMIT]),
            "requests_count": requests.count(),
            "awards": list(awards[:LIST_LIMIT]),
            "awards_count": awards.count(),
            "heat": heat,
            "kr_counts": kr_counts,
            "behind": behind,
            "budgets": budgets,
            "waiting": list(waiting[:LIST_LIMIT]),
            "waiting_count": waiting.count(),
            "near_limit": list(near_limit[:LIST_LIMIT]),
            "near_limit_count": near_limit.count(),
            "waiting_days": resource_settings.waiting_days,
            "alert_percent": round(resource_settings.budget_alert_ratio * 100),
            "heat_class": heat_class,
            "team_trend_chart": chart_data.team_trend_chart(
                people, cycle=cycle, today=today, size=summary["size"]
            ),
        }
    )
    return render(request, "dashboard/manager.html", context)
