"""Shared API plumbing: pagination, error mapping, small helpers used by every app's api.py."""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, JsonResponse
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

BIGINT = 2**63 - 1


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


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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


def ok(data, code=status.HTTP_200_OK) -> Response:
    return Response(data, status=code)


def not_found(request, exception):
    """handler404: under /api/ a JSON `{"detail": ...}` as DRF answers, so a client never has
    to parse an HTML page (a path the router does not match, such as `/api/v1/goals/x.y/`)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
