"""The company overview for executives and admins."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.db import replica_reads
from org import scopes
from org.access import person_required
from org.models import Person

from . import company_data
from .charts import bar_chart
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
    context = {
        "cycle": cycle,
        "cycles": cycles(),
        "company_goals": [g for g in goals if g.level == "company"],
        "cascades": company_data.unit_cascades(cycle, units),
        "risks": company_data.top_risks(goals, today),
        "completion": completion,
        "completion_chart": bar_chart([(c["unit"].name[:4], c["share"]) for c in completion]),
        "completion_table": [
            (c["unit"].name, round(c["share"] * 100), f"{c['submitted']} / {c['people']}")
            for c in completion
        ],
        "weeks": weeks,
        "history": history,
    }
    return render(request, "dashboard/company.html", context)
