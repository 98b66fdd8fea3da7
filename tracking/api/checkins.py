"""/api/v1/check-ins/: list (scoped), read, save a draft, open this week's, submit."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ModelSerializer, Serializer
from goals.models import Status
from org.access import ViewerAPIMixin
from tracking import permissions, services
from tracking.models import CheckIn, KeyResultUpdate, week_start

from .common import choice_field, validated


class KeyResultUpdateSerializer(ModelSerializer):
    key_result_name = serializers.CharField(source="key_result.name", read_only=True)
    cause = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    change = serializers.SerializerMethodField()
    # Empty on a draft: "as the numbers say" / not classified until submitted.
    confidence = choice_field(Status.choices, read_only=True, allow_blank=True)
    status = choice_field(Status.choices, read_only=True, allow_blank=True)

    class Meta:
        model = KeyResultUpdate
        fields = [
            "id",
            "key_result",
            "key_result_name",
            "value",
            "previous_value",
            "change",
            "confidence",
            "status",
            "progress",
            "expected_progress",
            "note",
            "cause",
            "action",
        ]

    def get_change(self, obj) -> str | None:
        if obj.previous_value is None:
            return None
        return str(obj.value - obj.previous_value)


class CheckInSerializer(ModelSerializer):
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    check = serializers.CharField(source="deviation", read_only=True)
    state = choice_field(CheckIn.State.choices, read_only=True)
    updates = KeyResultUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "person",
            "person_name",
            "week",
            "state",
            "plan",
            "done",
            "check",
            "act",
            "confidence",
            "blockers",
            "submitted_at",
            "amendments",
            "updates",
        ]


class UpdateInputSerializer(Serializer):
    key_result = serializers.IntegerField()
    value = serializers.CharField(
        required=False, allow_blank=True, help_text="A number (as a string or a JSON number)."
    )
    confidence = choice_field(
        Status.choices,
        required=False,
        allow_blank=True,
        help_text="Your own judgement; empty or left out on a new update: as the numbers say.",
    )
    note = serializers.CharField(required=False, allow_blank=True)
    cause = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="Cause tag slug or id."
    )
    action = serializers.CharField(required=False, allow_blank=True)


class CheckInInputSerializer(Serializer):
    plan = serializers.CharField(required=False, allow_blank=True)
    done = serializers.CharField(required=False, allow_blank=True)
    check = serializers.CharField(required=False, allow_blank=True, help_text="The deviation.")
    act = serializers.CharField(required=False, allow_blank=True)
    blockers = serializers.CharField(required=False, allow_blank=True)
    confidence = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10
    )
    updates = UpdateInputSerializer(many=True, required=False)


class OpenInputSerializer(Serializer):
    week = serializers.DateField(required=False, help_text="Any day of the week; default today.")


def _service_args(data: dict) -> tuple[dict, list[dict]]:
    fields = {k: data[k] for k in ("plan", "done", "act", "blockers", "confidence") if k in data}
    if "check" in data:
        fields["deviation"] = data["check"]
    return fields, [dict(u) for u in data.get("updates", [])]


class CheckInFilter(django_filters.FilterSet):
    week = django_filters.DateFilter(method="in_week", help_text="Any day of the week.")
    state = django_filters.ChoiceFilter(choices=CheckIn.State.choices)

    class Meta:
        model = CheckIn
        fields = ["person", "week", "state"]

    def in_week(self, queryset, name, value):
        return queryset.filter(week=week_start(value))


class CheckInViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Weekly check-ins. Lists are scoped: your own, the people you manage, the units you
    partner as HRBP. Only the author writes (drafts, submit, amend)."""

    serializer_class = CheckInSerializer
    filterset_class = CheckInFilter

    def get_queryset(self):
        viewer = self.viewer.person
        return (
            permissions.visible_check_ins(viewer)
            .select_related("person")
            .prefetch_related(
                Prefetch(
                    "updates",
                    queryset=KeyResultUpdate.objects.select_related("key_result", "cause"),
                )
            )
            .order_by("-week", "person__display_name", "pk")
        )

    def _fresh(self, pk) -> CheckIn:
        return self.get_queryset().get(pk=pk)

    @extend_schema(request=CheckInInputSerializer, responses=CheckInSerializer)
    def partial_update(self, request, pk=None):
        """Save a draft: PDCA fields and key result values typed so far (not measured yet)."""
        viewer = self.person
        check_in = permissions.get_check_in_for(viewer, pk, action="edit")
        fields, updates = _service_args(validated(CheckInInputSerializer, request.data))
        services.save_check_in_draft(
            actor=viewer, check_in=check_in, fields=fields, updates=updates
        )
        return Response(CheckInSerializer(self._fresh(check_in.pk)).data)

    @extend_schema(
        request=OpenInputSerializer, responses={200: CheckInSerializer, 201: CheckInSerializer}
    )
    @action(detail=False, methods=["post"])
    def current(self, request):
        """Open this week's check-in for the caller: the existing one (200) or a new draft
        (201). A past week may be given; future weeks are refused."""
        viewer = self.person
        data = validated(OpenInputSerializer, request.data)
        check_in, created = services.open_check_in(person=viewer, week=data.get("week"))
        return Response(
            CheckInSerializer(self._fresh(check_in.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=CheckInInputSerializer, responses=CheckInSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit (or amend, during its week) with the key result updates:
        `{"updates": [{"key_result", "value", "confidence", "note", "cause", "action"}]}`.
        Off-track key results need a cause (slug or id) and an action."""
        viewer = self.person
        check_in = permissions.get_check_in_for(viewer, pk, action="edit")
        fields, updates = _service_args(validated(CheckInInputSerializer, request.data))
        services.submit_check_in(actor=viewer, check_in=check_in, fields=fields, updates=updates)
        return Response(CheckInSerializer(self._fresh(check_in.pk)).data)
