"""The rule editor form. Kind parameters are plain fields here; `incentives.rules` validates
them (through the service) and its `params.*` errors are put back on these fields."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from goals.models import Cycle
from incentives import permissions
from incentives.models import IncentiveRule, Period
from incentives.rules import RECOGNITION_METRICS
from org.models import Person

PARAM_FIELDS = {
    "tiered_bonus": [],
    "commission": ["metric", "rate", "value_per_unit"],
    "milestone": ["amount", "metric", "include_target"],
    "recognition": ["recognition_metric", "top_n", "title", "amount", "per_unit"],
    "promotion_points": ["threshold", "points"],
    "deferred": ["threshold", "amount", "vesting_periods"],
}
PARAM_NAMES = [
    "metric", "rate", "value_per_unit", "amount", "include_target", "recognition_metric",
    "top_n", "title", "per_unit", "threshold", "points", "vesting_periods",
]  # fmt: skip
RULE_MODEL_FIELDS = [
    "name", "description", "unit", "levels", "period", "cycle", "require_agreed_goals",
    "min_check_in_rate", "min_tenure_days", "unit_goals_weight", "kind", "currency", "cap",
    "is_active",
]  # fmt: skip


class RuleForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    unit = forms.ModelChoiceField(label=_("Scope (unit and below)"), queryset=None)
    levels = forms.MultipleChoiceField(
        label=_("Levels (none: all)"),
        choices=Person.Level.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    cycle = forms.ModelChoiceField(
        label=_("Cycle (for per-cycle rules)"), queryset=Cycle.objects.all(), required=False
    )
    require_agreed_goals = forms.BooleanField(
        label=_("Agreed goals required"), required=False, initial=True
    )
    min_check_in_rate = forms.FloatField(
        label=_("Minimum check-in completion rate (0–1)"), initial=0, min_value=0, max_value=1
    )
    min_tenure_days = forms.IntegerField(label=_("Minimum tenure (days)"), initial=0, min_value=0)
    min_rating = forms.TypedChoiceField(
        label=_("Minimum performance rating"),
        choices=[("", _("Ratings do not count")), *[(n, str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("The final rating of the person's released review for the period."),
    )
    unit_goals_weight = forms.DecimalField(
        label=_("Weight of the goals of units a person heads"),
        initial=1,
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("0: a manager counts only their own goals."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=IncentiveRule.Kind.choices)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    cap = forms.DecimalField(
        label=_("Cap per person and period"), required=False, max_digits=14, decimal_places=2
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    # kind parameters
    metric = forms.CharField(label=_("Key result metric"), required=False)
    rate = forms.CharField(label=_("Rate (e.g. 0.03)"), required=False)
    value_per_unit = forms.CharField(label=_("Value per unit of the metric"), required=False)
    amount = forms.CharField(label=_("Amount"), required=False)
    include_target = forms.BooleanField(
        label=_("The target counts as a milestone"), required=False, initial=True
    )
    recognition_metric = forms.ChoiceField(
        label=_("Rank by"),
        choices=[(m, m) for m in RECOGNITION_METRICS],
        required=False,
    )
    top_n = forms.CharField(label=_("How many (top N)"), required=False)
    title = forms.CharField(label=_("Recognition title"), required=False)
    per_unit = forms.BooleanField(label=_("Rank within each unit"), required=False)
    threshold = forms.CharField(label=_("Attainment threshold (1 = 100 %)"), required=False)
    points = forms.CharField(label=_("Points per period"), required=False)
    vesting_periods = forms.CharField(label=_("Vesting periods"), required=False)

    def __init__(self, *args, viewer: Person, tiers: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = permissions.manageable_units(viewer)
        self.fields["recognition_metric"].choices = [
            ("attainment", _("Goal attainment")),
            ("streak", _("Check-in streak")),
            ("progress_gained", _("Progress gained in the period")),
        ]
        self.tiers = tiers or []
        self.tier_errors: list[str] = []

    def rule_part(self) -> list:
        names = list(RULE_MODEL_FIELDS)
        names.insert(names.index("min_tenure_days") + 1, "min_rating")
        return [self[name] for name in names]

    def params_part(self) -> list:
        """Each kind parameter with the kinds it belongs to (the page shows only the chosen
        kind's)."""
        kind = self["kind"].value() or IncentiveRule.Kind.TIERED_BONUS
        rows = []
        for name in PARAM_NAMES:
            kinds = [k for k, names in PARAM_FIELDS.items() if name in names]
            rows.append({"field": self[name], "kinds": " ".join(kinds), "shown": kind in kinds})
        return rows

    def current_kind(self) -> str:
        return self["kind"].value() or IncentiveRule.Kind.TIERED_BONUS

    @staticmethod
    def initial_for(rule: IncentiveRule) -> dict:
        data = {name: getattr(rule, name) for name in RULE_MODEL_FIELDS}
        data["unit"], data["cycle"] = rule.unit_id, rule.cycle_id
        params = dict(rule.params)
        if rule.kind == "recognition":
            params["recognition_metric"] = params.pop("metric", "attainment")
        return data | params

    def params(self) -> dict:
        kind = self.cleaned_data.get("kind")
        data = {}
        for name in PARAM_FIELDS.get(kind, []):
            key = "metric" if name == "recognition_metric" else name
            value = self.cleaned_data.get(name)
            if value not in ("", None):  # left empty: the kind's default applies
                data[key] = value
        if kind == "tiered_bonus":
            data["tiers"] = self.tiers
        if self.cleaned_data.get("min_rating"):
            data["min_rating"] = self.cleaned_data["min_rating"]
        return data

    def rule_fields(self) -> dict:
        fields = {name: self.cleaned_data.get(name) for name in RULE_MODEL_FIELDS}
        fields["params"] = self.params()
        fields["levels"] = list(fields["levels"] or [])
        if fields["unit_goals_weight"] is None:
            fields["unit_goals_weight"] = Decimal("1")
        return fields

    def apply_errors(self, exc: ValidationError) -> None:
        """Put a service's errors on the fields they name."""
        kind = self.cleaned_data.get("kind")
        for key, messages in exc.message_dict.items():
            field = key.removeprefix("params.")
            if field.startswith("tiers"):
                self.tier_errors.extend(messages)
                continue
            if field == "metric" and kind == "recognition":
                field = "recognition_metric"
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


def tiers_from_post(data) -> list[dict]:
    thresholds = data.getlist("tier_threshold")
    amounts = data.getlist("tier_amount")
    rows = []
    for threshold, amount in zip(thresholds, amounts, strict=False):
        if str(threshold).strip() or str(amount).strip():
            rows.append({"threshold": threshold.strip(), "amount": amount.strip()})
    return rows


class EvaluateForm(Form):
    period_start = forms.DateField(
        label=_("A date in the period"), widget=forms.DateInput(attrs={"type": "date"})
    )
