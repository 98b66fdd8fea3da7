"""REST API for incentives: rules (+ evaluate), awards (+ approve, publish), the public
recognition feed and the fairness report. Thin over services and selectors."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action, api_view
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import AvailableActionsField, ModelSerializer, Serializer
from core.params import is_id
from goals.models import Cycle
from incentives import permissions, selectors, services
from incentives.explain import miss_text, reason_text
from incentives.models import Award, IncentiveRule
from org.access import SignedIn, ViewerAPIMixin


class CanWriteRules(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        return permissions.can_manage_incentives(request.viewer)


KIND_SCHEMA = {
    "type": "string",
    "description": "One of: " + ", ".join(IncentiveRule.Kind.values),
    "maxLength": max(len(kind) for kind in IncentiveRule.Kind.values),
}


@extend_schema_field(KIND_SCHEMA)
class RuleKindField(serializers.ChoiceField):
    """A rule kind (an inline enum in the schema: "kind" is a name other apps use too)."""

    def __init__(self, **kwargs):
        super().__init__(choices=IncentiveRule.Kind.choices, **kwargs)


class IncentiveRuleSerializer(ModelSerializer):
    kind = RuleKindField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = IncentiveRule
        fields = [
            "id", "name", "description", "unit", "unit_name", "levels", "period", "cycle",
            "require_agreed_goals", "min_check_in_rate", "min_tenure_days", "unit_goals_weight",
            "kind", "params", "currency", "cap", "is_active", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class EvaluateRequestSerializer(Serializer):
    period_start = serializers.DateField(
        help_text="Any date in the period to evaluate; the period containing it is used."
    )
    dry_run = serializers.BooleanField(default=False)


class ProposalSerializer(Serializer):
    id = serializers.IntegerField(allow_null=True)
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    state = serializers.CharField(allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    points = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    title = serializers.CharField()
    reason = serializers.CharField()
    explanation = serializers.JSONField()


class IneligibleSerializer(Serializer):
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    codes = serializers.ListField(child=serializers.JSONField())


EvaluationResponse = inline_serializer(
    "EvaluationResult",
    {
        "rule": serializers.IntegerField(),
        "period_start": serializers.DateField(),
        "period_end": serializers.DateField(),
        "dry_run": serializers.BooleanField(),
        "provisional": serializers.BooleanField(
            help_text="The period has not ended: a preview only, which cannot be saved."
        ),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "withdrawn": serializers.IntegerField(),
        "eligible": serializers.IntegerField(),
        "warnings": serializers.ListField(child=serializers.JSONField()),
        "awards": ProposalSerializer(many=True),
        "ineligible": IneligibleSerializer(many=True),
        "not_awarded": IneligibleSerializer(many=True),
    },
)


def outcome_data(outcome: services.Outcome) -> dict:
    from incentives.explain import describe

    saved = {a.person_id: a for a in outcome.awards}
    awards = []
    for proposal in outcome.proposals:
        award = saved.get(proposal.person_id)
        shown = award if award is not None else proposal
        explanation = award.explanation if award is not None else proposal.explanation
        awards.append(
            {
                "id": award.pk if award else None,
                "person": proposal.person_id,
                "person_name": outcome.people.get(proposal.person_id, ""),
                "state": award.state if award else None,
                "amount": shown.amount,
                "points": shown.points,
                "currency": outcome.rule.currency,
                "title": shown.title,
                "reason": describe(outcome.rule.kind, explanation),
                "explanation": explanation,
            }
        )
    ineligible = [
        {
            "person": person_id,
            "person_name": outcome.people.get(person_id, ""),
            "reasons": [reason_text(r) for r in reasons],
            "codes": reasons,
        }
        for person_id, reasons in outcome.ineligible.items()
    ]
    not_awarded = [
        {
            "person": person_id,
            "person_name": outcome.people.get(person_id, ""),
            "reasons": [miss_text(r) for r in reasons],
            "codes": reasons,
        }
        for person_id, reasons in outcome.not_awarded.items()
    ]
    return {
        "rule": outcome.rule.pk,
        "period_start": outcome.period_start.isoformat(),
        "period_end": outcome.period_end.isoformat(),
        "dry_run": outcome.dry_run,
        "provisional": outcome.provisional,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "withdrawn": outcome.withdrawn,
        "eligible": len(outcome.eligible_ids),
        "warnings": outcome.warnings,
        "awards": ProposalSerializer(awards, many=True).data,
        "ineligible": IneligibleSerializer(ineligible, many=True).data,
        "not_awarded": IneligibleSerializer(not_awarded, many=True).data,
    }


@extend_schema_field(KIND_SCHEMA)
class KindFilter(django_filters.ChoiceFilter):
    def __init__(self, **kwargs):
        super().__init__(choices=IncentiveRule.Kind.choices, **kwargs)


class RuleFilter(django_filters.FilterSet):
    kind = KindFilter()

    class Meta:
        model = IncentiveRule
        fields = ["kind", "period", "is_active", "unit", "cycle"]


class IncentiveRuleViewSet(ViewerAPIMixin, viewsets.ModelViewSet):
    """Incentive rules: everyone signed in reads them; admins and the scope unit's HRBP write."""

    serializer_class = IncentiveRuleSerializer
    permission_classes = [SignedIn, CanWriteRules]
    filterset_class = RuleFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return permissions.visible_rules(self.person).order_by("name", "pk")

    def get_object(self):
        action_name = (
            "change" if self.request.method not in drf_permissions.SAFE_METHODS else "view"
        )
        return permissions.get_rule_for(self.person, self.kwargs["pk"], action=action_name)

    def perform_create(self, serializer):
        serializer.instance = services.create_rule(actor=self.person, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_rule(
            actor=self.person, rule=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=EvaluateRequestSerializer, responses={200: EvaluationResponse})
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """Evaluate the rule for the period containing `period_start`. With `dry_run` the
        awards are previewed and nothing is saved."""
        rule = self.get_object()
        data = EvaluateRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.evaluate_rule(
            actor=self.person,
            rule=rule,
            day=data.validated_data["period_start"],
            dry_run=data.validated_data["dry_run"],
        )
        return Response(outcome_data(outcome))


class AwardSerializer(ModelSerializer):
    kind = RuleKindField(read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    reason = serializers.CharField(read_only=True)
    available_actions = AvailableActionsField(
        decide=permissions.available_actions,
        help_text="What the caller may do with the award now: approve, publish (POST "
        "approve/ or publish/).",
    )

    class Meta:
        model = Award
        fields = [
            "id", "rule", "rule_name", "person", "person_name", "period_start", "period_end",
            "kind", "title", "amount", "points", "currency", "state", "reason", "explanation",
            "approved_by", "approved_at", "published_at", "created_at", "updated_at",
            "available_actions",
        ]  # fmt: skip
        read_only_fields = fields


class AwardFilter(django_filters.FilterSet):
    kind = KindFilter()

    class Meta:
        model = Award
        fields = ["rule", "person", "period_start", "state", "kind"]


class AwardViewSet(
    ViewerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Awards with their amounts: the recipient, their manager chain, their HRBP and admins."""

    serializer_class = AwardSerializer
    filterset_class = AwardFilter

    def get_queryset(self):
        return selectors.awards_for(viewer=self.person)

    def get_object(self):
        return permissions.get_award_for(self.person, self.kwargs["pk"])

    def _decide(self, request, pk, service, action_name):
        award = permissions.get_award_for(self.person, pk, action=action_name)
        award = service(actor=self.person, award=award)
        award = permissions.get_award_for(self.person, award.pk)
        return Response(AwardSerializer(award, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: AwardSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a proposed award (admins, the person's HRBP)."""
        return self._decide(request, pk, services.approve_award, "approve")

    @extend_schema(request=None, responses={200: AwardSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish an approved award; the recipient and their manager are notified."""
        return self._decide(request, pk, services.publish_award, "publish")


class RecognitionSerializer(ModelSerializer):
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    unit_name = serializers.CharField(source="person.unit.name", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    reason = serializers.CharField(read_only=True)
    amount = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = [
            "id", "person", "person_name", "unit_name", "rule", "rule_name", "title", "reason",
            "period_start", "period_end", "published_at", "amount", "currency",
        ]  # fmt: skip
        read_only_fields = fields

    def get_amount(self, award) -> str | None:
        """Only for the recipient, their manager chain, their HRBP and admins."""
        if award.pk in self.context.get("amount_ids", ()):
            return str(award.amount)
        return None


class RecognitionViewSet(ViewerAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The public recognition feed: published recognition awards, newest first."""

    serializer_class = RecognitionSerializer
    filterset_fields = ["rule", "person"]

    def get_queryset(self):
        return permissions.recognition_feed(self.person)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        ids = [a.pk for a in page]
        amount_ids = set(
            permissions.visible_awards(self.person).filter(pk__in=ids).values_list("pk", flat=True)
        )
        context = {**self.get_serializer_context(), "amount_ids": amount_ids}
        return self.get_paginated_response(
            RecognitionSerializer(page, many=True, context=context).data
        )


class FairnessRowSerializer(Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    level = serializers.CharField()
    level_label = serializers.CharField()
    count = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    currencies = serializers.ListField(child=serializers.CharField())
    points = serializers.DecimalField(max_digits=16, decimal_places=2)
    awarded_people = serializers.IntegerField()
    eligible_people = serializers.IntegerField()
    share_awarded = serializers.FloatField()
    min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    median = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


@extend_schema(
    parameters=[OpenApiParameter("cycle", int, description="Cycle id (all periods if omitted)")],
    responses={200: FairnessRowSerializer(many=True)},
)
@api_view(["GET"])
def fairness(request):
    """Awards per unit and level: count, total, share of eligible people awarded, min, median,
    max. Admins and HRBPs (for the units they partner)."""
    viewer = request.person
    if not permissions.can_see_fairness(viewer):
        raise PermissionDenied
    cycle = None
    raw = request.query_params.get("cycle")
    if raw:
        cycle = Cycle.objects.filter(pk=raw).first() if is_id(raw) else None
        if cycle is None:
            raise serializers.ValidationError({"cycle": [_("Unknown cycle.")]})
    rows = selectors.fairness(viewer=viewer, cycle=cycle)
    return Response(FairnessRowSerializer(rows, many=True).data)


router = SimpleRouter()
router.register("incentive-rules", IncentiveRuleViewSet, basename="incentive-rule")
router.register("awards", AwardViewSet, basename="award")
router.register("recognitions", RecognitionViewSet, basename="recognition")

urlpatterns = [
    path("incentives/fairness/", fairness, name="incentives-fairness"),
    *router.urls,
]
