"""The people import page (admins and HRBPs), its error report and template, and the page a
person meets when an identity provider signs in someone Keel does not know."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheet
from core.forms import Form
from directory import imports, permissions
from org.access import person_required

SESSION_KEY = "directory_import_errors"


class PeopleImportForm(Form):
    file = forms.FileField(
        label=gettext_lazy("File (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check every row, import nothing"),
        required=False,
        initial=True,
    )
    apply_valid = forms.BooleanField(
        label=gettext_lazy("Import the valid rows and leave out the rows with errors"),
        required=False,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I have read the errors: leave those rows out"),
        required=False,
    )


def _may_import(request: HttpRequest) -> None:
    if not permissions.can_import_people(request.viewer):
        raise Http404


@person_required
def import_page(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    result = None
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = imports.import_people(
                    actor=request.person,
                    upload=data["file"],
                    dry_run=data["dry_run"],
                    apply_valid=data["apply_valid"],
                    confirmed=data["confirm"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "confirm" in exc.error_dict:
                    form.add_error("confirm", exc.error_dict["confirm"])
                else:
                    form.add_error("file", exc)
            else:
                request.session[SESSION_KEY] = [[e.row, e.column, e.message] for e in result.errors]
    else:
        form = PeopleImportForm(initial={"dry_run": True})
    context = {"form": form, "result": result, "columns": imports.COLUMNS}
    return render(request, "directory/import.html", context)


@person_required
def import_errors(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    rows = request.session.get(SESSION_KEY) or []
    return spreadsheet.csv_response(
        "people-import-errors", [_("Row"), _("Column"), _("Message")], rows
    )


@person_required
def import_template(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    rows = imports.template_rows()
    return spreadsheet.csv_response("people-import-template", rows[0], rows[1:])
