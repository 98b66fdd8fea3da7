"""REST API of performance reviews, thin over the services and selectors.

/api/v1/review-cycles/                     list, create (admins, HRBPs of the unit)
/api/v1/review-cycles/{id}/                retrieve
/api/v1/review-cycles/{id}/open/           creates the reviews
/api/v1/review-cycles/{id}/lock/           locks the calibrated ratings
/api/v1/review-cycles/{id}/distribution/   ratings per unit and level against the guideline
/api/v1/reviews/                           list (filters cycle, state, person)
/api/v1/reviews/{id}/                      retrieve, with the facts and the 360 summary
/api/v1/reviews/{id}/<step>/               self-assessment, reviewers, evaluate, calibrate,
                                           release, meeting, acknowledge, development-plan
/api/v1/feedback-requests/                 list; /{id}/ retrieve, approve, decline, answer
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import AvailableActionsField, ModelSerializer, Serializer
from goals.models import Cycle
from org.access import ViewerAPIMixin
from org.models import Person, Unit
from org.permissions import visible_people
from reviews import permissions, selectors, services
from reviews.models import (
    DEVELOPMENT_KINDS,
    FeedbackRequest,
    FormTemplate,
    Rating,
    Review,
    ReviewCycle,
)

RATING = {"choices": Rating.choices}


# --- review cycles -----------------------------------------------------------------------------
class ReviewCycleSerializer(ModelSerializer):
    goal_cycle_name = serializers.CharField(source="goal_cycle.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=Person.Level.choices), required=False
    )

    class Meta:
        model = ReviewCycle
        fields = [
            "id",
            "name",
            "goal_cycle",
            "goal_cycle_name",
            "unit",
            "unit_name",
            "levels",
            "self_assessment",
            "feedback_360",
            "calibration",
            "self_due_on",
            "feedback_due_on",
            "manager_due_on",
            "calibration_due_on",
            "top_rating_limit",
            "frontline_form",
            "manager_form",
            "executive_form",
            "state",
            "locked_at",
        ]
        read_only_fields = ["id", "state", "locked_at"]
        extra_kwargs = {
            "goal_cycle": {"queryset": Cycle.objects.all()},
            "unit": {"queryset": Unit.objects.all()},
            "frontline_form": {"queryset": FormTemplate.objects.all()},
            "manager_form": {"queryset": FormTemplate.objects.all()},
            "executive_form": {"queryset": FormTemplate.objects.all()},
        }


class GroupSerializer(Serializer):
    unit = serializers.CharField()
    level = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Per rating 1–5.")
    total = serializers.IntegerField()
    top_share = serializers.FloatField(help_text="Share at the top rating, 0–1.")
    over_limit = serializers.BooleanField(help_text="Above the cycle's top-rating guideline.")


class ReviewCycleViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Review cycles: seen by everyone signed in; configured by admins and the unit's HRBPs."""

    serializer_class = ReviewCycleSerializer
    queryset = ReviewCycle.objects.none()

    def get_queryset(self):
        return permissions.visible_review_cycles(self.viewer).select_related("goal_cycle", "unit")

    def create(self, request, *args, **kwargs):
        viewer = self.person
        data = ReviewCycleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.create_review_cycle(actor=viewer, **data.validated_data)
        return Response(ReviewCycleSerializer(cycle).data, status=201)

    @extend_schema(request=None, responses={200: ReviewCycleSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        cycle = permissions.get_review_cycle_for(self.person, pk, action="manage")
        cycle = services.open_review_cycle(actor=self.person, cycle=cycle)
        return Response(ReviewCycleSerializer(cycle).data)

    @extend_schema(request=None, responses={200: ReviewCycleSerializer})
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        cycle = permissions.get_review_cycle_for(self.person, pk, action="manage")
        cycle = services.lock_calibration(actor=self.person, cycle=cycle)
        return Response(ReviewCycleSerializer(cycle).data)

    @extend_schema(responses={200: GroupSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def distribution(self, request, pk=None):
        """Final ratings per unit and level of the reviews the caller calibrates."""
        cycle = permissions.get_review_cycle_for(self.person, pk, action="calibrate")
        groups = selectors.distribution(self.viewer, cycle)
        return Response(GroupSerializer(groups, many=True).data)


# --- reviews -------------------------------------------------------------------------------------
RATING_FIELDS = (
    "results_rating",
    "suggested_results_rating",
    "results_override_reason",
    "results_evidence",
    "competencies_rating",
    "competencies_evidence",
    "attitude_rating",
    "attitude_evidence",
    "overall_rating",
    "manager_comment",
    "calibrated_rating",
    "calibration_comment",
    "final_rating",
)


class ReviewSerializer(ModelSerializer):
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    final_rating = serializers.IntegerField(read_only=True, allow_null=True)
    available_actions = AvailableActionsField(
        decide=permissions.available_actions,
        help_text="What the caller may do now: self_assess, propose_reviewers, evaluate, "
        "calibrate, release, meeting, acknowledge, development_plan.",
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "cycle",
            "cycle_name",
            "person",
            "person_name",
            "manager",
            "unit",
            "unit_name",
            "level",
            "state",
            "self_results_rating",
            "self_competencies_rating",
            "self_attitude_rating",
            "self_comment",
            "self_submitted_at",
            *RATING_FIELDS,
            "evaluated_at",
            "locked_at",
            "released_at",
            "met_on",
            "acknowledged_at",
            "acknowledgement_comment",
            "disagrees",
            "development_plan",
            "available_actions",
        ]
        read_only_fields = fields

    def to_representation(self, obj):
        data = super().to_representation(obj)
        viewer = self.context["request"].viewer
        if not permissions.sees_ratings(viewer, obj):
            # Before release the person reads none of the manager's or calibration's work.
            for name in RATING_FIELDS:
                data[name] = "" if isinstance(data[name], str) else None
        return data


class GoalFactSerializer(Serializer):
    pk = serializers.IntegerField()
    title = serializers.CharField()
    weight = serializers.FloatField()
    progress = serializers.FloatField()
    score = serializers.FloatField(allow_null=True)


class FactsSerializer(Serializer):
    goals = GoalFactSerializer(many=True)
    weighted_score = serializers.FloatField(allow_null=True)
    check_ins_submitted = serializers.IntegerField()
    check_ins_due = serializers.IntegerField()
    feedback_received = serializers.IntegerField()
    improvement_plans = serializers.SerializerMethodField()
    suggested_rating = serializers.IntegerField(allow_null=True)

    def get_improvement_plans(self, facts) -> list[str]:
        return [plan.title for plan in facts.plans]


class FeedbackSummarySerializer(Serializer):
    shown = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why the answers are not shown, when they are not.")
    answered = serializers.IntegerField()
    pending = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    strengths = serializers.ListField(child=serializers.CharField())
    improvements = serializers.ListField(child=serializers.CharField())


class ReviewDetailSerializer(ReviewSerializer):
    facts = serializers.SerializerMethodField()
    feedback_360 = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "facts", "feedback_360"]
        read_only_fields = fields

    @extend_schema_field(FactsSerializer)
    def get_facts(self, obj) -> dict:
        data = FactsSerializer(selectors.review_facts(obj)).data
        if not permissions.sees_ratings(self.context["request"].viewer, obj):
            data["suggested_rating"] = None
        return data

    @extend_schema_field(FeedbackSummarySerializer)
    def get_feedback_360(self, obj) -> dict:
        viewer = self.context["request"].viewer
        return FeedbackSummarySerializer(selectors.feedback_summary(viewer, obj)).data


class SelfAssessmentSerializer(Serializer):
    results_rating = serializers.ChoiceField(**RATING)
    competencies_rating = serializers.ChoiceField(**RATING)
    attitude_rating = serializers.ChoiceField(**RATING)
    comment = serializers.CharField()


class EvaluationSerializer(Serializer):
    results_rating = serializers.ChoiceField(**RATING)
    competencies_rating = serializers.ChoiceField(**RATING)
    attitude_rating = serializers.ChoiceField(**RATING)
    overall_rating = serializers.ChoiceField(**RATING)
    results_evidence = serializers.CharField(required=False, allow_blank=True, default="")
    competencies_evidence = serializers.CharField(required=False, allow_blank=True, default="")
    attitude_evidence = serializers.CharField(required=False, allow_blank=True, default="")
    results_override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when the results rating differs from the suggested one.",
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class CalibrateSerializer(Serializer):
    rating = serializers.ChoiceField(**RATING)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed when the rating moves."
    )


class MeetingSerializer(Serializer):
    met_on = serializers.DateField()


class AcknowledgeSerializer(Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    disagree = serializers.BooleanField(required=False, default=False)


class PlanActionSerializer(Serializer):
    kind = serializers.ChoiceField(choices=DEVELOPMENT_KINDS)
    description = serializers.CharField()
    due_on = serializers.DateField(required=False, allow_null=True)


class DevelopmentPlanSerializer(Serializer):
    title = serializers.CharField(max_length=300)
    actions = PlanActionSerializer(many=True, allow_empty=False, max_length=20)


class ReviewerSerializer(Serializer):
    reviewer = serializers.IntegerField(min_value=1)
    relation = serializers.ChoiceField(choices=FeedbackRequest.Relation.choices)


class ReviewersSerializer(Serializer):
    reviewers = ReviewerSerializer(many=True, allow_empty=False, max_length=8)

    def validate_reviewers(self, rows):
        people = visible_people(self.context["viewer"]).in_bulk([r["reviewer"] for r in rows])
        out = []
        for index, row in enumerate(rows):
            person = people.get(row["reviewer"])
            if person is None:
                raise serializers.ValidationError({index: _("Unknown person.")})
            out.append({"reviewer": person, "relation": row["relation"]})
        return out


class ReviewFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id")
    person = django_filters.NumberFilter(field_name="person_id")
    state = django_filters.ChoiceFilter(choices=Review.State.choices)

    class Meta:
        model = Review
        fields = ["cycle", "person", "state"]


def _step(name, serializer_class, service, *, url_path=None):
    """An action of the review: validate the body, call the service, answer the review."""

    def step(self, request, pk=None):
        review = permissions.get_review_for(self.person, pk)
        kwargs = {}
        if serializer_class is not None:
            data = serializer_class(data=request.data, context={"viewer": self.viewer})
            data.is_valid(raise_exception=True)
            kwargs = data.validated_data
        service(actor=self.person, review=review, **kwargs)
        return self._respond(review.pk)

    step.__name__ = name
    step = action(detail=True, methods=["post"], url_path=url_path)(step)
    return extend_schema(request=serializer_class, responses={200: ReviewDetailSerializer})(step)


def _plan(*, actor, review, title, actions):
    return services.agree_development_plan(
        actor=actor, review=review, title=title, actions=[dict(a) for a in actions]
    )


class ReviewViewSet(
    ViewerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Performance reviews the caller may see: their own (ratings once released), their
    reports' (the manager chain), those of the units they partner as HRBP; admins all."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    queryset = Review.objects.none()

    def get_queryset(self):
        return selectors.reviews_for(self.viewer).order_by("-cycle_id", "person__display_name")

    def get_serializer_class(self):
        return ReviewDetailSerializer if self.action != "list" else ReviewSerializer

    def retrieve(self, request, *args, **kwargs):
        return self._respond(kwargs["pk"])

    def _respond(self, pk):
        review = permissions.get_review_for(self.person, pk)
        return Response(ReviewDetailSerializer(review, context=self.get_serializer_context()).data)

    self_assessment = _step(
        "self_assessment",
        SelfAssessmentSerializer,
        services.submit_self_assessment,
        url_path="self-assessment",
    )
    reviewers = _step("reviewers", ReviewersSerializer, services.propose_reviewers)
    evaluate = _step("evaluate", EvaluationSerializer, services.submit_evaluation)
    calibrate = _step("calibrate", CalibrateSerializer, services.calibrate)
    release = _step("release", None, services.release_review)
    meeting = _step("meeting", MeetingSerializer, services.record_meeting)
    acknowledge = _step("acknowledge", AcknowledgeSerializer, services.acknowledge_review)
    development_plan = _step(
        "development_plan", DevelopmentPlanSerializer, _plan, url_path="development-plan"
    )


# --- 360 feedback requests ---------------------------------------------------------------
class FeedbackRequestSerializer(ModelSerializer):
    person = serializers.IntegerField(source="review.person_id", read_only=True)
    person_name = serializers.CharField(source="review.person.display_name", read_only=True)
    reviewer_name = serializers.CharField(source="reviewer.display_name", read_only=True)
    cycle_name = serializers.CharField(source="review.cycle.name", read_only=True)

    class Meta:
        model = FeedbackRequest
        fields = [
            "id",
            "review",
            "person",
            "person_name",
            "cycle_name",
            "reviewer",
            "reviewer_name",
            "relation",
            "state",
            "rating",
            "strengths",
            "improvements",
            "answered_at",
        ]
        read_only_fields = fields

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not permissions.sees_answer(self.context["request"].viewer, obj):
            # Answers are never attributable: only their reviewer reads one with its name.
            data.update(rating=None, strengths="", improvements="")
        return data


class AnswerSerializer(Serializer):
    rating = serializers.ChoiceField(**RATING)
    strengths = serializers.CharField(required=False, allow_blank=True, default="")
    improvements = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackRequestFilter(django_filters.FilterSet):
    review = django_filters.NumberFilter(field_name="review_id")
    state = django_filters.ChoiceFilter(choices=FeedbackRequest.State.choices)

    class Meta:
        model = FeedbackRequest
        fields = ["review", "state"]


class FeedbackRequestViewSet(
    ViewerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """360 feedback requests: those addressed to the caller (to answer), and those on the
    reviews the caller sees (without the answers)."""

    serializer_class = FeedbackRequestSerializer
    filterset_class = FeedbackRequestFilter
    queryset = FeedbackRequest.objects.none()

    def get_queryset(self):
        return selectors.feedback_requests_for(self.viewer).order_by("-pk")

    def _respond(self, obj):
        obj = permissions.get_feedback_request_for(self.person, obj.pk)
        return Response(FeedbackRequestSerializer(obj, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: FeedbackRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        obj = permissions.get_feedback_request_for(self.person, pk, action="decide")
        obj = services.decide_feedback_request(actor=self.person, request=obj, approve=True)
        return self._respond(obj)

    @extend_schema(request=None, responses={200: FeedbackRequestSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        obj = permissions.get_feedback_request_for(self.person, pk, action="decide")
        obj = services.decide_feedback_request(actor=self.person, request=obj, approve=False)
        return self._respond(obj)

    @extend_schema(request=AnswerSerializer, responses={200: FeedbackRequestSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        obj = permissions.get_feedback_request_for(self.person, pk, action="answer")
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.answer_feedback_request(
            actor=self.person, request=obj, **data.validated_data
        )
        return self._respond(obj)


router = SimpleRouter()
router.register("review-cycles", ReviewCycleViewSet, basename="review-cycle")
router.register("reviews", ReviewViewSet, basename="review")
router.register("feedback-requests", FeedbackRequestViewSet, basename="feedback-request")

urlpatterns = router.urls
