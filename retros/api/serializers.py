"""Serializers for the retros API. Writes are validated here for shape only; the rules live in
`retros.services`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import AvailableActionsField, ModelSerializer, Serializer
from goals.models import Cycle, Goal
from org.models import Person, Unit
from retros import permissions, search
from retros.models import (
    FiveWhyAnalysis,
    Lesson,
    RetroAction,
    Retrospective,
    RetroTemplate,
    Section,
)
from tracking.models import ImprovementAction

ACTIVE_PEOPLE = Person.objects.filter(is_active=True)


class RetroActionSerializer(ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    progress = serializers.CharField(read_only=True)
    progress_label = serializers.CharField(source="get_progress_display", read_only=True)

    class Meta:
        model = RetroAction
        fields = [
            "id",
            "retrospective",
            "five_why",
            "kind",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "goal",
            "plan",
            "progress",
            "progress_label",
            "created_at",
        ]
        read_only_fields = fields


class ImprovementWriteSerializer(Serializer):
    description = serializers.CharField()
    owner = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_PEOPLE)
    due_on = serializers.DateField(required=False, allow_null=True)


class FollowThroughSerializer(Serializer):
    to = serializers.ChoiceField(choices=[("goal", _("Goal")), ("plan", _("Improvement plan"))])
    plan_kind = serializers.ChoiceField(
        choices=ImprovementAction.Kind.choices, default=ImprovementAction.Kind.PROCESS
    )


class WhySerializer(Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=True)
    is_root_cause = serializers.BooleanField(default=False)


class FiveWhySerializer(ModelSerializer):
    whys = WhySerializer(many=True, write_only=True)
    action = serializers.SerializerMethodField()
    countermeasure_owner = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_PEOPLE, required=False, allow_null=True
    )
    retrospective = serializers.PrimaryKeyRelatedField(queryset=Retrospective.objects.all())

    class Meta:
        model = FiveWhyAnalysis
        fields = [
            "id",
            "retrospective",
            "problem",
            "whys",
            "root_cause",
            "countermeasure",
            "countermeasure_owner",
            "countermeasure_due_on",
            "action",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["root_cause", "created_at", "updated_at"]
        extra_kwargs = {"problem": {"allow_blank": True}, "countermeasure": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["whys"] = [
            {"text": level.text, "is_root_cause": level.is_root_cause}
            for level in instance.levels.all()
        ]
        return data

    @extend_schema_field(RetroActionSerializer(allow_null=True))
    def get_action(self, obj):
        try:
            return RetroActionSerializer(obj.action).data
        except RetroAction.DoesNotExist:
            return None


class RetrospectiveSerializer(ModelSerializer):
    scope_name = serializers.CharField(read_only=True)
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    facilitator_name = serializers.CharField(source="facilitator.display_name", read_only=True)
    state = serializers.CharField(read_only=True, help_text="draft, held or published")
    available_actions = AvailableActionsField(
        decide=permissions.available_actions,
        help_text="What the caller may do with the retrospective now, in this order: edit "
        "(PATCH its sections, 5-Whys, improvements), hold, publish, follow_through (POST "
        "/retro-actions/{id}/follow-through/).",
    )

    class Meta:
        model = Retrospective
        fields = [
            "id",
            "title",
            "cycle",
            "cycle_name",
            "goal",
            "unit",
            "scope_name",
            "facilitator",
            "facilitator_name",
            "state",
            "created_at",
            "held_at",
            "published_at",
            "available_actions",
        ]
        read_only_fields = fields


class CauseCountSerializer(Serializer):
    cause = serializers.CharField(source="tag.slug")
    label = serializers.CharField()
    weeks = serializers.IntegerField()


class RetrospectiveDetailSerializer(RetrospectiveSerializer):
    participants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    five_whys = FiveWhySerializer(many=True, read_only=True)
    actions = RetroActionSerializer(many=True, read_only=True)
    cause_counts = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    class Meta(RetrospectiveSerializer.Meta):
        fields = [
            *RetrospectiveSerializer.Meta.fields,
            "participants",
            "results",
            "reasons",
            "what_worked",
            "improvements",
            "cause_counts",
            "questions",
            "five_whys",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(CauseCountSerializer(many=True))
    def get_cause_counts(self, obj):
        from retros.selectors import cause_counts

        return CauseCountSerializer(cause_counts(obj), many=True).data

    @extend_schema_field(serializers.DictField(child=serializers.ListField()))
    def get_questions(self, obj) -> dict:
        template = obj.template or RetroTemplate(questions={})
        return {section: [str(q) for q in template.questions_for(section)] for section in Section}


class RetrospectiveCreateSerializer(Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    goal = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.select_related("owner_person__unit", "owner_unit", "cycle"),
        required=False,
        allow_null=True,
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(required=False, allow_blank=True, default="")
    facilitator = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_PEOPLE, required=False, allow_null=True
    )
    participants = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_PEOPLE, many=True, required=False, default=list
    )
    template = serializers.PrimaryKeyRelatedField(
        queryset=RetroTemplate.objects.all(), required=False, allow_null=True
    )


class RetrospectiveUpdateSerializer(Serializer):
    title = serializers.CharField(required=False, max_length=300)
    reasons = serializers.CharField(required=False, allow_blank=True)
    what_worked = serializers.CharField(required=False, allow_blank=True)
    improvements = serializers.CharField(required=False, allow_blank=True)
    facilitator = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_PEOPLE, required=False)
    participants = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_PEOPLE, many=True, required=False
    )


class TagsField(serializers.ListField):
    child = serializers.CharField(max_length=50)

    def get_attribute(self, instance):
        return instance.tag_names


class LessonSerializer(ModelSerializer):
    tags = TagsField(required=False, default=list)
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    url = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()
    title_highlighted = serializers.SerializerMethodField()
    publish = serializers.BooleanField(write_only=True, required=False, default=False)
    state = serializers.CharField(read_only=True, help_text="draft or published")
    source_retrospective = serializers.PrimaryKeyRelatedField(
        queryset=Retrospective.objects.select_related("cycle", "goal__owner_person__unit"),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Lesson
        fields = [
            "id",
            "title",
            "category",
            "context",
            "problem",
            "what_worked",
            "solution",
            "tags",
            "source_retrospective",
            "unit",
            "unit_name",
            "effectiveness",
            "author",
            "author_name",
            "state",
            "opened_from_suggestion",
            "created_at",
            "published_at",
            "url",
            "rank",
            "snippet",
            "title_highlighted",
            "publish",
        ]
        read_only_fields = [
            "author",
            "state",
            "opened_from_suggestion",
            "created_at",
            "published_at",
        ]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}}

    def _terms(self) -> list[str]:
        return self.context.get("terms") or []

    def get_url(self, obj) -> str:
        url = reverse("retros:lesson", args=[obj.pk])
        return f"{url}?from=suggestion" if self.context.get("suggestion") else url

    def get_rank(self, obj) -> float | None:
        rank = getattr(obj, "rank", None)
        return round(float(rank), 4) if rank is not None else None

    def get_snippet(self, obj) -> str:
        return str(
            search.snippet([obj.context, obj.problem, obj.what_worked, obj.solution], self._terms())
        )

    def get_title_highlighted(self, obj) -> str:
        return str(search.highlight(obj.title, self._terms()))


class LessonUpdateSerializer(Serializer):
    title = serializers.CharField(required=False, max_length=300)
    category = serializers.CharField(required=False, allow_blank=True, max_length=100)
    context = serializers.CharField(required=False, allow_blank=True)
    problem = serializers.CharField(required=False, allow_blank=True)
    what_worked = serializers.CharField(required=False, allow_blank=True)
    solution = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    effectiveness = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5
    )


class RetroTemplateSerializer(ModelSerializer):
    questions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False, default=dict
    )
    # Declared: the model's conditional unique constraint would otherwise refuse a new default;
    # save_template moves the default flag instead.
    is_default = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = RetroTemplate
        fields = ["id", "name", "questions", "is_default"]
