"""The audit trail page (admins and HRBPs; everyone else 404) and its CSV/XLSX export. Thin
over `dashboard.audit`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from core.db import replica_reads
from dashboard import audit, exports, permissions
from dashboard.audit.filters import AuditFilterForm

PAGE_SIZE = 50


def _auditor(request: HttpRequest):
    viewer = request.person
    if not permissions.can_see_audit(viewer):
        raise Http404
    return viewer


@login_required
@vary_on_headers("HX-Request")
@replica_reads
def audit_page(request: HttpRequest) -> HttpResponse:
    viewer = _auditor(request)
    form = AuditFilterForm(request.GET, viewer=viewer)
    valid = form.is_valid()
    filters = form.filters() if valid else audit.Filters()
    log = audit.audit_log(viewer=viewer, filters=filters)
    page = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page")) if valid else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "changers": audit.changers(viewer=viewer) if not request.htmx else [],
    }
    if request.htmx:
        return render(request, "dashboard/audit.html#results", context)
    return render(request, "dashboard/audit.html", context)


@login_required
@replica_reads
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse:
    viewer = _auditor(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = AuditFilterForm(request.GET, viewer=viewer)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain")
    header, rows = audit.export_rows(audit.audit_log(viewer=viewer, filters=form.filters()))
    if fmt == "csv":
        return exports.as_csv("audit", header, rows)
    return exports.as_xlsx("audit", header, rows, title=str(_("Audit trail")))
