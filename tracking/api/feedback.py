"""/api/v1/feedback/: managers' feedback on check-ins, and the author's acknowledgement."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ModelSerializer, Serializer
from org.access import ViewerAPIMixin
from tracking import permissions, services
from tracking.models import Feedback, KeyResultUpdate

from .common import choice_field, validated


class FeedbackSerializer(ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    kind = choice_field(Feedback.Kind.choices, read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "check_in",
            "update",
            "author",
            "author_name",
            "kind",
            "text",
            "created_at",
            "acknowledged_at",
        ]
        read_only_fields = fields


class FeedbackInputSerializer(Serializer):
    check_in = serializers.IntegerField()
    update = serializers.IntegerField(required=False, allow_null=True)
    kind = choice_field(Feedback.Kind.choices)
    text = serializers.CharField()


class FeedbackFilter(django_filters.FilterSet):
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Feedback
        fields = ["check_in", "author", "kind", "acknowledged"]


class FeedbackViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Feedback on check-ins: given by the author's manager chain or HRBP, seen by whoever
    sees the check-in, acknowledged by the author."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter

    def get_queryset(self):
        viewer = self.viewer.person
        return (
            permissions.visible_feedback(viewer)
            .select_related("author")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=FeedbackInputSerializer, responses={201: FeedbackSerializer})
    def create(self, request):
        viewer = self.person
        data = validated(FeedbackInputSerializer, request.data)
        check_in = permissions.get_check_in_for(viewer, data["check_in"], action="feedback")
        update = None
        if data.get("update") is not None:
            update = KeyResultUpdate.objects.filter(check_in=check_in, pk=data["update"]).first()
            if update is None:
                raise serializers.ValidationError(
                    {"update": [_("This update belongs to another check-in.")]}
                )
        feedback = services.give_feedback(
            actor=viewer, check_in=check_in, update=update, kind=data["kind"], text=data["text"]
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The check-in's author acknowledges the feedback."""
        viewer = self.person
        feedback = permissions.get_feedback_for(viewer, pk, action="acknowledge")
        feedback = services.acknowledge_feedback(actor=viewer, feedback=feedback)
        return Response(FeedbackSerializer(feedback).data)
