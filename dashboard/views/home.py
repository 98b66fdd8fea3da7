"""Role home pages. The dashboard app only reads, through other apps' selectors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from org import permissions, selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    if viewer is None:
        return render(request, "dashboard/no_person.html", status=403)
    role_list = permissions.roles(viewer)
    context = {
        "roles": role_list,
        "team": selectors.team_of(manager=viewer) if "manager" in role_list else [],
        "headed_units": viewer.headed_units.all() if "manager" in role_list else [],
        "hrbp_units": viewer.hrbp_assignments.select_related("unit") if "hrbp" in role_list else [],
    }
    return render(request, "dashboard/home.html", context)
