"""Forms of the review pages. They shape input; the services validate the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from org.models import Person
from reviews.models import DEVELOPMENT_KINDS, FeedbackRequest, Rating


def rating(label, required=True):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "—"), *Rating.choices],
        coerce=int,
        required=required,
    )


def text(label, required=False):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}))


class SelfAssessmentForm(Form):
    results_rating = rating(_("Results"))
    competencies_rating = rating(_("Competencies and behaviours"))
    attitude_rating = rating(_("Attitude"))
    comment = text(_("How the cycle went, in your words"), required=True)


class EvaluationForm(Form):
    results_rating = rating(_("Results"))
    results_evidence = text(_("Evidence for results"))
    results_override_reason = text(_("Why you differ from the suggested rating"))
    competencies_rating = rating(_("Competencies and behaviours"))
    competencies_evidence = text(_("Evidence for competencies and behaviours"))
    attitude_rating = rating(_("Attitude"))
    attitude_evidence = text(_("Evidence for attitude"))
    overall_rating = rating(_("Overall rating"))
    summary = text(_("Summary for the conversation"))


class CalibrateForm(Form):
    rating = rating(_("Calibrated rating"))
    comment = forms.CharField(label=_("Why it moves"), required=False, max_length=1000)


class MeetingForm(Form):
    met_on = forms.DateField(
        label=_("Conversation held on"), widget=forms.DateInput({"type": "date"})
    )


class AcknowledgeForm(Form):
    comment = text(_("Your comment (optional)"))
    disagree = forms.BooleanField(label=_("I disagree: tell my HRBP"), required=False)


class DevelopmentPlanForm(Form):
    title = forms.CharField(label=_("Plan"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=DEVELOPMENT_KINDS,
    )
    description = forms.CharField(label=_("Action"), max_length=2000)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput({"type": "date"})
    )


class ReviewerForm(Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=Person.objects.none())
    relation = forms.ChoiceField(label=_("Relation"), choices=FeedbackRequest.Relation.choices)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["reviewer"].queryset = people


class AnswerForm(Form):
    rating = rating(_("Overall impression"))
    strengths = text(_("Strengths"))
    improvements = text(_("What to improve"))
