"""Shared API plumbing: pagination, error mapping, small helpers used by every app's api.py."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


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
