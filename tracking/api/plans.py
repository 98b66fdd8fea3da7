"""/api/v1/improvement-plans/: plans with their actions; made by hand or, in one step, from an
off-track key result update of a check-in."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from core.api import ModelSerializer, Serializer
from goals import permissions as goal_permissions
from goals.models import Goal, KeyResult
from org import permissions as org_permissions
from org.access import ViewerAPIMixin
from org.models import Person
from tracking import permissions, services
from tracking.models import ImprovementAction, ImprovementPlan, KeyResultUpdate

from .common import choice_field, validated


class ImprovementActionSerializer(ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    kind = choice_field(ImprovementAction.Kind.choices, read_only=True)
    state = choice_field(ImprovementAction.State.choices, read_only=True)

    class Meta:
        model = ImprovementAction
        fields = ["id", "kind", "description", "owner", "owner_name", "due_on", "state"]


class ImprovementPlanSerializer(ModelSerializer):
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    actions = ImprovementActionSerializer(many=True, read_only=True)
    state = choice_field(ImprovementPlan.State.choices, read_only=True)

    class Meta:
        model = ImprovementPlan
        fields = [
            "id",
            "person",
            "person_name",
            "goal",
            "key_result",
            "title",
            "source",
            "state",
            "created_by",
            "created_at",
            "actions",
        ]
        read_only_fields = fields


class ActionInputSerializer(Serializer):
    kind = choice_field(ImprovementAction.Kind.choices)
    description = serializers.CharField()
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.filter(is_active=True))
    due_on = serializers.DateField(required=False, allow_null=True)


class PlanInputSerializer(Serializer):
    update = serializers.IntegerField(
        required=False,
        help_text="A key result update of a check-in: the plan is made for its off-track key "
        "result (person, goal and key result follow from it).",
    )
    person = serializers.IntegerField(required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    goal = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), required=False)
    key_result = serializers.PrimaryKeyRelatedField(
        queryset=KeyResult.objects.select_related("goal"), required=False
    )
    actions = ActionInputSerializer(many=True)

    def validate(self, attrs):
        if "update" not in attrs and "person" not in attrs:
            raise serializers.ValidationError({"person": [_("Give a person or an update.")]})
        if "update" not in attrs and not attrs.get("title"):
            raise serializers.ValidationError({"title": [_("This field is required.")]})
        return attrs


class _ScopedPlanInput(PlanInputSerializer):
    """The goal and key result a plan names are looked up among those the caller may see: an
    invisible one is unknown, exactly like an id that does not exist."""

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goal_permissions.visible_goals(viewer)
        self.fields["key_result"].queryset = goal_permissions.visible_key_results(
            viewer
        ).select_related("goal")


class ActionStateInputSerializer(Serializer):
    action = serializers.IntegerField()
    state = choice_field(ImprovementAction.State.choices)


class ImprovementPlanFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ImprovementPlan.State.choices)

    class Meta:
        model = ImprovementPlan
        fields = ["person", "goal", "state"]


class ImprovementPlanViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Improvement plans of the people you follow (yourself, your team, the units you partner)
    and those with an action you own."""

    serializer_class = ImprovementPlanSerializer
    filterset_class = ImprovementPlanFilter

    def get_queryset(self):
        viewer = self.viewer.person
        return (
            permissions.visible_improvement_plans(viewer)
            .select_related("person")
            .prefetch_related(
                Prefetch("actions", queryset=ImprovementAction.objects.select_related("owner"))
            )
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=PlanInputSerializer, responses={201: ImprovementPlanSerializer})
    def create(self, request):
        viewer = self.person
        data = validated(_ScopedPlanInput, request.data, viewer=viewer)
        actions = [dict(a) for a in data["actions"]]
        if "update" in data:
            update = (
                KeyResultUpdate.objects.filter(
                    pk=data["update"], check_in__in=permissions.visible_check_ins(viewer)
                )
                .select_related("check_in__person", "key_result__goal")
                .first()
            )
            if update is None:
                raise serializers.ValidationError({"update": [_("Unknown update.")]})
            plan = services.create_plan_from_update(
                actor=viewer, update=update, actions=actions, title=data.get("title", "")
            )
        else:
            person = org_permissions.get_person_for(viewer, data["person"])
            plan = services.plan_improvement(
                actor=viewer,
                person=person,
                title=data["title"],
                actions=actions,
                goal=data.get("goal"),
                key_result=data.get("key_result"),
            )
        return Response(
            ImprovementPlanSerializer(self.get_queryset().get(pk=plan.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ActionStateInputSerializer, responses=ImprovementPlanSerializer)
    @route(detail=True, methods=["post"], url_path="action-state")
    def action_state(self, request, pk=None):
        """Move one of the plan's actions to todo, doing or done; the plan is done when all
        its actions are."""
        viewer = self.person
        plan = permissions.get_improvement_plan_for(viewer, pk)
        data = validated(ActionStateInputSerializer, request.data)
        item = plan.actions.filter(pk=data["action"]).first()
        if item is None:
            raise serializers.ValidationError({"action": [_("Unknown action.")]})
        services.set_improvement_action_state(actor=viewer, action=item, state=data["state"])
        return Response(ImprovementPlanSerializer(self.get_queryset().get(pk=plan.pk)).data)
