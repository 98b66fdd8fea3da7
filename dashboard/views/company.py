"""The company overview for executives and admins."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.db import replica_reads
from org import scopes
from org.access import person_required
from org.models import Person

from . import chart_data, company_data
from .common import chosen_cycle, cycles


def can_see_company(viewer) -> bool:
    return scopes.is_admin(viewer) or viewer.level == Person.Level.EXECUTIVE


@person_required
@replica_reads
def company(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    if not can_see_company(viewer):
        raise Http404
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404
    today = timezone.localdate()
    _root, units = company_data.departments()
    goals = company_data.top_goals(cycle, viewer)
    completion = company_data.completion_by_unit(units, today)
    weeks, history = company_data.status_history(goals, cycle, today)
    cascades = company_data.unit_cascades(cycle, units)
    context = {
        "cycle": cycle,
        "cycles": cycles(),
        "company_goals": [g for g in goals if g.level == "company"],
        "cascades": cascades,
        "risks": company_data.top_risks(goals, today),
        "completion": completion,
        "charts": chart_data.company_charts(
            cascades=cascades, completion=completion, units=units, cycle=cycle, today=today
        ),
        "weeks": weeks,
        "history": history,
    }
    return render(request, "dashboard/company.html", context)
