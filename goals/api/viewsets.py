"""Cycles, key results (with measurements) and target adjustments endpoints."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from goals import services
from goals.models import Cycle, KeyResult, Measurement, TargetAdjustment
from org import permissions
from org.models import Unit

from .common import _viewer
from .serializers import (
    AdjustmentCreateSerializer,
    AdjustmentSerializer,
    CommentSerializer,
    CycleSerializer,
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
        serializer.instance = services.create_cycle(actor=_viewer(self.request), **values)

    def perform_update(self, serializer):
        serializer.instance = services.update_cycle(
            actor=_viewer(self.request), cycle=serializer.instance, **serializer.validated_data
        )


class KeyResultFilter(django_filters.FilterSet):
    goal = django_filters.NumberFilter(field_name="goal_id")

    class Meta:
        model = KeyResult
        fields = ["goal"]


class KeyResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Key results with progress, attainment (unclamped), expected progress and status today.
    Values arrive through `POST /key-results/{id}/measurements/`."""

    serializer_class = KeyResultSerializer
    filterset_class = KeyResultFilter
    queryset = KeyResult.objects.none()

    def get_queryset(self):
        return (
            permissions.visible_key_results(_viewer(self.request))
            .select_related("goal__cycle")
            .order_by("goal_id", "position", "pk")
        )

    @extend_schema(methods=["GET"], request=None, responses={200: MeasurementSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=MeasurementInputSerializer,
        responses={201: MeasurementSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def measurements(self, request, pk=None):
        """GET: the value history. POST `{"value", "note"}`: record a new value (how a CRM or
        ERP pushes a number); progress is recomputed up the alignment chain."""
        viewer = _viewer(request)
        if request.method == "GET":
            kr = permissions.get_key_result_for(viewer, pk)
            page = self.paginate_queryset(
                Measurement.objects.filter(key_result=kr).order_by("-recorded_at", "-pk")
            )
            rows = MeasurementSerializer(page, many=True).data
            if not permissions.check_in_notes_visible(viewer, kr):
                for row in rows:
                    if row["source"] == Measurement.Source.CHECK_IN:
                        row["note"] = ""
            return self.get_paginated_response(rows)
        kr = permissions.get_key_result_for(viewer, pk, "measure")
        data = MeasurementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measurement = services.record_measurement(
            key_result=kr,
            value=data.validated_data["value"],
            note=data.validated_data["note"],
            source=Measurement.Source.API,
            recorded_by=viewer,
        )
        return Response(MeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)


class AdjustmentFilter(django_filters.FilterSet):
    key_result = django_filters.NumberFilter(field_name="key_result_id")
    goal = django_filters.NumberFilter(field_name="key_result__goal_id")
    state = django_filters.ChoiceFilter(choices=TargetAdjustment.State.choices)

    class Meta:
        model = TargetAdjustment
        fields = ["key_result", "goal", "state"]


class AdjustmentViewSet(
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
            permissions.visible_adjustments(_viewer(self.request))
            .select_related("key_result")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=AdjustmentCreateSerializer, responses={201: AdjustmentSerializer})
    def create(self, request, *args, **kwargs):
        viewer = _viewer(request)
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
        viewer = _viewer(request)
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
        viewer = _viewer(request)
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
        viewer = _viewer(request)
        adjustment = permissions.get_adjustment_for(viewer, pk, "decide")
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = services.reject_adjustment(
            actor=viewer, adjustment=adjustment, comment=data.validated_data["comment"]
        )
        return Response(AdjustmentSerializer(rows, many=True).data)
