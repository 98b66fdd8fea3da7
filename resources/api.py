"""REST API for resource requests and budgets, thin over the services and selectors.

/api/v1/resource-requests/                 list (filters state, kind, unit, goal), create
/api/v1/resource-requests/{id}/            retrieve
/api/v1/resource-requests/{id}/approve/    {"granted_amount"?, "comment"?}
/api/v1/resource-requests/{id}/reject/     {"comment"}
/api/v1/resource-requests/{id}/fulfil/     {"spent_amount"}
/api/v1/resource-requests/{id}/withdraw/
/api/v1/budgets/                           list, create; /{id}/ retrieve, update
/api/v1/budgets/utilisation/?cycle=
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import AvailableActionsField, ModelSerializer, Serializer
from core.params import is_id
from goals.models import Cycle, KeyResult
from org.access import ViewerAPIMixin
from org.models import Unit
from resources import permissions, selectors, services
from resources.models import Budget, BudgetCategory, ResourceRequest

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- resource requests ---------------------------------------------------------------------


class PrioritySerializer(Serializer):
    score = serializers.FloatField(source="priority_score")
    goal_priority = serializers.CharField(
        source="scoped_goal_priority", help_text="Blank when you may not see the goal."
    )
    goal_weight = serializers.DecimalField(max_digits=8, decimal_places=3)
    gap = serializers.FloatField(source="pace_gap", help_text="Gap to the expected pace, 0–1.")


class ResourceRequestSerializer(ModelSerializer):
    requester_name = serializers.CharField(source="requester.display_name", read_only=True)
    goal_title = serializers.CharField(
        source="scoped_goal_title",
        read_only=True,
        help_text='"a goal you cannot see" when you may not see the goal.',
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    approver_name = serializers.CharField(
        source="approver.display_name", read_only=True, default=None
    )
    priority = PrioritySerializer(source="*", read_only=True)
    # A plain string here: the choices are documented once, on the create request (an enum
    # in both would collide with the unit kinds in the schema's enum names).
    kind = serializers.CharField(
        read_only=True, help_text="people | budget | equipment | training | information"
    )
    available_actions = AvailableActionsField(
        decide=permissions.available_actions,
        help_text="What the caller may do with the request now: approve, reject, fulfil, "
        "withdraw (POST the endpoint of that name).",
    )

    class Meta:
        model = ResourceRequest
        fields = [
            "id",
            "requester",
            "requester_name",
            "goal",
            "goal_title",
            "key_result",
            "kind",
            "category",
            "title",
            "amount",
            "currency",
            "quantity",
            "justification",
            "unit",
            "unit_name",
            "is_cross_unit",
            "approver",
            "approver_name",
            "needed_by",
            "state",
            "priority",
            "decided_by",
            "decided_at",
            "decision_comment",
            "granted_amount",
            "budget",
            "spent_amount",
            "fulfilled_at",
            "created_at",
            "available_actions",
        ]
        read_only_fields = fields


class ResourceRequestCreateSerializer(Serializer):
    goal = serializers.IntegerField(required=False, allow_null=True)
    key_result = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=ResourceRequest.Kind.choices)
    title = serializers.CharField(max_length=200)
    justification = serializers.CharField()
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    category = serializers.ChoiceField(
        choices=BudgetCategory.choices, required=False, allow_blank=True
    )
    needed_by = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        viewer = self.context["viewer"]
        goals = selectors.servable_goals(viewer=viewer)
        if attrs.get("key_result") is not None:
            kr = (
                KeyResult.objects.filter(pk=attrs["key_result"], goal__in=goals.values("pk"))
                .select_related("goal__cycle")
                .first()
            )
            if kr is None:
                raise serializers.ValidationError({"key_result": _("Unknown key result.")})
            attrs["key_result"] = kr
        if attrs.get("goal") is not None:
            goal = goals.filter(pk=attrs["goal"]).first()
            if goal is None:
                raise serializers.ValidationError({"goal": _("Unknown goal.")})
            attrs["goal"] = goal
        return attrs


class ApproveSerializer(Serializer):
    granted_amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(Serializer):
    comment = serializers.CharField()


class FulfilSerializer(Serializer):
    spent_amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)


class ResourceRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ResourceRequest.State.choices)
    kind = django_filters.ChoiceFilter(choices=ResourceRequest.Kind.choices)
    unit = django_filters.NumberFilter(field_name="unit_id")
    goal = django_filters.NumberFilter(field_name="goal_id")

    class Meta:
        model = ResourceRequest
        fields = ["state", "kind", "unit", "goal"]


class ResourceRequestViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Resource requests the signed-in person may see: their own, their reports', those
    addressed to units they head, those their HRBP assignments cover; admins see all.
    Sorted by priority (core goals first, then gap to pace times weight)."""

    serializer_class = ResourceRequestSerializer
    filterset_class = ResourceRequestFilter
    queryset = ResourceRequest.objects.none()

    def get_queryset(self):
        viewer = self.viewer.person
        return selectors.resource_requests(viewer=viewer).order_by(
            "-priority_score", "created_at", "pk"
        )

    def _get(self, pk):
        return permissions.get_resource_request_for(self.person, pk)

    def _respond(self, obj):
        obj = permissions.get_resource_request_for(self.person, obj.pk)
        return Response(ResourceRequestSerializer(obj, context=self.get_serializer_context()).data)

    @extend_schema(
        request=ResourceRequestCreateSerializer, responses={201: ResourceRequestSerializer}
    )
    def create(self, request, *args, **kwargs):
        viewer = self.person
        data = ResourceRequestCreateSerializer(data=request.data, context={"viewer": viewer})
        data.is_valid(raise_exception=True)
        obj = services.submit_request(requester=viewer, **data.validated_data)
        response = self._respond(obj)
        response.status_code = 201
        return response

    @extend_schema(request=ApproveSerializer, responses={200: ResourceRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve in full, or partly with a `granted_amount` below what was asked. Money is
        committed against the addressed unit's budget; beyond what remains is a 400."""
        obj = self._get(pk)
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.approve_request(actor=self.person, request=obj, **data.validated_data)
        return self._respond(obj)

    @extend_schema(request=RejectSerializer, responses={200: ResourceRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        obj = self._get(pk)
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.reject_request(actor=self.person, request=obj, **data.validated_data)
        return self._respond(obj)

    @extend_schema(request=FulfilSerializer, responses={200: ResourceRequestSerializer})
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        """Record the delivery and, for money, the actual spend (the rest is released)."""
        obj = self._get(pk)
        data = FulfilSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.fulfil_request(actor=self.person, request=obj, **data.validated_data)
        return self._respond(obj)

    @extend_schema(request=None, responses={200: ResourceRequestSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        obj = self._get(pk)
        obj = services.withdraw_request(actor=self.person, request=obj)
        return self._respond(obj)


# --- budgets -------------------------------------------------------------------------------


class BudgetSerializer(ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    remaining = serializers.DecimalField(read_only=True, **MONEY)
    utilisation = serializers.FloatField(source="used_ratio", read_only=True)

    class Meta:
        model = Budget
        fields = [
            "id",
            "unit",
            "unit_name",
            "cycle",
            "cycle_name",
            "category",
            "currency",
            "allocated",
            "committed",
            "spent",
            "remaining",
            "utilisation",
        ]
        read_only_fields = fields


class BudgetCreateSerializer(Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    allocated = serializers.DecimalField(min_value=0, **MONEY)
    currency = serializers.CharField(max_length=3, required=False)


class BudgetUpdateSerializer(Serializer):
    allocated = serializers.DecimalField(min_value=0, required=False, **MONEY)
    currency = serializers.CharField(max_length=3, required=False)


class UtilisationRowSerializer(Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    category = serializers.CharField(required=False)
    currency = serializers.CharField()
    allocated = serializers.DecimalField(**MONEY)
    committed = serializers.DecimalField(**MONEY)
    spent = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)
    utilisation = serializers.FloatField(help_text="(committed + spent) / allocated")


class UtilisationSerializer(Serializer):
    cycle = serializers.IntegerField(source="cycle.pk")
    rows = UtilisationRowSerializer(many=True, help_text="Per unit and category.")
    units = UtilisationRowSerializer(many=True, help_text="Totals per unit and currency.")


class BudgetFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id")
    unit = django_filters.NumberFilter(field_name="unit_id")
    category = django_filters.ChoiceFilter(choices=BudgetCategory.choices)

    class Meta:
        model = Budget
        fields = ["cycle", "unit", "category"]


class BudgetViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Budgets per unit, cycle and category. Seen by admins, the heads of the unit (or of a
    unit above it) and its HRBPs; written by admins and those heads."""

    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter
    queryset = Budget.objects.none()

    def get_queryset(self):
        return selectors.budgets(viewer=self.viewer.person)

    @extend_schema(request=BudgetCreateSerializer, responses={201: BudgetSerializer})
    def create(self, request, *args, **kwargs):
        data = BudgetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        budget = services.create_budget(actor=self.person, **data.validated_data)
        return Response(BudgetSerializer(budget).data, status=201)

    @extend_schema(request=BudgetUpdateSerializer, responses={200: BudgetSerializer})
    def update(self, request, *args, **kwargs):
        viewer = self.person
        budget = permissions.get_budget_for(viewer, kwargs["pk"])
        data = BudgetUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        budget = services.update_budget(actor=viewer, budget=budget, **data.validated_data)
        return Response(BudgetSerializer(budget).data)

    @extend_schema(
        parameters=[OpenApiParameter("cycle", int, required=True)],
        responses={200: UtilisationSerializer},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def utilisation(self, request):
        """Utilisation per unit and category, and per unit, for one cycle."""
        raw = request.query_params.get("cycle", "")
        cycle = Cycle.objects.filter(pk=raw).first() if is_id(raw) else None
        if cycle is None:
            raise serializers.ValidationError({"cycle": [_("Give a cycle id.")]})
        data = selectors.budget_utilisation(viewer=self.person, cycle=cycle)
        return Response(UtilisationSerializer(data).data)


router = SimpleRouter()
router.register("resource-requests", ResourceRequestViewSet, basename="resource-request")
router.register("budgets", BudgetViewSet, basename="budget")

urlpatterns = router.urls
