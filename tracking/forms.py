"""Forms for the tracking pages. They shape the input; the services validate the business
rules and their errors are put back on the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from goals.models import Status
from tracking.models import CauseTag, Feedback, ImprovementAction


def cause_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (tag.slug, tag.display_label) for tag in CauseTag.objects.filter(is_active=True)
    ]


class CheckInForm(Form):
    """The PDCA part of the check-in."""

    done = forms.CharField(
        label=_("Done this week"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    check = forms.CharField(
        label=_("Check: deviation"),
        required=False,
        help_text=_("Left empty, it is filled from the numbers when you submit."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    act = forms.CharField(
        label=_("Act: corrective actions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan = forms.CharField(
        label=_("Plan for next week"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    blockers = forms.CharField(
        label=_("Blockers"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confidence = forms.IntegerField(
        label=_("Overall confidence (0–10)"),
        required=False,
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["deviation"] = data.pop("check")
        return data


class UpdateForm(Form):
    """One key result's row (prefix "kr-<id>")."""

    value = forms.CharField(
        label=_("Value"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"),
        required=False,
        choices=[("", _("As the numbers say")), *Status.choices],
    )
    note = forms.CharField(label=_("Note"), required=False)
    cause = forms.ChoiceField(label=_("Cause"), required=False)
    action = forms.CharField(
        label=_("Corrective action"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, causes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"].choices = causes if causes is not None else cause_choices()

    def service_update(self, key_result_id: int) -> dict:
        data = self.cleaned_data
        return {
            "key_result": key_result_id,
            "value": data["value"],
            "confidence": data["confidence"],
            "note": data["note"],
            "cause": data["cause"] or None,
            "action": data["action"],
        }


class FeedbackForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Feedback.Kind.choices)
    text = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 2}))
    update = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewForm(Form):
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class PlanFromUpdateForm(Form):
    kind = forms.ChoiceField(label=_("Action"), choices=ImprovementAction.Kind.choices)
    description = forms.CharField(label=_("What will be done"), max_length=2000)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
