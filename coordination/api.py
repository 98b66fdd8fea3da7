"""REST API for threads, thin over coordination.services and coordination.permissions.

/api/v1/comments/?target_kind=goal&target_id=17   the thread of an object (404 when hidden)
/api/v1/comments/                                 POST {target_kind, target_id, text, parent?}
/api/v1/comments/{id}/                            GET; PATCH {text} (its author; edits kept)
/api/v1/meetings/, /api/v1/meeting-actions/{id}/complete/
/api/v1/task-forces/                              GET (?state=active|dissolved); POST
/api/v1/task-forces/{id}/                         GET, with members and progress
/api/v1/task-forces/{id}/members/                 POST {person} adds; DELETE {person} removes
/api/v1/task-forces/{id}/dissolve/                POST: dissolve with a retrospective
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coordination import permissions, selectors, services
from coordination.models import Comment, Meeting, MeetingAction, TargetKind, TaskForce
from core.api import AvailableActionsField, ModelSerializer, Serializer
from core.params import is_id
from goals import permissions as goal_permissions
from goals.models import Cycle
from org import permissions as org_permissions
from org.access import ViewerAPIMixin
from org.models import TaskForceMembership


class CommentSerializer(ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    available_actions = AvailableActionsField(
        decide=permissions.comment_actions,
        help_text="What the caller may do with the comment: edit (PATCH).",
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "target_kind",
            "target_id",
            "parent",
            "author",
            "author_name",
            "text",
            "created_at",
            "edited_at",
            "available_actions",
        ]
        read_only_fields = fields


class CommentDetailSerializer(CommentSerializer):
    earlier_texts = serializers.SerializerMethodField(
        help_text="The texts the comment had before its edits, newest first."
    )

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "earlier_texts"]
        read_only_fields = fields

    def get_earlier_texts(self, obj) -> list[str]:
        texts = list(
            obj.history.order_by("-history_date", "-history_id").values_list("text", flat=True)
        )
        out = []
        for text in texts[1:]:
            if text != obj.text and text not in out:
                out.append(text)
        return out


class CommentCreateSerializer(Serializer):
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    target_id = serializers.IntegerField(min_value=1)
    text = serializers.CharField()
    parent = serializers.IntegerField(required=False, allow_null=True)


class CommentUpdateSerializer(Serializer):
    text = serializers.CharField()


class CommentViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Comments and replies on goals, key results, check-ins, resource requests and
    retrospectives, seen by exactly those who may see the object. A list needs the object:
    `target_kind` and `target_id`."""

    serializer_class = CommentSerializer
    queryset = Comment.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action != "list":
            return Comment.objects.none()
        kind = self.request.query_params.get("target_kind")
        pk = self.request.query_params.get("target_id")
        if kind not in TargetKind.values or not is_id(pk):
            raise ValidationError(
                {"target_kind": [_("Give the object: target_kind and target_id.")]}
            )
        return (
            permissions.thread_comments(self.viewer, kind, pk)
            .select_related("author")
            .order_by("created_at", "pk")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("target_kind", enum=TargetKind.values, required=True),
            OpenApiParameter("target_id", int, required=True),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: CommentDetailSerializer})
    def retrieve(self, request, pk=None):
        comment = permissions.get_comment_for(self.viewer, pk)
        return Response(
            CommentDetailSerializer(comment, context=self.get_serializer_context()).data
        )

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def create(self, request, *args, **kwargs):
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent = None
        if values.get("parent") is not None:
            try:
                parent = permissions.get_comment_for(self.viewer, values["parent"])
            except Http404:  # a hidden or missing parent reads as unknown
                raise ValidationError({"parent": [_("Unknown comment.")]}) from None
        comment = services.post_comment(
            actor=self.person,
            kind=values["target_kind"],
            target_id=values["target_id"],
            text=values["text"],
            parent=parent,
        )
        return Response(
            CommentSerializer(comment, context=self.get_serializer_context()).data, status=201
        )

    @extend_schema(request=CommentUpdateSerializer, responses={200: CommentSerializer})
    def partial_update(self, request, pk=None):
        comment = permissions.get_comment_for(self.viewer, pk, permissions.EDIT)
        data = CommentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.edit_comment(
            actor=self.person, comment=comment, text=data.validated_data["text"]
        )
        return Response(CommentSerializer(comment, context=self.get_serializer_context()).data)


# --- meetings -------------------------------------------------------------------------------


class MeetingActionSerializer(ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)

    class Meta:
        model = MeetingAction
        fields = ["id", "meeting", "text", "owner", "owner_name", "due_on", "done_at"]
        read_only_fields = fields


class MeetingSerializer(ModelSerializer):
    organizer_name = serializers.CharField(source="organizer.display_name", read_only=True)
    participants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    goals = serializers.SerializerMethodField(help_text="The goals discussed that you may see.")
    actions = MeetingActionSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "held_on",
            "cycle",
            "source",
            "organizer",
            "organizer_name",
            "participants",
            "goals",
            "decisions",
            "notes",
            "actions",
        ]
        read_only_fields = fields

    def get_goals(self, obj) -> list[int]:
        visible = self.context.get("visible_goal_ids")
        return [g.pk for g in obj.goals.all() if visible is None or g.pk in visible]


