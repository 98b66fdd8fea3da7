"""Forms of the notification pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from notifications.models import ReminderSchedule


class ScheduleForm(Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=ReminderSchedule.Weekday.choices, coerce=int
    )
    time = forms.TimeField(
        label=_("Local time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    enabled = forms.BooleanField(label=_("Send this reminder"), required=False)


class AbsenceForm(Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("An absence cannot end before it starts."))
        return data
