"""/api/v1/weekly-reviews/: the computed summary of a manager's team week with the saved
decisions; saving the decisions."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core.api import Serializer
from core.params import bounded_date, is_id
from org import scopes
from org.access import ViewerAPIMixin
from org.models import Person
from tracking import permissions, selectors, services
from tracking.models import WeeklyReview, local_today, week_start

from .common import validated


class PersonRefSerializer(Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class FlaggedSerializer(Serializer):
    check_in = serializers.IntegerField()
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    key_result = serializers.IntegerField()
    key_result_name = serializers.CharField()
    status = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    progress = serializers.FloatField(allow_null=True)
    expected_progress = serializers.FloatField(allow_null=True)
    cause = serializers.CharField(allow_null=True)
    cause_label = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    note = serializers.CharField()


class WeeklyCauseCountSerializer(Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class MovementSerializer(Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()
    change = serializers.IntegerField(help_text="Against the week before.")


class MovedSerializer(Serializer):
    person = serializers.IntegerField()
    key_result = serializers.IntegerField()
    key_result_name = serializers.CharField()
    status_before = serializers.CharField()
    status = serializers.CharField()
    progress_change = serializers.FloatField()


@extend_schema_serializer(many=False)  # one summary, also from `list`
class WeeklyReviewSummarySerializer(Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="The saved review, if any.")
    manager = serializers.IntegerField()
    week = serializers.DateField()
    submitted_count = serializers.IntegerField()
    expected_count = serializers.IntegerField()
    missing = PersonRefSerializer(many=True)
    flagged = FlaggedSerializer(many=True)
    top_causes = WeeklyCauseCountSerializer(many=True)
    movement = MovementSerializer(many=True)
    improved = MovedSerializer(many=True)
    worsened = MovedSerializer(many=True)
    average_progress_change = serializers.FloatField(allow_null=True)
    decisions = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)


class ReviewInputSerializer(Serializer):
    week = serializers.DateField(help_text="Any day of the week.")
    decisions = serializers.CharField(allow_blank=True)


def _moved(u) -> dict:
    return {
        "person": u.check_in.person_id,
        "key_result": u.key_result_id,
        "key_result_name": u.key_result.name,
        "status_before": u.before.status,
        "status": u.status,
        "progress_change": u.progress_change,
    }


def summary_data(summary: dict) -> dict:
    review = summary["review"]
    return {
        "id": review.pk if review else None,
        "manager": summary["manager"].pk,
        "week": summary["week"],
        "submitted_count": summary["submitted_count"],
        "expected_count": summary["expected_count"],
        "missing": [{"id": p.pk, "display_name": p.display_name} for p in summary["missing"]],
        "flagged": [
            {
                "check_in": u.check_in_id,
                "person": u.check_in.person_id,
                "person_name": u.check_in.person.display_name,
                "key_result": u.key_result_id,
                "key_result_name": u.key_result.name,
                "status": u.status,
                "value": u.value,
                "progress": u.progress,
                "expected_progress": u.expected_progress,
                "cause": u.cause.slug if u.cause else None,
                "cause_label": u.cause.display_label if u.cause else None,
                "action": u.action,
                "note": u.note,
            }
            for u in summary["flagged"]
        ],
        "top_causes": [
            {"slug": tag.slug, "label": tag.display_label, "count": n}
            for tag, n in summary["top_causes"]
        ],
        "movement": [
            {"status": m["status"], "count": m["count"], "change": m["change"]}
            for m in summary["movement"]
        ],
        "improved": [_moved(u) for u in summary["improved"]],
        "worsened": [_moved(u) for u in summary["worsened"]],
        "average_progress_change": summary["average_progress_change"],
        "decisions": review.decisions if review else "",
        "updated_at": review.updated_at if review else None,
    }


class WeeklyReviewViewSet(ViewerAPIMixin, viewsets.ViewSet):
    """A manager's weekly review: the computed team summary for a week, with the decisions
    saved as the review record."""

    def _week(self, raw) -> dt.date:
        today = local_today(self.viewer.person)
        if not raw:
            return selectors.default_review_week(today)
        try:
            day = dt.date.fromisoformat(str(raw))
        except ValueError:
            raise serializers.ValidationError({"week": [_("Enter a date (YYYY-MM-DD).")]})
        try:
            week = week_start(bounded_date(day))
        except ValueError as exc:
            raise serializers.ValidationError({"week": [str(exc)]}) from None
        if week > week_start(today):
            raise serializers.ValidationError({"week": [_("You cannot review a future week.")]})
        return week

    @extend_schema(
        parameters=[
            OpenApiParameter("manager", OpenApiTypes.INT, description="Default: you."),
            OpenApiParameter(
                "week",
                OpenApiTypes.DATE,
                description="Any day of the week. Default: this week from Friday on, "
                "before that the week just ended.",
            ),
        ],
        responses={
            200: WeeklyReviewSummarySerializer,
            404: OpenApiResponse(description="No such manager, or not one you may follow."),
        },
    )
    def list(self, request):
        """The summary of a manager's team for a week (yourself, a manager below you, or one
        in a unit you partner as HRBP)."""
        viewer = self.person
        manager = viewer
        raw = request.query_params.get("manager")
        if raw:
            if not is_id(raw):
                raise serializers.ValidationError({"manager": [_("Enter a person id.")]})
            manager = Person.objects.select_related("unit").filter(pk=raw).first()
            if manager is None or not scopes.may_follow(viewer, manager):
                raise Http404
        week = self._week(request.query_params.get("week"))
        summary = selectors.weekly_review_summary(manager=manager, week=week)
        return Response(WeeklyReviewSummarySerializer(summary_data(summary)).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=WeeklyReviewSummarySerializer,
    )
    def retrieve(self, request, pk=None):
        """A saved review with its summary."""
        viewer = self.person
        try:
            review = permissions.visible_weekly_reviews(viewer).select_related("manager").get(pk=pk)
        except (WeeklyReview.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        summary = selectors.weekly_review_summary(manager=review.manager, week=review.week)
        return Response(WeeklyReviewSummarySerializer(summary_data(summary)).data)

    # 200 either way: the week's one review is created or updated in place.
    @extend_schema(request=ReviewInputSerializer, responses={200: WeeklyReviewSummarySerializer})
    def create(self, request):
        """Save your decisions for a week (created or updated; one review per week)."""
        viewer = self.person
        data = validated(ReviewInputSerializer, request.data)
        week = self._week(data["week"].isoformat())
        services.save_weekly_review(actor=viewer, week=week, decisions=data["decisions"])
        summary = selectors.weekly_review_summary(manager=viewer, week=week)
        return Response(WeeklyReviewSummarySerializer(summary_data(summary)).data)
