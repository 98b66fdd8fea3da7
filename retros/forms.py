"""Forms of the retros pages. They check shape; the rules are in `retros.services`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from goals.models import Cycle
from org.models import Person, Unit

EFFECTIVENESS = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


def active_people():
    return Person.objects.filter(is_active=True).order_by("display_name")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: known fields in place, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class DateInput(forms.DateInput):
    input_type = "date"


class LessonForm(Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    category = forms.CharField(
        label=_("Category"),
        max_length=100,
        required=False,
        help_text=_("Kind of goal or activity, e.g. online promotion, sales, hiring."),
    )
    context = forms.CharField(label=_("Context"), widget=forms.Textarea, required=False)
    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea, required=False)
    what_worked = forms.CharField(label=_("What worked"), widget=forms.Textarea, required=False)
    solution = forms.CharField(label=_("Solution"), widget=forms.Textarea, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False)
    effectiveness = forms.TypedChoiceField(
        label=_("Effectiveness (1–5)"),
        choices=EFFECTIVENESS,
        coerce=int,
        empty_value=None,
        required=False,
    )
    source_retrospective = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_tags(self) -> list[str]:
        return [
            t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()
        ]


class RetrospectiveCreateForm(Form):
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.order_by("-starts_on"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False)
    goal = forms.IntegerField(label=_("Goal id"), required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"), queryset=active_people(), required=False
    )


class SectionsForm(Form):
    reasons = forms.CharField(
        label=_("Reasons for shortfall"), widget=forms.Textarea, required=False
    )
    what_worked = forms.CharField(label=_("What worked"), widget=forms.Textarea, required=False)
    improvements = forms.CharField(label=_("Improvements"), widget=forms.Textarea, required=False)


class ImprovementForm(Form):
    description = forms.CharField(label=_("Improvement"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=active_people())
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput)


class FiveWhyForm(Form):
    """The countermeasure part; the chain of whys comes as repeated `why` fields with a `root`
    radio naming the level marked as the root cause."""

    problem = forms.CharField(
        label=_("Problem statement"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    countermeasure = forms.CharField(
        label=_("Countermeasure"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    countermeasure_owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=active_people(), required=False
    )
    countermeasure_due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput)


class FollowThroughForm(Form):
    to = forms.ChoiceField(
        choices=[("goal", _("Goal in the next cycle")), ("plan", _("Improvement plan"))]
    )


class GlossaryTermForm(forms.Form):
    term = forms.CharField(label=_("Term"), max_length=100)
    translation = forms.CharField(label=_("Translation"), max_length=100)
