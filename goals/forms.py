"""Forms of the goal pages (validation of shapes; the rules live in goals.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from goals import permissions, selectors
from goals.models import Cycle, Goal, KeyResult, TargetAdjustment
from org.models import Unit


class GoalForm(Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Goal.Kind.choices, initial=Goal.Kind.OBJECTIVE
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=Goal.Level.choices, initial=Goal.Level.PERSON
    )
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=Cycle.objects.exclude(state=Cycle.State.CLOSED)
    )
    owner_unit = forms.ModelChoiceField(
        label=_("Owner unit (unit or company goals)"), queryset=Unit.objects.all(), required=False
    )
    parent = forms.ModelChoiceField(
        label=_("Aligned to"), queryset=Goal.objects.none(), required=False
    )
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Goal.Priority.choices, initial=Goal.Priority.CORE
    )
    commitment = forms.ChoiceField(
        label=_("Commitment"), choices=Goal.Commitment.choices, initial=Goal.Commitment.COMMITTED
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Goal.Visibility.choices, initial=Goal.Visibility.PUBLIC
    )
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=8, decimal_places=3, min_value=0, initial=1
    )
    starts_on = forms.DateField(
        label=_("Pace starts on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Optional: when work on the goal starts (default: the later of the "
            "cycle's start and the day the goal is created)."
        ),
    )

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.queryset = (
            permissions.visible_goals(viewer)
            .exclude(state__in=[Goal.State.CLOSED, Goal.State.RETURNED])
            .exclude(cycle__state=Cycle.State.CLOSED)
        )
        # The picker offers a bounded list (company and unit goals first, the chosen one kept);
        # the search box above it finds any other: validation still takes any goal above.
        chosen = self["parent"].value()
        offered = selectors.parent_candidates(
            viewer, selected=int(chosen) if str(chosen or "").isdigit() else None
        )
        parent.widget.choices = [("", "---------")] + [
            (g.pk, selectors.parent_label(g)) for g in offered
        ]


class KeyResultForm(Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Key result"), max_length=300)
    metric = forms.SlugField(label=_("Metric"), max_length=100, required=False)
    unit = forms.CharField(label=_("Unit of measure"), max_length=40, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=KeyResult.Direction.choices)
    start_value = forms.DecimalField(label=_("Start"), max_digits=20, decimal_places=4, initial=0)
    target_value = forms.DecimalField(label=_("Target"), max_digits=20, decimal_places=4)
    target_high = forms.DecimalField(
        label=_("Upper bound (stay between)"),
        max_digits=20,
        decimal_places=4,
        required=False,
        help_text=_("Only for “stay between”: the target above is the lower bound."),
    )
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=8, decimal_places=3, min_value=0, initial=1
    )
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("target_value"), data.get("target_high")
        if data.get("direction") == KeyResult.Direction.RANGE:
            if high is None:
                self.add_error("target_high", _("Give the upper bound of the range."))
            elif low is not None and high <= low:
                self.add_error(
                    "target_high", _("The upper bound must be greater than the lower bound.")
                )
        elif high is not None:
            self.add_error("target_high", _("Only a “stay between” key result has an upper bound."))
        return data


KeyResultFormSet = forms.formset_factory(
    KeyResultForm, extra=1, can_delete=True, max_num=50, validate_max=True
)


def with_one_more_key_result(data, prefix: str = "kr"):
    """The posted data with room for one more key result (the form's "Add a key result")."""
    data = data.copy()
    total = f"{prefix}-TOTAL_FORMS"
    count = int(data.get(total) or 0) if str(data.get(total) or "0").isdigit() else 0
    if count >= KeyResultFormSet.max_num:
        return data
    data[total] = str(count + 1)
    # The new row starts from the form's defaults, so that it counts as unchanged (and is
    # neither judged nor saved) until something is typed into it.
    for name, field in KeyResultForm.base_fields.items():
        if field.initial is not None:
            data[f"{prefix}-{count}-{name}"] = str(field.initial)
    return data


class MeasureForm(Form):
    value = forms.DecimalField(label=_("New value"), max_digits=20, decimal_places=4)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class AdjustmentForm(Form):
    key_result = forms.ModelChoiceField(label=_("Key result"), queryset=KeyResult.objects.none())
    new_target = forms.DecimalField(label=_("New target"), max_digits=20, decimal_places=4)
    reason = forms.ChoiceField(label=_("Reason"), choices=TargetAdjustment.Reason.choices)
    evidence = forms.CharField(
        label=_("Impact and evidence"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, goal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_result"].queryset = goal.key_results.all()


SPLIT_CHOICES = [
    ("equal", _("Equally")),
    ("weights", _("By weights")),
    ("history", _("By each owner's history")),
]


class CascadeForm(Form):
    key_result = forms.ModelChoiceField(
        label=_("Key result to split"), queryset=KeyResult.objects.none()
    )
    split = forms.ChoiceField(label=_("Split"), choices=SPLIT_CHOICES, initial="equal")
    aggregation = forms.ChoiceField(
        label=_("Roll their results up as"),
        choices=KeyResult.Aggregation.choices,
        initial=KeyResult.Aggregation.SUM,
        required=False,
        help_text=_("A sum for counts and money, a weighted mean for rates and percentages."),
    )
    title = forms.CharField(label=_("Title of the child goals"), max_length=300, required=False)
    apply_templates = forms.BooleanField(
        label=_("Add key results from the goal templates for each person's level and tenure"),
        required=False,
    )

    def __init__(self, *args, goal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_result"].queryset = goal.key_results.filter(
            direction__in=[KeyResult.Direction.INCREASE, KeyResult.Direction.DECREASE]
        )


class CycleForm(Form):
    """A cycle's name, cadence and dates (overlap and the year range are the service's)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Cycle.Kind.choices, initial="quarter")
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    parent = forms.ModelChoiceField(
        label=_("Parent cycle"), queryset=Cycle.objects.none(), required=False
    )

    def __init__(self, *args, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Cycle.objects.order_by("-starts_on", "kind")
        if cycle is not None:
            parents = parents.exclude(pk=cycle.pk)
        self.fields["parent"].queryset = parents


class TransitionForm(Form):
    to = forms.ChoiceField(label=_("Move to"), choices=Cycle.State.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
    close_anyway = forms.BooleanField(label=_("Close anyway"), required=False)
