"""API tokens over the API: list one's tokens, make a new one, revoke one.

Everyone sees and revokes their own tokens; admins see and revoke anyone's (`?user=<id>` to
narrow). The key is in the answer of the request that made the token, and never again."""

from __future__ import annotations

import django_filters
from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api import ModelSerializer, Serializer
from org import tokens
from org.access import ViewerAPIMixin
from org.models import ApiToken


class ApiTokenSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "username",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The key; shown this once only.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class TokenCreateSerializer(Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    days = serializers.IntegerField(
        min_value=1,
        max_value=tokens.MAX_DAYS,
        required=False,
        help_text=f"How long the token works (default {settings.KEEL_TOKEN_DAYS} days).",
    )


class ApiTokenFilter(django_filters.FilterSet):
    class Meta:
        model = ApiToken
        fields = ["user"]


class ApiTokenViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your API tokens (admins: everyone's): list, make one, revoke one (DELETE)."""

    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        qs = ApiToken.objects.select_related("user")
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        if not self.viewer.is_admin:
            qs = qs.filter(user=self.request.user)
        return qs.order_by("-created_at", "-pk")

    @extend_schema(request=TokenCreateSerializer, responses={201: NewApiTokenSerializer})
    def create(self, request, *args, **kwargs):
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = tokens.create_token(
            user=request.user,
            name=data.validated_data["name"],
            days=data.validated_data.get("days"),
        )
        token.token = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Revokes the token (it stays listed, with `revoked_at`)."""
        tokens.revoke_token(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
