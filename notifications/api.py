"""REST API for notifications: the own inbox and reminder settings. Thin over services and
selectors."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import ModelSerializer, Serializer
from notifications import selectors, services
from notifications.kinds import REMINDER_KINDS
from notifications.models import Notification, ReminderSchedule
from notifications.permissions import own_notifications
from org.access import ViewerAPIMixin


class NotificationSerializer(ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)
    text = serializers.CharField(
        source="display_text",
        read_only=True,
        help_text=(
            "In the reader's language: the signed-in person's, or Accept-Language for a "
            "token client."
        ),
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        label="Unread only (true) or read only (false)",
    )
    kind = django_filters.CharFilter()

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "true")


class NotificationViewSet(
    ViewerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in person's own inbox (nobody else's notifications are reachable)."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return own_notifications(self.viewer)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.mark_read(viewer=self.person, notification_id=pk)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_all_read(viewer=self.person)})


class ScheduleSerializer(Serializer):
    kind = serializers.ChoiceField(choices=REMINDER_KINDS, read_only=True)
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="Monday 0 … Sunday 6")
    time = serializers.TimeField(format="%H:%M", help_text="Local time, e.g. 15:00")
    enabled = serializers.BooleanField()
    overridden = serializers.BooleanField(read_only=True)


class ScheduleUpdateSerializer(Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, required=False)
    time = serializers.TimeField(required=False)
    enabled = serializers.BooleanField(required=False)


def _schedule_data(row: ReminderSchedule, overridden: bool) -> dict:
    return {
        "kind": row.kind,
        "weekday": row.weekday,
        "time": row.time,
        "enabled": row.enabled,
        "overridden": overridden,
    }


class ReminderSettingsViewSet(ViewerAPIMixin, viewsets.ViewSet):
    """A person's reminder times (their overrides of the organisation defaults), and the
    defaults themselves, which admins edit."""

    lookup_field = "kind"
    lookup_value_regex = r"[a-z_.]+"

    def _own(self, person, kind=None):
        rows = [
            _schedule_data(item["effective"], item["override"] is not None)
            for item in selectors.schedules_for(person=person)
        ]
        if kind is None:
            return rows
        for row in rows:
            if row["kind"] == kind:
                return row
        raise Http404

    @extend_schema(responses=ScheduleSerializer(many=True))
    def list(self, request):
        rows = self._own(self.person)
        return Response(ScheduleSerializer(rows, many=True).data)

    @extend_schema(responses=ScheduleSerializer)
    def retrieve(self, request, kind=None):
        return Response(ScheduleSerializer(self._own(self.person, kind)).data)

    @extend_schema(request=ScheduleUpdateSerializer, responses=ScheduleSerializer)
    def partial_update(self, request, kind=None):
        person = self.person
        if kind not in REMINDER_KINDS:
            raise Http404
        data = ScheduleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_own_schedule(person=person, kind=kind, **data.validated_data)
        return Response(ScheduleSerializer(self._own(person, kind)).data)

    @extend_schema(responses={204: OpenApiResponse(description="Back to the default")})
    def destroy(self, request, kind=None):
        person = self.person
        if kind not in REMINDER_KINDS:
            raise Http404
        services.update_own_schedule(person=person, kind=kind, reset=True)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ScheduleSerializer(many=True))
    @action(detail=False, methods=["get"])
    def defaults(self, request):
        rows = [_schedule_data(row, False) for row in selectors.default_schedules()]
        return Response(ScheduleSerializer(rows, many=True).data)

    @extend_schema(request=ScheduleUpdateSerializer, responses=ScheduleSerializer)
    @action(detail=False, methods=["patch"], url_path=r"defaults/(?P<default_kind>[a-z_.]+)")
    def update_default(self, request, default_kind=None):
        person = self.person
        if default_kind not in REMINDER_KINDS:
            raise Http404
        data = ScheduleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.update_default_schedule(
            actor=person, kind=default_kind, **data.validated_data
        )
        return Response(ScheduleSerializer(_schedule_data(row, False)).data)


router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("reminder-settings", ReminderSettingsViewSet, basename="reminder-settings")

urlpatterns = router.urls
