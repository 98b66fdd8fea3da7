"""REST API for threads, thin over coordination.services and coordination.permissions.

/api/v1/comments/?target_kind=goal&target_id=17   the thread of an object (404 when hidden)
/api/v1/comments/                                 POST {target_kind, target_id, text, parent?}
/api/v1/comments/{id}/                            GET; PATCH {text} (its author; edits kept)
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coordination import permissions, services
from coordination.models import Comment, TargetKind
from core.api import AvailableActionsField, ModelSerializer, Serializer
from core.params import is_id
from org.access import ViewerAPIMixin


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


router = SimpleRouter()
router.register("comments", CommentViewSet, basename="comment")
urlpatterns = router.urls
