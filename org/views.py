"""Organisation pages (directory, org chart, person), language switch and the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from org import permissions, selectors, services
from org.models import Unit


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "down"
        checks["database"] = f"error: {exc.__class__.__name__}"
        healthy = False
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


@login_required
@vary_on_headers("HX-Request")
def directory(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    search = request.GET.get("q", "").strip()
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = Unit.objects.filter(pk=request.GET["unit"]).first()
    page = Paginator(selectors.directory(viewer=viewer, search=search, unit=unit), 50).get_page(
        request.GET.get("page")
    )
    sensitive_ids = set(
        permissions.visible_people(viewer)
        .filter(permissions.sensitive_people_q(viewer), pk__in=[p.pk for p in page])
        .values_list("pk", flat=True)
    )
    context = {"page": page, "q": search, "unit": unit, "sensitive_ids": sensitive_ids}
    if request.htmx:
        return render(request, "org/directory.html#results", context)
    # The top of the chart opens with its first level; deeper levels load on expand.
    chart = selectors.unit_children(viewer=viewer)
    for node in chart:
        node["children"] = selectors.unit_children(viewer=viewer, parent=node["unit"])
    context["chart"] = chart
    return render(request, "org/directory.html", context)


@login_required
def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The next level of the org chart, loaded when a unit is expanded (htmx)."""
    parent = get_object_or_404(Unit, pk=pk)
    nodes = selectors.unit_children(viewer=request.person, parent=parent)
    return render(request, "org/_unit_children.html", {"nodes": nodes})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    subject = permissions.get_person_for(viewer, pk)
    return render(
        request,
        "org/person_detail.html",
        {
            "subject": subject,
            "show_sensitive": permissions.can_see_sensitive(viewer, subject),
            "reports": selectors.team_of(manager=subject),
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switches the language and remembers the choice on the signed-in person."""
    language = request.POST.get("language", "")
    nxt = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = "/"
    codes = {code for code, _name in settings.LANGUAGES}
    response = redirect(nxt)
    if language in codes:
        if getattr(request, "person", None) is not None:
            services.set_language(person=request.person, language=language)
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
