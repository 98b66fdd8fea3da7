"""Serializers of the goals API: read shapes and validated inputs (writes go to services)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import AvailableActionsField, ModelSerializer, Serializer
from goals import permissions
from goals.models import Cycle, Goal, GoalSettings, KeyResult, Measurement, TargetAdjustment
from org import permissions as org_permissions
from org.models import Unit

VALUE = {"max_digits": 20, "decimal_places": 4}
WEIGHT = {"max_digits": 8, "decimal_places": 3, "min_value": 0}


class CycleSerializer(ModelSerializer):
    class Meta:
        model = Cycle
        fields = ["id", "name", "kind", "starts_on", "ends_on", "parent", "state", "closed_at"]
        read_only_fields = ["closed_at"]
        extra_kwargs = {
            "state": {"help_text": "Read here; changed through POST /cycles/{id}/transition/."}
        }


class KeyResultSerializer(ModelSerializer):
    contributors = serializers.SerializerMethodField()
    attainment = serializers.SerializerMethodField()
    expected_progress = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = KeyResult
        fields = [
            "id",
            "goal",
            "name",
            "metric",
            "unit",
            "direction",
            "start_value",
            "target_value",
            "target_high",
            "current_value",
            "weight",
            "due_on",
            "milestones",
            "position",
            "source",
            "aggregation",
            "contributes_to",
            "contribution_weight",
            "contributors",
            "progress",
            "attainment",
            "expected_progress",
            "status",
        ]
        read_only_fields = fields

    def _today(self):
        if "today" not in self.context:
            self.context["today"] = timezone.localdate()
        return self.context["today"]

    def _settings(self) -> GoalSettings:
        if "goal_settings" not in self.context:
            self.context["goal_settings"] = GoalSettings.load()
        return self.context["goal_settings"]

    def get_contributors(self, obj: KeyResult) -> list[int]:
        """Ids of the key results that roll up into this one (a cascade's split)."""
        return [kr.pk for kr in obj.contributors.all()]

    def get_attainment(self, obj: KeyResult) -> float:
        return round(obj.attainment(), 4)

    def get_expected_progress(self, obj: KeyResult) -> float:
        return round(obj.expected_progress(self._today()), 4)

    def get_status(self, obj: KeyResult) -> str:
        return obj.status(self._today(), self._settings())


class GoalSerializer(ModelSerializer):
    key_results = KeyResultSerializer(many=True, read_only=True)
    owner_name = serializers.CharField(read_only=True)
    expected_score = serializers.SerializerMethodField()
    progress_source = serializers.SerializerMethodField(
        help_text="Where progress comes from: the goal's key results, or (an objective with "
        "none) its child goals."
    )
    pace_start = serializers.DateField(read_only=True)
    available_actions = AvailableActionsField(
        decide=permissions.available_actions,
        help_text="What the caller may do with the goal now, in this order: edit (PATCH), "
        "propose, agree, return, counter_propose (POST counter-propose/), close, self_score and "
        "manager_score (POST score/), cascade, adjust (POST /adjustments/), measure (POST "
        "/key-results/{id}/measurements/).",
    )

    class Meta:
        model = Goal
        fields = [
            "id",
            "kind",
            "level",
            "title",
            "description",
            "category",
            "owner_person",
            "owner_unit",
            "owner_name",
            "cycle",
            "parent",
            "supports",
            "priority",
            "commitment",
            "expected_score",
            "weight",
            "visibility",
            "state",
            "progress_source",
            "progress",
            "starts_on",
            "pace_start",
            "self_score",
            "manager_score",
            "score_comment",
            "score",
            "carried_from",
            "version",
            "return_comment",
            "agreed_at",
            "key_results",
            "available_actions",
        ]
        read_only_fields = fields

    def get_progress_source(self, obj: Goal) -> str:
        return "key_results" if obj.key_results.all() else "children"

    def get_expected_score(self, obj: Goal) -> float:
        if obj.commitment == Goal.Commitment.ASPIRATIONAL:
            if "goal_settings" not in self.context:
                self.context["goal_settings"] = GoalSettings.load()
            return self.context["goal_settings"].aspirational_expectation
        return 1.0


class KeyResultInputSerializer(Serializer):
    id = serializers.IntegerField(required=False)
    name = serializers.CharField(max_length=300)
    metric = serializers.SlugField(max_length=100, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True)
    direction = serializers.ChoiceField(choices=KeyResult.Direction.choices, required=False)
    start_value = serializers.DecimalField(**VALUE, required=False)
    target_value = serializers.DecimalField(**VALUE)
    target_high = serializers.DecimalField(**VALUE, required=False, allow_null=True)
    current_value = serializers.DecimalField(**VALUE, required=False)
    weight = serializers.DecimalField(**WEIGHT, required=False)
    due_on = serializers.DateField(required=False, allow_null=True)
    milestones = serializers.ListField(child=serializers.DictField(), required=False)


class _ScopedMixin:
    """Related choices limited to what the requesting person may see."""

    def scope_fields(self):
        request = self.context.get("request")
        viewer = getattr(request, "viewer", None)
        if "owner_person" in self.fields:
            self.fields["owner_person"].queryset = org_permissions.visible_people(viewer)
        if "parent" in self.fields:
            self.fields["parent"].queryset = permissions.visible_goals(viewer).select_related(
                "cycle"
            )
        if "supports" in self.fields:
            self.fields["supports"].child_relation.queryset = permissions.visible_goals(viewer)


class GoalCreateSerializer(_ScopedMixin, Serializer):
    kind = serializers.ChoiceField(choices=Goal.Kind.choices, default=Goal.Kind.OBJECTIVE)
    level = serializers.ChoiceField(choices=Goal.Level.choices)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    owner_person = serializers.PrimaryKeyRelatedField(
        queryset=org_permissions.visible_people(None), required=False, allow_null=True
    )
    owner_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.none(), required=False, allow_null=True
    )
    priority = serializers.ChoiceField(choices=Goal.Priority.choices, default=Goal.Priority.CORE)
    commitment = serializers.ChoiceField(
        choices=Goal.Commitment.choices, default=Goal.Commitment.COMMITTED
    )
    weight = serializers.DecimalField(**WEIGHT, default=1)
    visibility = serializers.ChoiceField(
        choices=Goal.Visibility.choices, default=Goal.Visibility.PUBLIC
    )
    starts_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Where the expected pace starts; by default the later of the cycle's start "
        "and today.",
    )
    key_results = KeyResultInputSerializer(many=True, required=False, default=list)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope_fields()


