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

from core.params import is_id
from org import permissions, selectors, services
from org.models import Unit


def _ping_redis(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # any client error means "down"
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """503 when the database is down: nothing works without it. With the database up it is
    200, and "degraded" when Redis (the cache and the Celery broker) is down: pages, the API and
    check-ins keep working, the cache reads as empty, and reminders wait in the database until
    the next dispatch after Redis is back. `checks` says which part is down."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "down"
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        checks["redis"] = _ping_redis(settings.REDIS_URL)
    broker = settings.CELERY_BROKER_URL
    if not settings.CELERY_TASK_ALWAYS_EAGER and broker.startswith(("redis://", "rediss://")):
        checks["broker"] = checks["redis"] if broker == settings.REDIS_URL else _ping_redis(broker)
    if checks["database"] != "ok":
        status = "error"
    elif any(value != "ok" for value in checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "error" else 200
    )


@login_required
@vary_on_headers("HX-Request")
def directory(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    search = request.GET.get("q", "").strip()
    unit = None
    if is_id(request.GET.get("unit", "")):
        unit = Unit.objects.filter(pk=request.GET["unit"]).first()
    page = Paginator(selectors.directory(viewer=viewer, search=search, unit=unit), 50).get_page(
        request.GET.get("page")
    )
    # Whose level the viewer may read, from the people already on the page.
    sensitive_ids = {p.pk for p in page if permissions.can_see_sensitive(viewer, p)}
    context = {"page": page, "q": search, "unit": unit, "sensitive_ids": sensitive_ids}
    if request.htmx:
        return render(request, "org/directory.html#results", context)
    # The chart opens with its first two levels; deeper levels load on expand.
    context["chart"] = selectors.unit_tree_top(viewer=viewer)
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
