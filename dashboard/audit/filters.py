"""The audit trail's filters, one form for the page, the export and the API: object kind, unit
(with its sub-units), the person who made the change, a date range and the source (a people
import, SCIM or a directory sync)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dashboard import permissions
from dashboard.audit import Filters, kind_choices
from directory.audit import source_choices
from org.models import Person


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Object kind"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=None)
    changed_by = forms.ModelChoiceField(
        label=_("Changed by"), required=False, queryset=Person.objects.all()
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, data=None, *, viewer: Person):
        super().__init__(data)
        self.fields["kind"].choices = [("", _("All kinds")), *kind_choices()]
        self.fields["source"].choices = [("", _("Any source")), *source_choices()]
        self.fields["unit"].queryset = permissions.audit_units(viewer).order_by("path")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            kind=data.get("kind") or None,
            unit=data.get("unit"),
            changed_by=data.get("changed_by"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            source=data.get("source") or None,
        )
