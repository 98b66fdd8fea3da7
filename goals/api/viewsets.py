"""Cycles, key results (with measurements) and target adjustments endpoints."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from goals import permissions, services
from goals.models import Cycle, KeyResult, Measurement, TargetAdjustment
from org.access import ViewerAPIMixin, service_account
from org.models import Unit

from .pushes import CONFLICT, IDEMPOTENCY_HEADER, idempotent
from .serializers import (
    AdjustmentCreateSerializer,
    AdjustmentSerializer,
    CarryOverResultSerializer,
    CarryOverSerializer,
    CommentSerializer,
    CycleSerializer,
    CycleTransitionSerializer,
    KeyResultSerializer,
    MeasurementInputSerializer,
    MeasurementSerializer,
    UnitAdjustmentSerializer,
)


class CycleFilter(django_filters.FilterSet):
    class Meta:
        model = Cycle
        fields = ["kind", "state", "parent"]


class CycleViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cycles (year, half, quarter, month): everyone reads, admins write."""

    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    queryset = Cycle.objects.all()

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        values.pop("state", None)  # a new cycle starts in planning
        serializer.instance = services.create_cycle(actor=self.person, **values)

    def perform_update(self, serializer):
        serializer.instance = services.update_cycle(
            actor=self.person, cycle=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=CycleTransitionSerializer, responses={200: CycleSerializer})
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def transition(self, request, pk=None):
        """Move the cycle along planning → active → scoring → closed (admins; reopening a
        closed cycle needs a reason). An invalid move answers 400 naming the allowed ones."""
        cycle = self.get_object()
        data = CycleTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.transition_cycle(actor=self.person, cycle=cycle, **data.validated_data)
        return Response(CycleSerializer(cycle).data)

    @extend_schema(request=CarryOverSerializer, responses={200: CarryOverResultSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="carry-over",
        pagination_class=None,
        filter_backends=[],
    )
    def carry_over(self, request, pk=None):
        """Copy unfinished goals into the next cycle (each a draft linked to its original);
        `dry_run` shows what would be carried and what would not, and why."""
        cycle = self.get_object()
        data = CarryOverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = services.carry_over(
            actor=self.person,
            cycle=cycle,
            goals=values["goals"],
            to=values.get("to"),
            dry_run=values["dry_run"],
        )
        goals = [
            {
                "carried_from": g.carried_from_id if not values["dry_run"] else g.pk,
                "id": None if values["dry_run"] else g.pk,
                "title": g.title,
            }
            for g in result.goals
        ]
        payload = {
            "to": result.target.pk,
            "dry_run": values["dry_run"],
            "goals": goals,
            "skipped": {str(k): v for k, v in result.skipped.items()},
        }
        return Response(CarryOverResultSerializer(payload).data)


class KeyResultFilter(django_filters.FilterSet):
    goal = django_filters.NumberFilter(field_name="goal_id")

    class Meta:
        model = KeyResult
        fields = ["goal"]


class KeyResultViewSet(ViewerAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Key results with progress, attainment (unclamped), expected progress and status today.
    Values arrive through `POST /key-results/{id}/measurements/`."""

    # A service account records values with `measurements:write` and reads key results and
    # their history with `goals:read` (within its units).
    service_scopes = {"POST": "measurements:write", "GET": "goals:read"}

    serializer_class = KeyResultSerializer
    filterset_class = KeyResultFilter
    queryset = KeyResult.objects.none()

    def get_queryset(self):
        account = service_account(self.request)
        return (
            (
                permissions.account_readable_key_results(account)
                if account is not None
                else permissions.visible_key_results(self.person)
            )
            .select_related("goal__cycle")
            .prefetch_related(
                Prefetch("contributors", queryset=KeyResult.objects.only("pk", "contributes_to"))
            )
            .order_by("goal_id", "position", "pk")
        )

    @extend_schema(methods=["GET"], request=None, responses={200: MeasurementSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=MeasurementInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: MeasurementSerializer,
            200: OpenApiResponse(
                MeasurementSerializer, description="The value's external_id is known: that row."
            ),
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["get", "post"])
    def measurements(self, request, pk=None):
        """GET: the value history, newest effective first. POST `{"value", "note",
        "effective_at"?, "external_id"?}`: record a value (how a CRM or ERP pushes a number,
        also with a service account's token); when it is the newest, it becomes the current
        value and progress is recomputed up the rollups and the alignment chain; an older one
        joins the history only. A known `external_id` (per sender) records nothing and answers
        the row it made (200); `Idempotency-Key` replays the first answer."""
        if request.method == "POST":
            return idempotent(request, lambda: self._record(request, pk))
        account = service_account(request)
        if account is not None:
            kr = self.get_object()  # within what the account reads
            notes_visible = False  # a check-in's note is for the people around it
        else:
            kr = permissions.get_key_result_for(self.person, pk)
            notes_visible = permissions.measurement_notes_visible(self.person, kr)
        page = self.paginate_queryset(
            Measurement.objects.filter(key_result=kr).order_by(
                "-effective_at", "-recorded_at", "-pk"
            )
        )
        rows = MeasurementSerializer(page, many=True).data
        if not notes_visible:
            for row in rows:
                if row["source"] == Measurement.Source.CHECK_IN:
                    row["note"] = ""
        return self.get_paginated_response(rows)

    def _record(self, request, pk):
        account = service_account(request)
        if account is not None:
            kr = permissions.get_key_result_for_account(account, pk)
        else:
            kr = permissions.get_key_result_for(self.person, pk, "measure")
        data = MeasurementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measurement, created = services.push_measurement(
            key_result=kr,
            value=data.validated_data["value"],
            note=data.validated_data["note"],
            effective_at=data.validated_data.get("effective_at"),
            external_id=data.validated_data["external_id"],
            recorded_by=None if account is not None else self.person,
            account=account,
        )
        return Response(
            MeasurementSerializer(measurement).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AdjustmentFilter(django_filters.FilterSet):
    key_result = django_filters.NumberFilter(field_name="key_result_id")
    goal = django_filters.NumberFilter(field_name="key_result__goal_id")
    state = django_filters.ChoiceFilter(choices=TargetAdjustment.State.choices)

    class Meta:
        model = TargetAdjustment
        fields = ["key_result", "goal", "state"]


class AdjustmentViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Target adjustments of agreed goals: request, then approve or reject (owner's manager)."""

    serializer_class = AdjustmentSerializer
    filterset_class = AdjustmentFilter
    queryset = TargetAdjustment.objects.none()

    def get_queryset(self):
        return (
            permissions.visible_adjustments(self.person)
            .select_related("key_result")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=AdjustmentCreateSerializer, responses={201: AdjustmentSerializer})
    def create(self, request, *args, **kwargs):
        viewer = self.person
        data = AdjustmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        kr = permissions.get_key_result_for(viewer, values.pop("key_result"), "adjust")
        adjustment = services.request_adjustment(actor=viewer, key_result=kr, **values)
        return Response(AdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=UnitAdjustmentSerializer, responses={201: AdjustmentSerializer(many=True)}
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def unit(self, request):
        """Re-target every agreed secondary goal of a unit (and below) by a factor, in one
        request; core goals keep their targets."""
        viewer = self.person
        data = UnitAdjustmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit = Unit.objects.filter(pk=values.pop("unit")).first()
        cycle = Cycle.objects.filter(pk=values.pop("cycle")).first()
        if unit is None or cycle is None:
            raise Http404
        rows = services.request_unit_adjustment(actor=viewer, unit=unit, cycle=cycle, **values)
        return Response(AdjustmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CommentSerializer, responses={200: AdjustmentSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def approve(self, request, pk=None):
        """Approve: the target changes (a unit-wide request approves its whole batch)."""
        viewer = self.person
        adjustment = permissions.get_adjustment_for(viewer, pk, "decide")
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = services.approve_adjustment(
            actor=viewer, adjustment=adjustment, comment=data.validated_data["comment"]
        )
        return Response(AdjustmentSerializer(rows, many=True).data)

    @extend_schema(request=CommentSerializer, responses={200: AdjustmentSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def reject(self, request, pk=None):
        """Reject with a comment (required)."""
        viewer = self.person
        adjustment = permissions.get_adjustment_for(viewer, pk, "decide")
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = services.reject_adjustment(
            actor=viewer, adjustment=adjustment, comment=data.validated_data["comment"]
        )
        return Response(AdjustmentSerializer(rows, many=True).data)
