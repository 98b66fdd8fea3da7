"""The HRBP overview: every unit an HRBP partners on one page (admins: every department)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.permissions import can_see_units_overview
from dashboard.selectors import partnered_units
from org.scopes import Viewer

from .common import chosen_cycle_and_cycles


@login_required
@require_GET
def units_overview(request: HttpRequest) -> HttpResponse:
    viewer = Viewer.of(request.person)
    if not can_see_units_overview(viewer):
        raise Http404
    cycle, choices = chosen_cycle_and_cycles(request)
    rows = partnered_units(viewer, cycle, timezone.localdate())
    context = {"rows": rows, "cycle": cycle, "cycles": choices, "units": None}
    return render(request, "dashboard/units.html", context)
