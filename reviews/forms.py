"""Forms of the review pages. They shape input; the services validate the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from goals.models import Cycle
from org.models import Person
from reviews.models import DEVELOPMENT_KINDS, FeedbackRequest, FormTemplate, Rating, ReviewCycle


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


def _date(label):
    return forms.DateField(label=label, required=False, widget=forms.DateInput({"type": "date"}))


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ReviewCycleForm(Form):
    """Create or edit a review cycle: the goal cycle, who is reviewed (a unit's subtree, some
    levels), the steps, their deadlines and each level's form. On an open cycle only the name,
    deadlines and guideline stay editable (the others are shown disabled)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    goal_cycle = forms.ModelChoiceField(label=_("Goal cycle"), queryset=Cycle.objects.none())
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        help_text=_("Everyone in this unit and the units below it is reviewed."),
    )
    levels = forms.MultipleChoiceField(
        label=_("Levels"),
        choices=Person.Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every level."),
    )
    self_assessment = forms.BooleanField(label=_("Self-assessment"), required=False)
    feedback_360 = forms.BooleanField(label=_("360-degree feedback"), required=False)
    calibration = forms.BooleanField(label=_("Calibration"), required=False)
    self_due_on = _date(_("Self-assessment due"))
    feedback_due_on = _date(_("360 feedback due"))
    manager_due_on = _date(_("Manager evaluation due"))
    calibration_due_on = _date(_("Calibration due"))
    top_rating_limit = forms.IntegerField(
        label=_("Top rating limit (%)"),
        min_value=0,
        max_value=100,
        help_text=_("The guideline calibration checks: at most this share at the top rating."),
    )
    frontline_form = TemplateChoiceField(
        label=_("Form for frontline"), queryset=None, required=False
    )
    manager_form = TemplateChoiceField(label=_("Form for managers"), queryset=None, required=False)
    executive_form = TemplateChoiceField(
        label=_("Form for executives"), queryset=None, required=False
    )

    def __init__(self, *args, units, cycle: ReviewCycle | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal_cycle"].queryset = Cycle.objects.order_by("-starts_on", "name")
        self.fields["unit"].queryset = units.order_by("path")
        templates = list(FormTemplate.objects.order_by("key"))
        for level, field in ReviewCycle.FORM_FIELDS.items():
            choice = self.fields[field]
            choice.queryset = FormTemplate.objects.filter(level=level).order_by("key")
            choice.empty_label = str(_("The shipped form of this level"))
            # The choices from the list read once (not one query per select).
            choice.choices = [("", choice.empty_label)] + [
                (t.pk, t.name) for t in templates if t.level == level
            ]
        if cycle is not None and cycle.state != ReviewCycle.State.DRAFT:
            from reviews.services import OPEN_CYCLE_FIELDS

            for name, field in self.fields.items():
                if name not in OPEN_CYCLE_FIELDS:
                    field.disabled = True

    GROUPS = (
        (_("Who is reviewed"), ("name", "goal_cycle", "unit", "levels")),
        (
            _("Steps and deadlines"),
            (
                "self_assessment",
                "self_due_on",
                "feedback_360",
                "feedback_due_on",
                "manager_due_on",
                "calibration",
                "calibration_due_on",
                "top_rating_limit",
            ),
        ),
        (_("Forms per level"), ("frontline_form", "manager_form", "executive_form")),
    )

    def groups(self):
        """(legend, bound fields) for each fieldset of the page."""
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    @staticmethod
    def initial_for(cycle: ReviewCycle | None) -> dict:
        if cycle is None:
            return {
                "self_assessment": True,
                "feedback_360": True,
                "calibration": True,
                "top_rating_limit": 20,
            }
        return {
            "name": cycle.name,
            "goal_cycle": cycle.goal_cycle_id,
            "unit": cycle.unit_id,
            "levels": cycle.levels,
            "self_assessment": cycle.self_assessment,
            "feedback_360": cycle.feedback_360,
            "calibration": cycle.calibration,
            "self_due_on": cycle.self_due_on,
            "feedback_due_on": cycle.feedback_due_on,
            "manager_due_on": cycle.manager_due_on,
            "calibration_due_on": cycle.calibration_due_on,
            "top_rating_limit": cycle.top_rating_limit,
            "frontline_form": cycle.frontline_form_id,
            "manager_form": cycle.manager_form_id,
            "executive_form": cycle.executive_form_id,
        }

    def apply_errors(self, exc) -> None:
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, exc.messages)