class MeetingActionInputSerializer(Serializer):
    text = serializers.CharField(max_length=500)
    owner = serializers.IntegerField()
    due_on = serializers.DateField()


class MeetingCreateSerializer(Serializer):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(max_length=300)
    held_on = serializers.DateField()
    cycle = serializers.IntegerField(required=False, allow_null=True)
    source = serializers.ChoiceField(
        choices=Meeting.Source.choices, required=False, allow_blank=True, default=""
    )
    participants = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    goals = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    decisions = serializers.CharField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    actions = MeetingActionInputSerializer(many=True, required=False, default=list)

    def validate(self, attrs):
        viewer = self.context["viewer"]
        people = {
            p.pk: p
            for p in org_permissions.visible_people(viewer).filter(
                pk__in=[*attrs["participants"], *[a["owner"] for a in attrs["actions"]]]
            )
        }
        if any(pk not in people for pk in attrs["participants"]):
            raise ValidationError({"participants": [_("Unknown person.")]})
        attrs["participants"] = [people[pk] for pk in attrs["participants"]]
        for row in attrs["actions"]:
            if row["owner"] not in people:
                raise ValidationError({"actions": [_("Unknown person.")]})
            row["owner"] = people[row["owner"]]
        goals = list(goal_permissions.visible_goals(viewer).filter(pk__in=attrs["goals"]))
        if len(goals) != len(set(attrs["goals"])):
            raise ValidationError({"goals": [_("Unknown goal.")]})
        attrs["goals"] = goals
        if attrs.get("cycle") is not None:
            cycle = Cycle.objects.filter(pk=attrs["cycle"]).first()
            if cycle is None:
                raise ValidationError({"cycle": [_("Unknown cycle.")]})
            attrs["cycle"] = cycle
        return attrs


class MeetingViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Coordination and alignment meetings you may see (you, someone you follow or manage, took
    part or owns an action); `q` searches titles, decisions, notes and actions."""

    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()

    def get_queryset(self):
        return selectors.meetings(
            self.viewer, q=self.request.query_params.get("q", "")[:200]
        ).prefetch_related(
            "participants",
            "goals",
            Prefetch("actions", MeetingAction.objects.select_related("owner")),
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["visible_goal_ids"] = set(
            goal_permissions.visible_goals(self.viewer)
            .filter(meetings__in=self.get_queryset().values("pk"))
            .values_list("pk", flat=True)
        )
        return context

    @extend_schema(parameters=[OpenApiParameter("q", str, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        meeting = permissions.get_meeting_for(self.viewer, pk)
        return Response(MeetingSerializer(meeting, context=self.get_serializer_context()).data)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request, *args, **kwargs):
        data = MeetingCreateSerializer(data=request.data, context={"viewer": self.viewer})
        data.is_valid(raise_exception=True)
        meeting = services.record_meeting(actor=self.person, **data.validated_data)
        return Response(
            MeetingSerializer(meeting, context=self.get_serializer_context()).data, status=201
        )


class MeetingActionViewSet(ViewerAPIMixin, viewsets.GenericViewSet):
    """Actions decided in meetings: their owner (or the organizer) completes them."""

    serializer_class = MeetingActionSerializer
    queryset = MeetingAction.objects.none()

    @extend_schema(request=None, responses={200: MeetingActionSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        row = permissions.get_meeting_action_for(self.viewer, pk, permissions.COMPLETE)
        row = services.complete_action(actor=self.person, action=row)
        return Response(MeetingActionSerializer(row).data)


class TaskForceMemberSerializer(ModelSerializer):
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    home_unit = serializers.IntegerField(source="person.unit_id", read_only=True)
    home_unit_name = serializers.CharField(source="person.unit.name", read_only=True)

    class Meta:
        model = TaskForceMembership
        fields = ["person", "person_name", "role", "home_unit", "home_unit_name", "joined_at"]
        read_only_fields = fields


class TaskForceSerializer(ModelSerializer):
    name = serializers.CharField(source="unit.name", read_only=True)
    lead = serializers.IntegerField(source="unit.head_id", read_only=True, allow_null=True)
    lead_name = serializers.SerializerMethodField()
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    progress = serializers.SerializerMethodField(
        help_text="Weighted progress (0-1) of the task force's open goals, from the rollups."
    )
    open_goals = serializers.SerializerMethodField()
    available_actions = AvailableActionsField(
        decide=permissions.task_force_actions,
        help_text="What the caller may do: manage (members, dissolve).",
    )

    class Meta:
        model = TaskForce
        fields = [
            "id",
            "name",
            "unit",
            "purpose",
            "state",
            "cycle",
            "cycle_name",
            "lead",
            "lead_name",
            "member_count",
            "progress",
            "open_goals",
            "created_at",
            "dissolved_at",
            "retrospective",
            "available_actions",
        ]
        read_only_fields = fields

    def get_lead_name(self, obj) -> str | None:
        return obj.unit.head.display_name if obj.unit.head_id else None

    def get_progress(self, obj) -> float | None:
        rollup = getattr(obj, "rollup", None)
        return round(rollup.weighted_progress, 4) if rollup is not None else None

    def get_open_goals(self, obj) -> int:
        rollup = getattr(obj, "rollup", None)
        return rollup.open_goals if rollup is not None else 0


class TaskForceDetailSerializer(TaskForceSerializer):
    members = TaskForceMemberSerializer(many=True, read_only=True)
    goals = serializers.SerializerMethodField(help_text="Ids of its goals the caller may see.")

    class Meta(TaskForceSerializer.Meta):
        fields = [*TaskForceSerializer.Meta.fields, "members", "goals"]

    def get_goals(self, obj) -> list[int]:
        return [g.pk for g in obj.goals]


class TaskForceCreateSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    purpose = serializers.CharField()
    cycle = serializers.IntegerField()
    lead = serializers.IntegerField()
    members = serializers.ListField(child=serializers.IntegerField(), min_length=1)

    def validate(self, attrs):
        viewer = self.context["viewer"]
        ids = {attrs["lead"], *attrs["members"]}
        people = {p.pk: p for p in org_permissions.visible_people(viewer).filter(pk__in=ids)}
        if attrs["lead"] not in people:
            raise ValidationError({"lead": [_("Unknown person.")]})
        if any(pk not in people for pk in attrs["members"]):
            raise ValidationError({"members": [_("Unknown person.")]})
        attrs["lead"] = people[attrs["lead"]]
        attrs["members"] = [people[pk] for pk in attrs["members"]]
        cycle = Cycle.objects.filter(pk=attrs["cycle"]).first()
        if cycle is None:
            raise ValidationError({"cycle": [_("Unknown cycle.")]})
        attrs["cycle"] = cycle
        return attrs


class TaskForcePersonSerializer(Serializer):
    person = serializers.IntegerField()

    def validate_person(self, value):
        person = org_permissions.visible_people(self.context["viewer"]).filter(pk=value).first()
        if person is None:
            raise ValidationError(_("Unknown person."))
        return person


class TaskForceViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Cross-unit task forces you may see (you are in one, you follow a member, you head or
    partner a unit above it): heads of units, HRBPs and admins create them; the lead, the
    creator or an admin changes members and dissolves one (with a retrospective)."""

    serializer_class = TaskForceSerializer
    queryset = TaskForce.objects.none()

    def get_queryset(self):
        state = self.request.query_params.get("state", "")
        return selectors.task_forces(
            self.viewer, state=state if state in TaskForce.State.values else ""
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.attach_progress(page)
        return page

    @extend_schema(parameters=[OpenApiParameter("state", str, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: TaskForceDetailSerializer})
    def retrieve(self, request, pk=None):
        task_force = selectors.task_force_detail(self.viewer, pk)
        return Response(TaskForceDetailSerializer(task_force, context={"request": request}).data)

    @extend_schema(request=TaskForceCreateSerializer, responses={201: TaskForceDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = TaskForceCreateSerializer(data=request.data, context={"viewer": self.viewer})
        data.is_valid(raise_exception=True)
        task_force = services.create_task_force(actor=self.person, **data.validated_data)
        return Response(self._detail(task_force.pk), status=201)

    def _detail(self, pk):
        task_force = selectors.task_force_detail(self.viewer, pk)
        return TaskForceDetailSerializer(task_force, context={"request": self.request}).data

    @extend_schema(request=TaskForcePersonSerializer, responses={200: TaskForceDetailSerializer})
    @action(detail=True, methods=["post", "delete"])
    def members(self, request, pk=None):
        task_force = permissions.get_task_force_for(self.viewer, pk, permissions.MANAGE_TASK_FORCE)
        data = TaskForcePersonSerializer(data=request.data, context={"viewer": self.viewer})
        data.is_valid(raise_exception=True)
        service = (
            services.add_task_force_member
            if request.method == "POST"
            else services.remove_task_force_member
        )
        service(actor=self.person, task_force=task_force, person=data.validated_data["person"])
        return Response(self._detail(task_force.pk))

    @extend_schema(request=None, responses={200: TaskForceDetailSerializer})
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        task_force = permissions.get_task_force_for(self.viewer, pk, permissions.MANAGE_TASK_FORCE)
        services.dissolve_task_force(actor=self.person, task_force=task_force)
        return Response(self._detail(task_force.pk))


router = SimpleRouter()
router.register("comments", CommentViewSet, basename="comment")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("meeting-actions", MeetingActionViewSet, basename="meeting-action")
router.register("task-forces", TaskForceViewSet, basename="task-force")
urlpatterns = router.urls