class GoalUpdateSerializer(_ScopedMixin, Serializer):
    version = serializers.IntegerField(
        help_text="The version you read; a stale one answers 409 naming who changed it."
    )
    kind = serializers.ChoiceField(choices=Goal.Kind.choices, required=False)
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.none(), required=False, allow_null=True
    )
    supports = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.none(), many=True, required=False
    )
    priority = serializers.ChoiceField(choices=Goal.Priority.choices, required=False)
    commitment = serializers.ChoiceField(choices=Goal.Commitment.choices, required=False)
    weight = serializers.DecimalField(**WEIGHT, required=False)
    visibility = serializers.ChoiceField(choices=Goal.Visibility.choices, required=False)
    starts_on = serializers.DateField(required=False, allow_null=True)
    key_results = KeyResultInputSerializer(many=True, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope_fields()


class CommentSerializer(Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class CloseSerializer(Serializer):
    score = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1)


class CounterProposeSerializer(Serializer):
    comment = serializers.CharField()
    targets = serializers.DictField(
        child=serializers.DecimalField(**VALUE),
        required=False,
        help_text="{key result id: new target}",
    )


class CascadeChildSerializer(Serializer):
    owner_person = serializers.IntegerField(required=False)
    owner_unit = serializers.IntegerField(required=False)
    weight = serializers.DecimalField(**WEIGHT, required=False)


class CascadeSerializer(Serializer):
    key_result = serializers.IntegerField()
    split = serializers.ChoiceField(choices=["equal", "weights", "history"], default="equal")
    aggregation = serializers.ChoiceField(
        choices=KeyResult.Aggregation.choices,
        default=KeyResult.Aggregation.SUM,
        help_text="How the children's values roll up into the split key result.",
    )
    children = CascadeChildSerializer(many=True)
    dry_run = serializers.BooleanField(default=False)
    apply_templates = serializers.BooleanField(default=False)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CascadeRowSerializer(Serializer):
    owner_person = serializers.IntegerField(allow_null=True)
    owner_unit = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField()
    target_value = serializers.DecimalField(**VALUE)
    start_value = serializers.DecimalField(**VALUE)
    goal = serializers.IntegerField(allow_null=True)


class CascadeResultSerializer(Serializer):
    split = serializers.CharField()
    total = serializers.DecimalField(**VALUE)
    parent_target = serializers.DecimalField(**VALUE)
    fallback = serializers.CharField()
    dry_run = serializers.BooleanField()
    children = CascadeRowSerializer(many=True)


class VerdictSerializer(Serializer):
    status = serializers.ChoiceField(choices=["pass", "warn", "fail"])
    message = serializers.CharField()


class SmartSerializer(Serializer):
    specific = VerdictSerializer()
    measurable = VerdictSerializer()
    achievable = VerdictSerializer()
    relevant = VerdictSerializer()
    time_bound = VerdictSerializer()


class TreeNodeSerializer(Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    level = serializers.CharField()
    state = serializers.CharField()
    owner_name = serializers.CharField()
    progress = serializers.FloatField()
    weight = serializers.DecimalField(**WEIGHT)
    children = serializers.ListField(child=serializers.DictField())


@extend_schema_field(
    {
        "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}],
        "nullable": True,
        "description": "The raw value: text, a number (also the id of a related row), a "
        "yes/no, or null.",
    }
)
class HistoryValueField(serializers.JSONField):
    """A value of a history row as stored (`selectors.goal_history`): not always text."""


class HistoryChangeSerializer(Serializer):
    field = serializers.CharField()
    old = HistoryValueField(allow_null=True)
    new = HistoryValueField(allow_null=True)


class HistoryEntrySerializer(Serializer):
    object = serializers.CharField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    at = serializers.DateTimeField()
    by = serializers.CharField()
    reason = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)


class MeasurementSerializer(ModelSerializer):
    class Meta:
        model = Measurement
        fields = [
            "id",
            "key_result",
            "value",
            "effective_at",
            "recorded_at",
            "source",
            "note",
            "recorded_by",
            "recorded_by_account",
            "external_id",
        ]
        read_only_fields = fields


class MeasurementInputSerializer(Serializer):
    value = serializers.CharField(help_text="A number, e.g. 12 or 12.5")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    effective_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the value was true (default: now). A value older than the key "
        "result's latest one is kept in the history and does not replace it.",
    )
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="Your id for this value, unique per sender: a repeat records nothing and "
        "answers the existing row.",
    )


