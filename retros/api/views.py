"""Viewsets for the retros API: querysets from `org.permissions`, writes through services."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from org.access import ViewerAPIMixin
from org.models import Unit
from retros import permissions, selectors, services
from retros.api.serializers import (
    FiveWhySerializer,
    FollowThroughSerializer,
    ImprovementWriteSerializer,
    LessonSerializer,
    LessonUpdateSerializer,
    RetroActionSerializer,
    RetrospectiveCreateSerializer,
    RetrospectiveDetailSerializer,
    RetrospectiveSerializer,
    RetrospectiveUpdateSerializer,
    RetroTemplateSerializer,
)
from retros.models import FiveWhyAnalysis, Lesson, RetroAction, Retrospective, RetroTemplate


class RetrospectiveFilter(django_filters.FilterSet):
    class Meta:
        model = Retrospective
        fields = ["cycle", "unit", "goal", "state"]


class RetrospectiveViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Retrospectives the caller may see: participants, facilitator, the scope's managers and
    HRBP, admins. `results` is the snapshot frozen at creation."""

    filterset_class = RetrospectiveFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Retrospective.objects.none()
        return selectors.retrospective_list(viewer=self.person)

    def get_serializer_class(self):
        if self.action == "create":
            return RetrospectiveCreateSerializer
        if self.action == "partial_update":
            return RetrospectiveUpdateSerializer
        if self.action == "list":
            return RetrospectiveSerializer
        return RetrospectiveDetailSerializer

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        retro = selectors.retrospective_detail(viewer=self.person, pk=pk)
        return Response(
            RetrospectiveDetailSerializer(retro, context=self.get_serializer_context()).data,
            status=code,
        )

    def retrieve(self, request, *args, **kwargs):
        return self._detail(kwargs["pk"])

    @extend_schema(request=RetrospectiveCreateSerializer, responses=RetrospectiveDetailSerializer)
    def create(self, request, *args, **kwargs):
        viewer = self.person
        data = RetrospectiveCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        goal = d.get("goal")
        if goal is not None and not permissions.can_see_goal_for_retros(viewer, goal):
            raise ValidationError({"goal": ["Invalid pk - object does not exist."]})
        retro = services.create_retrospective(
            actor=viewer,
            cycle=d["cycle"],
            goal=goal,
            unit=d.get("unit"),
            facilitator=d.get("facilitator"),
            participants=d.get("participants", []),
            title=d.get("title", ""),
            template=d.get("template"),
        )
        return self._detail(retro.pk, status.HTTP_201_CREATED)

    @extend_schema(request=RetrospectiveUpdateSerializer, responses=RetrospectiveDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        viewer = self.person
        retro = permissions.get_retrospective_for(viewer, kwargs["pk"])
        data = RetrospectiveUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_retrospective(actor=viewer, retro=retro, **data.validated_data)
        return self._detail(retro.pk)

    @extend_schema(request=None, responses=RetrospectiveDetailSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Mark the retrospective as held (draft → held)."""
        viewer = self.person
        retro = permissions.get_retrospective_for(viewer, pk)
        services.hold_retrospective(actor=viewer, retro=retro)
        return self._detail(pk)

    @extend_schema(request=None, responses=RetrospectiveDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a held retrospective; participants are notified."""
        viewer = self.person
        retro = permissions.get_retrospective_for(viewer, pk)
        services.publish_retrospective(actor=viewer, retro=retro)
        return self._detail(pk)

    @extend_schema(request=ImprovementWriteSerializer, responses={201: RetroActionSerializer})
    @action(detail=True, methods=["post"])
    def improvements(self, request, pk=None):
        """Add an improvement (an action that can later be followed through)."""
        viewer = self.person
        retro = permissions.get_retrospective_for(viewer, pk)
        data = ImprovementWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.add_improvement(actor=viewer, retro=retro, **data.validated_data)
        return Response(RetroActionSerializer(item).data, status=status.HTTP_201_CREATED)


class RetroActionViewSet(ViewerAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Improvements and countermeasures with their follow-through state."""

    serializer_class = RetroActionSerializer
    filterset_fields = ["retrospective", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RetroAction.objects.none()
        visible = permissions.visible_retrospectives(self.person)
        return (
            RetroAction.objects.filter(retrospective__in=visible.values("pk"))
            .select_related("owner", "goal", "plan")
            .order_by("retrospective", "kind", "pk")
        )

    @extend_schema(request=FollowThroughSerializer, responses=RetroActionSerializer)
    @action(detail=True, methods=["post"], url_path="follow-through")
    def follow_through(self, request, pk=None):
        """In one step: a draft goal in the next cycle (`to=goal`) or an improvement plan for
        the action's owner (`to=plan`), linked back to the action."""
        viewer = self.person
        item = self.get_object()
        data = FollowThroughSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.follow_through(actor=viewer, action=item, **data.validated_data)
        item = self.get_queryset().get(pk=item.pk)
        return Response(RetroActionSerializer(item).data)


class FiveWhyViewSet(ViewerAPIMixin, viewsets.ModelViewSet):
    """5-Why analyses of visible retrospectives. A write replaces the whole chain."""

    serializer_class = FiveWhySerializer
    filterset_fields = ["retrospective"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FiveWhyAnalysis.objects.none()
        visible = permissions.visible_retrospectives(self.person)
        return (
            FiveWhyAnalysis.objects.filter(retrospective__in=visible.values("pk"))
            .select_related("action__owner", "action__goal", "action__plan", "retrospective")
            .prefetch_related("levels")
            .order_by("retrospective", "pk")
        )

    def _save(self, serializer, analysis=None):
        viewer = self.person
        d = dict(serializer.validated_data)
        retro = d.pop("retrospective", None) or analysis.retrospective
        if not permissions.visible_retrospectives(viewer).filter(pk=retro.pk).exists():
            raise ValidationError({"retrospective": ["Invalid pk - object does not exist."]})
        if analysis is not None:
            d.setdefault("problem", analysis.problem)
            d.setdefault(
                "whys",
                [
                    {"text": lv.text, "is_root_cause": lv.is_root_cause}
                    for lv in analysis.levels.all()
                ],
            )
            for name in ("countermeasure", "countermeasure_owner", "countermeasure_due_on"):
                d.setdefault(name, getattr(analysis, name))
        serializer.instance = services.save_five_why(
            actor=viewer, retrospective=retro, analysis=analysis, **d
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, analysis=serializer.instance)

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response.data = FiveWhySerializer(self.get_queryset().get(pk=kwargs["pk"])).data
        return response

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.data = FiveWhySerializer(self.get_queryset().get(pk=response.data["id"])).data
        return response

    def perform_destroy(self, instance):
        services.delete_five_why(actor=self.person, analysis=instance)


class LessonFilter(django_filters.FilterSet):
    """Filters of the lessons list; applied by the selector (ranking needs them together)."""

    search = django_filters.CharFilter(method="passthrough", label="search")
    category = django_filters.CharFilter(method="passthrough")
    tag = django_filters.CharFilter(method="passthrough")
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), method="passthrough")
    state = django_filters.ChoiceFilter(choices=Lesson.State.choices, method="passthrough")

    class Meta:
        model = Lesson
        fields = ["search", "category", "tag", "unit", "state"]

    def passthrough(self, queryset, name, value):
        return queryset


SIMILAR_PARAMS = [
    OpenApiParameter("key_result", OpenApiTypes.INT, description="A key result id"),
    OpenApiParameter("goal", OpenApiTypes.INT, description="A goal id"),
]


class LessonViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The lessons knowledge base. `?search=` ranks by relevance (English and Chinese) and
    returns highlighted `snippet`s; `?category=`, `?tag=`, `?unit=` (subtree) filter."""

    serializer_class = LessonSerializer
    filterset_class = LessonFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lesson.objects.none()
        return selectors.lesson_list(viewer=self.person)

    def list(self, request, *args, **kwargs):
        viewer = self.person
        form = LessonFilter(request.GET, queryset=Lesson.objects.none())
        if not form.is_valid():
            raise ValidationError(form.errors)
        f = form.form.cleaned_data
        filters = {"category": f.get("category") or "", "tag": f.get("tag") or ""}
        if f.get("search"):
            result = selectors.search_lessons(
                viewer=viewer,
                query=f["search"],
                unit=f.get("unit"),
                state=f.get("state") or "",
                **filters,
            )
            rows, terms = result.lessons, result.terms
        else:
            rows = selectors.lesson_list(
                viewer=viewer, unit=f.get("unit"), state=f.get("state") or "", **filters
            )
            terms = []
        page = self.paginate_queryset(rows)
        serializer = LessonSerializer(page, many=True, context={"terms": terms})
        return self.get_paginated_response(serializer.data)

    @extend_schema(request=LessonSerializer, responses={201: LessonSerializer})
    def create(self, request, *args, **kwargs):
        data = LessonSerializer(data=request.data)
        # A retrospective the caller may not see is unknown, like an id that does not exist.
        data.fields["source_retrospective"].queryset = permissions.visible_retrospectives(
            self.person
        ).select_related("cycle", "goal__owner_person__unit")
        data.is_valid(raise_exception=True)
        lesson = services.create_lesson(actor=self.person, **data.validated_data)
        lesson = self.get_queryset().get(pk=lesson.pk)
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LessonUpdateSerializer, responses=LessonSerializer)
    def partial_update(self, request, *args, **kwargs):
        viewer = self.person
        lesson = permissions.get_lesson_for(viewer, kwargs["pk"], action="edit")
        data = LessonUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_lesson(actor=viewer, lesson=lesson, **data.validated_data)
        return Response(LessonSerializer(self.get_queryset().get(pk=lesson.pk)).data)

    @extend_schema(request=None, responses=LessonSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft lesson to the whole company."""
        viewer = self.person
        lesson = permissions.get_lesson_for(viewer, pk, action="edit")
        services.publish_lesson(actor=viewer, lesson=lesson)
        return Response(LessonSerializer(self.get_queryset().get(pk=lesson.pk)).data)

    @extend_schema(parameters=SIMILAR_PARAMS, responses=LessonSerializer(many=True))
    @action(detail=False, methods=["get"])
    def similar(self, request):
        """The top 3 published lessons for a goal or a key result (its words and category).
        Their `url` records the visit as opened from a suggestion."""
        viewer = self.person
        goal, key_result = selectors.similar_target(
            viewer=viewer,
            goal=request.GET.get("goal", ""),
            key_result=request.GET.get("key_result", ""),
        )
        result = selectors.similar_lessons(viewer=viewer, goal=goal, key_result=key_result)
        context = {"terms": result.terms, "suggestion": True}
        return Response(LessonSerializer(result.lessons, many=True, context=context).data)


class RetroTemplateViewSet(ViewerAPIMixin, viewsets.ModelViewSet):
    """Retrospective templates: questions per section. Everyone reads; admins write."""

    serializer_class = RetroTemplateSerializer
    queryset = RetroTemplate.objects.order_by("-is_default", "name")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.save_template(actor=self.person, **serializer.validated_data)

    def perform_update(self, serializer):
        d = serializer.validated_data
        t = serializer.instance
        serializer.instance = services.save_template(
            actor=self.person,
            template=t,
            name=d.get("name", t.name),
            questions=d.get("questions", t.questions),
            is_default=d.get("is_default", t.is_default),
        )
