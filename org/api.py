"""REST API for the organisation: token, /me, units and people."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.core.cache import caches
from django.db import transaction
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import SimpleRateThrottle

from core import lockout
from core.api import ModelSerializer, Serializer
from org import permissions, scopes, services, tokens
from org.access import SignedIn, ViewerAPIMixin
from org.models import Person, Unit
from org.token_api import ApiTokenViewSet


class IsAdminForWrites(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        return request.viewer.is_admin


class TokenRequestSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, style={"input_type": "password"}, trim_whitespace=False
    )
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the token is for (shown in /api/v1/auth/tokens/).",
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=tokens.MAX_DAYS,
        required=False,
        help_text=f"How long the token works (default {settings.KEEL_TOKEN_DAYS} days).",
    )


class TokenThrottle(SimpleRateThrottle):
    """Flood guard for the token endpoint, per client address (signed in or not): the "token"
    rate. Counters live in the in-process "throttle" cache, never in Redis, so a Redis fault
    cannot turn a sign-in into a 500 (config/settings.py, "Security"). The per-account guard
    against password guessing is the axes lockout in `obtain_token`."""

    scope = "token"
    cache = caches["throttle"]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LockedOut(Throttled):
    default_code = "locked_out"


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        200: inline_serializer(
            "TokenResponse",
            {
                "token": serializers.CharField(),
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
            },
        ),
        400: OpenApiResponse(description="Missing fields or credentials that do not sign in."),
        429: OpenApiResponse(
            description="Too many requests from this address, or this username is locked out "
            "from this address after repeated failures; Retry-After says when to try again."
        ),
    },
    auth=[],
)
@api_view(["POST"])
@permission_classes([drf_permissions.AllowAny])
@throttle_classes([TokenThrottle])
def obtain_token(request):
    """Exchange a username and password for a new API token (`Authorization: Token <token>`),
    named and expiring (default 90 days); list and revoke tokens at /api/v1/auth/tokens/."""
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    # Through django-axes (the first authentication backend): a failure is counted per
    # username + address, and a locked-out pair is refused before its password is checked.
    user = authenticate(
        request=request,
        username=data.validated_data["username"],
        password=data.validated_data["password"],
    )
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(wait=lockout.cool_off_seconds(), detail=lockout.lockout_message())
    if user is None or not user.is_active:
        raise serializers.ValidationError(
            {"non_field_errors": [_("Unable to sign in with these credentials.")]}
        )
    # A token is a sign-in: axes clears this pair's failures and logs the access, Django
    # records last_login, as for the sign-in page.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token, key = tokens.create_token(
        user=user, name=data.validated_data["name"], days=data.validated_data.get("days")
    )
    return Response(
        {"token": key, "id": token.pk, "name": token.name, "expires_at": token.expires_at}
    )


class UnitSerializer(ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "parent", "head", "path", "depth"]
        read_only_fields = ["path", "depth"]


class PersonSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    manager_name = serializers.CharField(
        source="manager.display_name", read_only=True, default=None
    )

    SENSITIVE = ("level", "hired_on")

    class Meta:
        model = Person
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "unit",
            "unit_name",
            "manager",
            "manager_name",
            "title",
            "level",
            "hired_on",
            "timezone",
            "language",
            "is_active",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        allowed = self.context.get("sensitive_ids")
        if allowed is not None and instance.pk not in allowed:
            for field in self.SENSITIVE:
                data.pop(field, None)
        return data


class PersonWriteSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    display_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=Person.Level.choices, default=Person.Level.FRONTLINE)
    hired_on = serializers.DateField(required=False, allow_null=True)
    timezone = serializers.CharField(required=False, default="UTC")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")


class MeSerializer(PersonSerializer):
    roles = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "roles"]

    def get_roles(self, obj) -> list[str]:
        return scopes.roles(obj)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """The signed-in person, with their roles (employee, manager, hrbp, admin)."""
    if request.person is None:
        raise Http404
    return Response(MeSerializer(request.person).data)


class UnitFilter(django_filters.FilterSet):
    class Meta:
        model = Unit
        fields = ["parent", "kind", "head"]


class UnitViewSet(ViewerAPIMixin, viewsets.ModelViewSet):
    serializer_class = UnitSerializer
    permission_classes = [SignedIn, IsAdminForWrites]
    filterset_class = UnitFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.viewer.person is None and not self.request.user.is_staff:
            return Unit.objects.none()
        return Unit.objects.order_by("path")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.create_unit(
            name=d["name"],
            kind=d.get("kind", Unit.Kind.TEAM),
            parent=d.get("parent"),
            head=d.get("head"),
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_unit(
            unit=serializer.instance, **serializer.validated_data
        )


class PersonFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), method="in_unit")
    unit_exact = django_filters.NumberFilter(field_name="unit_id")
    search = django_filters.CharFilter(field_name="display_name", lookup_expr="icontains")
    is_active = django_filters.BooleanFilter(
        help_text="Admins only: false lists the people who have left (default: true)."
    )

    class Meta:
        model = Person
        fields = ["unit", "manager", "unit_exact", "search", "is_active"]

    def in_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)


class PersonViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [SignedIn, IsAdminForWrites]
    filterset_class = PersonFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # Admins reach inactive people too (to list and reactivate them); lists show the
        # active ones unless `?is_active=` asks otherwise.
        qs = permissions.managed_directory(self.viewer)
        if self.action == "list" and "is_active" not in self.request.query_params:
            qs = qs.filter(is_active=True)
        return qs.select_related("unit", "manager", "user").order_by("display_name", "pk")

    def get_serializer_class(self):
        if self.action == "create":
            return PersonWriteSerializer
        return PersonSerializer

    def _sensitive_ids(self, people) -> set[int]:
        viewer = self.viewer
        ids = [p.pk for p in people]
        return set(
            Person.objects.filter(permissions.sensitive_people_q(viewer), pk__in=ids).values_list(
                "pk", flat=True
            )
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = {**self.get_serializer_context(), "sensitive_ids": self._sensitive_ids(page)}
        return self.get_paginated_response(PersonSerializer(page, many=True, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        context = {**self.get_serializer_context(), "sensitive_ids": self._sensitive_ids([person])}
        return Response(PersonSerializer(person, context=context).data)

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer})
    def create(self, request, *args, **kwargs):
        data = PersonWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            person = services.create_person(**data.validated_data)
        return Response(PersonSerializer(person).data, status=201)

    def perform_update(self, serializer):
        serializer.instance = services.update_person(
            person=serializer.instance, **serializer.validated_data
        )


router = SimpleRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token-mgmt")

urlpatterns = [
    path("auth/token/", obtain_token, name="api-token"),
    path("me/", me, name="api-me"),
    *router.urls,
]
