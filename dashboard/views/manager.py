"""The manager dashboard: the team at a glance, paged, with bounded queries for any team size.

The page itself is the team's summary (from the read models) and the first page of the team
table; each other section (risks, missing check-ins, approvals, resources, the trend chart,
the unit heatmap) is its own small view the page loads with htmx once shown (`hx-trigger=
"load"`), with a plain link to it for browsers without JavaScript. Each answers in a fixed
number of queries whatever the team size."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.charts import heat_class
from core.querysets import first_and_count
from goals.selectors import pending_adjustments_for, proposed_goals_of
from incentives.selectors import approval_queue
from org import scopes, selectors
from org.access import person_required
from org.models import Unit
from resources.models import ResourceSettings
from resources.selectors import (
    approval_inbox,
    budget_utilisation,
    budgets_near_limit,
    waiting_requests,
)

from . import chart_data, team_data
from .common import chosen_cycle, chosen_cycle_and_cycles

LIST_LIMIT = 10


def _team_or_404(request: HttpRequest):
    if not scopes.is_manager(request.person):
        raise Http404


@person_required
@require_GET
@vary_on_headers("HX-Request")
def manager(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    _team_or_404(request)
    cycle, choices = chosen_cycle_and_cycles(request)
    if cycle is None:
        raise Http404
    today = timezone.localdate()
    people = team_data.team_people(viewer)
    if request.htmx and request.htmx.target == "team-table":
        team_data.refresh_team(people, cycle=cycle, today=today)
        page, rows = team_data.team_rows(
            people, cycle=cycle, today=today, page_number=request.GET.get("page")
        )
        context = {"cycle": cycle, "page": page, "rows": rows}
        return render(request, "dashboard/manager.html#team-table", context)
    summary = team_data.team_summary(scopes.Viewer.of(viewer), people, cycle=cycle, today=today)
    page, rows = team_data.team_rows(
        people,
        cycle=cycle,
        today=today,
        page_number=request.GET.get("page"),
        count=summary["size"],
    )
    context = {
        "cycle": cycle,
        "cycles": choices,
        "page": page,
        "rows": rows,
        "summary": summary,
        "kr_counts": summary["kr_counts"],
        "heads_units": bool(scopes.Viewer.of(viewer).headed_paths),
    }
    return render(request, "dashboard/manager.html", context)


# --- the sections, each loaded on its own ----------------------------------------------------


def _risks(request, viewer, people, cycle, today) -> dict:
    return {
        "risky": team_data.risky_updates(people, today=today, limit=LIST_LIMIT),
        "behind": team_data.behind_pace(people, cycle=cycle, today=today, limit=LIST_LIMIT),
    }


def _missing(request, viewer, people, cycle, today) -> dict:
    missing, count = team_data.missing_check_ins(people, today=today, limit=LIST_LIMIT)
    return {"missing": missing, "missing_count": count}


def _approvals(request, viewer, people, cycle, today) -> dict:
    goals_waiting = proposed_goals_of(people)
    adjustments = pending_adjustments_for(viewer).order_by("created_at", "pk")
    requests = approval_inbox(viewer=viewer)
    awards = approval_queue(viewer=viewer)
    context = {}
    for name, queryset in (
        ("goals_waiting", goals_waiting),
        ("adjustments", adjustments),
        ("requests", requests),
        ("awards", awards),
    ):
        context[name], context[f"{name}_count"] = first_and_count(queryset, LIST_LIMIT)
    context["waiting_total"] = sum(
        context[f"{name}_count"] for name in ("goals_waiting", "adjustments", "requests", "awards")
    )
    return context


def _resources(request, viewer, people, cycle, today) -> dict:
    # Monitoring (the resources inbox computes the same): requests waiting longer than the
    # configured number of days, and budgets at or above the alert ratio of the allocation.
    resource_settings = ResourceSettings.load()
    waiting = waiting_requests(viewer=viewer, days=resource_settings.waiting_days)
    near_limit = budgets_near_limit(
        viewer=viewer, cycle=cycle, ratio=resource_settings.budget_alert_ratio
    )
    waiting, waiting_count = first_and_count(waiting, LIST_LIMIT)
    near_limit, near_limit_count = first_and_count(near_limit, LIST_LIMIT)
    return {
        "budgets": budget_utilisation(viewer=viewer, cycle=cycle)["units"],
        "waiting": waiting,
        "waiting_count": waiting_count,
        "near_limit": near_limit,
        "near_limit_count": near_limit_count,
        "waiting_days": resource_settings.waiting_days,
        "alert_percent": round(resource_settings.budget_alert_ratio * 100),
    }


def _trend(request, viewer, people, cycle, today) -> dict:
    return {
        "team_trend_chart": chart_data.team_trend_chart(viewer, people, cycle=cycle, today=today)
    }


def _heatmap(request, viewer, people, cycle, today) -> dict:
    heat = team_data.unit_week_heatmap(viewer, cycle=cycle, today=today)
    if heat:
        heat["rows"] = [(u, [(v, heat_class(v)) for v in values]) for u, values in heat["rows"]]
    return {"heat": heat}


TEAM_PREVIEW = 12


def _people(request, viewer, people, cycle, today) -> dict:
    """The home page's "Your team" card: the units the viewer heads and their first direct
    reports."""
    return {
        "headed_units": list(Unit.objects.filter(head=viewer).order_by("path")),
        "team": list(selectors.team_of(manager=viewer)[:TEAM_PREVIEW]),
    }


# The home page's team card shows before any cycle exists (a new company's first days).
CYCLE_FREE_SECTIONS = {"people"}

SECTIONS = {
    "risks": _risks,
    "missing": _missing,
    "approvals": _approvals,
    "resources": _resources,
    "trend": _trend,
    "heatmap": _heatmap,
    "people": _people,
}


@person_required
@require_GET
@vary_on_headers("HX-Request")
def manager_section(request: HttpRequest, section: str) -> HttpResponse:
    """One section of the manager dashboard: the fragment for htmx, a page of its own for a
    browser without JavaScript (the page's link)."""
    load = SECTIONS.get(section)
    if load is None:
        raise Http404
    _team_or_404(request)
    cycle = chosen_cycle(request)
    if cycle is None and section not in CYCLE_FREE_SECTIONS:
        raise Http404
    viewer = request.person
    people = team_data.team_people(viewer)
    context = {"cycle": cycle, "section": section}
    context.update(load(request, viewer, people, cycle, timezone.localdate()))
    template = f"dashboard/manager/_{section}.html"
    if request.htmx:
        return render(request, template, context)
    return render(request, "dashboard/manager/section.html", {**context, "template": template})
