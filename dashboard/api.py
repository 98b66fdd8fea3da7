"""REST API of the audit trail, mounted at /api/v1/audit/: admins and HRBPs (everyone else
404), paginated, with the page's filters. Thin over `dashboard.audit`."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from dashboard import audit, permissions
from dashboard.audit.filters import AuditFilterForm
from directory import audit as directory_audit
from org.access import ViewerAPIMixin

KIND_VALUES = [kind.slug for kind in audit.KINDS]
ACTION_VALUES = list(audit.ACTION_LABELS)
SOURCE_VALUES = directory_audit.sources()


@extend_schema_field({"type": "string", "enum": KIND_VALUES})
class AuditKindField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": ACTION_VALUES})
class AuditActionField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": [*SOURCE_VALUES, ""]})
class AuditSourceField(serializers.CharField):
    pass


class AuditChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name.")
    label = serializers.CharField(help_text="The field's name in the reader's language.")
    old = serializers.CharField(help_text="The value before, plain (ungrouped numbers).")
    new = serializers.CharField(help_text="The value after, plain (ungrouped numbers).")


class AuditEntrySerializer(serializers.Serializer):
    kind = AuditKindField()
    kind_label = serializers.CharField()
    history_id = serializers.IntegerField()
    object_id = serializers.IntegerField()
    object = serializers.CharField(source="subject")
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    unit_name = serializers.CharField(source="unit")
    type = AuditActionField(source="action", help_text="created, changed or deleted.")
    at = serializers.DateTimeField()
    changed_by = serializers.IntegerField(
        source="by_id", allow_null=True, help_text="The person who made the change."
    )
    changed_by_name = serializers.CharField(source="by")
    reason = serializers.CharField()
    source = AuditSourceField(
        allow_blank=True,
        help_text="Where the change came from: a people import, SCIM or a directory sync "
        '("" for a change made in Keel).',
    )
    source_name = serializers.CharField(
        source="source_label", help_text="The source in the reader's language."
    )
    changes = AuditChangeSerializer(many=True)


@extend_schema(
    tags=["audit"],
    summary="The audit trail",
    description=(
        "Every change to goals, key results, target adjustments, budgets, resource requests, "
        "awards, incentive rules, units and people: who, when, what and from which source, "
        "newest first. Admins read every "
        "change, an HRBP the changes in the units they partner; anyone else gets 404."
    ),
    parameters=[
        OpenApiParameter("kind", OpenApiTypes.STR, enum=KIND_VALUES, description="Object kind."),
        OpenApiParameter("unit", OpenApiTypes.INT, description="A unit, with its sub-units."),
        OpenApiParameter("changed_by", OpenApiTypes.INT, description="The person who changed."),
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day on."),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="Up to this day, inclusive."),
        OpenApiParameter(
            "source",
            OpenApiTypes.STR,
            enum=SOURCE_VALUES,
            description="Where the change came from.",
        ),
    ],
)
class AuditLogView(ViewerAPIMixin, generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    filter_backends: list = []

    def get_queryset(self):
        viewer = self.viewer.person
        if not permissions.can_see_audit(viewer):
            raise Http404
        form = AuditFilterForm(self.request.query_params, viewer=viewer)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return audit.audit_log(viewer=viewer, filters=form.filters())


urlpatterns = [path("audit/", AuditLogView.as_view(), name="audit-list")]
