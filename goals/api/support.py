"""REST API for support agreements between goals of different units.

/api/v1/support-requests/                        list (filters state, goal, supporting_goal), create
/api/v1/support-requests/{id}/                   retrieve
/api/v1/support-requests/{id}/accept/            the supporting side (or, after a counter-proposal,
                                                 the asking side)
/api/v1/support-requests/{id}/decline/           {"reason"}
/api/v1/support-requests/{id}/counter-propose/   {"answer", "amount"?}
/api/v1/support-requests/{id}/withdraw/          the asking side
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import AvailableActionsField, ModelSerializer, Serializer
from goals import permissions, selectors_support, services
from goals.models import VALUE_FIELD, SupportRequest
from org.access import ViewerAPIMixin


class SupportRequestSerializer(ModelSerializer):
    goal_title = serializers.CharField(source="goal.title", read_only=True)
    goal_owner = serializers.CharField(source="goal.owner_name", read_only=True)
    supporting_goal_title = serializers.CharField(source="supporting_goal.title", read_only=True)
    supporting_goal_owner = serializers.CharField(
        source="supporting_goal.owner_name", read_only=True
    )
    key_result_name = serializers.CharField(source="key_result.name", read_only=True, default=None)
    requested_by_name = serializers.CharField(
        source="requested_by.display_name", read_only=True, default=None
    )
    decided_by_name = serializers.CharField(
        source="decided_by.display_name", read_only=True, default=None
    )
    available_actions = AvailableActionsField(
        decide=permissions.support_actions,
        help_text="What the caller may do now: accept, decline, counter_propose, withdraw "
        "(POST the endpoint of that name, counter-propose/ for counter_propose).",
    )

    class Meta:
        model = SupportRequest
        fields = [
            "id",
            "goal",
            "goal_title",
            "goal_owner",
            "supporting_goal",
            "supporting_goal_title",
            "supporting_goal_owner",
            "key_result",
            "key_result_name",
            "need",
            "amount",
            "state",
            "answer",
            "counter_amount",
            "requested_by",
            "requested_by_name",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "created_at",
            "available_actions",
        ]
        read_only_fields = fields


class SupportRequestCreateSerializer(Serializer):
    goal = serializers.IntegerField(help_text="The goal that needs support (yours).")
    supporting_goal = serializers.IntegerField(help_text="Another unit's goal, asked to support.")
    key_result = serializers.IntegerField(
        required=False, allow_null=True, help_text="A key result of the supporting goal."
    )
    need = serializers.CharField(help_text="What you need, in words.")
    amount = serializers.DecimalField(required=False, allow_null=True, **VALUE_FIELD)

    def validate(self, attrs):
        visible = permissions.visible_goals(self.context["viewer"]).select_related(
            "cycle", "owner_person", "owner_unit"
        )
        for field in ("goal", "supporting_goal"):
            goal = visible.filter(pk=attrs[field]).first()
            if goal is None:
                raise serializers.ValidationError({field: _("Unknown goal.")})
            attrs[field] = goal
        if attrs.get("key_result") is not None:
            kr = attrs["supporting_goal"].key_results.filter(pk=attrs["key_result"]).first()
            if kr is None:
                raise serializers.ValidationError(
                    {"key_result": _("Choose a key result of the goal you ask for support.")}
                )
            attrs["key_result"] = kr
        return attrs


class DeclineSerializer(Serializer):
    reason = serializers.CharField()


class CounterSerializer(Serializer):
    answer = serializers.CharField(help_text="What you can offer instead.")
    amount = serializers.DecimalField(required=False, allow_null=True, **VALUE_FIELD)


class SupportRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=SupportRequest.State.choices)
    goal = django_filters.NumberFilter(field_name="goal_id")
    supporting_goal = django_filters.NumberFilter(field_name="supporting_goal_id")

    class Meta:
        model = SupportRequest
        fields = ["state", "goal", "supporting_goal"]


class SupportRequestViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Support requests between goals of different units that the caller may see (both goals
    visible to them). Accepting one makes the supporting goal support the goal that asked."""

    serializer_class = SupportRequestSerializer
    filterset_class = SupportRequestFilter
    queryset = SupportRequest.objects.none()

    def get_queryset(self):
        return selectors_support.support_requests(self.viewer)

    def _respond(self, obj, status=200):
        obj = permissions.get_support_request_for(self.viewer, obj.pk)
        return Response(
            SupportRequestSerializer(obj, context=self.get_serializer_context()).data,
            status=status,
        )

    @extend_schema(
        request=SupportRequestCreateSerializer, responses={201: SupportRequestSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = SupportRequestCreateSerializer(data=request.data, context={"viewer": self.viewer})
        data.is_valid(raise_exception=True)
        obj = services.request_support(actor=self.person, **data.validated_data)
        return self._respond(obj, status=201)

    @extend_schema(request=None, responses={200: SupportRequestSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        obj = permissions.get_support_request_for(self.viewer, pk, permissions.ACCEPT)
        return self._respond(services.accept_support(actor=self.person, request=obj))

    @extend_schema(request=DeclineSerializer, responses={200: SupportRequestSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        obj = permissions.get_support_request_for(self.viewer, pk, permissions.DECLINE)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.decline_support(actor=self.person, request=obj, **data.validated_data)
        )

    @extend_schema(request=CounterSerializer, responses={200: SupportRequestSerializer})
    @action(detail=True, methods=["post"], url_path="counter-propose")
    def counter_propose(self, request, pk=None):
        obj = permissions.get_support_request_for(self.viewer, pk, permissions.COUNTER)
        data = CounterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.counter_propose_support(actor=self.person, request=obj, **data.validated_data)
        )

    @extend_schema(request=None, responses={200: SupportRequestSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        obj = permissions.get_support_request_for(self.viewer, pk, permissions.WITHDRAW)
        return self._respond(services.withdraw_support(actor=self.person, request=obj))
