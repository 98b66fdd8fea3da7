"""Exports (goals, check-ins; CSV or XLSX) and the bulk goal import with a dry run and a
downloadable per-row error report."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import replica_reads
from core.params import is_id
from dashboard import exports, imports
from goals.models import Cycle
from org.access import person_required
from org.models import Unit

from .common import chosen_cycle, cycles

SESSION_KEY = "dashboard_import_errors"


def _unit(request: HttpRequest) -> Unit | None:
    raw = request.GET.get("unit") or ""
    if not raw:
        return None
    unit = Unit.objects.filter(pk=raw).first() if is_id(raw) else None
    if unit is None:
        raise Http404
    return unit


@person_required
def export_page(request: HttpRequest) -> HttpResponse:
    cycle = chosen_cycle(request)
    context = {
        "cycle": cycle,
        "cycles": cycles(),
        "units": list(Unit.objects.order_by("path")),
        "allow_all_units": True,
        "unit": None,
    }
    return render(request, "dashboard/exports.html", context)


@person_required
@replica_reads
def export_download(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    viewer = request.person
    if what not in ("goals", "check-ins") or fmt not in ("csv", "xlsx"):
        raise Http404
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404
    unit = _unit(request)
    build = exports.goal_rows if what == "goals" else exports.check_in_rows
    header, rows = build(viewer=viewer, cycle=cycle, unit=unit)
    filename = f"{what}-{cycle.pk}" + (f"-unit{unit.pk}" if unit else "")
    if fmt == "csv":
        return exports.as_csv(filename, header, rows)
    title = _("Goals") if what == "goals" else _("Check-ins")
    return exports.as_xlsx(filename, header, rows, title=str(title))


class ImportForm(forms.Form):
    cycle = forms.ModelChoiceField(label=gettext_lazy("Cycle"), queryset=Cycle.objects.all())
    file = forms.FileField(
        label=gettext_lazy("File (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check every row, import nothing"),
        required=False,
        initial=True,
    )


@person_required
def import_page(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = imports.import_goals(
                    actor=viewer,
                    cycle=form.cleaned_data["cycle"],
                    upload=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                request.session[SESSION_KEY] = [[e.row, e.column, e.message] for e in result.errors]
    else:
        cycle = chosen_cycle(request)
        form = ImportForm(initial={"cycle": cycle.pk if cycle else None, "dry_run": True})
    return render(
        request,
        "dashboard/import.html",
        {"form": form, "result": result, "columns": imports.COLUMNS},
    )


@person_required
def import_errors(request: HttpRequest) -> HttpResponse:
    rows = request.session.get(SESSION_KEY) or []
    return exports.as_csv("import-errors", [_("Row"), _("Column"), _("Message")], rows)


@person_required
def import_template(request: HttpRequest) -> HttpResponse:
    rows = imports.template_rows()
    return exports.as_csv("goals-import-template", rows[0], rows[1:])