class AdjustmentSerializer(ModelSerializer):
    goal = serializers.IntegerField(source="key_result.goal_id", read_only=True)

    class Meta:
        model = TargetAdjustment
        fields = [
            "id",
            "key_result",
            "goal",
            "old_target",
            "new_target",
            "reason",
            "evidence",
            "batch",
            "state",
            "requested_by",
            "decided_by",
            "decision_comment",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class AdjustmentCreateSerializer(Serializer):
    key_result = serializers.IntegerField()
    new_target = serializers.CharField()
    reason = serializers.ChoiceField(choices=TargetAdjustment.Reason.choices)
    evidence = serializers.CharField()


class UnitAdjustmentSerializer(Serializer):
    unit = serializers.IntegerField()
    cycle = serializers.IntegerField()
    factor = serializers.CharField(help_text="0.8 lowers every secondary target by 20 %")
    reason = serializers.ChoiceField(choices=TargetAdjustment.Reason.choices)
    evidence = serializers.CharField()


class CycleTransitionSerializer(Serializer):
    to = serializers.ChoiceField(choices=Cycle.State.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to reopen a closed cycle."
    )
    close_anyway = serializers.BooleanField(
        default=False, help_text="Close although some goals have no manager score."
    )


class CarryOverSerializer(Serializer):
    goals = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1)
    to = serializers.PrimaryKeyRelatedField(
        queryset=Cycle.objects.all(),
        required=False,
        allow_null=True,
        help_text="Default: the next cycle of the same cadence.",
    )
    dry_run = serializers.BooleanField(default=False)


class CarryOverResultSerializer(Serializer):
    to = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    goals = serializers.ListField(
        child=serializers.DictField(), help_text="[{carried_from, id (null on a dry run), title}]"
    )
    skipped = serializers.DictField(child=serializers.CharField(), help_text="{goal id: why}")


class ScoreSerializer(Serializer):
    self_score = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1)
    manager_score = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
