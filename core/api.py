"""Shared API plumbing: pagination, error mapping, small helpers used by every app's api.py."""

import django_filters
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.http import Http404, JsonResponse
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.utils.formatting import lazy_format
from rest_framework.views import exception_handler as drf_exception_handler

from core.limits import TEXT_MAX_LENGTH

BIGINT = 2**63 - 1


def cap_text(field) -> None:
    """A writable text field without a maximum length gets TEXT_MAX_LENGTH, with the validator
    and message DRF gives `CharField(max_length=...)` (so the schema says `maxLength`); so do
    the text items of a list or a mapping. A length of its own (a model's CharField) stays."""
    if field.read_only:
        return
    if isinstance(field, serializers.ListField | serializers.DictField):
        cap_text(field.child)
    elif isinstance(field, serializers.CharField) and field.max_length is None:
        field.max_length = TEXT_MAX_LENGTH
        message = lazy_format(field.error_messages["max_length"], max_length=TEXT_MAX_LENGTH)
        field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH, message=message))


class CappedTextMixin:
    """Every writable text field of the serializer is capped (`cap_text`): the declared ones
    (`serializers.CharField()`) and those built from a model's TextField alike."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            cap_text(field)
        return fields


class Serializer(CappedTextMixin, serializers.Serializer):
    """The base of every plain serializer of the API (text capped, see CappedTextMixin)."""


class ModelSerializer(CappedTextMixin, serializers.ModelSerializer):
    """The base of every model serializer of the API (text capped, see CappedTextMixin)."""


class FilterBackend(DjangoFilterBackend):
    """django-filter, with every number filter bounded to what a 64-bit column holds: a value
    past that (`?goal=1e300`) is a 400 for that parameter, not the database's overflow."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        for name, filter_ in filterset.filters.items() if filterset is not None else ():
            if isinstance(filter_, django_filters.NumberFilter):
                field = filterset.form.fields[name]
                field.validators = [
                    *field.validators,
                    MinValueValidator(-BIGINT),
                    MaxValueValidator(BIGINT),
                ]
        return filterset


class KeysetPagination(CursorPagination):
    """Keyset paging, newest first by id (the primary key's index): each page costs the same
    however deep it is, and rows added meanwhile neither repeat nor vanish between pages."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class Pagination(PageNumberPagination):
    """Page numbers (`?page=`), or keyset paging when the client asks for it with `?cursor=`
    (empty to start, then the `next` link): the answer's `count` is then null, the database
    never counts or skips rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    keyset: KeysetPagination | None = None

    def paginate_queryset(self, queryset, request, view=None):
        if KeysetPagination.cursor_query_param in request.query_params:
            self.keyset = KeysetPagination()
            return self.keyset.paginate_queryset(queryset, request, view)
        self.keyset = None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.keyset is None:
            return super().get_paginated_response(data)
        return Response(
            {
                "count": None,
                "next": self.keyset.get_next_link(),
                "previous": self.keyset.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "description": "Rows matching; null with keyset paging (`cursor`).",
            "example": 123,
        }
        return answer

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": KeysetPagination.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Keyset paging: empty for the first page, then the `next` link.",
                "schema": {"type": "string"},
            },
        ]


class AvailableActionsField(serializers.ListField):
    """Read-only: the actions the requesting viewer may take on the object in its current
    state, as `decide(viewer, obj)` lists them (each app's `permissions.available_actions`).
    The viewer is the request's (`request.viewer`, set by the API's permission class), so the
    serializer needs the request in its context; `decide` must not query per object."""

    def __init__(self, *, decide, help_text: str, **kwargs):
        self.decide = decide
        super().__init__(
            child=serializers.CharField(), read_only=True, source="*", help_text=help_text, **kwargs
        )

    def to_representation(self, obj):
        request = self.context.get("request")
        viewer = getattr(request, "viewer", None)
        if viewer is None:
            raise RuntimeError("AvailableActionsField needs the request in the context.")
        return list(self.decide(viewer, obj))


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object was changed by someone else."
    default_code = "conflict"


def validation_error_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    """Django's ValidationError from a service becomes a 400 with field errors; Http404 stays
    404; PermissionDenied 403. Everything else is DRF's default."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_error_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    return drf_exception_handler(exc, context)


def not_found(request, exception):
    """handler404: under /api/ a JSON `{"detail": ...}` as DRF answers, so a client never has
    to parse an HTML page (a path the router does not match, such as `/api/v1/goals/x.y/`)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


class DocsPermission(BasePermission):
    """The OpenAPI schema and its documentation pages: signed-in people only, unless the
    KEEL_PUBLIC_API_DOCS setting opens them (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"])."""

    def has_permission(self, request, view) -> bool:
        if settings.KEEL_PUBLIC_API_DOCS:
            return True
        return bool(request.user and request.user.is_authenticated)
