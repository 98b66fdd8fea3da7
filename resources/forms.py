"""Forms for the resource pages. They only shape input; the services validate the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from goals.models import Cycle, KeyResult
from org.models import Unit
from resources.models import DEFAULT_CURRENCY, BudgetCategory, ResourceRequest


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} · {obj.owner_name} · {obj.cycle.name}"


class KeyResultChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.goal.title} → {obj.name}"


class ResourceRequestForm(Form):
    goal = GoalChoiceField(label=_("Goal it serves"), queryset=None)
    key_result = KeyResultChoiceField(
        label=_("Key result (optional)"), queryset=None, required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceRequest.Kind.choices)
    title = forms.CharField(label=_("What is needed"), max_length=200)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial=DEFAULT_CURRENCY)
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=1)
    category = forms.ChoiceField(
        label=_("Budget category"),
        choices=[("", _("By kind")), *BudgetCategory.choices],
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=_("Addressed to"),
        queryset=Unit.objects.all(),
        help_text=_("Your own unit, or another department for a cross-department request."),
    )
    needed_by = forms.DateField(
        label=_("Needed by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How does this close the gap on the goal?"),
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        self.fields["key_result"].queryset = (
            KeyResult.objects.filter(goal__in=goals.values("pk"))
            .select_related("goal")
            .order_by("goal__title", "position", "pk")
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        for field, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ApproveForm(Form):
    granted_amount = forms.CharField(label=_("Grant"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea)


class BudgetForm(Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.all())
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    allocated = forms.DecimalField(label=_("Allocated"), min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial=DEFAULT_CURRENCY)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def add_service_errors(self, exc: ValidationError) -> None:
        for field, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
